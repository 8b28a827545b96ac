// A recipient's visit: packages picked up one locker at a time or all at once, the grace reopen ("Locker Access After
// Pickup"), returns and exchanges, and day-use storage reserved ahead through the cloud (its code fills the held
// locker, then empties it). A one-time code is used up by the first door that really opened.
import { reservationsOpenedBy, type DesiredReservation } from '@portier/protocol';
import { msg, type MessageRef } from '../../i18n/index.ts';
import type { KioskCore } from '../core.ts';
import type { DoorWatch } from '../door-watch.ts';
import type { DoorOpener } from '../open-door.ts';
import type { ReservationOverlay } from '../overlay.ts';
import type { Pages } from '../pages.ts';
import type { CredentialMatch } from '../ports.ts';
import type { PageSpec, RecentPickup } from '../session.ts';
import type { KeypadKey, ScreenOption } from '../view.ts';

/**
 * The keys of the pickup page, one per action for the whole page: an option that appears (reopen, once the door is
 * shut) takes its own key and never the one a person may be pressing for another action. "I am done" stays on 1.
 */
const PICKUP_KEYS = { done: '1', next: '2', 'open-all': '3', reopen: '4' } as const satisfies Record<string, KeypadKey>;

/** What the pickup flow uses of its neighbours: reservations, pages, the opener and the doors it opened. */
export interface PickupNeighbours {
  core: KioskCore;
  overlay: Pick<ReservationOverlay, 'reservations' | 'setReservation' | 'removeReservation'>;
  pages: Pick<Pages, 'spec' | 'ctx' | 'show' | 'replace' | 'setError' | 'numbered' | 'lockerLine'>;
  opener: Pick<DoorOpener, 'open' | 'openEach' | 'openedLines' | 'doorPage'>;
  doors: Pick<DoorWatch, 'isOpen'>;
}

export class PickupFlow {
  /** Pickups within their grace period, by the keyed hash of the code. */
  private recent: RecentPickup[] = [];

  constructor(private readonly k: PickupNeighbours) {}

  /** A pickup made with this code whose reopen offer still holds. */
  recentFor(codeKey: string | undefined, now: number): RecentPickup | undefined {
    return this.recent.find((r) => r.codeKey === codeKey && now < r.until);
  }

  onSelect(page: 'pickup' | 'reopen', id: string): Promise<void> | void {
    const s = this.k.core.session;
    if (page === 'pickup') {
      if (id === 'next') return this.openNextPickup();
      if (id === 'open-all') return this.openPickups(s.pending.splice(0));
      if (id === 'reopen') return this.reopen(this.closedOpenedDoors(), 'pickup');
      return;
    }
    if (id === 'reopen') return this.reopen(this.k.pages.ctx.doors ?? [], 'reopen');
  }

  async recipientSignedIn(match: CredentialMatch, codeKey: string, now: number): Promise<void> {
    const { core, overlay } = this.k;
    const list = reservationsOpenedBy(overlay.reservations(), core.rules(), match);
    const packages = list.filter((r) => r.kind === 'package' && r.status === 'occupied');
    if (packages.length > 0) {
      const doors = [...new Set(packages.map((r) => r.door))];
      if (core.rules().openAllAtOnce) return this.openPickups(doors);
      core.session.pending = doors;
      return this.openNextPickup();
    }
    const ret = list.find((r) => r.kind === 'return' && r.status === 'reserved');
    if (ret) return this.openForReservation(ret, 'return');
    const exch = list.find((r) => r.kind === 'exchange');
    if (exch) return this.openForReservation(exch, 'exchange');
    const storage = list.find((r) => r.kind === 'storage' && r.status !== 'expired');
    if (storage) return this.openStorage(storage);
    const recent = this.recentFor(codeKey, now);
    if (recent) return this.showReopenOffer(recent);
    this.k.pages.show({
      page: 'pickup',
      title: msg('pickup.title'),
      lines: [msg('pickup.none')],
      options: [{ id: 'done', label: msg('pickup.done'), key: PICKUP_KEYS.done }],
      timer: 'after-pickup',
    });
  }

  /**
   * A one-time code is used up by its first door that really opened, not by the sign-in: a jammed locker must not
   * cost the recipient their code.
   */
  async useUpCredential(): Promise<void> {
    const { core } = this.k;
    const c = core.session.credential;
    if (!c || !c.oneTime || core.session.credentialUsed) return;
    core.session.credentialUsed = true;
    try {
      await core.credentials.markUsed(c.credentialId);
    } catch (err) {
      core.log.error({ err, credentialId: c.credentialId }, 'could not record a one-time code as used');
    }
  }

  private rememberPickup(doors: number[], reservationIds: string[]): void {
    const { core } = this.k;
    const grace = core.currentTimers().lockerAccessAfterPickupS * 1000;
    const key = core.session.codeKey;
    if (!key || grace <= 0) return;
    const now = core.now();
    this.recent = this.recent.filter((r) => now < r.until && r.codeKey !== key);
    const prev = core.session.opened;
    const credentialId = core.session.credential?.credentialId;
    this.recent.push({
      codeKey: key,
      ...(credentialId !== undefined ? { credentialId } : {}),
      doors: [...new Set([...prev, ...doors])],
      reservationIds,
      actor: core.session.actor ?? { role: 'recipient' },
      via: core.session.via ?? 'pin',
      until: now + grace,
    });
  }

  private async openPickups(doors: number[]): Promise<void> {
    const { core, overlay } = this.k;
    const { opened, failures } = await this.k.opener.openEach(doors, 'pickup');
    const res = overlay.reservations().filter((r) => opened.includes(r.door) && r.kind === 'package' && r.status === 'occupied');
    if (opened.length) {
      await this.useUpCredential();
      await core.transaction('pickup', opened, res.map((r) => r.id), res.flatMap((r) => r.trackingIds));
      for (const r of res) overlay.removeReservation(r.id);
      this.rememberPickup(opened, res.map((r) => r.id));
      core.session.opened = [...new Set([...core.session.opened, ...opened])];
    }
    this.showPickupPage(failures);
  }

  private async openNextPickup(): Promise<void> {
    const next = this.k.core.session.pending.shift();
    if (next === undefined) return this.showPickupPage([]);
    await this.openPickups([next]);
  }

  private closedOpenedDoors(): number[] {
    return this.k.core.session.opened.filter((d) => !this.k.doors.isOpen(d));
  }

  private pickupOptions(): ScreenOption[] {
    const s = this.k.core.session;
    const opts: ScreenOption[] = [{ id: 'done', label: msg('pickup.done'), key: PICKUP_KEYS.done }];
    if (s.pending.length) {
      opts.push({ id: 'next', label: msg('pickup.next'), key: PICKUP_KEYS.next });
      if (s.pending.length > 1) opts.push({ id: 'open-all', label: msg('pickup.openAll'), key: PICKUP_KEYS['open-all'] });
    }
    const withinGrace = this.recentFor(s.codeKey, this.k.core.now()) !== undefined;
    if (this.closedOpenedDoors().length && withinGrace) opts.push({ id: 'reopen', label: msg('pickup.reopen'), key: PICKUP_KEYS.reopen });
    return opts;
  }

  showPickupPage(failures: MessageRef[], change: 'page' | 'update' = 'page'): void {
    const { core, pages } = this.k;
    const doors = core.session.opened;
    const lines: MessageRef[] = [...this.k.opener.openedLines(doors)];
    if (doors.some((d) => this.k.doors.isOpen(d))) lines.push(msg('pickup.take'));
    const more = core.session.pending.length;
    if (more === 1) lines.push(msg('pickup.remainingOne'));
    else if (more > 1) lines.push(msg('pickup.remaining', { count: more }));
    const spec: PageSpec = {
      page: 'pickup',
      title: msg('pickup.title'),
      lines,
      options: this.pickupOptions(),
      doors: [...doors, ...core.session.pending],
      timer: 'after-pickup',
      ...(failures[0] ? { error: failures[0] } : {}),
    };
    // Door closed: same page, new options; the after-pickup timer keeps running from the opening.
    if (change === 'update' && pages.spec.page === 'pickup') return pages.replace(spec);
    pages.show(spec);
  }

  showReopenOffer(recent: RecentPickup): void {
    const { core, pages } = this.k;
    core.session.role = 'recipient';
    core.session.actor = recent.actor;
    core.session.via = recent.via;
    core.session.codeKey = recent.codeKey;
    pages.show({
      page: 'reopen',
      title: msg('reopen.title'),
      lines: [msg('reopen.prompt'), ...recent.doors.map((d) => pages.lockerLine(d))],
      options: pages.numbered([
        { id: 'reopen', label: msg('reopen.yes') },
        { id: 'done', label: msg('pickup.done') },
      ]),
      doors: recent.doors,
      ctx: { doors: recent.doors },
    });
  }

  private async reopen(doors: number[], from: 'pickup' | 'reopen'): Promise<void> {
    const { core, pages } = this.k;
    const recent = this.recentFor(core.session.codeKey, core.now());
    if (!recent) return pages.setError(msg('reopen.expired'));
    const { opened, failures } = await this.k.opener.openEach(doors, 'reopen', recent.credentialId);
    if (opened.length) await core.transaction('reopen', opened, recent.reservationIds, []);
    if (from === 'reopen') core.session.opened = [...doors];
    this.showPickupPage(failures);
  }

  /**
   * Day-use storage the cloud reserved ahead: its code opens the held locker to put the belongings in (`storage-start`
   * of that reservation), then, once filled, opens it to take them out, which ends the storage (`pickup`). The kiosk's
   * own storage (a PIN set here) goes through the storage flow instead.
   */
  private async openStorage(r: DesiredReservation): Promise<void> {
    const { core, overlay, pages, opener } = this.k;
    const filling = r.status === 'reserved';
    const kind = filling ? 'storage-start' : 'pickup';
    const o = await opener.open(r.door, kind);
    if (o.ok) {
      await this.useUpCredential();
      await core.transaction(kind, [r.door], [r.id], []);
      if (filling) overlay.setReservation({ ...r, status: 'occupied' });
      else overlay.removeReservation(r.id);
    }
    pages.show(
      opener.doorPage(
        o,
        { page: 'storage-open', title: msg('storage.title'), options: pages.numbered([{ id: 'done', label: msg('pickup.done') }]), timer: 'after-pickup' },
        [msg(filling ? 'storage.put' : 'storage.ended')],
      ),
    );
  }

  private async openForReservation(r: DesiredReservation, kind: 'return' | 'exchange'): Promise<void> {
    const { core, overlay, pages, opener } = this.k;
    const o = await opener.open(r.door, kind);
    if (o.ok) {
      await this.useUpCredential();
      await core.transaction(kind, [r.door], [r.id], r.trackingIds);
      if (kind === 'return') overlay.setReservation({ ...r, status: 'occupied' });
    }
    pages.show(
      opener.doorPage(
        o,
        { page: kind, title: msg(kind === 'return' ? 'return.title' : 'exchange.title'), options: pages.numbered([{ id: 'done', label: msg('pickup.done') }]), timer: 'after-pickup' },
        [msg(kind === 'return' ? 'return.prompt' : 'exchange.prompt')],
      ),
    );
  }
}
