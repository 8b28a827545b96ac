/**
 * Which locker a reservation gets. Pure: the service calls it inside the bank's lock with the
 * bank's lockers and the set of lockers already held by live reservations.
 *
 * Order of the rules:
 * 1. only lockers in service, not held, that the parcel fits (any orientation);
 * 2. a recipient flagged as needing accessible lockers only ever gets an accessible one;
 * 3. a locker dedicated to the recipient (or the recipient's department) first; a locker dedicated to someone
 *    else is never given out;
 * 4. day-use storage may not take a standard-size locker when that would leave fewer free than the bank's
 *    per-size delivery quota;
 * 5. recipients who do not need accessible lockers get a non-accessible one while any fits, so accessible
 *    lockers stay free for those who need them;
 * 6. among what remains, the smallest (volume, then the lower number).
 */
import { storageMayTake } from '@portier/protocol';
import { isAccessible, type ReachLimits } from './accessibility.ts';
import {
  lockerDimensions,
  STANDARD_DIMENSIONS,
  type DeliveryQuota,
  type Dimensions,
  type Locker,
  type ParcelSize,
  type RecipientRef,
  type ReservationKind,
} from './model.ts';

export interface AllocationRequest {
  kind: ReservationKind;
  parcel: Dimensions;
  needsAccessible: boolean;
  /** Whose dedicated lockers this reservation may use: the recipient and, for a person, their department. */
  owners: RecipientRef[];
}

/**
 * A bank's lockers prepared for allocation: sides sorted, volume and accessibility worked out once, general
 * lockers ordered smallest first (volume, then number), dedicated ones apart. Rebuilt when a locker changes.
 */
export interface Slot {
  locker: Locker;
  sides: [number, number, number];
  volume: number;
  accessible: boolean;
}
export interface BankSlots {
  general: Slot[];
  dedicated: Slot[];
}

export function bankSlots(lockers: Iterable<Locker>, reach: ReachLimits): BankSlots {
  const general: Slot[] = [];
  const dedicated: Slot[] = [];
  for (const l of lockers) {
    const d = lockerDimensions(l);
    const slot: Slot = { locker: l, sides: sorted(d), volume: volume(d), accessible: isAccessible(l, reach) };
    (l.dedicatedTo ? dedicated : general).push(slot);
  }
  const order = (a: Slot, b: Slot): number => a.volume - b.volume || a.locker.number - b.locker.number;
  general.sort(order);
  dedicated.sort(order);
  return { general, dedicated };
}

export interface AllocationContext {
  slots: BankSlots;
  isHeld: (lockerNumber: number) => boolean;
  quota: DeliveryQuota;
}

export { lockerDimensions };

export function parcelDimensions(size: ParcelSize | undefined, dims: Dimensions | undefined): Dimensions {
  return dims ?? STANDARD_DIMENSIONS[size ?? 'XS'];
}

function sorted(d: Dimensions): [number, number, number] {
  return [d.widthCm, d.heightCm, d.depthCm].sort((a, b) => a - b) as [number, number, number];
}

/** A box fits if, both sorted, each side of the parcel is at most the matching side of the locker. */
export function fits(parcel: Dimensions, locker: Dimensions): boolean {
  const p = sorted(parcel);
  const l = sorted(locker);
  return p[0] <= l[0] && p[1] <= l[1] && p[2] <= l[2];
}

function volume(d: Dimensions): number {
  return d.widthCm * d.heightCm * d.depthCm;
}

function free(slot: Slot, ctx: AllocationContext): boolean {
  return slot.locker.service === 'in-service' && !ctx.isHeld(slot.locker.number);
}

function fitsSides(p: readonly number[], l: readonly number[]): boolean {
  return p[0]! <= l[0]! && p[1]! <= l[1]! && p[2]! <= l[2]!;
}

// Runs inside the bank's lock on every reservation: slots come sorted smallest first, so the first match of a
// category is its smallest, and the common case stops early.
export function chooseLocker(req: AllocationRequest, ctx: AllocationContext): Locker | undefined {
  const parcel = sorted(req.parcel);
  for (const slot of ctx.slots.dedicated) {
    if (!free(slot, ctx) || !fitsSides(parcel, slot.sides) || (req.needsAccessible && !slot.accessible)) continue;
    const d = slot.locker.dedicatedTo!;
    if (req.owners.some((o) => o.type === d.type && o.id === d.id)) return slot.locker;
  }
  let freeBySize: Map<string, number> | undefined;
  if (req.kind === 'storage') {
    freeBySize = new Map();
    for (const slot of ctx.slots.general) if (free(slot, ctx)) freeBySize.set(slot.locker.size, (freeBySize.get(slot.locker.size) ?? 0) + 1);
  }
  let firstAccessible: Locker | undefined;
  for (const slot of ctx.slots.general) {
    if (!free(slot, ctx) || !fitsSides(parcel, slot.sides)) continue;
    const l = slot.locker;
    if (freeBySize && !storageMayTake(l.size, freeBySize.get(l.size) ?? 0, ctx.quota)) continue;
    if (slot.accessible) {
      if (req.needsAccessible) return l;
      firstAccessible ??= l;
    } else if (!req.needsAccessible) return l;
  }
  // Accessible lockers go to others only when nothing else fits.
  return firstAccessible;
}
