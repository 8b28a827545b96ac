/**
 * Controller events become the domain's truth.
 *
 * The sync link stores every event exactly once and in seq order per controller, then emits `event-stored`. This
 * module applies each stored event to the domain, one at a time in arrival order:
 * - `transaction` (what a person did at the kiosk, live or served offline and replayed later) -> the matching
 *   LockerService use case, so locker statuses follow the kiosk: pickup -> pickUp, drop-off / carrier-delivery ->
 *   dropOff (into a free locker with no reservation: recordKioskOccupancy, an occupied reservation on that locker,
 *   with a pickup code for a package), return / exchange -> dropOff of a held locker or pickUp of a filled one,
 *   storage-start -> dropOff (or recordKioskOccupancy),
 *   storage-extend -> extendReservation, storage-end -> pickUp (by the system, its time ran out: expireReservation,
 *   the belongings stay inside), expired-removal -> endReservation(removed);
 *   storage-open and reopen change nothing;
 * - `service-changed` -> setServiceState (skipped when the locker already has that state);
 * - door-forced, door-left-open, door-jammed, lock-fault -> an alert: recorded in the activity log (type `alert`,
 *   durable, in the API and its CSV export; actor `system` = the controller), logged, kept in memory, emitted. A
 *   forced door reports both `door-opened` (cause forced) and `door-forced`: one alert, on the latter.
 * The actor recorded is the event's actor.
 *
 * Idempotent by (controllerId, seq): the highest seq applied per controller is kept durably in
 * `<stateDir>/ingest.json`. At start, events the journal stored but the domain never saw (the cloud stopped in
 * between) are applied first. A domain refusal (reservation already ended, wrong state) means "already so / not
 * applicable": logged, and the event counts as applied. Any other failure (store down) stops applying that
 * controller's events in this process without advancing its mark, so they are applied again after a restart.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { EventBody } from '@portier/protocol';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { z } from 'zod';
import { DomainError } from '../domain/errors.ts';
import type { Actor, Reservation } from '../domain/model.ts';
import type { LockerService } from '../domain/service.ts';
import { ensureDir, readTextIfExists, writeFileDurable } from '../mqtt/fs.ts';
import type { StoredEvent } from '../sync/event-journal.ts';
import { lockerKey } from '../store/store.ts';
import type { DomainDoorMap } from './door-map.ts';

type Transaction = Extract<EventBody, { type: 'transaction' }>;

/** The use cases ingest calls (LockerService has them). */
export type IngestDomain = Pick<
  LockerService,
  'store' | 'pickUp' | 'dropOff' | 'recordKioskOccupancy' | 'extendReservation' | 'expireReservation' | 'endReservation' | 'setServiceState' | 'recordAlert'
>;

/** Where stored events come from (CloudLink + EventJournal). */
export interface StoredEventSource {
  on(event: 'event-stored', l: (e: StoredEvent) => void): unknown;
  off(event: 'event-stored', l: (e: StoredEvent) => void): unknown;
}
export interface JournalReader {
  read(controllerId?: string): Promise<StoredEvent[]>;
}

export interface Alert {
  at: number;
  bankId: string;
  controllerId: string;
  seq: number;
  lockerNumber?: number;
  door?: number;
  kind: 'door-forced' | 'door-left-open' | 'door-jammed' | 'lock-fault';
  detail: string;
}

/** What applying one event did, for tests and logs. */
export interface Applied {
  controllerId: string;
  seq: number;
  type: EventBody['type'];
  /** Use cases called, e.g. `pickUp r-1`. */
  actions: string[];
  /** Why nothing (or less) was done. */
  notes: string[];
}

/** A pickup code the cloud issued for a drop-off made at a kiosk: in clear, in memory only, for a notifier. */
export interface IssuedPickupCode {
  reservationId: string;
  bankId: string;
  lockerNumber: number;
  recipient: Reservation['recipient'];
  code: string;
  expiresAt: number;
}

export interface EventIngestEvents {
  applied: [Applied];
  alert: [Alert];
  /**
   * A kiosk drop-off made the domain issue a new pickup code. It is never logged or stored in clear; this is the hook
   * for whatever tells the recipient (TODO(domain): notifications).
   */
  'pickup-code': [IssuedPickupCode];
}

export interface EventIngestOptions {
  service: IngestDomain;
  source: StoredEventSource;
  journal: JournalReader;
  doors: DomainDoorMap;
  /** Folder of the durable applied-up-to marks. */
  stateDir: string;
  logger?: Logger;
  now?: () => number;
  /** Alerts kept in memory (newest). */
  maxAlerts?: number;
}

export const INGEST_FILE = 'ingest.json';
const marksFile = z.strictObject({ version: z.literal(1), appliedUpTo: z.record(z.string(), z.number().int().min(0)) });

export class IngestError extends Error {
  override name = 'IngestError';
  readonly code = 'CORRUPT' as const;
}

const LIVE_FOR_DROP: ReadonlySet<Reservation['status']> = new Set(['reserved', 'occupied']);
const FILLED: ReadonlySet<Reservation['status']> = new Set(['occupied', 'expired']);

export class EventIngest extends EventEmitter<EventIngestEvents> {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly applied = new Map<string, number>();
  private readonly stuck = new Set<string>();
  private readonly alertRing: Alert[] = [];
  private chain: Promise<void> = Promise.resolve();
  private saving: Promise<void> | undefined;
  private saveAgain = false;
  private started = false;
  private stopped = false;
  private readonly file: string;
  private readonly onStored = (e: StoredEvent): void => this.enqueue(e);

  constructor(private readonly opts: EventIngestOptions) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'event-ingest' });
    this.now = opts.now ?? Date.now;
    this.file = join(opts.stateDir, INGEST_FILE);
  }

  /** Highest seq of a controller applied to the domain. */
  appliedUpTo(controllerId: string): number {
    return this.applied.get(controllerId) ?? 0;
  }

  /** Recent alerts, oldest first, optionally of one bank. */
  alerts(bankId?: string): Alert[] {
    return this.alertRing.filter((a) => bankId === undefined || a.bankId === bankId);
  }

  /** Resolves once everything received so far is applied and its mark saved. */
  async idle(): Promise<void> {
    await this.chain;
    await this.saving;
  }

  /**
   * Loads the marks, subscribes, and applies what the journal holds beyond them. Call before the link starts, so
   * no stored event can slip between the replay and the subscription.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await ensureDir(this.opts.stateDir);
    const text = await readTextIfExists(this.file);
    const journal = await this.opts.journal.read();
    if (text === undefined) {
      // First start of the bridge on this data folder. An empty journal is the normal case. A journal from before
      // the bridge existed is not replayed into today's domain (old service changes would undo newer ones): it is
      // taken as applied.
      for (const e of journal) this.applied.set(e.controllerId, Math.max(this.appliedUpTo(e.controllerId), e.seq));
      if (journal.length > 0) this.log.warn({ events: journal.length }, 'no ingest marks: events stored before the bridge are taken as applied');
      await this.save();
    } else {
      let parsed: z.infer<typeof marksFile>;
      try {
        parsed = marksFile.parse(JSON.parse(text));
      } catch (err) {
        throw new IngestError(`${this.file}: ${(err as Error).message.slice(0, 200)}`);
      }
      for (const [c, s] of Object.entries(parsed.appliedUpTo)) this.applied.set(c, s);
      const missed = journal.filter((e) => e.seq > this.appliedUpTo(e.controllerId));
      if (missed.length > 0) this.log.info({ events: missed.length }, 'applying stored events the domain has not seen');
      for (const e of missed) this.enqueue(e);
    }
    this.opts.source.on('event-stored', this.onStored);
  }

  /** Unsubscribes, lets the events received so far be applied, and saves the marks. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.opts.source.off('event-stored', this.onStored);
    await this.idle();
  }

  private enqueue(e: StoredEvent): void {
    this.chain = this.chain.then(() => this.applyOne(e)).catch((err: unknown) => this.log.error({ err }, 'ingest chain failed'));
  }

  private async applyOne(e: StoredEvent): Promise<void> {
    if (this.stuck.has(e.controllerId)) return;
    if (e.seq <= this.appliedUpTo(e.controllerId)) return; // a duplicate: already applied
    const result: Applied = { controllerId: e.controllerId, seq: e.seq, type: e.event.type, actions: [], notes: [] };
    try {
      await this.apply(e, result);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'STORE_FAILED') {
        this.stuck.add(e.controllerId);
        this.log.error({ err, controllerId: e.controllerId, seq: e.seq }, 'event not applied; this controller\'s later events wait for a restart');
        return;
      }
      result.notes.push(`${err.code}: ${err.message}`);
    }
    this.applied.set(e.controllerId, e.seq);
    this.scheduleSave();
    if (result.actions.length > 0 || result.notes.length > 0) this.log.info(result, 'controller event applied');
    this.emit('applied', result);
  }

  private scheduleSave(): void {
    if (this.saving) {
      this.saveAgain = true;
      return;
    }
    this.saving = (async () => {
      try {
        do {
          this.saveAgain = false;
          await this.save();
        } while (this.saveAgain);
      } catch (err) {
        this.log.error({ err }, 'ingest marks not saved');
      } finally {
        this.saving = undefined;
      }
    })();
  }

  private async save(): Promise<void> {
    const appliedUpTo = Object.fromEntries([...this.applied.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeFileDurable(this.file, JSON.stringify({ version: 1, appliedUpTo }));
  }

  // ---------------------------------------------------------------------------------------------- one event

  private async apply(e: StoredEvent, out: Applied): Promise<void> {
    const ev = e.event;
    switch (ev.type) {
      case 'transaction':
        return this.transaction(e, ev, out);
      case 'service-changed': {
        const ref = this.opts.doors.lockerAt(e.controllerId, ev.door);
        if (!ref) return void out.notes.push(`door ${ev.door} is no known locker`);
        const locker = this.opts.service.store.get('lockers', lockerKey(ref.bankId, ref.lockerNumber));
        if (locker?.service === ev.state) return void out.notes.push(`locker ${ref.lockerNumber} already ${ev.state}`);
        await this.opts.service.setServiceState(ref.bankId, ref.lockerNumber, { state: ev.state, ...(ev.reason ? { reason: ev.reason } : {}) }, ev.actor);
        out.actions.push(`setServiceState ${ref.lockerNumber} ${ev.state}`);
        return;
      }
      case 'door-forced':
        return this.alert(e, 'door-forced', ev.door, 'door opened without an unlock', out);
      case 'door-left-open':
        return this.alert(e, 'door-left-open', ev.door, `open for ${Math.round(ev.openForMs / 1000)} s`, out);
      case 'door-jammed':
        return this.alert(e, 'door-jammed', ev.door, ev.commandId ? `did not open for command ${ev.commandId}` : 'did not open', out);
      case 'lock-fault':
        return this.alert(e, 'lock-fault', ev.door, `${ev.code}: ${ev.message}`, out);
      default:
        return;
    }
  }

  private async alert(e: StoredEvent, kind: Alert['kind'], door: number | undefined, detail: string, out: Applied): Promise<void> {
    const ref = door !== undefined ? this.opts.doors.lockerAt(e.controllerId, door) : undefined;
    const a: Alert = {
      at: e.at,
      bankId: e.bankId,
      controllerId: e.controllerId,
      seq: e.seq,
      kind,
      detail,
      ...(door !== undefined ? { door } : {}),
      ...(ref ? { lockerNumber: ref.lockerNumber } : {}),
    };
    this.alertRing.push(a);
    const max = this.opts.maxAlerts ?? 1000;
    if (this.alertRing.length > max) this.alertRing.splice(0, this.alertRing.length - max);
    this.log.warn(a, 'locker alert');
    if (this.opts.service.store.get('banks', e.bankId)) {
      await this.opts.service.recordAlert(
        { bankId: e.bankId, controllerId: e.controllerId, seq: e.seq, kind, detail: detail.slice(0, 300), ...(ref ? { lockerNumber: ref.lockerNumber } : {}) },
        { role: 'system', id: e.controllerId },
      );
    }
    out.actions.push(`alert ${kind}${ref ? ` locker ${ref.lockerNumber}` : ''}`);
    this.emit('alert', a);
  }

  /**
   * The live reservations a transaction is about: those it names that the cloud holds, in this bank. When it names
   * none the cloud knows (a drop-off with no reservation, or ids the kiosk made up while offline), the live
   * reservation on each of its doors. When it names one that has already ended, it was applied before: nothing.
   */
  private reservationsOf(e: StoredEvent, tx: Transaction, out: Applied): Reservation[] {
    const store = this.opts.service.store;
    const found = new Map<string, Reservation>();
    let ended = 0;
    for (const id of tx.reservationIds) {
      const r = store.get('reservations', id);
      if (r && r.bankId === e.bankId) found.set(r.id, r);
      else if (store.pastReservation(id)) ended++;
    }
    if (found.size > 0) return [...found.values()];
    if (ended > 0) {
      out.notes.push('reservation already ended');
      return [];
    }
    for (const door of tx.doors) {
      const ref = this.opts.doors.lockerAt(e.controllerId, door);
      if (!ref) {
        out.notes.push(`door ${door} is no known locker`);
        continue;
      }
      const r = store.list('reservations').find((x) => x.bankId === ref.bankId && x.lockerNumber === ref.lockerNumber);
      if (r) found.set(r.id, r);
    }
    return [...found.values()];
  }

  private async transaction(e: StoredEvent, tx: Transaction, out: Applied): Promise<void> {
    const svc = this.opts.service;
    const actor: Actor = tx.actor;
    const trackingIds = [...new Set(tx.trackingIds.map((t) => t.trim()).filter((t) => t.length > 0))].slice(0, 50);
    if (tx.kind === 'storage-open' || tx.kind === 'reopen') return; // the locker's state does not change
    const rs = this.reservationsOf(e, tx, out);
    if (rs.length === 0) {
      if (out.notes.includes('reservation already ended')) return; // applied before: nothing to record
      if (tx.kind === 'drop-off' || tx.kind === 'carrier-delivery' || tx.kind === 'storage-start') {
        // Into a free locker with no reservation (chosen by size at the kiosk, or day-use storage started there):
        // the domain records it as an occupied reservation on that exact locker.
        for (const door of tx.doors) await this.recordOccupancy(e, tx, door, actor, trackingIds, out);
      } else if (out.notes.length === 0) out.notes.push(`${tx.kind}: no live reservation`);
      return;
    }
    for (const r of rs) {
      await this.oneReservation(tx, r, actor, trackingIds, out, svc);
    }
  }

  private async recordOccupancy(e: StoredEvent, tx: Transaction, door: number, actor: Actor, trackingIds: string[], out: Applied): Promise<void> {
    const ref = this.opts.doors.lockerAt(e.controllerId, door);
    if (!ref) return void out.notes.push(`door ${door} is no known locker`);
    const store = this.opts.service.store;
    const storage = tx.kind === 'storage-start';
    // The person storing is the recipient when the kiosk knows them as a contact; a carrier is the drop-off party.
    const recipient = storage && actor.role === 'recipient' && actor.id !== undefined && store.get('contacts', actor.id) ? { type: 'contact' as const, id: actor.id } : undefined;
    const carrier = tx.kind === 'carrier-delivery' && actor.id !== undefined && store.get('carriers', actor.id) ? { type: 'carrier' as const, id: actor.id } : undefined;
    const res = await this.opts.service.recordKioskOccupancy(
      {
        bankId: ref.bankId,
        lockerNumber: ref.lockerNumber,
        kind: storage ? 'storage' : 'package',
        trackingIds: storage ? [] : trackingIds,
        ...(recipient ? { recipient } : {}),
        ...(carrier ? { dropOffParty: carrier } : {}),
        ...(storage && tx.endsAt !== undefined ? { endsAt: tx.endsAt } : {}),
      },
      actor,
    );
    out.actions.push(`recordKioskOccupancy ${ref.lockerNumber} ${res.reservation.id}`);
    this.issued(res.reservation, res.pickupCode, res.pickupCodeExpiresAt);
  }

  /** Hands a pickup code the domain just issued to the `pickup-code` listeners (a notifier). */
  private issued(r: Reservation, code: string | undefined, expiresAt: number | undefined): void {
    if (code === undefined || expiresAt === undefined) return;
    const issued: IssuedPickupCode = { reservationId: r.id, bankId: r.bankId, lockerNumber: r.lockerNumber, recipient: r.recipient, code, expiresAt };
    try {
      this.emit('pickup-code', issued);
    } catch (err) {
      this.log.error({ err: (err as Error).message, reservationId: r.id }, 'pickup-code listener threw');
    }
  }

  private async oneReservation(tx: Transaction, r: Reservation, actor: Actor, trackingIds: string[], out: Applied, svc: IngestDomain): Promise<void> {
    const pickUp = async (): Promise<void> => {
      await svc.pickUp({ reservationId: r.id }, actor);
      out.actions.push(`pickUp ${r.id}`);
    };
    const dropOff = async (): Promise<void> => {
      const res = await svc.dropOff({ reservationId: r.id, ...(trackingIds.length > 0 ? { trackingIds } : {}) }, actor);
      out.actions.push(`dropOff ${r.id}`);
      this.issued(res.reservation, res.pickupCode, res.pickupCodeExpiresAt);
    };
    switch (tx.kind) {
      case 'pickup':
        if (FILLED.has(r.status)) return pickUp();
        return void out.notes.push(`pickup of ${r.id}: it is ${r.status}`);
      case 'drop-off':
      case 'carrier-delivery':
      case 'storage-start':
        if (LIVE_FOR_DROP.has(r.status)) return dropOff();
        return void out.notes.push(`${tx.kind} into ${r.id}: it is ${r.status}`);
      case 'return':
      case 'exchange':
        // The party bringing it fills a held locker; the party collecting empties a filled one.
        if (r.status === 'reserved') return dropOff();
        return pickUp();
      case 'storage-extend': {
        if (tx.endsAt === undefined) return void out.notes.push('storage-extend without endsAt');
        const from = Math.max(r.endsAt ?? this.now(), this.now());
        const minutes = Math.ceil((tx.endsAt - from) / 60_000);
        if (minutes <= 0) return void out.notes.push(`storage ${r.id} already ends at or after ${tx.endsAt}`);
        await svc.extendReservation(r.id, { minutes }, actor);
        out.actions.push(`extendReservation ${r.id} +${minutes} min`);
        return;
      }
      case 'storage-end':
        if (actor.role === 'system' && r.status === 'occupied') {
          // The kiosk ended it because its time ran out: the belongings are still inside until staff remove them.
          await svc.expireReservation(r.id, actor);
          out.actions.push(`expireReservation ${r.id}`);
          return;
        }
        if (FILLED.has(r.status)) return pickUp();
        await svc.endReservation(r.id, { reason: 'cancelled', note: 'storage ended at the kiosk' }, actor);
        out.actions.push(`endReservation ${r.id} cancelled`);
        return;
      case 'expired-removal':
        await svc.endReservation(r.id, { reason: 'removed', note: 'removed at the kiosk' }, actor);
        out.actions.push(`endReservation ${r.id} removed`);
        return;
      default:
        return;
    }
  }
}
