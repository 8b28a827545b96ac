import type { ActivityEntry, Reservation } from '../domain/model.ts';
import { activityPage, endedAt, endedPage, eraseActivity, eraseEnded, findEnded, inRecordingOrder, MemorySegment, type Recorded, type Segment } from './history.ts';
import {
  COLLECTIONS,
  StoreError,
  type ActivityPageQuery,
  type Change,
  type CollectionName,
  type CommitOptions,
  type Erasure,
  type GuardMark,
  type ErasureCount,
  type LiveCollections,
  type Page,
  type PastReservationQuery,
  type Store,
  type StoreHealth,
} from './store.ts';

type Maps = { [C in CollectionName]: Map<string, LiveCollections[C]> };

export function emptyMaps(): Maps {
  const maps = {} as Record<CollectionName, Map<string, unknown>>;
  for (const c of COLLECTIONS) maps[c] = new Map();
  return maps as Maps;
}

/** The history entries held in memory: all of it in the memory store, the part not yet compacted in the file store. */
export class RecentHistory {
  ended = new MemorySegment<Reservation>([], 0, endedAt);
  activity = new MemorySegment<ActivityEntry>([], 0, (a) => a.at);

  push(change: Pick<Change, 'ended' | 'activity'>): void {
    if (change.ended) for (const r of change.ended) this.ended.push(r);
    if (change.activity) for (const a of change.activity) this.activity.push(a);
  }

  /** Drops the oldest `ended` and `activity` entries (they were moved elsewhere, or fell out of retention). */
  shift(ended: number, activity: number): void {
    this.ended.shift(ended);
    this.activity.shift(activity);
  }

  /** Applies an erasure in place; returns what it changed. */
  erase(e: Erasure): ErasureCount {
    const count = { ended: 0, activity: 0 };
    const ended = this.ended.entries;
    for (let i = 0; i < ended.length; i++) {
      const r = eraseEnded(ended[i]!, e);
      if (!r) continue;
      ended[i] = r;
      count.ended++;
    }
    const activity = this.activity.entries;
    for (let i = 0; i < activity.length; i++) {
      const a = eraseActivity(activity[i]!, e);
      if (!a) continue;
      activity[i] = a;
      count.activity++;
    }
    return count;
  }
}

/**
 * The in-memory store, and the in-memory half of the durable one: live collections in Maps, history in memory
 * segments queried by the rules of history.ts. `persist` is where a subclass makes a change durable.
 */
export class MemoryStore implements Store {
  protected maps: Maps = emptyMaps();
  protected recent = new RecentHistory();
  /** History before this time (epoch ms) is out of retention. */
  protected cutoff = 0;
  /** Commits that touched each collection (see `revision`). */
  private readonly revisions = new Map<CollectionName, number>();
  protected closed = false;
  protected failure: Error | undefined;

  get<C extends CollectionName>(c: C, key: string): LiveCollections[C] | undefined {
    return this.maps[c].get(key) as LiveCollections[C] | undefined;
  }

  list<C extends CollectionName>(c: C): LiveCollections[C][] {
    return [...this.maps[c].values()] as LiveCollections[C][];
  }

  count(c: CollectionName): number {
    return this.maps[c].size;
  }

  revision(c: CollectionName): number {
    return this.revisions.get(c) ?? 0;
  }

  commit(change: Change, _opts?: CommitOptions): Promise<void> {
    if (this.closed) return Promise.reject(new StoreError('CLOSED', 'store is closed'));
    if (this.failure) return this.commitAfterFailure(change);
    this.apply(change);
    return this.persist(change);
  }

  markGuards(keys: readonly string[]): GuardMark {
    return { keys };
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  onExternalChange(_fn: (change: Change | undefined) => void): () => void {
    return () => undefined;
  }

  health(): StoreHealth {
    return this.failure ? { writable: false, problem: this.failure.message } : { writable: true };
  }

  private async commitAfterFailure(change: Change): Promise<void> {
    const failed = this.failure;
    if (!(await this.recover()) || this.failure) {
      const cause = this.failure ?? failed;
      throw new StoreError('WRITE_FAILED', `the store cannot write: ${cause?.message ?? 'unknown error'}`, { cause });
    }
    return this.commit(change);
  }

  /** Makes a failed store write again, when it can; resolves whether it did. */
  protected recover(): Promise<boolean> {
    return Promise.resolve(false);
  }

  protected persist(_change: Change): Promise<void> {
    return Promise.resolve();
  }

  protected apply(change: Change): void {
    if (change.del) for (const d of change.del) this.touch(d.c).delete(d.key);
    if (change.put) for (const p of change.put) (this.touch(p.c) as Map<string, unknown>).set(p.key, p.value);
    this.recent.push(change);
    if (change.historyCutoff !== undefined && change.historyCutoff > this.cutoff) this.retain(change.historyCutoff);
  }

  /** After `maps` is replaced wholesale (a snapshot loaded): every derived index is stale. */
  protected touchAll(): void {
    for (const c of COLLECTIONS) this.touch(c);
  }

  private touch<C extends CollectionName>(c: C): Maps[C] {
    this.revisions.set(c, (this.revisions.get(c) ?? 0) + 1);
    return this.maps[c];
  }

  /** Every segment of ended reservations, and of activity (a durable store adds its files). */
  protected endedSegments(): readonly Segment<Reservation>[] {
    return [this.recent.ended];
  }
  protected activitySegments(): readonly Segment<ActivityEntry>[] {
    return [this.recent.activity];
  }

  /** The retention cutoff in force (history before it is hidden now, and dropped by a file store's compaction). */
  get historyCutoff(): number {
    return this.cutoff;
  }

  /** Ended reservations still in retention, in the order they ended, with their positions, `batch` at a time. */
  recordedEnded(batch: number): AsyncGenerator<Recorded<Reservation>[]> {
    this.assertOpen();
    return inRecordingOrder(this.endedSegments(), this.cutoff, endedAt, batch);
  }

  /** Activity entries still in retention, in the order they were recorded, with their positions, `batch` at a time. */
  recordedActivity(batch: number): AsyncGenerator<Recorded<ActivityEntry>[]> {
    this.assertOpen();
    return inRecordingOrder(this.activitySegments(), this.cutoff, (a) => a.at, batch);
  }

  async pastReservation(id: string): Promise<Reservation | undefined> {
    this.assertOpen();
    return findEnded(this.endedSegments(), id, this.cutoff);
  }

  async queryActivity(q: ActivityPageQuery): Promise<Page<ActivityEntry>> {
    this.assertOpen();
    return activityPage(this.activitySegments(), q, this.cutoff);
  }

  async pastReservations(q: PastReservationQuery): Promise<Page<Reservation>> {
    this.assertOpen();
    return endedPage(this.endedSegments(), q, this.cutoff);
  }

  async historySize(): Promise<{ ended: number; activity: number }> {
    this.assertOpen();
    const sum = (segs: readonly { count: number }[]): number => segs.reduce((n, s) => n + s.count, 0);
    return { ended: sum(this.endedSegments()), activity: sum(this.activitySegments()) };
  }

  async dropHistoryBefore(before: number): Promise<void> {
    if (before > this.cutoff) await this.commit({ historyCutoff: before });
  }

  private retain(before: number): void {
    this.cutoff = before;
    if (!this.dropsRecent()) return;
    // The memory store holds everything in its one segment per kind: the oldest entries go now.
    let ended = 0;
    while (ended < this.recent.ended.entries.length && endedAt(this.recent.ended.entries[ended]!) < before) ended++;
    let activity = 0;
    while (activity < this.recent.activity.entries.length && this.recent.activity.entries[activity]!.at < before) activity++;
    this.recent.shift(ended, activity);
  }

  /** Whether retention may drop entries of `recent` at once (the file store moves them to segments first). */
  protected dropsRecent(): boolean {
    return true;
  }

  async erasePerson(e: Erasure): Promise<ErasureCount> {
    this.assertOpen();
    return this.recent.erase(e);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  protected assertOpen(): void {
    if (this.closed) throw new StoreError('CLOSED', 'store is closed');
  }
}
