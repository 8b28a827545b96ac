import { rename } from 'node:fs/promises';
import { basename } from 'node:path';
import { frameLine, parseLine } from '@portier/protocol';
import type { z } from 'zod';
import type { Logger } from '../util/logger.ts';
import { StoreError, type StoreReset } from './durable-file.ts';
import { AppendFile } from '@portier/durable';

/** What `AppendLog.open` found on disk. */
export interface AppendLogContents {
  /** Complete lines, oldest first (without their newline). */
  lines: string[];
  /** A last line cut short by a crash (no newline): its append never resolved, so nobody relied on it. */
  tornTail: boolean;
}

/**
 * An append-only file of lines for state that changes on a latency-critical path: one append costs a write and an
 * fdatasync of one file (`AppendFile` of @portier/durable: no temp file, rename or folder fsync), so it is several
 * times cheaper than rewriting a whole durable file. The owner keeps a snapshot elsewhere and empties the log
 * (`compact`) once each snapshot is durable.
 *
 * Appends are serialised and grouped: lines that arrive while a sync is in flight go out together in the next one.
 * An append counts only once its promise resolved (the line and everything before it are on disk). A write that
 * stores part of a batch (a full disk) fails the append and is cut off again, so no later line follows a torn one.
 * Lines carry a checksum (`frameLine` of @portier/protocol); logs of releases without one still read.
 */
export class AppendLog {
  /** Completed physical syncs (tests and benchmarks). */
  syncs = 0;
  private queued: string[] = [];
  private next: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly file: AppendFile,
  ) {}

  /** Opens (creating) the log and returns what it holds. A torn last line is dropped from the file. */
  static async open(path: string): Promise<{ log: AppendLog; contents: AppendLogContents }> {
    let opened: Awaited<ReturnType<typeof AppendFile.open>>;
    try {
      opened = await AppendFile.open(path);
    } catch (err) {
      throw new StoreError('STORE_READ_FAILED', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
    const { file, data } = opened;
    const end = data.lastIndexOf(0x0a) + 1;
    const tornTail = end < data.length;
    const lines = data.toString('utf8', 0, end).split('\n').filter((l) => l.length > 0);
    // Cut the torn bytes off so the next append starts on a line of its own.
    if (tornTail) await file.cut(end);
    return { log: new AppendLog(path, file), contents: { lines, tornTail } };
  }

  /**
   * Opens the log and parses each line as JSON of `schema`. A line that is neither (not a torn tail: one inside the
   * log) ends the reading: the log is set aside as `<path>.corrupt-<time>` and reported in `reset`, a fresh log is
   * opened, and `entries` holds the lines before the bad one (the owner decides whether they still count).
   */
  static async openEntries<T>(path: string, schema: z.ZodType<T>, logger?: Logger): Promise<{ log: AppendLog; entries: T[]; reset?: StoreReset }> {
    const { log, contents } = await AppendLog.open(path);
    const entries: T[] = [];
    for (const [i, line] of contents.lines.entries()) {
      const framed = parseLine(line);
      const parsed = schema.safeParse(framed.ok ? framed.value : undefined);
      if (!parsed.success) {
        await log.close();
        const why = framed.ok ? 'is not a log entry' : `is damaged (${framed.why})`;
        const reset = await AppendLog.setAside(path, `${basename(path)} line ${i + 1} ${why}`, Date.now());
        logger?.warn({ reason: reset.reason, setAsideAs: reset.setAsideAs }, 'corrupt log set aside');
        return { log: (await AppendLog.open(path)).log, entries, reset };
      }
      entries.push(parsed.data);
    }
    return { log, entries };
  }

  /** Appends `line` (JSON text, no newline in it); resolves when it is on disk. */
  append(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new StoreError('STORE_CLOSED', `${this.path} is closed`));
    this.queued.push(frameLine(line));
    this.next ??= this.enqueue(async () => {
      this.next = undefined;
      const batch = this.queued.splice(0);
      if (batch.length === 0) return;
      await this.file.append(Buffer.from(batch.join(''), 'utf8'));
      this.syncs++;
    });
    return this.next;
  }

  /**
   * Runs `task` after every append asked for so far, then empties the log, with no append in between: the owner
   * writes its snapshot in `task` (which must hold everything appended so far). A task that fails leaves the log as is.
   */
  compact(task: () => Promise<void>): Promise<void> {
    return this.enqueue(async () => {
      await task();
      await this.file.cut(0);
      this.syncs++;
    });
  }

  /** Resolves when everything asked for so far is done. */
  async flush(): Promise<void> {
    await this.chain;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.file.close();
  }

  /** Renames the log to `<path>.corrupt-<time>` (found unreadable) and reports it like a durable file's reset. */
  private static async setAside(path: string, reason: string, now: number): Promise<StoreReset> {
    const target = `${path}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(path, target);
      return { path, setAsideAs: target, reason };
    } catch {
      return { path, setAsideAs: undefined, reason };
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task).catch((err: unknown) => {
      throw err instanceof StoreError ? err : new StoreError('STORE_WRITE_FAILED', `cannot write ${this.path}: ${(err as Error).message}`, { cause: err });
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
