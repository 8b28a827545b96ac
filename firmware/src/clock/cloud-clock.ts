import { z } from 'zod';

/**
 * What the clock persists: the learned offset, the local time it was last confirmed, and the highest signed cloud
 * timestamp seen (a floor: cloud time never goes below a time the cloud has already signed).
 */
export const clockStateSchema = z.strictObject({
  offsetMs: z.number().int().nullable(),
  learnedAtLocal: z.number().int().nullable(),
  maxCloudSeen: z.number().int().min(0),
});
export type ClockState = z.infer<typeof clockStateSchema>;

export const INITIAL_CLOCK_STATE: ClockState = { offsetMs: null, learnedAtLocal: null, maxCloudSeen: 0 };

export interface CloudClockOptions {
  /** Local wall clock (ms since epoch). */
  now?: () => number;
  /** Monotonic ms (immune to wall-clock steps). */
  monotonic?: () => number;
  /** Samples older than this (local ms) stop counting for the offset, so a step of the cloud's clock is followed. */
  windowMs?: number;
  state?: ClockState;
}

interface Sample {
  offset: number;
  atMono: number;
}

/**
 * The controller's estimate of cloud time: `cloud = local + offset` (DESIGN.md: a Pi may have no real-time clock).
 *
 * Every verified signed message carries the cloud's `issuedAt`, a time that had already passed when it arrived, so
 * `issuedAt - localNow` is a lower bound of the offset. The estimate is the highest lower bound seen within a sliding
 * window (network delay only makes a sample lower; an old message makes it much lower and is ignored by the max; the
 * window lets a stepped cloud or local clock be followed). Callers feed it only messages that are likely fresh: a
 * command judged unexpired, an evtack, a desired state delivered live (not a retained copy, which may be days old).
 *
 * Two further floors, so a wrong local clock can never make a command look younger than it is:
 * - the highest `issuedAt` ever seen, plus the monotonic time elapsed since it was seen in this boot;
 * - for one command, its own `issuedAt` (see `nowFor`): a command is never trusted for longer than its own lifetime.
 *
 * A persisted offset is dropped at start-up when the local clock is earlier than when it was learned (a board without
 * RTC booted with a reset clock): then expiry is judged on the local clock and those floors until a new sample comes.
 */
export class CloudClock {
  private readonly localNow: () => number;
  private readonly mono: () => number;
  private readonly windowMs: number;
  private samples: Sample[] = [];
  private offset: number | null;
  private learnedAtLocal: number | null;
  private maxCloudSeen: number;
  private maxCloudSeenAtMono: number;
  /** True when a persisted offset was dropped because the local clock went backwards. */
  readonly droppedPersisted: boolean;

  constructor(opts: CloudClockOptions = {}) {
    this.localNow = opts.now ?? Date.now;
    this.mono = opts.monotonic ?? (() => performance.now());
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    const s = opts.state ?? INITIAL_CLOCK_STATE;
    this.maxCloudSeen = s.maxCloudSeen;
    this.maxCloudSeenAtMono = this.mono();
    const local = this.localNow();
    if (s.offsetMs !== null && s.learnedAtLocal !== null && local < s.learnedAtLocal) {
      this.offset = null;
      this.learnedAtLocal = null;
      this.droppedPersisted = true;
    } else {
      this.offset = s.offsetMs;
      this.learnedAtLocal = s.learnedAtLocal;
      this.droppedPersisted = false;
      // A trusted persisted offset counts as a sample for one window, so a stale message right after start-up (queued
      // in the persistent session during an outage) cannot pull the estimate back.
      if (s.offsetMs !== null) this.samples.push({ offset: s.offsetMs, atMono: this.maxCloudSeenAtMono });
    }
  }

  /** True once an offset is known (learned in this boot or trusted from the last one). */
  get learned(): boolean {
    return this.offset !== null;
  }

  /** The learned offset (cloud - local), null until learned. */
  get offsetMs(): number | null {
    return this.offset;
  }

  /** Estimated cloud time now. */
  now(): number {
    const local = this.localNow();
    const byOffset = this.offset === null ? local : local + this.offset;
    const floor = this.maxCloudSeen === 0 ? 0 : this.maxCloudSeen + Math.max(0, this.mono() - this.maxCloudSeenAtMono);
    return Math.round(Math.max(byOffset, floor));
  }

  /** Estimated cloud time for judging a message issued at `issuedAt`: never before its own issue time. */
  nowFor(issuedAt: number): number {
    return Math.max(this.now(), issuedAt);
  }

  /**
   * Learns from a signed, verified cloud timestamp. Returns true when the persisted state changed enough to be worth
   * writing (first sample, offset moved by more than `persistThresholdMs`, or a new floor).
   */
  observe(issuedAt: number, persistThresholdMs = 1000): boolean {
    const local = this.localNow();
    const mono = this.mono();
    const before = this.offset;
    const sample = issuedAt - local;
    this.samples = this.samples.filter((s) => mono - s.atMono <= this.windowMs);
    this.samples.push({ offset: sample, atMono: mono });
    if (this.samples.length > 64) this.samples.splice(0, this.samples.length - 64);
    this.offset = Math.round(Math.max(...this.samples.map((s) => s.offset)));
    this.learnedAtLocal = local;
    let floorMoved = false;
    const floorNow = this.maxCloudSeen + Math.max(0, mono - this.maxCloudSeenAtMono);
    if (issuedAt > floorNow) {
      this.maxCloudSeen = issuedAt;
      this.maxCloudSeenAtMono = mono;
      floorMoved = true;
    }
    return before === null || Math.abs(before - this.offset) > persistThresholdMs || (floorMoved && issuedAt - this.persistedFloor > 60_000);
  }

  private persistedFloor = 0;

  /** The state to persist. */
  state(): ClockState {
    this.persistedFloor = this.maxCloudSeen;
    return { offsetMs: this.offset, learnedAtLocal: this.learnedAtLocal, maxCloudSeen: this.maxCloudSeen };
  }
}
