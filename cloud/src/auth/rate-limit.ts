/**
 * Login throttle: after `freeAttempts` failures for a key (a user name, or a client address), further attempts are
 * refused until a lock-out that doubles with each further failure (capped). A success clears the key.
 * Keys are kept per user AND per IP so that one address cannot try many users, nor many addresses one user.
 *
 * The rule is here, once; the counts live behind `GuessCounts` (guess-counts.ts): in memory, or in PostgreSQL where
 * every instance of a cloud counts in the same rows.
 */
import { isForgotten, MemoryGuessCounts, type FailureStep, type GuessCounts } from './guess-counts.ts';

export interface LoginThrottleOptions {
  freeAttempts: number;
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  now: () => number;
  /** Where the failures are counted (default: this process's memory). */
  counts?: GuessCounts;
}

/** The doubling stops here: 2^30 times the base is past any cap a configuration allows. */
const MAX_DOUBLINGS = 30;

/** The lock earned by each failure in turn (FailureStep.locks): none while free, then the base doubling to the cap. */
export function lockTable(o: Pick<LoginThrottleOptions, 'freeAttempts' | 'baseLockMs' | 'maxLockMs'>): number[] {
  const locks: number[] = [];
  for (let n = 1; ; n++) {
    const over = n - o.freeAttempts;
    if (over < 0) {
      locks.push(0);
      continue;
    }
    const lock = Math.min(o.maxLockMs, o.baseLockMs * 2 ** Math.min(over, MAX_DOUBLINGS));
    locks.push(lock);
    // Every later failure earns the same: the last entry stands for them.
    if (lock >= o.maxLockMs || over >= MAX_DOUBLINGS) return locks;
  }
}

export class LoginThrottle {
  readonly #opts: LoginThrottleOptions;
  readonly #counts: GuessCounts;
  readonly #locks: readonly number[];
  /** `admit` calls of this instance, one after the other (see there). */
  #admitting: Promise<unknown> = Promise.resolve();

  constructor(opts: LoginThrottleOptions) {
    this.#opts = opts;
    this.#counts = opts.counts ?? new MemoryGuessCounts();
    this.#locks = lockTable(opts);
  }

  /** Milliseconds the caller must still wait before trying any of `keys`, 0 when allowed. */
  async retryAfterMs(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const now = this.#opts.now();
    const forgetBefore = now - this.#opts.windowMs;
    let wait = 0;
    for (const c of await this.#counts.read(keys)) {
      if (!isForgotten(c, now, forgetBefore) && c.lockedUntil > now) wait = Math.max(wait, c.lockedUntil - now);
    }
    return wait;
  }

  async fail(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#counts.fail(keys, this.#step());
  }

  async succeed(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#counts.clear(keys);
  }

  /**
   * For a limit on requests rather than on failures (every request counts): the wait when over the limit (nothing
   * counted), else 0 with this request counted. This instance's calls run one after the other, so a burst of requests
   * at one instance cannot all pass the check before the first is counted.
   */
  admit(keys: readonly string[]): Promise<number> {
    const run = this.#admitting.then(async () => {
      const wait = await this.retryAfterMs(keys);
      if (wait === 0) await this.fail(keys);
      return wait;
    });
    this.#admitting = run.catch(() => undefined);
    return run;
  }

  #step(): FailureStep {
    const now = this.#opts.now();
    return { now, forgetBefore: now - this.#opts.windowMs, locks: this.#locks };
  }
}
