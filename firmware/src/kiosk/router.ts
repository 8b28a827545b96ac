// What a key, a scan, a badge, a touch or "back" means on the page shown: the input of the page, or the flow that
// owns the page.
import { msg } from '../i18n/index.ts';
import type { KioskCore } from './core.ts';
import type { ExpiredAndServiceFlow } from './flows/expired-service.ts';
import type { PickupFlow } from './flows/pickup.ts';
import type { SignInFlow } from './flows/sign-in.ts';
import type { StaffFlow } from './flows/staff.ts';
import type { StorageFlow } from './flows/storage.ts';
import type { Pages } from './pages.ts';
import type { KeypadKey } from './view.ts';

const DIGIT = /^[0-9]$/;

/** What the router hands an input to: the page on screen and the flows. */
export interface RouterNeighbours {
  core: KioskCore;
  pages: Pages;
  signIn: Pick<SignInFlow, 'signIn' | 'endLockoutIfDue'>;
  pickup: Pick<PickupFlow, 'onSelect'>;
  staff: Pick<StaffFlow, 'onSelect' | 'onTracking' | 'onShelf' | 'showCarrier' | 'showStaffMenu'>;
  expiredService: Pick<ExpiredAndServiceFlow, 'onSelect' | 'onServiceLocker'>;
  storage: Pick<StorageFlow, 'back' | 'onSelect' | 'onStorageExtend' | 'onStorageHours' | 'onStoragePin' | 'onStoragePinConfirm' | 'showStorageSizes'>;
}

export class InputRouter {
  constructor(private readonly k: RouterNeighbours) {}

  async onKey(key: KeypadKey): Promise<void> {
    const { core, pages } = this.k;
    const spec = pages.spec;
    const masked = spec.input?.masked ?? false;
    core.events.emit('key', { key, masked: DIGIT.test(key) && masked });
    if (key === 'repeat' || key === 'stop' || key === 'volume-up' || key === 'volume-down') {
      // The audio interface acts on these; for the session they are activity. Without a detect line the repeat key
      // is what switches audio mode on.
      if (key === 'repeat' && !core.audio && core.audioSwitch === 'key') return this.setAudio(true);
      pages.touch();
      return;
    }
    if (spec.page === 'locked-out') return this.k.signIn.endLockoutIfDue();
    pages.touch();
    if (key === 'back') return this.onBack();
    if (DIGIT.test(key)) {
      if (spec.input) {
        if (pages.input.length < spec.input.maxLength) pages.input += key;
        if (pages.error) pages.error = undefined;
        pages.emitScreen('input');
        return;
      }
      const opt = (spec.options ?? []).find((o) => o.key === key);
      if (opt) await this.onSelect(opt.id);
      return;
    }
    if (key === 'clear') {
      pages.input = '';
      pages.emitScreen('input', msg('input.cleared'));
      return;
    }
    if (key === 'enter') await this.onEnter();
  }

  /** Audio mode on or off (headphones plugged or pulled, or the repeat key without a detect line). */
  setAudio(on: boolean): void {
    const { core, pages } = this.k;
    core.audio = on;
    pages.touch();
    pages.emitScreen('update', on ? pages.audioOnMessage() : undefined);
  }

  async onEnter(): Promise<void> {
    const { pages, signIn, staff, storage } = this.k;
    const entry = pages.ctx.entry;
    const value = pages.input;
    if (!pages.spec.input || !entry) return;
    if (entry === 'code' && value === '') {
      pages.showMenu();
      return;
    }
    if (value === '') return;
    switch (entry) {
      case 'code':
        return signIn.signIn(value, ['pickup-code', 'carrier-code', 'staff-pin'], 'pin', 'code');
      case 'staff-pin':
        return signIn.signIn(value, ['staff-pin'], 'pin', 'pin');
      case 'tracking':
        return staff.onTracking(value);
      case 'locker':
        return this.k.expiredService.onServiceLocker(Number(value));
      case 'hours':
        return storage.onStorageHours(Number(value));
      case 'extend-hours':
        return storage.onStorageExtend(Number(value));
      case 'pin':
        return storage.onStoragePin(value);
      case 'pin-confirm':
        return storage.onStoragePinConfirm(value);
    }
  }

  async onScan(code: string): Promise<void> {
    if (!code) return;
    const { core, pages } = this.k;
    pages.touch();
    const page = pages.spec.page;
    if (page === 'locked-out') return this.k.signIn.endLockoutIfDue();
    if (page === 'dropoff-tracking') return this.k.staff.onTracking(code);
    if (page === 'rear-shelf') return this.k.staff.onShelf(code);
    if (page === 'scan' || (page === 'home' && core.rules().contactless)) {
      return this.k.signIn.signIn(code, ['qr', 'carrier-code', 'pickup-code'], 'qr', 'qr');
    }
    // Without contactless sign-in the scanner signs nobody in from the home page: say how to scan.
    if (page === 'home') return pages.setError(msg('error.scanFirst'));
    core.log.debug({ page }, 'scan ignored on this page');
  }

  async onBadge(id: string): Promise<void> {
    if (!id) return;
    const { pages } = this.k;
    pages.touch();
    const page = pages.spec.page;
    if (page === 'locked-out') return this.k.signIn.endLockoutIfDue();
    if (page === 'home' || page === 'staff-signin' || page === 'menu' || page === 'scan') {
      await this.k.signIn.signIn(id, ['badge'], 'badge', 'badge');
    }
  }

  async onBack(): Promise<void> {
    const { core, pages, staff } = this.k;
    const page = pages.spec.page;
    if (page === 'home' || page === 'locked-out' || page === 'out-of-order') {
      if (pages.input) {
        pages.input = '';
        pages.emitScreen('input');
      }
      return;
    }
    if (core.staffSession() && page !== 'staff-menu') {
      if (core.session.role === 'carrier') return staff.showCarrier();
      return staff.showStaffMenu();
    }
    if (page === 'storage-size' || page === 'scan' || page === 'staff-signin') return pages.showMenu();
    if (this.k.storage.back(page)) return;
    pages.goHome('sign-out');
  }

  async onSelect(id: string): Promise<void> {
    const { core, pages } = this.k;
    const opt = (pages.spec.options ?? []).find((o) => o.id === id);
    if (!opt) {
      core.log.debug({ id, page: pages.spec.page }, 'unknown option');
      return;
    }
    pages.touch();
    const page = pages.spec.page;
    if (id === 'back') return this.onBack();
    if (id === 'sign-out' || id === 'done') return pages.farewell(id === 'done' ? 'done' : 'sign-out');
    switch (page) {
      case 'home':
      case 'menu':
        return this.onMenu(id);
      case 'pickup':
      case 'reopen':
        return this.k.pickup.onSelect(page, id);
      case 'staff-menu':
      case 'dropoff-tracking':
      case 'dropoff-existing':
      case 'dropoff-open':
      case 'choose-size':
        return this.k.staff.onSelect(page, id);
      case 'expired':
      case 'service-locker':
        return this.k.expiredService.onSelect(page, id);
      case 'storage-size':
      case 'storage-duration':
      case 'storage-active':
      case 'storage-ask-end':
        return this.k.storage.onSelect(page, id);
      default:
        return;
    }
  }

  private onMenu(id: string): void {
    const { core, pages } = this.k;
    if (id === 'scan') return pages.show({ page: 'scan', title: msg('scan.title'), lines: [msg('scan.prompt')], options: pages.numbered([{ id: 'back', label: msg('menu.back') }]) });
    if (id === 'storage') return this.k.storage.showStorageSizes();
    if (id === 'staff') {
      return pages.show({
        page: 'staff-signin',
        title: msg('staffSignin.title'),
        lines: [msg('staffSignin.prompt')],
        input: { kind: 'digits', masked: true, minLength: 4, maxLength: 12 },
        options: [{ id: 'back', label: msg('menu.back') }],
        ctx: { entry: 'staff-pin' },
      });
    }
    if (id === 'language') {
      core.session.lang = core.session.lang === 'en' ? 'fr' : 'en';
      core.session.touched = true;
      return pages.showHomeInSession([msg('language.changed')]);
    }
  }
}
