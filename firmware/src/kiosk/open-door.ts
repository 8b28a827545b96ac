// "Open a door and show where it is": every flow opens its lockers through here, so the rules of an unlock (a door of
// another column only through the cloud and only online, the credential it is asked for, what a failure says) and the
// lines that tell the person where the open locker is are written once.
import { lockerWhere, msg, type MessageRef } from '../i18n/index.ts';
import type { KioskCore } from './core.ts';
import type { ReservationOverlay } from './overlay.ts';
import type { Pages } from './pages.ts';
import type { LockerState } from './view.ts';
import type { DoorOutcome } from '@portier/protocol';
import type { UnlockRequest } from './ports.ts';
import type { PageSpec } from './session.ts';

export interface OpenResult {
  door: number;
  outcome: DoorOutcome;
  ok: boolean;
}

/** What the opener uses of its neighbours: where a door is, the page on screen, and the door watch it tells. */
export interface DoorOpenerNeighbours {
  core: KioskCore;
  overlay: Pick<ReservationOverlay, 'doorInfo' | 'lockerOf'>;
  pages: Pick<Pages, 'spec'>;
  doors: {
    stateOf(door: number): LockerState | undefined;
    unlocked(door: number, outcome: DoorOutcome, remote: boolean): void;
  };
}

export class DoorOpener {
  constructor(private readonly k: DoorOpenerNeighbours) {}

  /** A door of another column that cannot be opened now: only the cloud opens it, and the kiosk is offline. */
  remoteUnreachable(door: number): boolean {
    return this.k.overlay.doorInfo(door)?.remote !== undefined && !this.k.core.statePort.isOnline();
  }

  /**
   * Unlocks one door and records its state. A door of another column is opened by the cloud, which checks
   * `credentialId` (by default the session's) against its own records: without one it is not even asked.
   */
  async unlock(door: number, purpose: UnlockRequest['purpose'], credentialId = this.k.core.session.credential?.credentialId): Promise<DoorOutcome> {
    const { core, overlay } = this.k;
    let outcome: DoorOutcome;
    const remote = overlay.doorInfo(door)?.remote !== undefined;
    if (remote && !core.statePort.isOnline()) {
      // Not even asked: a request queued in the outbox would reach the cloud long after the person left.
      core.log.info({ door }, 'door of another column while offline: not opened');
      outcome = 'unknown';
    } else {
      const request: UnlockRequest = {
        purpose,
        ...(credentialId !== undefined ? { credentialId } : {}),
        ...(core.session.actor ? { actor: core.session.actor } : {}),
      };
      try {
        outcome = await core.doorsPort.unlock(door, request);
      } catch (err) {
        core.log.error({ err, door }, 'unlock failed');
        outcome = 'unknown';
      }
    }
    const locker = overlay.lockerOf(door);
    this.k.doors.unlocked(door, outcome, remote);
    if (outcome === 'opened' || outcome === 'already_open') core.events.emit('door-opened', { door, locker, outcome });
    else core.events.emit('door-failed', { door, locker, outcome });
    return outcome;
  }

  /** Opens one door. */
  async open(door: number, purpose: UnlockRequest['purpose'], credentialId?: string): Promise<OpenResult> {
    const outcome = credentialId === undefined ? await this.unlock(door, purpose) : await this.unlock(door, purpose, credentialId);
    return { door, outcome, ok: outcome === 'opened' || outcome === 'already_open' };
  }

  /** Opens doors one after the other: those that opened, and a line for each that did not. */
  async openEach(doors: number[], purpose: UnlockRequest['purpose'], credentialId?: string): Promise<{ opened: number[]; failures: MessageRef[] }> {
    const opened: number[] = [];
    const failures: MessageRef[] = [];
    for (const d of doors) {
      const r = await this.open(d, purpose, credentialId);
      if (r.ok) opened.push(d);
      else failures.push(this.failureLine(d, r.outcome));
    }
    return { opened, failures };
  }

  /**
   * The page after opening one door: where it is and `then` (what to do) when it opened, why not otherwise. The door
   * is on the page, so its state is shown and its closing said.
   */
  doorPage(r: OpenResult, spec: Omit<PageSpec, 'lines' | 'error' | 'doors'>, then: MessageRef[]): PageSpec {
    return {
      ...spec,
      lines: r.ok ? [...this.openedLines([r.door]), ...then] : [],
      doors: [r.door],
      ...(r.ok ? {} : { error: this.failureLine(r.door, r.outcome) }),
    };
  }

  failureLine(door: number, outcome: DoorOutcome): MessageRef {
    const locker = this.k.overlay.lockerOf(door);
    if (this.remoteUnreachable(door)) return msg('error.remoteOffline', { locker });
    return msg(outcome === 'jammed' ? 'error.doorJammed' : 'error.doorUnknown', { locker });
  }

  /** "Open now: locker 12, ..." for each open door; a door seen shut since says so ("Locker 12 is closed."). */
  openedLines(doors: number[]): MessageRef[] {
    return doors.flatMap((d) => {
      const state = this.k.doors.stateOf(d);
      const info = this.k.overlay.doorInfo(d);
      if (state === 'open') return [info ? msg('locker.open', { where: lockerWhere(info) }) : msg('locker.closed', { locker: d })];
      return state === 'closed' ? [msg('locker.closed', { locker: info?.locker ?? d })] : [];
    });
  }

  /** The page's "Open now" line of a door that was just shut becomes "Locker 12 is closed.", seen and spoken. */
  markClosedOnPage(door: number): void {
    const { pages } = this.k;
    const info = this.k.overlay.doorInfo(door);
    if (!info || !pages.spec.lines) return;
    const isOpenLine = (l: MessageRef): boolean => l.key === 'locker.open' && (l.params?.['where'] as MessageRef | undefined)?.params?.['locker'] === info.locker;
    if (!pages.spec.lines.some(isOpenLine)) return;
    pages.spec = { ...pages.spec, lines: pages.spec.lines.map((l) => (isOpenLine(l) ? msg('locker.closed', { locker: info.locker }) : l)) };
  }
}
