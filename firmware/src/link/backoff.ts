export interface BackoffOptions {
  /** First delay, ms (default 1 s). */
  minMs?: number;
  /** Cap, ms (default 60 s). */
  maxMs?: number;
  factor?: number;
  /** Uniform [0, 1) source (tests pass a fixed one). */
  random?: () => number;
}

/**
 * Jittered exponential backoff ("equal jitter"): the n-th delay is uniform in [d/2, d] with
 * d = min(max, min * factor^(n-1)), so a fleet that lost the broker together does not come back in lock-step, and
 * no delay is shorter than half the nominal one (a broker that refuses us is not hammered).
 */
export class Backoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly factor: number;
  private readonly random: () => number;
  private n = 0;

  constructor(opts: BackoffOptions = {}) {
    this.minMs = opts.minMs ?? 1000;
    this.maxMs = opts.maxMs ?? 60_000;
    this.factor = opts.factor ?? 2;
    this.random = opts.random ?? Math.random;
    if (!(this.minMs > 0 && this.maxMs >= this.minMs && this.factor >= 1)) throw new RangeError('bad backoff options');
  }

  /** Failures since the last success. */
  get attempts(): number {
    return this.n;
  }

  /** The nominal (un-jittered) delay of the next failure. */
  nominal(n = this.n + 1): number {
    return Math.min(this.maxMs, this.minMs * this.factor ** Math.max(0, n - 1));
  }

  /** Counts a failure and returns how long to wait before the next attempt. */
  next(): number {
    this.n++;
    const d = this.nominal(this.n);
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  /**
   * The wait before trying another node of a cluster within a round (does not count as a failure): uniform in
   * [0, min), so a fleet that lost one node together spreads over the others.
   */
  hop(): number {
    return Math.floor(this.random() * this.minMs);
  }

  reset(): void {
    this.n = 0;
  }
}
