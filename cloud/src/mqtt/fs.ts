/**
 * File helpers of the MQTT side of the cloud (identities, keys, sync state). Durable writes are the store's
 * `writeFileDurable` (unique temp file, fsync, rename, fsync the folder: DESIGN.md "Offline behaviour").
 */
import { readFile } from 'node:fs/promises';
import { ensureDir, fsyncDir, writeFileDurable } from '../store/durable-file.ts';

export { ensureDir, fsyncDir, writeFileDurable };

/** Reads a text file, or undefined when it does not exist. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
