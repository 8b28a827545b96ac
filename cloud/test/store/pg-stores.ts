// Shared by the PostgreSQL store tests: two instances on a new database, how a commit ended, waits on another
// instance's changes, and what differs between an instance's memory and the database.
import type { Test } from 'tap';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { sampleBank } from '../../src/store/contract.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { COLLECTIONS, StoreError, type Change, type CollectionName, type Put, type Store } from '../../src/store/store.ts';
import type { TestPostgres } from './pg-server.ts';

export const bank = (id: string, name = `Bank ${id}`): Put => ({ c: 'banks', key: id, value: { ...sampleBank(id), name } });
export const nameOf = (s: Store, id: string): string | undefined => s.get('banks', id)?.name;

/** How a commit ended: 'ok', or the StoreError code. Taken at once, so a rejection is never unhandled. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof StoreError ? err.code : `not a StoreError: ${String(err)}`;
  }
}

/** The first external change `store` is told of that passes `pred`, within `ms` (a real bound: it waits on I/O). */
export function nextExternal(store: Store, what: string, pred: (c: Change | undefined) => boolean = () => true, ms = 10_000): Promise<Change | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`not told within ${ms} ms: ${what}`));
    }, ms);
    const off = store.onExternalChange((c) => {
      if (!pred(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

export const puts = (c: Change | undefined): string[] => (c?.put ?? []).map((p) => p.key);

/** Every difference between the store's live state and the database's rows. */
export async function differences(store: Store, sql: pg.Pool): Promise<string[]> {
  const rows = await sql.query<{ c: CollectionName; key: string; value: unknown }>('SELECT c, key, value FROM live ORDER BY ord, ord_i');
  const wrong: string[] = [];
  const counts = new Map<string, number>();
  for (const r of rows.rows) {
    counts.set(r.c, (counts.get(r.c) ?? 0) + 1);
    if (!isDeepStrictEqual(store.get(r.c, r.key), r.value)) wrong.push(`${r.c}/${r.key}: ${JSON.stringify(store.get(r.c, r.key))?.slice(0, 80)} in memory`);
  }
  for (const c of COLLECTIONS) if (store.count(c) !== (counts.get(c) ?? 0)) wrong.push(`${c}: ${store.count(c)} in memory, ${counts.get(c) ?? 0} stored`);
  return wrong;
}

async function inTransaction(sql: pg.Pool, fn: (c: pg.PoolClient) => Promise<void>): Promise<void> {
  const c = await sql.connect();
  try {
    await c.query('BEGIN');
    await fn(c);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/**
 * A change of a third instance whose notification nobody received (its listeners' connections had dropped): what
 * `portier_commit` does, without the NOTIFY. The other instances learn of it on their next catch-up only.
 */
export async function unannouncedPut(sql: pg.Pool, p: Put): Promise<number> {
  let seq = 0;
  await inTransaction(sql, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock(7240424)');
    seq = Number((await c.query<{ s: string }>(`SELECT nextval('change_seq') AS s`)).rows[0]!.s);
    await c.query(
      `INSERT INTO live (c, key, value, version, ord, ord_i) VALUES ($1, $2, $3, $4, $4, 1)
       ON CONFLICT (c, key) DO UPDATE SET value = excluded.value, version = excluded.version`,
      [p.c, p.key, JSON.stringify(p.value), seq],
    );
    await c.query(`INSERT INTO changes (seq, instance, body) VALUES ($1, 'x', $2)`, [seq, JSON.stringify({ put: [[p.c, p.key, p.value]], del: [], g: [] })]);
  });
  return seq;
}

/** A batch of `portier_commit` putting each row (expected absent) as instance 'x'. */
export const batchOf = (rows: Put[]): string => JSON.stringify(rows.map((p) => ({ k: [[p.c, p.key, null]], g: [], put: [[p.c, p.key, p.value]], del: [] })));

/** Two stores on a new database of `server`, as many times as called. */
export function storePairs(server: TestPostgres): (t: Test) => Promise<{ a: PgStore; b: PgStore; sql: pg.Pool }> {
  // New databases are copies of one the schema was applied to (applying it is most of the time an open takes).
  let template: string | undefined;
  let copies = 0;
  async function migratedDatabase(): Promise<string> {
    if (template === undefined) {
      const url = await server.createDatabase();
      await (await PgStore.open({ url })).close();
      template = new URL(url).pathname.slice(1);
    }
    const name = `${template}_${++copies}`;
    const admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    } finally {
      await admin.end();
    }
    return server.url(name);
  }

  /**
   * Two stores 'a' and 'b' on a new database, and a pool to read it directly; all closed at the test's end. No poll:
   * what reaches an instance without a sync comes by notification.
   */
  async function pair(t: Test): Promise<{ a: PgStore; b: PgStore; sql: pg.Pool }> {
    const url = await migratedDatabase();
    const a = await PgStore.open({ url, instanceId: 'a', pollMs: 60_000 });
    const b = await PgStore.open({ url, instanceId: 'b', pollMs: 60_000 });
    const sql = new pg.Pool({ connectionString: url, max: 2 });
    sql.on('error', () => undefined);
    t.teardown(async () => {
      await a.close().catch(() => undefined);
      await b.close().catch(() => undefined);
      await sql.end();
    });
    return { a, b, sql };
  }

  return pair;
}
