/**
 * One instance's in-memory view of the live state in PostgreSQL, with what it knows of each row's version: a seq
 * (the change that last wrote it, as the database has it), absent (no row), or a commit of this instance not yet
 * answered. Commits of this instance apply at once (read your own write); changes of other instances arrive from the
 * feed with their seq and win over anything older.
 */
import { emptyMaps } from '../memory.ts';
import { COLLECTIONS, type Change, type CollectionName, type LiveCollections } from '../store.ts';

/** A commit of this instance on its way to the database. */
export interface Pending {
  /** Its seq once committed. */
  seq?: number;
  /** Refused (a conflict) or lost (a failed write). */
  failed?: boolean;
}

/** What a key's version is known as while a commit of this instance that wrote it is unanswered. */
export interface PendingRef {
  p: Pending;
  /** The commit deleted the row. */
  gone: boolean;
}

export type Version = number | PendingRef;

/** A row as the feed and reloads carry it. */
export type RowPut = [c: CollectionName, key: string, value: unknown];
export type RowDel = [c: CollectionName, key: string];

const vk = (c: string, key: string): string => `${c}\u0000${key}`;

type Maps = ReturnType<typeof emptyMaps>;

export class LiveView {
  maps: Maps = emptyMaps();
  /** Absent: no row (version 0). */
  private versions = new Map<string, Version>();
  private guards = new Map<string, Version>();
  private readonly revisions = new Map<CollectionName, number>();
  /** This instance's commits a load from the database may not hold: unanswered, or landed past what the feed read. */
  private own: { change: Change; pending: Pending; guardKeys: readonly string[] }[] = [];

  get<C extends CollectionName>(c: C, key: string): LiveCollections[C] | undefined {
    return this.maps[c].get(key) as LiveCollections[C] | undefined;
  }

  revision(c: CollectionName): number {
    return this.revisions.get(c) ?? 0;
  }

  version(c: string, key: string): Version {
    return this.versions.get(vk(c, key)) ?? 0;
  }

  guard(key: string): Version {
    return this.guards.get(key) ?? 0;
  }

  private touch(c: CollectionName): Map<string, unknown> {
    this.revisions.set(c, this.revision(c) + 1);
    return this.maps[c] as Map<string, unknown>;
  }

  /**
   * Replaces everything with rows read at `seq` (a load from the database); every derived index is stale. This
   * instance's commits that read does not hold are applied again, in order: an unanswered one as made, one that
   * landed after `seq` as landed (none of its own writes is lost).
   */
  replace(rows: Iterable<{ c: CollectionName; key: string; value: unknown; version: number }>, guards: Iterable<[string, number]>, seq: number): void {
    this.maps = emptyMaps();
    this.versions = new Map();
    for (const r of rows) {
      (this.maps[r.c] as Map<string, unknown> | undefined)?.set(r.key, r.value);
      this.versions.set(vk(r.c, r.key), r.version);
    }
    this.guards = new Map(guards);
    for (const c of COLLECTIONS) this.touch(c);
    for (const o of this.own) {
      if (o.pending.failed || (o.pending.seq !== undefined && o.pending.seq <= seq)) continue;
      this.apply(o.change, o.pending, o.guardKeys);
      if (o.pending.seq !== undefined) this.landed(o.change, o.pending, o.guardKeys);
    }
    this.forgetOwn(seq);
  }

  /** Forgets the commits of this instance a load at `seq` holds (or never will: refused). */
  forgetOwn(seq: number): void {
    const open = this.own.findIndex((o) => !o.pending.failed && (o.pending.seq === undefined || o.pending.seq > seq));
    this.own.splice(0, open === -1 ? this.own.length : open);
  }

  /**
   * Applies a commit of this instance (deletes, then puts, as the database will) and returns the versions it expects
   * of its keys and guards: what this view held before it.
   */
  applyLocal(change: Change, pending: Pending, guardKeys: readonly string[], guardSeen: readonly Version[]): { keys: [string, string, Version][]; guards: [string, Version][] } {
    const keys = new Map<string, [string, string, Version]>();
    for (const { c, key } of [...(change.del ?? []), ...(change.put ?? [])])
      if (!keys.has(vk(c, key))) keys.set(vk(c, key), [c, key, this.version(c, key)]);
    this.apply(change, pending, guardKeys);
    this.own.push({ change, pending, guardKeys });
    return { keys: [...keys.values()], guards: guardKeys.map((g, i) => [g, guardSeen[i] ?? 0]) };
  }

  private apply(change: Change, pending: Pending, guardKeys: readonly string[]): void {
    for (const d of change.del ?? []) {
      this.touch(d.c).delete(d.key);
      this.versions.set(vk(d.c, d.key), { p: pending, gone: true });
    }
    for (const p of change.put ?? []) {
      this.touch(p.c).set(p.key, p.value);
      this.versions.set(vk(p.c, p.key), { p: pending, gone: false });
    }
    for (const g of guardKeys) this.guards.set(g, { p: pending, gone: false });
  }

  /** A commit of this instance landed with `seq`: its keys' versions become known, unless something newer came. */
  landed(change: Change, pending: Pending, guardKeys: readonly string[]): void {
    const settle = (map: Map<string, Version>, k: string): void => {
      const v = map.get(k);
      if (typeof v !== 'object' || v.p !== pending) return;
      if (v.gone) map.delete(k);
      else map.set(k, pending.seq!);
    };
    for (const d of change.del ?? []) settle(this.versions, vk(d.c, d.key));
    for (const p of change.put ?? []) settle(this.versions, vk(p.c, p.key));
    for (const g of guardKeys) settle(this.guards, g);
  }

  /**
   * Whether what this view holds of a key may be replaced by what the database has at `version`. A reload (read
   * before the feed was caught up past it) fixes only what a refused commit left: anything else the view holds is at
   * least as new.
   */
  private stale(v: Version | undefined, version: number, fromReload: boolean): boolean {
    if (fromReload) return typeof v === 'object' && v.p.failed === true;
    if (v === undefined) return true;
    if (typeof v === 'number') return v < version;
    // A commit of this instance still unanswered: the feed's newer change means it will be refused.
    return true;
  }

  /**
   * What this view takes of a change of another instance committed with `seq`: the rows it holds nothing newer of.
   * Not applied yet (see `applyPlan`): listeners see it before memory changes.
   */
  planExternal(seq: number, put: readonly RowPut[], del: readonly RowDel[], guardKeys: readonly string[]): Plan {
    const plan: Plan = { change: { put: [], del: [] }, versions: new Map(), guards: [] };
    for (const [c, key] of del) {
      if (!this.stale(this.versions.get(vk(c, key)), seq, false)) continue;
      plan.change.del!.push({ c, key });
      plan.versions.set(vk(c, key), 0);
    }
    for (const [c, key, value] of put) {
      if (!this.stale(this.versions.get(vk(c, key)), seq, false)) continue;
      plan.change.put!.push({ c, key, value } as never);
      plan.versions.set(vk(c, key), seq);
    }
    for (const g of guardKeys) if (this.stale(this.guards.get(g), seq, false)) plan.guards.push([g, seq]);
    return plan;
  }

  /**
   * What this view takes of rows as the database had them after a refused commit, once the feed was read past them:
   * each key it still holds the refused version of takes the database's (absent: `version` 0).
   */
  planReload(rows: readonly { c: CollectionName; key: string; value?: unknown; version: number }[], guards: readonly [string, number][]): Plan {
    const plan: Plan = { change: { put: [], del: [] }, versions: new Map(), guards: [] };
    for (const r of rows) {
      const k = vk(r.c, r.key);
      if (!this.stale(this.versions.get(k), r.version, true)) continue;
      if (r.version === 0) plan.change.del!.push({ c: r.c, key: r.key });
      else plan.change.put!.push({ c: r.c, key: r.key, value: r.value } as never);
      plan.versions.set(k, r.version);
    }
    for (const [g, version] of guards) if (this.stale(this.guards.get(g), version, true)) plan.guards.push([g, version]);
    return plan;
  }

  applyPlan(plan: Plan): void {
    for (const d of plan.change.del ?? []) {
      this.touch(d.c).delete(d.key);
      this.versions.delete(vk(d.c, d.key));
    }
    for (const p of plan.change.put ?? []) {
      this.touch(p.c).set(p.key, p.value);
      this.versions.set(vk(p.c, p.key), plan.versions.get(vk(p.c, p.key))!);
    }
    for (const [g, v] of plan.guards) {
      if (v === 0) this.guards.delete(g);
      else this.guards.set(g, v);
    }
  }
}

/** Rows of the database this view is about to take (see `planExternal`, `planReload`). */
export interface Plan {
  change: Change;
  versions: Map<string, number>;
  guards: [string, number][];
}
