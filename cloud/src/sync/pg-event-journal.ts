/**
 * The controllers' events journal in PostgreSQL (tables `link_events`, `link_gaps`, `link_conflicts` of
 * store/pg/migrations/0003_link.sql), for several cloud instances on one database: the instance that owns a bank
 * stores its controllers' events, and the one that takes the bank over goes on from what is stored. The contract is
 * the file journal's (event-journal.ts, EventLog):
 *
 * - Group commit: everything appended while a statement runs goes to the database in the next single statement
 *   (events, gaps and conflict records together, one transaction), so many controllers sending at once cost a few
 *   round trips. `append` resolves in call order once its statement committed.
 * - Exactly once by (controllerId, seq), across instances: an event is inserted unless that seq is stored already
 *   (ON CONFLICT DO NOTHING). A record another instance stored first is left out of `append`'s answer (it is not
 *   applied twice); if its content differs, this one is kept as a conflict record, as the sequence policy
 *   (event-sequence.ts) keeps a second event under a seq. Either way the seq counts as stored.
 * - Memory holds the highest stored and appended seq and the recent fingerprints only of controllers this instance
 *   was asked about: opening reads nothing per controller, whatever the size of the journal. **A controller must be
 *   refreshed (`refresh`) before its events are sequenced**: until then its seqs count from 0, as if nothing were
 *   stored (an append then finds the stored seqs taken and stores nothing twice, but the policy would wait for seqs the
 *   controller dropped long ago).
 * - A failed statement stores nothing: its appends and every one queued behind them are refused, and the controllers
 *   they came from count from what is stored again, so their events (never acked) are taken again when resent. A
 *   statement whose commit was lost with the connection is harmless the same way: the events are then found stored.
 */
import { pino, type Logger } from 'pino';
import {
  conflictRecordSchema,
  fingerprint,
  FINGERPRINTS_KEPT,
  JournalError,
  type ConflictRecord,
  type GapRecord,
  type StoredEvent,
} from './event-journal.ts';
import { SeqHeads } from './seq-heads.ts';
import type { EventLog } from './event-log.ts';
import { EVENT_INSERT, EVENT_ROWS, EVENT_SELECT, eventColumns, GAP_INSERT, GAP_ROWS, GAP_SELECT, gapColumns, toEvent, toGap, type EventRow, type GapRow, type Queryable } from './pg-link-rows.ts';

export interface PgEventJournalOptions {
  logger?: Logger;
  /** Records one statement takes at most (default 2000); one call's records always go in one statement. */
  batchMax?: number;
}

interface Queued {
  events: StoredEvent[];
  prints: string[];
  gap?: GapRecord;
  conflict?: ConflictRecord;
  resolve(stored: StoredEvent[]): void;
  reject(err: Error): void;
}

const WRITE = `
WITH ev AS (
  ${EVENT_INSERT('link_events')} ${EVENT_ROWS(1, 'by seq')}
  ON CONFLICT (controller_id, seq) DO NOTHING
  RETURNING controller_id, seq
), gp AS (
  ${GAP_INSERT} ${GAP_ROWS(8, 'by seq')}
  ON CONFLICT (controller_id, from_seq) DO NOTHING
  RETURNING 1
), cf AS (
  ${EVENT_INSERT('link_conflicts')} ${EVENT_ROWS(14)}
  RETURNING 1
)
SELECT controller_id AS c, seq::text AS s FROM ev`;

const key = (controllerId: string, seq: number | string): string => `${controllerId}/${seq}`;

export class PgEventJournal implements EventLog {
  private readonly heads = new SeqHeads();
  private queue: Queued[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private writes = 0;
  private readonly log: Logger;
  private readonly batchMax: number;

  private constructor(
    private readonly db: Queryable,
    opts: PgEventJournalOptions,
  ) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'pg-event-journal' });
    this.batchMax = opts.batchMax ?? 2000;
  }

  /**
   * Opens the journal on a pool of a database whose schema is migrated (PgStore.open does it). Reads nothing per
   * controller: `refresh` the controllers whose events this instance is to sequence.
   */
  static async open(db: Queryable, opts: PgEventJournalOptions = {}): Promise<PgEventJournal> {
    try {
      await db.query('SELECT 1 FROM link_events LIMIT 0');
    } catch (err) {
      throw new JournalError('UNAVAILABLE', `the database holds no events journal (${(err as Error).message}): open the PostgreSQL store on it first, which brings its schema forward`, { cause: err });
    }
    return new PgEventJournal(db, opts);
  }

  fingerprintAt(controllerId: string, seq: number): string | undefined {
    return this.heads.fingerprintAt(controllerId, seq);
  }

  /** Highest seq of `controllerId` durably stored, as far as this instance knows (0 for a controller never refreshed). */
  storedUpTo(controllerId: string): number {
    return this.heads.storedUpTo(controllerId);
  }

  appendedUpTo(controllerId: string): number {
    return this.heads.appendedUpTo(controllerId);
  }

  /** How many statements wrote to the database (group commit makes this far smaller than the number of appends). */
  get writeCount(): number {
    return this.writes;
  }

  /**
   * Appends records, each the next seq of its controller after what this instance appended (anything else is refused,
   * all of the call); resolves once they are stored, with the records this call stored (not those another instance
   * stored first).
   */
  append(records: StoredEvent[]): Promise<StoredEvent[]> {
    if (this.closed) return Promise.reject(new JournalError('CLOSED', 'journal is closed'));
    const refused = this.heads.admitEvents(records);
    if (refused) return Promise.reject(new JournalError('OUT_OF_ORDER', refused));
    const prints = records.map((r) => fingerprint(r));
    records.forEach((r, i) => this.heads.remember(r.controllerId, r.seq, prints[i]!));
    return this.enqueue({ events: records, prints });
  }

  /** Records that seqs fromSeq..toSeq are gone for good; fromSeq must be the controller's next seq. */
  appendGap(gap: Omit<GapRecord, 'kind'>): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError('CLOSED', 'journal is closed'));
    const refused = this.heads.admitGap(gap);
    if (refused) return Promise.reject(new JournalError('OUT_OF_ORDER', refused));
    return this.enqueue({ events: [], prints: [], gap: { kind: 'gap', ...gap } }).then(() => undefined);
  }

  /** Keeps a second, different event under a seq already taken; the stored one stays what the seq means. */
  appendConflict(e: StoredEvent): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError('CLOSED', 'journal is closed'));
    const refused = this.heads.admitConflict(e);
    if (refused) return Promise.reject(new JournalError('OUT_OF_ORDER', refused));
    return this.enqueue({ events: [], prints: [], conflict: { kind: 'conflict', ...e } }).then(() => undefined);
  }

  /**
   * Loads these controllers' highest stored seq (events and gaps) and recent fingerprints from the database, in place
   * of what memory held: another instance may have stored their events meanwhile. What this instance has appended and
   * not yet stored stays counted.
   */
  async refresh(controllerIds: readonly string[]): Promise<void> {
    const ids = [...new Set(controllerIds)];
    if (ids.length === 0) return;
    const [ups, recent] = await Promise.all([
      this.db.query<{ id: string; ev: string | null; gp: string | null }>(
        `SELECT c.id, (SELECT max(seq) FROM link_events e WHERE e.controller_id = c.id)::text AS ev,
                (SELECT max(to_seq) FROM link_gaps g WHERE g.controller_id = c.id)::text AS gp
         FROM unnest($1::text[]) AS c(id)`,
        [ids],
      ),
      this.db.query<{ id: string; seq: string; fingerprint: string }>(
        `SELECT c.id, f.seq::text, f.fingerprint FROM unnest($1::text[]) AS c(id)
         CROSS JOIN LATERAL (SELECT seq, fingerprint FROM link_events e WHERE e.controller_id = c.id ORDER BY seq DESC LIMIT $2) f`,
        [ids, FINGERPRINTS_KEPT],
      ),
    ]);
    const loaded = new Map<string, [number, string][]>();
    for (const r of recent.rows) {
      const list = loaded.get(r.id) ?? [];
      list.push([Number(r.seq), r.fingerprint]);
      loaded.set(r.id, list);
    }
    for (const r of ups.rows) {
      const stored = Math.max(Number(r.ev ?? 0), Number(r.gp ?? 0));
      // This instance's own writes are in the database too; one that committed after the query read is kept.
      this.heads.setHeads(r.id, Math.max(stored, this.storedUpTo(r.id)), Math.max(stored, this.appendedUpTo(r.id)));
      const fromDb = loaded.get(r.id) ?? [];
      const top = fromDb[0]?.[0] ?? 0;
      const pending = this.heads.recent(r.id).filter(([seq]) => seq > top);
      this.heads.replaceRecent(r.id, [...fromDb.reverse(), ...pending]);
    }
  }

  async read(controllerId?: string, afterSeq = 0): Promise<StoredEvent[]> {
    await this.idle();
    const r =
      controllerId === undefined
        ? await this.db.query<EventRow>(`${EVENT_SELECT} FROM link_events WHERE seq > $1 ORDER BY n`, [afterSeq])
        : await this.db.query<EventRow>(`${EVENT_SELECT} FROM link_events WHERE controller_id = $1 AND seq > $2 ORDER BY seq`, [controllerId, afterSeq]);
    return r.rows.map(toEvent);
  }

  async gaps(controllerId?: string): Promise<GapRecord[]> {
    await this.idle();
    const r = await this.db.query<GapRow>(`${GAP_SELECT} FROM link_gaps WHERE $1::text IS NULL OR controller_id = $1 ORDER BY ${controllerId === undefined ? 'n' : 'from_seq'}`, [
      controllerId ?? null,
    ]);
    return r.rows.map(toGap);
  }

  async conflicts(controllerId?: string): Promise<ConflictRecord[]> {
    await this.idle();
    const r = await this.db.query<EventRow>(
      `${EVENT_SELECT} FROM link_conflicts WHERE $1::text IS NULL OR controller_id = $1 ORDER BY ${controllerId === undefined ? 'n' : 'seq, n'}`,
      [controllerId ?? null],
    );
    return r.rows.map((row) => conflictRecordSchema.parse({ kind: 'conflict', ...toEvent(row) }));
  }

  /** Stops taking records and waits for those under way. The pool is the caller's. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }



  private enqueue(item: Omit<Queued, 'resolve' | 'reject'>): Promise<StoredEvent[]> {
    return new Promise<StoredEvent[]>((resolve, reject) => {
      this.queue.push({ ...item, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** The queued items of the next statement: at least one, whole calls, up to `batchMax` records. */
  private take(): Queued[] {
    let n = 0;
    let i = 0;
    while (i < this.queue.length && (i === 0 || n + this.queue[i]!.events.length <= this.batchMax)) n += this.queue[i++]!.events.length || 1;
    return this.queue.splice(0, i);
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        let answers: StoredEvent[][];
        try {
          answers = await this.write(batch);
        } catch (err) {
          // Nothing of the batch is acknowledged, and what is queued behind it would follow seqs not stored: refuse it
          // all; the controllers keep these events and send them again.
          const failed = [...batch, ...this.queue];
          this.queue = [];
          this.forgetUnstored(failed);
          this.log.error({ err, records: failed.reduce((a, q) => a + q.events.length, 0) }, 'storing controller events failed; not acked');
          const refusal = new JournalError('UNAVAILABLE', `storing controller events failed: ${(err as Error).message}`, { cause: err });
          for (const q of failed) q.reject(refusal);
          continue;
        }
        batch.forEach((q, i) => q.resolve(answers[i]!));
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** The controllers of refused records count from what is stored again. */
  private forgetUnstored(failed: Queued[]): void {
    const ids = new Set(failed.flatMap((q) => [...q.events.map((e) => e.controllerId), ...(q.gap ? [q.gap.controllerId] : [])]));
    for (const id of ids) this.heads.backToStored(id);
  }

  /** One statement for the batch; answers, per item, the events it stored. */
  private async write(batch: Queued[]): Promise<StoredEvent[][]> {
    const events = batch.flatMap((q) => q.events.map((e, i) => ({ e, print: q.prints[i]! })));
    const gaps = batch.flatMap((q) => (q.gap ? [q.gap] : []));
    const conflicts = batch.flatMap((q) => (q.conflict ? [{ e: q.conflict, print: fingerprint(q.conflict) }] : []));
    this.writes++;
    const r = await this.db.query<{ c: string; s: string }>(WRITE, [
      ...eventColumns(events),
      ...gapColumns(gaps),
      ...eventColumns(conflicts),
    ]);
    const inserted = new Set(r.rows.map((row) => key(row.c, row.s)));
    const taken = events.filter(({ e }) => !inserted.has(key(e.controllerId, e.seq)));
    if (taken.length > 0) await this.settleTaken(taken);
    for (const q of batch) {
      for (const e of q.events) this.heads.stored(e.controllerId, e.seq);
      if (q.gap) this.heads.stored(q.gap.controllerId, q.gap.toSeq);
    }
    return batch.map((q) => q.events.filter((e) => inserted.has(key(e.controllerId, e.seq))));
  }

  /**
   * Events whose seq another instance stored first: the same content counts as stored; other content is kept as a
   * conflict record, and the seq's fingerprint becomes the stored event's (what the seq means from now on).
   */
  private async settleTaken(taken: { e: StoredEvent; print: string }[]): Promise<void> {
    const stored = await this.db.query<{ c: string; s: string; f: string }>(
      `SELECT e.controller_id AS c, e.seq::text AS s, e.fingerprint AS f FROM link_events e
       JOIN unnest($1::text[], $2::bigint[]) AS k(c, s) ON e.controller_id = k.c AND e.seq = k.s`,
      [taken.map(({ e }) => e.controllerId), taken.map(({ e }) => e.seq)],
    );
    const prints = new Map(stored.rows.map((row) => [key(row.c, row.s), row.f]));
    const differ: { e: StoredEvent; print: string }[] = [];
    for (const { e, print } of taken) {
      const theirs = prints.get(key(e.controllerId, e.seq));
      if (theirs === undefined) throw new Error(`${e.controllerId} seq ${e.seq} was neither inserted nor found stored`);
      if (theirs === print) continue;
      differ.push({ e, print });
      this.heads.remember(e.controllerId, e.seq, theirs);
    }
    this.log.info({ events: taken.length, conflicts: differ.length }, 'events another instance stored first: left out');
    if (differ.length === 0) return;
    this.writes++;
    await this.db.query(`${EVENT_INSERT('link_conflicts')} ${EVENT_ROWS(1)}`, eventColumns(differ));
    this.log.error({ conflicts: differ.length }, 'another instance stored other events under these seqs: both kept');
  }
}
