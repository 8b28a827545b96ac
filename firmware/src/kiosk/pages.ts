// The page on screen and its view model: what is shown, typed and timed on it, the home page and the services menu,
// and the end of a session. Every change of what the user should see leaves here as a `screen` event.
import { lockerWhere, msg, type MessageRef } from '../i18n/index.ts';
import type { KioskCore } from './core.ts';
import type { ReservationOverlay } from './overlay.ts';
import type { PageCtx, PageSpec, PageTimerKind } from './session.ts';
import type { TimerHandle } from './ports.ts';
import type { KeypadKey, KioskEventMap, LockerState, LockerView, ScreenInput, ScreenOption, ScreenView } from './view.ts';

/** What the pages read of their neighbours: where a door is and the state it was last seen in. */
export interface PagesNeighbours {
  core: KioskCore;
  overlay: Pick<ReservationOverlay, 'doorInfo'>;
  doors: { stateOf(door: number): LockerState | undefined };
}

export class Pages {
  spec: PageSpec;
  ctx: PageCtx = {};
  /** What was typed on the page. */
  input = '';
  error: MessageRef | undefined;
  /** A notice ("Locker 20 is now out of service") for the page shown next. */
  notice: MessageRef[] = [];
  warning: MessageRef | undefined;
  /** Sign-in refused until then (throttling). */
  waitUntil: number | undefined;
  private pageTimer: TimerHandle | undefined;
  private pageTimerKind: PageTimerKind | undefined;

  constructor(private readonly k: PagesNeighbours) {
    this.spec = { page: 'home', title: msg('home.title') };
  }

  private get core() {
    return this.k.core;
  }

  show(spec: PageSpec): void {
    // A notice ("Locker 20 is now out of service") belongs to the page shown next and stays on it.
    if (this.notice.length) spec = { ...spec, lines: [...this.notice, ...(spec.lines ?? [])] };
    this.notice = [];
    this.spec = spec;
    this.ctx = spec.ctx ?? {};
    this.input = '';
    this.error = spec.error;
    this.armPageTimer(spec);
    this.emitScreen('page');
  }

  /** The same page with new content (a door shut): the page timer keeps running. */
  replace(spec: PageSpec): void {
    this.spec = spec;
    this.emitScreen('update');
  }

  private armPageTimer(spec: PageSpec): void {
    this.clearPageTimer();
    let kind: PageTimerKind | 'none' | undefined = spec.timer;
    if (kind === undefined) {
      if (spec.page === 'home') kind = this.core.session.touched || this.input ? 'inactivity' : 'none';
      else kind = this.core.staffSession() ? 'admin' : 'inactivity';
    }
    if (kind === 'none') return;
    const t = this.core.currentTimers();
    let ms: number;
    if (kind === 'inactivity') ms = t.returnHomeOnInactivityS * 1000;
    else if (kind === 'admin') ms = t.adminSessionTimeoutS * 1000;
    else if (kind === 'after-pickup') ms = t.returnHomeAfterPickupS * 1000;
    else ms = Math.max(0, this.core.throttle.lockedOutUntil - this.core.now());
    this.pageTimerKind = kind;
    const k = kind;
    this.pageTimer = this.core.timers.setTimeout(() => {
      this.pageTimer = undefined;
      void this.core.run(() => this.onPageTimer(k));
    }, ms);
  }

  clearPageTimer(): void {
    this.core.cancel(this.pageTimer);
    this.pageTimer = undefined;
    this.pageTimerKind = undefined;
  }

  private onPageTimer(kind: PageTimerKind): void {
    this.core.log.debug({ kind, page: this.spec.page }, 'page timer fired');
    if (kind === 'lock-out') {
      this.goHome('lock-out-ended');
      return;
    }
    this.goHome(kind === 'after-pickup' ? 'done' : 'timeout');
  }

  /** Activity: restarts the inactivity / admin timer (not the after-pickup one, which runs from the opening). */
  touch(): void {
    this.core.session.touched = true;
    if (this.pageTimerKind === 'inactivity' || this.pageTimerKind === 'admin' || (!this.pageTimer && this.spec.page === 'home')) {
      this.armPageTimer({ ...this.spec, timer: undefined });
    }
  }

  /** Ends the session with a goodbye in its own language, then shows home in the default one. */
  farewell(reason: 'done' | 'sign-out'): void {
    const s = this.core.session;
    if (s.touched || s.role) this.core.events.emit('notice', { message: msg('session.goodbye'), lang: s.lang });
    this.goHome(reason);
  }

  goHome(reason: KioskEventMap['session-ended'][0]['reason'] | undefined, lines: MessageRef[] = []): void {
    const core = this.core;
    const hadSession = core.session.touched || core.session.role !== undefined;
    core.session = core.newSession();
    if (!core.state()) {
      this.show({ page: 'out-of-order', title: msg('error.notReady.title'), lines: [msg('error.notReady')], timer: 'none' });
      return;
    }
    // A kiosk without a detect line is quiet again for the next person.
    if (hadSession && reason && core.audioSwitch === 'key') core.audio = false;
    this.showHome(lines, 'none');
    if (hadSession && reason) core.events.emit('session-ended', { reason });
  }

  /** The welcome's lines, the same in every language and whether a session is running or not. */
  homeLines(lines: MessageRef[]): MessageRef[] {
    const core = this.core;
    const out: MessageRef[] = [...lines, msg('home.prompt')];
    if (core.rules().contactless) out.push(msg('home.scanHint'));
    out.push(msg('home.menuHint'), msg('home.badgeHint'));
    if (core.audio && lines.length === 0) out.push(this.audioOnMessage());
    if (!core.audio && core.audioSwitch === 'key') out.push(msg('home.audioKeyHint', { repeat: core.keyLabels.repeat }));
    return out;
  }

  /** "Audio mode is on. Press R to hear this again...": the keys named as they are printed. */
  audioOnMessage(): MessageRef {
    return msg('home.audioOn', { ...this.core.keyLabels });
  }

  /** Home with the session kept (language chosen): the inactivity timer runs. */
  showHomeInSession(lines: MessageRef[]): void {
    this.showHome(lines, 'inactivity');
  }

  /** The welcome page, waiting for a code; `timer` says whether a session's inactivity timer runs on it. */
  private showHome(lines: MessageRef[], timer: 'none' | 'inactivity'): void {
    this.show({
      page: 'home',
      title: msg('home.title'),
      lines: this.homeLines(lines),
      input: { kind: 'digits', masked: true, minLength: 4, maxLength: 12 },
      // The services of the menu, for a touch screen to offer on the welcome page itself. Without a keypad key: on the
      // keypad the digits are the code, and `enter` alone opens the menu with the same services.
      options: [
        { id: 'scan', label: msg('menu.scan') },
        { id: 'storage', label: msg('menu.storage') },
        { id: 'staff', label: msg('menu.staff') },
        { id: 'language', label: msg('menu.language') },
      ],
      ctx: { entry: 'code' },
      timer,
    });
  }

  showMenu(): void {
    this.core.session.touched = true;
    this.show({
      page: 'menu',
      title: msg('menu.title'),
      lines: [msg('menu.prompt')],
      options: this.numbered([
        { id: 'scan', label: msg('menu.scan') },
        { id: 'storage', label: msg('menu.storage') },
        { id: 'staff', label: msg('menu.staff') },
        { id: 'language', label: msg('menu.language') },
        { id: 'back', label: msg('menu.back') },
      ]),
    });
  }

  private lockerView(door: number): LockerView | undefined {
    const d = this.k.overlay.doorInfo(door);
    if (!d) return undefined;
    const state = this.k.doors.stateOf(door) ?? 'closed';
    return {
      door,
      locker: d.locker,
      column: d.column,
      fromTop: d.fromTop,
      size: d.size,
      state,
      stateLabel: msg(`locker.state.${state}`),
      where: lockerWhere(d),
    };
  }

  buildView(change: ScreenView['change']): ScreenView {
    const s = this.spec;
    const session = this.core.session;
    const view: ScreenView = {
      page: s.page,
      change,
      lang: session.lang,
      audio: this.core.audio,
      title: s.title,
      lines: [...(s.lines ?? [])],
      options: s.options ?? [],
      lockers: (s.doors ?? []).map((d) => this.lockerView(d)).filter((x): x is LockerView => x !== undefined),
    };
    if (this.error) view.error = this.error;
    if (this.warning) view.warning = this.warning;
    if (session.role) view.role = session.role;
    if (this.waitUntil !== undefined && this.waitUntil > this.core.now()) view.waitUntil = this.waitUntil;
    if (s.input) {
      const input: ScreenInput = { ...s.input, length: this.input.length };
      if (!s.input.masked) input.value = this.input;
      view.input = input;
    }
    return view;
  }

  emitScreen(change: ScreenView['change'], feedback?: MessageRef): void {
    const view = this.buildView(change);
    if (feedback) view.feedback = feedback;
    this.core.events.emit('screen', view);
  }

  setError(error: MessageRef | undefined): void {
    this.error = error;
    this.input = '';
    this.emitScreen('update');
  }

  /** Numbers options 1..n for the keypad when the page has no digit entry. */
  numbered(options: Array<{ id: string; label: MessageRef }>): ScreenOption[] {
    return options.map((o, i) => (i < 9 ? { ...o, key: String(i + 1) as KeypadKey } : o));
  }

  /** "locker 12, column 2, third door from the top", or that there is no such locker. */
  lockerLine(door: number): MessageRef {
    const info = this.k.overlay.doorInfo(door);
    return info ? lockerWhere(info) : msg('error.lockerUnknown', { locker: door });
  }
}
