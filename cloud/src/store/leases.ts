/**
 * Leases in the store: once-only work (a schedule, a running import) is owned by one cloud instance at a time. A
 * lease is taken when it is free, expired, or already held by the taker (which renews it), and released by its holder.
 *
 * The check and the write are one step: a commit is applied to the store's memory before it returns, and nothing
 * runs between the read and that commit (no await), so two instances on one store cannot both see the lease free.
 */
import type { Lease, Store } from './store.ts';

export interface LeaseTake {
  name: string;
  holder: string;
  ttlMs: number;
  now: number;
}

/** Whether `holder` holds the lease `name` now (taken or renewed until now + ttl). A failed write counts as not taken. */
export async function takeLease(store: Store, t: LeaseTake): Promise<boolean> {
  const cur = store.get('leases', t.name);
  if (cur && cur.holder !== t.holder && cur.expiresAt > t.now) return false;
  const lease: Lease = { name: t.name, holder: t.holder, expiresAt: t.now + t.ttlMs };
  try {
    await store.commit({ put: [{ c: 'leases', key: t.name, value: lease }] });
    return true;
  } catch {
    return false;
  }
}

/** The live holder of `name` (undefined when free or expired). */
export function leaseHolder(store: Store, name: string, now: number): string | undefined {
  const cur = store.get('leases', name);
  return cur && cur.expiresAt > now ? cur.holder : undefined;
}

/** Gives the lease up, when `holder` still holds it. */
export async function releaseLease(store: Store, name: string, holder: string): Promise<void> {
  if (store.get('leases', name)?.holder !== holder) return;
  await store.commit({ del: [{ c: 'leases', key: name }] }).catch(() => {});
}

/**
 * Writes these leases as held by `holder` until now + ttl, in one commit: true when written, false when another
 * instance's write of one of them came first (CONFLICT; nothing written). Callers check who holds them before.
 */
export async function holdLeases(store: Store, names: readonly string[], holder: string, ttlMs: number, now: number): Promise<boolean> {
  try {
    await store.commit({ put: names.map((name) => ({ c: 'leases' as const, key: name, value: { name, holder, expiresAt: now + ttlMs } })) });
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'CONFLICT') throw err;
    return false;
  }
}
