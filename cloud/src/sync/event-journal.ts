/**
 * Durable store of controller events, exactly once by (controllerId, seq) and in seq order per controller.
 *
 * One append-only JSON-lines file for all controllers. Appends are group-committed: everything appended while a
 * write+fdatasync is running goes out in the next single write+fdatasync, so 2,000 controllers sending at once
 * cost a few fsyncs, not 2,000. `append` resolves only once its records are on disk; records are written and
 * resolved in the order they were appended. A torn last line (power cut mid-write) is cut off at open; it was never
 * acknowledged, so the controller still has it in its outbox and sends it again.
 *
 * The journal itself does not judge sequence numbers: `CloudLink` only appends the next seq of a controller.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { eventBodySchema, idSchema, type EventBody } from '@portier/protocol';
import { z } from 'zod';
import { ensureDir, fsyncDir, readTextIfExists } from '../mqtt/fs.ts';

export interface StoredEvent {
  bankId: string;
  controllerId: string;
  seq: number;
  /** Controller's estimate of cloud time when it happened. */
  at: number;
  /** Cloud time when it was stored. */
  storedAt: number;
  event: EventBody;
}

const storedEventSchema = z.strictObject({
  bankId: idSchema,
  controllerId: idSchema,
  seq: z.number().int().min(1),
  at: z.number().int().min(0),
  storedAt: z.number().int().min(0),
  event: eventBodySchema,
});

export class JournalError extends Error {
  override name = 'JournalError';
  constructor(
    readonly code: 'CORRUPT' | 'CLOSED' | 'OUT_OF_ORDER',
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  lines: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

export const JOURNAL_FILE = 'events.jsonl';

export class EventJournal {
  private readonly upTo = new Map<string, number>();
  /** Highest seq handed to `append` per controller (durable or about to be). */
  private readonly appended = new Map<string, number>();
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private fsyncs = 0;

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  /** Opens (or creates) `<dir>/events.jsonl` and indexes the highest stored seq of every controller. */
  static async open(dir: string): Promise<EventJournal> {
    await ensureDir(dir);
    const file = join(dir, JOURNAL_FILE);
    const text = await readTextIfExists(file);
    const fh = await open(file, 'a+', 0o600);
    const j = new EventJournal(file, fh);
    if (text === undefined) {
      await fh.sync();
      await fsyncDir(dir);
      return j;
    }
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // A torn last line: never acknowledged, cut it off.
      await fh.truncate(Buffer.byteLength(text.slice(0, end)));
      await fh.sync();
    }
    let lineNo = 0;
    for (const line of text.slice(0, end).split('\n')) {
      lineNo++;
      if (line === '') continue;
      let rec: StoredEvent;
      try {
        rec = storedEventSchema.parse(JSON.parse(line));
      } catch (err) {
        await fh.close();
        throw new JournalError('CORRUPT', `${file}:${lineNo}: ${(err as Error).message.slice(0, 200)}`);
      }
      const prev = j.upTo.get(rec.controllerId) ?? 0;
      if (rec.seq !== prev + 1) {
        await fh.close();
        throw new JournalError('CORRUPT', `${file}:${lineNo}: ${rec.controllerId} seq ${rec.seq} follows ${prev}`);
      }
      j.upTo.set(rec.controllerId, rec.seq);
      j.appended.set(rec.controllerId, rec.seq);
    }
    return j;
  }

  /** Highest seq of `controllerId` that is durably stored (0 if none). */
  storedUpTo(controllerId: string): number {
    return this.upTo.get(controllerId) ?? 0;
  }

  /** Highest seq handed to `append` (stored or being stored). */
  appendedUpTo(controllerId: string): number {
    return this.appended.get(controllerId) ?? 0;
  }

  /** How many fdatasyncs the journal made (group commit makes this far smaller than the number of events). */
  get syncCount(): number {
    return this.fsyncs;
  }

  /**
   * Appends records; resolves once they are on disk. Each record must be the next seq of its controller (the caller
   * deduplicates); anything else is refused so the file can never hold a gap or a duplicate.
   */
  append(records: StoredEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError('CLOSED', 'journal is closed'));
    let lines = '';
    const next = new Map<string, number>();
    for (const r of records) {
      const prev = next.get(r.controllerId) ?? this.appendedUpTo(r.controllerId);
      if (r.seq !== prev + 1) {
        return Promise.reject(new JournalError('OUT_OF_ORDER', `${r.controllerId}: seq ${r.seq} does not follow ${prev}`));
      }
      next.set(r.controllerId, r.seq);
      lines += `${JSON.stringify(r)}\n`;
    }
    for (const [c, s] of next) this.appended.set(c, s);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        lines,
        resolve: () => {
          for (const r of records) if (r.seq > this.storedUpTo(r.controllerId)) this.upTo.set(r.controllerId, r.seq);
          resolve();
        },
        reject,
      });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.fh.write(batch.map((p) => p.lines).join(''));
          await this.fh.datasync();
          this.fsyncs++;
        } catch (err) {
          // A failed write may have left part of the batch in the file: appending those seqs again could store
          // them twice. Stop taking events; nothing of this batch was acknowledged, the controllers keep them.
          this.closed = true;
          for (const p of batch) p.reject(err as Error);
          for (const p of this.queue) p.reject(err as Error);
          this.queue = [];
          return;
        }
        for (const p of batch) p.resolve();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Every stored event, in file order (per controller: seq order), optionally of one controller. */
  async read(controllerId?: string): Promise<StoredEvent[]> {
    await this.flushing;
    const text = (await readTextIfExists(this.file)) ?? '';
    const out: StoredEvent[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const rec = JSON.parse(line) as StoredEvent;
      if (controllerId === undefined || rec.controllerId === controllerId) out.push(rec);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.fh.close();
  }
}
