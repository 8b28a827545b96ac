/** How wrong codes are slowed down on one kiosk. */
export interface ThrottleConfig {
  /** Failures in a row answered at once. */
  freeAttempts: number;
  /** Wait after the first failure beyond the free ones; doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures in a row that lock the kiosk's sign-in. */
  lockoutAfter: number;
  lockoutMs: number;
}

export const DEFAULT_THROTTLE: ThrottleConfig = {
  freeAttempts: 3,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  lockoutAfter: 10,
  lockoutMs: 5 * 60_000,
};

export type ThrottleGate = { allowed: true } | { allowed: false; until: number; lockedOut: boolean };

/**
 * Wrong-code throttling per kiosk: the first failures are free, then each one makes the next attempt wait longer
 * (doubling up to a cap), and after `lockoutAfter` failures in a row sign-in is locked for `lockoutMs`. Attempts
 * made while waiting are refused without being checked, so hammering the keypad gains nothing. A lock-out that ends
 * starts the count again; a success resets it.
 */
export class LoginThrottle {
  private failures = 0;
  private nextAllowedAt = 0;
  private lockedUntil = 0;

  constructor(readonly config: ThrottleConfig = DEFAULT_THROTTLE) {}

  gate(now: number): ThrottleGate {
    if (this.lockedUntil) {
      if (now < this.lockedUntil) return { allowed: false, until: this.lockedUntil, lockedOut: true };
      this.lockedUntil = 0;
      this.failures = 0;
      this.nextAllowedAt = 0;
    }
    if (now < this.nextAllowedAt) return { allowed: false, until: this.nextAllowedAt, lockedOut: false };
    return { allowed: true };
  }

  /** Records a failure; returns the count in a row and what it costs. */
  fail(now: number): { attempts: number; waitUntil?: number; lockedOutUntil?: number } {
    this.failures += 1;
    const c = this.config;
    if (this.failures >= c.lockoutAfter) {
      this.lockedUntil = now + c.lockoutMs;
      return { attempts: this.failures, lockedOutUntil: this.lockedUntil };
    }
    if (this.failures > c.freeAttempts) {
      const delay = Math.min(c.maxDelayMs, c.baseDelayMs * 2 ** (this.failures - c.freeAttempts - 1));
      this.nextAllowedAt = now + delay;
      return { attempts: this.failures, waitUntil: this.nextAllowedAt };
    }
    return { attempts: this.failures };
  }

  succeed(): void {
    this.failures = 0;
    this.nextAllowedAt = 0;
  }

  get attempts(): number {
    return this.failures;
  }

  /** The state to remember across a restart. */
  snapshot(): { failures: number; nextAllowedAt: number; lockedUntil: number } {
    return { failures: this.failures, nextAllowedAt: this.nextAllowedAt, lockedUntil: this.lockedUntil };
  }

  restore(s: { failures: number; nextAllowedAt: number; lockedUntil: number }): void {
    this.failures = s.failures;
    this.nextAllowedAt = s.nextAllowedAt;
    this.lockedUntil = s.lockedUntil;
  }

  /** When the current lock-out ends (0 when not locked). */
  get lockedOutUntil(): number {
    return this.lockedUntil;
  }
}
