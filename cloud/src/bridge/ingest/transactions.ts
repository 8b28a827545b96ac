/**
 * A kiosk transaction (what a person did at the kiosk, live or served offline and replayed later) becomes the matching
 * LockerService use case, so locker statuses follow the kiosk: pickup -> pickUp, drop-off / carrier-delivery ->
 * dropOff (into a free locker with no reservation: recordKioskOccupancy, an occupied reservation on that locker, with
 * a pickup code for a package), return / exchange -> dropOff of a held locker or pickUp of a filled one,
 * storage-start -> dropOff (or recordKioskOccupancy), storage-extend -> extendReservation, storage-end -> pickUp (by
 * the system, its time ran out: expireReservation, the belongings stay inside), expired-removal ->
 * endReservation(removed); storage-open and reopen change nothing. The actor recorded is the event's actor; a pickup
 * made by a recipient signed in with a badge (`via: 'badge'`) is recorded as such.
 */
import type { Logger } from 'pino';
import type { Actor, PlacedReservation, Reservation } from '../../domain/model.ts';
import type { StoredEvent } from '../../sync/event-journal.ts';
import type { DomainDoorMap } from '../door-map.ts';
import type { Applied, IngestDomain, IssuedPickupCode, Transaction } from './types.ts';

const LIVE_FOR_DROP: ReadonlySet<Reservation['status']> = new Set(['reserved', 'occupied']);
const FILLED: ReadonlySet<Reservation['status']> = new Set(['occupied', 'expired']);

/** Whether a transaction changes a locker's state (storage-open and reopen only open a door). */
export function changesState(tx: Transaction): boolean {
  return tx.kind !== 'storage-open' && tx.kind !== 'reopen';
}

export class TransactionApplier {
  constructor(
    private readonly opts: {
      service: IngestDomain;
      doors: DomainDoorMap;
      log: Logger;
      now: () => number;
      onPickupCode: (issued: IssuedPickupCode) => void;
    },
  ) {}

  /**
   * The live reservations a transaction is about: those it names that the cloud holds, in this bank. When it names
   * none the cloud knows (a drop-off with no reservation, or ids the kiosk made up while offline), the live
   * reservation on each of its doors. When it names one that has already ended, it was applied before: nothing.
   */
  private async reservationsOf(e: StoredEvent, tx: Transaction, out: Applied): Promise<Reservation[]> {
    const store = this.opts.service.store;
    const found = new Map<string, Reservation>();
    let ended = 0;
    for (const id of tx.reservationIds) {
      const r = store.get('reservations', id);
      if (r && r.bankId === e.bankId) found.set(r.id, r);
      else if (await store.pastReservation(id)) ended++;
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

  /** Applies a transaction: the use cases of what the person did, on the reservations it is about. */
  async apply(e: StoredEvent, tx: Transaction, out: Applied): Promise<void> {
    const svc = this.opts.service;
    const actor: Actor = tx.actor;
    const trackingIds = [...new Set(tx.trackingIds.map((t) => t.trim()).filter((t) => t.length > 0))].slice(0, 50);
    if (tx.kind === 'storage-open' || tx.kind === 'reopen') return; // the locker's state does not change
    const rs = await this.reservationsOf(e, tx, out);
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
  private issued(r: PlacedReservation, code: string | undefined, expiresAt: number | undefined): void {
    if (code === undefined || expiresAt === undefined) return;
    const issued: IssuedPickupCode = { reservationId: r.id, bankId: r.bankId, lockerNumber: r.lockerNumber, recipient: r.recipient, code, expiresAt };
    try {
      this.opts.onPickupCode(issued);
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message, reservationId: r.id }, 'pickup-code listener threw');
    }
  }

  private async oneReservation(tx: Transaction, r: Reservation, actor: Actor, trackingIds: string[], out: Applied, svc: IngestDomain): Promise<void> {
    const pickUp = async (): Promise<void> => {
      // A recipient who signed in with their badge: the history says so (the event names the kind, never the number).
      await svc.pickUp({ reservationId: r.id }, actor, { badge: tx.via === 'badge' && actor.role === 'recipient' });
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
        const from = Math.max(r.endsAt ?? this.opts.now(), this.opts.now());
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
