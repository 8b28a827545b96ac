import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  DEFAULT_BANK_RULES,
  DEFAULT_KIOSK_TIMERS,
  LOCKER_SIZES,
  reservationsOpenedBy,
  type Actor,
  type BankRules,
  type CredentialKind,
  type DesiredDoor,
  type DesiredReservation,
  type DesiredState,
  type EventBody,
  type KioskTimers,
  type LockerSize,
  type ServiceState,
} from '@portier/protocol';
import { lockerWhere, msg, translate, type Lang, type MessageKey, type MessageRef } from '../i18n/index.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import type { Clock, CredentialMatch, CredentialPort, DesiredStatePort, EventSink, KioskDoorEvent, KioskDoorPort, UnlockOutcome, UnlockRequest } from './ports.ts';
import { systemClock } from './ports.ts';
import type { KioskMemory, KioskMemoryPort } from './memory.ts';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleConfig } from './throttle.ts';
import { validateKioskTimers } from './timers.ts';
import { DEFAULT_AUDIO_KEY_LABELS } from './view.ts';
import type {
  AudioKeyLabels,
  KeypadKey,
  KioskEventMap,
  LockerState,
  LockerView,
  PageId,
  ScreenInput,
  ScreenOption,
  ScreenView,
} from './view.ts';

type Role = 'recipient' | 'operator' | 'carrier' | 'admin';
type Via = 'pin' | 'qr' | 'barcode' | 'badge' | 'keypad';
type LoginMethod = 'pin' | 'code' | 'qr' | 'barcode' | 'badge';
type TxKind = Extract<EventBody, { type: 'transaction' }>['kind'];

export interface KioskEngineOptions {
  doors: KioskDoorPort;
  credentials: CredentialPort;
  state: DesiredStatePort;
  sink: EventSink;
  clock?: Clock;
  logger?: Logger;
  /** Language of a new session. */
  defaultLang?: Lang;
  throttle?: ThrottleConfig;
  /**
   * Whether the kiosk reports `door-left-open` itself when its own supervision (timers.doorLeftOpenS) fires.
   * Turn off when the door controller's left-open events already go to the link. Default true.
   */
  reportDoorLeftOpen?: boolean;
  /** Local time ("HH:MM") at which day-use storage ends. Default "22:00". */
  storageDayEndsAt?: string;
  /** PIN length for day-use storage. Default 4..8. */
  storagePinLength?: { min: number; max: number };
  /**
   * Where the kiosk remembers storage sessions, its own changes and the throttle across restarts
   * (`fileKioskMemory(path)`). Without it they live in memory only.
   */
  memory?: KioskMemoryPort;
  /**
   * How audio mode starts: `detect` (default) by the headphone-detect input (`headphones(true)`); `key` on a kiosk
   * without a detect line: the repeat key switches it on and the end of the session switches it off again, so the next
   * person starts with a quiet kiosk.
   */
  audioSwitch?: 'detect' | 'key';
  /** What is printed on the audio keys, named in the spoken prompts. */
  keyLabels?: Partial<AudioKeyLabels>;
}

/** A timer of the page: which setting drives it, so tests and logs can tell them apart. */
type PageTimerKind = 'inactivity' | 'after-pickup' | 'admin' | 'lock-out';

interface Session {
  lang: Lang;
  role?: Role;
  actor?: Actor;
  via?: Via;
  credential?: CredentialMatch;
  /** Keyed hash of the code that signed in (for the grace reopen), never the code. */
  codeKey?: string;
  /** The one-time credential of the session was recorded as used. */
  credentialUsed?: boolean;
  /** Doors opened in this session (pickup), for "reopen". */
  opened: number[];
  /** Pickup doors still to open, one at a time. */
  pending: number[];
  touched: boolean;
}

interface PageCtx {
  doors?: number[];
  door?: number;
  reservationId?: string;
  existingDoor?: number;
  tracking?: string;
  /** Drop-off by an operator or a carrier delivery. */
  mode?: 'operator' | 'carrier';
  size?: LockerSize;
  storageEndsAt?: number;
  storageNoEnd?: boolean;
  storagePin?: string;
  storageId?: string;
  /** What the text/digit entry of the page is for. */
  entry?: 'code' | 'staff-pin' | 'tracking' | 'locker' | 'hours' | 'pin' | 'pin-confirm' | 'extend-hours';
}

interface PageSpec {
  page: PageId;
  title: MessageRef;
  lines?: MessageRef[];
  error?: MessageRef;
  options?: ScreenOption[];
  input?: { kind: 'digits' | 'text'; masked: boolean; minLength: number; maxLength: number };
  doors?: number[];
  ctx?: PageCtx;
  timer?: PageTimerKind | 'none';
}

interface RecentPickup {
  codeKey: string;
  /** The credential the pickup was made with: the cloud opens a door of another column again only for it. */
  credentialId?: string;
  doors: number[];
  reservationIds: string[];
  actor: Actor;
  via: Via;
  until: number;
}

interface StorageRecord {
  id: string;
  door: number;
  pinKey: string;
  startedAt: number;
  endsAt: number;
  noEnd: boolean;
  timer?: NodeJS.Timeout;
}

const DIGIT = /^[0-9]$/;

/**
 * The keys of the pickup page, one per action for the whole page: an option that appears (reopen, once the door is
 * shut) takes its own key and never the one a person may be pressing for another action. "I am done" stays on 1.
 */
const PICKUP_KEYS = { done: '1', next: '2', 'open-all': '3', reopen: '4' } as const satisfies Record<string, KeypadKey>;

/**
 * The kiosk session state machine. Commands (`keypad`, `scan`, `badge`, `select`, `back`, `signOut`, `headphones`,
 * `enterText`) are queued and run one at a time; every change of what the user should see is a `screen` event with
 * a view model, and every completed action becomes a protocol event through the event sink. Its data comes only from
 * the cached desired state plus what it did itself since (`overlay`), so it behaves the same online and offline.
 */
export class KioskEngine extends EventEmitter<KioskEventMap> {
  private readonly doorsPort: KioskDoorPort;
  private readonly credentials: CredentialPort;
  private readonly statePort: DesiredStatePort;
  private readonly sink: EventSink;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly defaultLang: Lang;
  private readonly reportLeftOpen: boolean;
  private readonly dayEnd: { h: number; m: number };
  private readonly pinLen: { min: number; max: number };
  private readonly audioSwitch: 'detect' | 'key';
  private readonly keyLabels: AudioKeyLabels;
  readonly throttle: LoginThrottle;

  private chain: Promise<void> = Promise.resolve();
  private started = false;
  private audio = false;
  private session: Session;
  private spec: PageSpec;
  private ctx: PageCtx = {};
  private input = '';
  private error: MessageRef | undefined;
  private notice: MessageRef[] = [];
  private warning: MessageRef | undefined;
  private waitUntil: number | undefined;
  private pageTimer: NodeJS.Timeout | undefined;
  private pageTimerKind: PageTimerKind | undefined;
  private readonly doorState = new Map<number, LockerState>();
  private readonly leftOpenTimers = new Map<number, NodeJS.Timeout>();
  /**
   * Doors of other columns (opened by the cloud) are taken as closed after the "return to home after pickup" time:
   * the kiosk never gets door events for them (their own column supervises and reports them).
   */
  private readonly remoteCloseTimers = new Map<number, NodeJS.Timeout>();
  private readonly leftOpenWarned = new Set<number>();
  private readonly openedAt = new Map<number, number>();
  private recent: RecentPickup[] = [];
  private readonly storages = new Map<string, StorageRecord>();
  /** What this kiosk did since the desired state it runs on: reservations changed or created, service states. */
  private readonly overlayReservations = new Map<string, DesiredReservation | null>();
  private readonly overlayService = new Map<number, ServiceState>();
  private keySalt = randomBytes(16);
  private readonly memory: KioskMemoryPort | undefined;
  /** Something worth remembering changed since the last save. */
  private dirty = false;
  private unsubscribeDoors: (() => void) | undefined;
  private unsubscribeState: (() => void) | undefined;
  private lastTimers: KioskTimers = DEFAULT_KIOSK_TIMERS;
  private timersFrom: DesiredState | undefined;
  private localSeq = 0;

  constructor(opts: KioskEngineOptions) {
    super();
    this.doorsPort = opts.doors;
    this.credentials = opts.credentials;
    this.statePort = opts.state;
    this.sink = opts.sink;
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? silentLogger).child({ module: 'kiosk' });
    this.defaultLang = opts.defaultLang ?? 'en';
    this.reportLeftOpen = opts.reportDoorLeftOpen ?? true;
    const [h, m] = (opts.storageDayEndsAt ?? '22:00').split(':').map((x) => Number(x));
    this.dayEnd = { h: h ?? 22, m: m ?? 0 };
    this.pinLen = opts.storagePinLength ?? { min: 4, max: 8 };
    this.audioSwitch = opts.audioSwitch ?? 'detect';
    this.keyLabels = { ...DEFAULT_AUDIO_KEY_LABELS, ...opts.keyLabels };
    this.throttle = new LoginThrottle(opts.throttle ?? DEFAULT_THROTTLE);
    this.memory = opts.memory;
    this.session = this.newSession();
    this.spec = { page: 'home', title: msg('home.title') };
  }

  // ---------------------------------------------------------------- lifecycle

  /** Subscribes to doors and state and shows the home page. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.currentTimers();
    this.unsubscribeDoors = this.doorsPort.subscribe((e) => {
      void this.run(() => this.onDoorEvent(e));
    });
    this.unsubscribeState = this.statePort.subscribe?.(() => {
      void this.run(() => this.onDesiredChanged());
    });
    if (this.memory) {
      // Remembered state first, then the home page (or the lock-out that was running): `settled()` waits for it.
      void this.run(async () => {
        await this.restore();
        if (this.throttle.gate(this.now()).allowed) this.goHome(undefined);
        else if (this.throttle.lockedOutUntil > this.now()) this.showLockedOut();
        else this.goHome(undefined);
      });
    } else {
      this.goHome(undefined);
    }
  }

  private async restore(): Promise<void> {
    let m: KioskMemory | null = null;
    try {
      m = (await this.memory?.load()) ?? null;
    } catch (err) {
      this.log.error({ err }, 'could not read the kiosk memory; starting afresh');
    }
    if (!m) return;
    this.keySalt = Buffer.from(m.keySalt, 'base64url');
    for (const [id, r] of m.reservations) this.overlayReservations.set(id, r);
    for (const [door, svc] of m.service) this.overlayService.set(door, svc);
    this.throttle.restore(m.throttle);
    this.localSeq = m.localSeq;
    for (const s of m.storages) {
      const rec: StorageRecord = { ...s };
      this.storages.set(rec.id, rec);
      this.scheduleStorageEnd(rec);
    }
    this.log.info({ storages: m.storages.length }, 'kiosk memory restored');
  }

  private snapshot(): KioskMemory {
    return {
      v: 1,
      keySalt: this.keySalt.toString('base64url'),
      storages: [...this.storages.values()].map(({ id, door, pinKey, startedAt, endsAt, noEnd }) => ({ id, door, pinKey, startedAt, endsAt, noEnd })),
      reservations: [...this.overlayReservations.entries()],
      service: [...this.overlayService.entries()],
      throttle: this.throttle.snapshot(),
      localSeq: this.localSeq,
    };
  }

  private async saveIfDirty(): Promise<void> {
    if (!this.memory || !this.dirty) return;
    this.dirty = false;
    try {
      await this.memory.save(this.snapshot());
    } catch (err) {
      this.dirty = true;
      this.log.error({ err }, 'could not save the kiosk memory');
    }
  }

  /** Clears every timer and stops listening; commands after this do nothing. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.unsubscribeDoors?.();
    this.unsubscribeState?.();
    this.clearPageTimer();
    for (const t of this.leftOpenTimers.values()) clearTimeout(t);
    this.leftOpenTimers.clear();
    for (const t of this.remoteCloseTimers.values()) clearTimeout(t);
    this.remoteCloseTimers.clear();
    for (const s of this.storages.values()) if (s.timer) clearTimeout(s.timer);
    await this.chain;
    this.emit('session-ended', { reason: 'stopped' });
  }

  /** Resolves when every command queued so far has been handled. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** The current view model (what the last `screen` event carried). */
  get screen(): ScreenView {
    return this.buildView('update');
  }

  get audioMode(): boolean {
    return this.audio;
  }

  get lang(): Lang {
    return this.session.lang;
  }

  /** Renders a message in the session language (for screens that draw text). */
  translate(ref: MessageRef, lang: Lang = this.session.lang): string {
    return translate(ref, lang);
  }

  /** The timers in force (the desired state's, validated; defaults when they are refused). */
  get timers(): KioskTimers {
    return this.currentTimers();
  }

  // ---------------------------------------------------------------- commands

  keypad(key: KeypadKey): Promise<void> {
    return this.run(() => this.onKey(key));
  }

  /** A code from the barcode / QR scanner. */
  scan(code: string): Promise<void> {
    return this.run(() => this.onScan(code.trim()));
  }

  /** An id from the badge / smart-card reader. */
  badge(id: string): Promise<void> {
    return this.run(() => this.onBadge(id.trim()));
  }

  /** Text typed on the screen's keyboard (tracking ids), as if typed key by key then entered. */
  enterText(text: string): Promise<void> {
    return this.run(async () => {
      if (!this.spec.input) return;
      this.touch();
      this.input = text.trim().slice(0, this.spec.input.maxLength);
      await this.onEnter();
    });
  }

  /** A touch on an option of the screen. */
  select(optionId: string): Promise<void> {
    return this.run(() => this.onSelect(optionId));
  }

  back(): Promise<void> {
    return this.run(() => this.onBack());
  }

  signOut(): Promise<void> {
    return this.run(async () => {
      if (this.spec.page === 'locked-out') return;
      this.farewell('sign-out');
    });
  }

  /** Ends the session now (the cloud's `end-session` command, an admin at the console): back to home. */
  endSession(): Promise<void> {
    return this.run(async () => {
      if (this.spec.page === 'locked-out' || this.spec.page === 'out-of-order') return;
      this.goHome('sign-out');
    });
  }

  /** Headphone-detect input: plugged starts audio mode, unplugged ends it. */
  headphones(plugged: boolean): Promise<void> {
    return this.run(async () => {
      if (this.audio === plugged) return;
      this.setAudio(plugged);
    });
  }

  private setAudio(on: boolean): void {
    this.audio = on;
    this.touch();
    this.emitScreen('update', on ? this.audioOnMessage() : undefined);
  }

  /** "Audio mode is on. Press R to hear this again...": the keys named as they are printed. */
  private audioOnMessage(): MessageRef {
    return msg('home.audioOn', { ...this.keyLabels });
  }

  /** Session language (also offered on the menu). */
  setLanguage(lang: Lang): Promise<void> {
    return this.run(async () => {
      this.session.lang = lang;
      this.session.touched = true;
      this.touch();
      this.emitScreen('update');
    });
  }

  // ---------------------------------------------------------------- plumbing

  private run(fn: () => Promise<void> | void): Promise<void> {
    const next = this.chain.then(async () => {
      if (!this.started) return;
      try {
        await fn();
      } catch (err) {
        this.log.error({ err }, 'kiosk command failed');
      }
      await this.saveIfDirty();
    });
    this.chain = next;
    return next;
  }

  private newSession(): Session {
    return { lang: this.defaultLang, opened: [], pending: [], touched: false };
  }

  private state(): DesiredState | undefined {
    return this.statePort.current();
  }

  private rules(): BankRules {
    return this.state()?.rules ?? DEFAULT_BANK_RULES;
  }

  private currentTimers(): KioskTimers {
    const s = this.state();
    if (s && s !== this.timersFrom) {
      this.timersFrom = s;
      const v = validateKioskTimers(s.timers);
      if (v.ok) this.lastTimers = v.timers;
      // A desired state that breaks the kiosk's combination rules keeps the last good timers rather than running a
      // session on nonsensical ones; the problem is logged with the field.
      else this.log.warn({ problems: v.problems }, 'desired kiosk timers refused; keeping the previous ones');
    }
    return this.lastTimers;
  }

  private doorInfo(door: number): DesiredDoor | undefined {
    const d = this.state()?.doors.find((x) => x.door === door);
    if (!d) return undefined;
    const svc = this.overlayService.get(door);
    return svc ? { ...d, service: svc } : d;
  }

  private allDoors(): DesiredDoor[] {
    return (this.state()?.doors ?? []).map((d) => this.doorInfo(d.door) ?? d);
  }

  private reservations(): DesiredReservation[] {
    const base = this.state()?.reservations ?? [];
    const out: DesiredReservation[] = [];
    const seen = new Set<string>();
    for (const r of base) {
      seen.add(r.id);
      const o = this.overlayReservations.get(r.id);
      if (o === null) continue;
      out.push(o ?? r);
    }
    for (const [id, r] of this.overlayReservations) if (!seen.has(id) && r) out.push(r);
    return out;
  }

  private setReservation(r: DesiredReservation): void {
    this.overlayReservations.set(r.id, r);
    this.dirty = true;
  }

  private removeReservation(id: string): void {
    this.overlayReservations.set(id, null);
    this.dirty = true;
  }

  private onDesiredChanged(): void {
    const s = this.state();
    if (!s) return;
    // A local change is dropped once the cloud's state shows it was heard: a picked-up reservation is gone from it, a
    // changed one has our status and door, a drop-off with no reservation sits in a locker the cloud now fills. Until
    // then ours stands, because a desired state may be issued before the cloud has processed our events (a package
    // shown again as waiting would open an empty locker). Day-use storage stays local: its PIN exists only here.
    const cloud = new Map(s.reservations.map((r) => [r.id, r]));
    const cloudDoors = new Set(s.reservations.map((r) => r.door));
    for (const [id, r] of [...this.overlayReservations]) {
      if (this.storages.has(id)) continue;
      const c = cloud.get(id);
      const heard = r === null ? c === undefined : c ? c.status === r.status && c.door === r.door : cloudDoors.has(r.door);
      if (heard) this.overlayReservations.delete(id);
    }
    for (const [door, svc] of [...this.overlayService]) {
      if (s.doors.find((d) => d.door === door)?.service === svc) this.overlayService.delete(door);
    }
    this.dirty = true;
    if (this.spec.page === 'out-of-order') this.goHome(undefined);
    // An idle home page is drawn again, so what it offers follows the bank's rules (e.g. the contactless scan hint).
    else if (this.spec.page === 'home' && !this.input && !this.session.touched && this.session.role === undefined) {
      const wantsHint = this.rules().contactless;
      const hasHint = this.spec.lines?.some((l) => l.key === 'home.scanHint') ?? false;
      if (wantsHint !== hasHint) this.goHome(undefined);
    }
  }

  private now(): number {
    return this.clock.now();
  }

  private codeKey(kind: string, code: string): string {
    return createHash('sha256').update(this.keySalt).update(`${kind}:${code}`).digest('base64url');
  }

  private async publish(body: EventBody): Promise<void> {
    this.emit('event', body);
    try {
      await this.sink.publishEvent(body);
    } catch (err) {
      this.log.error({ err, type: body.type }, 'event sink refused an event');
    }
  }

  private async transaction(
    kind: TxKind,
    doors: number[],
    reservationIds: string[],
    trackingIds: string[],
    extra: { endsAt?: number; actor?: Actor; via?: Via } = {},
  ): Promise<void> {
    await this.publish({
      type: 'transaction',
      kind,
      doors,
      reservationIds,
      trackingIds,
      actor: extra.actor ?? this.session.actor ?? { role: 'recipient' },
      via: extra.via ?? this.session.via ?? 'keypad',
      offline: !this.statePort.isOnline(),
      ...(extra.endsAt !== undefined ? { endsAt: extra.endsAt } : {}),
    });
  }

  // ---------------------------------------------------------------- pages and timers

  private show(spec: PageSpec): void {
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

  private staffSession(): boolean {
    const r = this.session.role;
    return r === 'operator' || r === 'carrier' || r === 'admin';
  }

  private armPageTimer(spec: PageSpec): void {
    this.clearPageTimer();
    let kind: PageTimerKind | 'none' | undefined = spec.timer;
    if (kind === undefined) {
      if (spec.page === 'home') kind = this.session.touched || this.input ? 'inactivity' : 'none';
      else kind = this.staffSession() ? 'admin' : 'inactivity';
    }
    if (kind === 'none') return;
    const t = this.currentTimers();
    let ms: number;
    if (kind === 'inactivity') ms = t.returnHomeOnInactivityS * 1000;
    else if (kind === 'admin') ms = t.adminSessionTimeoutS * 1000;
    else if (kind === 'after-pickup') ms = t.returnHomeAfterPickupS * 1000;
    else ms = Math.max(0, this.throttle.lockedOutUntil - this.now());
    this.pageTimerKind = kind;
    const k = kind;
    this.pageTimer = setTimeout(() => {
      this.pageTimer = undefined;
      void this.run(() => this.onPageTimer(k));
    }, ms);
  }

  private clearPageTimer(): void {
    if (this.pageTimer) clearTimeout(this.pageTimer);
    this.pageTimer = undefined;
    this.pageTimerKind = undefined;
  }

  /**
   * Input on the lock-out page: ignored while the lock-out lasts. Once it is over by the clock the kiosk goes home,
   * even if the lock-out timer has not fired (the clock was corrected meanwhile, e.g. by NTP on a board without a
   * battery clock). The input itself only wakes the kiosk.
   */
  private endLockoutIfDue(): void {
    if (this.throttle.lockedOutUntil > this.now()) return;
    this.clearPageTimer();
    this.goHome('lock-out-ended');
  }

  private onPageTimer(kind: PageTimerKind): void {
    this.log.debug({ kind, page: this.spec.page }, 'page timer fired');
    if (kind === 'lock-out') {
      this.goHome('lock-out-ended');
      return;
    }
    this.goHome(kind === 'after-pickup' ? 'done' : 'timeout');
  }

  /** Activity: restarts the inactivity / admin timer (not the after-pickup one, which runs from the opening). */
  private touch(): void {
    this.session.touched = true;
    if (this.pageTimerKind === 'inactivity' || this.pageTimerKind === 'admin' || (!this.pageTimer && this.spec.page === 'home')) {
      this.armPageTimer({ ...this.spec, timer: undefined });
    }
  }

  /** Ends the session with a goodbye in its own language, then shows home in the default one. */
  private farewell(reason: 'done' | 'sign-out'): void {
    if (this.session.touched || this.session.role) this.emit('notice', { message: msg('session.goodbye'), lang: this.session.lang });
    this.goHome(reason);
  }

  private goHome(reason: KioskEventMap['session-ended'][0]['reason'] | undefined, lines: MessageRef[] = []): void {
    const hadSession = this.session.touched || this.session.role !== undefined;
    this.session = this.newSession();
    if (!this.state()) {
      this.show({ page: 'out-of-order', title: msg('error.notReady.title'), lines: [msg('error.notReady')], timer: 'none' });
      return;
    }
    // A kiosk without a detect line is quiet again for the next person.
    if (hadSession && reason && this.audioSwitch === 'key') this.audio = false;
    this.show({
      page: 'home',
      title: msg('home.title'),
      lines: this.homeLines(lines),
      input: { kind: 'digits', masked: true, minLength: 4, maxLength: 12 },
      ctx: { entry: 'code' },
      timer: 'none',
    });
    if (hadSession && reason) this.emit('session-ended', { reason });
  }

  /** The welcome's lines, the same in every language and whether a session is running or not. */
  private homeLines(lines: MessageRef[]): MessageRef[] {
    const out: MessageRef[] = [...lines, msg('home.prompt')];
    if (this.rules().contactless) out.push(msg('home.scanHint'));
    out.push(msg('home.menuHint'), msg('home.badgeHint'));
    if (this.audio && lines.length === 0) out.push(this.audioOnMessage());
    if (!this.audio && this.audioSwitch === 'key') out.push(msg('home.audioKeyHint', { repeat: this.keyLabels.repeat }));
    return out;
  }

  private lockerView(door: number): LockerView | undefined {
    const d = this.doorInfo(door);
    if (!d) return undefined;
    const state = this.doorState.get(door) ?? 'closed';
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

  private buildView(change: ScreenView['change']): ScreenView {
    const s = this.spec;
    const view: ScreenView = {
      page: s.page,
      change,
      lang: this.session.lang,
      audio: this.audio,
      title: s.title,
      lines: [...(s.lines ?? [])],
      options: s.options ?? [],
      lockers: (s.doors ?? []).map((d) => this.lockerView(d)).filter((x): x is LockerView => x !== undefined),
    };
    if (this.error) view.error = this.error;
    if (this.warning) view.warning = this.warning;
    if (this.session.role) view.role = this.session.role;
    if (this.waitUntil !== undefined && this.waitUntil > this.now()) view.waitUntil = this.waitUntil;
    if (s.input) {
      const input: ScreenInput = { ...s.input, length: this.input.length };
      if (!s.input.masked) input.value = this.input;
      view.input = input;
    }
    return view;
  }

  private emitScreen(change: ScreenView['change'], feedback?: MessageRef): void {
    const view = this.buildView(change);
    if (feedback) view.feedback = feedback;
    this.emit('screen', view);
  }

  private setError(error: MessageRef | undefined): void {
    this.error = error;
    this.input = '';
    this.emitScreen('update');
  }

  /** Numbers options 1..n for the keypad when the page has no digit entry. */
  private numbered(options: Array<{ id: string; label: MessageRef }>): ScreenOption[] {
    return options.map((o, i) => (i < 9 ? { ...o, key: String(i + 1) as KeypadKey } : o));
  }

  // ---------------------------------------------------------------- input

  private async onKey(key: KeypadKey): Promise<void> {
    const spec = this.spec;
    const masked = spec.input?.masked ?? false;
    this.emit('key', { key, masked: DIGIT.test(key) && masked });
    if (key === 'repeat' || key === 'stop' || key === 'volume-up' || key === 'volume-down') {
      // The audio interface acts on these; for the session they are activity. Without a detect line the repeat key
      // is what switches audio mode on.
      if (key === 'repeat' && !this.audio && this.audioSwitch === 'key') return this.setAudio(true);
      this.touch();
      return;
    }
    if (spec.page === 'locked-out') return this.endLockoutIfDue();
    this.touch();
    if (key === 'back') return this.onBack();
    if (DIGIT.test(key)) {
      if (spec.input) {
        if (this.input.length < spec.input.maxLength) this.input += key;
        if (this.error) this.error = undefined;
        this.emitScreen('input');
        return;
      }
      const opt = (spec.options ?? []).find((o) => o.key === key);
      if (opt) await this.onSelect(opt.id);
      return;
    }
    if (key === 'clear') {
      this.input = '';
      this.emitScreen('input', msg('input.cleared'));
      return;
    }
    if (key === 'enter') await this.onEnter();
  }

  private async onEnter(): Promise<void> {
    const entry = this.ctx.entry;
    const value = this.input;
    if (!this.spec.input || !entry) return;
    if (entry === 'code' && value === '') {
      this.showMenu();
      return;
    }
    if (value === '') return;
    switch (entry) {
      case 'code':
        return this.signIn(value, ['pickup-code', 'carrier-code', 'staff-pin'], 'pin', 'code');
      case 'staff-pin':
        return this.signIn(value, ['staff-pin'], 'pin', 'pin');
      case 'tracking':
        return this.onTracking(value);
      case 'locker':
        return this.onServiceLocker(Number(value));
      case 'hours':
        return this.onStorageHours(Number(value));
      case 'extend-hours':
        return this.onStorageExtend(Number(value));
      case 'pin':
        return this.onStoragePin(value);
      case 'pin-confirm':
        return this.onStoragePinConfirm(value);
    }
  }

  private async onScan(code: string): Promise<void> {
    if (!code) return;
    this.touch();
    const page = this.spec.page;
    if (page === 'locked-out') return this.endLockoutIfDue();
    if (page === 'dropoff-tracking') return this.onTracking(code);
    if (page === 'rear-shelf') return this.onShelf(code);
    if (page === 'scan' || (page === 'home' && this.rules().contactless)) {
      return this.signIn(code, ['qr', 'carrier-code', 'pickup-code'], 'qr', 'qr');
    }
    // Without contactless sign-in the scanner signs nobody in from the home page: say how to scan.
    if (page === 'home') return this.setError(msg('error.scanFirst'));
    this.log.debug({ page }, 'scan ignored on this page');
  }

  private async onBadge(id: string): Promise<void> {
    if (!id) return;
    this.touch();
    const page = this.spec.page;
    if (page === 'locked-out') return this.endLockoutIfDue();
    if (page === 'home' || page === 'staff-signin' || page === 'menu' || page === 'scan') {
      await this.signIn(id, ['badge'], 'badge', 'badge');
    }
  }

  private async onBack(): Promise<void> {
    const page = this.spec.page;
    if (page === 'home' || page === 'locked-out' || page === 'out-of-order') {
      if (this.input) {
        this.input = '';
        this.emitScreen('input');
      }
      return;
    }
    if (this.staffSession() && page !== 'staff-menu') {
      if (this.session.role === 'carrier') return this.showCarrier();
      return this.showStaffMenu();
    }
    if (page === 'storage-duration') return this.showStorageSizes();
    if (page === 'storage-hours') return this.showStorageDuration(this.ctx.size as LockerSize);
    if (page === 'storage-size' || page === 'scan' || page === 'staff-signin') return this.showMenu();
    if (page === 'storage-extend' || page === 'storage-ask-end') {
      const rec = this.ctx.storageId ? this.storages.get(this.ctx.storageId) : undefined;
      if (rec) return this.showStorageActive(rec);
    }
    this.goHome('sign-out');
  }

  private async onSelect(id: string): Promise<void> {
    const opt = (this.spec.options ?? []).find((o) => o.id === id);
    if (!opt) {
      this.log.debug({ id, page: this.spec.page }, 'unknown option');
      return;
    }
    this.touch();
    const page = this.spec.page;
    if (id === 'back') return this.onBack();
    if (id === 'sign-out' || id === 'done') return this.farewell(id === 'done' ? 'done' : 'sign-out');
    switch (page) {
      case 'menu':
        if (id === 'scan') return this.show({ page: 'scan', title: msg('scan.title'), lines: [msg('scan.prompt')], options: this.numbered([{ id: 'back', label: msg('menu.back') }]) });
        if (id === 'storage') return this.showStorageSizes();
        if (id === 'staff') {
          return this.show({
            page: 'staff-signin',
            title: msg('staffSignin.title'),
            lines: [msg('staffSignin.prompt')],
            input: { kind: 'digits', masked: true, minLength: 4, maxLength: 12 },
            options: [{ id: 'back', label: msg('menu.back') }],
            ctx: { entry: 'staff-pin' },
          });
        }
        if (id === 'language') {
          this.session.lang = this.session.lang === 'en' ? 'fr' : 'en';
          this.session.touched = true;
          return this.showHomeInSession([msg('language.changed')]);
        }
        return;
      case 'pickup':
        if (id === 'next') return this.openNextPickup();
        if (id === 'open-all') return this.openPickups(this.session.pending.splice(0));
        if (id === 'reopen') return this.reopen(this.closedOpenedDoors(), 'pickup');
        return;
      case 'reopen':
        if (id === 'reopen') return this.reopen(this.ctx.doors ?? [], 'reopen');
        return;
      case 'staff-menu':
        return this.onStaffOption(id);
      case 'dropoff-tracking':
        if (id === 'choose-size') return this.showChooseSize(this.ctx.mode ?? 'operator', this.ctx.tracking);
        return;
      case 'dropoff-existing': {
        const r = this.reservations().find((x) => x.id === this.ctx.reservationId);
        if (!r) return this.showStaffMenu();
        const door = id === 'existing' ? (this.ctx.existingDoor as number) : r.door;
        return this.dropOff(door, r, this.ctx.tracking, this.ctx.mode ?? 'operator');
      }
      case 'dropoff-open':
        if (id === 'next') return this.ctx.mode === 'carrier' ? this.showCarrier() : this.showDropoffTracking('operator');
        return;
      case 'choose-size': {
        const size = id.replace(/^size-/, '') as LockerSize;
        const door = this.freeDoors(size)[0];
        if (door === undefined) return this.setError(msg('error.noLockers'));
        return this.dropOff(door, undefined, this.ctx.tracking, this.ctx.mode ?? 'operator');
      }
      case 'expired':
        if (id === 'open-all') return this.removeExpired();
        return;
      case 'service-locker':
        if (id === 'set-out' || id === 'set-in') return this.setService(this.ctx.door as number, id === 'set-out' ? 'out-of-service' : 'in-service');
        return;
      case 'storage-size': {
        const size = id.replace(/^size-/, '') as LockerSize;
        return this.showStorageDuration(size);
      }
      case 'storage-duration':
        return this.onStorageDuration(id);
      case 'storage-active':
        return this.onStorageActive(id);
      case 'storage-ask-end': {
        const rec = this.ctx.storageId ? this.storages.get(this.ctx.storageId) : undefined;
        if (!rec) return this.goHome('done');
        if (id === 'end') return this.endStorage(rec);
        if (id === 'keep') return this.openStorage(rec);
        return;
      }
      default:
        return;
    }
  }

  private showMenu(): void {
    this.session.touched = true;
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

  /** Home with the session kept (language chosen): the inactivity timer runs. */
  private showHomeInSession(lines: MessageRef[]): void {
    this.show({
      page: 'home',
      title: msg('home.title'),
      lines: this.homeLines(lines),
      input: { kind: 'digits', masked: true, minLength: 4, maxLength: 12 },
      ctx: { entry: 'code' },
      timer: 'inactivity',
    });
  }

  // ---------------------------------------------------------------- sign-in

  private async signIn(code: string, kinds: CredentialKind[], via: Via, method: LoginMethod): Promise<void> {
    const now = this.now();
    const gate = this.throttle.gate(now);
    if (!gate.allowed) {
      if (gate.lockedOut) return this.showLockedOut();
      this.waitUntil = gate.until;
      return this.setError(msg('error.wait', { seconds: Math.ceil((gate.until - now) / 1000) }));
    }
    this.waitUntil = undefined;

    // Day-use storage PINs live on this kiosk only.
    if (kinds.includes('pickup-code')) {
      const key = this.codeKey('storage', code);
      const rec = [...this.storages.values()].find((s) => s.pinKey === key);
      if (rec) {
        this.throttle.succeed();
        this.session.role = 'recipient';
        this.session.actor = { role: 'recipient' };
        this.session.via = 'pin';
        return this.showStorageActive(rec);
      }
    }

    let worst: 'unknown' | 'expired' | 'used' = 'unknown';
    let match: CredentialMatch | undefined;
    for (const kind of kinds) {
      // Carrier access codes are six to ten digits: other lengths are not tried as one.
      if (kind === 'carrier-code' && via !== 'qr' && !/^[0-9]{6,10}$/.test(code)) continue;
      const r = await this.credentials.check(kind, code, now);
      if (r.ok) {
        match = r.match;
        break;
      }
      if (r.reason === 'expired' || (r.reason === 'used' && worst === 'unknown')) worst = r.reason;
    }
    const codeKey = this.codeKey('code', code);
    let actualVia: Via = via;
    if (match && this.throttle.attempts > 0) this.dirty = true;
    if (match && via === 'qr' && match.kind === 'pickup-code') actualVia = 'barcode';

    if (!match) {
      const recent = this.recent.find((r) => r.codeKey === codeKey && now < r.until);
      if (recent) {
        this.throttle.succeed();
        return this.showReopenOffer(recent);
      }
      return this.loginFailed(method, worst);
    }
    this.throttle.succeed();
    this.session.credential = match;
    this.session.role = match.role;
    this.session.actor = { role: match.role, ...(match.subjectId ? { id: match.subjectId } : {}) };
    this.session.via = actualVia;
    this.session.codeKey = codeKey;
    if (match.role === 'operator' || match.role === 'admin') return this.showStaffMenu(true);
    if (match.role === 'carrier') return this.showCarrier(true);
    return this.recipientSignedIn(match, codeKey, now);
  }

  private async loginFailed(method: LoginMethod, reason: 'unknown' | 'expired' | 'used'): Promise<void> {
    const now = this.now();
    const r = this.throttle.fail(now);
    this.dirty = true;
    this.log.info({ method, attempts: r.attempts, reason }, 'sign-in refused');
    await this.publish({
      type: 'login-failure',
      method,
      attempts: r.attempts,
      ...(r.lockedOutUntil !== undefined ? { lockedOutUntil: r.lockedOutUntil } : {}),
    });
    if (r.lockedOutUntil !== undefined) return this.showLockedOut();
    this.waitUntil = r.waitUntil;
    const key: MessageKey = reason === 'expired' ? 'error.codeExpired' : reason === 'used' ? 'error.codeUsed' : 'error.codeUnknown';
    this.setError(msg(key));
  }

  private showLockedOut(): void {
    const until = this.throttle.lockedOutUntil;
    this.session = this.newSession();
    this.waitUntil = until;
    this.show({
      page: 'locked-out',
      title: msg('error.lockedOut.title'),
      lines: [msg('error.lockedOut', { minutes: Math.ceil((until - this.now()) / 60_000) })],
      timer: 'lock-out',
    });
  }

  // ---------------------------------------------------------------- recipient

  private recipientReservations(match: CredentialMatch): DesiredReservation[] {
    return reservationsOpenedBy(this.reservations(), this.rules(), match);
  }

  private async recipientSignedIn(match: CredentialMatch, codeKey: string, now: number): Promise<void> {
    const list = this.recipientReservations(match);
    const packages = list.filter((r) => r.kind === 'package' && r.status === 'occupied');
    if (packages.length > 0) {
      const doors = [...new Set(packages.map((r) => r.door))];
      if (this.rules().openAllAtOnce) return this.openPickups(doors);
      this.session.pending = doors;
      return this.openNextPickup();
    }
    const ret = list.find((r) => r.kind === 'return' && r.status === 'reserved');
    if (ret) return this.openForReservation(ret, 'return');
    const exch = list.find((r) => r.kind === 'exchange');
    if (exch) return this.openForReservation(exch, 'exchange');
    const recent = this.recent.find((r) => r.codeKey === codeKey && now < r.until);
    if (recent) return this.showReopenOffer(recent);
    this.show({
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
  private async useUpCredential(): Promise<void> {
    const c = this.session.credential;
    if (!c || !c.oneTime || this.session.credentialUsed) return;
    this.session.credentialUsed = true;
    try {
      await this.credentials.markUsed(c.credentialId);
    } catch (err) {
      this.log.error({ err, credentialId: c.credentialId }, 'could not record a one-time code as used');
    }
  }

  /** A door of another column that cannot be opened now: only the cloud opens it, and the kiosk is offline. */
  private remoteUnreachable(door: number): boolean {
    return this.doorInfo(door)?.remote !== undefined && !this.statePort.isOnline();
  }

  /**
   * Unlocks one door and records its state; reports failures on screen. A door of another column is opened by the
   * cloud, which checks `credentialId` (by default the session's) against its own records: without one it is not
   * even asked.
   */
  private async unlock(door: number, purpose: UnlockRequest['purpose'], credentialId = this.session.credential?.credentialId): Promise<UnlockOutcome> {
    let outcome: UnlockOutcome;
    const remote = this.doorInfo(door)?.remote !== undefined;
    if (remote && !this.statePort.isOnline()) {
      // Not even asked: a request queued in the outbox would reach the cloud long after the person left.
      this.log.info({ door }, 'door of another column while offline: not opened');
      outcome = 'unknown';
    } else {
      const request: UnlockRequest = {
        purpose,
        ...(credentialId !== undefined ? { credentialId } : {}),
        ...(this.session.actor ? { actor: this.session.actor } : {}),
      };
      try {
        outcome = await this.doorsPort.unlock(door, request);
      } catch (err) {
        this.log.error({ err, door }, 'unlock failed');
        outcome = 'unknown';
      }
    }
    const locker = this.doorInfo(door)?.locker ?? door;
    if (outcome === 'opened' || outcome === 'already_open') {
      this.doorState.set(door, 'open');
      this.openedAt.set(door, this.now());
      if (remote) this.presumeClosedLater(door);
      else this.superviseOpenDoor(door);
      this.emit('door-opened', { door, locker, outcome });
    } else {
      this.doorState.set(door, outcome === 'jammed' ? 'jammed' : 'unknown');
      this.emit('door-failed', { door, locker, outcome });
    }
    return outcome;
  }

  private failureLine(door: number, outcome: UnlockOutcome): MessageRef {
    const locker = this.doorInfo(door)?.locker ?? door;
    if (this.remoteUnreachable(door)) return msg('error.remoteOffline', { locker });
    return msg(outcome === 'jammed' ? 'error.doorJammed' : 'error.doorUnknown', { locker });
  }

  /** "Open now: locker 12, ..." for each open door; a door seen shut since says so ("Locker 12 is closed."). */
  private openedLines(doors: number[]): MessageRef[] {
    return doors.flatMap((d) => {
      const state = this.doorState.get(d);
      const info = this.doorInfo(d);
      if (state === 'open') return [info ? msg('locker.open', { where: lockerWhere(info) }) : msg('locker.closed', { locker: d })];
      return state === 'closed' ? [msg('locker.closed', { locker: info?.locker ?? d })] : [];
    });
  }

  /** The page's "Open now" line of a door that was just shut becomes "Locker 12 is closed.", seen and spoken. */
  private markClosedOnPage(door: number): void {
    const info = this.doorInfo(door);
    if (!info || !this.spec.lines) return;
    const isOpenLine = (l: MessageRef): boolean => l.key === 'locker.open' && (l.params?.['where'] as MessageRef | undefined)?.params?.['locker'] === info.locker;
    if (!this.spec.lines.some(isOpenLine)) return;
    this.spec = { ...this.spec, lines: this.spec.lines.map((l) => (isOpenLine(l) ? msg('locker.closed', { locker: info.locker }) : l)) };
  }

  private rememberPickup(doors: number[], reservationIds: string[]): void {
    const grace = this.currentTimers().lockerAccessAfterPickupS * 1000;
    const key = this.session.codeKey;
    if (!key || grace <= 0) return;
    const now = this.now();
    this.recent = this.recent.filter((r) => now < r.until && r.codeKey !== key);
    const prev = this.session.opened;
    const credentialId = this.session.credential?.credentialId;
    this.recent.push({
      codeKey: key,
      ...(credentialId !== undefined ? { credentialId } : {}),
      doors: [...new Set([...prev, ...doors])],
      reservationIds,
      actor: this.session.actor ?? { role: 'recipient' },
      via: this.session.via ?? 'pin',
      until: now + grace,
    });
  }

  private async openPickups(doors: number[]): Promise<void> {
    const opened: number[] = [];
    const failures: MessageRef[] = [];
    for (const d of doors) {
      const o = await this.unlock(d, 'pickup');
      if (o === 'opened' || o === 'already_open') opened.push(d);
      else failures.push(this.failureLine(d, o));
    }
    const res = this.reservations().filter((r) => opened.includes(r.door) && r.kind === 'package' && r.status === 'occupied');
    if (opened.length) {
      await this.useUpCredential();
      await this.transaction('pickup', opened, res.map((r) => r.id), res.flatMap((r) => r.trackingIds));
      for (const r of res) this.removeReservation(r.id);
      this.rememberPickup(opened, res.map((r) => r.id));
      this.session.opened = [...new Set([...this.session.opened, ...opened])];
    }
    this.showPickupPage(failures);
  }

  private async openNextPickup(): Promise<void> {
    const next = this.session.pending.shift();
    if (next === undefined) return this.showPickupPage([]);
    await this.openPickups([next]);
  }

  private closedOpenedDoors(): number[] {
    return this.session.opened.filter((d) => this.doorState.get(d) !== 'open');
  }

  private withinGrace(): boolean {
    const key = this.session.codeKey;
    return this.recent.some((r) => r.codeKey === key && this.now() < r.until);
  }

  private pickupOptions(): ScreenOption[] {
    const opts: ScreenOption[] = [{ id: 'done', label: msg('pickup.done'), key: PICKUP_KEYS.done }];
    if (this.session.pending.length) {
      opts.push({ id: 'next', label: msg('pickup.next'), key: PICKUP_KEYS.next });
      if (this.session.pending.length > 1) opts.push({ id: 'open-all', label: msg('pickup.openAll'), key: PICKUP_KEYS['open-all'] });
    }
    if (this.closedOpenedDoors().length && this.withinGrace()) opts.push({ id: 'reopen', label: msg('pickup.reopen'), key: PICKUP_KEYS.reopen });
    return opts;
  }

  private showPickupPage(failures: MessageRef[], change: 'page' | 'update' = 'page'): void {
    const doors = this.session.opened;
    const lines: MessageRef[] = [...this.openedLines(doors)];
    if (doors.some((d) => this.doorState.get(d) === 'open')) lines.push(msg('pickup.take'));
    if (this.session.pending.length) lines.push(msg('pickup.remaining', { count: this.session.pending.length }));
    const spec: PageSpec = {
      page: 'pickup',
      title: msg('pickup.title'),
      lines,
      options: this.pickupOptions(),
      doors: [...doors, ...this.session.pending],
      timer: 'after-pickup',
      ...(failures[0] ? { error: failures[0] } : {}),
    };
    if (change === 'update' && this.spec.page === 'pickup') {
      // Door closed: same page, new options; the after-pickup timer keeps running from the opening.
      this.spec = spec;
      this.emitScreen('update');
      return;
    }
    this.show(spec);
  }

  private showReopenOffer(recent: RecentPickup): void {
    this.session.role = 'recipient';
    this.session.actor = recent.actor;
    this.session.via = recent.via;
    this.session.codeKey = recent.codeKey;
    this.show({
      page: 'reopen',
      title: msg('reopen.title'),
      lines: [msg('reopen.prompt'), ...recent.doors.map((d) => this.lockerLine(d))],
      options: this.numbered([
        { id: 'reopen', label: msg('reopen.yes') },
        { id: 'done', label: msg('pickup.done') },
      ]),
      doors: recent.doors,
      ctx: { doors: recent.doors },
    });
  }

  private lockerLine(door: number): MessageRef {
    const info = this.doorInfo(door);
    return info ? lockerWhere(info) : msg('error.lockerUnknown', { locker: door });
  }

  private async reopen(doors: number[], from: 'pickup' | 'reopen'): Promise<void> {
    const now = this.now();
    const recent = this.recent.find((r) => r.codeKey === this.session.codeKey && now < r.until);
    if (!recent) return this.setError(msg('reopen.expired'));
    const opened: number[] = [];
    const failures: MessageRef[] = [];
    for (const d of doors) {
      const o = await this.unlock(d, 'reopen', recent.credentialId);
      if (o === 'opened' || o === 'already_open') opened.push(d);
      else failures.push(this.failureLine(d, o));
    }
    if (opened.length) await this.transaction('reopen', opened, recent.reservationIds, []);
    if (from === 'reopen') this.session.opened = [...doors];
    this.showPickupPage(failures);
  }

  private async openForReservation(r: DesiredReservation, kind: 'return' | 'exchange'): Promise<void> {
    const o = await this.unlock(r.door, kind);
    const ok = o === 'opened' || o === 'already_open';
    if (ok) {
      await this.useUpCredential();
      await this.transaction(kind, [r.door], [r.id], r.trackingIds);
      if (kind === 'return') this.setReservation({ ...r, status: 'occupied' });
    }
    this.show({
      page: kind,
      title: msg(kind === 'return' ? 'return.title' : 'exchange.title'),
      lines: ok ? [...this.openedLines([r.door]), msg(kind === 'return' ? 'return.prompt' : 'exchange.prompt')] : [],
      options: this.numbered([{ id: 'done', label: msg('pickup.done') }]),
      doors: [r.door],
      timer: 'after-pickup',
      ...(ok ? {} : { error: this.failureLine(r.door, o) }),
    });
  }

  // ---------------------------------------------------------------- staff

  private showStaffMenu(welcome = false): void {
    const rules = this.rules();
    const opts: Array<{ id: string; label: MessageRef }> = [{ id: 'dropoff', label: msg('staff.dropoff') }];
    if (rules.noBarcodePackages) opts.push({ id: 'no-barcode', label: msg('staff.noBarcode') });
    opts.push(
      { id: 'choose-size', label: msg('staff.chooseSize') },
      { id: 'rear-shelf', label: msg('staff.rearShelf') },
      { id: 'remove-expired', label: msg('staff.removeExpired') },
      { id: 'service', label: msg('staff.service') },
      { id: 'sign-out', label: msg('session.signOut') },
    );
    const role = this.session.role ?? 'operator';
    this.show({
      page: 'staff-menu',
      title: msg('staff.title'),
      lines: welcome ? [msg('staff.welcome', { role: msg(role === 'admin' ? 'role.admin' : role === 'carrier' ? 'role.carrier' : 'role.operator') })] : [],
      options: this.numbered(opts),
    });
  }

  private onStaffOption(id: string): void | Promise<void> {
    switch (id) {
      case 'dropoff':
        return this.showDropoffTracking('operator');
      case 'no-barcode':
        return this.showChooseSize('operator', undefined);
      case 'choose-size':
        return this.showChooseSize('operator', undefined);
      case 'rear-shelf':
        return this.show({ page: 'rear-shelf', title: msg('rearShelf.title'), lines: [msg('rearShelf.prompt')], options: [{ id: 'back', label: msg('menu.back') }] });
      case 'remove-expired':
        return this.showExpired();
      case 'service':
        return this.show({
          page: 'service',
          title: msg('service.title'),
          lines: [msg('service.prompt')],
          input: { kind: 'digits', masked: false, minLength: 1, maxLength: 4 },
          options: [{ id: 'back', label: msg('menu.back') }],
          ctx: { entry: 'locker' },
        });
      default:
        return;
    }
  }

  private showDropoffTracking(mode: 'operator' | 'carrier', welcome = false): void {
    const opts: ScreenOption[] = [];
    opts.push({ id: 'choose-size', label: msg('staff.chooseSize') });
    opts.push({ id: mode === 'carrier' ? 'sign-out' : 'back', label: msg(mode === 'carrier' ? 'session.signOut' : 'menu.back') });
    this.show({
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

  private showCarrier(welcome = false): void {
    this.showDropoffTracking('carrier', welcome);
  }

  /** Doors a staff member may use: a carrier's credential may restrict them. */
  private allowedDoor(door: number): boolean {
    const c = this.session.credential;
    if (!c || c.role !== 'carrier' || c.doors.length === 0) return true;
    return c.doors.includes(door);
  }

  private async onTracking(tracking: string): Promise<void> {
    const mode = this.ctx.mode ?? 'operator';
    const packages = this.reservations().filter((r) => r.kind === 'package' && r.trackingIds.includes(tracking));
    // A parcel the cloud added to the recipient's occupied locker (bank rule addToExistingLocker) is found there.
    const res = packages.find((r) => r.status === 'reserved') ?? packages.find((r) => r.status === 'occupied');
    if (!res) {
      this.ctx = { ...this.ctx, tracking };
      return this.setError(msg('error.trackingUnknown', { tracking }));
    }
    if (!this.allowedDoor(res.door)) return this.setError(msg('error.notAllowed'));
    if (this.rules().addToExistingLocker && res.status === 'reserved' && res.recipientId) {
      const existing = this.reservations().find(
        (r) =>
          r.id !== res.id &&
          r.kind === 'package' &&
          r.status === 'occupied' &&
          r.recipientId === res.recipientId &&
          r.door !== res.door &&
          this.doorInfo(r.door)?.service === 'in-service' &&
          this.allowedDoor(r.door),
      );
      if (existing) {
        const exLocker = this.doorInfo(existing.door)?.locker ?? existing.door;
        const resLocker = this.doorInfo(res.door)?.locker ?? res.door;
        return this.show({
          page: 'dropoff-existing',
          title: msg('dropoff.existing.title'),
          lines: [msg('dropoff.existing.prompt', { locker: exLocker })],
          options: this.numbered([
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

  /**
   * Free lockers of a size: in service, nothing reserved or stored in them, not standing open. `own`: this column's
   * doors only, for day-use storage: its PIN exists only on this kiosk, so no credential the cloud knows could have
   * a door of another column opened for it.
   */
  private freeDoors(size?: LockerSize, own = false): number[] {
    // Expired reservations still hold a package until staff remove it.
    const busy = new Set(this.reservations().map((r) => r.door));
    // Someone using the audio interface is offered lockers within the reach range first (DESIGN.md "Accessibility").
    const preferAccessible = this.audio && !this.staffSession();
    return this.allDoors()
      .filter((d) => d.service === 'in-service' && !busy.has(d.door) && (size === undefined || d.size === size) && !(own && d.remote))
      .filter((d) => this.allowedDoor(d.door) && this.doorState.get(d.door) !== 'open' && !this.remoteUnreachable(d.door))
      .sort((a, b) => (preferAccessible ? Number(b.accessible) - Number(a.accessible) : 0) || a.door - b.door)
      .map((d) => d.door);
  }

  private sizeOptions(own = false): Array<{ id: string; label: MessageRef }> {
    const sizes = [...LOCKER_SIZES, 'custom'] as LockerSize[];
    return sizes
      .map((size) => ({ size, count: this.freeDoors(size, own).length }))
      .filter((x) => x.count > 0)
      .map((x) => ({ id: `size-${x.size}`, label: msg('size.option', { size: msg(`size.${x.size}` as MessageKey), count: x.count }) }));
  }

  private showChooseSize(mode: 'operator' | 'carrier', tracking: string | undefined): void {
    const sizes = this.sizeOptions();
    if (sizes.length === 0) return this.setError(msg('error.noLockers'));
    this.show({
      page: 'choose-size',
      title: msg('chooseSize.title'),
      lines: [msg('chooseSize.prompt')],
      options: this.numbered([...sizes, { id: 'back', label: msg('menu.back') }]),
      ctx: { mode, ...(tracking !== undefined ? { tracking } : {}) },
    });
  }

  private async dropOff(door: number, res: DesiredReservation | undefined, tracking: string | undefined, mode: 'operator' | 'carrier'): Promise<void> {
    const o = await this.unlock(door, mode === 'carrier' ? 'carrier-delivery' : 'drop-off');
    const ok = o === 'opened' || o === 'already_open';
    if (ok) {
      const trackingIds = tracking ? [tracking] : [];
      await this.transaction(mode === 'carrier' ? 'carrier-delivery' : 'drop-off', [door], res ? [res.id] : [], trackingIds);
      if (res) {
        const existing = this.reservations().find((r) => r.id !== res.id && r.door === door && r.status === 'occupied');
        if (existing) {
          // Added to the recipient's existing locker: one reservation holds both packages until the cloud says otherwise.
          this.setReservation({ ...existing, trackingIds: [...existing.trackingIds, ...trackingIds].slice(0, 50) });
          this.removeReservation(res.id);
        } else {
          this.setReservation({ ...res, door, status: 'occupied' });
        }
      } else {
        this.localSeq += 1;
        this.setReservation({ id: `local-${this.localSeq}`, kind: 'package', status: 'occupied', door, trackingIds });
      }
    }
    const opts: Array<{ id: string; label: MessageRef }> = [];
    if (this.rules().batchDropOff) opts.push({ id: 'next', label: msg('dropoff.next') });
    opts.push({ id: mode === 'carrier' ? 'sign-out' : 'back', label: msg('dropoff.done') });
    this.show({
      page: 'dropoff-open',
      title: msg(mode === 'carrier' ? 'carrier.title' : 'dropoff.title'),
      lines: ok ? [...this.openedLines([door]), msg('dropoff.put')] : [],
      options: this.numbered(opts),
      doors: [door],
      ctx: { mode },
      ...(ok ? {} : { error: this.failureLine(door, o) }),
    });
  }

  private async onShelf(code: string): Promise<void> {
    const d = this.allDoors().find((x) => x.rearShelfBarcode === code);
    if (!d) return this.setError(msg('error.shelfUnknown'));
    const res = this.reservations().find((r) => r.door === d.door && r.kind === 'package' && r.status === 'reserved');
    return this.dropOff(d.door, res, res?.trackingIds[0], 'operator');
  }

  private expiredReservations(): DesiredReservation[] {
    const now = this.now();
    return this.reservations().filter(
      (r) => r.status === 'expired' || (r.kind === 'package' && r.status === 'occupied' && r.endsAt !== undefined && r.endsAt <= now),
    );
  }

  private showExpired(): void {
    const list = this.expiredReservations();
    const doors = [...new Set(list.map((r) => r.door))].sort((a, b) => a - b);
    this.show({
      page: 'expired',
      title: msg('expired.title'),
      lines: list.length ? [msg('expired.count', { count: list.length }), ...doors.map((d) => this.lockerLine(d))] : [msg('error.nothing')],
      options: this.numbered([...(list.length ? [{ id: 'open-all', label: msg('expired.openAll') }] : []), { id: 'back', label: msg('menu.back') }]),
      doors,
    });
  }

  private async removeExpired(): Promise<void> {
    const list = this.expiredReservations();
    const doors = [...new Set(list.map((r) => r.door))].sort((a, b) => a - b);
    const opened: number[] = [];
    let error: MessageRef | undefined;
    for (const d of doors) {
      const o = await this.unlock(d, 'expired-removal');
      if (o === 'opened' || o === 'already_open') opened.push(d);
      else error ??= this.failureLine(d, o);
    }
    const done = list.filter((r) => opened.includes(r.door));
    if (opened.length) {
      await this.transaction('expired-removal', opened, done.map((r) => r.id), done.flatMap((r) => r.trackingIds));
      for (const r of done) {
        this.removeReservation(r.id);
        if (this.storages.has(r.id)) {
          this.storages.delete(r.id);
          this.dirty = true;
        }
      }
    }
    this.show({
      page: 'expired',
      title: msg('expired.title'),
      lines: [...this.openedLines(opened), ...(opened.length ? [msg('expired.take')] : [])],
      options: this.numbered([{ id: 'back', label: msg('menu.back') }]),
      doors,
      ...(error ? { error } : {}),
    });
  }

  private onServiceLocker(locker: number): void {
    const d = this.allDoors().find((x) => x.locker === locker);
    if (!d) return this.setError(msg('error.lockerUnknown', { locker }));
    const out = d.service === 'out-of-service';
    this.show({
      page: 'service-locker',
      title: msg('service.title'),
      lines: [msg('service.state', { locker, state: msg(`service.${d.service}`) }), this.lockerLine(d.door)],
      options: this.numbered([
        out ? { id: 'set-in', label: msg('service.setIn') } : { id: 'set-out', label: msg('service.setOut') },
        { id: 'back', label: msg('menu.back') },
      ]),
      doors: [d.door],
      ctx: { door: d.door },
    });
  }

  private async setService(door: number, state: ServiceState): Promise<void> {
    const d = this.doorInfo(door);
    if (!d) return this.showStaffMenu();
    this.overlayService.set(door, state);
    this.dirty = true;
    await this.publish({
      type: 'service-changed',
      door,
      state,
      actor: this.session.actor ?? { role: 'operator' },
      reason: 'kiosk',
    });
    this.notice = [msg('service.changed', { locker: d.locker, state: msg(`service.${state}`) })];
    this.showStaffMenu();
  }

  // ---------------------------------------------------------------- day-use storage

  private formatTime(ms: number): string {
    const d = new Date(ms);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }

  /** The next end of the storage day after `now` (local time). */
  dayEndAfter(now: number): number {
    const d = new Date(now);
    d.setHours(this.dayEnd.h, this.dayEnd.m, 0, 0);
    if (d.getTime() <= now) d.setDate(d.getDate() + 1);
    return d.getTime();
  }

  private showStorageSizes(): void {
    const sizes = this.sizeOptions(true);
    if (sizes.length === 0) {
      this.showMenu();
      return this.setError(msg('error.noLockers'));
    }
    this.show({
      page: 'storage-size',
      title: msg('storage.title'),
      lines: [msg('chooseSize.prompt')],
      options: this.numbered([...sizes, { id: 'back', label: msg('menu.back') }]),
    });
  }

  private showStorageDuration(size: LockerSize): void {
    const dayEnd = this.dayEndAfter(this.now());
    this.show({
      page: 'storage-duration',
      title: msg('storage.title'),
      lines: [msg('storage.duration.prompt')],
      options: this.numbered([
        { id: 'fixed', label: msg('storage.fixed', { time: this.formatTime(dayEnd) }) },
        { id: 'chosen', label: msg('storage.chosen') },
        { id: 'no-end', label: msg('storage.noEnd') },
        { id: 'back', label: msg('menu.back') },
      ]),
      ctx: { size },
    });
  }

  private onStorageDuration(id: string): void {
    const size = this.ctx.size as LockerSize;
    if (id === 'fixed') return this.showStoragePin({ size, storageEndsAt: this.dayEndAfter(this.now()), storageNoEnd: false });
    if (id === 'no-end') return this.showStoragePin({ size, storageEndsAt: this.dayEndAfter(this.now()), storageNoEnd: true });
    if (id === 'chosen') {
      this.show({
        page: 'storage-hours',
        title: msg('storage.title'),
        lines: [msg('storage.hours.prompt', { max: this.rules().maxStorageH })],
        input: { kind: 'digits', masked: false, minLength: 1, maxLength: 3 },
        options: [{ id: 'back', label: msg('menu.back') }],
        ctx: { size, entry: 'hours' },
      });
    }
  }

  private onStorageHours(hours: number): void {
    const max = this.rules().maxStorageH;
    if (!Number.isInteger(hours) || hours < 1 || hours > max) return this.setError(msg('error.hoursRange', { min: 1, max }));
    const now = this.now();
    // Day-use storage: a chosen time never runs past the end of the day.
    const endsAt = Math.min(now + hours * 3_600_000, this.dayEndAfter(now));
    this.showStoragePin({ size: this.ctx.size as LockerSize, storageEndsAt: endsAt, storageNoEnd: false });
  }

  private showStoragePin(ctx: PageCtx): void {
    this.show({
      page: 'storage-pin',
      title: msg('storage.title'),
      lines: [msg('storage.pin.prompt', { min: this.pinLen.min, max: this.pinLen.max })],
      input: { kind: 'digits', masked: true, minLength: this.pinLen.min, maxLength: this.pinLen.max },
      options: [{ id: 'back', label: msg('menu.back') }],
      ctx: { ...ctx, entry: 'pin' },
    });
  }

  private onStoragePin(pin: string): void {
    if (pin.length < this.pinLen.min || pin.length > this.pinLen.max) {
      return this.setError(msg('error.pinTooShort', { min: this.pinLen.min, max: this.pinLen.max }));
    }
    const key = this.codeKey('storage', pin);
    if ([...this.storages.values()].some((s) => s.pinKey === key)) return this.setError(msg('error.pinTaken'));
    this.show({
      page: 'storage-pin-confirm',
      title: msg('storage.title'),
      lines: [msg('storage.pinConfirm.prompt')],
      input: { kind: 'digits', masked: true, minLength: this.pinLen.min, maxLength: this.pinLen.max },
      options: [{ id: 'back', label: msg('menu.back') }],
      ctx: { ...this.ctx, storagePin: key, entry: 'pin-confirm' },
    });
  }

  private async onStoragePinConfirm(pin: string): Promise<void> {
    const ctx = this.ctx;
    if (this.codeKey('storage', pin) !== ctx.storagePin) {
      const { storagePin: _drop, ...rest } = ctx;
      this.showStoragePin(rest);
      return this.setError(msg('error.pinMismatch'));
    }
    const door = this.freeDoors(ctx.size, true)[0];
    if (door === undefined) {
      this.showMenu();
      return this.setError(msg('error.noLockers'));
    }
    const now = this.now();
    const id = `st-${randomBytes(6).toString('hex')}`;
    this.session.role = 'recipient';
    this.session.actor = { role: 'recipient' };
    this.session.via = 'pin';
    const o = await this.unlock(door, 'storage-start');
    if (o !== 'opened' && o !== 'already_open') {
      return this.show({
        page: 'storage-open',
        title: msg('storage.title'),
        lines: [],
        error: this.failureLine(door, o),
        options: this.numbered([{ id: 'done', label: msg('pickup.done') }]),
        doors: [door],
        timer: 'after-pickup',
      });
    }
    const rec: StorageRecord = {
      id,
      door,
      pinKey: ctx.storagePin as string,
      startedAt: now,
      endsAt: ctx.storageEndsAt as number,
      noEnd: ctx.storageNoEnd ?? false,
    };
    this.storages.set(id, rec);
    this.dirty = true;
    this.setReservation({ id, kind: 'storage', status: 'occupied', door, trackingIds: [], endsAt: rec.endsAt });
    this.scheduleStorageEnd(rec);
    await this.transaction('storage-start', [door], [id], [], rec.noEnd ? {} : { endsAt: rec.endsAt });
    this.show({
      page: 'storage-open',
      title: msg('storage.title'),
      lines: [
        ...this.openedLines([door]),
        msg('storage.put'),
        rec.noEnd ? msg('storage.untilNoEnd') : msg('storage.until', { time: this.formatTime(rec.endsAt) }),
      ],
      options: this.numbered([{ id: 'done', label: msg('pickup.done') }]),
      doors: [door],
      timer: 'after-pickup',
    });
  }

  private scheduleStorageEnd(rec: StorageRecord): void {
    if (rec.timer) clearTimeout(rec.timer);
    // Every day-use storage ends at the end of the day at the latest ("no end" included).
    const endAt = rec.noEnd ? this.dayEndAfter(rec.startedAt) : rec.endsAt;
    const delay = Math.min(Math.max(0, endAt - this.now()), 2 ** 31 - 1);
    rec.timer = setTimeout(() => {
      rec.timer = undefined;
      void this.run(async () => {
        if (!this.storages.has(rec.id)) return;
        if (this.now() < endAt) return this.scheduleStorageEnd(rec);
        await this.expireStorage(rec);
      });
    }, delay);
  }

  /** The storage time is over: the locker stays shut with the belongings; staff remove them as expired. */
  private async expireStorage(rec: StorageRecord): Promise<void> {
    this.storages.delete(rec.id);
    this.dirty = true;
    const r = this.reservations().find((x) => x.id === rec.id);
    if (r) this.setReservation({ ...r, status: 'expired' });
    await this.transaction('storage-end', [rec.door], [rec.id], [], { actor: { role: 'system' }, via: 'keypad' });
  }

  private showStorageActive(rec: StorageRecord): void {
    const locker = this.doorInfo(rec.door)?.locker ?? rec.door;
    const opts: Array<{ id: string; label: MessageRef }> = [{ id: 'open', label: msg('storage.open') }];
    if (!rec.noEnd) opts.push({ id: 'extend', label: msg('storage.extend') });
    opts.push({ id: 'end', label: msg('storage.end') }, { id: 'done', label: msg('pickup.done') });
    this.show({
      page: 'storage-active',
      title: msg('storage.title'),
      lines: [
        msg('storage.active.prompt', { locker }),
        rec.noEnd ? msg('storage.untilNoEnd') : msg('storage.until', { time: this.formatTime(rec.endsAt) }),
      ],
      options: this.numbered(opts),
      doors: [rec.door],
      ctx: { storageId: rec.id },
    });
  }

  private onStorageActive(id: string): void | Promise<void> {
    const rec = this.ctx.storageId ? this.storages.get(this.ctx.storageId) : undefined;
    if (!rec) return this.goHome('done');
    if (id === 'open') {
      if (rec.noEnd) {
        return this.show({
          page: 'storage-ask-end',
          title: msg('storage.title'),
          lines: [msg('storage.askEnd')],
          options: this.numbered([
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
    if (id === 'extend') {
      this.show({
        page: 'storage-extend',
        title: msg('storage.title'),
        lines: [msg('storage.extend.prompt')],
        input: { kind: 'digits', masked: false, minLength: 1, maxLength: 3 },
        options: [{ id: 'back', label: msg('menu.back') }],
        ctx: { storageId: rec.id, entry: 'extend-hours' },
      });
    }
  }

  private async openStorage(rec: StorageRecord): Promise<void> {
    const o = await this.unlock(rec.door, 'storage-open');
    const ok = o === 'opened' || o === 'already_open';
    if (ok) await this.transaction('storage-open', [rec.door], [rec.id], [], rec.noEnd ? {} : { endsAt: rec.endsAt });
    this.show({
      page: 'storage-open',
      title: msg('storage.title'),
      lines: ok ? [...this.openedLines([rec.door]), msg('storage.put')] : [],
      options: this.numbered([{ id: 'done', label: msg('pickup.done') }]),
      doors: [rec.door],
      timer: 'after-pickup',
      ...(ok ? {} : { error: this.failureLine(rec.door, o) }),
    });
  }

  private async endStorage(rec: StorageRecord): Promise<void> {
    const o = await this.unlock(rec.door, 'storage-end');
    const ok = o === 'opened' || o === 'already_open';
    if (ok) {
      if (rec.timer) clearTimeout(rec.timer);
      this.storages.delete(rec.id);
      this.dirty = true;
      this.removeReservation(rec.id);
      await this.transaction('storage-end', [rec.door], [rec.id], []);
    }
    this.show({
      page: 'storage-open',
      title: msg('storage.title'),
      lines: ok ? [...this.openedLines([rec.door]), msg('storage.ended')] : [],
      options: this.numbered([{ id: 'done', label: msg('pickup.done') }]),
      doors: [rec.door],
      timer: 'after-pickup',
      ...(ok ? {} : { error: this.failureLine(rec.door, o) }),
    });
  }

  private async onStorageExtend(hours: number): Promise<void> {
    const rec = this.ctx.storageId ? this.storages.get(this.ctx.storageId) : undefined;
    if (!rec) return this.goHome('done');
    const max = this.rules().maxStorageH;
    if (!Number.isInteger(hours) || hours < 1) return this.setError(msg('error.hoursRange', { min: 1, max }));
    const endsAt = rec.endsAt + hours * 3_600_000;
    if (endsAt - rec.startedAt > max * 3_600_000 || endsAt > this.dayEndAfter(rec.startedAt)) {
      return this.setError(msg('error.extendTooLong', { max }));
    }
    rec.endsAt = endsAt;
    this.dirty = true;
    const r = this.reservations().find((x) => x.id === rec.id);
    if (r) this.setReservation({ ...r, endsAt });
    this.scheduleStorageEnd(rec);
    await this.transaction('storage-extend', [rec.door], [rec.id], [], { endsAt });
    this.notice = [msg('storage.extended', { time: this.formatTime(endsAt) })];
    this.showStorageActive(rec);
  }

  // ---------------------------------------------------------------- doors

  private presumeClosedLater(door: number): void {
    const prev = this.remoteCloseTimers.get(door);
    if (prev) clearTimeout(prev);
    const ms = this.currentTimers().returnHomeAfterPickupS * 1000;
    this.remoteCloseTimers.set(
      door,
      setTimeout(() => {
        this.remoteCloseTimers.delete(door);
        void this.run(() => this.onDoorEvent({ type: 'door-closed', door }));
      }, ms),
    );
  }

  private superviseOpenDoor(door: number): void {
    const prev = this.leftOpenTimers.get(door);
    if (prev) clearTimeout(prev);
    this.leftOpenWarned.delete(door);
    const ms = this.currentTimers().doorLeftOpenS * 1000;
    this.leftOpenTimers.set(
      door,
      setTimeout(() => {
        this.leftOpenTimers.delete(door);
        void this.run(() => this.doorLeftOpen(door, true));
      }, ms),
    );
  }

  private async doorLeftOpen(door: number, ownTimer: boolean): Promise<void> {
    if (this.doorState.get(door) !== 'open' || this.leftOpenWarned.has(door)) return;
    this.leftOpenWarned.add(door);
    const info = this.doorInfo(door);
    const message = msg('warning.doorLeftOpen', { where: info ? lockerWhere(info) : String(door) });
    this.warning = message;
    this.emit('warning', { kind: 'door-left-open', door, locker: info?.locker ?? door, message });
    if (ownTimer && this.reportLeftOpen) {
      const openFor = this.now() - (this.openedAt.get(door) ?? this.now());
      await this.publish({ type: 'door-left-open', door, openForMs: Math.max(0, openFor) });
    }
    this.emitScreen('update');
  }

  private async onDoorEvent(e: KioskDoorEvent): Promise<void> {
    if (e.type === 'door-left-open') return this.doorLeftOpen(e.door, false);
    if (e.type === 'door-opened') {
      this.doorState.set(e.door, 'open');
      return;
    }
    // door-closed
    this.doorState.set(e.door, 'closed');
    const t = this.leftOpenTimers.get(e.door);
    if (t) clearTimeout(t);
    this.leftOpenTimers.delete(e.door);
    const warned = this.leftOpenWarned.delete(e.door);
    if (warned && ![...this.leftOpenWarned].length) this.warning = undefined;
    if (this.spec.doors?.includes(e.door) || warned) {
      if (this.spec.page === 'pickup') this.showPickupPage([], 'update');
      else {
        this.markClosedOnPage(e.door);
        this.emitScreen('update');
      }
    }
  }
}
