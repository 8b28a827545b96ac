/**
 * History in PostgreSQL: ended reservations and activity as rows with the columns their queries filter on (one index
 * per filter of the activity report), answered by the same paging rules and cursors as history.ts (activity oldest
 * first by `at.n`, ended reservations newest first by `n`), history before the retention cutoff left out.
 */
import type pg from 'pg';
import type { ActivityEntry, Reservation } from '../../domain/model.ts';
import { endedAt, eraseActivity, eraseEnded, PAGE_MAX, parseActivityCursor, parseEndedCursor } from '../history.ts';
import type { ActivityPageQuery, Erasure, ErasureCount, Page, PastReservationQuery } from '../store.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/** An ended reservation as the commit function inserts it. */
export interface EndedRow {
  id: string;
  b: string;
  r: string;
  at: number;
  s: string[];
  v: Reservation;
}

/** An activity entry as the commit function inserts it. */
export interface ActivityRow {
  at: number;
  t: string;
  b?: string;
  r?: string;
  p?: string;
  res?: string;
  e?: string;
  v: ActivityEntry;
}

/** Every person id an erasure looks for in an ended reservation. */
function subjectsOf(r: Reservation): string[] {
  const s = new Set([r.recipient.id]);
  if (r.createdBy.id !== undefined) s.add(r.createdBy.id);
  if (r.dropOffParty?.id !== undefined) s.add(r.dropOffParty.id);
  if (r.pickupParty?.id !== undefined) s.add(r.pickupParty.id);
  return [...s];
}

export function endedRow(r: Reservation): EndedRow {
  return { id: r.id, b: r.bankId, r: r.recipient.id, at: endedAt(r), s: subjectsOf(r), v: r };
}

export function activityRow(a: ActivityEntry): ActivityRow {
  return { at: a.at, t: a.type, b: a.bankId, r: a.recipientId, p: a.actor.id, res: a.reservationId, e: a.enterpriseId, v: a };
}

const CUTOFF = `(SELECT value FROM store_meta WHERE key = 'history_cutoff')`;

/** Positional parameters as a query is built. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export async function activityPage(db: Queryable, q: ActivityPageQuery): Promise<Page<ActivityEntry>> {
  const limit = Math.min(Math.max(1, q.limit), PAGE_MAX);
  const after = parseActivityCursor(q.cursor);
  const p = new Params();
  const where = [`at >= ${CUTOFF}`];
  if (q.from !== undefined) where.push(`at >= ${p.add(q.from)}`);
  if (q.to !== undefined) where.push(`at < ${p.add(q.to)}`);
  if (after) where.push(`(at, n) > (${p.add(after.at)}, ${p.add(after.n)})`);
  if (q.type !== undefined) where.push(`type = ${p.add(q.type)}`);
  if (q.types) where.push(`type = ANY(${p.add(q.types)}::text[])`);
  if (q.bankId !== undefined) where.push(`bank_id = ${p.add(q.bankId)}`);
  if (q.recipientId !== undefined) where.push(`recipient_id = ${p.add(q.recipientId)}`);
  if (q.actorId !== undefined) where.push(`actor_id = ${p.add(q.actorId)}`);
  if (q.reservationId !== undefined) where.push(`reservation_id = ${p.add(q.reservationId)}`);
  if (q.within) {
    // As history.ts isWithin: a bank's entry by the bank; one without a bank by its enterprise (none: written before
    // enterprises had their own logs), and only when the caller sees unbanked entries.
    const banks = p.add([...q.within.bankIds]);
    const unbanked = q.within.unbanked
      ? ` OR (bank_id IS NULL AND (enterprise_id IS NULL OR enterprise_id = ${p.add(q.within.enterpriseId)}))`
      : '';
    where.push(`(bank_id = ANY(${banks}::text[])${unbanked})`);
  }
  const rows = await db.query<{ n: string; value: ActivityEntry }>(
    `SELECT n, value FROM activity WHERE ${where.join(' AND ')} ORDER BY at, n LIMIT ${limit + 1}`,
    p.values,
  );
  const items = rows.rows.slice(0, limit);
  const last = items.at(-1);
  const page: Page<ActivityEntry> = { items: items.map((r) => r.value) };
  if (rows.rows.length > limit && last) page.nextCursor = `${last.value.at}.${last.n}`;
  return page;
}

export async function endedPage(db: Queryable, q: PastReservationQuery): Promise<Page<Reservation>> {
  const limit = Math.min(Math.max(1, q.limit), PAGE_MAX);
  const before = parseEndedCursor(q.cursor);
  const p = new Params();
  const where = [`ended_at >= ${CUTOFF}`];
  if (before !== undefined) where.push(`n < ${p.add(before)}`);
  if (q.bankId !== undefined) where.push(`bank_id = ${p.add(q.bankId)}`);
  if (q.recipientId !== undefined) where.push(`recipient_id = ${p.add(q.recipientId)}`);
  const rows = await db.query<{ n: string; value: Reservation }>(
    `SELECT n, value FROM ended WHERE ${where.join(' AND ')} ORDER BY n DESC LIMIT ${limit + 1}`,
    p.values,
  );
  const items = rows.rows.slice(0, limit);
  const last = items.at(-1);
  const page: Page<Reservation> = { items: items.map((r) => r.value) };
  if (rows.rows.length > limit && last) page.nextCursor = last.n;
  return page;
}

/** The ended reservation with this id (the latest if it ended twice), unless retention dropped it. */
export async function findEnded(db: Queryable, id: string): Promise<Reservation | undefined> {
  const rows = await db.query<{ value: Reservation; kept: boolean }>(
    `SELECT value, ended_at >= ${CUTOFF} AS kept FROM ended WHERE id = $1 ORDER BY n DESC LIMIT 1`,
    [id],
  );
  const row = rows.rows[0];
  return row?.kept ? row.value : undefined;
}

export async function historySize(db: Queryable): Promise<{ ended: number; activity: number }> {
  const r = await db.query<{ ended: string; activity: string }>(
    `SELECT (SELECT count(*) FROM ended WHERE ended_at >= ${CUTOFF}) AS ended, (SELECT count(*) FROM activity WHERE at >= ${CUTOFF}) AS activity`,
  );
  return { ended: Number(r.rows[0]!.ended), activity: Number(r.rows[0]!.activity) };
}

/** Deletes history out of retention in small steps (no long lock on the tables); resolves when none is left. */
export async function pruneHistory(db: Queryable): Promise<void> {
  const STEP = 5000;
  for (const [table, col] of [['activity', 'at'], ['ended', 'ended_at']] as const) {
    for (;;) {
      const r = await db.query(`DELETE FROM ${table} WHERE n IN (SELECT n FROM ${table} WHERE ${col} < ${CUTOFF} LIMIT ${STEP})`);
      if ((r.rowCount ?? 0) < STEP) break;
    }
  }
}

/** Replaces a person's links and notes in history (history.ts eraseEnded, eraseActivity), in one transaction. */
export async function erasePerson(pool: pg.Pool, e: Erasure): Promise<ErasureCount> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const ended = await client.query<{ n: string; value: Reservation }>('SELECT n, value FROM ended WHERE subjects @> ARRAY[$1]::text[] FOR UPDATE', [e.subjectId]);
    const endedUpdates = ended.rows.flatMap((row) => {
      const r = eraseEnded(row.value, e);
      return r ? [{ n: row.n, r }] : [];
    });
    if (endedUpdates.length > 0)
      await client.query(
        `UPDATE ended SET value = u.value, recipient_id = u.value #>> '{recipient,id}', subjects = ARRAY(SELECT jsonb_array_elements_text(u.subjects))
         FROM unnest($1::bigint[], $2::jsonb[], $3::jsonb[]) AS u(n, value, subjects) WHERE ended.n = u.n`,
        [endedUpdates.map((u) => u.n), endedUpdates.map((u) => JSON.stringify(u.r)), endedUpdates.map((u) => JSON.stringify(subjectsOf(u.r)))],
      );
    const activity = await client.query<{ n: string; value: ActivityEntry }>('SELECT n, value FROM activity WHERE recipient_id = $1 OR actor_id = $1 FOR UPDATE', [e.subjectId]);
    const activityUpdates = activity.rows.flatMap((row) => {
      const a = eraseActivity(row.value, e);
      return a ? [{ n: row.n, a }] : [];
    });
    if (activityUpdates.length > 0)
      await client.query(
        `UPDATE activity SET value = u.value, recipient_id = u.value ->> 'recipientId', actor_id = u.value #>> '{actor,id}'
         FROM unnest($1::bigint[], $2::jsonb[]) AS u(n, value) WHERE activity.n = u.n`,
        [activityUpdates.map((u) => u.n), activityUpdates.map((u) => JSON.stringify(u.a))],
      );
    await client.query('COMMIT');
    return { ended: endedUpdates.length, activity: activityUpdates.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
