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
 * Idempotent by (controllerId, seq): the highest seq applied per controller is kept durably in the domain store's
 * `ingestMarks` collection (key controllerId, `{ controllerId, appliedUpTo, at }`), one put per applied event, group-
 * committed with every other write (no file of its own, no fsync of its own). At start, events the journal stored but
 * the domain never saw (the cloud stopped in between) are applied first. A domain refusal (reservation already ended,
 * wrong state) means "already so / not applicable": logged, and the event counts as applied. Any other failure (store
 * down) stops applying that controller's events in this process without advancing its mark, so they are applied
 * again after a restart.
 *
 * The crash window. The mark is a commit of its own, made right after the domain change an event caused is durable
 * (LockerService commits inside its use cases and offers no way to add a put to that commit). Commits are durable in
 * the order they were made, so a crash can lose at most the mark of the last event applied per controller: at the
 * next start that one event (the first after the mark) may already be in the domain. It is re-applied, safely:
 * - a transaction writes `applying: { seq, at }` into its mark just before the domain call (also not awaited: it is
 *   ordered before the domain commit). When that event comes back at start, the activity log is asked whether the
 *   event's actor did anything since `at` on its lockers or reservations; if so it is taken as applied and skipped
 *   (otherwise a drop-off re-applied to its now occupied reservation would issue a second pickup code, an exchange
 *   would flip back, a storage-end after the expiry would pick the storage up);
 * - an alert is skipped when the activity log already holds the alert of that controller and seq;
 * - service-changed is skipped when the locker already has that state; other events change nothing.
 *
 * Upgrade: marks kept by older versions in `<stateDir>/ingest.json` are taken into the store at the first start on
 * a store with no marks, and the file is renamed `ingest.json.migrated` (an unreadable file is an IngestError, as
 * before: nothing is guessed). Marks written by the file version were saved lazily, so more than one event per
 * controller could be re-applied after a crash then; this version narrows that to the one event above.
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
import { rename } from 'node:fs/promises';
import { ensureDir, readTextIfExists } from '../mqtt/fs.ts';
import type { StoredEvent } from '../sync/event-journal.ts';
import { INGEST_STARTED_KEY, lockerKey, type IngestMark, type Store } from '../store/store.ts';
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
  /** Folder where older versions kept the applied-up-to marks (`ingest.json`, migrated into the store at start). */
  stateDir: string;
  logger?: Logger;
  now?: () => number;
  /** Alerts kept in memory (newest). */
  maxAlerts?: number;
}

export const INGEST_FILE = 'ingest.json';
export const INGEST_FILE_MIGRATED = 'ingest.json.migrated';
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
  /** Mark commits not yet durable. */
  private readonly saving = new Set<Promise<void>>();
  /** `controllerId/seq` of the events that may have reached the domain before a crash lost their mark. */
  private readonly window = new Set<string>();
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

  private get store(): Store {
    return this.opts.service.store;
  }

  /** Resolves once everything received so far is applied and its mark saved. */
  async idle(): Promise<void> {
    await this.chain;
    while (this.saving.size > 0) await Promise.all([...this.saving]);
  }

  /**
   * Loads the marks, subscribes, and applies what the journal holds beyond them. Call before the link starts, so
   * no stored event can slip between the replay and the subscription.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await ensureDir(this.opts.stateDir);
    const journal = await this.opts.journal.read();
    let initialised = this.store.count('ingestMarks') > 0;
    const text = await readTextIfExists(this.file);
    if (text !== undefined && initialised) {
      // Taken in before, the rename was lost (a crash right after the commit): the store's marks are newer.
      await this.retireFile();
    } else if (text !== undefined) {
      let parsed: z.infer<typeof marksFile>;
      try {
        parsed = marksFile.parse(JSON.parse(text));
      } catch (err) {
        throw new IngestError(`${this.file}: ${(err as Error).message.slice(0, 200)}`);
      }
      const marks = Object.entries(parsed.appliedUpTo).map(([c, seq]) => this.markOf(c, seq));
      await this.store.commit({ put: [this.startedMark(), ...marks].map((value) => ({ c: 'ingestMarks' as const, key: value.controllerId, value })) });
      await this.retireFile();
      this.log.info({ controllers: marks.length }, `ingest marks taken from ${INGEST_FILE} into the store`);
      initialised = true;
    }
    if (!initialised) {
      // First start of the bridge on this store. An empty journal is the normal case. A journal from before the
      // bridge existed is not replayed into today's domain (old service changes would undo newer ones): it is taken
      // as applied.
      const upTo = new Map<string, number>();
      for (const e of journal) upTo.set(e.controllerId, Math.max(upTo.get(e.controllerId) ?? 0, e.seq));
      if (journal.length > 0) this.log.warn({ events: journal.length }, 'no ingest marks: events stored before the bridge are taken as applied');
      const marks = [this.startedMark(), ...[...upTo].map(([c, seq]) => this.markOf(c, seq))];
      await this.store.commit({ put: marks.map((value) => ({ c: 'ingestMarks' as const, key: value.controllerId, value })) });
    }
    for (const m of this.store.list('ingestMarks')) if (m.controllerId !== INGEST_STARTED_KEY) this.applied.set(m.controllerId, m.appliedUpTo);
    const missed = journal.filter((e) => e.seq > this.appliedUpTo(e.controllerId));
    for (const e of missed) {
      // Only the first event after a controller's mark can have reached the domain without its mark.
      if (!missed.some((x) => x.controllerId === e.controllerId && x.seq < e.seq)) this.window.add(`${e.controllerId}/${e.seq}`);
    }
    if (missed.length > 0) this.log.info({ events: missed.length }, 'applying stored events the domain has not seen');
    for (const e of missed) this.enqueue(e);
    this.opts.source.on('event-stored', this.onStored);
  }

  private async retireFile(): Promise<void> {
    await rename(this.file, join(this.opts.stateDir, INGEST_FILE_MIGRATED));
  }

  private markOf(controllerId: string, appliedUpTo: number, applying?: IngestMark['applying']): IngestMark {
    return { controllerId, appliedUpTo, at: this.now(), ...(applying ? { applying } : {}) };
  }

  private startedMark(): IngestMark {
    return this.markOf(INGEST_STARTED_KEY, 0);
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
    const key = `${e.controllerId}/${e.seq}`;
    const inWindow = this.window.delete(key);
    try {
      if (inWindow && this.appliedBeforeCrash(e)) result.notes.push('applied before the restart (its mark was lost)');
      else {
        if (e.event.type === 'transaction' && e.event.kind !== 'storage-open' && e.event.kind !== 'reopen') {
          this.saveMark(e.controllerId, this.markOf(e.controllerId, this.appliedUpTo(e.controllerId), { seq: e.seq, at: this.now() }));
        }
        await this.apply(e, result);
      }
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'STORE_FAILED') {
        this.stuck.add(e.controllerId);
        this.log.error({ err, controllerId: e.controllerId, seq: e.seq }, 'event not applied; this controller\'s later events wait for a restart');
        return;
      }
      result.notes.push(`${err.code}: ${err.message}`);
    }
    if (this.stuck.has(e.controllerId)) return; // its `applying` mark could not be saved: the store is down
    this.applied.set(e.controllerId, e.seq);
    // Not awaited: the next event's domain commit is made after this one, so it is never durable without it.
    this.saveMark(e.controllerId, this.markOf(e.controllerId, e.seq));
    if (result.actions.length > 0 || result.notes.length > 0) this.log.info(result, 'controller event applied');
    this.emit('applied', result);
  }

  /** Commits a controller's mark (one journal line, group-committed); a failure stops that controller here. */
  private saveMark(controllerId: string, mark: IngestMark): void {
    const p = this.store.commit({ put: [{ c: 'ingestMarks', key: controllerId, value: mark }] }).then(
      () => undefined,
      (err: unknown) => {
        this.stuck.add(controllerId);
        this.log.error({ err, controllerId, seq: mark.appliedUpTo }, 'ingest mark not saved; this controller\'s later events wait for a restart');
      },
    );
    this.saving.add(p);
    void p.finally(() => this.saving.delete(p));
  }

  /**
   * Whether the event that came first after its controller's mark at start had reached the domain before the crash
   * that lost its mark (see the top of this file).
   */
  private appliedBeforeCrash(e: StoredEvent): boolean {
    const ev = e.event;
    switch (ev.type) {
      case 'door-forced':
      case 'door-left-open':
      case 'door-jammed':
      case 'lock-fault': {
        const tag = `(controller ${e.controllerId} event ${e.seq})`;
        // Recorded after the event was stored (same cloud clock), so no older entry needs to be looked at.
        return this.store.queryActivity({ type: 'alert', bankId: e.bankId, from: e.storedAt }).some((a) => a.detail?.endsWith(tag) === true);
      }
      case 'transaction': {
        const applying = this.store.get('ingestMarks', e.controllerId)?.applying;
        // No `applying` for it: the domain commit, made after that mark, cannot be durable without it either.
        if (applying?.seq !== e.seq) return false;
        const lockers = new Set<number>();
        for (const door of ev.doors) {
          const ref = this.opts.doors.lockerAt(e.controllerId, door);
          if (ref && ref.bankId === e.bankId) lockers.add(ref.lockerNumber);
        }
        const ids = new Set(ev.reservationIds);
        // The use cases record the event's actor: an entry by someone else (staff in the API) is not this event.
        return this.store
          .queryActivity({ bankId: e.bankId, from: applying.at })
          .some(
            (a) =>
              a.actor.role === ev.actor.role &&
              a.actor.id === ev.actor.id &&
              ((a.lockerNumber !== undefined && lockers.has(a.lockerNumber)) || (a.reservationId !== undefined && ids.has(a.reservationId))),
          );
      }
      default:
        return false;
    }
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
    // A hardware report: a door of this controller's own board, never a kiosk alias of another column's door.
    const ref = door !== undefined ? this.opts.doors.lockerAt(e.controllerId, door, { physical: true }) : undefined;
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
      const into = this.existingLockerOf(e, tx, r);
      if (into) await this.addedToExisting(r, into, actor, trackingIds, out, svc);
      else await this.oneReservation(tx, r, actor, trackingIds, out, svc);
    }
  }

  /**
   * A drop-off of a held parcel that the kiosk put into the recipient's occupied locker instead of the held one
   * (bank rule addToExistingLocker, chosen at the kiosk): that occupied reservation, when the door is another locker's.
   */
  private existingLockerOf(e: StoredEvent, tx: Transaction, r: Reservation): Reservation | undefined {
    if ((tx.kind !== 'drop-off' && tx.kind !== 'carrier-delivery') || r.status !== 'reserved' || r.kind !== 'package' || tx.doors.length !== 1) return undefined;
    const ref = this.opts.doors.lockerAt(e.controllerId, tx.doors[0]!);
    if (!ref || ref.bankId !== r.bankId || ref.lockerNumber === r.lockerNumber) return undefined;
    return this.opts.service.store
      .list('reservations')
      .find((x) => x.bankId === ref.bankId && x.lockerNumber === ref.lockerNumber && x.kind === 'package' && x.status === 'occupied' && x.recipient.type === r.recipient.type && x.recipient.id === r.recipient.id);
  }

  /** The parcel goes with the recipient's other parcels; the locker held for it is released. */
  private async addedToExisting(r: Reservation, into: Reservation, actor: Actor, trackingIds: string[], out: Applied, svc: IngestDomain): Promise<void> {
    const ids = trackingIds.length > 0 ? trackingIds : r.packages.flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : []));
    const res = await svc.dropOff({ reservationId: into.id, ...(ids.length > 0 ? { trackingIds: ids } : {}) }, actor);
    out.actions.push(`dropOff ${into.id}`);
    this.issued(res.reservation, res.pickupCode, res.pickupCodeExpiresAt);
    await svc.endReservation(r.id, { reason: 'cancelled', note: `added to locker ${into.lockerNumber} at the kiosk` }, actor);
    out.actions.push(`endReservation ${r.id} cancelled`);
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
