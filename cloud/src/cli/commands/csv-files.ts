/**
 * `import FILE`, `export` and `template` of a CSV the API takes and gives (contacts, users, locations): one
 * behaviour for every group.
 *
 * - import: the file goes as a `text/csv` body; a refusal prints the API's message and every bad row by line and
 *   column (with --json, the API's answer) and exits 1; otherwise the group's summary of the counts.
 * - export, template: the CSV on stdout (with --json, `{ "csv": ... }`), or with `--out FILE` written there (with
 *   --json, `{ "file", "bytes" }`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';

export interface CsvFilesSpec<I> {
  /** The API path the three routes hang below: `${base}/import`, `${base}/export`, `${base}/template`. */
  base: string;
  importHelp: string;
  exportHelp: string;
  templateHelp: string;
  /** Options of the import beyond the file, and the query string they make (e.g. `?mode=replace`). */
  importOptions?: { add: (cmd: Command) => Command; query: (o: Record<string, unknown>) => string };
  /** One line on an accepted import's counts. */
  summary: (i: I) => string;
}

interface ImportAnswer<I> {
  import?: I;
  error?: { message: string };
  problems?: Array<{ line: number; column?: string; problem: string }>;
}

export function registerCsvFiles<I>(group: Command, ctx: CommandContext, spec: CsvFilesSpec<I>): void {
  let imp = group.command('import').description(spec.importHelp).argument('<file>', 'the CSV file (UTF-8 with or without BOM; comma, semicolon or tab)');
  if (spec.importOptions) imp = spec.importOptions.add(imp);
  imp.action(async (file: string, o: Record<string, unknown>) => {
    const query = spec.importOptions?.query(o) ?? '';
    const body = await readFile(file).catch((err: Error) => {
      throw new CliError('USAGE', `cannot read ${file}: ${err.message}`);
    });
    const res = await (await ctx.client()).call('POST', `${spec.base}/import${query}`, undefined, 'application/json', { contentType: 'text/csv', body, pass: [422] });
    const r = JSON.parse(res.text) as ImportAnswer<I>;
    if (res.status === 422 || r.import === undefined) {
      ctx.print(r, () => `${r.error?.message ?? 'refused'}\n${(r.problems ?? []).map((p) => `line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.problem}`).join('\n')}\n`);
      throw new CliError('FAILED', `${file}: not imported`);
    }
    const i = r.import;
    ctx.print(r, () => `${spec.summary(i)}\n`);
  });
  for (const [name, help] of [
    ['export', spec.exportHelp],
    ['template', spec.templateHelp],
  ] as const) {
    group
      .command(name)
      .description(help)
      .option('-o, --out <file>', 'write to this file instead of stdout')
      .action(async (o: { out?: string }) => {
        const r = await (await ctx.client()).call('GET', `${spec.base}/${name}`, undefined, 'text/csv');
        if (o.out === undefined) {
          if (ctx.json()) ctx.print({ csv: r.text }, () => '');
          else ctx.io.out(r.text);
          return;
        }
        await writeFile(o.out, r.text);
        ctx.print({ file: o.out, bytes: Buffer.byteLength(r.text) }, () => `wrote ${o.out}\n`);
      });
  }
}
