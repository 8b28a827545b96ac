/**
 * Utilisation reports of locker banks: how full a bank was, day by day (occupancy), and how long parcels stayed
 * between drop-off and pickup (dwell time).
 *
 * Both come from reservations: a locker is occupied from a reservation's first drop-off (`occupiedAt`) until it ends
 * (`endedAt`: picked up, cancelled, removed), or until now while it is still live. Live reservations are the store's;
 * ended ones are history, read newest first until the period's start. Each reservation read is looked at once; the
 * only sorts are of one day's drop-offs and pickups and of the dwell times.
 */
import type { Page, PastReservationQuery, Store } from '../store/store.ts';
import type { Reservation } from './model.ts';

/** A time a locker was occupied: from `start` (inclusive) to `end` (exclusive), epoch ms. */
export interface Stay {
  start: number;
  end: number;
}

/** A bank's occupancy on one day (or the part of it that has passed). */
export interface DayOccupancy {
  /** Most lockers occupied at one moment of the day. */
  peak: number;
  /** `peak` over the bank's lockers, 0 to 1. */
  peakShare: number;
  /** Locker-time occupied over locker-time available in the day, 0 to 1. */
  averageShare: number;
}

/** Drop-off to pickup times of a period, in ms; without pickups, only `count` (0). */
export interface DwellStats {
  count: number;
  medianMs?: number;
  /** Nearest rank: the shortest time that 90% of the stays did not exceed. */
  p90Ms?: number;
  averageMs?: number;
}

/** The calendar days `from` to `to` (YYYY-MM-DD, both included) in the server's time zone. */
export interface Days {
  dates: string[];
  /** The start of each day and, last, the end of the last one (one more than `dates`). */
  bounds: number[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A day's date in the server's time zone: "2026-12-07". */
export function localDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The start of a calendar day in the server's time zone, or undefined when `date` is not a real YYYY-MM-DD day. */
export function dayStart(date: string, plusDays = 0): number | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(y, mo - 1, d);
  if (at.getFullYear() !== y || at.getMonth() !== mo - 1 || at.getDate() !== d) return undefined;
  // Built from the calendar, not by adding 24 h: a day of a clock change is 23 or 25 hours long.
  return new Date(y, mo - 1, d + plusDays).getTime();
}

/** The days from `from` to `to`, both included (valid dates, `from` not after `to`). */
export function daysOf(from: string, to: string): Days {
  const dates: string[] = [];
  const bounds: number[] = [];
  const last = dayStart(to)!;
  for (let i = 0; ; i++) {
    const start = dayStart(from, i)!;
    if (start > last) {
      bounds.push(start);
      break;
    }
    dates.push(localDate(start));
    bounds.push(start);
  }
  return { dates, bounds };
}

/** The day of `bounds` holding `t` (bounds[i] <= t < bounds[i + 1]), for `t` inside them. */
function dayIndex(bounds: readonly number[], t: number): number {
  let lo = 0;
  let hi = bounds.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Occupancy per day of `bounds` (the starts of the days and the end of the last; the last may be "now") of a bank
 * of `lockers` lockers, from its stays. A stay covering whole days adds to them through running sums, not day by
 * day, so the work is in the number of stays and days, not their product.
 */
export function occupancyByDay(stays: Iterable<Stay>, bounds: readonly number[], lockers: number): DayOccupancy[] {
  const days = bounds.length - 1;
  if (days <= 0) return [];
  const first = bounds[0]!;
  const last = bounds[days]!;
  // atStart[d]: stays occupying a locker when day d begins (as differences); whole[d]: stays covering all of day d.
  const atStart = new Float64Array(days + 1);
  const whole = new Float64Array(days + 1);
  const partMs = new Float64Array(days);
  // The moments a stay begins (+1) or ends (-1) inside a day, by day.
  const moves: [number, number][][] = Array.from({ length: days }, () => []);
  for (const stay of stays) {
    const s = Math.max(stay.start, first);
    const e = Math.min(stay.end, last);
    if (e <= s) continue;
    const ds = dayIndex(bounds, s);
    const de = dayIndex(bounds, e - 1);
    moves[ds]!.push([s, 1]);
    if (e < bounds[de + 1]!) moves[de]!.push([e, -1]);
    if (ds === de) {
      partMs[ds]! += e - s;
      continue;
    }
    partMs[ds]! += bounds[ds + 1]! - s;
    partMs[de]! += e - bounds[de]!;
    atStart[ds + 1]! += 1;
    atStart[de + 1]! -= 1;
    whole[ds + 1]! += 1;
    whole[de]! -= 1;
  }
  const out: DayOccupancy[] = [];
  let open = 0;
  let full = 0;
  for (let d = 0; d < days; d++) {
    open += atStart[d]!;
    full += whole[d]!;
    const length = bounds[d + 1]! - bounds[d]!;
    // At one moment, a locker freed counts before one taken: a locker emptied and filled again is one, not two.
    const day = moves[d]!.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let count = open;
    let peak = open;
    for (const [, step] of day) {
      count += step;
      if (count > peak) peak = count;
    }
    const occupiedMs = partMs[d]! + full * length;
    out.push({
      peak,
      peakShare: lockers > 0 ? peak / lockers : 0,
      averageShare: lockers > 0 && length > 0 ? occupiedMs / (lockers * length) : 0,
    });
  }
  return out;
}

/** Count, median, 90th percentile and average of drop-off to pickup times (ms). */
export function dwellStats(durations: readonly number[]): DwellStats {
  const n = durations.length;
  if (n === 0) return { count: 0 };
  const sorted = Float64Array.from(durations).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  const mid = n >> 1;
  return {
    count: n,
    medianMs: n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    p90Ms: sorted[Math.ceil(0.9 * n) - 1]!,
    averageMs: sum / n,
  };
}

/** What the reports of one bank are made of over a period: its stays, and the dwell times of its pickups. */
export interface BankUse {
  stays: Stay[];
  dwellMs: number[];
}

/** The part of the store the reports read. */
export type ReportStore = Pick<Store, 'list'> & { pastReservations(q: PastReservationQuery): Promise<Page<Reservation>> };

const HISTORY_PAGE = 1000;

/**
 * The stays and pickups of banks `bankIds` that touch the period `from`..`to` (epoch ms), as they stand at `now`.
 * Live reservations are read once for all banks; each bank's history newest first, up to the first page that reaches
 * back before `from` (history is recorded as reservations end, so older pages hold only older ends).
 */
export async function readBankUse(store: ReportStore, bankIds: readonly string[], from: number, to: number, now: number): Promise<Map<string, BankUse>> {
  const out = new Map<string, BankUse>(bankIds.map((id) => [id, { stays: [], dwellMs: [] }]));
  const add = (r: Reservation, end: number) => {
    const use = out.get(r.bankId);
    if (!use || r.occupiedAt === undefined || r.lockerNumber === undefined) return;
    if (r.occupiedAt < to && end > from) use.stays.push({ start: r.occupiedAt, end });
    if (r.endReason === 'picked-up' && end >= from && end < to) use.dwellMs.push(Math.max(0, end - r.occupiedAt));
  };
  for (const r of store.list('reservations')) add(r, now);
  for (const bankId of bankIds) {
    let cursor: string | undefined;
    for (;;) {
      const page = await store.pastReservations({ bankId, limit: HISTORY_PAGE, ...(cursor !== undefined ? { cursor } : {}) });
      let reachedStart = false;
      for (const r of page.items) {
        const end = r.endedAt ?? r.createdAt;
        if (end < from) reachedStart = true;
        else add(r, end);
      }
      if (reachedStart || page.nextCursor === undefined) break;
      cursor = page.nextCursor;
    }
  }
  return out;
}
