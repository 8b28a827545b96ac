import type { LockBus } from '../hal/lock-bus.ts';
import type { Logger } from 'pino';
import type { DoorMemoryPort } from './door-memory.ts';

/** How a door controller is set up (the column's `hardware.doors` configuration, the bus, its memory). */
export interface DoorControllerOptions {
  bus: LockBus;
  /** Upper bound on any pulse; at most HARD_MAX_PULSE_MS. */
  maxPulseMs: number;
  /** Default pulse length (clamped to maxPulseMs). Default 500 ms. */
  pulseMs?: number;
  /** Power budget: locks energised at once. Default 1. */
  maxConcurrentPulses?: number;
  /** Sensor poll interval. Default 100 ms. */
  pollMs?: number;
  /**
   * Poll interval while an unlock waits to see its door open (default min(pollMs, 10) ms): the caller of a remote
   * open waits for this, so it must not wait a whole idle poll period.
   */
  attemptPollMs?: number;
  /** From the start of a pulse, how long the door has to be seen open before it counts as jammed. Default 2000 ms. */
  jamWindowMs?: number;
  /** An open door is reported left open after this long. Default 120000 ms. */
  leftOpenMs?: number;
  /** A sensor that changes this many times... Default 6. */
  flapChanges?: number;
  /** ...within this window is flapping. Default 5000 ms. */
  flapWindowMs?: number;
  /** A door turns unknown after this many failed reads in a row. Default 3. */
  unknownAfterFailures?: number;
  /**
   * The boards time each pulse themselves (CU16): `unlock` resolves when the board confirmed, and
   * the lock stays energised for the pulse length after that, so the power-budget slot is held
   * that long after the confirmation. Default: `true` for `kerong-cu16`, `false` for `gpio` (its
   * unlock resolves when the pulse is over).
   */
  boardTimedPulses?: boolean;
  /**
   * The last known state of each door, kept across restarts: a door found open at start that was closed when the
   * controller stopped is reported forced. Without it the first reading after start raises no event.
   */
  memory?: DoorMemoryPort;
  logger?: Logger;
}
