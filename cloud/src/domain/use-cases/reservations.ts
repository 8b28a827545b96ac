/**
 * Reservation use cases that fill lockers: reserve (allocation), drop off, a kiosk's drop-off the cloud did not know
 * of, and a new pickup or drop-off code. Ending, extending and expiring are in reservation-endings.ts.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Change } from '../../store/store.ts';
import { chooseLocker, fits, lockerDimensions, parcelDimensions } from '../allocation.ts';
import { checkStorageRequest } from '../bank-policy.ts';
import type { DomainCore, Locked, RecipientInfo } from '../core.ts';
import { DomainError, NO_LOCKER_MESSAGE, notFound, parseInput } from '../errors.ts';
import {
  dropOffInput,
  entityIdSchema,
  recordKioskOccupancyInput,
  reserveInput,
  type ActivityType,
  type Actor,
  type Department,
  type DropOffInput,
  type PlacedReservation,
  type RecipientRef,
  type RecordKioskOccupancyInput,
  type CustomValues,
  type Reservation,
  type ReserveInput,
} from '../model.ts';
import { PickupCodes } from './pickup-codes.ts';
import type { CustomFieldUseCases } from './custom-fields.ts';

/** A reservation made: in its locker, or (`ifNoLocker: 'hold'` and none fitted) `held` at the mailroom desk. */
export interface ReserveResult<R extends Reservation = PlacedReservation> {
  reservation: R;
  /** True when the parcel was added to the recipient's existing locker instead of a new one. */
  addedToExisting: boolean;
  /**
   * A return or exchange: the code in clear (returned this once, stored hashed as the reservation's `pickupCode`)
   * for the person bringing the parcel; typed at the kiosk it opens the reserved locker. The drop-off then issues
   * the collector's pickup code in its place. Day-use storage: the storing person's code, which opens the held locker
   * at the kiosk to fill it and, kept through the drop-off, later to empty it.
   */
  dropOffCode?: string;
  dropOffCodeExpiresAt?: number;
}
export interface DropOffResult {
  reservation: PlacedReservation;
  /**
   * The pickup code in clear: returned this once, never stored. Every drop-off issues a new code and the previous
   * one of the same reservation stops working (a parcel added to an existing locker comes with a fresh notice), except
   * day-use storage reserved ahead: it keeps the code its holder filled it with (none here).
   */
  pickupCode?: string;
  pickupCodeExpiresAt?: number;
}
export interface ReissuedCode {
  reservation: Reservation;
  /** In clear, returned this once. */
  code: string;
  expiresAt: number;
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
/** How long a locker is held for a drop-off when the request does not say. */
const DEFAULT_HOLD_MIN = { package: 24 * 60, return: 24 * 60, exchange: 24 * 60, storage: 30 } as const;
/** Open-ended storage still needs a code expiry: a year. */
const OPEN_STORAGE_CODE_MS = 365 * 24 * HOUR;
/** The department of kiosk drop-offs whose recipient the cloud does not know (see `recordKioskOccupancy`). */
export const KIOSK_UNASSIGNED_DEPARTMENT = 'kiosk-unassigned';

/**
 * The department holding an enterprise's kiosk drop-offs that name no recipient: the id of earlier releases for the
 * first enterprise that needs one, an id derived from the enterprise for the others (ids are at most 64 characters).
 */
export function kioskUnassignedDepartment(enterpriseId: string, get: (id: string) => Department | undefined): string {
  const first = get(KIOSK_UNASSIGNED_DEPARTMENT);
  if (!first || first.enterpriseId === enterpriseId) return KIOSK_UNASSIGNED_DEPARTMENT;
  return `${KIOSK_UNASSIGNED_DEPARTMENT}.${createHash('sha256').update(enterpriseId).digest('hex').slice(0, 16)}`;
}

export class ReservationUseCases {
  private readonly codes: PickupCodes;

  constructor(
    private readonly core: DomainCore,
    private readonly customFields?: CustomFieldUseCases,
  ) {
    this.codes = new PickupCodes(core);
  }

  /** Without `ifNoLocker: 'hold'` the answer is always a reservation in its locker (or the 409 of no locker). */
  async reserve(input: ReserveInput & { ifNoLocker?: 'refuse' }, actor: Actor): Promise<ReserveResult>;
  async reserve(input: ReserveInput, actor: Actor): Promise<ReserveResult<Reservation>>;
  async reserve(input: ReserveInput, actor: Actor): Promise<ReserveResult<Reservation>> {
    const req = parseInput(reserveInput, input);
    this.core.mustBank(req.bankId, 'bankId');
    // A parcel added to the recipient's existing locker joins that reservation and keeps its values.
    const customValues = this.customFields?.values(this.core.enterpriseOf('bank', req.bankId) ?? '', 'reservations', req.custom, undefined, true);
    const recipient = this.mustAddressee(req.bankId, req.recipient, 'recipient.id');
    if (req.dropOffParty) this.core.mustParty(req.bankId, req.dropOffParty, 'dropOffParty.id');
    if (req.pickupParty) this.core.mustParty(req.bankId, req.pickupParty, 'pickupParty.id');
    const needsCode = (r: ReserveResult<Reservation>): boolean => (req.kind === 'return' || req.kind === 'exchange' || req.kind === 'storage') && !r.addedToExisting;
    const result = await this.core.change(req.bankId, () => {
      const locked = this.reserveLocked(req, recipient, actor, customValues);
      // The party bringing a return or exchange, or storing, needs a code for the kiosk: issued before anyone hears of it.
      return needsCode(locked.result) ? { ...locked, events: [] } : locked;
    });
    if (!needsCode(result)) return result;
    return this.core.change(req.bankId, async (): Promise<Locked<ReserveResult>> => {
      const r = await this.core.mustPlaced(result.reservation.id, 'reservationId');
      const bank = this.core.mustBank(r.bankId);
      const now = this.core.now();
      const expiresAt = r.holdUntil ?? now + DEFAULT_HOLD_MIN[r.kind] * MINUTE;
      const { code, stored } = await this.codes.draw(bank, r.id);
      const next: PlacedReservation = { ...r, pickupCode: { code: stored, expiresAt, issuedAt: now } };
      const done = this.core.write({ put: [{ c: 'reservations', key: r.id, value: next }] });
      return { result: { reservation: next, addedToExisting: false, dropOffCode: code, dropOffCodeExpiresAt: expiresAt }, done, events: [['reservation-changed', { reservation: next, change: 'reserved' }]] };
    });
  }

  /**
   * A new pickup code for an occupied reservation (or a new drop-off code for a held return / exchange), for when the
   * recipient lost theirs or its notice was never delivered. The old code stops working at once (the controllers get
   * the new hash with the next desired state); the new one is answered once and only its hash is kept. Its expiry
   * stays what it was. Audited.
   */
  async reissuePickupCode(reservationId: string, actor: Actor): Promise<ReissuedCode> {
    const id = parseInput(z.strictObject({ reservationId: entityIdSchema }), { reservationId }).reservationId;
    const first = await this.core.mustLive(id, 'reservationId');
    return this.core.change(first.bankId, async (): Promise<Locked<ReissuedCode>> => {
      const r = await this.core.mustLive(id, 'reservationId');
      const heldForDropOff = r.status === 'reserved' && (r.kind === 'return' || r.kind === 'exchange' || r.kind === 'storage');
      if (r.status !== 'occupied' && !heldForDropOff) {
        throw new DomainError('CONFLICT', `reservation ${r.id} is ${r.status}: only a filled locker (or a held return, exchange or storage) has a code`, 'reservationId');
      }
      if (!r.pickupCode) throw new DomainError('CONFLICT', `reservation ${r.id} has no code to replace`, 'reservationId');
      const bank = this.core.mustBank(r.bankId);
      const now = this.core.now();
      const { code, stored } = await this.codes.draw(bank, r.id);
      const next: Reservation = { ...r, pickupCode: { code: stored, expiresAt: r.pickupCode.expiresAt, issuedAt: now } };
      const activity = this.core.activity('reservation', actor, {
        bankId: r.bankId,
        lockerNumber: r.lockerNumber,
        recipientId: r.recipient.id,
        reservationId: r.id,
        detail: heldForDropOff ? 'drop-off code reissued' : 'pickup code reissued',
      });
      const done = this.core.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
      return { result: { reservation: next, code, expiresAt: r.pickupCode.expiresAt }, done, events: [['reservation-changed', { reservation: next, change: 'code-reissued' }]] };
    });
  }

  /**
   * Who a parcel may be addressed to at a bank: a contact or department of its enterprise; never a private contact
   * (they asked not to be reserved for).
   */
  mustAddressee(bankId: string, ref: RecipientRef, field: string): RecipientInfo {
    const recipient = this.core.mustRecipient(bankId, ref, field);
    if (ref.type === 'contact' && this.core.store.get('contacts', ref.id)?.private)
      throw new DomainError('INVALID_STATE', `contact ${ref.id} is private: a private contact cannot be reserved for`, field);
    return recipient;
  }

  /** The allocate-and-write critical section: no await between reading the free lockers and the store commit. */
  private reserveLocked(req: ReturnType<typeof reserveInput.parse>, recipient: RecipientInfo, actor: Actor, customValues?: CustomValues): Locked<ReserveResult<Reservation>> {
    const bank = this.core.mustBank(req.bankId, 'bankId');
    const now = this.core.now();
    const idx = this.core.banks.of(bank.id);
    const reach = this.core.reachOf(bank);
    const parcel = parcelDimensions(req.size, req.dimensions);
    const trackingIds = req.trackingId !== undefined ? [req.trackingId] : [];

    if (req.kind === 'package' && bank.rules.addToExistingLocker) {
      for (const r of idx.live.values()) {
        if (r.kind !== 'package' || r.recipient.type !== recipient.ref.type || r.recipient.id !== recipient.ref.id) continue;
        if (r.status !== 'reserved' && r.status !== 'occupied') continue;
        const l = idx.lockers.get(r.lockerNumber);
        if (!l || l.service !== 'in-service' || !fits(parcel, lockerDimensions(l))) continue;
        const next: PlacedReservation = { ...r, packages: [...r.packages, ...newPackages(trackingIds, now)] };
        const activity = this.core.activity('reservation', actor, {
          bankId: bank.id,
          lockerNumber: r.lockerNumber,
          recipientId: recipient.ref.id,
          reservationId: r.id,
          ...(req.trackingId !== undefined ? { trackingId: req.trackingId } : {}),
          detail: 'added to the recipient\'s existing locker',
        });
        const done = this.core.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
        return { result: { reservation: next, addedToExisting: true }, done, events: [['reservation-changed', { reservation: next, change: 'package-added' }]] };
      }
    }

    const locker = chooseLocker(
      { kind: req.kind, parcel, needsAccessible: recipient.needsAccessible, owners: recipient.owners },
      { slots: this.core.banks.slots(idx, reach), isHeld: (n) => idx.live.has(n), quota: bank.deliveryQuota },
    );
    if (!locker && req.ifNoLocker !== 'hold') throw new DomainError('NO_LOCKER_AVAILABLE', NO_LOCKER_MESSAGE, 'bankId');

    const base = {
      id: this.core.random.id('r'),
      bankId: bank.id,
      kind: req.kind,
      recipient: recipient.ref,
      packages: req.kind === 'storage' ? [] : newPackages(trackingIds, now),
      createdAt: now,
      createdBy: actor,
      ...(req.dropOffParty ? { dropOffParty: req.dropOffParty } : {}),
      ...(req.pickupParty ? { pickupParty: req.pickupParty } : {}),
      ...(req.note !== undefined ? { note: req.note } : {}),
      ...(customValues !== undefined ? { customValues } : {}),
    };
    // No locker fits and the request said 'hold': the package waits at the mailroom desk with no locker and no hold
    // expiry (it is physically there until staff cancel it or a locker takes it, held-parcels.ts), nothing for the
    // controllers; its size is kept for the locker that frees up.
    const r: Reservation = locker
      ? { ...base, lockerNumber: locker.number, status: 'reserved', holdUntil: now + (req.holdMinutes ?? DEFAULT_HOLD_MIN[req.kind]) * MINUTE }
      : { ...base, status: 'held', parcel };
    if (req.kind === 'storage' && req.storage) {
      const maxMs = bank.rules.maxStorageH * HOUR;
      const s = req.storage;
      const { flexibleMaxMinutes } = checkStorageRequest(bank.rules, s);
      if (s.minutes !== undefined && s.minutes * MINUTE > maxMs)
        throw new DomainError('VALIDATION', `storage.minutes: longer than the bank's maximum of ${bank.rules.maxStorageH} h`, 'storage.minutes');
      if (s.maxMinutes !== undefined && s.maxMinutes * MINUTE > maxMs)
        throw new DomainError('VALIDATION', `storage.maxMinutes: longer than the bank's maximum of ${bank.rules.maxStorageH} h`, 'storage.maxMinutes');
      r.storageMode = s.mode;
      if (s.mode !== 'open') {
        r.endsAt = now + s.minutes! * MINUTE;
        r.maxEndsAt = s.mode === 'fixed' ? r.endsAt : now + (s.maxMinutes ?? flexibleMaxMinutes) * MINUTE;
      }
    }
    const activity = this.core.activity('reservation', actor, {
      bankId: bank.id,
      ...(locker ? { lockerNumber: locker.number } : {}),
      recipientId: recipient.ref.id,
      reservationId: r.id,
      ...(req.trackingId !== undefined ? { trackingId: req.trackingId } : {}),
      detail: locker ? req.kind : 'held at the mailroom desk: no locker fits',
    });
    const done = this.core.write({ put: [{ c: 'reservations', key: r.id, value: r }], activity: [activity] });
    return { result: { reservation: r, addedToExisting: false }, done, events: [['reservation-changed', { reservation: r, change: locker ? 'reserved' : 'held' }]] };
  }

  async dropOff(input: DropOffInput, actor: Actor): Promise<DropOffResult> {
    const req = parseInput(dropOffInput, input);
    const r0 = await this.core.mustPlaced(req.reservationId, 'reservationId');
    return this.core.change(r0.bankId, async (): Promise<Locked<DropOffResult>> => {
      const r = await this.core.mustPlaced(req.reservationId, 'reservationId');
      if (r.status !== 'reserved' && r.status !== 'occupied')
        throw new DomainError('INVALID_STATE', `reservation ${r.id} is ${r.status}: nothing can be dropped off`, 'reservationId');
      const bank = this.core.mustBank(r.bankId);
      const locker = this.core.banks.of(r.bankId).lockers.get(r.lockerNumber);
      if (!locker || locker.service !== 'in-service')
        throw new DomainError('INVALID_STATE', `locker ${r.lockerNumber} of bank ${r.bankId} is out of service`, 'reservationId');
      const now = this.core.now();
      const known = new Set(r.packages.map((p) => p.trackingId).filter((x) => x !== undefined));
      const added = (req.trackingIds ?? []).filter((t) => !known.has(t));
      const all: Reservation['packages'] = [...r.packages, ...added.map((t) => ({ trackingId: t, addedAt: now }))];
      const packages = all.map((p) => (p.droppedOffAt === undefined ? { ...p, droppedOffAt: now } : p));
      const newlyDropped = packages.filter((p) => p.droppedOffAt === now);

      let endsAt: number;
      if (r.kind === 'storage') endsAt = r.endsAt ?? now + OPEN_STORAGE_CODE_MS;
      else endsAt = now + bank.rules.pickupPinExpiryH * HOUR;
      // Storage reserved ahead keeps the code its holder was given (it filled the locker with it): now it empties it.
      const kept = r.kind === 'storage' && r.pickupCode ? r.pickupCode.code : undefined;
      const { code, stored } = kept ? { code: undefined, stored: kept } : await this.codes.draw(bank, r.id);
      const next: PlacedReservation = {
        ...r,
        status: 'occupied',
        packages,
        occupiedAt: r.occupiedAt ?? now,
        pickupCode: { code: stored, expiresAt: endsAt, issuedAt: kept ? r.pickupCode!.issuedAt : now },
        ...(r.kind === 'storage' ? {} : { endsAt }),
      };
      const type: ActivityType = r.kind === 'return' ? 'return' : 'drop-off';
      const base = { bankId: r.bankId, lockerNumber: r.lockerNumber, recipientId: r.recipient.id, reservationId: r.id };
      const activity =
        newlyDropped.length > 0 && newlyDropped.some((p) => p.trackingId !== undefined)
          ? newlyDropped.map((p) => this.core.activity(type, actor, { ...base, ...(p.trackingId !== undefined ? { trackingId: p.trackingId } : {}), detail: r.kind }))
          : [this.core.activity(type, actor, { ...base, detail: r.kind })];
      const done = this.core.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity });
      return {
        result: { reservation: next, ...(code !== undefined ? { pickupCode: code } : {}), pickupCodeExpiresAt: endsAt },
        done,
        events: [['reservation-changed', { reservation: next, change: 'occupied' }]],
      };
    });
  }

  /**
   * A kiosk put something into a free locker with no reservation the cloud knows (see `recordKioskOccupancyInput`):
   * creates the reservation as occupied on that locker; a package gets a pickup code (returned once, like
   * `dropOff`). Refused when the locker is unknown, out of service, or already holds a live reservation.
   */
  async recordKioskOccupancy(input: RecordKioskOccupancyInput, actor: Actor): Promise<DropOffResult> {
    const req = parseInput(recordKioskOccupancyInput, input);
    this.core.mustBank(req.bankId, 'bankId');
    if (req.recipient) this.core.mustRecipient(req.bankId, req.recipient, 'recipient.id');
    if (req.dropOffParty) this.core.mustParty(req.bankId, req.dropOffParty, 'dropOffParty.id');
    return this.core.change(req.bankId, async (): Promise<Locked<DropOffResult>> => {
      const bank = this.core.mustBank(req.bankId, 'bankId');
      const idx = this.core.banks.of(bank.id);
      const locker = idx.lockers.get(req.lockerNumber);
      if (!locker) throw notFound('locker', String(req.lockerNumber), 'lockerNumber');
      if (locker.service !== 'in-service')
        throw new DomainError('INVALID_STATE', `locker ${req.lockerNumber} of bank ${bank.id} is out of service`, 'lockerNumber');
      const held = idx.live.get(req.lockerNumber);
      if (held) throw new DomainError('CONFLICT', `locker ${req.lockerNumber} already holds reservation ${held.id}`, 'lockerNumber');
      const now = this.core.now();
      const put: Change['put'] = [];
      let recipient = req.recipient;
      if (!recipient) {
        const enterpriseId = this.core.enterpriseOf('bank', bank.id) ?? '';
        const deptId = kioskUnassignedDepartment(enterpriseId, (id) => this.core.store.get('departments', id));
        recipient = { type: 'department', id: deptId };
        if (!this.core.store.get('departments', deptId)) {
          const d: Department = { id: deptId, enterpriseId, name: 'Unassigned kiosk drop-offs', memberIds: [], createdAt: now };
          put.push({ c: 'departments', key: d.id, value: d });
        }
      }
      const id = this.core.random.id('r');
      const r: PlacedReservation = {
        id,
        bankId: bank.id,
        lockerNumber: locker.number,
        kind: req.kind,
        status: 'occupied',
        recipient,
        packages: req.kind === 'storage' ? [] : newPackages(req.trackingIds, now).map((p) => ({ ...p, droppedOffAt: now })),
        createdAt: now,
        createdBy: actor,
        occupiedAt: now,
        ...(req.dropOffParty ? { dropOffParty: req.dropOffParty } : {}),
        note: 'recorded from a kiosk event',
      };
      let code: string | undefined;
      let expiresAt: number | undefined;
      if (req.kind === 'storage') {
        // The kiosk lets the person extend a storage with an end time up to the bank's maxStorageH from its start
        // (it checks that itself): flexible up to that bound, or its `storage-extend` could not move the end here.
        r.storageMode = req.endsAt !== undefined ? 'flexible' : 'open';
        if (req.endsAt !== undefined) {
          r.endsAt = req.endsAt;
          r.maxEndsAt = Math.max(req.endsAt, now + bank.rules.maxStorageH * HOUR);
        }
      } else {
        expiresAt = now + bank.rules.pickupPinExpiryH * HOUR;
        const drawn = await this.codes.draw(bank, id);
        code = drawn.code;
        r.endsAt = expiresAt;
        r.pickupCode = { code: drawn.stored, expiresAt, issuedAt: now };
      }
      put.push({ c: 'reservations', key: r.id, value: r });
      const base = { bankId: bank.id, lockerNumber: r.lockerNumber, recipientId: recipient.id, reservationId: r.id };
      const activity =
        req.trackingIds.length > 0
          ? req.trackingIds.map((t) => this.core.activity('drop-off', actor, { ...base, trackingId: t, detail: `${req.kind} at the kiosk` }))
          : [this.core.activity('drop-off', actor, { ...base, detail: `${req.kind} at the kiosk` })];
      const done = this.core.write({ put, activity });
      return {
        result: { reservation: r, ...(code !== undefined ? { pickupCode: code, pickupCodeExpiresAt: expiresAt } : {}) },
        done,
        events: [['reservation-changed', { reservation: r, change: 'occupied' }]],
      };
    });
  }


}

/** The packages of a reservation: one per tracking id, or one without. */
export function newPackages(trackingIds: string[], now: number): Reservation['packages'] {
  return trackingIds.length === 0 ? [{ addedAt: now }] : trackingIds.map((t) => ({ trackingId: t, addedAt: now }));
}
