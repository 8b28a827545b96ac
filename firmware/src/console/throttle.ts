import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileDurably } from './config-file.ts';

/** What the throttle remembers across a restart of the daemon. */
export interface ThrottleState {
  failures: number;
  lockedUntil: number;
}

/** Where the throttle keeps its state, so power-cycling the controller does not lift a lock-out. */
export interface ThrottleStore {
  load(): ThrottleState | undefined;
  save(state: ThrottleState): void;
}

const stateSchema = z.object({ failures: z.number().int().min(0).max(1000), lockedUntil: z.number().int().min(0) });

/**
 * Keeps the throttle state in a small JSON file (written durably, in the background). A missing
 * or unreadable file is a fresh start: the console must never refuse to start over it.
 */
export class FileThrottleStore implements ThrottleStore {
  private chain: Promise<void> = Promise.resolve();
  constructor(
    readonly path: string,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  load(): ThrottleState | undefined {
    try {
      const r = stateSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      return r.success ? r.data : undefined;
    } catch {
      return undefined;
    }
  }

  save(state: ThrottleState): void {
    const text = `${JSON.stringify(state)}\n`;
    this.chain = this.chain.then(() => writeFileDurably(this.path, text)).catch((err: Error) => this.onError(err));
  }

  /** Resolves when every save so far is on disk. */
  flush(): Promise<void> {
    return this.chain;
  }
}

/**
 * Sign-in throttle of the technician console: after each wrong PIN the next attempt waits
 * `failureDelayMs * 2^(failures-1)`; after `maxFailures` in a row every PIN is refused for
 * `lockoutS`, and after a lock-out the next wrong PIN locks again at once. One throttle is shared
 * by every console session of a controller (serial and stdio), so unplugging the cable or opening
 * a new session does not reset it; with a `store`, a restart does not either.
 */
export class SignInThrottle {
  private failures = 0;
  private notBefore = 0;
  private lockedUntilMs = 0;

  constructor(
    private readonly o: { maxFailures: number; failureDelayMs: number; lockoutS: number; store?: ThrottleStore },
    private readonly now: () => number = Date.now,
  ) {
    const saved = o.store?.load();
    if (saved) {
      this.failures = Math.min(saved.failures, o.maxFailures - 1);
      // A Pi without a real-time clock may boot with its clock far behind: never lock longer than one lock-out.
      this.lockedUntilMs = Math.min(saved.lockedUntil, this.now() + o.lockoutS * 1000);
    }
  }

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
      this.failures = this.o.maxFailures - 1;
      this.notBefore = 0;
      this.persist();
      return { failures, lockedUntil: this.lockedUntilMs, delayMs: this.o.lockoutS * 1000 };
    }
    const delayMs = this.o.failureDelayMs * 2 ** (this.failures - 1);
    this.notBefore = t + delayMs;
    this.persist();
    return { failures: this.failures, delayMs };
  }

  /** A right PIN clears everything. */
  succeed(): void {
    const had = this.failures > 0 || this.lockedUntilMs > 0;
    this.failures = 0;
    this.notBefore = 0;
    this.lockedUntilMs = 0;
    if (had) this.persist();
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  private persist(): void {
    this.o.store?.save({ failures: this.failures, lockedUntil: this.lockedUntilMs });
  }
}
