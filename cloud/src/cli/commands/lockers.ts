/**
 * `portier lockers list|get|edit|delete|barcodes`: lockers of a bank with status and contents, a locker changed after
 * creation or deleted, and the rear shelves' barcodes generated and written as printable images.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseRef, table, type CommandContext, type LockerViewLike } from '../client.ts';
import { CliError } from '../errors.ts';
import { imageOptions, numberArg, type ImageOptions } from './common.ts';

interface Locker {
  number: number;
  size: string;
  loading: string;
  bottomCm: number;
  topCm: number;
  shelfBarcode?: string;
  dedicatedTo?: { type: string; id: string };
}

const enc = encodeURIComponent;
const lockerPath = (bank: string, n: number): string => `/banks/${enc(bank)}/lockers/${n}`;

function lockerRows(views: LockerViewLike[]): string {
  return table(
    views.map((v) => ({
      number: v.locker.number,
      size: v.locker.size,
      status: v.status,
      accessible: v.accessible ? 'yes' : 'no',
      door: `${v.locker.bottomCm}-${v.locker.topCm} cm`,
      contents: v.contents ? `${v.contents.kind} for ${v.contents.recipient.type}:${v.contents.recipient.id} ${v.contents.trackingIds.join(',')}`.trim() : '',
    })),
    ['number', 'size', 'status', 'accessible', 'door', 'contents'],
  );
}

/** `WxHxD` in cm. */
function dimensions(s: string): { widthCm: number; heightCm: number; depthCm: number } {
  const m = /^(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)$/.exec(s);
  if (!m) throw new CliError('USAGE', `--dimensions: expected WxHxD in cm, e.g. 40x30x50, got ${JSON.stringify(s)}`);
  return { widthCm: Number(m[1]), heightCm: Number(m[2]), depthCm: Number(m[3]) };
}

export function registerLockerCommands(program: Command, ctx: CommandContext): void {
  const lockers = program.command('lockers').description('lockers of a bank: list, get, edit, delete, rear-shelf barcodes');

  lockers
    .command('list', { isDefault: true })
    .description('lockers of a bank with status and contents (the default: `portier lockers -b BANK`)')
    .requiredOption('-b, --bank <bankId>', 'locker bank id')
    .action(async (o: { bank: string }) => {
      const r = await (await ctx.client()).json<{ lockers: LockerViewLike[] }>('GET', `/banks/${enc(o.bank)}/lockers`);
      ctx.print(r, () => lockerRows(r.lockers));
    });

  lockers
    .command('get')
    .description('one locker with its status and contents')
    .requiredOption('-b, --bank <bankId>', 'locker bank id')
    .requiredOption('-l, --locker <number>', 'locker number', numberArg)
    .action(async (o: { bank: string; locker: number }) => {
      const r = await (await ctx.client()).json<LockerViewLike & { locker: Locker }>('GET', lockerPath(o.bank, o.locker));
      ctx.print(r, () => {
        const l = r.locker;
        const extra = [
          `loading ${l.loading}${l.shelfBarcode ? ` (shelf barcode ${l.shelfBarcode})` : ''}`,
          l.dedicatedTo ? `dedicated to ${l.dedicatedTo.type}:${l.dedicatedTo.id}` : '',
        ].filter(Boolean);
        return `${lockerRows([r])}${extra.join('\n')}\n`;
      });
    });

  lockers
    .command('edit')
    .description('change a locker: refused while it would break the reservation holding it (it may grow, not shrink)')
    .requiredOption('-b, --bank <bankId>', 'locker bank id')
    .requiredOption('-l, --locker <number>', 'locker number', numberArg)
    .option('--size <size>', 'XS, S, M, L, XL or custom')
    .option('--dimensions <WxHxD>', 'inside dimensions in cm (a custom size)')
    .option('--bottom <cm>', "height of the door's bottom edge from the floor", Number)
    .option('--top <cm>', "height of the door's top edge from the floor", Number)
    .option('--loading <side>', 'front or rear (rear without --shelf-barcode gets a generated one)')
    .option('--shelf-barcode <text>', "the rear shelf's barcode")
    .option('--no-shelf-barcode', 'remove the shelf barcode (a front-loading locker)')
    .option('--dedicate <who>', 'contact:ID, department:ID, or none')
    .action(
      async (o: { bank: string; locker: number; size?: string; dimensions?: string; bottom?: number; top?: number; loading?: string; shelfBarcode?: string | false; dedicate?: string }) => {
        const body: Record<string, unknown> = {};
        if (o.size !== undefined) body.size = o.size;
        if (o.dimensions !== undefined) body.dimensions = dimensions(o.dimensions);
        if (o.bottom !== undefined) body.bottomCm = o.bottom;
        if (o.top !== undefined) body.topCm = o.top;
        if (o.loading !== undefined) body.loading = o.loading;
        if (o.shelfBarcode === false) body.shelfBarcode = null;
        else if (o.shelfBarcode !== undefined) body.shelfBarcode = o.shelfBarcode;
        if (o.dedicate !== undefined) body.dedicatedTo = o.dedicate === 'none' ? null : parseRef(o.dedicate, ['contact', 'department']);
        if (Object.keys(body).length === 0) throw new CliError('USAGE', 'nothing to change: give at least one of --size, --dimensions, --bottom, --top, --loading, --shelf-barcode, --dedicate');
        const r = await (await ctx.client()).json<LockerViewLike>('PATCH', lockerPath(o.bank, o.locker), body);
        ctx.print(r, () => `locker ${r.locker.number} changed\n${lockerRows([r])}`);
      },
    );

  lockers
    .command('delete')
    .description('delete a locker (refused while a reservation holds it)')
    .requiredOption('-b, --bank <bankId>', 'locker bank id')
    .requiredOption('-l, --locker <number>', 'locker number', numberArg)
    .action(async (o: { bank: string; locker: number }) => {
      const r = await (await ctx.client()).json<{ locker: Locker }>('DELETE', lockerPath(o.bank, o.locker));
      ctx.print(r, () => `deleted locker ${r.locker.number} of bank ${o.bank}\n`);
    });

  imageOptions(
    lockers
      .command('barcodes')
      .description("the rear shelves' barcodes of a bank: listed, generated anew (--generate), written as printable images (--out-dir)")
      .requiredOption('-b, --bank <bankId>', 'locker bank id')
      .option('-l, --locker <number...>', 'only these lockers')
      .option('--generate', 'generate new unique barcodes first (the old labels stop working)')
      .option('--out-dir <dir>', 'write one image per shelf: <bank>-<number>.<format>'),
    'code128',
  ).action(async (o: { bank: string; locker?: string[]; generate?: boolean; outDir?: string } & ImageOptions) => {
    const c = await ctx.client();
    const numbers = o.locker?.map((n) => numberArg(n));
    let rear: Locker[];
    if (o.generate) {
      rear = (await c.json<{ lockers: Locker[] }>('POST', `/banks/${enc(o.bank)}/shelf-barcodes`, numbers ? { numbers } : {})).lockers;
    } else {
      const all = (await c.json<{ lockers: Array<{ locker: Locker }> }>('GET', `/banks/${enc(o.bank)}/lockers`)).lockers.map((v) => v.locker);
      rear = all.filter((l) => l.loading === 'rear' && (!numbers || numbers.includes(l.number)));
    }
    const files: string[] = [];
    if (o.outDir !== undefined) {
      const dir = resolve(o.outDir);
      await mkdir(dir, { recursive: true });
      for (const l of rear) {
        const image = await c.bytes(`${lockerPath(o.bank, l.number)}/barcode.${o.format}?symbology=${o.symbology}`, `image/${o.format === 'svg' ? 'svg+xml' : 'png'}`);
        const file = join(dir, `${o.bank}-${l.number}.${o.format}`);
        await writeFile(file, image);
        files.push(file);
      }
    }
    const rows = rear.map((l, i) => ({ number: l.number, shelfBarcode: l.shelfBarcode ?? '', ...(files[i] ? { file: files[i] } : {}) }));
    ctx.print({ lockers: rows }, () => table(rows, files.length > 0 ? ['number', 'shelfBarcode', 'file'] : ['number', 'shelfBarcode']));
  });
}
