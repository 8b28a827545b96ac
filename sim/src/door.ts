import { EventEmitter } from 'node:events';
import { keepLast } from './recording.ts';

/** Behaviours a test can switch on per door (STYLE.md: behaviours plugged in per test). */
export interface DoorBehaviour {
  /** Delay between the latch releasing and the door springing open. Default 50 ms; 0 = at once. */
  springDelayMs: number;
  /** The lock does not release: energising it leaves the door shut. */
  jammed: boolean;
  /** The sensor wire is cut: the sensor reads open whatever the door does. */
  sensorCut: boolean;
  /** On every real change the sensor bounces this many extra times, `bounceIntervalMs` apart. */
  bounces: number;
  bounceIntervalMs: number;
  /** The latch needs the solenoid energised at least this long to release. Default 20 ms. */
  releaseAfterMs: number;
}

export const defaultBehaviour: DoorBehaviour = {
  springDelayMs: 50,
  jammed: false,
  sensorCut: false,
  bounces: 0,
  bounceIntervalMs: 2,
  releaseAfterMs: 20,
};

/** One energising of a lock solenoid, as a power meter on the lock would record it. */
export interface EnergisedInterval {
  door: number;
  from: number;
  /** `undefined` while still energised. */
  to: number | undefined;
}

export interface VirtualDoorEventMap {
  /** The physical door moved. */
  moved: [{ door: number; open: boolean; at: number }];
  /** What the sensor reports changed (includes bounces and a cut wire). */
  sensor: [{ door: number; open: boolean; at: number }];
  /** The solenoid was energised (`true`) or released (`false`). */
  lock: [{ door: number; energised: boolean; at: number }];
}

/**
 * A physical locker door with its latch, solenoid, door sensor and item-present sensor.
 * Time comes from `Date.now()` and `setTimeout`, so sinon fake timers drive it in tests.
 */
export class VirtualDoor extends EventEmitter<VirtualDoorEventMap> {
  readonly number: number;
  behaviour: DoorBehaviour;
  /** Intervals during which the solenoid was energised, oldest first (the last RECORDED_KEPT). */
  readonly energised: EnergisedInterval[] = [];
  private isOpen = false;
  private sensorValue = false;
  private item = false;
  private energisedSince: number | undefined;
  /** Cancels the pending latch release. */
  private releaseTimer: (() => void) | undefined;
  private springTimer: NodeJS.Timeout | undefined;
  private bounceTimers: NodeJS.Timeout[] = [];

  constructor(number: number, behaviour: Partial<DoorBehaviour> = {}) {
    super();
    this.number = number;
    this.behaviour = { ...defaultBehaviour, ...behaviour };
  }

  /** Whether the door is physically open. */
  get open(): boolean {
    return this.isOpen;
  }

  /** What the door sensor reads now (a cut wire reads open). */
  get sensorOpen(): boolean {
    return this.behaviour.sensorCut ? true : this.sensorValue;
  }

  /** Whether the item-present (infrared) sensor sees something. */
  get itemPresent(): boolean {
    return this.item;
  }

  /** Whether the latch has let go and the spring is about to push the door open. */
  get springing(): boolean {
    return this.springTimer !== undefined;
  }

  /** Whether the solenoid is energised now. */
  get lockEnergised(): boolean {
    return this.energisedSince !== undefined;
  }

  /** Switch behaviours on or off for this door. */
  setBehaviour(patch: Partial<DoorBehaviour>): void {
    const wasCut = this.sensorOpen;
    this.behaviour = { ...this.behaviour, ...patch };
    if (this.sensorOpen !== wasCut) this.emit('sensor', { door: this.number, open: this.sensorOpen, at: Date.now() });
  }

  /** Drive the solenoid (what a lock output or a lock board does). */
  setLock(energised: boolean): void {
    const now = Date.now();
    if (energised && this.energisedSince === undefined) {
      this.energisedSince = now;
      keepLast(this.energised, { door: this.number, from: now, to: undefined });
      this.emit('lock', { door: this.number, energised: true, at: now });
      if (!this.behaviour.jammed && !this.isOpen) {
        // 0: on the next turn of the event loop (not a timer's minimum millisecond), still after the board answered.
        if (this.behaviour.releaseAfterMs <= 0) {
          const i = setImmediate(() => this.release());
          this.releaseTimer = () => clearImmediate(i);
        } else {
          const t = setTimeout(() => this.release(), this.behaviour.releaseAfterMs);
          this.releaseTimer = () => clearTimeout(t);
        }
      }
    } else if (!energised && this.energisedSince !== undefined) {
      this.energisedSince = undefined;
      const last = this.energised[this.energised.length - 1];
      if (last) last.to = now;
      this.releaseTimer?.();
      this.releaseTimer = undefined;
      this.emit('lock', { door: this.number, energised: false, at: now });
    }
  }

  /** A person pushes the door shut (it latches). */
  close(): void {
    if (this.springTimer) clearTimeout(this.springTimer);
    this.springTimer = undefined;
    this.move(false);
  }

  /** A person (or a crowbar) pulls the door open without an unlock: a forced door. */
  force(): void {
    this.move(true);
  }

  /** Put an item in or take it out. */
  setItem(present: boolean): void {
    this.item = present;
  }

  /** Longest single energised interval so far, in ms (open intervals count up to now). */
  maxEnergisedMs(now = Date.now()): number {
    return this.energised.reduce((max, i) => Math.max(max, (i.to ?? now) - i.from), 0);
  }

  /** Cancels pending timers (end of a test). */
  dispose(): void {
    this.releaseTimer?.();
    this.releaseTimer = undefined;
    if (this.springTimer) clearTimeout(this.springTimer);
    for (const t of this.bounceTimers) clearTimeout(t);
    this.bounceTimers = [];
  }

  private release(): void {
    this.releaseTimer = undefined;
    if (this.isOpen) return;
    const delay = this.behaviour.springDelayMs;
    if (delay <= 0) this.move(true);
    else this.springTimer = setTimeout(() => { this.springTimer = undefined; this.move(true); }, delay);
  }

  private move(open: boolean): void {
    if (this.isOpen === open) return;
    this.isOpen = open;
    const at = Date.now();
    this.emit('moved', { door: this.number, open, at });
    for (const t of this.bounceTimers) clearTimeout(t);
    this.bounceTimers = [];
    // A bouncing contact: the sensor flips back and forth before settling on the real value.
    const bounces = this.behaviour.bounces;
    if (bounces > 0) {
      for (let i = 1; i <= bounces * 2; i++) {
        const value = i % 2 === 1 ? !open : open;
        this.bounceTimers.push(setTimeout(() => this.setSensor(value), i * this.behaviour.bounceIntervalMs));
      }
    }
    this.setSensor(open);
  }

  private setSensor(open: boolean): void {
    this.sensorValue = open;
    if (!this.behaviour.sensorCut) this.emit('sensor', { door: this.number, open, at: Date.now() });
  }
}
