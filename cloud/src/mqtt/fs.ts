/**
 * Durable small-file writes for the MQTT side of the cloud (identities, keys, sync state). Kept here rather than
 * borrowed from the store so this folder depends on nothing that is still moving: write a unique temp file, fsync
 * it, rename over the target, fsync the folder (DESIGN.md "Offline behaviour": a write counts only then).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** fsync a folder so that creations and renames inside it survive a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Creates a folder (and parents) with the given mode; makes the new entry durable in its parent. */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode });
  if (made !== undefined) await fsyncDir(dirname(dir));
}

/** Atomically and durably replaces `file` with `data` (file mode `mode`, 0600 by default). */
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

/** Reads a text file, or undefined when it does not exist. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
