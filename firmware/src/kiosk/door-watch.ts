// Door watching: the state of each door the kiosk opened, the kiosk's own "left open" supervision, doors of other
// columns presumed shut after a while (their own column reports them), and what a door event changes on screen.
import { lockerWhere, msg, type MessageRef } from '../i18n/index.ts';
import type { KioskCore } from './core.ts';
import type { DoorOpener } from './open-door.ts';
import type { ReservationOverlay } from './overlay.ts';
import type { Pages } from './pages.ts';
import type { DoorOutcome } from '@portier/protocol';
import type { KioskDoorEvent, TimerHandle } from './ports.ts';
import type { LockerState } from './view.ts';

/** What the door watch uses of its neighbours: where a door is, the page on screen, and the pickup page it redraws. */
export interface DoorWatchNeighbours {
  core: KioskCore;
  overlay: Pick<ReservationOverlay, 'doorInfo'>;
  pages: Pick<Pages, 'spec' | 'warning' | 'emitScreen'>;
  opener: Pick<DoorOpener, 'markClosedOnPage'>;
  pickup: { showPickupPage(failures: MessageRef[], change?: 'page' | 'update'): void };
}

export class DoorWatch {
  private readonly state = new Map<number, LockerState>();
  private readonly leftOpenTimers = new Map<number, TimerHandle>();
  /**
   * Doors of other columns (opened by the cloud) are taken as closed after the "return to home after pickup" time:
   * the kiosk never gets door events for them (their own column supervises and reports them).
   */
  private readonly remoteCloseTimers = new Map<number, TimerHandle>();
  private readonly leftOpenWarned = new Set<number>();
  private readonly openedAt = new Map<number, number>();

  constructor(private readonly k: DoorWatchNeighbours) {}

  stateOf(door: number): LockerState | undefined {
    return this.state.get(door);
  }

  isOpen(door: number): boolean {
    return this.state.get(door) === 'open';
  }

  /** An unlock answered: an opened door is watched (left open, or presumed shut later for another column's). */
  unlocked(door: number, outcome: DoorOutcome, remote: boolean): void {
    if (outcome === 'opened' || outcome === 'already_open') {
      this.state.set(door, 'open');
      this.openedAt.set(door, this.k.core.now());
      if (remote) this.presumeClosedLater(door);
      else this.superviseOpenDoor(door);
    } else {
      this.state.set(door, outcome === 'jammed' ? 'jammed' : 'unknown');
    }
  }

  /** Clears every timer (the engine stops). */
  stop(): void {
    for (const t of this.leftOpenTimers.values()) this.k.core.cancel(t);
    this.leftOpenTimers.clear();
    for (const t of this.remoteCloseTimers.values()) this.k.core.cancel(t);
    this.remoteCloseTimers.clear();
  }

  private presumeClosedLater(door: number): void {
    const core = this.k.core;
    core.cancel(this.remoteCloseTimers.get(door));
    const ms = core.currentTimers().returnHomeAfterPickupS * 1000;
    this.remoteCloseTimers.set(
      door,
      core.timers.setTimeout(() => {
        this.remoteCloseTimers.delete(door);
        void core.run(() => this.onDoorEvent({ type: 'door-closed', door }));
      }, ms),
    );
  }

  private superviseOpenDoor(door: number): void {
    const core = this.k.core;
    core.cancel(this.leftOpenTimers.get(door));
    this.leftOpenWarned.delete(door);
    const ms = core.currentTimers().doorLeftOpenS * 1000;
    this.leftOpenTimers.set(
      door,
      core.timers.setTimeout(() => {
        this.leftOpenTimers.delete(door);
        void core.run(() => this.doorLeftOpen(door, true));
      }, ms),
    );
  }

  private async doorLeftOpen(door: number, ownTimer: boolean): Promise<void> {
    if (this.state.get(door) !== 'open' || this.leftOpenWarned.has(door)) return;
    this.leftOpenWarned.add(door);
    const { core, pages } = this.k;
    const info = this.k.overlay.doorInfo(door);
    const message = msg('warning.doorLeftOpen', { where: info ? lockerWhere(info) : String(door) });
    pages.warning = message;
    core.events.emit('warning', { kind: 'door-left-open', door, locker: info?.locker ?? door, message });
    if (ownTimer && core.reportLeftOpen) {
      const openFor = core.now() - (this.openedAt.get(door) ?? core.now());
      await core.publish({ type: 'door-left-open', door, openForMs: Math.max(0, openFor) });
    }
    pages.emitScreen('update');
  }

  async onDoorEvent(e: KioskDoorEvent): Promise<void> {
    if (e.type === 'door-left-open') return this.doorLeftOpen(e.door, false);
    if (e.type === 'door-opened') {
      this.state.set(e.door, 'open');
      return;
    }
    // door-closed
    const { pages } = this.k;
    this.state.set(e.door, 'closed');
    this.k.core.cancel(this.leftOpenTimers.get(e.door));
    this.leftOpenTimers.delete(e.door);
    const warned = this.leftOpenWarned.delete(e.door);
    if (warned && ![...this.leftOpenWarned].length) pages.warning = undefined;
    if (pages.spec.doors?.includes(e.door) || warned) {
      if (pages.spec.page === 'pickup') this.k.pickup.showPickupPage([], 'update');
      else {
        this.k.opener.markClosedOnPage(e.door);
        pages.emitScreen('update');
      }
    }
  }
}
