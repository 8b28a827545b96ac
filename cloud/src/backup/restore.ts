/**
 * Restores a backup (archive.ts) into an empty or absent data folder: every file is written into a staging folder
 * beside the target and checked against its sha256 and the manifest; only a complete, verified backup is moved into
 * place (one rename), then migrated forward if an older release wrote it. A backup of a newer data format than this
 * code reads is refused before anything is written.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, rmdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { checkNotNewer, DataFolderError, openDataFolder } from '../data-folder/data-folder.ts';
import { CloudError } from '../errors.ts';
import { ensureDir, fsyncDir } from '../mqtt/fs.ts';
import { BodyLine, HeaderLine, type BackupHeader, type ManifestEntry } from './archive.ts';
import { SESSIONS_FILE } from '../auth/token-file.ts';

export class BackupError extends CloudError<'BAD_BACKUP'> {
  override name = 'BackupError';
}

export interface RestoreResult {
  header: BackupHeader;
  files: number;
  bytes: number;
  /** The data format after migration. */
  format: number;
  /** Whether the backup held a file store (a cloud on PostgreSQL backs up the rest of its folder only). */
  holdsStore: boolean;
  migrated: string[];
}

async function isEmptyOrAbsent(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/**
 * Reads and checks every line of a backup. With `into`, writes its files there (durably); without, only verifies.
 */
export async function readBackup(from: string, into?: string): Promise<{ header: BackupHeader; manifest: ManifestEntry[] }> {
  const lines = createInterface({ input: createReadStream(from), crlfDelay: Infinity });
  let lineNo = 0;
  const bad = (why: string): BackupError => new BackupError('BAD_BACKUP', `${from} line ${lineNo}: ${why}`);
  let header: BackupHeader | undefined;
  let manifest: ManifestEntry[] | undefined;
  const seen: ManifestEntry[] = [];
  let current: { path: string; mode: number; hash: ReturnType<typeof createHash>; bytes: number; fh: FileHandle | undefined } | undefined;
  const dirs = new Set<string>();
  try {
    for await (const text of lines) {
      lineNo++;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw bad('not JSON');
      }
      if (!header) {
        const h = HeaderLine.safeParse(json);
        if (!h.success) throw bad('not a portier-cloud backup (no header line)');
        header = h.data;
        // Before anything is written: a newer format cannot be read by this code.
        checkNotNewer(`backup ${from}`, header.dataFormat, header.writtenBy);
        continue;
      }
      if (manifest) throw bad('lines after the manifest');
      const r = BodyLine.safeParse(json);
      if (!r.success) throw bad(r.error.issues[0]?.message ?? 'unknown line');
      const line = r.data;
      if ('file' in line) {
        if (current) throw bad(`${line.file} starts before ${current.path} ends`);
        if (seen.some((s) => s.path === line.file)) throw bad(`${line.file} twice`);
        let fh: FileHandle | undefined;
        if (into) {
          const dir = dirname(join(into, line.file));
          await ensureDir(dir);
          dirs.add(dir);
          fh = await open(join(into, line.file), 'wx', 0o600);
        }
        current = { path: line.file, mode: line.mode, hash: createHash('sha256'), bytes: 0, fh };
      } else if ('chunk' in line) {
        if (!current) throw bad('bytes outside a file');
        const bytes = Buffer.from(line.chunk, 'base64');
        current.hash.update(bytes);
        current.bytes += bytes.length;
        if (current.fh) await current.fh.write(bytes);
      } else if ('end' in line) {
        if (!current || current.path !== line.end) throw bad(`end of ${line.end}, which was not started`);
        const sha256 = current.hash.digest('hex');
        if (sha256 !== line.sha256 || current.bytes !== line.bytes) throw bad(`${line.end}: checksum or size does not match (damaged backup)`);
        if (current.fh) {
          await current.fh.chmod(current.mode);
          await current.fh.sync();
          await current.fh.close();
        }
        seen.push({ path: current.path, bytes: current.bytes, sha256, mode: current.mode });
        current = undefined;
      } else {
        if (current) throw bad(`manifest before ${current.path} ends`);
        manifest = line.manifest;
        const key = (e: ManifestEntry): string => `${e.path} ${e.bytes} ${e.sha256} ${e.mode}`;
        const listed = manifest.map(key).sort();
        const found = seen.map(key).sort();
        if (listed.length !== found.length || listed.some((k, i) => k !== found[i])) throw bad('the manifest does not match the files');
      }
    }
  } finally {
    await current?.fh?.close();
    lines.close();
  }
  if (!header) throw new BackupError('BAD_BACKUP', `${from} is empty`);
  if (!manifest) throw new BackupError('BAD_BACKUP', `${from} ends before its manifest (cut short at line ${lineNo})`);
  for (const d of dirs) await fsyncDir(d);
  return { header, manifest };
}

/** Restores `from` into `dataDir`, which must be empty or absent. */
export async function restoreBackup(opts: { from: string; dataDir: string; logger?: Logger }): Promise<RestoreResult> {
  const target = resolve(opts.dataDir);
  if (!(await isEmptyOrAbsent(target))) {
    throw new DataFolderError('NOT_EMPTY', `data folder ${target} is not empty: a backup is restored only into an empty or absent folder`);
  }
  const staging = join(dirname(target), `.${basename(target)}.restoring-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(target), { recursive: true });
  await ensureDir(staging);
  try {
    const { header, manifest } = await readBackup(resolve(opts.from), staging);
    await chmod(staging, 0o700);
    // The target may exist, empty: rename replaces only an empty folder, and refuses a folder filled meanwhile.
    await rmdir(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(staging, target);
    await fsyncDir(dirname(target));
    // A backup of an earlier release holds the sessions of its time: they are not brought back (token-file.ts).
    await rm(join(target, SESSIONS_FILE), { force: true });
    await fsyncDir(target);
    const opened = await openDataFolder(target, opts.logger ? { logger: opts.logger } : {});
    const holdsStore = manifest.some((e) => e.path.startsWith('store/'));
    return { header, files: manifest.length, bytes: manifest.reduce((n, e) => n + e.bytes, 0), format: opened.format, migrated: opened.applied, holdsStore };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
