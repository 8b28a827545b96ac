// Day-use storage: a locker of this column held under a PIN that exists only on this kiosk, in the modes the bank
// offers (fixed: a duration of the bank's or until the end of the day; flexible: hours chosen and extended up to the
// bank's maximum; no end, which still ends with the day), leaving the bank's delivery quota free; open, extend and end
// it; its end when the time is over.
import { randomBytes } from 'node:crypto';
import { storageMayTake, type LockerSize } from '@portier/protocol';
import { msg, type MessageRef } from '../../i18n/index.ts';
import type { KioskCore } from '../core.ts';
import type { FreeLockers } from '../free-lockers.ts';
import type { DoorOpener } from '../open-door.ts';
import type { ReservationOverlay } from '../overlay.ts';
import type { Pages } from '../pages.ts';
import type { KioskMemory } from '../memory.ts';
import type { PageCtx, PageSpec, StorageRecord } from '../session.ts';

/** What day-use storage uses of its neighbours: free lockers of this column, reservations, pages and the opener. */
export interface StorageNeighbours {
  core: KioskCore;
  overlay: Pick<ReservationOverlay, 'reservations' | 'setReservation' | 'removeReservation' | 'lockerOf'>;
  pages: Pick<Pages, 'ctx' | 'notice' | 'show' | 'setError' | 'numbered' | 'goHome' | 'showMenu'>;
  opener: Pick<DoorOpener, 'open' | 'doorPage'>;
  free: Pick<FreeLockers, 'doors' | 'sizeOptions' | 'freeOfSize'>;
}

export class StorageFlow {
  private readonly storages = new Map<string, StorageRecord>();

  constructor(private readonly k: StorageNeighbours) {}

  has(id: string): boolean {
    return this.storages.has(id);
  }

  /** The storage a PIN opens, if any. */
  byPin(pin: string): StorageRecord | undefined {
    const key = this.k.core.codeKey('storage', pin);
    return [...this.storages.values()].find((s) => s.pinKey === key);
  }

  /** Staff removed what was stored (expired removal). */
  forget(id: string): void {
    if (!this.storages.delete(id)) return;
    this.k.core.dirty = true;
  }

  restore(m: KioskMemory): void {
    for (const s of m.storages) {
      const rec: StorageRecord = { ...s };
      this.storages.set(rec.id, rec);
      this.scheduleStorageEnd(rec);
    }
  }

  snapshot(): KioskMemory['storages'] {
    return [...this.storages.values()].map(({ timer: _timer, ...rec }) => rec);
  }

  stop(): void {
    for (const s of this.storages.values()) this.k.core.cancel(s.timer);
  }

  onSelect(page: 'storage-size' | 'storage-duration' | 'storage-active' | 'storage-ask-end', id: string): Promise<void> | void {
    const { pages } = this.k;
    switch (page) {
      case 'storage-size':
        return this.showStorageDuration(id.replace(/^size-/, '') as LockerSize);
      case 'storage-duration':
        return this.onStorageDuration(id);
      case 'storage-active':
        return this.onStorageActive(id);
      case 'storage-ask-end': {
        const rec = this.current();
        if (!rec) return pages.goHome('done');
        if (id === 'end') return this.endStorage(rec);
        if (id === 'keep') return this.openStorage(rec);
        return;
      }
    }
  }

  /** Back from a storage page: one step up. Returns false when the page is not one of storage's own steps. */
  back(page: string): boolean {
    if (page === 'storage-duration') {
      this.showStorageSizes();
      return true;
    }
    // From the hours or either PIN page, back is the choice of duration (a PIN typed so far is dropped).
    if (page === 'storage-hours' || page === 'storage-pin' || page === 'storage-pin-confirm') {
      this.showStorageDuration(this.k.pages.ctx.size as LockerSize);
      return true;
    }
    const rec = page === 'storage-extend' || page === 'storage-ask-end' ? this.current() : undefined;
    if (!rec) return false;
    this.showStorageActive(rec);
    return true;
  }

  private current(): StorageRecord | undefined {
    const id = this.k.pages.ctx.storageId;
    return id ? this.storages.get(id) : undefined;
  }

  private formatTime(ms: number): string {
    const d = new Date(ms);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }

  /** The next end of the storage day after `now` (local time). */
  dayEndAfter(now: number): number {
    const d = new Date(now);
    d.setHours(this.k.core.dayEnd.h, this.k.core.dayEnd.m, 0, 0);
    if (d.getTime() <= now) d.setDate(d.getDate() + 1);
    return d.getTime();
  }

  /**
   * A free locker of this column for storage of that size, while the bank keeps its delivery quota of the size free
   * (`storageMayTake`, the cloud's rule too; counted on the kiosk's own data, so it holds offline).
   */
  private storageDoor(size: LockerSize | undefined): number | undefined {
    if (size === undefined || !storageMayTake(size, this.k.free.freeOfSize(size), this.k.core.deliveryQuota())) return undefined;
    return this.k.free.doors(size, true)[0];
  }

  showStorageSizes(): void {
    const { core, pages } = this.k;
    if (core.storageOffer().modes.length === 0) {
      pages.showMenu();
      return pages.setError(msg('error.storageOff'));
    }
    const sizes = this.k.free.sizeOptions(true).filter((o) => this.storageDoor(o.id.replace(/^size-/, '') as LockerSize) !== undefined);
    if (sizes.length === 0) {
      pages.showMenu();
      return pages.setError(msg('error.noLockers'));
    }
    pages.show({
      page: 'storage-size',
      title: msg('storage.title'),
      lines: [msg('chooseSize.prompt')],
      options: pages.numbered([...sizes, { id: 'back', label: msg('menu.back') }]),
    });
  }

  private showStorageDuration(size: LockerSize): void {
    const { pages } = this.k;
    pages.show({
      page: 'storage-duration',
      title: msg('storage.title'),
      lines: [msg('storage.duration.prompt')],
      options: pages.numbered([...this.durationOptions(), { id: 'back', label: msg('menu.back') }]),
      ctx: { size },
    });
  }

  /** The durations the bank offers: its fixed ones (or until the end of the day), hours chosen, no end. */
  private durationOptions(): Array<{ id: string; label: MessageRef }> {
    const offer = this.k.core.storageOffer();
    const out: Array<{ id: string; label: MessageRef }> = [];
    if (offer.modes.includes('fixed')) {
      if (offer.fixedHours.length === 0) out.push({ id: 'fixed', label: msg('storage.fixed', { time: this.formatTime(this.dayEndAfter(this.k.core.now())) }) });
      else for (const hours of offer.fixedHours) out.push({ id: `fixed-${hours}`, label: msg('storage.fixedHours', { hours }) });
    }
    if (offer.modes.includes('flexible')) out.push({ id: 'chosen', label: msg('storage.chosen') });
    if (offer.modes.includes('no-end')) out.push({ id: 'no-end', label: msg('storage.noEnd') });
    return out;
  }

  private onStorageDuration(id: string): void {
    const { core, pages } = this.k;
    const size = pages.ctx.size as LockerSize;
    // Only what the page offered (the bank's policy may have changed since it was drawn).
    if (!this.durationOptions().some((o) => o.id === id)) return;
    const now = core.now();
    if (id === 'fixed') return this.showStoragePin({ size, storageEndsAt: this.dayEndAfter(now), storageNoEnd: false, storageFixed: true });
    if (id.startsWith('fixed-')) {
      // A fixed duration still ends with the storage day.
      const endsAt = Math.min(now + Number(id.slice('fixed-'.length)) * 3_600_000, this.dayEndAfter(now));
      return this.showStoragePin({ size, storageEndsAt: endsAt, storageNoEnd: false, storageFixed: true });
    }
    if (id === 'no-end') return this.showStoragePin({ size, storageEndsAt: this.dayEndAfter(now), storageNoEnd: true });
    if (id === 'chosen') {
      pages.show({
        page: 'storage-hours',
        title: msg('storage.title'),
        lines: [msg('storage.hours.prompt', { max: core.storageOffer().flexibleMaxH })],
        input: { kind: 'digits', masked: false, minLength: 1, maxLength: 3 },
        options: [{ id: 'back', label: msg('menu.back') }],
        ctx: { size, entry: 'hours' },
      });
    }
  }

  onStorageHours(hours: number): void {
    const { core, pages } = this.k;
    const max = core.storageOffer().flexibleMaxH;
    if (!Number.isInteger(hours) || hours < 1 || hours > max) return pages.setError(msg('error.hoursRange', { min: 1, max }));
    const now = core.now();
    // Day-use storage: a chosen time never runs past the end of the day.
    const endsAt = Math.min(now + hours * 3_600_000, this.dayEndAfter(now));
    this.showStoragePin({ size: pages.ctx.size as LockerSize, storageEndsAt: endsAt, storageNoEnd: false });
  }

  private showStoragePin(ctx: PageCtx): void {
    const { min, max } = this.k.core.pinLen;
    this.k.pages.show({
      page: 'storage-pin',
      title: msg('storage.title'),
      lines: [msg('storage.pin.prompt', { min, max })],
      input: { kind: 'digits', masked: true, minLength: min, maxLength: max },
      options: [{ id: 'back', label: msg('menu.back') }],
      ctx: { ...ctx, entry: 'pin' },
    });
  }

  onStoragePin(pin: string): void {
    const { core, pages } = this.k;
    const { min, max } = core.pinLen;
    if (pin.length < min || pin.length > max) return pages.setError(msg('error.pinTooShort', { min, max }));
    if (this.byPin(pin)) return pages.setError(msg('error.pinTaken'));
    pages.show({
      page: 'storage-pin-confirm',
      title: msg('storage.title'),
      lines: [msg('storage.pinConfirm.prompt')],
      input: { kind: 'digits', masked: true, minLength: min, maxLength: max },
      options: [{ id: 'back', label: msg('menu.back') }],
      ctx: { ...pages.ctx, storagePin: core.codeKey('storage', pin), entry: 'pin-confirm' },
    });
  }

  async onStoragePinConfirm(pin: string): Promise<void> {
    const { core, pages, overlay, opener } = this.k;
    const ctx = pages.ctx;
    if (core.codeKey('storage', pin) !== ctx.storagePin) {
      const { storagePin: _drop, ...rest } = ctx;
      this.showStoragePin(rest);
      return pages.setError(msg('error.pinMismatch'));
    }
    const door = this.storageDoor(ctx.size);
    if (door === undefined) {
      pages.showMenu();
      return pages.setError(msg('error.noLockers'));
    }
    const now = core.now();
    const id = `st-${randomBytes(6).toString('hex')}`;
    core.session.role = 'recipient';
    core.session.actor = { role: 'recipient' };
    core.session.via = 'pin';
    const o = await opener.open(door, 'storage-start');
    const page = this.storageOpenPage();
    if (!o.ok) return pages.show(opener.doorPage(o, page, []));
    const rec: StorageRecord = {
      id,
      door,
      pinKey: ctx.storagePin as string,
      startedAt: now,
      endsAt: ctx.storageEndsAt as number,
      noEnd: ctx.storageNoEnd ?? false,
      ...(ctx.storageFixed ? { fixed: true } : {}),
    };
    this.storages.set(id, rec);
    core.dirty = true;
    overlay.setReservation({ id, kind: 'storage', status: 'occupied', door, trackingIds: [], endsAt: rec.endsAt });
    this.scheduleStorageEnd(rec);
    await core.transaction('storage-start', [door], [id], [], rec.noEnd ? {} : { endsAt: rec.endsAt });
    pages.show(opener.doorPage(o, page, [msg('storage.put'), this.untilLine(rec)]));
  }

  private untilLine(rec: StorageRecord): MessageRef {
    return rec.noEnd ? msg('storage.untilNoEnd') : msg('storage.until', { time: this.formatTime(rec.endsAt) });
  }

  private scheduleStorageEnd(rec: StorageRecord): void {
    const { core } = this.k;
    core.cancel(rec.timer);
    // Every day-use storage ends at the end of the day at the latest ("no end" included).
    const endAt = rec.noEnd ? this.dayEndAfter(rec.startedAt) : rec.endsAt;
    const delay = Math.min(Math.max(0, endAt - core.now()), 2 ** 31 - 1);
    rec.timer = core.timers.setTimeout(() => {
      rec.timer = undefined;
      void core.run(async () => {
        if (!this.storages.has(rec.id)) return;
        if (core.now() < endAt) return this.scheduleStorageEnd(rec);
        await this.expireStorage(rec);
      });
    }, delay);
  }

  /** The storage time is over: the locker stays shut with the belongings; staff remove them as expired. */
  private async expireStorage(rec: StorageRecord): Promise<void> {
    const { core, overlay } = this.k;
    this.storages.delete(rec.id);
    core.dirty = true;
    const r = overlay.reservations().find((x) => x.id === rec.id);
    if (r) overlay.setReservation({ ...r, status: 'expired' });
    await core.transaction('storage-end', [rec.door], [rec.id], [], { actor: { role: 'system' }, via: 'keypad' });
  }

  showStorageActive(rec: StorageRecord): void {
    const { pages, overlay } = this.k;
    const opts: Array<{ id: string; label: MessageRef }> = [{ id: 'open', label: msg('storage.open') }];
    if (this.extendable(rec)) opts.push({ id: 'extend', label: msg('storage.extend') });
    opts.push({ id: 'end', label: msg('storage.end') }, { id: 'done', label: msg('pickup.done') });
    pages.show({
      page: 'storage-active',
      title: msg('storage.title'),
      lines: [msg('storage.active.prompt', { locker: overlay.lockerOf(rec.door) }), this.untilLine(rec)],
      options: pages.numbered(opts),
      doors: [rec.door],
      ctx: { storageId: rec.id },
    });
  }

  private onStorageActive(id: string): void | Promise<void> {
    const { pages } = this.k;
    const rec = this.current();
    if (!rec) return pages.goHome('done');
    if (id === 'open') {
      if (rec.noEnd) {
        return pages.show({
          page: 'storage-ask-end',
          title: msg('storage.title'),
          lines: [msg('storage.askEnd')],
          options: pages.numbered([
            { id: 'end', label: msg('storage.end') },
            { id: 'keep', label: msg('storage.keep') },
          ]),
          doors: [rec.door],
          ctx: { storageId: rec.id },
        });
      }
      return this.openStorage(rec);
    }
    if (id === 'end') return this.endStorage(rec);
    if (id === 'extend' && this.extendable(rec)) {
      pages.show({
        page: 'storage-extend',
        title: msg('storage.title'),
        lines: [msg('storage.extend.prompt')],
        input: { kind: 'digits', masked: false, minLength: 1, maxLength: 3 },
        options: [{ id: 'back', label: msg('menu.back') }],
        ctx: { storageId: rec.id, entry: 'extend-hours' },
      });
    }
  }

  /** Only a flexible storage is extended, and only while the bank offers flexible storage. */
  private extendable(rec: StorageRecord): boolean {
    return !rec.noEnd && !rec.fixed && this.k.core.storageOffer().modes.includes('flexible');
  }

  /** The page after a storage locker was opened (started, opened again, ended). */
  private storageOpenPage(): Omit<PageSpec, 'lines' | 'error' | 'doors'> {
    return { page: 'storage-open', title: msg('storage.title'), options: this.k.pages.numbered([{ id: 'done', label: msg('pickup.done') }]), timer: 'after-pickup' };
  }

  private async openStorage(rec: StorageRecord): Promise<void> {
    const { core, pages, opener } = this.k;
    const o = await opener.open(rec.door, 'storage-open');
    if (o.ok) await core.transaction('storage-open', [rec.door], [rec.id], [], rec.noEnd ? {} : { endsAt: rec.endsAt });
    pages.show(opener.doorPage(o, this.storageOpenPage(), [msg('storage.put')]));
  }

  private async endStorage(rec: StorageRecord): Promise<void> {
    const { core, pages, overlay, opener } = this.k;
    const o = await opener.open(rec.door, 'storage-end');
    if (o.ok) {
      core.cancel(rec.timer);
      this.storages.delete(rec.id);
      core.dirty = true;
      overlay.removeReservation(rec.id);
      await core.transaction('storage-end', [rec.door], [rec.id], []);
    }
    pages.show(opener.doorPage(o, this.storageOpenPage(), [msg('storage.ended')]));
  }

  async onStorageExtend(hours: number): Promise<void> {
    const { core, pages, overlay } = this.k;
    const rec = this.current();
    if (!rec) return pages.goHome('done');
    if (!this.extendable(rec)) return this.showStorageActive(rec);
    const max = core.storageOffer().flexibleMaxH;
    if (!Number.isInteger(hours) || hours < 1) return pages.setError(msg('error.hoursRange', { min: 1, max }));
    const endsAt = rec.endsAt + hours * 3_600_000;
    if (endsAt - rec.startedAt > max * 3_600_000 || endsAt > this.dayEndAfter(rec.startedAt)) {
      return pages.setError(msg('error.extendTooLong', { max }));
    }
    rec.endsAt = endsAt;
    core.dirty = true;
    const r = overlay.reservations().find((x) => x.id === rec.id);
    if (r) overlay.setReservation({ ...r, endsAt });
    this.scheduleStorageEnd(rec);
    await core.transaction('storage-extend', [rec.door], [rec.id], [], { endsAt });
    pages.notice = [msg('storage.extended', { time: this.formatTime(endsAt) })];
    this.showStorageActive(rec);
  }
}
