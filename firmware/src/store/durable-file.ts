import { readFile, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { PortierError } from '@portier/protocol';
import type { z } from 'zod';
import { silentLogger, type Logger } from '../util/logger.ts';
import { mkdirSync } from 'node:fs';
import { fsyncDir, syncNewFolders, writeFileDurable } from '@portier/durable';

export { fsyncDir };

/** Stable codes of store failures (STYLE.md: errors with codes). */
export type StoreErrorCode = 'STORE_WRITE_FAILED' | 'STORE_READ_FAILED' | 'STORE_CLOSED';

export class StoreError extends PortierError<StoreErrorCode> {
  override name = 'StoreError';
}

/** What happened to a file that was found unreadable at start-up. */
export interface StoreReset {
  /** The file that was set aside. */
  path: string;
  /** Where it went (`<path>.corrupt-<time>`), or undefined if even the rename failed. */
  setAsideAs: string | undefined;
  /** One-line reason: not JSON, or the schema field at fault. */
  reason: string;
}

export interface DurableFileOptions<T> {
  /** Validates what is read; a file that fails it is set aside like one that is not JSON. */
  schema?: z.ZodType<T>;
  logger?: Logger;
  /** Wall clock for the `.corrupt-<time>` suffix (tests). */
  now?: () => number;
}

/**
 * A lowdb 7 adapter for state that must survive a power cut (STACK.md "Storage": lowdb's own JSONFile never fsyncs
 * and uses a fixed temp name). A write counts only once `writeFileDurable` resolved (@portier/durable: a unique temp
 * file written and fsynced, renamed over the target, the folder fsynced).
 *
 * Writes are serialised and grouped: calls that arrive while a write is in flight (or in the same tick) are served by
 * one following write of the newest data, so a burst of N events costs about two fsyncs, not N.
 *
 * `read()` returns null for a missing file. A file that is not JSON or fails the schema is renamed to
 * `<file>.corrupt-<time>`, `reset` records why, and `read()` returns null: the caller starts from defaults and reports
 * it, instead of crashing or guessing.
 */
export class DurableFile<T> implements Adapter<T> {
  readonly path: string;
  /** Set by `read()` when the file was found corrupt and set aside. */
  reset: StoreReset | undefined;
  /** Completed physical writes (each one fsync of the file and one of the folder). */
  writes = 0;
  private readonly schema: z.ZodType<T> | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  private latest: { data: T } | undefined;
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** The folders the constructor created, made durable (each one's entry fsynced in its parent) before the first write. */
  private folder: Promise<void> | undefined;
  private readonly made: string | undefined;

  constructor(path: string, opts: DurableFileOptions<T> = {}) {
    this.path = path;
    this.schema = opts.schema;
    this.log = (opts.logger ?? silentLogger).child({ module: 'durable-file', file: basename(path) });
    this.now = opts.now ?? Date.now;
    // Made at once, as other files of the controller may go there before this one is written.
    this.made = mkdirSync(dirname(path), { recursive: true });
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreError('STORE_READ_FAILED', `cannot read ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      await this.setAside(`not JSON: ${(err as Error).message}`);
      return null;
    }
    if (this.schema) {
      const r = this.schema.safeParse(value);
      if (!r.success) {
        const issue = r.error.issues[0];
        const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
        await this.setAside(`fails its schema at ${field}: ${issue?.message ?? 'invalid'}`);
        return null;
      }
      return r.data;
    }
    return value as T;
  }

  /** Durably writes `data` (serialised when its turn comes, so later mutations of the same object are included). */
  write(data: T): Promise<void> {
    this.latest = { data };
    if (this.next) return this.next;
    const prev = this.inFlight ?? Promise.resolve();
    // Start after the current write (or, when idle, after the current tick) so a burst is grouped into one write.
    const run = prev
      .catch(() => undefined)
      .then(() => new Promise<void>((r) => queueMicrotask(r)))
      .then(async () => {
        this.next = undefined;
        this.inFlight = run;
        const snapshot = this.latest;
        this.latest = undefined;
        if (snapshot) await this.writeNow(JSON.stringify(snapshot.data));
      })
      .finally(() => {
        if (this.inFlight === run) this.inFlight = undefined;
      });
    this.next = run;
    return run;
  }

  /** Resolves when every write asked for so far is on disk. */
  async flush(): Promise<void> {
    while (this.next || this.inFlight) await (this.next ?? this.inFlight)?.catch(() => undefined);
  }

  private async writeNow(text: string): Promise<void> {
    try {
      // A folder made and not fsynced into its parent could vanish in a power cut with the file fsynced inside it.
      await (this.folder ??= syncNewFolders(this.made, dirname(this.path)).catch((err: unknown) => {
        this.folder = undefined;
        throw err;
      }));
      await writeFileDurable(this.path, text, 0o600);
      this.writes++;
    } catch (err) {
      this.log.error({ err }, 'durable write failed');
      throw new StoreError('STORE_WRITE_FAILED', `cannot write ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Renames the file to `<file>.corrupt-<time>` and records why in `reset` (also for a caller's own checks). */
  async setAside(reason: string): Promise<StoreReset> {
    const target = `${this.path}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
    let setAsideAs: string | undefined = target;
    try {
      await rename(this.path, target);
      await fsyncDir(dirname(this.path));
    } catch (err) {
      setAsideAs = undefined;
      this.log.error({ err }, 'could not set the corrupt file aside');
    }
    this.reset = { path: this.path, setAsideAs, reason };
    this.log.warn({ reason, setAsideAs }, 'corrupt state file set aside; starting from defaults');
    return this.reset;
  }
}

/** A lowdb database on a DurableFile, read once; `reset` says whether the file was found corrupt and set aside. */
export interface OpenedStore<T> {
  db: Low<T>;
  file: DurableFile<T>;
  reset: StoreReset | undefined;
}

/** Opens (reads) a durable lowdb file, starting from `defaults()` when it is missing or was corrupt. */
export async function openDurableStore<T>(path: string, defaults: () => T, opts: DurableFileOptions<T> = {}): Promise<OpenedStore<T>> {
  const file = new DurableFile<T>(path, opts);
  const db = new Low<T>(file, defaults());
  await db.read();
  return { db, file, reset: file.reset };
}
