/**
 * Which locker a reservation gets (issue 4 item 3). Pure: the service calls it inside the bank's lock with the
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
import { isAccessible, type ReachLimits } from './accessibility.ts';
import {
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

export interface AllocationContext {
  lockers: Iterable<Locker>;
  isHeld: (lockerNumber: number) => boolean;
  reach: ReachLimits;
  quota: DeliveryQuota;
}

export function lockerDimensions(l: Pick<Locker, 'size' | 'dimensions'>): Dimensions {
  if (l.dimensions) return l.dimensions;
  return STANDARD_DIMENSIONS[l.size === 'custom' ? 'XS' : l.size];
}

export function parcelDimensions(size: ParcelSize | undefined, dims: Dimensions | undefined): Dimensions {
  return dims ?? STANDARD_DIMENSIONS[size ?? 'XS'];
}

/** Lockers are immutable values in the store: work out each one's sorted sides and volume once. */
interface Profile {
  sides: [number, number, number];
  volume: number;
}
const profiles = new WeakMap<object, Profile>();
function profileOf(l: Pick<Locker, 'size' | 'dimensions'>): Profile {
  let p = profiles.get(l);
  if (!p) {
    const d = lockerDimensions(l);
    profiles.set(l, (p = { sides: sorted(d), volume: volume(d) }));
  }
  return p;
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

/** Keeps the smallest locker seen (volume, then the lower number). */
class Smallest {
  best: Locker | undefined;
  private v = Infinity;
  offer(l: Locker): void {
    const v = profileOf(l).volume;
    if (v < this.v || (v === this.v && this.best !== undefined && l.number < this.best.number)) {
      this.best = l;
      this.v = v;
    }
  }
}

// One pass over the bank's lockers (this runs inside the bank's lock on every reservation).
export function chooseLocker(req: AllocationRequest, ctx: AllocationContext): Locker | undefined {
  const parcel = sorted(req.parcel);
  const storage = req.kind === 'storage';
  /** Free general lockers per standard size, fitting or not: what the delivery quota counts. */
  const freeBySize = storage ? new Map<string, number>() : undefined;
  const storageCandidates: Locker[] = [];
  const mine = new Smallest();
  const others = new Smallest();
  const accessible = new Smallest();
  for (const l of ctx.lockers) {
    if (l.service !== 'in-service' || ctx.isHeld(l.number)) continue;
    if (freeBySize && !l.dedicatedTo) freeBySize.set(l.size, (freeBySize.get(l.size) ?? 0) + 1);
    const dims = profileOf(l).sides;
    if (parcel[0] > dims[0] || parcel[1] > dims[1] || parcel[2] > dims[2]) continue;
    const acc = isAccessible(l, ctx.reach);
    if (req.needsAccessible && !acc) continue;
    if (l.dedicatedTo) {
      const d = l.dedicatedTo;
      if (req.owners.some((o) => o.type === d.type && o.id === d.id)) mine.offer(l);
    } else if (storage) storageCandidates.push(l);
    else (acc ? accessible : others).offer(l);
  }
  if (mine.best) return mine.best;
  if (freeBySize) {
    for (const l of storageCandidates) {
      if (l.size !== 'custom' && (freeBySize.get(l.size) ?? 0) <= (ctx.quota[l.size] ?? 0)) continue;
      (isAccessible(l, ctx.reach) ? accessible : others).offer(l);
    }
  }
  // Accessible lockers only when nothing else fits (for a flagged recipient, `others` is empty).
  return others.best ?? accessible.best;
}
