import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { DoorOutcome } from '@portier/protocol';
import { HalError, pulseNotSent } from '../hal/errors.ts';
import type { BusHealth, DoorReading, LockBus } from '../hal/lock-bus.ts';
import { silentLogger } from '../util/logger.ts';
import type { DoorMemoryPort } from './door-memory.ts';
import type { DoorControllerOptions } from './door-options.ts';
import { DoorError } from './errors.ts';
import { PulseBudget } from './pulse-budget.ts';

export type { DoorControllerOptions } from './door-options.ts';

/** No configuration may energise a lock longer than this, whatever the file says. */
export const HARD_MAX_PULSE_MS = 2000;

/** What an unlock did, as seen by the door sensor: the platform's one door outcome. "Pulse sent" is never "opened". */
export type UnlockOutcome = DoorOutcome;

export interface UnlockOptions {
  /** Pulse length, ms (clamped to `maxPulseMs`); default the controller's `pulseMs`. */
  pulseMs?: number;
  /**
   * The caller has already put this unlock on disk where the door memory reads it back as `unlocking` after a
   * restart (an open-door command's pending mark): the pulse does not wait for the memory's own write.
   */
  intentRecorded?: boolean;
}

export interface UnlockResult {
  door: number;
  outcome: UnlockOutcome;
  /** Why the outcome is `unknown` (a HalError code, `BUS_SILENT`, `STOPPED`). */
  reason?: string;
  /**
   * The pulse length sent to the bus (after clamping). Absent when no pulse was sent (bus or serial port closed,
   * controller stopped before the pulse): an open that energised nothing never reports a pulse.
   */
  pulseMs?: number;
}

/** The controller's view of one door. */
export type DoorState = 'closed' | 'unlocking' | 'open' | 'unknown';

export interface DoorStatus {
  door: number;
  state: DoorState;
  /** The sensor is flapping: events for this door are held back until it settles. */
  flapping: boolean;
  /** Since when the door is open (epoch ms). */
  openSince?: number;
  itemPresent: boolean | null;
}

export interface DoorControllerEventMap {
  'door-opened': [{ door: number; cause: 'unlock' | 'forced'; at: number }];
  'door-closed': [{ door: number; at: number; openMs: number | undefined }];
  /** The door opened with no unlock in progress. */
  'door-forced': [{ door: number; at: number }];
  /** The door stayed open past `leftOpenMs` (once per opening). */
  'door-left-open': [{ door: number; at: number; openMs: number }];
  /** An unlock pulse was sent but the door was never seen open within `jamWindowMs`. */
  'door-jammed': [{ door: number; at: number; pulseMs: number }];
  /** The sensor changed `flapChanges` times within `flapWindowMs` (once until it settles). */
  'sensor-flapping': [{ door: number; at: number; changes: number; windowMs: number }];
  /** A flapping sensor has been quiet for `flapWindowMs`. */
  'sensor-settled': [{ door: number; at: number }];
  /** `unknownAfterFailures` reads in a row failed for this door (once until a good read). */
  'door-unknown': [{ door: number; at: number; consecutiveFailures: number }];
  /** The bus refused or failed an unlock. */
  'lock-fault': [{ door: number; at: number; code: string; message: string }];
  /** The bus health changed (forwarded from the adapter). */
  'bus-health': [BusHealth];
}

interface Attempt {
  startedAt: number;
  pulseMs: number;
  /** Good readings of this door from reads that started after the pulse started. */
  goodReads: number;
  seen: boolean;
  onSeen: (() => void) | undefined;
}

interface DoorRt {
  door: number;
  state: DoorState;
  /** Last good reading, `undefined` before the first. */
  lastOpen: boolean | undefined;
  itemPresent: boolean | null;
  openSince: number | undefined;
  leftOpenReported: boolean;
  failures: number;
  unknownReported: boolean;
  changes: number[];
  flapping: boolean;
  lastChangeAt: number;
  attempt: Attempt | undefined;
  /** Unlocks of one door run one after another. */
  queue: Promise<unknown>;
}

/**
 * The door controller: one state machine per door above the lock bus (locked and closed ->
 * unlocking -> open -> closed), polling `bus.readDoors()`, enforcing the pulse limits and the
 * power budget, and reporting what the doors really did.
 */
export class DoorController extends EventEmitter<DoorControllerEventMap> {
  readonly bus: LockBus;
  private readonly o: Required<Omit<DoorControllerOptions, 'bus' | 'logger' | 'memory'>>;
  private readonly memory: DoorMemoryPort | undefined;
  private readonly log: Logger;
  private readonly budget: PulseBudget;
  private readonly doors = new Map<number, DoorRt>();
  private running = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onHealth = (h: BusHealth): void => {
    this.emit('bus-health', h);
  };
  private readonly onBusError = (err: HalError): void => {
    this.log.warn({ code: err.code }, `bus: ${err.message}`);
  };

  constructor(opts: DoorControllerOptions) {
    super();
    this.bus = opts.bus;
    this.log = (opts.logger ?? silentLogger).child({ module: 'doors' });
    this.memory = opts.memory;
    if (!(opts.maxPulseMs > 0) || opts.maxPulseMs > HARD_MAX_PULSE_MS) {
      throw new DoorError('BAD_OPTIONS', `maxPulseMs must be in 1..${HARD_MAX_PULSE_MS} ms`);
    }
    const pulseMs = Math.min(opts.pulseMs ?? 500, opts.maxPulseMs);
    this.o = {
      maxPulseMs: opts.maxPulseMs,
      pulseMs,
      maxConcurrentPulses: opts.maxConcurrentPulses ?? 1,
      pollMs: opts.pollMs ?? 100,
      attemptPollMs: opts.attemptPollMs ?? Math.min(opts.pollMs ?? 100, 10),
      jamWindowMs: opts.jamWindowMs ?? 2000,
      leftOpenMs: opts.leftOpenMs ?? 120_000,
      flapChanges: opts.flapChanges ?? 6,
      flapWindowMs: opts.flapWindowMs ?? 5000,
      unknownAfterFailures: opts.unknownAfterFailures ?? 3,
      boardTimedPulses: opts.boardTimedPulses ?? opts.bus.kind === 'kerong-cu16',
    };
    this.budget = new PulseBudget(this.o.maxConcurrentPulses);
    for (const door of this.bus.doors) {
      this.doors.set(door, {
        door,
        state: 'unknown',
        lastOpen: undefined,
        itemPresent: null,
        openSince: undefined,
        leftOpenReported: false,
        failures: 0,
        unknownReported: false,
        changes: [],
        flapping: false,
        lastChangeAt: 0,
        attempt: undefined,
        queue: Promise.resolve(),
      });
    }
  }

  /** The effective settings (after defaults and clamping). */
  get settings(): Readonly<Required<Omit<DoorControllerOptions, 'bus' | 'logger' | 'memory'>>> {
    return this.o;
  }

  /**
   * Opens the bus (which drives every output safe before anything else), reads the doors once
   * and starts polling.
   */
  async start(): Promise<void> {
    if (this.running) return;
    if (this.stopped) throw new DoorError('STOPPED', 'controller was stopped');
    this.bus.on('health', this.onHealth);
    this.bus.on('error', this.onBusError);
    await this.bus.open();
    this.running = true;
    await this.poll();
    this.log.info({ doors: this.bus.doors, settings: this.o }, 'door controller started');
  }

  /** Stops polling, settles pending unlocks as `unknown`, drives every output safe. Does not close the bus. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.budget.cancelAll(new DoorError('STOPPED', 'controller stopped'));
    for (const rt of this.doors.values()) rt.attempt?.onSeen?.();
    await this.bus.safe();
    this.bus.off('health', this.onHealth);
    this.bus.off('error', this.onBusError);
    this.log.info('door controller stopped, outputs safe');
  }

  /** The current view of one door. */
  status(door: number): DoorStatus {
    const rt = this.rt(door);
    const s: DoorStatus = { door, state: rt.state, flapping: rt.flapping, itemPresent: rt.itemPresent };
    if (rt.openSince !== undefined) s.openSince = rt.openSince;
    return s;
  }

  /** Every door's view, by door number. */
  statuses(): DoorStatus[] {
    return [...this.doors.keys()].sort((a, b) => a - b).map((d) => this.status(d));
  }

  /**
   * Pulses the lock of `door` and reports what the door did. The pulse is clamped to
   * `maxPulseMs`, waits for a power-budget slot (FIFO), and is sent even when the sensor already
   * reads open (a cut sensor wire looks like an open door). Rejects only for an unknown door or a
   * controller that is not running.
   */
  unlock(door: number, opts: UnlockOptions = {}): Promise<UnlockResult> {
    if (!this.running) return Promise.reject(new DoorError(this.stopped ? 'STOPPED' : 'NOT_STARTED', 'controller is not running'));
    const rt = this.doors.get(door);
    if (!rt) return Promise.reject(new DoorError('UNKNOWN_DOOR', `door ${door} is not on this controller`));
    const pulseMs = Math.max(1, Math.min(Math.round(opts.pulseMs ?? this.o.pulseMs), this.o.maxPulseMs));
    const run = rt.queue.then(() => this.runUnlock(rt, pulseMs, opts.intentRecorded === true));
    rt.queue = run.catch(() => undefined);
    return run;
  }

  private async runUnlock(rt: DoorRt, pulseMs: number, intentRecorded: boolean): Promise<UnlockResult> {
    const door = rt.door;
    if (!this.running) return { door, outcome: 'unknown', reason: 'STOPPED' };
    // `already_open` must be about now, not about the last poll. A bus whose unlock reply carries the status as
    // the board took the command (a CU16 board that answers with a status frame) tells it with the pulse itself;
    // any other bus (or a board that only acknowledges) gets a fresh look first.
    const replyTells = this.bus.unlockReportsStatus?.(door) === true;
    if (!replyTells) await this.poll().catch(() => undefined);
    let wasOpen = rt.state === 'open' || (rt.state === 'unlocking' && rt.lastOpen === true);
    let release: () => void;
    try {
      release = await this.budget.acquire();
    } catch {
      return { door, outcome: 'unknown', reason: 'STOPPED' };
    }
    if (!this.running) {
      release();
      return { door, outcome: 'unknown', reason: 'STOPPED' };
    }
    const attempt: Attempt = { startedAt: Date.now(), pulseMs, goodReads: 0, seen: false, onSeen: undefined };
    rt.attempt = attempt;
    if (rt.state === 'closed') rt.state = 'unlocking';
    // On disk before the lock moves: a crash after the pulse must not turn this opening into a forced one at restart.
    // A caller that already has the unlock on disk (a command's pending mark, which the memory reads as `unlocking`)
    // spares this write.
    if (!intentRecorded) await this.remember(rt);
    this.log.debug({ door, pulseMs, wasOpen }, 'pulse');
    let reply: DoorReading[] | void;
    try {
      reply = await this.bus.unlock(door, pulseMs);
    } catch (err) {
      release();
      rt.attempt = undefined;
      if (rt.state === 'unlocking') rt.state = 'closed';
      void this.remember(rt);
      const code = err instanceof HalError ? err.code : 'DEVICE_ERROR';
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ door, code }, `unlock failed: ${message}`);
      this.emit('lock-fault', { door, at: Date.now(), code, message });
      return pulseNotSent(err) ? { door, outcome: 'unknown', reason: code } : { door, outcome: 'unknown', reason: code, pulseMs };
    }
    if (replyTells) {
      // Sampled as the board energised the solenoid, before the latch can move: what the door was before the pulse.
      // An unreadable or missing reading keeps the last known state.
      const reading = reply?.find((r) => r.door === door);
      const before = reading?.open;
      if (before === true || before === false) wasOpen = before;
      if (before === true && rt.state === 'unlocking') {
        // Open while we thought it latched: the next poll reports it as opened without an unlock (forced).
        rt.state = 'closed';
      } else if (before === false && rt.state === 'open' && reading) {
        // Shut since the last poll: record the close (a reading from before the pulse), then wait for the open.
        this.good(rt, false, reading.itemPresent, attempt.startedAt - 1, Date.now());
      }
    }
    // A board-timed pulse (CU16) is still running after the board confirmed: keep the slot.
    if (this.o.boardTimedPulses) this.after(pulseMs, release);
    else release();
    // Look again now rather than at the next idle poll: the caller is waiting to hear what the door did.
    if (!wasOpen) void this.poll().catch(() => undefined);

    if (wasOpen) {
      rt.attempt = undefined;
      return { door, outcome: 'already_open', pulseMs };
    }
    if (!attempt.seen) {
      await new Promise<void>((resolve) => {
        attempt.onSeen = resolve;
        const left = attempt.startedAt + this.o.jamWindowMs - Date.now();
        this.after(Math.max(0, left), resolve);
      });
    }
    if (rt.attempt === attempt) rt.attempt = undefined;
    if (attempt.seen) return { door, outcome: 'opened', pulseMs };
    if (!this.running) return { door, outcome: 'unknown', reason: 'STOPPED', pulseMs };
    if (rt.state === 'unlocking') rt.state = 'closed';
    void this.remember(rt);
    if (attempt.goodReads === 0) {
      // Not one good reading since the pulse: we cannot tell a jammed lock from a silent bus.
      return { door, outcome: 'unknown', reason: 'BUS_SILENT', pulseMs };
    }
    this.log.warn({ door, pulseMs }, 'door did not open after the unlock pulse: jammed');
    this.emit('door-jammed', { door, at: Date.now(), pulseMs });
    return { door, outcome: 'jammed', pulseMs };
  }

  /** One poll: a single read shared by everyone who asks while it is in flight. */
  private poll(): Promise<void> {
    if (this.inflight) return this.inflight;
    const startedAt = Date.now();
    const p = this.bus
      .readDoors()
      .then(
        (readings) => this.apply(readings, startedAt),
        (err: unknown) => this.applyFailure(err),
      )
      .finally(() => {
        this.inflight = undefined;
        this.schedule();
      });
    this.inflight = p;
    return p;
  }

  private schedule(): void {
    if (!this.running) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const waiting = [...this.doors.values()].some((rt) => rt.attempt !== undefined && !rt.attempt.seen);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.poll();
    }, waiting ? this.o.attemptPollMs : this.o.pollMs);
  }

  private apply(readings: DoorReading[], readStartedAt: number): void {
    const now = Date.now();
    const seen = new Set<number>();
    for (const r of readings) {
      const rt = this.doors.get(r.door);
      if (!rt) continue;
      seen.add(r.door);
      if (r.open === null) this.failed(rt, now);
      else this.good(rt, r.open, r.itemPresent, readStartedAt, now);
    }
    for (const rt of this.doors.values()) if (!seen.has(rt.door)) this.failed(rt, now);
  }

  private applyFailure(err: unknown): void {
    const now = Date.now();
    this.log.debug({ err }, 'door read failed');
    for (const rt of this.doors.values()) this.failed(rt, now);
  }

  private failed(rt: DoorRt, now: number): void {
    rt.failures++;
    if (rt.failures >= this.o.unknownAfterFailures && !rt.unknownReported) {
      rt.unknownReported = true;
      rt.state = 'unknown';
      this.log.warn({ door: rt.door, failures: rt.failures }, 'door state unknown');
      this.emit('door-unknown', { door: rt.door, at: now, consecutiveFailures: rt.failures });
    }
  }

  private good(rt: DoorRt, open: boolean, itemPresent: boolean | null, readStartedAt: number, now: number): void {
    rt.failures = 0;
    rt.unknownReported = false;
    rt.itemPresent = itemPresent;
    const attempt = rt.attempt;
    if (attempt && readStartedAt >= attempt.startedAt) attempt.goodReads++;
    const prev = rt.lastOpen;
    rt.lastOpen = open;

    if (prev !== undefined && prev !== open) this.noteChange(rt, now);
    else if (rt.flapping && now - rt.lastChangeAt >= this.o.flapWindowMs) {
      rt.flapping = false;
      rt.changes = [];
      this.log.info({ door: rt.door }, 'sensor settled');
      this.emit('sensor-settled', { door: rt.door, at: now });
    }

    if (open) {
      // Seen open by a read that started after the pulse: `opened`. (A door known to be open
      // before the pulse never gets here with an attempt waiting: that is `already_open`.)
      if (attempt && readStartedAt >= attempt.startedAt && !attempt.seen) {
        attempt.seen = true;
        attempt.onSeen?.();
      }
      if (rt.state === 'open') {
        this.checkLeftOpen(rt, now);
        return;
      }
      const fromState = rt.state;
      rt.state = 'open';
      rt.openSince = now;
      rt.leftOpenReported = false;
      if (rt.flapping) return;
      const stored = this.memory?.get(rt.door);
      void this.remember(rt);
      // First reading after start or after an unknown spell: take it as it is, no event, unless
      // an unlock is waiting for exactly this, or the door was closed when the controller stopped.
      if (prev === undefined || fromState === 'unknown') {
        if (attempt?.seen && readStartedAt >= attempt.startedAt) this.emit('door-opened', { door: rt.door, cause: 'unlock', at: now });
        else if (prev === undefined && !attempt && stored === 'closed') {
          this.log.warn({ door: rt.door }, 'door found open at start, closed when the controller stopped: forced');
          this.emit('door-opened', { door: rt.door, cause: 'forced', at: now });
          this.emit('door-forced', { door: rt.door, at: now });
        }
        return;
      }
      if (attempt) {
        this.emit('door-opened', { door: rt.door, cause: 'unlock', at: now });
      } else {
        this.log.warn({ door: rt.door }, 'door opened without an unlock: forced');
        this.emit('door-opened', { door: rt.door, cause: 'forced', at: now });
        this.emit('door-forced', { door: rt.door, at: now });
      }
    } else {
      if (rt.state === 'closed' || (rt.state === 'unlocking' && prev !== true)) return;
      const fromState = rt.state;
      const openMs = rt.openSince !== undefined ? now - rt.openSince : undefined;
      rt.state = attempt ? 'unlocking' : 'closed';
      rt.openSince = undefined;
      rt.leftOpenReported = false;
      void this.remember(rt);
      if (prev === undefined || fromState === 'unknown' || rt.flapping) return;
      this.emit('door-closed', { door: rt.door, at: now, openMs });
    }
  }

  /** Stores the door's settled state (an unknown door keeps what was stored). Never throws. */
  private async remember(rt: DoorRt): Promise<void> {
    if (!this.memory || rt.state === 'unknown') return;
    try {
      await this.memory.note(rt.door, rt.state);
    } catch (err) {
      this.log.warn({ err, door: rt.door }, 'could not store the door state');
    }
  }

  private noteChange(rt: DoorRt, now: number): void {
    rt.lastChangeAt = now;
    rt.changes.push(now);
    while (rt.changes.length > 0 && now - rt.changes[0]! > this.o.flapWindowMs) rt.changes.shift();
    if (!rt.flapping && rt.changes.length >= this.o.flapChanges) {
      rt.flapping = true;
      this.log.warn({ door: rt.door, changes: rt.changes.length }, 'door sensor flapping');
      this.emit('sensor-flapping', { door: rt.door, at: now, changes: rt.changes.length, windowMs: this.o.flapWindowMs });
    }
  }

  private checkLeftOpen(rt: DoorRt, now: number): void {
    if (rt.leftOpenReported || rt.flapping || rt.openSince === undefined) return;
    const openMs = now - rt.openSince;
    if (openMs >= this.o.leftOpenMs) {
      rt.leftOpenReported = true;
      this.log.warn({ door: rt.door, openMs }, 'door left open');
      this.emit('door-left-open', { door: rt.door, at: now, openMs });
    }
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private rt(door: number): DoorRt {
    const rt = this.doors.get(door);
    if (!rt) throw new DoorError('UNKNOWN_DOOR', `door ${door} is not on this controller`);
    return rt;
  }
}
