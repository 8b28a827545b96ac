/**
 * `portier carriers list|add|edit|delete|codes|qr`: carriers, their access codes (issued with `codes --issue`, shown
 * once) and a live code as a printable QR code.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { table, type CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';
import { imageOptions, numberArg, type ImageOptions } from './common.ts';

type Carrier = { id: string; name: string };
interface CarrierCode {
  id: string;
  digits: number;
  bankIds: string[];
  expiresAt?: number;
  revoked: boolean;
}

const enc = encodeURIComponent;

function codeRows(codes: CarrierCode[], now: number): string {
  return table(
    codes.map((c) => ({
      id: c.id,
      digits: c.digits,
      banks: c.bankIds.length > 0 ? c.bankIds.join(',') : 'all',
      expires: c.expiresAt !== undefined ? new Date(c.expiresAt).toISOString() : '',
      state: c.revoked ? 'revoked' : c.expiresAt !== undefined && c.expiresAt <= now ? 'expired' : 'live',
    })),
    ['id', 'digits', 'banks', 'expires', 'state'],
  );
}

export function registerCarrierCommands(program: Command, ctx: CommandContext): void {
  const carriers = program.command('carriers').description('carriers and their access codes');

  carriers
    .command('list')
    .description('every carrier')
    .action(async () => {
      const r = await (await ctx.client()).json<{ carriers: Carrier[] }>('GET', '/carriers');
      ctx.print(r, () => table(r.carriers, ['id', 'name']));
    });

  carriers
    .command('add')
    .description('add a carrier')
    .requiredOption('--name <name>', 'display name')
    .option('--id <id>', 'id (default: generated)')
    .action(async (o: { name: string; id?: string }) => {
      const r = await (await ctx.client()).json<{ carrier: Carrier }>('POST', '/carriers', { name: o.name, ...(o.id !== undefined ? { id: o.id } : {}) });
      ctx.print(r, () => `added carrier ${r.carrier.id} (${r.carrier.name})\n`);
    });

  carriers
    .command('edit')
    .description('rename a carrier')
    .argument('<id>', 'carrier id')
    .requiredOption('--name <name>', 'new name')
    .action(async (id: string, o: { name: string }) => {
      const r = await (await ctx.client()).json<{ carrier: Carrier }>('PATCH', `/carriers/${enc(id)}`, { name: o.name });
      ctx.print(r, () => `renamed carrier ${id} to ${r.carrier.name}\n`);
    });

  carriers
    .command('delete')
    .description('delete a carrier (refused while a live reservation names it); its codes and kiosk badges are revoked')
    .argument('<id>', 'carrier id')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ carrier: Carrier }>('DELETE', `/carriers/${enc(id)}`);
      ctx.print(r, () => `deleted carrier ${r.carrier.id}; its access codes are revoked\n`);
    });

  carriers
    .command('codes')
    .description("a carrier's access codes (never the codes themselves); --issue issues a new one and prints it once")
    .argument('<id>', 'carrier id')
    .option('--issue', 'issue a new code')
    .option('--digits <n>', 'digits of a new code (6-10)', numberArg)
    .option('-b, --bank <bankId...>', 'banks a new code opens (default: every bank)')
    .option('--expires <date>', 'ISO 8601 date-time or epoch ms')
    .action(async (id: string, o: { issue?: boolean; digits?: number; bank?: string[]; expires?: string }) => {
      const c = await ctx.client();
      if (!o.issue) {
        if (o.digits !== undefined || o.bank || o.expires !== undefined) throw new CliError('USAGE', '--digits, --bank and --expires go with --issue');
        const r = await c.json<{ carrierCodes: CarrierCode[] }>('GET', `/carriers/${enc(id)}/codes`);
        ctx.print(r, () => codeRows(r.carrierCodes, Date.now()));
        return;
      }
      const body: Record<string, unknown> = {};
      if (o.digits !== undefined) body.digits = o.digits;
      if (o.bank) body.bankIds = o.bank;
      if (o.expires !== undefined) {
        const at = /^\d+$/.test(o.expires) ? Number(o.expires) : Date.parse(o.expires);
        if (!Number.isFinite(at)) throw new CliError('USAGE', `--expires: not a date: ${JSON.stringify(o.expires)}`);
        body.expiresAt = at;
      }
      const r = await c.json<{ carrierCode: CarrierCode; code: string }>('POST', `/carriers/${enc(id)}/codes`, body);
      ctx.print(r, () => `carrier code ${r.code} (shown this once) for ${id}: ${r.carrierCode.id}; print it with \`portier carriers qr ${r.carrierCode.id} --out FILE\`\n`);
    });

  imageOptions(
    carriers
      .command('qr')
      .description('write a live access code as a printable QR code (or Code 128): the code the kiosk keypad and scanner accept')
      .argument('<carrierCodeId>', 'code id (see `portier carriers codes ID`)')
      .requiredOption('--out <file>', 'image file to write (it holds the code: keep it like the code)'),
    'qrcode',
  ).action(async (id: string, o: { out: string } & ImageOptions) => {
    const image = await (await ctx.client()).bytes(`/carrier-codes/${enc(id)}/qr.${o.format}?symbology=${o.symbology}`, `image/${o.format === 'svg' ? 'svg+xml' : 'png'}`);
    const file = resolve(o.out);
    await writeFile(file, image, { mode: 0o600 });
    ctx.print({ carrierCodeId: id, file, format: o.format, symbology: o.symbology, bytes: image.length }, () => `wrote ${file} (${o.symbology}, ${o.format})\n`);
  });
}
