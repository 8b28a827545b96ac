import { EventEmitter } from 'node:events';
import five, { type Board, type Pin } from 'johnny-five';
import type { Logger } from 'pino';
import { HalError } from '../errors.ts';
import { DebouncedLevel } from './debounced-level.ts';
import type { BusHealth, BusHealthState, DoorReading, LockBus, LockBusEventMap } from '../lock-bus.ts';
import { silentLogger } from '../../util/logger.ts';
import { bounded } from './bounded.ts';
import { PinMode, type IoPlugin } from './io-plugin.ts';

/** Captured at load, before any test fakes timers. */
const realSetImmediate = globalThis.setImmediate;

/** How one door is wired to the GPIO board. */
export interface GpioDoorPins {
  /** 1-based door number within the column. */
  door: number;
  /** Digital output driving the lock's solenoid driver (relay/MOSFET). */
  lockPin: number;
  /** Digital input reading the door's reed switch. */
  sensorPin: number;
  /** The driver energises the lock on LOW (safe level HIGH). Default `false`: HIGH energises, LOW is safe. */
  activeLow?: boolean;
  /** Input level when the door is open. Default 1 (reed switch opens, pull-up reads HIGH). */
  sensorOpenLevel?: 0 | 1;
}

export interface GpioBusOptions {
  /** A johnny-five IO plugin: `firmata-io` on a serial port, a Pi GPIO plugin, or the simulator's board. */
  io: IoPlugin;
  doors: GpioDoorPins[];
  /** Last line of defence: `unlock` refuses longer pulses (the door controller clamps before). */
  maxPulseMs: number;
  /** A sensor level must hold this long before it counts. Default 30 ms. */
  debounceMs?: number;
  /** Bound on waiting for the board to become ready and report every sensor. Default 5000 ms. */
  readyTimeoutMs?: number;
  /** Releases the transport (serial port) on `close()`; the bus drives outputs safe first. */
  closeTransport?: () => Promise<void>;
  logger?: Logger;
}

interface DoorIo {
  cfg: Required<Omit<GpioDoorPins, 'door'>> & { door: number };
  pin: Pin | undefined;
  /** The debounced sensor level. */
  sensor: DebouncedLevel;
  /** The pulse in progress on this door, if any. */
  pulse: { timer: NodeJS.Timeout; done: () => void } | undefined;
  /** Serialises unlocks of one door. */
  chain: Promise<void>;
  reader: ((value: number) => void) | undefined;
}

/**
 * A `LockBus` on digital pins through johnny-five: each lock is a digital output pulsed (active
 * level, timer, safe level), each door sensor a digital input debounced here.
 */
export class GpioBus extends EventEmitter<LockBusEventMap> implements LockBus {
  readonly kind = 'gpio' as const;
  readonly doors: readonly number[];
  private readonly io: IoPlugin;
  private readonly opts: GpioBusOptions;
  private readonly byDoor = new Map<number, DoorIo>();
  private readonly log: Logger;
  private board: Board | undefined;
  private state: 'new' | 'opening' | 'open' | 'closed' = 'new';
  private healthState: BusHealth = { state: 'ok', consecutiveFailures: 0 };
  private readonly onIoClose = (): void => this.lost('board connection closed');
  private readonly onIoError = (err: unknown): void => {
    const e = new HalError('TRANSPORT_ERROR', `GPIO board error: ${String((err as Error)?.message ?? err)}`);
    this.fail(e);
  };

  constructor(opts: GpioBusOptions) {
    super();
    if (!(opts.maxPulseMs > 0)) throw new HalError('PULSE_TOO_LONG', 'maxPulseMs must be positive');
    this.opts = opts;
    this.io = opts.io;
    this.log = (opts.logger ?? silentLogger).child({ module: 'hal/gpio' });
    const pins = new Set<number>();
    for (const d of opts.doors) {
      for (const p of [d.lockPin, d.sensorPin]) {
        if (pins.has(p)) throw new HalError('UNKNOWN_DOOR', `pin ${p} is used twice in the door map`);
        pins.add(p);
      }
      if (this.byDoor.has(d.door)) throw new HalError('UNKNOWN_DOOR', `door ${d.door} appears twice in the door map`);
      this.byDoor.set(d.door, {
        cfg: { door: d.door, lockPin: d.lockPin, sensorPin: d.sensorPin, activeLow: d.activeLow ?? false, sensorOpenLevel: d.sensorOpenLevel ?? 1 },
        pin: undefined,
        sensor: new DebouncedLevel(this.opts.debounceMs ?? 30),
        pulse: undefined,
        chain: Promise.resolve(),
        reader: undefined,
      });
    }
    this.doors = [...this.byDoor.keys()].sort((a, b) => a - b);
  }

  async open(): Promise<void> {
    if (this.state === 'open') return;
    if (this.state === 'closed') throw new HalError('BUS_CLOSED', 'bus is closed');
    if (this.state === 'opening') throw new HalError('DEVICE_ERROR', 'open() already in progress');
    this.state = 'opening';
    const timeoutMs = this.opts.readyTimeoutMs ?? 5000;
    try {
      this.board = await this.connectBoard(timeoutMs);
      // Safety first: every lock output to its safe level before anything else touches the board.
      for (const d of this.byDoor.values()) {
        const safe = d.cfg.activeLow ? 1 : 0;
        // Pre-load the output latch so switching the pin to OUTPUT cannot glitch to the active level.
        this.io.digitalWrite(d.cfg.lockPin, safe);
        d.pin = new five.Pin({ pin: d.cfg.lockPin, type: 'digital', mode: PinMode.OUTPUT, board: this.board });
        d.pin.write(safe);
      }
      this.io.on('close', this.onIoClose);
      this.io.on('disconnect', this.onIoClose);
      this.io.on('error', this.onIoError);
      const firstReadings: Array<Promise<void>> = [];
      for (const d of this.byDoor.values()) {
        this.io.pinMode(d.cfg.sensorPin, PinMode.INPUT);
        firstReadings.push(
          new Promise<void>((resolve) => {
            d.reader = (value: number) => {
              d.sensor.feed(value);
              resolve();
            };
            this.io.digitalRead(d.cfg.sensorPin, d.reader);
          }),
        );
      }
      await bounded(Promise.all(firstReadings), timeoutMs, 'first readings of the door inputs').catch(() => {
        this.log.warn('not every door sensor reported within %d ms', timeoutMs);
      });
      this.state = 'open';
      this.log.info({ doors: this.doors }, 'gpio lock bus open, outputs safe');
    } catch (err) {
      this.state = 'new';
      await this.safe();
      throw err instanceof HalError ? err : new HalError('TRANSPORT_ERROR', `GPIO board failed: ${(err as Error).message}`);
    }
  }

  async unlock(door: number, pulseMs: number): Promise<void> {
    if (this.state !== 'open') throw new HalError('BUS_CLOSED', 'bus is not open');
    const d = this.byDoor.get(door);
    if (!d) throw new HalError('UNKNOWN_DOOR', `door ${door} is not on this bus`, { door });
    if (!(pulseMs > 0) || pulseMs > this.opts.maxPulseMs) {
      throw new HalError('PULSE_TOO_LONG', `pulse ${pulseMs} ms outside 1..${this.opts.maxPulseMs} ms`, { door, pulseMs });
    }
    if (this.healthState.state === 'down') throw new HalError('BUS_TIMEOUT', 'GPIO board is not connected', { door });
    const run = d.chain.then(() => this.pulse(d, pulseMs));
    d.chain = run.catch(() => undefined);
    return run;
  }

  async readDoors(): Promise<DoorReading[]> {
    if (this.state !== 'open') throw new HalError('BUS_CLOSED', 'bus is not open');
    if (this.healthState.state === 'down') throw new HalError('BUS_TIMEOUT', 'GPIO board is not connected');
    return this.doors.map((n) => {
      const d = this.byDoor.get(n)!;
      return { door: n, open: d.sensor.stable === undefined ? null : d.sensor.stable === d.cfg.sensorOpenLevel, itemPresent: null };
    });
  }

  async safe(): Promise<void> {
    for (const d of this.byDoor.values()) {
      if (d.pulse) {
        clearTimeout(d.pulse.timer);
        const done = d.pulse.done;
        d.pulse = undefined;
        done();
      }
      try {
        const safe = d.cfg.activeLow ? 1 : 0;
        if (d.pin) d.pin.write(safe);
        else if (this.board) this.io.digitalWrite(d.cfg.lockPin, safe);
      } catch (err) {
        this.log.error({ err, door: d.cfg.door }, 'could not drive lock output safe');
      }
    }
    await this.flush(500);
  }

  /**
   * Waits (bounded) until the IO plugin has handed every write to the transport: firmata-io
   * counts writes in flight in `pending`. Without this, a process exiting right after `safe()`
   * could drop the very bytes that release a lock.
   */
  private async flush(maxTurns: number): Promise<void> {
    const io = this.io as IoPlugin & { pending?: number };
    // Event-loop turns, not timers: a shutdown must not wait on a clock (fake timers in tests, a
    // stalled timer queue in production). Each turn lets pending write callbacks run.
    for (let i = 0; i < maxTurns && typeof io.pending === 'number' && io.pending > 0; i++) {
      await new Promise((r) => realSetImmediate(r));
    }
  }

  health(): BusHealth {
    return { ...this.healthState };
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state !== 'new' || this.board !== undefined;
    this.state = 'closed';
    if (wasOpen) await this.safe();
    for (const d of this.byDoor.values()) {
      d.sensor.cancel();
      if (d.reader) {
        try {
          this.io.reportDigitalPin?.(d.cfg.sensorPin, 0);
        } catch {
          // the board may be gone already
        }
        this.io.removeListener(`digital-read-${d.cfg.sensorPin}`, d.reader);
      }
    }
    this.io.off('close', this.onIoClose);
    this.io.off('disconnect', this.onIoClose);
    this.io.off('error', this.onIoError);
    this.board?.removeAllListeners();
    if (this.opts.closeTransport) {
      await this.opts.closeTransport().catch((err: unknown) => this.log.warn({ err }, 'closing the transport failed'));
    }
  }

  private connectBoard(timeoutMs: number): Promise<Board> {
    return new Promise((resolve, reject) => {
      // repl/debug/sigint off: the library must not own stdin, stdout or the process (STYLE.md).
      const board = new five.Board({ io: this.io, repl: false, debug: false, sigint: false, timeout: timeoutMs });
      const timer = setTimeout(() => {
        cleanup();
        reject(new HalError('BUS_TIMEOUT', `GPIO board not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = (): void => {
        cleanup();
        // Board re-emits io errors; an EventEmitter without an 'error' listener would throw.
        board.on('error', (err: unknown) => this.onIoError(err));
        resolve(board);
      };
      const onError = (err: unknown): void => {
        cleanup();
        reject(new HalError('TRANSPORT_ERROR', `GPIO board failed: ${String((err as Error)?.message ?? err)}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        board.off('ready', onReady);
        board.off('error', onError);
        this.io.off('error', onError);
      };
      board.once('ready', onReady);
      board.once('error', onError);
      // Transport errors before ready (no such serial port) arrive on the IO plugin only.
      this.io.on('error', onError);
    });
  }

  private pulse(d: DoorIo, pulseMs: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new HalError('BUS_CLOSED', 'bus closed before the pulse'));
    const active = d.cfg.activeLow ? 0 : 1;
    const safe = 1 - active;
    return new Promise<void>((resolve, reject) => {
      try {
        d.pin!.write(active);
      } catch (err) {
        const e = new HalError('TRANSPORT_ERROR', `could not energise lock ${d.cfg.door}: ${(err as Error).message}`, { door: d.cfg.door });
        this.fail(e);
        reject(e);
        return;
      }
      const done = (): void => {
        try {
          d.pin!.write(safe);
        } catch (err) {
          this.log.error({ err, door: d.cfg.door }, 'could not release lock output');
        }
        resolve();
      };
      d.pulse = {
        timer: setTimeout(() => {
          d.pulse = undefined;
          done();
        }, pulseMs),
        done,
      };
      this.succeed();
    });
  }

  private lost(reason: string): void {
    this.fail(new HalError('BOARD_SILENT', reason));
    this.setHealth('down');
  }

  private fail(err: HalError): void {
    this.healthState = {
      ...this.healthState,
      consecutiveFailures: this.healthState.consecutiveFailures + 1,
      lastError: { code: err.code, message: err.message, at: Date.now() },
    };
    this.log.warn({ code: err.code }, err.message);
    if (this.listenerCount('error') > 0) this.emit('error', err);
    if (this.healthState.state === 'ok') this.setHealth('degraded');
  }

  private succeed(): void {
    if (this.healthState.consecutiveFailures === 0) return;
    this.healthState = { ...this.healthState, consecutiveFailures: 0 };
    if (this.healthState.state === 'degraded') this.setHealth('ok');
  }

  private setHealth(state: BusHealthState): void {
    if (this.healthState.state === state) return;
    this.healthState = { ...this.healthState, state };
    this.emit('health', this.health());
  }
}
