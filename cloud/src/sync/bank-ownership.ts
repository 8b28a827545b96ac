/**
 * Which cloud instance does the once-only work of each bank's controllers: storing and acking their events, applying
 * them to the domain, publishing their desired states, relaying their kiosks' requests, finishing remote opens whose
 * instance died. Every instance hears every controller (they share one broker) and keeps the views current; only the
 * owner of a bank acts on it.
 *
 * Several instances on one database divide the banks between them through leases in the store (leases.ts): banks
 * fall into BANK_SHARDS shards by a hash of their id, and each shard is a lease `bank-shard:<n>`. Each instance also
 * holds `cloud-instance:<id>` while it lives. Every `renewMs` an instance renews what it holds (one commit), counts
 * the live instances, gives up shards above its fair share (ceil(shards / instances)) so a newcomer gets some, and
 * takes free or expired shards up to that share. A lease lives `ttlMs` after its last renewal: an instance that dies
 * leaves its shards to the others within ttlMs + renewMs (6 s + 2 s by default), one that stops releases them at once.
 *
 * Order of the hand-over: a shard stops counting as owned (`owns` false, then `lost`) before it is released, so the old
 * owner stops acting first; a shard taken counts as owned only once the `takeOver` hook finished (what the other
 * instance stored is read again, what it left unapplied applied), then `gained` is told. An instance that could not
 * renew in time (a pause longer than the lease) finds its shard taken and is told `lost`. A single instance on the
 * data folder's own store owns every bank without leases (`SoleOwner`).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { holdLeases, leaseHolder } from '../store/leases.ts';
import type { Store } from '../store/store.ts';

/** Fixed: every instance must cut the banks the same way. */
export const BANK_SHARDS = 64;
const SHARD_LEASE = 'bank-shard:';
const INSTANCE_LEASE = 'cloud-instance:';

export interface BankOwnershipEvents {
  /** Banks (by shard) this instance now owns. */
  gained: [shards: number[]];
  /** Banks (by shard) this instance no longer owns. */
  lost: [shards: number[]];
}

/** What the controller side asks: whether this instance acts for a bank. */
export interface BankOwner {
  owns(bankId: string): boolean;
  /** The shard of a bank (the same on every instance). */
  shardOf(bankId: string): number;
  on<K extends keyof BankOwnershipEvents>(event: K, l: (...args: BankOwnershipEvents[K]) => void): unknown;
  off<K extends keyof BankOwnershipEvents>(event: K, l: (...args: BankOwnershipEvents[K]) => void): unknown;
}

/** FNV-1a of the id, modulo the shard count: stable across releases and machines. */
export function shardOfBank(bankId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bankId.length; i++) {
    h ^= bankId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % BANK_SHARDS;
}

/** The only instance: owns every bank, always. */
export class SoleOwner extends EventEmitter<BankOwnershipEvents> implements BankOwner {
  owns(_bankId: string): boolean {
    return true;
  }
  shardOf(bankId: string): number {
    return shardOfBank(bankId);
  }
}

export interface BankOwnershipOptions {
  store: Store;
  /**
   * Run for the banks of shards just taken, before they count as owned; a failure gives the shards back (another
   * round, or another instance, tries again).
   */
  takeOver?: (shards: number[]) => Promise<void>;
  instanceId: string;
  now?: () => number;
  logger?: Logger;
  /** A lease lives this long after its last renewal (default 6 s). */
  ttlMs?: number;
  /** How often leases are renewed, shares recounted and free shards taken (default 2 s). */
  renewMs?: number;
}

export class BankOwnership extends EventEmitter<BankOwnershipEvents> implements BankOwner {
  /** Shards whose lease this instance holds. */
  private readonly held = new Set<number>();
  /** Held shards taken over (the hook finished): the banks this instance acts for. */
  private readonly active = new Set<number>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private takeOverHook: ((shards: number[]) => Promise<void>) | undefined;
  private stopped = false;

  constructor(private readonly o: BankOwnershipOptions) {
    super();
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ module: 'bank-ownership', instance: o.instanceId });
    this.now = o.now ?? Date.now;
    this.ttlMs = o.ttlMs ?? 6000;
    this.renewMs = o.renewMs ?? 2000;
    this.takeOverHook = o.takeOver;
    if (this.renewMs * 2 > this.ttlMs) throw new RangeError('renewMs must be at most half of ttlMs: a lease must survive one late renewal');
  }

  owns(bankId: string): boolean {
    return this.active.has(shardOfBank(bankId));
  }

  shardOf(bankId: string): number {
    return shardOfBank(bankId);
  }

  /** The shards held now, ascending. */
  shards(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Sets the hook run for shards just taken, before they count as owned (the `takeOver` option). */
  onTakeOver(hook: (shards: number[]) => Promise<void>): void {
    this.takeOverHook = hook;
  }

  /** Runs the first round (so a lone instance owns every bank when this resolves), then one every `renewMs`. */
  async start(): Promise<void> {
    await this.runRound();
    this.schedule();
  }

  /** Stops renewing; tells `lost` for every shard and releases them and the instance's lease, so others take over now. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    const gone = this.shards();
    this.held.clear();
    this.active.clear();
    if (gone.length > 0) this.emit('lost', gone);
    const mine = [INSTANCE_LEASE + this.o.instanceId, ...gone.map((s) => SHARD_LEASE + s)].filter((n) => this.o.store.get('leases', n)?.holder === this.o.instanceId);
    await this.o.store.commit({ del: mine.map((key) => ({ c: 'leases' as const, key })) }).catch((err: unknown) => this.log.warn({ err }, 'leases not released; they expire by themselves'));
  }

  /** One round now (tests; the timer runs them otherwise). */
  tick(): Promise<void> {
    return this.runRound();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runRound().finally(() => this.schedule());
    }, this.renewMs);
  }

  private runRound(): Promise<void> {
    this.round ??= this.roundOnce()
      .catch((err: unknown) => this.log.error({ err }, 'bank ownership round failed'))
      .finally(() => (this.round = undefined));
    return this.round;
  }

  private async roundOnce(): Promise<void> {
    if (this.stopped) return;
    const { store, instanceId } = this.o;
    await store.sync();
    const now = this.now();
    // Shards another instance took while this one could not renew (their lease ran out): no longer ours.
    const taken = this.shards().filter((s) => {
      const holder = leaseHolder(store, SHARD_LEASE + s, now);
      return holder !== undefined && holder !== instanceId;
    });
    if (taken.length > 0) this.lose(taken, 'taken by another instance after a late renewal');

    // Renew what is held, with the instance's own lease, in one commit.
    if (!(await this.put([INSTANCE_LEASE + instanceId, ...this.shards().map((s) => SHARD_LEASE + s)], now))) {
      await store.sync();
      const lost = this.shards().filter((s) => leaseHolder(store, SHARD_LEASE + s, this.now()) !== instanceId);
      if (lost.length > 0) this.lose(lost, 'renewal refused');
      return;
    }

    const share = Math.ceil(BANK_SHARDS / this.liveInstances(now));
    if (this.held.size > share) {
      const extra = this.shards().slice(share);
      this.lose(extra, 'above this instance\'s share');
      await store.commit({ del: extra.map((s) => ({ c: 'leases' as const, key: SHARD_LEASE + s })) });
      return;
    }
    if (this.held.size === share) return;
    const free: number[] = [];
    for (let s = 0; s < BANK_SHARDS && this.held.size + free.length < share; s++) {
      if (!this.held.has(s) && leaseHolder(store, SHARD_LEASE + s, now) === undefined) free.push(s);
    }
    if (free.length === 0) return;
    let got = free;
    if (!(await this.put(free.map((s) => SHARD_LEASE + s), now))) {
      // Another instance took some of them at the same time: take the rest one by one.
      await store.sync();
      got = [];
      for (const s of free) if (leaseHolder(store, SHARD_LEASE + s, this.now()) === undefined && (await this.put([SHARD_LEASE + s], now))) got.push(s);
    }
    if (got.length === 0) return;
    for (const s of got) this.held.add(s);
    try {
      await this.takeOverHook?.(got);
    } catch (err) {
      this.log.error({ err, shards: got }, 'taking bank shards over failed: giving them back');
      for (const s of got) this.held.delete(s);
      await store.commit({ del: got.map((s) => ({ c: 'leases' as const, key: SHARD_LEASE + s })) }).catch(() => undefined);
      return;
    }
    if (this.stopped) return;
    for (const s of got) this.active.add(s);
    this.log.info({ shards: got }, 'bank shards taken over');
    this.emit('gained', got);
  }

  /** Writes these leases as held by this instance until now + ttl; false when another instance's write came first. */
  private put(names: string[], now: number): Promise<boolean> {
    return holdLeases(this.o.store, names, this.o.instanceId, this.ttlMs, now);
  }

  private liveInstances(now: number): number {
    let n = 0;
    for (const l of this.o.store.list('leases')) if (l.name.startsWith(INSTANCE_LEASE) && l.expiresAt > now) n++;
    return Math.max(1, n);
  }

  private lose(shards: number[], why: string): void {
    for (const s of shards) {
      this.held.delete(s);
      this.active.delete(s);
    }
    this.log.info({ shards, why }, 'bank shards given up');
    this.emit('lost', shards);
  }
}
