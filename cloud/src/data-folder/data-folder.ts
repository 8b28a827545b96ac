/**
 * The data folder's format version and the runner of its migrations.
 *
 * `portier-data.json` at the top of the folder says which format the folder as a whole is in:
 * `{ format: N, writtenBy: "<portier-cloud version>" }`. It is written when a folder is first used. A folder without
 * it was written before the file existed: that is format 1. At start-up (`openDataFolder`, called by the runtime and
 * every command that writes the folder) a folder of an older format is migrated forward by the ordered steps of
 * migrations.ts, and one of a newer format than this code reads is refused (DataFolderError TOO_NEW, naming the folder
 * and both versions) before anything in it is touched.
 *
 * Crash safety: before a step runs, the version file records `migrating: { to }` (durably); only after the step's
 * files are durably written is the file bumped to `format: to`. A crash mid-step leaves the old format with that
 * record, and the next start runs the same step again: every step must be safe to re-run on a folder it has partly
 * changed (write new files whole with writeFileDurable, and recognise what is already done).
 *
 * Files of the folder and their own version fields (the folder's format covers the ones that have none):
 * `store/snapshot.json` (format), `store/journal.jsonl` (lines covered by the snapshot's format), `tokens.json`
 * (format), `keys/credential-keys.json` (version), `mqtt/identities.json` (version), `sync/desired/*.json` (the
 * protocol's `v`), `sync/events/events.jsonl` (the protocol's event envelope), `bridge/` (ingest marks); key files
 * (PEM), `keys/secrets-key.id` and `mqtt/portier-cloud.secret` are plain standard formats.
 */
import { createRequire } from 'node:module';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import { CloudError } from '../errors.ts';
import { ensureDir, readTextIfExists, writeFileDurable } from '../mqtt/fs.ts';
import { LOCK, lockFolder } from '../store/folder-lock.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

export type { Migration };

/** The format this code writes; the last migration's `to`. */
export const DATA_FORMAT = MIGRATIONS.reduce((n, m) => Math.max(n, m.to), 1);
export const DATA_VERSION_FILE = 'portier-data.json';
/** This release, as `writtenBy` records it. */
export const CLOUD_VERSION = z.object({ version: z.string() }).parse(createRequire(import.meta.url)('../../package.json')).version;

const VersionFileSchema = z.object({
  format: z.number().int().min(1),
  writtenBy: z.string(),
  /** A step that started and has not been recorded as done: it runs again. */
  migrating: z.object({ to: z.number().int(), describe: z.string(), startedAt: z.string() }).optional(),
});
export type DataVersion = z.infer<typeof VersionFileSchema>;

export type DataFolderErrorCode = 'TOO_NEW' | 'UNREADABLE' | 'NO_MIGRATION' | 'NOT_EMPTY';

/** The data folder cannot be used as it is. The CLI exits 3 on it. */
export class DataFolderError extends CloudError<DataFolderErrorCode> {
  override name = 'DataFolderError';
  readonly exitCode = 3;
}

/** The folder's version file, or undefined when it has none (a folder written before the file existed, or a new one). */
export async function readDataVersion(dir: string): Promise<DataVersion | undefined> {
  const file = join(dir, DATA_VERSION_FILE);
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DataFolderError('UNREADABLE', `${file} is not JSON (${(err as Error).message})`);
  }
  const r = VersionFileSchema.safeParse(parsed);
  if (!r.success) throw new DataFolderError('UNREADABLE', `${file} is not a data-folder version file: ${r.error.issues[0]?.message ?? 'bad shape'}`);
  return r.data;
}

async function writeDataVersion(dir: string, v: DataVersion): Promise<void> {
  await writeFileDurable(join(dir, DATA_VERSION_FILE), `${JSON.stringify(v)}\n`, 0o644);
}

/** Refuses a format this code cannot read: a newer release wrote it. `what` names it (`data folder /srv/portier`). */
export function checkNotNewer(what: string, format: number, writtenBy: string, current = DATA_FORMAT): void {
  if (format > current) {
    throw new DataFolderError(
      'TOO_NEW',
      `${what} is in format ${format} (written by portier-cloud ${writtenBy}); this portier-cloud ${CLOUD_VERSION} reads formats up to ${current}: run a release that knows format ${format}`,
    );
  }
}

export interface OpenDataFolderOptions {
  logger?: Logger;
  /** The steps to apply (default: migrations.ts); tests give their own. */
  migrations?: readonly Migration[];
  /** The format to reach (default: DATA_FORMAT, or the last step's `to` when steps are given). */
  current?: number;
}

export interface OpenedDataFolder {
  /** The folder's format before this start (the current one for a new folder). */
  from: number;
  format: number;
  /** Descriptions of the steps applied now. */
  applied: string[];
  created: boolean;
}

/**
 * Makes `dir` a data folder of the current format: creates it (and its version file) if absent or empty, migrates an
 * older one forward, refuses a newer one. Holds the folder's `LOCK` while it works, so two starts do not migrate at once.
 */
export async function openDataFolder(dir: string, opts: OpenDataFolderOptions = {}): Promise<OpenedDataFolder> {
  const root = resolve(dir);
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'data-folder', dir: root });
  const migrations = [...(opts.migrations ?? MIGRATIONS)].sort((a, b) => a.from - b.from);
  const current = opts.current ?? migrations.reduce((n, m) => Math.max(n, m.to), opts.migrations ? 1 : DATA_FORMAT);
  await ensureDir(root);
  const version = await readDataVersion(root);
  if (version) checkNotNewer(`data folder ${root}`, version.format, version.writtenBy, current);
  if (!version) {
    const empty = (await readdir(root)).length === 0;
    if (empty) {
      await writeDataVersion(root, { format: current, writtenBy: CLOUD_VERSION });
      log.info({ format: current }, 'new data folder');
      return { from: current, format: current, applied: [], created: true };
    }
  }
  const from = version?.format ?? 1;
  if (version && from === current && !version.migrating) return { from, format: from, applied: [], created: false };

  await lockFolder(root, log);
  const applied: string[] = [];
  try {
    let at: DataVersion = version ?? { format: 1, writtenBy: 'a release before portier-data.json' };
    if (at.migrating) log.warn({ from: at.format, to: at.migrating.to, step: at.migrating.describe }, 'a migration was cut short: running its step again');
    while (at.format < current) {
      const step = migrations.find((m) => m.from === at.format);
      if (!step) throw new DataFolderError('NO_MIGRATION', `data folder ${root} is in format ${at.format} and no migration leads on from it to format ${current}`);
      const started: DataVersion = { format: at.format, writtenBy: at.writtenBy, migrating: { to: step.to, describe: step.describe, startedAt: new Date().toISOString() } };
      await writeDataVersion(root, started);
      log.info({ from: step.from, to: step.to, step: step.describe }, 'migrating the data folder');
      await step.run(root);
      at = { format: step.to, writtenBy: CLOUD_VERSION };
      await writeDataVersion(root, at);
      applied.push(step.describe);
    }
    // A folder of the current format without the file (format 1, written before it existed) or after a step.
    if (!version || version.migrating || applied.length > 0) await writeDataVersion(root, { format: at.format, writtenBy: applied.length > 0 ? CLOUD_VERSION : at.writtenBy });
    return { from, format: at.format, applied, created: false };
  } finally {
    await rm(join(root, LOCK), { force: true });
  }
}
