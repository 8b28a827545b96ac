/**
 * Parcels without a home: a parcel in a locker whose recipient was not known at the drop-off (a kiosk drop-off that
 * named nobody goes to the `kiosk-unassigned` department) or was the wrong one gets its recipient, with a new pickup
 * code for them; and a package no locker of its bank fitted, kept `held` at the mailroom desk (a reservation asked
 * with `ifNoLocker: 'hold'`, reservations.ts), takes the first locker that fits when one frees up.
 */
import type { EventEmitter } from 'node:events';
import { z } from 'zod';
import { chooseLocker, parcelDimensions } from '../allocation.ts';
import type { DomainCore, DomainEvent, Locked, RecipientInfo } from '../core.ts';
import type { DomainEvents } from '../events.ts';
import { DomainError, parseInput } from '../errors.ts';
import {
  assignRecipientInput,
  entityIdSchema,
  type ActivityEntry,
  type Actor,
  type AssignRecipientInput,
  type PlacedReservation,
  type RecipientRef,
  type Reservation,
} from '../model.ts';
import { PickupCodes } from './pickup-codes.ts';
import { HOUR, KIOSK_UNASSIGNED_DEPARTMENT, type ReissuedCode, type ReservationUseCases } from './reservations.ts';

const SYSTEM: Actor = { role: 'system' };

/** Whether a reservation is addressed to a `kiosk-unassigned` department (a kiosk drop-off that named nobody). */
export function isKioskUnassigned(ref: RecipientRef): boolean {
  return ref.type === 'department' && (ref.id === KIOSK_UNASSIGNED_DEPARTMENT || ref.id.startsWith(`${KIOSK_UNASSIGNED_DEPARTMENT}.`));
}

export class HeldParcels {
  private readonly codes: PickupCodes;
  /** Placement runs, one after the other (each takes its bank's lock). */
  private placing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly core: DomainCore,
    private readonly reservations: Pick<ReservationUseCases, 'mustAddressee'>,
  ) {
    this.codes = new PickupCodes(core);
  }

  /**
   * Names the recipient of a package in its locker (occupied, or expired uncollected): a kiosk drop-off that named
   * nobody, or a parcel put in for the wrong person (the mailroom's fix of a misread label is the same act; the old
   * recipient's code stops working, so a wrong notice cannot open the locker). A new pickup code is drawn with a fresh
   * collection deadline; the controllers get its hash with the next desired state, the old one leaves them; the code
   * goes to the notification hook for the new recipient (`pickup-code-issued`) and is answered once. Recorded in the
   * activity with both recipients.
   */
  async assignRecipient(reservationId: string, input: AssignRecipientInput, actor: Actor): Promise<ReissuedCode> {
    const id = parseInput(z.strictObject({ reservationId: entityIdSchema }), { reservationId }).reservationId;
    const req = parseInput(assignRecipientInput, input);
    const first = await this.core.mustLive(id, 'reservationId');
    const to = this.reservations.mustAddressee(first.bankId, req.recipient, 'recipient.id');
    if (isKioskUnassigned(to.ref)) throw new DomainError('VALIDATION', 'recipient: the unassigned department is not a recipient', 'recipient.id');
    return this.core.change(first.bankId, async (): Promise<Locked<ReissuedCode>> => {
      const r = await this.core.mustPlaced(id, 'reservationId');
      if (r.kind !== 'package' || (r.status !== 'occupied' && r.status !== 'expired'))
        throw new DomainError('CONFLICT', `reservation ${r.id} is a ${r.status} ${r.kind}: only a package in its locker is given a recipient`, 'reservationId');
      if (r.recipient.type === to.ref.type && r.recipient.id === to.ref.id)
        throw new DomainError('CONFLICT', `reservation ${r.id} is already for ${to.ref.type} ${to.ref.id}`, 'recipient.id');
      const bank = this.core.mustBank(r.bankId);
      const now = this.core.now();
      const expiresAt = now + bank.rules.pickupPinExpiryH * HOUR;
      const { code, stored } = await this.codes.draw(bank, r.id);
      const { expiredAt: _expired, ...rest } = r;
      const next: PlacedReservation = { ...rest, status: 'occupied', recipient: to.ref, endsAt: expiresAt, pickupCode: { code: stored, expiresAt, issuedAt: now } };
      const from = `${r.recipient.type} ${r.recipient.id}`;
      const activity = this.core.activity('reservation', actor, {
        bankId: r.bankId,
        lockerNumber: r.lockerNumber,
        recipientId: to.ref.id,
        reservationId: r.id,
        detail: `recipient assigned: ${from} -> ${to.ref.type} ${to.ref.id}${req.note ? `: ${req.note}` : ''}`,
      });
      const done = this.core.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
      return {
        result: { reservation: next, code, expiresAt },
        done,
        events: [
          ['reservation-changed', { reservation: next, change: 'recipient-assigned' }],
          ['pickup-code-issued', { reservationId: r.id, bankId: r.bankId, lockerNumber: r.lockerNumber, recipient: to.ref, code, expiresAt }],
        ],
      };
    });
  }

  /**
   * Gives the bank's held parcels, oldest first, the lockers that fit them now, under the same rules as any allocation
   * (size, the accessible-locker rule, dedicated lockers). A placed one becomes `reserved` for the staff drop-off at
   * the kiosk, with no hold expiry: the parcel is at the desk and must not be forgotten by a timer. Event `placed`.
   */
  async placeHeld(bankId: string): Promise<PlacedReservation[]> {
    if (!this.core.store.get('banks', bankId) || this.core.banks.of(bankId).held.size === 0) return [];
    return this.core.change(bankId, (): Locked<PlacedReservation[]> => {
      const bank = this.core.store.get('banks', bankId);
      if (!bank) return { result: [] };
      const idx = this.core.banks.of(bankId);
      const slots = this.core.banks.slots(idx, this.core.reachOf(bank));
      const taken = new Set<number>();
      const placed: PlacedReservation[] = [];
      const activity: ActivityEntry[] = [];
      for (const r of [...idx.held.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))) {
        const recipient = this.recipientOf(r);
        if (!recipient) continue;
        const locker = chooseLocker(
          { kind: r.kind, parcel: r.parcel ?? parcelDimensions(undefined, undefined), needsAccessible: recipient.needsAccessible, owners: recipient.owners },
          { slots, isHeld: (n) => idx.live.has(n) || taken.has(n), quota: bank.deliveryQuota },
        );
        if (!locker) continue;
        taken.add(locker.number);
        placed.push({ ...r, status: 'reserved', lockerNumber: locker.number });
        activity.push(
          this.core.activity('reservation', SYSTEM, {
            bankId,
            lockerNumber: locker.number,
            recipientId: r.recipient.id,
            reservationId: r.id,
            ...(r.packages[0]?.trackingId !== undefined ? { trackingId: r.packages[0].trackingId } : {}),
            detail: `placed: locker ${locker.number} freed up for the parcel held at the mailroom desk`,
          }),
        );
      }
      if (placed.length === 0) return { result: [] };
      const done = this.core.write({ put: placed.map((r) => ({ c: 'reservations' as const, key: r.id, value: r })), activity });
      this.core.log.info({ bankId, placed: placed.map((r) => r.id) }, 'held parcels placed into lockers');
      return { result: placed, done, events: placed.map((r): DomainEvent => ['reservation-changed', { reservation: r, change: 'placed' }]) };
    });
  }

  /** Queues a placement run for the bank (after a locker may have freed up); failures are logged. */
  schedule(bankId: string): void {
    this.placing = this.placing
      .then(() => this.placeHeld(bankId))
      .catch((err: unknown) => this.core.log.error({ err, bankId }, 'placing held parcels failed'));
  }

  /** Resolves once every placement run queued so far has finished. */
  async settled(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.placing;
      await seen;
    } while (seen !== this.placing);
  }

  /**
   * Placement runs whenever a locker may have freed up for a parcel held at the desk: a reservation left it, or a
   * locker was added, put back in service or changed.
   */
  watch(events: Pick<EventEmitter<DomainEvents>, 'on'>): void {
    events.on('reservation-changed', (e) => {
      if (e.change === 'picked-up' || e.change === 'ended') this.schedule(e.reservation.bankId);
    });
    events.on('locker-changed', (e) => {
      if (e.change !== 'deleted') this.schedule(e.locker.bankId);
    });
  }

  /** A placement run for every bank with held parcels (a sweep: catches a locker freed while the cloud was down). */
  placeAll(): void {
    for (const bankId of new Set(this.core.store.list('reservations').flatMap((r) => (r.status === 'held' ? [r.bankId] : [])))) this.schedule(bankId);
  }

  /** `placeAll` now and every `intervalMs` until the returned function is called. */
  startSweep(intervalMs: number, gate?: () => Promise<boolean>): () => void {
    const run = (): void => {
      if (!gate) return this.placeAll();
      gate().then(
        (go) => go && this.placeAll(),
        (err: unknown) => this.core.log.error({ err }, 'held parcels sweep not run'),
      );
    };
    run();
    const timer = setInterval(run, intervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  /** The held reservation's recipient as allocation sees it; none when they no longer exist (logged, it stays held). */
  private recipientOf(r: Reservation): RecipientInfo | undefined {
    try {
      return this.core.mustRecipient(r.bankId, r.recipient, 'recipient.id');
    } catch (err) {
      this.core.log.warn({ reservationId: r.id, err: (err as Error).message }, 'held parcel: its recipient is gone, it stays at the desk');
      return undefined;
    }
  }
}
