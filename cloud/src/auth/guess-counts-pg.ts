/**
 * Guess counts in PostgreSQL (table `guess_counts`, migrations/0004_guesses.sql) for a cloud whose store is there:
 * every instance counts in the same rows, so N instances behind a load balancer allow what one allows.
 *
 * - A row is keyed by an HMAC of the key under a key derived from the secrets key (the same on every instance), never
 *   by the key: user names and client addresses are personal data, and without the secrets key the table does not
 *   even let anyone test a guess of whose rows they are.
 * - A failure is one INSERT ... ON CONFLICT DO UPDATE per call: two instances counting the same key at once both count.
 * - Rows whose failures are forgotten and whose lock is over are deleted now and then by whichever instance counts.
 * - A database that cannot be reached must neither open the gates nor close them: the call counts (and checks) in this
 *   instance's memory instead, says so in the log, and leaves the database alone for a few seconds so that a hung
 *   server does not slow every sign-in; the memory's counts keep applying beside the table's once it is back.
 */
import { createHmac } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { MemoryGuessCounts, type FailureStep, type GuessCount, type GuessCounts, type GuessLimit } from './guess-counts.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/** How long a call waits for the database before counting in memory. */
export const GUESS_QUERY_TIMEOUT_MS = 2000;
/** After a failed call, how long calls count in memory without trying the database. */
export const GUESS_RETRY_DB_MS = 5000;
/** How often an instance deletes forgotten rows (of one limit). */
export const GUESS_SWEEP_MS = 60_000;

export interface PgGuessCountsOptions {
  db: Queryable;
  limit: GuessLimit;
  /** The rows' HMAC key (CodeVault.macKey): the same on every instance. */
  macKey: Buffer;
  now: () => number;
  logger: Logger;
  timeoutMs?: number;
  retryDbMs?: number;
}

interface Row {
  failures: number;
  last_failure: string;
  locked_until: string;
}

const FAIL_SQL = `
  INSERT INTO guess_counts AS g (limit_name, key_hash, failures, last_failure, locked_until)
  SELECT $1, h, 1, $3::bigint, $3::bigint + ($5::bigint[])[1] FROM unnest($2::text[]) AS h
  ON CONFLICT (limit_name, key_hash) DO UPDATE SET
    failures = CASE WHEN g.last_failure < $4 AND g.locked_until <= $3 THEN 1 ELSE g.failures + 1 END,
    last_failure = greatest(g.last_failure, $3),
    locked_until = greatest(g.locked_until, $3 + ($5::bigint[])[least(
      CASE WHEN g.last_failure < $4 AND g.locked_until <= $3 THEN 1 ELSE g.failures + 1 END, cardinality($5::bigint[]))])
  RETURNING failures`;

export class PgGuessCounts implements GuessCounts {
  readonly #o: PgGuessCountsOptions;
  readonly #log: Logger;
  /** Where calls count while the database cannot be reached. */
  readonly #local = new MemoryGuessCounts();
  /** Until when calls do not try the database (after a failed call). */
  #dbAwayUntil = 0;
  #away = false;
  #nextSweep = 0;

  constructor(o: PgGuessCountsOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'guess-counts', limit: o.limit });
  }

  /** The row key of `key`: HMAC-SHA256 of the limit and the key (base64url). */
  hash(key: string): string {
    return createHmac('sha256', this.#o.macKey).update(`${this.#o.limit}\n${key}`).digest('base64url');
  }

  async read(keys: readonly string[]): Promise<GuessCount[]> {
    const local = this.#local.readNow(keys);
    const rows = await this.#db(async (db) => {
      const r = await db.query<Row>('SELECT failures, last_failure, locked_until FROM guess_counts WHERE limit_name = $1 AND key_hash = ANY($2::text[])', [
        this.#o.limit,
        keys.map((k) => this.hash(k)),
      ]);
      return r.rows.map(toCount);
    });
    return [...local, ...(rows ?? [])];
  }

  async fail(keys: readonly string[], step: FailureStep): Promise<void> {
    const hashes = [...new Set(keys.map((k) => this.hash(k)))];
    const counted = await this.#db(async (db) => {
      await db.query(FAIL_SQL, [this.#o.limit, hashes, step.now, step.forgetBefore, step.locks]);
      return true;
    });
    if (!counted) {
      this.#local.failNow(keys, step);
      return;
    }
    if (step.now >= this.#nextSweep) {
      this.#nextSweep = step.now + GUESS_SWEEP_MS;
      await this.#db((db) => db.query('DELETE FROM guess_counts WHERE limit_name = $1 AND last_failure < $2 AND locked_until <= $3', [this.#o.limit, step.forgetBefore, step.now]));
    }
  }

  async clear(keys: readonly string[]): Promise<void> {
    this.#local.clearNow(keys);
    await this.#db((db) => db.query('DELETE FROM guess_counts WHERE limit_name = $1 AND key_hash = ANY($2::text[])', [this.#o.limit, keys.map((k) => this.hash(k))]));
  }

  /** `work` on the database, or undefined when it cannot be reached (told once per spell, in the log). */
  async #db<T>(work: (db: Queryable) => Promise<T>): Promise<T | undefined> {
    if (this.#o.now() < this.#dbAwayUntil) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.#o.timeoutMs ?? GUESS_QUERY_TIMEOUT_MS;
    try {
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the database within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      });
      const result = await Promise.race([work(this.#o.db), late]);
      if (this.#away) this.#log.info('the shared guess counts are reachable again: counting in the database');
      this.#away = false;
      return result;
    } catch (err) {
      this.#dbAwayUntil = this.#o.now() + (this.#o.retryDbMs ?? GUESS_RETRY_DB_MS);
      if (!this.#away) this.#log.warn({ err }, "the shared guess counts cannot be reached: counting in this instance's memory meanwhile");
      this.#away = true;
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

function toCount(r: Row): GuessCount {
  return { failures: r.failures, lastFailure: Number(r.last_failure), lockedUntil: Number(r.locked_until) };
}
