/** Reservation use cases that empty or end lockers: pick up (by code or by id), end, extend, expire. */
import type { Change } from '../../store/store.ts';
import type { DomainCore, DomainEvent, Locked } from '../core.ts';
import { DomainError, parseInput } from '../errors.ts';
import {
  endReservationInput,
  extendReservationInput,
  pickUpInput,
  type ActivityEntry,
  type ActivityType,
  type Actor,
  type EndReservationInput,
  type ExtendReservationInput,
  type PickUpInput,
  type Reservation,
} from '../model.ts';
import { PickupCodes } from './pickup-codes.ts';
import { MINUTE } from './reservations.ts';

export interface PickUpResult {
  /** The reservations collected (one code may cover several lockers of one recipient). */
  reservations: Reservation[];
  /** Locker numbers to open. */
  lockerNumbers: number[];
}
/** How a pickup was made, when the history should say so. */
export interface PickUpHow {
  /** The recipient signed in at the kiosk with their badge: the history says so (never the badge number). */
  badge?: boolean;
}
export interface ExpiryResult {
  expired: Reservation[];
  released: Reservation[];
}

export class ReservationEndings {
  private readonly codes: PickupCodes;

  constructor(private readonly core: DomainCore) {
    this.codes = new PickupCodes(core);
  }

  async pickUp(input: PickUpInput, actor: Actor, how: PickUpHow = {}): Promise<PickUpResult> {
    const req = parseInput(pickUpInput, input);
    const note = how.badge ? 'with a badge' : undefined;
    if ('code' in req) {
      const bank = this.core.mustBank(req.bankId, 'bankId');
      // Hash once outside the lock (keyed lookup; the bank's scrypt only while codes of an older release are live);
      // compare against every candidate in constant time.
      const matches = await this.codes.matcher(bank, req.code);
      const result = await this.core.change(bank.id, () => {
        const now = this.core.now();
        const found: Reservation[] = [];
        for (const r of this.core.banks.of(bank.id).live.values()) {
          if (r.status !== 'occupied' || !r.pickupCode || r.pickupCode.expiresAt <= now) continue;
          if (matches(r.pickupCode.code)) found.push(r);
        }
        if (found.length === 0) throw new DomainError('INVALID_CODE', 'code not recognised or expired', 'code');
        return this.endLocked(found, 'picked-up', 'pickup', actor, undefined, note);
      });
      return { reservations: result, lockerNumbers: lockersOf(result) };
    }
    const r0 = await this.core.mustLive(req.reservationId, 'reservationId');
    const result = await this.core.change(r0.bankId, async () => {
      const r = await this.core.mustLive(req.reservationId, 'reservationId');
      if (r.status !== 'occupied' && r.status !== 'expired')
        throw new DomainError('INVALID_STATE', `reservation ${r.id} is ${r.status}: there is nothing to pick up`, 'reservationId');
      return this.endLocked([r], 'picked-up', 'pickup', actor, undefined, note);
    });
    return { reservations: result, lockerNumbers: lockersOf(result) };
  }

  async endReservation(id: string, input: EndReservationInput, actor: Actor): Promise<Reservation> {
    const req = parseInput(endReservationInput, input);
    const r0 = await this.core.mustLive(id, 'reservationId');
    const result = await this.core.change(r0.bankId, async () => this.endLocked([await this.core.mustLive(id, 'reservationId')], req.reason, 'end', actor, req.note));
    return result[0]!;
  }

  private endLocked(
    rs: Reservation[],
    reason: Reservation['endReason'] & string,
    type: ActivityType,
    actor: Actor,
    note: string | undefined,
    /** Said after the kind in a pickup's history line ("package, with a badge"). */
    pickupNote?: string,
  ): Locked<Reservation[]> {
    const now = this.core.now();
    const ended: Reservation[] = [];
    const activity: ActivityEntry[] = [];
    for (const r of rs) {
      const { pickupCode: _dropped, ...rest } = r; // a used or dead code has no business in history
      const e: Reservation = { ...rest, status: 'ended', endedAt: now, endReason: reason, ...(note !== undefined ? { note } : {}) };
      ended.push(e);
      const base = { bankId: r.bankId, lockerNumber: r.lockerNumber, recipientId: r.recipient.id, reservationId: r.id };
      const tracked = r.packages.filter((p) => p.trackingId !== undefined);
      const detail = type === 'pickup' ? (pickupNote !== undefined ? `${r.kind}, ${pickupNote}` : r.kind) : `${reason}${note ? `: ${note}` : ''}`;
      if (tracked.length > 0) for (const p of tracked) activity.push(this.core.activity(type, actor, { ...base, trackingId: p.trackingId!, detail }));
      else activity.push(this.core.activity(type, actor, { ...base, detail }));
    }
    const done = this.core.write({ del: rs.map((r) => ({ c: 'reservations' as const, key: r.id })), ended, activity });
    return {
      result: ended,
      done,
      events: ended.map((e): DomainEvent => ['reservation-changed', { reservation: e, change: reason === 'picked-up' ? 'picked-up' : 'ended' }]),
    };
  }

  async extendReservation(id: string, input: ExtendReservationInput, actor: Actor): Promise<Reservation> {
    const req = parseInput(extendReservationInput, input);
    const r0 = await this.core.mustLive(id, 'reservationId');
    return this.core.change(r0.bankId, async (): Promise<Locked<Reservation>> => {
      const r = await this.core.mustLive(id, 'reservationId');
      const by = req.minutes * MINUTE;
      const now = this.core.now();
      let next: Reservation;
      if (r.status === 'reserved') {
        next = { ...r, holdUntil: Math.max(r.holdUntil ?? now, now) + by };
      } else if (r.kind === 'storage') {
        if (r.storageMode === 'fixed') throw new DomainError('INVALID_STATE', 'fixed-duration storage cannot be extended', 'reservationId');
        if (r.storageMode === 'open') throw new DomainError('INVALID_STATE', 'open storage has no end time to extend', 'reservationId');
        const endsAt = Math.max(r.endsAt ?? now, now) + by;
        if (r.maxEndsAt !== undefined && endsAt > r.maxEndsAt)
          throw new DomainError('VALIDATION', `minutes: would end after the maximum of ${new Date(r.maxEndsAt).toISOString()}`, 'minutes');
        next = this.withEnd(r, endsAt);
      } else {
        next = this.withEnd(r, Math.max(r.endsAt ?? now, now) + by);
      }
      const activity = this.core.activity('extension', actor, {
        bankId: r.bankId,
        lockerNumber: r.lockerNumber,
        recipientId: r.recipient.id,
        reservationId: r.id,
        detail: `+${req.minutes} min`,
      });
      const done = this.core.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
      return { result: next, done, events: [['reservation-changed', { reservation: next, change: 'extended' }]] };
    });
  }

  /** A new end for an occupied/expired reservation: the code follows, and an expired one is live again. */
  private withEnd(r: Reservation, endsAt: number): Reservation {
    const { expiredAt: _e, ...rest } = r;
    return {
      ...rest,
      status: r.status === 'expired' ? 'occupied' : r.status,
      endsAt,
      ...(r.pickupCode ? { pickupCode: { ...r.pickupCode, expiresAt: endsAt } } : {}),
    };
  }

  /**
   * A kiosk ended an occupied reservation by itself because its time ran out (day-use storage at the end of the
   * day): what is inside stays there until staff remove it, so the reservation is expired (as `expireDue` does when
   * the cloud sees the end time pass), not ended: the locker is not offered again.
   */
  async expireReservation(id: string, actor: Actor): Promise<Reservation> {
    const r0 = await this.core.mustLive(id, 'reservationId');
    return this.core.change(r0.bankId, async (): Promise<Locked<Reservation>> => {
      const r = await this.core.mustLive(id, 'reservationId');
      if (r.status !== 'occupied') throw new DomainError('INVALID_STATE', `reservation ${r.id} is ${r.status}: only an occupied one expires`, 'reservationId');
      const next: Reservation = { ...r, status: 'expired', expiredAt: this.core.now() };
      const activity = this.core.activity('expiry', actor, { bankId: r.bankId, lockerNumber: r.lockerNumber, recipientId: r.recipient.id, reservationId: r.id, detail: 'time ran out at the kiosk' });
      const done = this.core.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
      return { result: next, done, events: [['reservation-changed', { reservation: next, change: 'expired' }]] };
    });
  }

  async expireDue(): Promise<ExpiryResult> {
    const out: ExpiryResult = { expired: [], released: [] };
    const system: Actor = { role: 'system' };
    const banks = new Set(this.core.store.list('reservations').map((r) => r.bankId));
    for (const bankId of banks) {
      const result = await this.core.change(bankId, (): Locked<ExpiryResult> => {
        const now = this.core.now();
        const release: Reservation[] = [];
        const expire: Reservation[] = [];
        for (const r of this.core.banks.of(bankId).live.values()) {
          if (r.status === 'reserved' && r.holdUntil !== undefined && r.holdUntil <= now) release.push(r);
          else if (r.status === 'occupied' && r.endsAt !== undefined && r.endsAt <= now) expire.push(r);
        }
        const put: Change['put'] = [];
        const activity: ActivityEntry[] = [];
        const expired = expire.map((r) => ({ ...r, status: 'expired' as const, expiredAt: now }));
        for (const r of expired) {
          put.push({ c: 'reservations', key: r.id, value: r });
          activity.push(this.core.activity('expiry', system, { bankId, lockerNumber: r.lockerNumber, recipientId: r.recipient.id, reservationId: r.id, detail: 'not collected in time' }));
        }
        const releasedL = release.length > 0 ? this.endLocked(release, 'hold-expired', 'expiry', system, undefined) : undefined;
        const done = expired.length > 0 ? this.core.write({ put, activity }) : Promise.resolve();
        const events: DomainEvent[] = [
          ...expired.map((r): DomainEvent => ['reservation-changed', { reservation: r, change: 'expired' }]),
          ...(releasedL?.events ?? []),
        ];
        return { result: { expired, released: releasedL?.result ?? [] }, done: Promise.all([done, releasedL?.done]).then(() => {}), events };
      });
      out.expired.push(...result.expired);
      out.released.push(...result.released);
    }
    if (out.expired.length + out.released.length > 0) this.core.log.info({ expired: out.expired.length, released: out.released.length }, 'expiry run');
    return out;
  }

  /**
   * Runs `expireDue` every `intervalMs` until the returned function is called; with `gate`, only the runs it allows
   * (several instances on one database: the holder of the expiry lease).
   */
  startExpiry(intervalMs = 60_000, gate?: () => Promise<boolean>): () => void {
    const timer = setInterval(() => {
      (async () => {
        if (gate && !(await gate())) return;
        await this.expireDue();
      })().catch((err: unknown) => this.core.log.error({ err }, 'expiry run failed'));
    }, intervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }
}

/** The lockers of reservations picked up (only a reservation in a locker can be). */
function lockersOf(rs: Reservation[]): number[] {
  return rs.flatMap((r) => (r.lockerNumber !== undefined ? [r.lockerNumber] : []));
}
