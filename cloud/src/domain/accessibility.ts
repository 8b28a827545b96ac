/**
 * The accessibility rule (DESIGN.md "Accessibility"): a locker is accessible when its whole door,
 * bottom and top edges, lies inside the site's reach range.
 */
import { REACH_PRESETS, type Locker, type ReachRange } from './model.ts';

export interface ReachLimits {
  minCm: number;
  maxCm: number;
}

export const DEFAULT_REACH: ReachRange = { preset: 'default' };

export function reachLimits(range: ReachRange | undefined): ReachLimits {
  const r = range ?? DEFAULT_REACH;
  if (r.preset === 'custom') return { minCm: r.minCm ?? REACH_PRESETS.default.minCm, maxCm: r.maxCm ?? REACH_PRESETS.default.maxCm };
  return { ...REACH_PRESETS[r.preset] };
}

export function isAccessible(locker: Pick<Locker, 'bottomCm' | 'topCm'>, limits: ReachLimits): boolean {
  return locker.bottomCm >= limits.minCm && locker.topCm <= limits.maxCm;
}

/** Share of accessible lockers a bank must have: 5 %, and never fewer than one. */
export const MIN_ACCESSIBLE_SHARE = 0.05;

export function requiredAccessible(lockerCount: number): number {
  return lockerCount === 0 ? 0 : Math.max(1, Math.ceil(lockerCount * MIN_ACCESSIBLE_SHARE));
}
