/**
 * Writes that survive power loss (STACK.md "Storage"): lowdb's own adapter renames a temp file but never
 * fsyncs, and its temp name is fixed. Here: unique temp name, write, fsync the file, rename over the target,
 * fsync the folder so the rename itself is on disk. Only then does the write resolve.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Adapter } from 'lowdb';

let counter = 0;

/** fsync a folder, making creations, renames and deletions inside it durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Atomically and durably replaces `file` with `data` (file mode `mode`, 0600 by default). The one implementation
 * every part of the cloud uses for small files (store snapshot, identities, keys, sync state).
 */
/**
 * Creates a folder and its missing parents with `mode`, and makes every new entry durable: each created folder's
 * parent is fsynced, so a power cut right after cannot lose the folder of a file that was fsynced inside it.
 */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode });
  if (made === undefined) return;
  // `made` is the first folder created; every folder from there down to `dir` is new.
  const created = [made];
  let at = made;
  for (const part of relative(made, dir).split(sep).filter(Boolean)) created.push((at = join(at, part)));
  for (const d of created.reverse()) await fsyncDir(dirname(d));
}

export async function writeFileDurable(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${++counter}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** Raised by `DurableJSONFile.read` when the file exists but is not JSON. */
export class CorruptFileError extends Error {
  override name = 'CorruptFileError';
}

/** A lowdb adapter with durable writes. `read` returns null for a missing file and throws CorruptFileError for garbage. */
export class DurableJSONFile<T> implements Adapter<T> {
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      const fh = await open(this.file, 'r');
      try {
        text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new CorruptFileError(`${this.file} is not valid JSON: ${(err as Error).message}`);
    }
  }

  write(data: T): Promise<void> {
    // Serialised before the first await, so the caller may keep changing its objects afterwards.
    const text = JSON.stringify(data);
    return writeFileDurable(this.file, text);
  }
}
