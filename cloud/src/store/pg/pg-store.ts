/**
 * The PostgreSQL store: the same contract as the memory and file stores (store.ts), for several cloud instances on one
 * database.
 *
 * - Live state: each instance holds it in memory (reads stay synchronous), loaded at open and kept current from the
 *   change feed (change-feed.ts). A commit applies to memory at once and resolves once the database took it.
 * - Writes: this instance's commits go to the database in batches, one transaction each (`portier_commit`, under one
 *   commit lock, so seqs are in commit order). Each change carries the versions it read of the rows it writes and of
 *   its guard keys (a bank id, a lock name: `markGuards`); when another instance wrote one since, the change is refused
 *   with StoreError('CONFLICT'), writes nothing, and this view takes the database's rows again: the caller reads anew
 *   and retries. No locker is given twice and no code accepted twice, across instances.
 * - History: rows of `ended` and `activity` (pg-history.ts); a query first waits for this instance's pending commits.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import {
  StoreError,
  type ActivityPageQuery,
  type Change,
  type CollectionName,
  type CommitOptions,
  type Erasure,
  type ErasureCount,
  type GuardMark,
  type LiveCollections,
  type Page,
  type PastReservationQuery,
  type Store,
  type StoreHealth,
} from '../store.ts';
import type { ActivityEntry, Reservation } from '../../domain/model.ts';
import { ChangeFeed, CLOUD_APPLICATION_NAME, type FeedEntry } from './change-feed.ts';
import { LiveView, type Pending, type Plan, type Version } from './live-view.ts';
import { migrateSchema } from './migrate.ts';
import { activityPage, activityRow, endedPage, endedRow, erasePerson, findEnded, historySize, pruneHistory } from './pg-history.ts';

export interface PgStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** This instance's name in the change feed (default: a random one). */
  instanceId?: string;
  logger?: Logger;
  /** Connections of the pool (default 6). */
  poolSize?: number;
  /** Most changes one transaction takes (default 200). */
  batchMax?: number;
  /** How often the feed is read without a notification (default 2000 ms). */
  pollMs?: number;
}

interface PgGuardMark extends GuardMark {
  readonly seen: readonly Version[];
}

interface Queued {
  change: Change;
  pending: Pending;
  keys: [string, string, Version][];
  guards: [string, Version][];
  resolve(): void;
  reject(err: Error): void;
}

/** How a refused or lost commit is told. */
const conflict = (): StoreError => new StoreError('CONFLICT', 'another instance changed what this change was computed from');

export class PgStore implements Store {
  private readonly view = new LiveView();
  private readonly queue: Queued[] = [];
  private writing: Promise<void> | undefined;
  private seenSeq = 0;
  private closed = false;
  private failure: Error | undefined;
  private readonly listeners = new Set<(change: Change | undefined) => void>();
  private readonly log: Logger;
  private readonly feed: ChangeFeed;
  private batches = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly o: Required<Pick<PgStoreOptions, 'batchMax'>> & PgStoreOptions & { instanceId: string },
  ) {
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ module: 'pg-store', instance: o.instanceId });
    this.feed = new ChangeFeed({
      pool,
      url: o.url,
      instanceId: o.instanceId,
      logger: this.log,
      pollMs: o.pollMs ?? 2000,
      seen: () => this.seenSeq,
      apply: (entries, upTo) => this.applyFeed(entries, upTo),
      reload: () => this.load(),
    });
  }

  /** Connects, brings the schema forward (migrate.ts), loads the live state and starts reading the change feed. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 6, application_name: CLOUD_APPLICATION_NAME });
    const logger = options.logger ?? pino({ level: 'silent' });
    // An idle connection's error (the server restarted) must not end the process: the next query reconnects.
    pool.on('error', (err) => logger.warn({ err }, 'a PostgreSQL connection of the store failed'));
    try {
      const client = await pool.connect();
      try {
        await migrateSchema(client, logger);
      } finally {
        client.release();
      }
      const store = new PgStore(pool, { batchMax: 200, ...options, instanceId: options.instanceId ?? `cloud-${randomUUID()}` });
      await store.load();
      await store.feed.start();
      return store;
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof StoreError) throw err;
      throw new StoreError('WRITE_FAILED', `cannot open the PostgreSQL store: ${(err as Error).message}`, { cause: err });
    }
  }

  get instanceId(): string {
    return this.o.instanceId;
  }

  /** Queries on the store's pool, for what lives beside the store in the same database (the sessions). */
  get db(): Pick<pg.Pool, 'query'> {
    return this.pool;
  }

  // ------------------------------------------------------------------------------------------ live state

  get<C extends CollectionName>(c: C, key: string): LiveCollections[C] | undefined {
    return this.view.get(c, key);
  }

  list<C extends CollectionName>(c: C): LiveCollections[C][] {
    return [...this.view.maps[c].values()] as LiveCollections[C][];
  }

  count(c: CollectionName): number {
    return this.view.maps[c].size;
  }

  revision(c: CollectionName): number {
    return this.view.revision(c);
  }

  markGuards(keys: readonly string[]): GuardMark {
    const mark: PgGuardMark = { keys, seen: keys.map((k) => this.view.guard(k)) };
    return mark;
  }

  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.feed.catchUp();
  }

  onExternalChange(fn: (change: Change | undefined) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  health(): StoreHealth {
    return this.failure ? { writable: false, problem: this.failure.message } : { writable: true };
  }

  /** Loads the whole live state in one consistent read, and the feed position it matches. */
  private async load(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const seq = await client.query<{ seq: string }>('SELECT coalesce(max(seq), 0) AS seq FROM changes');
      const rows = await client.query<{ c: CollectionName; key: string; value: unknown; version: string }>('SELECT c, key, value, version FROM live ORDER BY ord, ord_i');
      const guards = await client.query<{ key: string; version: string }>('SELECT key, version FROM guards');
      await client.query('COMMIT');
      this.seenSeq = Number(seq.rows[0]!.seq);
      this.view.replace(
        rows.rows.map((r) => ({ c: r.c, key: r.key, value: r.value, version: Number(r.version) })),
        guards.rows.map((g) => [g.key, Number(g.version)]),
        this.seenSeq,
      );
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    this.tell(undefined);
  }

  private applyFeed(entries: FeedEntry[], upTo: number): void {
    // A full load (after a failed write) may have run while these were read: it holds what they wrote, and newer.
    for (const e of entries) if (e.seq > this.seenSeq) this.take(this.view.planExternal(e.seq, e.put, e.del, e.guards));
    this.seenSeq = Math.max(this.seenSeq, upTo);
    this.view.forgetOwn(this.seenSeq);
  }

  /** Takes rows of the database into memory, listeners told first (they read what memory held before). */
  private take(plan: Plan): void {
    if ((plan.change.put?.length ?? 0) + (plan.change.del?.length ?? 0) > 0) this.tell(plan.change);
    this.view.applyPlan(plan);
  }

  private tell(change: Change | undefined): void {
    for (const fn of this.listeners) {
      try {
        fn(change);
      } catch (err) {
        this.log.error({ err }, 'a listener of external changes threw');
      }
    }
  }

  // ------------------------------------------------------------------------------------------ writing

  commit(change: Change, opts?: CommitOptions): Promise<void> {
    if (this.closed) return Promise.reject(new StoreError('CLOSED', 'store is closed'));
    if (this.failure) return this.commitAfterFailure(change, opts);
    const marks = (opts?.guards ?? []) as readonly PgGuardMark[];
    const mark = marks.length === 0 ? undefined : { keys: marks.flatMap((m) => m.keys), seen: marks.flatMap((m) => m.seen) };
    const pending: Pending = {};
    const guardKeys = mark?.keys ?? [];
    const { keys, guards } = this.view.applyLocal(change, pending, guardKeys, mark?.seen ?? guardKeys.map((k) => this.view.guard(k)));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ change, pending, keys, guards, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async commitAfterFailure(change: Change, opts?: CommitOptions): Promise<void> {
    const failed = this.failure;
    try {
      await this.writing;
      await this.pool.query('SELECT 1');
      await this.load();
      this.failure = undefined;
    } catch (err) {
      const cause = this.failure ?? failed;
      throw new StoreError('WRITE_FAILED', `the store cannot write: ${(err as Error).message || cause?.message}`, { cause });
    }
    return this.commit(change, opts);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.writeBatch(this.queue.splice(0, this.o.batchMax));
    } finally {
      this.writing = undefined;
    }
  }

  /** The batch's JSON for `portier_commit`: each change with the versions it expects and its history rows. */
  private encode(batch: Queued[]): string {
    const at = new Map<Pending, number>();
    batch.forEach((q, i) => at.set(q.pending, i + 1));
    const expected = (v: Version): unknown => {
      if (typeof v === 'number') return v === 0 ? null : v;
      if (v.p.failed) return -1;
      if (v.p.seq !== undefined) return v.gone ? null : v.p.seq;
      const i = at.get(v.p);
      return i === undefined ? -1 : v.gone ? { p: i, gone: true } : { p: i };
    };
    return JSON.stringify(
      batch.map((q) => {
        const puts = new Map<string, [string, string, unknown]>();
        for (const p of q.change.put ?? []) puts.set(`${p.c}\u0000${p.key}`, [p.c, p.key, p.value]);
        return {
          k: q.keys.map(([c, key, v]) => [c, key, expected(v)]),
          g: q.guards.map(([key, v]) => [key, expected(v)]),
          put: [...puts.values()],
          del: (q.change.del ?? []).map((d) => [d.c, d.key]),
          ended: (q.change.ended ?? []).map(endedRow),
          activity: (q.change.activity ?? []).map(activityRow),
          ...(q.change.historyCutoff !== undefined ? { cutoff: q.change.historyCutoff } : {}),
        };
      }),
    );
  }

  private async writeBatch(batch: Queued[]): Promise<void> {
    let seqs: (string | null)[];
    try {
      const r = await this.pool.query<{ seqs: (string | null)[] }>('SELECT portier_commit($1, $2::jsonb) AS seqs', [this.o.instanceId, this.encode(batch)]);
      seqs = r.rows[0]!.seqs;
    } catch (err) {
      // Whether the transaction committed is unknown: memory is loaded again before the next commit is taken.
      this.failure = err as Error;
      this.log.error({ err }, 'a write to PostgreSQL failed');
      const failed = [...batch, ...this.queue.splice(0)];
      for (const q of failed) {
        q.pending.failed = true;
        q.reject(new StoreError('WRITE_FAILED', `the store could not write: ${(err as Error).message}`, { cause: err }));
      }
      return;
    }
    const refused: Queued[] = [];
    batch.forEach((q, i) => {
      const seq = seqs[i];
      if (seq === null || seq === undefined) {
        q.pending.failed = true;
        refused.push(q);
        return;
      }
      q.pending.seq = Number(seq);
      this.view.landed(q.change, q.pending, q.guards.map(([g]) => g));
    });
    if (refused.length > 0) await this.reloadKeys(refused);
    for (const q of batch) if (!q.pending.failed) q.resolve();
    for (const q of refused) q.reject(conflict());
    if (++this.batches % 500 === 0) void this.pruneFeed();
  }

  /** After refused commits: the rows and guards they wrote, as the database has them, where nothing newer came since. */
  private async reloadKeys(refused: Queued[]): Promise<void> {
    const keys = refused.flatMap((q) => q.keys);
    const gs = [...new Set(refused.flatMap((q) => q.guards.map(([g]) => g)))];
    try {
      const rows = await this.pool.query<{ c: CollectionName; key: string; value: unknown; version: string | null }>(
        `SELECT k.c, k.key, l.value, l.version FROM unnest($1::text[], $2::text[]) AS k(c, key) LEFT JOIN live l ON l.c = k.c AND l.key = k.key`,
        [keys.map(([c]) => c), keys.map(([, key]) => key)],
      );
      // A guard nobody committed under has no row: it is known as absent again (version 0), not as the refused change.
      const guards = await this.pool.query<{ key: string; version: string }>(
        'SELECT k AS key, coalesce(g.version, 0) AS version FROM unnest($1::text[]) AS k LEFT JOIN guards g ON g.key = k',
        [gs],
      );
      // These rows may be newer than what this view read of the feed: reading the feed up to them first means no
      // older entry of it lands on them afterwards (putting back a row deleted since, or over a newer commit).
      await this.feed.catchUp();
      this.take(
        this.view.planReload(
          rows.rows.map((r) => ({ c: r.c, key: r.key, value: r.value, version: r.version === null ? 0 : Number(r.version) })),
          guards.rows.map((g) => [g.key, Number(g.version)]),
        ),
      );
    } catch (err) {
      this.failure = err as Error;
      this.log.error({ err }, 'could not read back rows after a refused change');
    }
  }

  /** Drops feed entries every instance has long read (an instance further behind reloads). */
  private async pruneFeed(): Promise<void> {
    await this.pool
      // By seq alone: a transaction's `at` is when it began, not when it took its seq, so a cut by time could leave a
      // hole in the middle of the feed that an instance would read past.
      .query(`DELETE FROM changes WHERE seq < (SELECT max(seq) FROM changes) - 100000`)
      .catch((err: unknown) => this.log.warn({ err }, 'could not prune the change feed'));
  }

  /** Resolves once every commit made so far was answered. */
  private async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  // ------------------------------------------------------------------------------------------ history

  private async reading(): Promise<void> {
    if (this.closed) throw new StoreError('CLOSED', 'store is closed');
    await this.flushed();
  }

  async queryActivity(q: ActivityPageQuery): Promise<Page<ActivityEntry>> {
    await this.reading();
    return activityPage(this.pool, q);
  }

  async pastReservation(id: string): Promise<Reservation | undefined> {
    await this.reading();
    return findEnded(this.pool, id);
  }

  async pastReservations(q: PastReservationQuery): Promise<Page<Reservation>> {
    await this.reading();
    return endedPage(this.pool, q);
  }

  async historySize(): Promise<{ ended: number; activity: number }> {
    await this.reading();
    return historySize(this.pool);
  }

  async dropHistoryBefore(before: number): Promise<void> {
    await this.commit({ historyCutoff: before });
    await pruneHistory(this.pool);
  }

  async erasePerson(e: Erasure): Promise<ErasureCount> {
    await this.reading();
    return erasePerson(this.pool, e);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushed();
    await this.feed.stop();
    await this.pool.end();
  }
}
