/**
 * File helpers of the MQTT side of the cloud (identities, keys, sync state). Durable writes are the store's
 * `writeFileDurable` (unique temp file, fsync, rename, fsync the folder: DESIGN.md "Offline behaviour").
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, writeFileDurable } from '../store/durable-file.ts';

export { fsyncDir, writeFileDurable };

/** Creates a folder (and parents) with the given mode; makes the new entry durable in its parent. */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode });
  if (made !== undefined) await fsyncDir(dirname(dir));
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
