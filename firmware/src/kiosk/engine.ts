// The kiosk engine: a facade that queues commands and runs them one at a time, starts and stops the kiosk, and keeps
// what must survive a restart. The work is done by its modules, each with one job (see the kiosk README):
// `overlay.ts` (reservations and their reconciliation with the cloud), `pages.ts` (pages and view models),
// `router.ts` (what an input means on a page), `open-door.ts` (open a door and show where it is), `door-watch.ts`,
// `free-lockers.ts`, and one module per flow under `flows/`.
import { EventEmitter } from 'node:events';
import type { KioskTimers } from '@portier/protocol';
import { translate, type Lang, type MessageRef } from '../i18n/index.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import { KioskCore } from './core.ts';
import { DoorWatch } from './door-watch.ts';
import { ExpiredAndServiceFlow } from './flows/expired-service.ts';
import { PickupFlow } from './flows/pickup.ts';
import { SignInFlow } from './flows/sign-in.ts';
import { StaffFlow } from './flows/staff.ts';
import { StorageFlow } from './flows/storage.ts';
import { FreeLockers } from './free-lockers.ts';
import type { KioskMemory, KioskMemoryPort } from './memory.ts';
import { DoorOpener } from './open-door.ts';
import { ReservationOverlay } from './overlay.ts';
import { Pages } from './pages.ts';
import type { Clock, CredentialPort, DesiredStatePort, EventSink, KioskDoorPort, TimerPort } from './ports.ts';
import { systemClock, systemTimers } from './ports.ts';
import { InputRouter } from './router.ts';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleConfig } from './throttle.ts';
import { DEFAULT_AUDIO_KEY_LABELS, type AudioKeyLabels, type KeypadKey, type KioskEventMap, type ScreenView } from './view.ts';

/**
 * The engine's modules, each holding one job; built once by the engine. Each module declares the narrow part of its
 * neighbours it uses (`DoorWatchNeighbours`, `StorageNeighbours`, ...) and is handed this whole object, which has them.
 */
interface KioskParts {
  core: KioskCore;
  overlay: ReservationOverlay;
  pages: Pages;
  doors: DoorWatch;
  opener: DoorOpener;
  free: FreeLockers;
  signIn: SignInFlow;
  pickup: PickupFlow;
  staff: StaffFlow;
  expiredService: ExpiredAndServiceFlow;
  storage: StorageFlow;
}

export interface KioskEngineOptions {
  doors: KioskDoorPort;
  credentials: CredentialPort;
  state: DesiredStatePort;
  sink: EventSink;
  clock?: Clock;
  /** Where the kiosk's timers come from (default the process's): a test passes its sinon clock. */
  timers?: TimerPort;
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

/**
 * The kiosk session state machine. Commands (`keypad`, `scan`, `badge`, `select`, `back`, `signOut`, `headphones`,
 * `enterText`) are queued and run one at a time; every change of what the user should see is a `screen` event with
 * a view model, and every completed action becomes a protocol event through the event sink. Its data comes only from
 * the cached desired state plus what it did itself since (the overlay), so it behaves the same online and offline.
 */
export class KioskEngine extends EventEmitter<KioskEventMap> {
  readonly throttle: LoginThrottle;
  private readonly k: KioskParts;
  private readonly router: InputRouter;
  private chain: Promise<void> = Promise.resolve();
  private started = false;
  private unsubscribeDoors: (() => void) | undefined;
  private unsubscribeState: (() => void) | undefined;

  constructor(opts: KioskEngineOptions) {
    super();
    const [h, m] = (opts.storageDayEndsAt ?? '22:00').split(':').map((x) => Number(x));
    this.throttle = new LoginThrottle(opts.throttle ?? DEFAULT_THROTTLE);
    const core = new KioskCore({
      doors: opts.doors,
      credentials: opts.credentials,
      state: opts.state,
      sink: opts.sink,
      clock: opts.clock ?? systemClock,
      timers: opts.timers ?? systemTimers,
      log: (opts.logger ?? silentLogger).child({ module: 'kiosk' }),
      defaultLang: opts.defaultLang ?? 'en',
      reportLeftOpen: opts.reportDoorLeftOpen ?? true,
      dayEnd: { h: h ?? 22, m: m ?? 0 },
      pinLen: opts.storagePinLength ?? { min: 4, max: 8 },
      audioSwitch: opts.audioSwitch ?? 'detect',
      keyLabels: { ...DEFAULT_AUDIO_KEY_LABELS, ...opts.keyLabels },
      throttle: this.throttle,
      memory: opts.memory,
      events: this,
      run: (fn) => this.run(fn),
    });
    // Each module keeps this object and reaches the others through it; they are all in place before any runs.
    const k = { core } as KioskParts;
    k.overlay = new ReservationOverlay(core);
    k.pages = new Pages(k);
    k.doors = new DoorWatch(k);
    k.opener = new DoorOpener(k);
    k.free = new FreeLockers(k);
    k.signIn = new SignInFlow(k);
    k.pickup = new PickupFlow(k);
    k.staff = new StaffFlow(k);
    k.expiredService = new ExpiredAndServiceFlow(k);
    k.storage = new StorageFlow(k);
    this.k = k;
    this.router = new InputRouter(k);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Subscribes to doors and state and shows the home page. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { core, pages, signIn } = this.k;
    core.currentTimers();
    this.unsubscribeDoors = core.doorsPort.subscribe((e) => {
      void this.run(() => this.k.doors.onDoorEvent(e));
    });
    this.unsubscribeState = core.statePort.subscribe?.(() => {
      void this.run(() => this.onDesiredChanged());
    });
    if (core.memory) {
      // Remembered state first, then the home page (or the lock-out that was running): `settled()` waits for it.
      void this.run(async () => {
        await this.restore();
        if (this.throttle.gate(core.now()).allowed) pages.goHome(undefined);
        else if (this.throttle.lockedOutUntil > core.now()) signIn.showLockedOut();
        else pages.goHome(undefined);
      });
    } else {
      pages.goHome(undefined);
    }
  }

  private async restore(): Promise<void> {
    const { core } = this.k;
    let m: KioskMemory | null = null;
    try {
      m = (await core.memory?.load()) ?? null;
    } catch (err) {
      core.log.error({ err }, 'could not read the kiosk memory; starting afresh');
    }
    if (!m) return;
    core.keySalt = Buffer.from(m.keySalt, 'base64url');
    this.k.overlay.restore(m);
    this.throttle.restore(m.throttle);
    core.localSeq = m.localSeq;
    this.k.storage.restore(m);
    core.log.info({ storages: m.storages.length }, 'kiosk memory restored');
  }

  private snapshot(): KioskMemory {
    const { core } = this.k;
    return {
      v: 1,
      keySalt: core.keySalt.toString('base64url'),
      storages: this.k.storage.snapshot(),
      ...this.k.overlay.snapshot(),
      throttle: this.throttle.snapshot(),
      localSeq: core.localSeq,
    };
  }

  private async saveIfDirty(): Promise<void> {
    const { core } = this.k;
    if (!core.memory || !core.dirty) return;
    core.dirty = false;
    try {
      await core.memory.save(this.snapshot());
    } catch (err) {
      core.dirty = true;
      core.log.error({ err }, 'could not save the kiosk memory');
    }
  }

  /** Clears every timer and stops listening; commands after this do nothing. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.unsubscribeDoors?.();
    this.unsubscribeState?.();
    this.k.pages.clearPageTimer();
    this.k.doors.stop();
    this.k.storage.stop();
    await this.chain;
    this.emit('session-ended', { reason: 'stopped' });
  }

  /** Resolves when every command queued so far has been handled. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** The current view model (what the last `screen` event carried). */
  get screen(): ScreenView {
    return this.k.pages.buildView('update');
  }

  get audioMode(): boolean {
    return this.k.core.audio;
  }

  get lang(): Lang {
    return this.k.core.session.lang;
  }

  /** Renders a message in the session language (for screens that draw text). */
  translate(ref: MessageRef, lang: Lang = this.k.core.session.lang): string {
    return translate(ref, lang);
  }

  /** The timers in force (the desired state's, validated; defaults when they are refused). */
  get timers(): KioskTimers {
    return this.k.core.currentTimers();
  }

  /** The next end of the storage day after `now` (local time). */
  dayEndAfter(now: number): number {
    return this.k.storage.dayEndAfter(now);
  }

  // ---------------------------------------------------------------- commands

  keypad(key: KeypadKey): Promise<void> {
    return this.run(() => this.router.onKey(key));
  }

  /** A code from the barcode / QR scanner. */
  scan(code: string): Promise<void> {
    return this.run(() => this.router.onScan(code.trim()));
  }

  /** An id from the badge / smart-card reader. */
  badge(id: string): Promise<void> {
    return this.run(() => this.router.onBadge(id.trim()));
  }

  /** Text typed on the screen's keyboard (tracking ids), as if typed key by key then entered. */
  enterText(text: string): Promise<void> {
    return this.run(async () => {
      const { pages } = this.k;
      if (!pages.spec.input) return;
      pages.touch();
      pages.input = text.trim().slice(0, pages.spec.input.maxLength);
      await this.router.onEnter();
    });
  }

  /** A touch on an option of the screen. */
  select(optionId: string): Promise<void> {
    return this.run(() => this.router.onSelect(optionId));
  }

  back(): Promise<void> {
    return this.run(() => this.router.onBack());
  }

  signOut(): Promise<void> {
    return this.run(async () => {
      if (this.k.pages.spec.page === 'locked-out') return;
      this.k.pages.farewell('sign-out');
    });
  }

  /** Ends the session now (the cloud's `end-session` command, an admin at the console): back to home. */
  endSession(): Promise<void> {
    return this.run(async () => {
      const page = this.k.pages.spec.page;
      if (page === 'locked-out' || page === 'out-of-order') return;
      this.k.pages.goHome('sign-out');
    });
  }

  /** Headphone-detect input: plugged starts audio mode, unplugged ends it. */
  headphones(plugged: boolean): Promise<void> {
    return this.run(async () => {
      if (this.k.core.audio === plugged) return;
      this.router.setAudio(plugged);
    });
  }

  /** Session language (also offered on the menu). */
  setLanguage(lang: Lang): Promise<void> {
    return this.run(async () => {
      const { core, pages } = this.k;
      core.session.lang = lang;
      core.session.touched = true;
      pages.touch();
      pages.emitScreen('update');
    });
  }

  // ---------------------------------------------------------------- plumbing

  private run(fn: () => Promise<void> | void): Promise<void> {
    const next = this.chain.then(async () => {
      if (!this.started) return;
      try {
        await fn();
      } catch (err) {
        this.k.core.log.error({ err }, 'kiosk command failed');
      }
      await this.saveIfDirty();
    });
    this.chain = next;
    return next;
  }

  private onDesiredChanged(): void {
    const { core, pages, overlay, storage } = this.k;
    const s = core.state();
    if (!s) return;
    overlay.reconcile(s, (id) => storage.has(id));
    if (pages.spec.page === 'out-of-order') pages.goHome(undefined);
    // An idle home page is drawn again, so what it offers follows the bank's rules (e.g. the contactless scan hint).
    else if (pages.spec.page === 'home' && !pages.input && !core.session.touched && core.session.role === undefined) {
      const wantsHint = core.rules().contactless;
      const hasHint = pages.spec.lines?.some((l) => l.key === 'home.scanHint') ?? false;
      if (wantsHint !== hasHint) pages.goHome(undefined);
    }
  }
}
