/**
 * Login throttle: after `freeAttempts` failures for a key (a user name, or a client address), further attempts are
 * refused until a lock-out that doubles with each further failure (capped). A success clears the key.
 * Keys are kept per user AND per IP so that one address cannot try many users, nor many addresses one user.
 */
export interface LoginThrottleOptions {
  freeAttempts: number;
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  now: () => number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export class LoginThrottle {
  readonly #opts: LoginThrottleOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: LoginThrottleOptions) {
    this.#opts = opts;
  }

  /** Milliseconds the caller must still wait before trying any of `keys`, 0 when allowed. */
  retryAfterMs(keys: readonly string[]): number {
    const now = this.#opts.now();
    let wait = 0;
    for (const key of keys) {
      const e = this.#fresh(key, now);
      if (e && e.lockedUntil > now) wait = Math.max(wait, e.lockedUntil - now);
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    const now = this.#opts.now();
    for (const key of keys) {
      const e = this.#fresh(key, now) ?? { failures: 0, lockedUntil: 0, lastFailure: now };
      e.failures += 1;
      e.lastFailure = now;
      const over = e.failures - this.#opts.freeAttempts;
      if (over >= 0) {
        e.lockedUntil = now + Math.min(this.#opts.maxLockMs, this.#opts.baseLockMs * 2 ** Math.min(over, 30));
      }
      this.#entries.set(key, e);
    }
    if (this.#entries.size > 100_000) this.#sweep(now);
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.#entries.delete(key);
  }

  #fresh(key: string, now: number): Entry | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (now - e.lastFailure > this.#opts.windowMs && e.lockedUntil <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  #sweep(now: number): void {
    for (const key of [...this.#entries.keys()]) this.#fresh(key, now);
  }
}
