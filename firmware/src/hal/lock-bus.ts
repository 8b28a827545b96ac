import type { EventEmitter } from 'node:events';
import type { HalError } from './errors.ts';

/**
 * One reading of one door, as the lock hardware reports it.
 * Door numbers are 1-based and unique within a column (the controller's door map turns them
 * into bank-wide locker numbers).
 */
export interface DoorReading {
  /** 1-based door number within this column. */
  door: number;
  /** `true` when the door sensor reads open, `false` closed, `null` when it could not be read. */
  open: boolean | null;
  /** `true` when the item-present (infrared) sensor sees something, `null` when there is none or it could not be read. */
  itemPresent: boolean | null;
}

/** How well the bus answers. `degraded`: some reads failed recently; `down`: nothing answers. */
export type BusHealthState = 'ok' | 'degraded' | 'down';

export interface BusHealth {
  state: BusHealthState;
  /** Consecutive failed exchanges (reads or unlocks) since the last success. */
  consecutiveFailures: number;
  /** Last error seen, if any. */
  lastError?: { code: string; message: string; at: number };
  /** Per-board detail for buses with several boards (CU16: address 0..9, with the protocol dialect the board speaks). */
  boards?: Array<{ address: number; state: BusHealthState; consecutiveFailures: number; dialect?: string }>;
  /** Buses on a serial port: `closed` while the port is away (the bus is then `down` and reopens it by itself). */
  port?: 'open' | 'closed';
}

export interface LockBusEventMap {
  /** The bus health changed state (ok -> degraded -> down and back). */
  health: [BusHealth];
  /** A non-fatal error: bad checksum, garbage, a silent board. Never thrown out of an event. */
  error: [HalError];
}

/**
 * The lock bus: energises lock solenoids and reads door and item-present sensors.
 *
 * Adapters: `gpio` (johnny-five IO plugin) and `kerong-cu16` (RS-485 lock boards).
 * Safety policy (max pulse, power budget) is the firmware's job, above this interface; an adapter
 * still refuses a pulse longer than its configured `maxPulseMs` as a last line of defence.
 */
export interface LockBus extends EventEmitter<LockBusEventMap> {
  /** Which adapter this is. */
  readonly kind: 'gpio' | 'kerong-cu16';
  /**
   * `true` when `unlock(door)` is known to resolve with the sensor readings the hardware took as it accepted the
   * command (a CU16 board that answers an unlock with the status of its 16 locks, sampled before a latch can have
   * moved). The door controller then needs no status read of its own before the pulse to know whether the door was
   * already open. Absent or `false`: the controller reads the doors first.
   */
  unlockReportsStatus?(door: number): boolean;
  /** The door numbers this bus drives, ascending. */
  readonly doors: readonly number[];
  /** Opens the transport and drives every lock output to its safe (de-energised) level. */
  open(): Promise<void>;
  /**
   * Energises the lock of `door` for `pulseMs` and resolves when the pulse is over (GPIO) or the
   * board confirmed the command (CU16, which times the pulse itself). Rejects with a HalError
   * (`BUS_TIMEOUT`, `UNKNOWN_DOOR`, `PULSE_TOO_LONG`, `BUS_CLOSED`...) when it failed; `pulseNotSent(err)` tells
   * that nothing reached the hardware (unknown door, pulse too long, bus or serial port closed, write failed).
   * It may resolve with the readings of the doors the reply covered (see `unlockReportsStatus`).
   */
  unlock(door: number, pulseMs: number): Promise<DoorReading[] | void>;
  /** Reads every door once. Rejects with a HalError when the bus did not answer at all. */
  readDoors(): Promise<DoorReading[]>;
  /** Drives every lock output to its safe level now. Must not throw; best effort on a dead bus. */
  safe(): Promise<void>;
  /** Current health. */
  health(): BusHealth;
  /** Drives outputs safe and releases the transport. Idempotent. */
  close(): Promise<void>;
}
