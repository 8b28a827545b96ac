/**
 * `portier branding show|set|clear`: the enterprise's logo and colours, or a bank's own (`--bank`), permission
 * `settings`. `set --logo FILE` uploads a PNG or SVG (the API checks it) and names it; colours given replace the saved
 * ones (all four when none are saved); what is not given is kept.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';

interface BrandingLike {
  colours?: { primary: string; onPrimary: string; background: string; text: string };
  logo?: { sha256: string; type: string; bytes: number; url?: string };
}
interface EnterpriseReply {
  enterpriseId: string;
  branding?: BrandingLike;
  banks: Array<{ bankId: string; name: string; override?: BrandingLike }>;
}
interface BankReply {
  bankId: string;
  override?: BrandingLike;
  effective?: BrandingLike;
}
interface SetOptions {
  bank?: string;
  logo?: string;
  removeLogo?: boolean;
  primary?: string;
  onPrimary?: string;
  background?: string;
  text?: string;
  builtInColours?: boolean;
}

const KEYS = ['primary', 'onPrimary', 'background', 'text'] as const;

function describe(b: BrandingLike | undefined, indent = ''): string {
  if (!b) return `${indent}the built-in look\n`;
  const c = b.colours;
  return [
    c ? `${indent}colours: buttons ${c.primary} with text ${c.onPrimary}; page ${c.background} with text ${c.text}` : `${indent}colours: built-in`,
    b.logo ? `${indent}logo:    ${b.logo.type}, ${b.logo.bytes} bytes, sha256 ${b.logo.sha256}${b.logo.url ? `\n${indent}         ${b.logo.url}` : ''}` : `${indent}logo:    none`,
  ].join('\n') + '\n';
}

export function registerBrandingCommands(program: Command, ctx: CommandContext): void {
  const branding = program.command('branding').description("your enterprise's logo and colours on kiosks and in e-mails, or a bank's own (permission settings)");
  const enterpriseId = async (): Promise<string> => (await (await ctx.client()).json<{ user: { enterpriseId: string } }>('GET', '/auth/me')).user.enterpriseId;
  const target = async (bank: string | undefined): Promise<string> => (bank !== undefined ? `/banks/${encodeURIComponent(bank)}/branding` : `/enterprises/${encodeURIComponent(await enterpriseId())}/branding`);

  branding
    .command('show')
    .description("the enterprise's branding and each bank's own, or a bank's (--bank) and what its kiosk shows")
    .option('--bank <id>', 'a bank')
    .action(async (o: { bank?: string }) => {
      const client = await ctx.client();
      if (o.bank !== undefined) {
        const r = await client.json<BankReply>('GET', await target(o.bank));
        ctx.print(r, () => `its own:\n${describe(r.override, '  ')}shown:\n${describe(r.effective, '  ')}`);
        return;
      }
      const r = await client.json<EnterpriseReply>('GET', await target(undefined));
      ctx.print(r, () => describe(r.branding) + r.banks.map((b) => `bank ${b.bankId} (${b.name}): ${b.override ? `its own\n${describe(b.override, '  ')}` : "the enterprise's\n"}`).join(''));
    });

  branding
    .command('set')
    .description('set the logo (a PNG or SVG file) and colours (#rrggbb; each text colour must contrast 4.5:1 with its background); what is not given is kept')
    .option('--bank <id>', "a bank's own branding instead of the enterprise's")
    .option('--logo <file>', 'a PNG or SVG file of at most 256 kB')
    .option('--remove-logo', 'no logo')
    .option('--primary <colour>', 'buttons and headings')
    .option('--on-primary <colour>', 'text on buttons')
    .option('--background <colour>', 'the page')
    .option('--text <colour>', 'text on the page')
    .option('--built-in-colours', 'no colours of its own')
    .action(async (o: SetOptions) => {
      const client = await ctx.client();
      const path = await target(o.bank);
      const current = o.bank !== undefined ? (await client.json<BankReply>('GET', path)).override : (await client.json<EnterpriseReply>('GET', path)).branding;
      let logo = o.removeLogo ? undefined : current?.logo?.sha256;
      if (o.logo !== undefined) {
        const type = /\.svg$/i.test(o.logo) ? 'image/svg+xml' : /\.png$/i.test(o.logo) ? 'image/png' : undefined;
        if (!type) throw new CliError('USAGE', '--logo takes a .png or .svg file');
        const body = await readFile(o.logo).catch((err: Error) => {
          throw new CliError('USAGE', `cannot read ${o.logo}: ${err.message}`);
        });
        const res = await client.call('POST', `/enterprises/${encodeURIComponent(await enterpriseId())}/branding/logos`, undefined, 'application/json', { contentType: type, body });
        logo = (JSON.parse(res.text) as { logo: { sha256: string } }).logo.sha256;
      }
      const given = KEYS.filter((k) => o[k] !== undefined);
      let colours = o.builtInColours ? undefined : current?.colours;
      if (given.length > 0) {
        if (!colours && given.length < KEYS.length) throw new CliError('USAGE', 'no colours are saved yet: give --primary, --on-primary, --background and --text');
        colours = { ...colours!, ...Object.fromEntries(given.map((k) => [k, o[k]!])) };
      }
      const r = await client.json<EnterpriseReply | BankReply>('PUT', path, { ...(colours ? { colours } : {}), ...(logo ? { logo } : {}) });
      ctx.print(r, () => `saved\n${describe('bankId' in r ? r.override : r.branding)}`);
    });

  branding
    .command('clear')
    .description("remove the enterprise's branding (the built-in look), or a bank's own (--bank)")
    .option('--bank <id>', 'a bank')
    .action(async (o: { bank?: string }) => {
      const r = await (await ctx.client()).json<unknown>('DELETE', await target(o.bank));
      ctx.print(r, () => 'removed\n');
    });
}
