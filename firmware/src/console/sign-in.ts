// Signing a technician in and keeping the session signed in only while it is used: the PIN check goes through the
// controller's one sign-in throttle (throttle.ts, shared by every console of the controller), a wrong PIN is reported
// to the cloud as a `login-failure` event (never the PIN itself), and the idle timer signs a quiet session out.
import type { EventBody } from '@portier/protocol';
import type { Logger } from 'pino';
import type { ConsoleBackend } from './backend.ts';
import { verifyTechnicianPin } from './config-section.ts';
import { formatDuration } from './render.ts';
import type { SignInThrottle } from './throttle.ts';

export interface PinSignInOptions {
  throttle: SignInThrottle;
  pinHash: string;
  now(): number;
  /** Writes text to the technician's terminal. */
  print(text: string): void;
  backend: Pick<ConsoleBackend, 'publishEvent'>;
  log: Logger;
}

/** One PIN attempt at a time, under the throttle. */
export class PinSignIn {
  constructor(private readonly o: PinSignInOptions) {}

  /**
   * Checks one typed PIN: true when it is right (the throttle is cleared). A PIN typed too soon after a wrong one, or
   * during a lock-out, is refused without being checked. `stillOpen` is asked after the slow hash check: a session
   * closed meanwhile counts no failure and prints nothing.
   */
  async attempt(pin: string, stillOpen: () => boolean): Promise<boolean> {
    const gate = this.o.throttle.check();
    if (gate.state !== 'ok') {
      const s = Math.ceil((gate.until - this.o.now()) / 1000);
      this.o.print(gate.state === 'locked' ? `Console locked: try again in ${s} s.\n` : `Too soon after a wrong PIN: wait ${s} s.\n`);
      this.o.log.warn({ state: gate.state }, 'PIN refused without checking');
      return false;
    }
    const ok = await verifyTechnicianPin(pin, this.o.pinHash);
    if (!stillOpen()) return false;
    if (ok) {
      this.o.throttle.succeed();
      return true;
    }
    const f = this.o.throttle.fail();
    const body: EventBody = { type: 'login-failure', method: 'console', attempts: f.failures };
    if (f.lockedUntil !== undefined) body.lockedOutUntil = f.lockedUntil;
    this.o.log.warn({ attempts: f.failures, lockedOutUntil: f.lockedUntil }, 'wrong technician PIN');
    void this.o.backend.publishEvent(body);
    if (f.lockedUntil !== undefined) {
      this.o.print(`Wrong PIN. Too many failures: console locked for ${formatDuration(f.delayMs / 1000)}.\n`);
    } else {
      this.o.print(`Wrong PIN. Wait ${formatSeconds(f.delayMs)} before the next try.\n`);
    }
    return false;
  }
}

/**
 * Signs a session out after `idleMs` without input. A command still running (a lock test) counts as activity: the
 * timer is armed again instead.
 */
export class IdleSignOut {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly busy: () => boolean,
    private readonly onIdle: () => void,
  ) {}

  /** Input arrived: the idle time starts again. */
  touch(): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.busy()) {
        this.touch();
        return;
      }
      this.onIdle();
    }, this.idleMs);
    this.timer.unref?.();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The line shown once signed in. */
export function signedInLine(idleTimeoutS: number): string {
  return `Signed in. Type "help" for commands. Idle sign-out after ${formatDuration(idleTimeoutS)}.\n`;
}

/** The line shown on sign-out. */
export function signedOutLine(reason: 'user' | 'idle' | 'eof', idleTimeoutS: number): string {
  return reason === 'idle' ? `\nSigned out after ${formatDuration(idleTimeoutS)} without input.\n` : 'Signed out.\n';
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
