/**
 * The store's records brought to the current shape: a table of upgrades per collection, run by the data folder's
 * migration step (migrations.ts) over every record in one durable commit. Each upgrade returns the record unchanged
 * when it is upgraded already, so a step cut short by a crash runs again safely.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_ENTERPRISE_NAME } from '../auth/bootstrap.ts';
import type { Enterprise } from '../domain/model.ts';
import { DurableStore } from '../store/durable.ts';
import { upgradeContact, upgradeLocation } from './address-book-upgrades.ts';
import { moveCustomValues, planCustomFields } from './custom-field-upgrades.ts';
import { COLLECTIONS, type CollectionName, type Put } from '../store/store.ts';

export interface UpgradeContext {
  /**
   * The enterprise that records written before enterprises owned their people join: the oldest enterprise of the
   * folder (a folder of those releases held one organisation), or one the step creates when there is none.
   */
  enterpriseId: string;
  /** The custom field that takes a contact's free-form value of `label` (custom-field-upgrades.ts). */
  customFieldId?: (enterpriseId: string, label: string) => string | undefined;
}

type StoredRecord = Record<string, unknown>;
/** Records are stored under their `id` (every collection with an upgrade is keyed so). */
type Upgrade = (record: StoredRecord, ctx: UpgradeContext) => StoredRecord;

const inEnterprise: Upgrade = (r, ctx) => (r['enterpriseId'] === undefined ? { ...r, enterpriseId: ctx.enterpriseId } : r);

/** Per collection, what a record written by the release before needs. */
export const STORE_UPGRADES: Partial<Record<CollectionName, Upgrade>> = {
  contacts: (r, ctx) => moveCustomValues(upgradeContact(inEnterprise(r, ctx)), ctx.customFieldId ?? (() => undefined)),
  locations: (r) => upgradeLocation(r),
  departments: inEnterprise,
  carriers: inEnterprise,
  users: (r, ctx) => {
    let u = inEnterprise(r, ctx);
    if (u['accessLevel'] === undefined) u = { ...u, accessLevel: { kind: 'enterprise' } };
    // Before enterprises were tenants an administrator ran the whole cloud: they keep creating enterprises and
    // taking backups.
    if (u['role'] === 'admin' && u['platformAdmin'] === undefined) u = { ...u, platformAdmin: true };
    return u;
  },
};

/** Whether a record needs the default enterprise (so an empty folder gets none made). */
function needsEnterprise(c: CollectionName): boolean {
  return c === 'contacts' || c === 'departments' || c === 'carriers' || c === 'users';
}

/** Upgrades the store of the data folder `dir` (see upgradeStoreAt). */
export function upgradeStore(dir: string, upgrades: Partial<Record<CollectionName, Upgrade>> = STORE_UPGRADES, logger?: Logger): Promise<number> {
  return upgradeStoreAt(join(dir, 'store'), upgrades, logger);
}

/**
 * Upgrades every record of the store folder `storeDir` through `upgrades`, in one durable commit; a store with
 * nothing to upgrade is not written. Answers how many records it wrote.
 */
export async function upgradeStoreAt(storeDir: string, upgrades: Partial<Record<CollectionName, Upgrade>> = STORE_UPGRADES, logger?: Logger): Promise<number> {
  // No file store, no records: the folder of a cloud whose store was always in PostgreSQL does not get an empty one.
  if (!existsSync(storeDir)) return 0;
  const store = await DurableStore.open(storeDir, logger ? { logger } : {});
  try {
    const put: Put[] = [];
    const enterprises = store.list('enterprises').sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    let enterpriseId = enterprises[0]?.id;
    const orphans = COLLECTIONS.some((c) => needsEnterprise(c) && store.list(c).some((r) => (r as { enterpriseId?: string }).enterpriseId === undefined));
    if (enterpriseId === undefined && orphans) {
      const made: Enterprise = { id: 'default', name: DEFAULT_ENTERPRISE_NAME, createdAt: Date.now() };
      put.push({ c: 'enterprises', key: made.id, value: made });
      enterpriseId = made.id;
    }
    const ctx: UpgradeContext = { enterpriseId: enterpriseId ?? 'default' };
    // Definitions for the contacts' free-form custom labels, before the contacts move their values to them.
    const made = put.map((p) => p.value as unknown as StoredRecord);
    const plan = planCustomFields([...(store.list('enterprises') as unknown as StoredRecord[]), ...made], store.list('contacts') as unknown as StoredRecord[], (c) => (c['enterpriseId'] as string | undefined) ?? ctx.enterpriseId, Date.now());
    for (const e of plan.enterprises) {
      const at = put.findIndex((p) => p.key === e['id']);
      const p = { c: 'enterprises', key: e['id'] as string, value: e } as unknown as Put;
      if (at >= 0) put[at] = p;
      else put.push(p);
    }
    ctx.customFieldId = plan.fieldId;
    for (const c of COLLECTIONS) {
      const upgrade = upgrades[c];
      if (!upgrade) continue;
      for (const record of store.list(c)) {
        const before = record as unknown as StoredRecord;
        const after = upgrade(before, ctx);
        if (after === before || JSON.stringify(after) === JSON.stringify(before)) continue;
        const key = typeof after['id'] === 'string' ? after['id'] : undefined;
        if (key === undefined) continue;
        put.push({ c, key, value: after } as unknown as Put);
      }
    }
    if (put.length > 0) await store.commit({ put });
    return put.length;
  } finally {
    await store.close();
  }
}
