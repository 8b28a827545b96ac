// Staff chores: removing expired packages (and day-use storage whose time is over), and putting lockers out of or
// back in service.
import type { DesiredReservation, ServiceState } from '@portier/protocol';
import { msg, type MessageRef } from '../../i18n/index.ts';
import type { KioskCore } from '../core.ts';
import type { DoorOpener } from '../open-door.ts';
import type { ReservationOverlay } from '../overlay.ts';
import type { Pages } from '../pages.ts';

/** What the staff chores use of their neighbours: reservations and service states, pages, opener, and the way back. */
export interface ExpiredAndServiceNeighbours {
  core: KioskCore;
  overlay: Pick<ReservationOverlay, 'reservations' | 'removeReservation' | 'allDoors' | 'doorInfo' | 'setService'>;
  pages: Pick<Pages, 'ctx' | 'notice' | 'show' | 'setError' | 'numbered' | 'lockerLine'>;
  opener: Pick<DoorOpener, 'openEach' | 'openedLines'>;
  staff: { showStaffMenu(welcome?: boolean): void };
  storage: { forget(id: string): void };
}

export class ExpiredAndServiceFlow {
  constructor(private readonly k: ExpiredAndServiceNeighbours) {}

  onSelect(page: 'expired' | 'service-locker', id: string): Promise<void> | void {
    if (page === 'expired') {
      if (id === 'open-all') return this.removeExpired();
      return;
    }
    if (id === 'set-out' || id === 'set-in') return this.setService(this.k.pages.ctx.door as number, id === 'set-out' ? 'out-of-service' : 'in-service');
  }

  private expiredReservations(): DesiredReservation[] {
    const now = this.k.core.now();
    return this.k.overlay
      .reservations()
      .filter((r) => r.status === 'expired' || (r.kind === 'package' && r.status === 'occupied' && r.endsAt !== undefined && r.endsAt <= now));
  }

  showExpired(): void {
    const { pages } = this.k;
    const list = this.expiredReservations();
    const doors = [...new Set(list.map((r) => r.door))].sort((a, b) => a - b);
    pages.show({
      page: 'expired',
      title: msg('expired.title'),
      lines: list.length ? [msg('expired.count', { count: list.length }), ...doors.map((d) => pages.lockerLine(d))] : [msg('error.nothing')],
      options: pages.numbered([...(list.length ? [{ id: 'open-all', label: msg('expired.openAll') }] : []), { id: 'back', label: msg('menu.back') }]),
      doors,
    });
  }

  private async removeExpired(): Promise<void> {
    const { core, overlay, pages, opener } = this.k;
    const list = this.expiredReservations();
    const doors = [...new Set(list.map((r) => r.door))].sort((a, b) => a - b);
    const { opened, failures } = await opener.openEach(doors, 'expired-removal');
    const error: MessageRef | undefined = failures[0];
    const done = list.filter((r) => opened.includes(r.door));
    if (opened.length) {
      await core.transaction('expired-removal', opened, done.map((r) => r.id), done.flatMap((r) => r.trackingIds));
      for (const r of done) {
        overlay.removeReservation(r.id);
        this.k.storage.forget(r.id);
      }
    }
    pages.show({
      page: 'expired',
      title: msg('expired.title'),
      lines: [...opener.openedLines(opened), ...(opened.length ? [msg('expired.take')] : [])],
      options: pages.numbered([{ id: 'back', label: msg('menu.back') }]),
      doors,
      ...(error ? { error } : {}),
    });
  }

  showService(): void {
    this.k.pages.show({
      page: 'service',
      title: msg('service.title'),
      lines: [msg('service.prompt')],
      input: { kind: 'digits', masked: false, minLength: 1, maxLength: 4 },
      options: [{ id: 'back', label: msg('menu.back') }],
      ctx: { entry: 'locker' },
    });
  }

  onServiceLocker(locker: number): void {
    const { overlay, pages } = this.k;
    const d = overlay.allDoors().find((x) => x.locker === locker);
    if (!d) return pages.setError(msg('error.lockerUnknown', { locker }));
    const out = d.service === 'out-of-service';
    pages.show({
      page: 'service-locker',
      title: msg('service.title'),
      lines: [msg('service.state', { locker, state: msg(`service.${d.service}`) }), pages.lockerLine(d.door)],
      options: pages.numbered([
        out ? { id: 'set-in', label: msg('service.setIn') } : { id: 'set-out', label: msg('service.setOut') },
        { id: 'back', label: msg('menu.back') },
      ]),
      doors: [d.door],
      ctx: { door: d.door },
    });
  }

  private async setService(door: number, state: ServiceState): Promise<void> {
    const { core, overlay, pages } = this.k;
    const d = overlay.doorInfo(door);
    if (!d) return this.k.staff.showStaffMenu();
    overlay.setService(door, state);
    await core.publish({
      type: 'service-changed',
      door,
      state,
      actor: core.session.actor ?? { role: 'operator' },
      reason: 'kiosk',
    });
    pages.notice = [msg('service.changed', { locker: d.locker, state: msg(`service.${state}`) })];
    this.k.staff.showStaffMenu();
  }
}
