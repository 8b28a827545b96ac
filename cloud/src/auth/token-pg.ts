/**
 * Sessions in PostgreSQL (table `sessions`, migrations/0002_sessions.sql) for a cloud whose store is there: every
 * instance reads the same sessions, so a sign-in on one is good on all and a sign-out or an ended session ends it on
 * all at once. A request's time is held in memory and written lazily (at most once a minute per instance, as the file
 * does), and the latest of the database's and this instance's is answered.
 */
import type pg from 'pg';
import { TokenRecordSchema, type TokenRecord, type TokenRepo } from './sessions.ts';

/** How long a request's time waits in memory before it is written. */
export const SEEN_WRITE_DELAY_MS = 5000;

type Queryable = Pick<pg.Pool, 'query'>;

interface Row {
  record: unknown;
  last_seen_at: string;
}

export class PgTokenRepo implements TokenRepo {
  /** Requests' times not yet written, by token hash. */
  readonly #seen = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Queryable,
    private readonly onProblem?: (message: string) => void,
  ) {}

  #parse(row: Row | undefined): TokenRecord | undefined {
    if (!row) return undefined;
    const r = TokenRecordSchema.safeParse(row.record);
    if (!r.success) {
      // A malformed row signs its holder out; it never breaks the request.
      this.onProblem?.('ignoring a malformed session row');
      return undefined;
    }
    const seen = Math.max(Number(row.last_seen_at), r.data.lastSeenAt, this.#seen.get(r.data.hash) ?? 0);
    return { ...r.data, lastSeenAt: seen };
  }

  async get(hash: string): Promise<TokenRecord | undefined> {
    const r = await this.db.query<Row>('SELECT record, last_seen_at FROM sessions WHERE hash = $1', [hash]);
    return this.#parse(r.rows[0]);
  }

  async put(token: TokenRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO sessions (hash, user_id, expires_at, last_seen_at, record) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (hash) DO UPDATE SET user_id = excluded.user_id, expires_at = excluded.expires_at,
         last_seen_at = greatest(sessions.last_seen_at, excluded.last_seen_at), record = excluded.record`,
      [token.hash, token.userId, token.expiresAt, token.lastSeenAt, JSON.stringify(token)],
    );
  }

  async delete(hash: string): Promise<void> {
    this.#seen.delete(hash);
    await this.db.query('DELETE FROM sessions WHERE hash = $1', [hash]);
  }

  async prune(now: number, userId?: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE expires_at <= $1 OR user_id = $2', [now, userId ?? null]);
  }

  async listByUser(userId: string): Promise<TokenRecord[]> {
    const r = await this.db.query<Row>('SELECT record, last_seen_at FROM sessions WHERE user_id = $1 ORDER BY hash', [userId]);
    return r.rows.flatMap((row) => this.#parse(row) ?? []);
  }

  touch(hash: string, at: number): void {
    if (at <= (this.#seen.get(hash) ?? 0)) return;
    this.#seen.set(hash, at);
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((err: unknown) => this.onProblem?.(`could not write the sessions' last requests: ${String(err)}`));
    }, SEEN_WRITE_DELAY_MS);
    this.#timer.unref();
  }

  /** Writes the requests' times held in memory (also at a clean stop). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#writing.then(async () => {
      if (this.#seen.size === 0) return;
      const batch = [...this.#seen];
      this.#seen.clear();
      try {
        await this.db.query(
          `UPDATE sessions SET last_seen_at = greatest(sessions.last_seen_at, u.at)
           FROM unnest($1::text[], $2::bigint[]) AS u(hash, at) WHERE sessions.hash = u.hash`,
          [batch.map(([h]) => h), batch.map(([, at]) => at)],
        );
      } catch (err) {
        // Kept for the next write (unless a newer time came meanwhile).
        for (const [h, at] of batch) if (at > (this.#seen.get(h) ?? 0)) this.#seen.set(h, at);
        throw err;
      }
    });
    this.#writing = next.catch(() => undefined);
    return next;
  }
}
