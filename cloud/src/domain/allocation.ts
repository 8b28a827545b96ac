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

function smallest(lockers: Locker[]): Locker | undefined {
  let best: Locker | undefined;
  let bestV = Infinity;
  for (const l of lockers) {
    const v = volume(lockerDimensions(l));
    if (v < bestV || (v === bestV && best !== undefined && l.number < best.number)) {
      best = l;
      bestV = v;
    }
  }
  return best;
}

export function chooseLocker(req: AllocationRequest, ctx: AllocationContext): Locker | undefined {
  const mine: Locker[] = [];
  const general: Locker[] = [];
  /** Free general lockers per standard size, fitting or not: what the delivery quota counts. */
  const freeBySize = new Map<string, number>();
  for (const l of ctx.lockers) {
    if (l.service !== 'in-service' || ctx.isHeld(l.number)) continue;
    if (!l.dedicatedTo) freeBySize.set(l.size, (freeBySize.get(l.size) ?? 0) + 1);
    if (!fits(req.parcel, lockerDimensions(l))) continue;
    if (req.needsAccessible && !isAccessible(l, ctx.reach)) continue;
    if (l.dedicatedTo) {
      const d = l.dedicatedTo;
      if (req.owners.some((o) => o.type === d.type && o.id === d.id)) mine.push(l);
    } else general.push(l);
  }
  if (mine.length > 0) return smallest(mine);
  let pool = general;
  if (req.kind === 'storage') {
    pool = pool.filter((l) => {
      if (l.size === 'custom') return true;
      const keep = ctx.quota[l.size] ?? 0;
      return (freeBySize.get(l.size) ?? 0) > keep;
    });
  }
  if (!req.needsAccessible) {
    const others = pool.filter((l) => !isAccessible(l, ctx.reach));
    if (others.length > 0) return smallest(others);
  }
  return smallest(pool);
}
