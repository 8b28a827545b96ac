/**
 * History queries (ended reservations, activity) over a list of segments: the one implementation of the paging,
 * filter, retention and erasure rules, shared by the memory store (one segment per kind, in memory) and the file
 * store (immutable segment files on disk plus the recent entries still in memory).
 *
 * Every history entry has a position `n`: its number in the order entries were recorded, counted from the first one
 * ever (a segment holds positions `first .. first + count - 1`). Positions never change, so a cursor built from them
 * survives compaction, retention and restarts.
 * - Activity is answered oldest first by (`at`, `n`); its cursor is `at.n` of the last entry given.
 * - Ended reservations are answered newest first by `n`; the cursor is `n` of the last one given.
 */
import type { ActivityEntry, Reservation } from '../domain/model.ts';
import { hashKey, type KeyHash } from './bloom.ts';
import type { ActivityPageQuery, Erasure, Page, PastReservationQuery } from './store.ts';

export type HistoryKind = 'ended' | 'activity';
export type HistoryEntry<K extends HistoryKind> = K extends 'ended' ? Reservation : ActivityEntry;

/** A run of history entries of one kind and what is known about it without reading it. */
export interface Segment<T> {
  readonly first: number;
  readonly count: number;
  /** Bounds of the entries' times (`endedAt` or `at`). */
  readonly minAt: number;
  readonly maxAt: number;
  /** False when no entry of the segment has this key (see `keysOf*`); true when it may. */
  mayHave(key: KeyHash): boolean;
  /** Its entries in position order (entry i has position first + i). */
  load(): Promise<readonly T[]>;
}

/** The time history retention and the segment bounds go by. */
export function endedAt(r: Reservation): number {
  return r.endedAt ?? r.createdAt;
}

/** The keys a segment's filter holds for an ended reservation, and for an activity entry. */
export function keysOfEnded(r: Reservation): string[] {
  return [`i:${r.id}`, `b:${r.bankId}`, `r:${r.recipient.id}`];
}
export function keysOfActivity(a: ActivityEntry): string[] {
  const k = [`t:${a.type}`, `p:${a.actor.id}`];
  if (a.bankId !== undefined) k.push(`b:${a.bankId}`);
  if (a.recipientId !== undefined) k.push(`r:${a.recipientId}`);
  return k;
}
/** Every subject id an erasure looks for, in a segment of either kind. */
export function subjectKeys(r: Reservation): string[] {
  const k = [`r:${r.recipient.id}`, `p:${r.createdBy.id}`];
  if (r.dropOffParty) k.push(`r:${r.dropOffParty.id}`);
  if (r.pickupParty) k.push(`r:${r.pickupParty.id}`);
  return k;
}

/** The most entries one page answers, whatever the caller asks. */
export const PAGE_MAX = 100_000;

function badCursor(cursor: string): Error {
  return Object.assign(new RangeError(`cursor ${JSON.stringify(cursor)} is not one this store gave`), { field: 'cursor' });
}

export function parseActivityCursor(cursor: string | undefined): { at: number; n: number } | undefined {
  if (cursor === undefined) return undefined;
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  if (!m) throw badCursor(cursor);
  return { at: Number(m[1]), n: Number(m[2]) };
}

export function parseEndedCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,16}$/.test(cursor)) throw badCursor(cursor);
  return Number(cursor);
}

/** One page of activity from `segments` (any order), entries before `cutoff` left out. */
export async function activityPage(segments: readonly Segment<ActivityEntry>[], q: ActivityPageQuery, cutoff: number): Promise<Page<ActivityEntry>> {
  const limit = Math.min(Math.max(1, q.limit), PAGE_MAX);
  const after = parseActivityCursor(q.cursor);
  const from = Math.max(q.from ?? 0, cutoff, after?.at ?? 0);
  const to = q.to ?? Infinity;
  const need: KeyHash[] = [];
  if (q.type !== undefined) need.push(hashKey(`t:${q.type}`));
  if (q.bankId !== undefined) need.push(hashKey(`b:${q.bankId}`));
  if (q.recipientId !== undefined) need.push(hashKey(`r:${q.recipientId}`));
  if (q.actorId !== undefined) need.push(hashKey(`p:${q.actorId}`));
  // Several types: a segment is read when it may hold any of them.
  const anyType = q.types?.map((t) => hashKey(`t:${t}`));
  const types = q.types ? new Set(q.types) : undefined;
  const candidates = segments
    .filter((s) => s.count > 0 && s.maxAt >= from && s.minAt < to && need.every((h) => s.mayHave(h)) && (!anyType || anyType.some((h) => s.mayHave(h))))
    .sort((a, b) => a.minAt - b.minAt || a.first - b.first);
  let found: { a: ActivityEntry; n: number }[] = [];
  const order = (x: { a: ActivityEntry; n: number }, y: { a: ActivityEntry; n: number }): number => x.a.at - y.a.at || x.n - y.n;
  for (const seg of candidates) {
    // Segments come by their earliest time: once `limit + 1` entries are found, one starting later adds nothing.
    if (found.length > limit && seg.minAt > found[limit]!.a.at) break;
    const entries = await seg.load();
    for (let i = 0; i < entries.length; i++) {
      const a = entries[i]!;
      const n = seg.first + i;
      if (a.at < from || a.at >= to) continue;
      if (after && (a.at < after.at || (a.at === after.at && n <= after.n))) continue;
      if (q.type !== undefined && a.type !== q.type) continue;
      if (types && !types.has(a.type)) continue;
      if (q.actorId !== undefined && a.actor.id !== q.actorId) continue;
      if (q.bankId !== undefined && a.bankId !== q.bankId) continue;
      if (q.recipientId !== undefined && a.recipientId !== q.recipientId) continue;
      if (q.reservationId !== undefined && a.reservationId !== q.reservationId) continue;
      if (q.within && !isWithin(a, q.within)) continue;
      found.push({ a, n });
    }
    found.sort(order);
    if (found.length > limit + 1) found = found.slice(0, limit + 1);
  }
  const items = found.slice(0, limit);
  const last = items.at(-1);
  return found.length > limit && last ? { items: items.map((x) => x.a), nextCursor: `${last.a.at}.${last.n}` } : { items: items.map((x) => x.a) };
}

function isWithin(a: ActivityEntry, w: NonNullable<ActivityPageQuery['within']>): boolean {
  if (a.bankId !== undefined) return w.bankIds.has(a.bankId);
  return a.enterpriseId !== undefined ? w.unbanked && a.enterpriseId === w.enterpriseId : w.unbanked;
}

/** One page of ended reservations from `segments`, newest first, those ended before `cutoff` left out. */
export async function endedPage(segments: readonly Segment<Reservation>[], q: PastReservationQuery, cutoff: number): Promise<Page<Reservation>> {
  const limit = Math.min(Math.max(1, q.limit), PAGE_MAX);
  const before = parseEndedCursor(q.cursor) ?? Infinity;
  const need: KeyHash[] = [];
  if (q.bankId !== undefined) need.push(hashKey(`b:${q.bankId}`));
  if (q.recipientId !== undefined) need.push(hashKey(`r:${q.recipientId}`));
  const candidates = segments
    .filter((s) => s.count > 0 && s.first < before && s.maxAt >= cutoff && need.every((h) => s.mayHave(h)))
    .sort((a, b) => b.first - a.first);
  const found: { r: Reservation; n: number }[] = [];
  for (const seg of candidates) {
    const entries = await seg.load();
    for (let i = entries.length - 1; i >= 0 && found.length <= limit; i--) {
      const r = entries[i]!;
      const n = seg.first + i;
      if (n >= before || endedAt(r) < cutoff) continue;
      if (q.bankId !== undefined && r.bankId !== q.bankId) continue;
      if (q.recipientId !== undefined && r.recipient.id !== q.recipientId) continue;
      found.push({ r, n });
    }
    if (found.length > limit) break;
  }
  const items = found.slice(0, limit);
  const last = items.at(-1);
  return found.length > limit && last ? { items: items.map((x) => x.r), nextCursor: String(last.n) } : { items: items.map((x) => x.r) };
}

/** The ended reservation with this id (the latest if it ended twice), unless retention dropped it. */
export async function findEnded(segments: readonly Segment<Reservation>[], id: string, cutoff: number): Promise<Reservation | undefined> {
  const h = hashKey(`i:${id}`);
  const candidates = segments.filter((s) => s.count > 0 && s.maxAt >= cutoff && s.mayHave(h)).sort((a, b) => b.first - a.first);
  for (const seg of candidates) {
    const entries = await seg.load();
    for (let i = entries.length - 1; i >= 0; i--) {
      const r = entries[i]!;
      if (r.id === id) return endedAt(r) < cutoff ? undefined : r;
    }
  }
  return undefined;
}

/** Whether a segment may hold entries an erasure changes. */
export function mayConcern(seg: Segment<unknown>, subjectId: string): boolean {
  return seg.mayHave(hashKey(`r:${subjectId}`)) || seg.mayHave(hashKey(`p:${subjectId}`));
}

/** The reservation with the subject's links and notes replaced, or undefined when it does not concern them. */
export function eraseEnded(r: Reservation, e: Erasure): Reservation | undefined {
  const swap = <P extends { id?: string | undefined }>(p: P): P => (p.id === e.subjectId ? { ...p, id: e.replacementId } : p);
  const concerned =
    r.recipient.id === e.subjectId || r.createdBy.id === e.subjectId || r.dropOffParty?.id === e.subjectId || r.pickupParty?.id === e.subjectId;
  if (!concerned) return undefined;
  const { note: _note, ...rest } = r;
  const out: Reservation = { ...rest, recipient: swap(r.recipient), createdBy: swap(r.createdBy) };
  if (r.dropOffParty) out.dropOffParty = swap(r.dropOffParty);
  if (r.pickupParty) out.pickupParty = swap(r.pickupParty);
  return out;
}

/** The activity entry with the subject's links replaced, or undefined when it does not concern them. */
export function eraseActivity(a: ActivityEntry, e: Erasure): ActivityEntry | undefined {
  if (a.recipientId !== e.subjectId && a.actor.id !== e.subjectId) return undefined;
  const out: ActivityEntry = { ...a };
  if (a.recipientId === e.subjectId) out.recipientId = e.replacementId;
  if (a.actor.id === e.subjectId) out.actor = { ...a.actor, id: e.replacementId };
  return out;
}

/** A history entry and its position. */
export interface Recorded<T> {
  n: number;
  entry: T;
}

/**
 * The entries of `segments` in the order they were recorded, each with its position, `batch` at a time; those before
 * `cutoff` (by `at`) left out. What moves a store's history elsewhere (store/pg/import.ts).
 */
export async function* inRecordingOrder<T>(segments: readonly Segment<T>[], cutoff: number, at: (x: T) => number, batch: number): AsyncGenerator<Recorded<T>[]> {
  let out: Recorded<T>[] = [];
  let next = -Infinity;
  for (const seg of [...segments].sort((a, b) => a.first - b.first)) {
    if (seg.count === 0 || seg.maxAt < cutoff) continue;
    const entries = await seg.load();
    for (let i = 0; i < entries.length; i++) {
      const n = seg.first + i;
      // Positions are unique: a segment listed over another's range would repeat them.
      if (n < next || at(entries[i]!) < cutoff) continue;
      next = n + 1;
      out.push({ n, entry: entries[i]! });
      if (out.length >= batch) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length > 0) yield out;
}

/** A segment over entries in memory (the memory store's history, the file store's recent entries). */
export class MemorySegment<T> implements Segment<T> {
  constructor(
    readonly entries: T[],
    public first: number,
    private readonly at: (x: T) => number,
  ) {}
  get count(): number {
    return this.entries.length;
  }
  /** Time bounds, kept up to date as entries come (a query asks for them every time). */
  private lo = Infinity;
  private hi = -Infinity;
  get minAt(): number {
    return this.lo;
  }
  get maxAt(): number {
    return this.hi;
  }
  push(x: T): void {
    this.entries.push(x);
    const t = this.at(x);
    if (t < this.lo) this.lo = t;
    if (t > this.hi) this.hi = t;
  }
  /** Drops the first `n` entries; the positions of the rest stay what they were. */
  shift(n: number): void {
    this.entries.splice(0, n);
    this.first += n;
    this.lo = Infinity;
    this.hi = -Infinity;
    for (const x of this.entries) {
      const t = this.at(x);
      if (t < this.lo) this.lo = t;
      if (t > this.hi) this.hi = t;
    }
  }
  mayHave(): boolean {
    return true;
  }
  load(): Promise<readonly T[]> {
    return Promise.resolve(this.entries);
  }
}
