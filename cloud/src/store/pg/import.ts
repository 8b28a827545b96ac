/**
 * Moves a file store's data into an empty PostgreSQL database (`portier-cloud migrate-store`), straight into the tables
 * of migrations/0001_store.sql, in one transaction: a failed move leaves the database as empty as it found it. The
 * sign-in sessions and the data folder's controller sync state (import-link.ts) go in the same transaction.
 *
 * - Live state: every collection's rows in the store's insertion order (`ord`, `ord_i`), all written by one change of
 *   the feed (`version` = its seq), so a store opened on the database afterwards loads them in that order and the
 *   sequence hands later commits seqs above it.
 * - History: ended reservations and activity in the order they were recorded, each at the position (`n`) the file
 *   store gave it, so history cursors a client holds stay valid across the move; the retention cutoff is kept, and
 *   what is already out of retention is left behind.
 * - Rows go in batches of a few thousand per statement, as one JSON document unpacked by the server
 *   (jsonb_array_elements): one parameter, whatever the number of rows.
 * - Afterwards the database is checked through a PgStore opened on it: every collection equal, value by value and in
 *   order; history counts equal; the newest ended reservations and the first and last activity equal; the controller
 *   sync state as import-link.ts checks it.
 */
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import type { ActivityEntry, Reservation } from '../../domain/model.ts';
import type { DurableStore } from '../durable.ts';
import type { Recorded } from '../history.ts';
import { COLLECTIONS, type CollectionName, type Store } from '../store.ts';
import { ImportError, mismatch, plain } from './import-error.ts';
import { checkLink, importLink, linkHeld, type LinkExpectation, type LinkReport, type LinkSource } from './import-link.ts';
import { FEED_CHANNEL, CLOUD_APPLICATION_NAME } from './change-feed.ts';
import { migrateSchema } from './migrate.ts';
import { activityRow, endedRow } from './pg-history.ts';
import { PgStore } from './pg-store.ts';

/** What is moved: a file store (its live entries with their keys, its history in recording order). */
export type ImportSource = Store & Pick<DurableStore, 'liveEntries' | 'recordedEnded' | 'recordedActivity' | 'historyCutoff'>;

export { ImportError } from './import-error.ts';

export interface ImportReport {
  /** Rows moved per live collection. */
  collections: Record<CollectionName, number>;
  ended: number;
  activity: number;
  /** The retention cutoff carried over (epoch ms; 0: none). */
  cutoff: number;
  /** Sign-in sessions moved. */
  sessions: number;
  /** The controllers' events journal and desired states moved. */
  link: LinkReport;
}

/** A sign-in session as the sessions table keeps it (auth/token-pg.ts): moved with the store, so nobody signs in again. */
export interface MovedSession {
  hash: string;
  userId: string;
  expiresAt: number;
  lastSeenAt: number;
}

export interface ImportOptions {
  logger?: Logger;
  /** Rows per statement (default 4000). */
  batchRows?: number;
  /** The open sessions of the folder (`tokens.json`), moved in the same transaction. */
  sessions?: readonly MovedSession[];
  /** The folder's controller sync state (events journal, desired states), moved in the same transaction. */
  link?: LinkSource;
}

/** The commit lock of `portier_commit` (0001_store.sql): held while importing, so no cloud commits meanwhile. */
const COMMIT_LOCK = 7240424;
/** A statement's JSON is sent once it reaches this size, whatever its rows (logos are up to a few hundred KiB each). */
const BATCH_BYTES = 8 * 1024 * 1024;
/** How many of the newest history entries the check compares. */
const CHECK_ROWS = 100;
const INSTANCE = 'migrate-store';

/** Collects rows as JSON text and sends them a batch at a time. */
class Batcher {
  private parts: string[] = [];
  private bytes = 0;
  rows = 0;

  constructor(
    private readonly send: (json: string) => Promise<unknown>,
    private readonly max: number,
  ) {}

  async add(row: unknown): Promise<void> {
    const text = JSON.stringify(row);
    this.parts.push(text);
    this.bytes += text.length;
    this.rows++;
    if (this.parts.length >= this.max || this.bytes >= BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const json = `[${this.parts.join(',')}]`;
    this.parts = [];
    this.bytes = 0;
    await this.send(json);
  }
}

/** Refuses a database a cloud is attached to: a store loaded before the move would never see the moved rows. */
async function refuseIfListened(client: pg.Client): Promise<void> {
  // A cloud's connections carry its application name; each instance has one listening for the feed.
  const r = await client.query<{ listening: string; connected: string }>(
    `SELECT count(*) FILTER (WHERE query ILIKE $1) AS listening, count(*) FILTER (WHERE application_name = $2 OR query ILIKE $1) AS connected
     FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    [`LISTEN ${FEED_CHANNEL}%`, CLOUD_APPLICATION_NAME],
  );
  const n = Number(r.rows[0]!.connected) > 0 ? Math.max(1, Number(r.rows[0]!.listening)) : 0;
  if (n > 0) throw new ImportError('IN_USE', `${n} cloud instance(s) are connected to the database (listening for its changes): stop them before moving a store into it`);
}

async function refuseUnlessEmpty(client: pg.Client): Promise<void> {
  const r = await client.query<{ live: string; ended: string; activity: string; changes: string; cutoff: string }>(
    `SELECT (SELECT count(*) FROM live) AS live, (SELECT count(*) FROM ended) AS ended, (SELECT count(*) FROM activity) AS activity,
            (SELECT count(*) FROM changes) AS changes, (SELECT value FROM store_meta WHERE key = 'history_cutoff') AS cutoff`,
  );
  const row = r.rows[0]!;
  const held = [
    Number(row.live) > 0 ? `${row.live} live records` : '',
    Number(row.ended) > 0 ? `${row.ended} ended reservations` : '',
    Number(row.activity) > 0 ? `${row.activity} activity entries` : '',
    Number(row.changes) > 0 && Number(row.live) === 0 ? 'committed changes' : '',
    Number(row.cutoff) > 0 ? 'a retention cutoff' : '',
    ...(await linkHeld(client)),
  ].filter((s) => s !== '');
  if (held.length > 0) throw new ImportError('NOT_EMPTY', `the database already holds a store (${held.join(', ')}): a store is moved only into an empty database`);
}

/** The live collections, in insertion order, as rows of `live` written by change `seq`. */
async function importLive(client: pg.Client, source: ImportSource, seq: number, batchRows: number): Promise<Record<CollectionName, number>> {
  const counts = {} as Record<CollectionName, number>;
  const live = new Batcher(
    (json) =>
      client.query(
        `INSERT INTO live (c, key, value, version, ord, ord_i)
         SELECT e ->> 0, e ->> 1, e -> 2, $2, $2, (e ->> 3)::int FROM jsonb_array_elements($1::jsonb) e`,
        [json, seq],
      ),
    batchRows,
  );
  const entries = source.liveEntries();
  for (const c of COLLECTIONS) {
    counts[c] = 0;
    for (const [key, value] of entries[c] ?? []) {
      await live.add([c, key, value, live.rows]);
      counts[c]++;
    }
  }
  await live.flush();
  return counts;
}

/**
 * History rows at their positions; the identity then hands out positions after the last. Returns the rows written and
 * the last few (for the check).
 */
async function importHistory<T>(
  client: pg.Client,
  table: 'ended' | 'activity',
  batches: AsyncIterable<Recorded<T>[]>,
  row: (x: T) => object,
  batchRows: number,
  log: Logger,
): Promise<{ rows: number; tail: T[] }> {
  const insert =
    table === 'ended'
      ? `INSERT INTO ended (n, id, bank_id, recipient_id, ended_at, subjects, value) OVERRIDING SYSTEM VALUE
         SELECT (e ->> 'n')::bigint, e ->> 'id', e ->> 'b', e ->> 'r', (e ->> 'at')::bigint, ARRAY(SELECT jsonb_array_elements_text(e -> 's')), e -> 'v'
         FROM jsonb_array_elements($1::jsonb) e`
      : `INSERT INTO activity (n, at, type, bank_id, recipient_id, actor_id, reservation_id, enterprise_id, value) OVERRIDING SYSTEM VALUE
         SELECT (e ->> 'n')::bigint, (e ->> 'at')::bigint, e ->> 't', e ->> 'b', e ->> 'r', e ->> 'p', e ->> 'res', e ->> 'e', e -> 'v'
         FROM jsonb_array_elements($1::jsonb) e`;
  const out = new Batcher((json) => client.query(insert, [json]), batchRows);
  let last = -1;
  let tail: T[] = [];
  for await (const batch of batches) {
    for (const { n, entry } of batch) await out.add({ ...row(entry), n });
    last = batch.at(-1)?.n ?? last;
    tail = [...tail.slice(-CHECK_ROWS), ...batch.slice(-CHECK_ROWS).map((b) => b.entry)].slice(-CHECK_ROWS);
    if (out.rows % 100_000 < batch.length) log.info({ table, rows: out.rows }, 'moving history');
  }
  await out.flush();
  if (last >= 0) await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'n'), $1, false)`, [last + 1]);
  return { rows: out.rows, tail };
}

/**
 * Moves `source` into the database at `url`, which must hold no store (its schema is made or brought forward first).
 * Refuses a database with data (ImportError NOT_EMPTY) or one a cloud instance is connected to (IN_USE); checks the
 * result afterwards (MISMATCH: the database then holds what was moved, to be dropped before another try).
 */
export async function importIntoEmpty(url: string, source: ImportSource, opts: ImportOptions = {}): Promise<ImportReport> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const log = logger.child({ module: 'pg-import' });
  const batchRows = opts.batchRows ?? 4000;
  const client = new pg.Client({ connectionString: url });
  client.on('error', (err) => log.warn({ err }, 'the import connection failed'));
  await client.connect();
  let report: ImportReport;
  let latest: ActivityEntry[] = [];
  let link: LinkExpectation;
  try {
    await migrateSchema(client, logger);
    await refuseIfListened(client);
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [COMMIT_LOCK]);
      await refuseUnlessEmpty(client);
      const seq = Number((await client.query<{ s: string }>(`SELECT nextval('change_seq') AS s`)).rows[0]!.s);
      const collections = await importLive(client, source, seq, batchRows);
      log.info({ rows: Object.values(collections).reduce((a, b) => a + b, 0) }, 'moved the live state');
      const ended = await importHistory<Reservation>(client, 'ended', source.recordedEnded(batchRows), endedRow, batchRows, log);
      const activity = await importHistory<ActivityEntry>(client, 'activity', source.recordedActivity(batchRows), activityRow, batchRows, log);
      latest = activity.tail;
      await client.query(`UPDATE store_meta SET value = $1 WHERE key = 'history_cutoff'`, [source.historyCutoff]);
      const sessions = opts.sessions ?? [];
      if (sessions.length > 0)
        await client.query(
          `INSERT INTO sessions (hash, user_id, expires_at, last_seen_at, record)
           SELECT e ->> 'hash', e ->> 'userId', (e ->> 'expiresAt')::bigint, (e ->> 'lastSeenAt')::bigint, e FROM jsonb_array_elements($1::jsonb) e`,
          [JSON.stringify(sessions)],
        );
      link = await importLink(client, opts.link ?? {}, batchRows, log);
      // The feed's one entry for the whole move: instances opened later load the rows; its seq is every row's version.
      await client.query(`INSERT INTO changes (seq, instance, body) VALUES ($1, $2, '{"put": [], "del": [], "g": []}')`, [seq, INSTANCE]);
      await client.query('COMMIT');
      log.info({ ended: ended.rows, activity: activity.rows }, 'moved the history; checking');
      report = { collections, ended: ended.rows, activity: activity.rows, cutoff: source.historyCutoff, sessions: sessions.length, link: link.report };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    await checkLatestActivity(client, latest);
  } finally {
    await client.end().catch(() => undefined);
  }
  await checkThroughStore(url, source, report, link, logger);
  return report;
}


/** The last activity entries recorded, in the database and in the source. */
async function checkLatestActivity(client: pg.Client, latest: ActivityEntry[]): Promise<void> {
  const rows = await client.query<{ value: ActivityEntry }>(`SELECT value FROM activity ORDER BY n DESC LIMIT ${CHECK_ROWS}`);
  if (!isDeepStrictEqual(rows.rows.map((r) => r.value).reverse(), plain(latest))) throw mismatch('the latest activity entries differ');
}

async function checkThroughStore(url: string, source: ImportSource, report: ImportReport, link: LinkExpectation, logger: Logger): Promise<void> {
  const moved = await PgStore.open({ url, logger, instanceId: `${INSTANCE}-check`, poolSize: 2 });
  try {
    for (const c of COLLECTIONS) {
      if (moved.count(c) !== source.count(c)) throw mismatch(`${c}: ${moved.count(c)} in the database, ${source.count(c)} in the file store`);
      if (!isDeepStrictEqual(moved.list(c), plain(source.list(c)))) throw mismatch(`${c}: the records or their order differ`);
    }
    const size = await moved.historySize();
    if (size.ended !== report.ended || size.activity !== report.activity) {
      throw mismatch(`history: ${size.ended} ended reservations and ${size.activity} activity entries in the database, ${report.ended} and ${report.activity} moved`);
    }
    const [a, b] = await Promise.all([moved.pastReservations({ limit: CHECK_ROWS }), source.pastReservations({ limit: CHECK_ROWS })]);
    if (!isDeepStrictEqual(a, plain(b))) throw mismatch('the newest ended reservations differ');
    const [c, d] = await Promise.all([moved.queryActivity({ limit: CHECK_ROWS }), source.queryActivity({ limit: CHECK_ROWS })]);
    if (!isDeepStrictEqual(c, plain(d))) throw mismatch('the oldest activity entries differ');
    await checkLink(moved.db, link);
  } finally {
    await moved.close();
  }
}
