/**
 * Writes an online backup of a running cloud's data folder (archive.ts has the format) while it goes on serving.
 *
 * The store's files come first, under `store.withConsistentFiles`: snapshot rewrites wait, and the journal is copied
 * up to the bytes the store names, so every commit acknowledged before the backup began is in it. The other files of
 * the folder are each replaced whole by a rename when they change (writeFileDurable), so each is read as one version;
 * the append-only journals beside the store (`*.jsonl`) are copied up to their last whole line. Lock files, temp
 * files of writes in progress and the sessions file are left out. A cloud whose store is in PostgreSQL backs up the
 * rest of its folder only: the database is backed up with its own tools (pg_dump).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { open, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { CLOUD_VERSION, readDataVersion } from '../data-folder/data-folder.ts';
import type { DurableStore } from '../store/durable.ts';
import { BACKUP_FORMAT, CHUNK_BYTES, type BackupHeader, type ManifestEntry } from './archive.ts';
import { SESSIONS_FILE } from '../auth/token-file.ts';

export interface BackupSource {
  /** The data folder's root. */
  dataDir: string;
  /**
   * Its `store/` folder, and the running file store that writes there; without `store` (the store is in PostgreSQL)
   * that folder is left out: whatever it holds is not the cloud's data.
   */
  storeDir: string;
  store?: Pick<DurableStore, 'withConsistentFiles'>;
  now?: () => number;
}

async function put(out: Writable, line: unknown): Promise<void> {
  if (!out.write(`${JSON.stringify(line)}\n`)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
  if (out.destroyed) throw new Error('the backup\'s reader went away');
}

/** Copies the first `bytes` bytes of `file` (all of it when undefined; up to the last newline when `wholeLines`). */
async function copyFile(out: Writable, root: string, file: string, opts: { bytes?: number; wholeLines?: boolean }): Promise<ManifestEntry | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed since it was listed
    throw err;
  }
  try {
    const st = await fh.stat();
    let limit = Math.min(opts.bytes ?? st.size, st.size);
    if (opts.wholeLines && limit > 0) {
      // Back to the last newline: a line being appended right now was not acknowledged yet.
      const tail = Buffer.alloc(Math.min(limit, 64 * 1024));
      let end = limit;
      for (;;) {
        const from = Math.max(0, end - tail.length);
        const { bytesRead } = await fh.read(tail, 0, end - from, from);
        const nl = tail.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (nl >= 0) {
          limit = from + nl + 1;
          break;
        }
        if (from === 0) {
          limit = 0;
          break;
        }
        end = from;
      }
    }
    const path = relative(root, file).split(sep).join('/');
    const mode = st.mode & 0o777;
    await put(out, { file: path, mode });
    const hash = createHash('sha256');
    const buf = Buffer.alloc(CHUNK_BYTES);
    let pos = 0;
    while (pos < limit) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK_BYTES, limit - pos), pos);
      if (bytesRead === 0) throw new Error(`${file} shrank while it was copied`);
      const part = buf.subarray(0, bytesRead);
      hash.update(part);
      await put(out, { chunk: part.toString('base64') });
      pos += bytesRead;
    }
    const sha256 = hash.digest('hex');
    await put(out, { end: path, bytes: limit, sha256 });
    return { path, bytes: limit, sha256, mode };
  } finally {
    await fh.close();
  }
}

/** Every file under `dir` but lock files, temp files and `skip` (absolute paths), sorted. */
async function listFiles(dir: string, skip: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (skip.includes(p) || e.name === 'LOCK' || e.name.endsWith('.tmp')) continue;
    if (e.isDirectory()) out.push(...(await listFiles(p, skip)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** Writes the whole backup to `out` (not ended: the caller ends it). Returns the manifest. */
export async function writeBackup(out: Writable, src: BackupSource): Promise<ManifestEntry[]> {
  const version = await readDataVersion(src.dataDir);
  const header: BackupHeader = {
    portierBackup: BACKUP_FORMAT,
    createdAt: new Date((src.now ?? Date.now)()).toISOString(),
    dataFormat: version?.format ?? 1,
    writtenBy: CLOUD_VERSION,
  };
  await put(out, header);
  const manifest: ManifestEntry[] = [];
  const copyRest = async (): Promise<void> => {
    // Sessions are not configuration: a restore must not bring back a session ended since (token-file.ts).
    for (const file of await listFiles(src.dataDir, [src.storeDir, join(src.dataDir, SESSIONS_FILE)])) {
      const e = await copyFile(out, src.dataDir, file, { wholeLines: file.endsWith('.jsonl') });
      if (e) manifest.push(e);
    }
  };
  if (!src.store) await copyRest();
  else
    await src.store.withConsistentFiles(async (files) => {
      for (const f of files) {
        const e = await copyFile(out, src.dataDir, join(src.storeDir, f.name), { bytes: f.bytes });
        if (e) manifest.push(e);
      }
      // The rest in the same window: one backup, one moment of the store.
      await copyRest();
    });
  await put(out, { manifest });
  return manifest;
}
