/**
 * `portier-cloud backup` and `portier-cloud restore`.
 * - backup reaches the running cloud the way `portier` does: its HTTP API with an admin's bearer token (env
 *   PORTIER_TOKEN, else the token file `portier login` saved), and streams `GET /api/v1/backup` into a file of mode
 *   0600, which it checks whole (every sha256, the manifest) before renaming it into place.
 * - restore works on a data folder with no cloud running on it (backup/restore.ts).
 * What each needs is loaded when it runs, not when the program is built.
 */
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { DEFAULT_URL } from './defaults.ts';

/** Downloads the backup into `out`; answers where the cloud keeps its store (`postgres`: not in the backup). */
async function download(url: string, token: string | undefined, out: string): Promise<string> {
  const { z } = await import('zod');
  const { CliError } = await import('./errors.ts');
  const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, '')}/api/v1/backup`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (err) {
    throw new CliError('FAILED', `cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    const e = ErrorBody.safeParse((() => { try { return JSON.parse(text) as unknown; } catch { return undefined; } })());
    const detail = e.success ? `${e.data.error.code}: ${e.data.error.message}` : `HTTP ${res.status}`;
    throw new CliError('FAILED', `${url} refused the backup: ${detail}${res.status === 401 ? ' (run `portier login` as an admin, or set PORTIER_TOKEN)' : ''}`);
  }
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(out, { flags: 'wx', mode: 0o600 }));
  const fh = await open(out, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return res.headers.get('x-portier-store') ?? 'file';
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description("write an online backup of a running cloud (while it serves) to a file of mode 0600, through its HTTP API as an admin (a store in PostgreSQL is not in it: back the database up with pg_dump)")
    .requiredOption('-o, --out <file>', 'the backup file to write (replaced only once the new one is complete and checked)')
    .option('--url <url>', `the cloud's HTTP address (env PORTIER_URL; default: from the token file, else ${DEFAULT_URL})`)
    .option('--token-file <file>', "an admin's token saved by `portier login` (env PORTIER_TOKEN_FILE); env PORTIER_TOKEN wins")
    .action(async (o: { out: string; url?: string; tokenFile?: string }) => {
      const { readBackup } = await import('../backup/restore.ts');
      const { fsyncDir } = await import('../mqtt/fs.ts');
      const { readTokenFile, tokenFilePath } = await import('./client.ts');
      const { CliError } = await import('./errors.ts');
      const saved = await readTokenFile(tokenFilePath({ env: process.env }, o.tokenFile));
      const url = o.url ?? process.env.PORTIER_URL ?? saved?.url ?? DEFAULT_URL;
      const token = process.env.PORTIER_TOKEN ?? (saved && (!o.url || o.url === saved.url) ? saved.token : undefined);
      const out = resolve(o.out);
      const partial = `${out}.partial-${process.pid}`;
      try {
        const store = await download(url, token, partial);
        const { header, manifest } = await readBackup(partial).catch((err: unknown) => {
          throw new CliError('FAILED', `the backup received from ${url} is not whole: ${(err as Error).message}`);
        });
        await rename(partial, out);
        await fsyncDir(dirname(out));
        const bytes = manifest.reduce((n, e) => n + e.bytes, 0);
        process.stdout.write(`backup written: ${out} (${manifest.length} files, ${bytes} bytes, data format ${header.dataFormat}, ${header.createdAt})\n`);
        if (store === 'postgres') {
          process.stdout.write(
            'the store (organisation, people, reservations, history) is in PostgreSQL and not in this file: back the database up with pg_dump; ' +
              'this file holds the rest of the data folder (the command key, controller identities and credential keys, sync state)\n',
          );
        }
      } finally {
        await rm(partial, { force: true });
      }
    });

  program
    .command('restore')
    .description('restore a backup into an empty or absent data folder (checksums verified; migrated if an older release wrote it)')
    .requiredOption('-f, --from <file>', 'the backup file')
    .requiredOption('-d, --data <dir>', 'the data folder to create (refused unless empty or absent)')
    .action(async (o: { from: string; data: string }) => {
      const { BackupError, restoreBackup } = await import('../backup/restore.ts');
      const { defaultSecretsKeyPath } = await import('../provision/secrets-key.ts');
      const { CliError } = await import('./errors.ts');
      const { pino } = await import('pino');
      const logger = pino({ name: 'portier-cloud', level: 'warn' });
      try {
        const r = await restoreBackup({ from: o.from, dataDir: o.data, logger });
        const dir = resolve(o.data);
        process.stdout.write(
          `restored ${resolve(o.from)} (${r.header.createdAt}) into ${dir}: ${r.files} files, ${r.bytes} bytes, data format ${r.format}` +
            `${r.migrated.length > 0 ? ` (migrated: ${r.migrated.join('; ')})` : ''}\n` +
            `the backup holds no secrets key: start the cloud with the backed-up cloud's key (--secrets-key, default ${defaultSecretsKeyPath(dir)})\n` +
            (r.holdsStore ? '' : 'the backup holds no store (its cloud kept it in PostgreSQL): restore the database from its pg_dump and start with the same store section\n'),
        );
      } catch (err) {
        if (err instanceof BackupError) throw new CliError('FAILED', err.message);
        throw err;
      }
    });
}
