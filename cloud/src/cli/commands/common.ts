/** Option parsers the command groups share. */
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../errors.ts';

/** A whole number argument (a locker number, a position). */
export function numberArg(v: string): number {
  if (!/^\d{1,9}$/.test(v)) throw new InvalidArgumentError(`not a whole number: ${JSON.stringify(v)}`);
  return Number(v);
}

export interface ImageOptions {
  format: 'svg' | 'png';
  symbology: 'code128' | 'qrcode';
}

/** `--format svg|png` and `--symbology code128|qrcode` of a printable barcode. */
export function imageOptions(cmd: Command, symbology: ImageOptions['symbology']): Command {
  return cmd
    .option('--format <format>', 'svg or png', (v: string) => {
      if (v !== 'svg' && v !== 'png') throw new InvalidArgumentError('must be svg or png');
      return v;
    }, 'png')
    .option('--symbology <symbology>', 'code128 or qrcode', (v: string) => {
      if (v !== 'code128' && v !== 'qrcode') throw new InvalidArgumentError('must be code128 or qrcode');
      return v;
    }, symbology);
}

/** The items of a comma-separated option (blanks around them dropped, empty ones skipped); none is a usage error saying `usage`. */
export function commaList(s: string, usage: string): string[] {
  const items = s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (items.length === 0) throw new CliError('USAGE', usage);
  return items;
}

/** A secret read from a file: the file's text, without the line end an editor adds to a password. */
export async function secretFile(path: string, trimLineEnd: boolean): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('USAGE', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return trimLineEnd ? text.replace(/\r?\n$/, '') : text;
}
