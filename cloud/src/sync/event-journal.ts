/**
 * Durable store of controller events, exactly once by (controllerId, seq) and in seq order per controller.
 *
 * One append-only JSON-lines file for all controllers. Appends are group-committed: everything appended while a
 * write+fdatasync is running goes out in the next single write+fdatasync, so 2,000 controllers sending at once
 * cost a few fsyncs, not 2,000. `append` resolves only once its records are on disk; records are written and
 * resolved in the order they were appended. A torn last line (power cut mid-write) is cut off at open; it was never
 * acknowledged, so the controller still has it in its outbox and sends it again.
 *
 * Besides events, two kinds of line record what the sequence policy (event-sequence.ts) decided:
 * - a gap (`kind: "gap"`, fromSeq..toSeq): seqs the cloud once acknowledged but no longer holds (its journal lost
 *   its tail); they count as stored, so the controller's later events follow them;
 * - a conflict (`kind: "conflict"`, an event at a seq already stored with other content): kept beside the stored
 *   one, never in its place, and not part of the controller's stream (`read` leaves it out).
 * Journals written before these kinds existed hold only event lines and load as before.
 *
 * The journal itself does not judge sequence numbers beyond refusing a gap or a duplicate: event-sequence.ts decides
 * what is appended.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { canonicalJson, eventBodySchema, idSchema } from '@portier/protocol';
import { z } from 'zod';
import { ensureDir, readTextIfExists } from '../mqtt/fs.ts';
import { AppendFile } from '@portier/durable';
import { frameLine, parseLine as parseFramedLine } from '../store/journal-line.ts';
import { CloudError } from '../errors.ts';
import type { ConflictRecord, EventLog, GapRecord, StoredEvent } from './event-log.ts';
import { FINGERPRINTS_KEPT, outOfOrder, SeqHeads } from './seq-heads.ts';

export type { ConflictRecord, GapRecord, StoredEvent } from './event-log.ts';

const seqSchema = z.number().int().min(1);
export const storedEventSchema = z.strictObject({
  bankId: idSchema,
  controllerId: idSchema,
  seq: seqSchema,
  at: z.number().int().min(0),
  storedAt: z.number().int().min(0),
  event: eventBodySchema,
});
export const conflictRecordSchema = storedEventSchema.extend({ kind: z.literal('conflict') });
export const gapRecordSchema = z.strictObject({
  kind: z.literal('gap'),
  bankId: idSchema,
  controllerId: idSchema,
  fromSeq: seqSchema,
  toSeq: seqSchema,
  storedAt: z.number().int().min(0),
  reason: z.string().max(300),
});

/** One line of the journal: an event, a gap or a conflict record. */
export type JournalLine = StoredEvent | GapRecord | ConflictRecord;
type Line = JournalLine;

/** Parses a journal line (framed with its checksum, or plain JSON as releases before the framing wrote it). */
export function parseJournalLine(line: string): JournalLine {
  // Lines carry a checksum (journal framing); lines of releases without one are plain JSON.
  const framed = parseFramedLine(line);
  if (!framed.ok) throw new Error(`damaged line (${framed.why})`);
  const raw: unknown = framed.value;
  const kind = raw && typeof raw === 'object' && 'kind' in raw ? (raw as { kind: unknown }).kind : undefined;
  if (kind === 'gap') return gapRecordSchema.parse(raw);
  if (kind === 'conflict') return conflictRecordSchema.parse(raw);
  return storedEventSchema.parse(raw);
}

/** What identifies an event's content (its seq aside): a replay has the same one, a reused seq another. */
export function fingerprint(e: Pick<StoredEvent, 'at' | 'event'>): string {
  return createHash('sha256').update(canonicalJson({ at: e.at, event: e.event })).digest('base64url');
}

export { FINGERPRINTS_KEPT, outOfOrder } from './seq-heads.ts';

/** UNAVAILABLE: the database journal (pg-event-journal.ts) could not be reached or holds no journal tables. */
export class JournalError extends CloudError<'CORRUPT' | 'CLOSED' | 'OUT_OF_ORDER' | 'UNAVAILABLE'> {
  override name = 'JournalError';
}

interface Pending {
  lines: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

export const JOURNAL_FILE = 'events.jsonl';

export class EventJournal implements EventLog {
  private readonly heads = new SeqHeads();
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private fsyncs = 0;

  private constructor(
    readonly file: string,
    private readonly fh: AppendFile,
  ) {}

  /** Opens (or creates) `<dir>/events.jsonl` and indexes the highest stored seq of every controller. */
  static async open(dir: string): Promise<EventJournal> {
    await ensureDir(dir);
    const file = join(dir, JOURNAL_FILE);
    const { file: fh, data, created } = await AppendFile.open(file);
    const j = new EventJournal(file, fh);
    if (created) return j;
    const text = data.toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // A torn last line: never acknowledged, cut it off.
      await fh.cut(Buffer.byteLength(text.slice(0, end)));
    }
    let lineNo = 0;
    // The last events of each controller, fingerprinted once the whole file is read (not every line of it).
    const tails = new Map<string, StoredEvent[]>();
    for (const line of text.slice(0, end).split('\n')) {
      lineNo++;
      if (line === '') continue;
      let rec: Line;
      try {
        rec = parseJournalLine(line);
      } catch (err) {
        await fh.close();
        throw new JournalError('CORRUPT', `${file}:${lineNo}: ${(err as Error).message.slice(0, 200)}`);
      }
      const bad = outOfOrder(j.heads.storedUpTo(rec.controllerId), rec);
      if (bad) {
        await fh.close();
        throw new JournalError('CORRUPT', `${file}:${lineNo}: ${rec.controllerId} ${bad}`);
      }
      if ('kind' in rec) {
        if (rec.kind === 'gap') j.heads.setHeads(rec.controllerId, rec.toSeq);
        continue;
      }
      j.heads.setHeads(rec.controllerId, rec.seq);
      const tail = tails.get(rec.controllerId) ?? [];
      tail.push(rec);
      if (tail.length > FINGERPRINTS_KEPT) tail.shift();
      tails.set(rec.controllerId, tail);
    }
    for (const tail of tails.values()) for (const e of tail) j.heads.remember(e.controllerId, e.seq, fingerprint(e));
    return j;
  }

  /** Fingerprint of the event stored (or being stored) at `seq`, when it is among the controller's recent ones. */
  fingerprintAt(controllerId: string, seq: number): string | undefined {
    return this.heads.fingerprintAt(controllerId, seq);
  }

  /** Highest seq of `controllerId` that is durably stored (0 if none). */
  storedUpTo(controllerId: string): number {
    return this.heads.storedUpTo(controllerId);
  }

  /** Highest seq handed to `append` (stored or being stored). */
  appendedUpTo(controllerId: string): number {
    return this.heads.appendedUpTo(controllerId);
  }

  /** How many fdatasyncs the journal made (group commit makes this far smaller than the number of events). */
  get syncCount(): number {
    return this.fsyncs;
  }

  /**
   * Appends records; resolves once they are on disk. Each record must be the next seq of its controller (the caller
   * deduplicates); anything else is refused so the file can never hold a gap or a duplicate.
   */
  append(records: StoredEvent[]): Promise<StoredEvent[]> {
    if (this.closed) return Promise.reject(new JournalError('CLOSED', 'journal is closed'));
    const refused = this.heads.admitEvents(records);
    if (refused) return Promise.reject(new JournalError('OUT_OF_ORDER', refused));
    let lines = '';
    for (const r of records) {
      lines += frameLine(JSON.stringify(r));
      this.heads.remember(r.controllerId, r.seq, fingerprint(r));
    }
    return this.enqueue(lines, () => {
      for (const r of records) this.heads.stored(r.controllerId, r.seq);
    }).then(() => records);
  }

  /** Only this process writes the file: nothing to read again. */
  async refresh(_controllerIds: readonly string[]): Promise<void> {}

  /**
   * Records that seqs fromSeq..toSeq of a controller are gone for good (see event-sequence.ts); they then count as
   * stored. fromSeq must be the controller's next seq.
   */
  appendGap(gap: Omit<GapRecord, 'kind'>): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError('CLOSED', 'journal is closed'));
    const refused = this.heads.admitGap(gap);
    if (refused) return Promise.reject(new JournalError('OUT_OF_ORDER', refused));
    const rec: GapRecord = { kind: 'gap', ...gap };
    return this.enqueue(frameLine(JSON.stringify(rec)), () => this.heads.stored(gap.controllerId, gap.toSeq));
  }

  /** Keeps a second, different event under a seq already taken; the stored one stays what the seq means. */
  appendConflict(e: StoredEvent): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError('CLOSED', 'journal is closed'));
    const refused = this.heads.admitConflict(e);
    if (refused) return Promise.reject(new JournalError('OUT_OF_ORDER', refused));
    const rec: ConflictRecord = { kind: 'conflict', ...e };
    return this.enqueue(frameLine(JSON.stringify(rec)), () => undefined);
  }

  private enqueue(lines: string, onDurable: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        lines,
        resolve: () => {
          onDurable();
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
          // Every byte or an error: a short write on a full disk must not ack events that are not whole on disk.
          await this.fh.append(Buffer.from(batch.map((p) => p.lines).join(''), 'utf8'));
          this.fsyncs++;
        } catch (err) {
          // The part of the batch that reached the file was cut off again, if the disk let us: appending those seqs
          // again could store them twice otherwise. Stop taking events; nothing of this batch was acknowledged, the
          // controllers keep them.
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

  /** Every stored event, in file order (per controller: seq order), optionally of one controller and after a seq. */
  async read(controllerId?: string, afterSeq = 0): Promise<StoredEvent[]> {
    return (await this.lines(controllerId)).filter((l): l is StoredEvent => !('kind' in l) && l.seq > afterSeq);
  }

  /** The gaps recorded for a controller (or all), in file order. */
  async gaps(controllerId?: string): Promise<GapRecord[]> {
    return (await this.lines(controllerId)).filter((l): l is GapRecord => 'kind' in l && l.kind === 'gap');
  }

  /** The conflicting events kept for a controller (or all), in file order. */
  async conflicts(controllerId?: string): Promise<ConflictRecord[]> {
    return (await this.lines(controllerId)).filter((l): l is ConflictRecord => 'kind' in l && l.kind === 'conflict');
  }

  private async lines(controllerId?: string): Promise<Line[]> {
    await this.flushing;
    const text = (await readTextIfExists(this.file)) ?? '';
    const out: Line[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const rec = parseJournalLine(line);
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
