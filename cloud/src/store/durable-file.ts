/**
 * The store's lowdb adapter with durable writes (STACK.md "Storage": lowdb's own adapter renames a temp file but
 * never fsyncs, and its temp name is fixed). The write itself is `writeFileDurable` of @portier/durable, the one
 * every part of the cloud uses for small files (store snapshot, identities, keys, sync state).
 */
import { open } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { CloudError } from '../errors.ts';
import { ensureDir, fsyncDir, writeFileDurable } from '@portier/durable';

export { ensureDir, fsyncDir, writeFileDurable };

/** Raised by `DurableJSONFile.read` when the file exists but is not JSON. */
export class CorruptFileError extends CloudError<'CORRUPT'> {
  override name = 'CorruptFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CORRUPT', message, options);
  }
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
