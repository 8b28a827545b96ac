/**
 * How the controllers' events journal travels to and from its tables (store/pg/migrations/0003_link.sql): shared by the
 * journal (pg-event-journal.ts) and the move of a data folder's journal (store/pg/import-link.ts).
 *
 * Rows go as one array per column, unpacked by the server (unnest): a few parameters whatever the number of rows. An
 * event goes as its JSON text and is kept as `json`, not `jsonb`: an event may carry any string, and jsonb (or
 * unpacking one JSON document) refuses some (a NUL escape), which would fail the whole batch of every controller in it.
 */
import type pg from 'pg';
import { gapRecordSchema, storedEventSchema, type GapRecord, type StoredEvent } from './event-journal.ts';

/** What the journal needs of a pool (PgStore's `db`) or a client. */
export type Queryable = Pick<pg.Pool, 'query'>;

/**
 * The event rows of parameters $p..$p+6 (eventColumns), in their order, or by controller and seq: two instances
 * inserting the same seqs then take the unique index's row locks in one order, so they never deadlock.
 */
export const EVENT_ROWS = (p: number, order: 'given' | 'by seq' = 'given'): string =>
  `SELECT c, s, b, a, st, e::json, f FROM unnest($${p}::text[], $${p + 1}::bigint[], $${p + 2}::text[], $${p + 3}::bigint[], $${p + 4}::bigint[], $${p + 5}::text[], $${p + 6}::text[])
     WITH ORDINALITY AS r(c, s, b, a, st, e, f, i) ORDER BY ${order === 'given' ? 'i' : 'c, s'}`;
export const EVENT_INSERT = (table: 'link_events' | 'link_conflicts'): string => `INSERT INTO ${table} (controller_id, seq, bank_id, at, stored_at, event, fingerprint)`;

/** The gap rows of parameters $p..$p+5 (gapColumns), in their order or by controller and seq (as EVENT_ROWS). */
export const GAP_ROWS = (p: number, order: 'given' | 'by seq' = 'given'): string =>
  `SELECT c, fs, ts, b, st, r FROM unnest($${p}::text[], $${p + 1}::bigint[], $${p + 2}::bigint[], $${p + 3}::text[], $${p + 4}::bigint[], $${p + 5}::text[])
     WITH ORDINALITY AS x(c, fs, ts, b, st, r, i) ORDER BY ${order === 'given' ? 'i' : 'c, fs'}`;
export const GAP_INSERT = 'INSERT INTO link_gaps (controller_id, from_seq, to_seq, bank_id, stored_at, reason)';

/** Events (with their fingerprints) as the parameters of EVENT_ROWS. */
export function eventColumns(rows: readonly { e: StoredEvent; print: string }[]): unknown[] {
  return [
    rows.map((r) => r.e.controllerId),
    rows.map((r) => r.e.seq),
    rows.map((r) => r.e.bankId),
    rows.map((r) => r.e.at),
    rows.map((r) => r.e.storedAt),
    rows.map((r) => JSON.stringify(r.e.event)),
    rows.map((r) => r.print),
  ];
}

/** Gaps as the parameters of GAP_ROWS. */
export function gapColumns(gaps: readonly Omit<GapRecord, 'kind'>[]): unknown[] {
  return [gaps.map((g) => g.controllerId), gaps.map((g) => g.fromSeq), gaps.map((g) => g.toSeq), gaps.map((g) => g.bankId), gaps.map((g) => g.storedAt), gaps.map((g) => g.reason)];
}

export interface EventRow {
  controller_id: string;
  seq: string;
  bank_id: string;
  at: string;
  stored_at: string;
  event: unknown;
}
export const EVENT_SELECT = 'SELECT controller_id, seq::text, bank_id, at::text, stored_at::text, event';

export function toEvent(r: EventRow): StoredEvent {
  return storedEventSchema.parse({ bankId: r.bank_id, controllerId: r.controller_id, seq: Number(r.seq), at: Number(r.at), storedAt: Number(r.stored_at), event: r.event });
}

export interface GapRow {
  controller_id: string;
  from_seq: string;
  to_seq: string;
  bank_id: string;
  stored_at: string;
  reason: string;
}
export const GAP_SELECT = 'SELECT controller_id, from_seq::text, to_seq::text, bank_id, stored_at::text, reason';

export function toGap(g: GapRow): GapRecord {
  return gapRecordSchema.parse({ kind: 'gap', bankId: g.bank_id, controllerId: g.controller_id, fromSeq: Number(g.from_seq), toSeq: Number(g.to_seq), storedAt: Number(g.stored_at), reason: g.reason });
}
