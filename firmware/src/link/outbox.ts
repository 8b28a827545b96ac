import { join } from 'node:path';
import { z } from 'zod';
import { eventSchema, type EventBody, type PortierEvent } from '@portier/protocol';
import type { Low } from 'lowdb';
import { openDurableStore, type DurableFile, type StoreReset } from '../store/durable-file.ts';
import type { Logger } from '../util/logger.ts';

export const outboxFileSchema = z.strictObject({
  v: z.literal(1),
  /** Sequence number the next event gets: 1, 2, 3... without gaps, kept across restarts. */
  nextSeq: z.number().int().min(1),
  /** Highest seq the cloud confirmed stored (signed evtack). */
  ackedUpTo: z.number().int().min(0),
  /** Events not yet confirmed, in seq order. */
  entries: z.array(eventSchema),
});
export type OutboxFile = z.infer<typeof outboxFileSchema>;

/**
 * The durable event outbox (`outbox.json`). An event is appended (with the next seq) and written to disk before it is
 * published; it leaves only when a signed evtack covers it. Appends in the same tick share one durable write.
 */
export class Outbox {
  private readonly db: Low<OutboxFile>;
  readonly file: DurableFile<OutboxFile>;
  readonly reset: StoreReset | undefined;

  private constructor(db: Low<OutboxFile>, file: DurableFile<OutboxFile>, reset: StoreReset | undefined) {
    this.db = db;
    this.file = file;
    this.reset = reset;
  }

  /**
   * Opens `<dir>/outbox.json`. When it was corrupt, numbering resumes after `seqFloor()` (the backup high-water mark)
   * so the cloud, which deduplicates by seq, never mistakes a new event for an old one it already stored.
   */
  static async open(dir: string, opts: { logger?: Logger; seqFloor?: () => number } = {}): Promise<Outbox> {
    const { db, file, reset } = await openDurableStore<OutboxFile>(
      join(dir, 'outbox.json'),
      () => ({ v: 1, nextSeq: 1, ackedUpTo: 0, entries: [] }),
      { schema: outboxFileSchema, ...(opts.logger ? { logger: opts.logger } : {}) },
    );
    if (reset) {
      const floor = opts.seqFloor?.() ?? 0;
      db.data.nextSeq = floor + 1;
      db.data.ackedUpTo = floor;
      await db.write();
    }
    return new Outbox(db, file, reset);
  }

  get nextSeq(): number {
    return this.db.data.nextSeq;
  }

  get ackedUpTo(): number {
    return this.db.data.ackedUpTo;
  }

  get depth(): number {
    return this.db.data.entries.length;
  }

  entries(): readonly PortierEvent[] {
    return this.db.data.entries;
  }

  /** Entries with fromSeq <= seq <= toSeq still held. */
  range(fromSeq: number, toSeq = Number.MAX_SAFE_INTEGER): PortierEvent[] {
    return this.db.data.entries.filter((e) => e.seq >= fromSeq && e.seq <= toSeq);
  }

  /** Assigns the next seq at once; the promise resolves when the event is on disk. */
  append(event: EventBody, at: number): { entry: PortierEvent; durable: Promise<void> } {
    const entry: PortierEvent = { v: 1, seq: this.db.data.nextSeq, at, event };
    this.db.data.nextSeq++;
    this.db.data.entries.push(entry);
    return { entry, durable: this.db.write() };
  }

  /** Drops entries up to `upTo`. Returns how many left (0: nothing new, no write). */
  ack(upTo: number): { dropped: number; durable: Promise<void> } {
    const top = Math.min(upTo, this.db.data.nextSeq - 1);
    if (top <= this.db.data.ackedUpTo) return { dropped: 0, durable: Promise.resolve() };
    const before = this.db.data.entries.length;
    this.db.data.entries = this.db.data.entries.filter((e) => e.seq > top);
    this.db.data.ackedUpTo = top;
    return { dropped: before - this.db.data.entries.length, durable: this.db.write() };
  }
}
