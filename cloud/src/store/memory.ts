import type { ActivityEntry, ActivityQuery, Reservation } from '../domain/model.ts';
import {
  COLLECTIONS,
  StoreError,
  type Change,
  type CollectionName,
  type LiveCollections,
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

/**
 * The in-memory store, and the in-memory half of the durable one: live collections in Maps, history in arrays.
 * `persist` is where a subclass makes a change durable.
 */
export class MemoryStore implements Store {
  protected maps: Maps = emptyMaps();
  protected ended: Reservation[] = [];
  /** Position in `ended` by id (the last one wins if an id ever ended twice). */
  protected endedById = new Map<string, number>();
  protected activity: ActivityEntry[] = [];
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

  commit(change: Change): Promise<void> {
    if (this.closed) return Promise.reject(new StoreError('CLOSED', 'store is closed'));
    if (this.failure) return this.commitAfterFailure(change);
    this.apply(change);
    return this.persist(change);
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
    if (change.ended) this.pushEnded(change.ended);
    if (change.activity) for (const a of change.activity) this.activity.push(a);
  }

  /** After `maps` is replaced wholesale (a snapshot loaded): every derived index is stale. */
  protected touchAll(): void {
    for (const c of COLLECTIONS) this.touch(c);
  }

  private touch<C extends CollectionName>(c: C): Maps[C] {
    this.revisions.set(c, (this.revisions.get(c) ?? 0) + 1);
    return this.maps[c];
  }

  protected pushEnded(rs: Reservation[]): void {
    for (const r of rs) this.endedById.set(r.id, this.ended.push(r) - 1);
  }

  pastReservation(id: string): Reservation | undefined {
    this.assertOpen();
    const i = this.endedById.get(id);
    return i === undefined ? undefined : this.ended[i];
  }

  queryActivity(q: ActivityQuery): ActivityEntry[] {
    this.assertOpen();
    const limit = q.limit ?? 10_000;
    const out: ActivityEntry[] = [];
    for (const a of this.activity) {
      if (q.type !== undefined && a.type !== q.type) continue;
      if (q.bankId !== undefined && a.bankId !== q.bankId) continue;
      if (q.from !== undefined && a.at < q.from) continue;
      if (q.to !== undefined && a.at >= q.to) continue;
      out.push(a);
    }
    // Entries are appended in commit order; a clock step backwards must not break the oldest-first promise.
    out.sort((x, y) => x.at - y.at);
    return out.length > limit ? out.slice(0, limit) : out;
  }

  pastReservations(q: PastReservationQuery): Reservation[] {
    this.assertOpen();
    const out: Reservation[] = [];
    for (let i = this.ended.length - 1; i >= 0 && out.length < q.limit; i--) {
      const r = this.ended[i]!;
      if (q.bankId !== undefined && r.bankId !== q.bankId) continue;
      if (q.recipientId !== undefined && r.recipient.id !== q.recipientId) continue;
      out.push(r);
    }
    return out;
  }

  historySize(): { ended: number; activity: number } {
    return { ended: this.ended.length, activity: this.activity.length };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  protected assertOpen(): void {
    if (this.closed) throw new StoreError('CLOSED', 'store is closed');
  }
}
