import { join } from 'node:path';
import { z } from 'zod';
import { eventSchema, evtackSchema, type EventBody, type EvtAck, type PortierEvent } from '@portier/protocol';
import type { Low } from 'lowdb';
import { AppendLog } from '../store/append-log.ts';
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
  /**
   * The signed evtack that confirmed `ackedUpTo`, kept as the cloud's proof that it stored those events: reported to
   * the cloud, which records a gap on it if its journal lost them. Absent in outboxes written before it was kept.
   */
  evtack: evtackSchema.optional(),
});
export type OutboxFile = z.infer<typeof outboxFileSchema>;

/**
 * One line of `outbox.log`: an event appended (`e`), or the cloud's confirmation up to a seq (`k`) with the signed
 * evtack that said so (`a`; absent in lines written before it was kept).
 */
export const outboxLogEntrySchema = z.union([
  z.strictObject({ e: eventSchema }),
  z.strictObject({ k: z.number().int().min(0), a: evtackSchema.optional() }),
]);
export type OutboxLogEntry = z.infer<typeof outboxLogEntrySchema>;

/** Log lines after which the log is folded into `outbox.json`. */
export const OUTBOX_COMPACT_AFTER = 500;

/**
 * The durable event outbox. An event gets the next seq and is on disk before it is published; it leaves only when a
 * signed evtack covers it. `outbox.json` is the snapshot; each append and each evtack is one line of `outbox.log`
 * (one fdatasync, shared by the appends of the same tick), folded into the snapshot every `OUTBOX_COMPACT_AFTER`
 * lines, at start and on close. A torn last line (power cut mid-append) is dropped: that append never resolved, so
 * its event was never published. A bad line inside the log: the lines before it count, the log is set aside and
 * reported, and numbering resumes above the backup high-water mark so the cloud never takes a new event for an old one.
 */
export class Outbox {
  private readonly db: Low<OutboxFile>;
  readonly file: DurableFile<OutboxFile>;
  readonly reset: StoreReset | undefined;
  private readonly log: AppendLog;
  private readonly logger: Logger | undefined;
  private logLines = 0;

  private constructor(db: Low<OutboxFile>, file: DurableFile<OutboxFile>, log: AppendLog, reset: StoreReset | undefined, logger: Logger | undefined) {
    this.db = db;
    this.file = file;
    this.log = log;
    this.reset = reset;
    this.logger = logger;
  }

  /**
   * Opens `<dir>/outbox.json` and replays `<dir>/outbox.log`. When either was corrupt, numbering resumes after
   * `seqFloor()` (the backup high-water mark) at the least, so the cloud, which deduplicates by seq, never mistakes a
   * new event for an old one it already stored.
   */
  static async open(dir: string, opts: { logger?: Logger; seqFloor?: () => number } = {}): Promise<Outbox> {
    const { db, file, reset: fileReset } = await openDurableStore<OutboxFile>(
      join(dir, 'outbox.json'),
      () => ({ v: 1, nextSeq: 1, ackedUpTo: 0, entries: [] }),
      { schema: outboxFileSchema, ...(opts.logger ? { logger: opts.logger } : {}) },
    );
    // The lines before a bad one count: each is an event that really happened, in order.
    const { log, entries, reset: logReset } = await AppendLog.openEntries(join(dir, 'outbox.log'), outboxLogEntrySchema, opts.logger);
    const reset = fileReset ?? logReset;
    for (const e of entries) Outbox.replay(db.data, e);
    const replayed = entries.length;
    if (reset) {
      const floor = opts.seqFloor?.() ?? 0;
      if (db.data.nextSeq <= floor) db.data.nextSeq = floor + 1;
      if (db.data.ackedUpTo < floor && db.data.entries.length === 0) db.data.ackedUpTo = floor;
    }
    const outbox = new Outbox(db, file, log, reset, opts.logger);
    if (reset || replayed > 0) await outbox.compact();
    return outbox;
  }

  private static replay(d: OutboxFile, e: OutboxLogEntry): void {
    if ('e' in e) {
      if (e.e.seq < d.nextSeq) return; // already in the snapshot
      d.entries.push(e.e);
      d.nextSeq = e.e.seq + 1;
    } else if (e.k > d.ackedUpTo) {
      d.entries = d.entries.filter((x) => x.seq > e.k);
      d.ackedUpTo = Math.min(e.k, d.nextSeq - 1);
      if (e.a) d.evtack = e.a;
    }
  }

  get nextSeq(): number {
    return this.db.data.nextSeq;
  }

  get ackedUpTo(): number {
    return this.db.data.ackedUpTo;
  }

  /** The signed evtack that confirmed `ackedUpTo` (undefined before the first, or in an outbox from before). */
  get lastEvtack(): EvtAck | undefined {
    return this.db.data.evtack;
  }

  get depth(): number {
    return this.db.data.entries.length;
  }

  /** Physical syncs so far: snapshot writes plus log syncs (tests, benchmarks). */
  get syncs(): number {
    return this.file.writes + this.log.syncs;
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
    return { entry, durable: this.write({ e: entry }) };
  }

  /**
   * Drops entries up to `upTo`. Returns how many left (0: nothing new, no write). `signed` is the evtack that said
   * so, kept as the proof of what the cloud stored: the caller passes it only when it confirms no more than this
   * controller numbered (one beyond proves nothing about this controller's own events).
   */
  ack(upTo: number, signed?: EvtAck): { dropped: number; durable: Promise<void> } {
    const top = Math.min(upTo, this.db.data.nextSeq - 1);
    if (top <= this.db.data.ackedUpTo) return { dropped: 0, durable: Promise.resolve() };
    const before = this.db.data.entries.length;
    this.db.data.entries = this.db.data.entries.filter((e) => e.seq > top);
    this.db.data.ackedUpTo = top;
    if (signed) this.db.data.evtack = signed;
    return { dropped: before - this.db.data.entries.length, durable: this.write(signed ? { k: top, a: signed } : { k: top }) };
  }

  /** Writes the whole outbox as the new snapshot and empties the log. */
  compact(): Promise<void> {
    this.logLines = 0;
    return this.log.compact(() => this.file.write(this.db.data));
  }

  /** Resolves when everything asked for so far is on disk. */
  async flush(): Promise<void> {
    await this.log.flush();
    await this.file.flush();
  }

  /** Folds the log into the snapshot and releases it. */
  async close(): Promise<void> {
    await this.compact().catch((err: unknown) => this.logger?.error({ err }, 'could not fold the outbox log into outbox.json'));
    await this.log.close();
  }

  private write(entry: OutboxLogEntry): Promise<void> {
    const p = this.log.append(JSON.stringify(entry));
    if (++this.logLines >= OUTBOX_COMPACT_AFTER) {
      void this.compact().catch((err: unknown) => this.logger?.error({ err }, 'could not fold the outbox log into outbox.json'));
    }
    return p;
  }
}
