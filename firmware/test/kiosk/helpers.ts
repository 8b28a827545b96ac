// Fakes for the kiosk's ports and a harness that builds an engine over them with fake time.
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import {
  DEFAULT_BANK_RULES,
  DEFAULT_KIOSK_TIMERS,
  eventBodySchema,
  keyedCredentialHash,
  keyedCredentialHashParams,
  type BankRules,
  type CredentialHashParams,
  type DesiredCredential,
  type DesiredState,
  type DoorOutcome,
  type EventBody,
  type KioskTimers,
} from '@portier/protocol';
import type { AudioEventMap, AudioOut, SpeechLang } from '../../src/hal/audio.ts';
import { translate } from '../../src/i18n/index.ts';
import { KioskEngine, type KioskEngineOptions } from '../../src/kiosk/engine.ts';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import type { DesiredStatePort, EventSink, KioskDoorEvent, KioskDoorPort } from '../../src/kiosk/ports.ts';
import type { KeypadKey, ScreenView } from '../../src/kiosk/view.ts';

/** 2026-11-24 09:00 local time: a working morning. */
export const T0 = new Date(2026, 10, 24, 9, 0, 0, 0).getTime();

/** This kiosk's credential key, as `portier-cloud provision` writes it into the controller's config. */
export const CREDENTIAL_KEY = Buffer.from('Y3JlZGVudGlhbC1rZXktb2YtdGhlLXRlc3Qta2lvc2s', 'base64url');
/** The fixture's hash scheme: keyed under CREDENTIAL_KEY, as the cloud sends it to a provisioned kiosk. */
export const HASH_PARAMS: CredentialHashParams = keyedCredentialHashParams(CREDENTIAL_KEY);
/** The hash the cloud sends for a code of `kind` to this kiosk. */
export function credentialHash(kind: DesiredCredential['kind'], code: string): string {
  return keyedCredentialHash(kind, code, CREDENTIAL_KEY);
}

/** Codes of the fixture, in clear (the desired state only holds their hashes). */
export const CODES = {
  /** Recipient r-1: one-time pickup code for a personal package (door 2) and a departmental one (door 3). */
  pickup: '482913',
  /** Recipient r-1's QR code (not one-time). */
  qr: 'QR-R1-XYZ',
  /** Recipient r-2: a return to drop off (door 6). */
  returnCode: '111222',
  /** Recipient r-3: an exchange (door 7). */
  exchange: '333444',
  /** Expired pickup code. */
  expired: '777888',
  staffPin: '9876',
  operatorBadge: 'BADGE-OP-1',
  adminBadge: 'BADGE-ADM',
  carrier: '55501234',
  carrierLimited: '66601234',
} as const;

function cred(id: string, kind: DesiredCredential['kind'], code: string, rest: Partial<DesiredCredential>): DesiredCredential {
  return {
    id,
    kind,
    hash: credentialHash(kind, code),
    role: 'recipient',
    doors: [],
    reservationIds: [],
    oneTime: false,
    ...rest,
  };
}

let cachedCreds: DesiredCredential[] | undefined;
function credentials(): DesiredCredential[] {
  cachedCreds ??= [
    cred('cred-pickup', 'pickup-code', CODES.pickup, { subjectId: 'r-1', doors: [2], reservationIds: ['res-1', 'res-2'], oneTime: true, expiresAt: T0 + 72 * 3_600_000 }),
    cred('cred-qr', 'qr', CODES.qr, { subjectId: 'r-1', doors: [2], reservationIds: ['res-1', 'res-2'] }),
    cred('cred-return', 'pickup-code', CODES.returnCode, { subjectId: 'r-2', reservationIds: ['res-ret'] }),
    cred('cred-exchange', 'pickup-code', CODES.exchange, { subjectId: 'r-3', reservationIds: ['res-ex'] }),
    cred('cred-expired', 'pickup-code', CODES.expired, { subjectId: 'r-4', reservationIds: [], expiresAt: T0 - 1 }),
    cred('cred-staff', 'staff-pin', CODES.staffPin, { role: 'operator', subjectId: 'op-1' }),
    cred('cred-badge', 'badge', CODES.operatorBadge, { role: 'operator', subjectId: 'op-1' }),
    cred('cred-admin', 'badge', CODES.adminBadge, { role: 'admin', subjectId: 'adm-1' }),
    cred('cred-carrier', 'carrier-code', CODES.carrier, { role: 'carrier', subjectId: 'ups' }),
    cred('cred-carrier-ltd', 'carrier-code', CODES.carrierLimited, { role: 'carrier', subjectId: 'dhl', doors: [11] }),
  ];
  return cachedCreds;
}

export function desiredState(patch: { rules?: Partial<BankRules>; timers?: Partial<KioskTimers> } = {}): DesiredState {
  return {
    doors: [
      { door: 1, locker: 11, size: 'S', column: 1, fromTop: 1, accessible: false, service: 'in-service' },
      { door: 2, locker: 12, size: 'M', column: 2, fromTop: 3, accessible: true, service: 'in-service' },
      { door: 3, locker: 13, size: 'M', column: 2, fromTop: 1, accessible: false, service: 'in-service' },
      { door: 4, locker: 14, size: 'L', column: 1, fromTop: 2, accessible: true, service: 'in-service' },
      { door: 5, locker: 15, size: 'S', column: 3, fromTop: 1, accessible: false, service: 'in-service', rearShelfBarcode: 'SHELF-15' },
      { door: 6, locker: 16, size: 'S', column: 3, fromTop: 2, accessible: true, service: 'in-service' },
      { door: 7, locker: 17, size: 'XL', column: 3, fromTop: 3, accessible: true, service: 'in-service' },
      { door: 8, locker: 18, size: 'M', column: 1, fromTop: 3, accessible: true, service: 'out-of-service' },
      { door: 9, locker: 19, size: 'S', column: 1, fromTop: 4, accessible: true, service: 'in-service' },
      { door: 10, locker: 20, size: 'S', column: 4, fromTop: 1, accessible: false, service: 'in-service' },
      { door: 11, locker: 21, size: 'M', column: 4, fromTop: 2, accessible: true, service: 'in-service' },
      { door: 12, locker: 22, size: 'L', column: 4, fromTop: 3, accessible: true, service: 'in-service' },
    ],
    credentialHash: HASH_PARAMS,
    credentials: credentials(),
    reservations: [
      { id: 'res-1', kind: 'package', status: 'occupied', door: 2, trackingIds: ['1Z001'], recipientId: 'r-1' },
      { id: 'res-2', kind: 'package', status: 'occupied', door: 3, trackingIds: ['1Z002'], departmentId: 'd-1' },
      { id: 'res-3', kind: 'package', status: 'reserved', door: 4, trackingIds: ['TRK-100'], recipientId: 'r-1' },
      { id: 'res-4', kind: 'package', status: 'reserved', door: 1, trackingIds: ['TRK-200'], recipientId: 'r-9' },
      { id: 'res-5', kind: 'package', status: 'reserved', door: 5, trackingIds: ['TRK-300'], recipientId: 'r-8' },
      { id: 'res-ret', kind: 'return', status: 'reserved', door: 6, trackingIds: ['RET-1'], recipientId: 'r-2' },
      { id: 'res-ex', kind: 'exchange', status: 'occupied', door: 7, trackingIds: ['EX-1'], recipientId: 'r-3' },
      { id: 'res-exp', kind: 'package', status: 'expired', door: 9, trackingIds: ['OLD-1'], recipientId: 'r-7' },
    ],
    timers: { ...DEFAULT_KIOSK_TIMERS, ...patch.timers },
    rules: { ...DEFAULT_BANK_RULES, ...patch.rules },
  };
}

/** Doors as strict as the door controller: an unlock of an open door is `already_open`, jammed doors stay shut. */
export class FakeDoors implements KioskDoorPort {
  readonly unlocked: number[] = [];
  readonly open = new Set<number>();
  readonly jammed = new Set<number>();
  private readonly bus = new EventEmitter<{ e: [KioskDoorEvent] }>();

  async unlock(door: number): Promise<DoorOutcome> {
    this.unlocked.push(door);
    if (this.jammed.has(door)) return 'jammed';
    if (this.open.has(door)) return 'already_open';
    this.open.add(door);
    return 'opened';
  }

  subscribe(listener: (e: KioskDoorEvent) => void): () => void {
    this.bus.on('e', listener);
    return () => this.bus.off('e', listener);
  }

  /** A person shuts the door. */
  close(door: number): void {
    if (!this.open.delete(door)) throw new Error(`door ${door} is not open`);
    this.bus.emit('e', { type: 'door-closed', door });
  }

  emitEvent(e: KioskDoorEvent): void {
    this.bus.emit('e', e);
  }
}

export class FakeState implements DesiredStatePort {
  online = true;
  private listeners = new Set<() => void>();
  constructor(public state: DesiredState | undefined) {}
  current(): DesiredState | undefined {
    return this.state;
  }
  isOnline(): boolean {
    return this.online;
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(state: DesiredState): void {
    this.state = state;
    for (const l of this.listeners) l();
  }
}

/** Records events; each one must pass the protocol's event schema, as the link's `encodePayload` would demand. */
export class RecordingSink implements EventSink {
  readonly events: EventBody[] = [];
  readonly invalid: Array<{ body: unknown; message: string }> = [];
  publishEvent(body: EventBody): void {
    const r = eventBodySchema.safeParse(body);
    if (!r.success) this.invalid.push({ body, message: r.error.message });
    this.events.push(body);
  }
  ofType<T extends EventBody['type']>(type: T): Extract<EventBody, { type: T }>[] {
    return this.events.filter((e): e is Extract<EventBody, { type: T }> => e.type === type);
  }
  transactions(kind?: string): Extract<EventBody, { type: 'transaction' }>[] {
    return this.ofType('transaction').filter((e) => kind === undefined || e.kind === kind);
  }
}

/** A strict recording AudioOut: what was said, in which language, tones, volume, interruptions. */
export class RecordingAudio extends EventEmitter<AudioEventMap> implements AudioOut {
  readonly log: Array<{ kind: 'speech'; text: string; lang: SpeechLang } | { kind: 'tone'; freqHz: number; ms: number } | { kind: 'stop' } | { kind: 'volume'; volume: number }> = [];
  private vol = 50;
  get volume(): number {
    return this.vol;
  }
  get spoken(): Array<{ text: string; lang: SpeechLang }> {
    return this.log.flatMap((e) => (e.kind === 'speech' ? [{ text: e.text, lang: e.lang }] : []));
  }
  get tones(): number {
    return this.log.filter((e) => e.kind === 'tone').length;
  }
  async speak(text: string, lang: SpeechLang): Promise<void> {
    if (typeof text !== 'string' || !text) throw new Error('empty speech');
    if (lang !== 'en' && lang !== 'fr') throw new Error(`bad language ${String(lang)}`);
    this.log.push({ kind: 'speech', text, lang });
  }
  async tone(freqHz: number, ms: number): Promise<void> {
    if (freqHz < 200 || freqHz > 4000 || ms < 10 || ms > 2000) throw new Error('tone out of range');
    this.log.push({ kind: 'tone', freqHz, ms });
  }
  async stop(): Promise<void> {
    this.log.push({ kind: 'stop' });
  }
  async setVolume(volume: number): Promise<void> {
    if (volume < 0 || volume > 100) throw new Error('volume out of range');
    this.vol = volume;
    this.log.push({ kind: 'volume', volume });
  }
}

export interface Kiosk {
  engine: KioskEngine;
  doors: FakeDoors;
  state: FakeState;
  sink: RecordingSink;
  clock: sinon.SinonFakeTimers;
  screens: ScreenView[];
  /** Types keys one by one, then `enter`. */
  type(text: string, enter?: boolean): Promise<void>;
  press(...keys: KeypadKey[]): Promise<void>;
  /** Current screen rendered in its language: title, lines, error, warning, options. */
  text(): string;
  tick(ms: number): Promise<void>;
}

/**
 * A day-use storage's holder closes its door (`door`), leaves, comes back with the storage's `pin` and asks to extend
 * it by `hours`; the kiosk's answer is on the screen.
 */
export async function extendStorage(k: Kiosk, pin: string, hours: string, door = 10): Promise<void> {
  k.doors.close(door);
  await k.engine.select('done');
  await k.type(pin);
  await k.engine.select('extend');
  await k.type(hours);
}

export interface KioskOptions {
  rules?: Partial<BankRules>;
  timers?: Partial<KioskTimers>;
  noState?: boolean;
  engine?: Partial<KioskEngineOptions>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export function renderText(v: ScreenView): string {
  const tr = (r: Parameters<typeof translate>[0]): string => translate(r, v.lang);
  return [
    tr(v.title),
    ...v.lines.map(tr),
    v.error ? `ERROR ${tr(v.error)}` : '',
    v.warning ? `WARNING ${tr(v.warning)}` : '',
    ...v.options.map((o) => `[${o.key ?? o.id}] ${tr(o.label)}`),
  ]
    .filter(Boolean)
    .join('\n');
}

export function createKiosk(t: Teardown, opts: KioskOptions = {}): Kiosk {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const doors = new FakeDoors();
  const state = new FakeState(opts.noState ? undefined : desiredState({ rules: opts.rules ?? {}, timers: opts.timers ?? {} }));
  const sink = new RecordingSink();
  const engine = new KioskEngine({
    doors,
    state,
    sink,
    credentials: new DesiredStateCredentials(state, CREDENTIAL_KEY),
    clock: { now: () => Date.now() },
    // The kiosk's timers run on this test's clock, passed in rather than found through the global setTimeout.
    timers: clock,
    ...opts.engine,
  });
  const screens: ScreenView[] = [];
  engine.on('screen', (v) => screens.push(v));
  engine.start();
  t.teardown(async () => {
    await engine.stop();
    clock.restore();
    if (sink.invalid.length) throw new Error(`events that break the protocol schema: ${JSON.stringify(sink.invalid)}`);
  });
  const k: Kiosk = {
    engine,
    doors,
    state,
    sink,
    clock,
    screens,
    async type(text, enter = true) {
      for (const ch of text) await engine.keypad(ch as KeypadKey);
      if (enter) await engine.keypad('enter');
    },
    async press(...keys) {
      for (const key of keys) await engine.keypad(key);
    },
    text: () => renderText(engine.screen),
    async tick(ms) {
      await clock.tickAsync(ms);
      await engine.settled();
    },
  };
  return k;
}
