// Staff at the kiosk: the staff menu, drop-off by tracking id (into the recipient's existing locker when the bank
// allows it), drop-off without reservation by size, the rear-loading shelf, and the carrier's delivery.
import type { DesiredReservation, LockerSize } from '@portier/protocol';
import { msg, type MessageRef } from '../../i18n/index.ts';
import type { KioskCore } from '../core.ts';
import type { FreeLockers } from '../free-lockers.ts';
import type { DoorOpener, OpenResult } from '../open-door.ts';
import type { ReservationOverlay } from '../overlay.ts';
import type { Pages } from '../pages.ts';
import type { TimerHandle } from '../ports.ts';
import type { ScreenOption } from '../view.ts';

/** The locker a staff member just filled, which the bank's reopen grace (`dropOffReopenGraceS`) lets them open again. */
interface Reopenable {
  door: number;
  reservationIds: string[];
  trackingIds: string[];
  until: number;
  timer: TimerHandle;
}

/** What the staff flow uses of its neighbours: reservations, free lockers, pages, the opener and the chores' pages. */
export interface StaffNeighbours {
  core: KioskCore;
  overlay: Pick<ReservationOverlay, 'reservations' | 'setReservation' | 'removeReservation' | 'allDoors' | 'doorInfo' | 'lockerOf'>;
  pages: Pick<Pages, 'spec' | 'ctx' | 'show' | 'replace' | 'setError' | 'numbered'>;
  opener: Pick<DoorOpener, 'open' | 'doorPage'>;
  free: Pick<FreeLockers, 'doors' | 'sizeOptions' | 'allowedDoor'>;
  expiredService: { showExpired(): void; showService(): void };
}

export class StaffFlow {
  private reopenable: Reopenable | undefined;

  constructor(private readonly k: StaffNeighbours) {}

  onSelect(page: 'staff-menu' | 'dropoff-tracking' | 'dropoff-existing' | 'dropoff-open' | 'choose-size', id: string): Promise<void> | void {
    const { pages, overlay } = this.k;
    const ctx = pages.ctx;
    switch (page) {
      case 'staff-menu':
        return this.onStaffOption(id);
      case 'dropoff-tracking':
        if (id === 'choose-size') return this.showChooseSize(ctx.mode ?? 'operator', ctx.tracking);
        return;
      case 'dropoff-existing': {
        const r = overlay.reservations().find((x) => x.id === ctx.reservationId);
        if (!r) return this.showStaffMenu();
        const door = id === 'existing' ? (ctx.existingDoor as number) : r.door;
        return this.dropOff(door, r, ctx.tracking, ctx.mode ?? 'operator');
      }
      case 'dropoff-open':
        if (id === 'next') return ctx.mode === 'carrier' ? this.showCarrier() : this.showDropoffTracking('operator');
        if (id === 'reopen') return this.reopen(ctx.door, ctx.mode ?? 'operator');
        return;
      case 'choose-size': {
        const size = id.replace(/^size-/, '') as LockerSize;
        const door = this.k.free.doors(size)[0];
        if (door === undefined) return pages.setError(msg('error.noLockers'));
        return this.dropOff(door, undefined, ctx.tracking, ctx.mode ?? 'operator');
      }
    }
  }

  showStaffMenu(welcome = false): void {
    const { core, pages } = this.k;
    const rules = core.rules();
    const opts: Array<{ id: string; label: MessageRef }> = [{ id: 'dropoff', label: msg('staff.dropoff') }];
    if (rules.noBarcodePackages) opts.push({ id: 'no-barcode', label: msg('staff.noBarcode') });
    opts.push(
      { id: 'choose-size', label: msg('staff.chooseSize') },
      { id: 'rear-shelf', label: msg('staff.rearShelf') },
      { id: 'remove-expired', label: msg('staff.removeExpired') },
      { id: 'service', label: msg('staff.service') },
      { id: 'sign-out', label: msg('session.signOut') },
    );
    const role = core.session.role ?? 'operator';
    pages.show({
      page: 'staff-menu',
      title: msg('staff.title'),
      lines: welcome ? [msg('staff.welcome', { role: msg(role === 'admin' ? 'role.admin' : role === 'carrier' ? 'role.carrier' : 'role.operator') })] : [],
      options: pages.numbered(opts),
    });
  }

  private onStaffOption(id: string): void | Promise<void> {
    const { pages } = this.k;
    switch (id) {
      case 'dropoff':
        return this.showDropoffTracking('operator');
      case 'no-barcode':
        return this.showChooseSize('operator', undefined);
      case 'choose-size':
        return this.showChooseSize('operator', undefined);
      case 'rear-shelf':
        return pages.show({ page: 'rear-shelf', title: msg('rearShelf.title'), lines: [msg('rearShelf.prompt')], options: [{ id: 'back', label: msg('menu.back') }] });
      case 'remove-expired':
        return this.k.expiredService.showExpired();
      case 'service':
        return this.k.expiredService.showService();
      default:
        return;
    }
  }

  showDropoffTracking(mode: 'operator' | 'carrier', welcome = false): void {
    const opts: ScreenOption[] = [];
    opts.push({ id: 'choose-size', label: msg('staff.chooseSize') });
    opts.push({ id: mode === 'carrier' ? 'sign-out' : 'back', label: msg(mode === 'carrier' ? 'session.signOut' : 'menu.back') });
    this.k.pages.show({
      page: 'dropoff-tracking',
      title: msg(mode === 'carrier' ? 'carrier.title' : 'dropoff.title'),
      lines: [
        ...(welcome ? [msg('staff.welcome', { role: msg('role.carrier') })] : []),
        msg('dropoff.prompt'),
      ],
      input: { kind: 'text', masked: false, minLength: 1, maxLength: 100 },
      options: opts,
      ctx: { entry: 'tracking', mode },
    });
  }

  showCarrier(welcome = false): void {
    this.showDropoffTracking('carrier', welcome);
  }

  async onTracking(tracking: string): Promise<void> {
    const { core, pages, overlay, free } = this.k;
    const mode = pages.ctx.mode ?? 'operator';
    const packages = overlay.reservations().filter((r) => r.kind === 'package' && r.trackingIds.includes(tracking));
    // A parcel the cloud added to the recipient's occupied locker (bank rule addToExistingLocker) is found there.
    const res = packages.find((r) => r.status === 'reserved') ?? packages.find((r) => r.status === 'occupied');
    if (!res) {
      pages.ctx = { ...pages.ctx, tracking };
      return pages.setError(msg('error.trackingUnknown', { tracking }));
    }
    if (!free.allowedDoor(res.door)) return pages.setError(msg('error.notAllowed'));
    if (core.rules().addToExistingLocker && res.status === 'reserved' && res.recipientId) {
      const existing = overlay
        .reservations()
        .find(
          (r) =>
            r.id !== res.id &&
            r.kind === 'package' &&
            r.status === 'occupied' &&
            r.recipientId === res.recipientId &&
            r.door !== res.door &&
            overlay.doorInfo(r.door)?.service === 'in-service' &&
            free.allowedDoor(r.door),
        );
      if (existing) {
        const exLocker = overlay.lockerOf(existing.door);
        const resLocker = overlay.lockerOf(res.door);
        return pages.show({
          page: 'dropoff-existing',
          title: msg('dropoff.existing.title'),
          lines: [msg('dropoff.existing.prompt', { locker: exLocker })],
          options: pages.numbered([
            { id: 'existing', label: msg('dropoff.existing.add', { locker: exLocker }) },
            { id: 'reserved', label: msg('dropoff.existing.reserved', { locker: resLocker }) },
            { id: 'back', label: msg('menu.back') },
          ]),
          doors: [existing.door, res.door],
          ctx: { mode, tracking, reservationId: res.id, existingDoor: existing.door },
        });
      }
    }
    return this.dropOff(res.door, res, tracking, mode);
  }

  private showChooseSize(mode: 'operator' | 'carrier', tracking: string | undefined): void {
    const { pages } = this.k;
    const sizes = this.k.free.sizeOptions();
    if (sizes.length === 0) return pages.setError(msg('error.noLockers'));
    pages.show({
      page: 'choose-size',
      title: msg('chooseSize.title'),
      lines: [msg('chooseSize.prompt')],
      options: pages.numbered([...sizes, { id: 'back', label: msg('menu.back') }]),
      ctx: { mode, ...(tracking !== undefined ? { tracking } : {}) },
    });
  }

  private async dropOff(door: number, res: DesiredReservation | undefined, tracking: string | undefined, mode: 'operator' | 'carrier'): Promise<void> {
    const { core, overlay, opener } = this.k;
    const o = await opener.open(door, mode === 'carrier' ? 'carrier-delivery' : 'drop-off');
    this.endReopen();
    if (o.ok) {
      const trackingIds = tracking ? [tracking] : [];
      await core.transaction(mode === 'carrier' ? 'carrier-delivery' : 'drop-off', [door], res ? [res.id] : [], trackingIds);
      this.offerReopen(door, res ? [res.id] : [], trackingIds);
      if (res) {
        const existing = overlay.reservations().find((r) => r.id !== res.id && r.door === door && r.status === 'occupied');
        if (existing) {
          // Added to the recipient's existing locker: one reservation holds both packages until the cloud says otherwise.
          overlay.setReservation({ ...existing, trackingIds: [...existing.trackingIds, ...trackingIds].slice(0, 50) });
          overlay.removeReservation(res.id);
        } else {
          overlay.setReservation({ ...res, door, status: 'occupied' });
        }
      } else {
        core.localSeq += 1;
        overlay.setReservation({ id: `local-${core.localSeq}`, kind: 'package', status: 'occupied', door, trackingIds });
      }
    }
    this.showDropoffOpen(o, mode);
  }

  private showDropoffOpen(o: OpenResult, mode: 'operator' | 'carrier'): void {
    const { pages, opener } = this.k;
    const page = { page: 'dropoff-open', title: msg(mode === 'carrier' ? 'carrier.title' : 'dropoff.title'), options: this.dropoffOpenOptions(mode), ctx: { mode, door: o.door } } as const;
    pages.show(opener.doorPage(o, page, [msg('dropoff.put')]));
  }

  private dropoffOpenOptions(mode: 'operator' | 'carrier'): ScreenOption[] {
    const opts: Array<{ id: string; label: MessageRef }> = [];
    if (this.k.core.rules().batchDropOff) opts.push({ id: 'next', label: msg('dropoff.next') });
    if (this.reopenable) opts.push({ id: 'reopen', label: msg('dropoff.reopen') });
    opts.push({ id: mode === 'carrier' ? 'sign-out' : 'back', label: msg('dropoff.done') });
    return this.k.pages.numbered(opts);
  }

  /** The bank's reopen grace after a drop-off starts: the offer goes from the page when it ends. */
  private offerReopen(door: number, reservationIds: string[], trackingIds: string[]): void {
    const { core, pages } = this.k;
    const grace = core.currentTimers().dropOffReopenGraceS ?? 0;
    if (grace <= 0) return;
    const timer = core.timers.setTimeout(() => {
      void core.run(() => {
        if (this.reopenable?.timer !== timer) return;
        this.reopenable = undefined;
        const spec = pages.spec;
        if (spec.page === 'dropoff-open' && spec.options?.some((x) => x.id === 'reopen')) {
          pages.replace({ ...spec, options: this.dropoffOpenOptions(spec.ctx?.mode ?? 'operator') });
        }
      });
    }, grace * 1000);
    this.reopenable = { door, reservationIds, trackingIds, until: core.now() + grace * 1000, timer };
  }

  private endReopen(): void {
    if (this.reopenable) this.k.core.cancel(this.reopenable.timer);
    this.reopenable = undefined;
  }

  /** The operator opens the locker just filled again, within the bank's grace (recorded as a `reopen`). */
  private async reopen(door: number | undefined, mode: 'operator' | 'carrier'): Promise<void> {
    const { core, pages, opener } = this.k;
    const r = this.reopenable;
    if (!r || r.door !== door || core.now() >= r.until) return pages.setError(msg('error.reopenOver'));
    const o = await opener.open(r.door, mode === 'carrier' ? 'carrier-delivery' : 'drop-off');
    if (o.ok) await core.transaction('reopen', [r.door], r.reservationIds, r.trackingIds);
    this.showDropoffOpen(o, mode);
  }

  async onShelf(code: string): Promise<void> {
    const { overlay, pages } = this.k;
    const d = overlay.allDoors().find((x) => x.rearShelfBarcode === code);
    if (!d) return pages.setError(msg('error.shelfUnknown'));
    const res = overlay.reservations().find((r) => r.door === d.door && r.kind === 'package' && r.status === 'reserved');
    return this.dropOff(d.door, res, res?.trackingIds[0], 'operator');
  }
}
