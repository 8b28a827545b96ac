// What every part of the kiosk engine shares: its ports, the session of the person at the kiosk, the timers in force,
// the audio mode, and the way an event leaves the kiosk. It knows none of the modules that share it (no import circle):
// each module declares what it uses of its neighbours and the engine assembles them.
import { createHash, randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import {
  DEFAULT_BANK_RULES,
  DEFAULT_KIOSK_TIMERS,
  storageOffer,
  type Actor,
  type BankRules,
  type DeliveryQuota,
  type DesiredState,
  type EventBody,
  type KioskTimers,
  type StorageOffer,
} from '@portier/protocol';
import type { Lang } from '../i18n/index.ts';
import type { Logger } from '../util/logger.ts';
import type { KioskMemoryPort } from './memory.ts';
import type { Clock, CredentialPort, DesiredStatePort, EventSink, KioskDoorPort, TimerHandle, TimerPort } from './ports.ts';
import type { Session, TxKind, Via } from './session.ts';
import type { LoginThrottle } from './throttle.ts';
import { validateKioskTimers } from './timers.ts';
import type { AudioKeyLabels, KioskEventMap } from './view.ts';

export interface KioskCoreOptions {
  doors: KioskDoorPort;
  credentials: CredentialPort;
  state: DesiredStatePort;
  sink: EventSink;
  clock: Clock;
  timers: TimerPort;
  log: Logger;
  defaultLang: Lang;
  reportLeftOpen: boolean;
  dayEnd: { h: number; m: number };
  pinLen: { min: number; max: number };
  audioSwitch: 'detect' | 'key';
  keyLabels: AudioKeyLabels;
  throttle: LoginThrottle;
  memory: KioskMemoryPort | undefined;
  /** The engine's events. */
  events: EventEmitter<KioskEventMap>;
  /** Queues work on the engine's command queue (timer callbacks and door events go through it like commands). */
  run: (fn: () => Promise<void> | void) => Promise<void>;
}

export class KioskCore {
  readonly doorsPort: KioskDoorPort;
  readonly credentials: CredentialPort;
  readonly statePort: DesiredStatePort;
  readonly sink: EventSink;
  readonly clock: Clock;
  readonly timers: TimerPort;
  readonly log: Logger;
  readonly defaultLang: Lang;
  readonly reportLeftOpen: boolean;
  readonly dayEnd: { h: number; m: number };
  readonly pinLen: { min: number; max: number };
  readonly audioSwitch: 'detect' | 'key';
  readonly keyLabels: AudioKeyLabels;
  readonly throttle: LoginThrottle;
  readonly memory: KioskMemoryPort | undefined;
  readonly events: EventEmitter<KioskEventMap>;
  readonly run: (fn: () => Promise<void> | void) => Promise<void>;

  audio = false;
  session: Session;
  keySalt = randomBytes(16);
  /** Something worth remembering changed since the last save. */
  dirty = false;
  localSeq = 0;
  private lastTimers: KioskTimers = DEFAULT_KIOSK_TIMERS;
  private timersFrom: DesiredState | undefined;

  constructor(o: KioskCoreOptions) {
    this.doorsPort = o.doors;
    this.credentials = o.credentials;
    this.statePort = o.state;
    this.sink = o.sink;
    this.clock = o.clock;
    this.timers = o.timers;
    this.log = o.log;
    this.defaultLang = o.defaultLang;
    this.reportLeftOpen = o.reportLeftOpen;
    this.dayEnd = o.dayEnd;
    this.pinLen = o.pinLen;
    this.audioSwitch = o.audioSwitch;
    this.keyLabels = o.keyLabels;
    this.throttle = o.throttle;
    this.memory = o.memory;
    this.events = o.events;
    this.run = o.run;
    this.session = this.newSession();
  }

  newSession(): Session {
    return { lang: this.defaultLang, opened: [], pending: [], touched: false };
  }

  now(): number {
    return this.clock.now();
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.timers.clearTimeout(handle);
  }

  state(): DesiredState | undefined {
    return this.statePort.current();
  }

  rules(): BankRules {
    return this.state()?.rules ?? DEFAULT_BANK_RULES;
  }

  /** The day-use storage the bank offers (modes and their limits). */
  storageOffer(): StorageOffer {
    return storageOffer(this.rules());
  }

  /** The bank's delivery quota (none when the desired state carries none). */
  deliveryQuota(): DeliveryQuota {
    return this.state()?.deliveryQuota ?? {};
  }

  currentTimers(): KioskTimers {
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

  staffSession(): boolean {
    const r = this.session.role;
    return r === 'operator' || r === 'carrier' || r === 'admin';
  }

  codeKey(kind: string, code: string): string {
    return createHash('sha256').update(this.keySalt).update(`${kind}:${code}`).digest('base64url');
  }

  async publish(body: EventBody): Promise<void> {
    this.events.emit('event', body);
    try {
      await this.sink.publishEvent(body);
    } catch (err) {
      this.log.error({ err, type: body.type }, 'event sink refused an event');
    }
  }

  async transaction(
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
}
