/**
 * Sign-in throttle of the technician console: after each wrong PIN the next attempt waits
 * `failureDelayMs * 2^(failures-1)`; after `maxFailures` in a row every PIN is refused for
 * `lockoutS`. One throttle is shared by every console session of a controller (serial and
 * stdio), so unplugging the cable or opening a new session does not reset it.
 */
export class SignInThrottle {
  private failures = 0;
  private notBefore = 0;
  private lockedUntilMs = 0;

  constructor(
    private readonly o: { maxFailures: number; failureDelayMs: number; lockoutS: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** `locked`: refused until `until`; `wait`: too soon after a failure; `ok`: an attempt may be checked. */
  check(): { state: 'ok' } | { state: 'wait' | 'locked'; until: number } {
    const t = this.now();
    if (this.lockedUntilMs > t) return { state: 'locked', until: this.lockedUntilMs };
    if (this.notBefore > t) return { state: 'wait', until: this.notBefore };
    return { state: 'ok' };
  }

  /** Records a wrong PIN. */
  fail(): { failures: number; lockedUntil?: number; delayMs: number } {
    const t = this.now();
    this.failures++;
    if (this.failures >= this.o.maxFailures) {
      this.lockedUntilMs = t + this.o.lockoutS * 1000;
      const failures = this.failures;
      // After the lock-out the next wrong PIN locks again at once (count stays at max - 1).
      this.failures = this.o.maxFailures - 1;
      this.notBefore = 0;
      return { failures, lockedUntil: this.lockedUntilMs, delayMs: this.o.lockoutS * 1000 };
    }
    const delayMs = this.o.failureDelayMs * 2 ** (this.failures - 1);
    this.notBefore = t + delayMs;
    return { failures: this.failures, delayMs };
  }

  /** A right PIN clears everything. */
  succeed(): void {
    this.failures = 0;
    this.notBefore = 0;
    this.lockedUntilMs = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
