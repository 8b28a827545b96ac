/**
 * Where a guess limit (rate-limit.ts) keeps its counts of failures per key: this process's memory (a cloud on the file
 * store, one process), or a table every instance on one PostgreSQL shares (guess-counts-pg.ts), so that spreading
 * guesses over instances buys no more of them. The rule itself (how many failures are free, how long a lock lasts)
 * stays in the throttle: a count only applies the step the throttle hands it.
 */

/** The guess limits of a cloud: each counts apart (the same key in two limits is two counts). */
export const GUESS_LIMITS = ['sign-in', 'password-reset', 'pickup-code'] as const;
export type GuessLimit = (typeof GUESS_LIMITS)[number];

/** One key's count. */
export interface GuessCount {
  failures: number;
  /** When the last failure was counted (ms). */
  lastFailure: number;
  /** Until when the key is locked (ms); at or before `lastFailure` when no lock was earned. */
  lockedUntil: number;
}

/** What one failure does to a key's count, as the throttle's rule says at `now`. */
export interface FailureStep {
  now: number;
  /** A count whose last failure is older than this and whose lock is over is forgotten: the failure starts it again at one. */
  forgetBefore: number;
  /**
   * The lock (ms from `now`) earned by the n-th failure of a count: `locks[n - 1]`, the last entry for any later
   * failure (the rule's cap). Never empty.
   */
  locks: readonly number[];
}

/** Counts of one guess limit. Every method may be slow (a database); none throws for an unreachable one (see each). */
export interface GuessCounts {
  /** The counts held for `keys`, forgotten ones included (the throttle tells them apart with `isForgotten`). */
  read(keys: readonly string[]): Promise<GuessCount[]>;
  /** Counts one failure of each key, at once for each: two callers failing together both count. */
  fail(keys: readonly string[], step: FailureStep): Promise<void>;
  /** Forgets the counts of `keys` (a success). */
  clear(keys: readonly string[]): Promise<void>;
}

/** A source of counts per limit: one per process (memory) or one table for every instance (PostgreSQL). */
export type GuessCountsOf = (limit: GuessLimit) => GuessCounts;

/** Whether a count no longer matters at `now`: its last failure is older than the window and no lock runs. */
export function isForgotten(c: GuessCount, now: number, forgetBefore: number): boolean {
  return c.lastFailure < forgetBefore && c.lockedUntil <= now;
}

/** The count of a key after one more failure (`before` undefined or forgotten: a first failure). */
export function countedFailure(before: GuessCount | undefined, step: FailureStep): GuessCount {
  const failures = before && !isForgotten(before, step.now, step.forgetBefore) ? before.failures + 1 : 1;
  const lock = step.locks[Math.min(failures, step.locks.length) - 1] ?? 0;
  // Never shortened nor moved back: instances' clocks may differ by a little.
  return {
    failures,
    lastFailure: Math.max(before?.lastFailure ?? 0, step.now),
    lockedUntil: Math.max(before?.lockedUntil ?? 0, step.now + lock),
  };
}

/** Past this many keys, a failure first drops the forgotten ones (an attacker's many addresses cost bounded memory). */
const SWEEP_ABOVE = 100_000;

/** Counts in this process's memory. */
export class MemoryGuessCounts implements GuessCounts {
  readonly #counts = new Map<string, GuessCount>();
  readonly #sweepAbove: number;

  constructor(o: { sweepAbove?: number } = {}) {
    this.#sweepAbove = o.sweepAbove ?? SWEEP_ABOVE;
  }

  async read(keys: readonly string[]): Promise<GuessCount[]> {
    return this.readNow(keys);
  }

  /** `read` without waiting (the PostgreSQL counts' fallback reads it beside the table). */
  readNow(keys: readonly string[]): GuessCount[] {
    return keys.flatMap((k) => this.#counts.get(k) ?? []);
  }

  async fail(keys: readonly string[], step: FailureStep): Promise<void> {
    this.failNow(keys, step);
  }

  failNow(keys: readonly string[], step: FailureStep): void {
    if (this.#counts.size > this.#sweepAbove) {
      for (const [k, c] of this.#counts) if (isForgotten(c, step.now, step.forgetBefore)) this.#counts.delete(k);
    }
    for (const key of new Set(keys)) this.#counts.set(key, countedFailure(this.#counts.get(key), step));
  }

  async clear(keys: readonly string[]): Promise<void> {
    this.clearNow(keys);
  }

  clearNow(keys: readonly string[]): void {
    for (const key of keys) this.#counts.delete(key);
  }

  /** How many keys are held (tests of the sweep). */
  get size(): number {
    return this.#counts.size;
  }
}

/** Counts in memory for every limit: a cloud of one process. */
export const memoryGuessCounts: GuessCountsOf = () => new MemoryGuessCounts();
