import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import { LockerService, type LockerServiceOptions } from '../../src/domain/service.ts';
import { type CreateLockerInput } from '../../src/domain/model.ts';

export const admin = { role: 'admin' as const, id: 'admin1' };
export const operator = { role: 'operator' as const, id: 'op1' };
export const carrier = { role: 'carrier' as const, id: 'ups' };

export interface LockerSpec {
  size?: CreateLockerInput['size'];
  bottomCm?: number;
  topCm?: number;
  dedicatedTo?: CreateLockerInput['dedicatedTo'];
  dimensions?: CreateLockerInput['dimensions'];
}

/** Not reachable from a wheelchair: top edge above every preset. 70 cm: a door tall enough for every standard size. */
export const HIGH = { bottomCm: 130, topCm: 200 };
/** Reachable under the default preset and ADA. 65 cm: a door tall enough for every standard size. */
export const LOW = { bottomCm: 50, topCm: 115 };

/** A service over a store with one enterprise/division/location and bank `b1` (kiosk column `col1`). */
export async function setup(
  opts: {
    store?: Store;
    lockers?: LockerSpec[];
    bank?: Parameters<LockerService['createBank']>[0] extends infer B ? Partial<B> : never;
    reach?: Parameters<LockerService['createLocation']>[0]['reach'];
    service?: Partial<LockerServiceOptions>;
  } = {},
): Promise<LockerService> {
  const store = opts.store ?? new MemoryStore();
  const s = new LockerService({ store, codeHashN: 1024, ...opts.service });
  await s.createEnterprise({ id: 'ent', name: 'Acme' }, admin);
  await s.createDivision({ id: 'div', enterpriseId: 'ent', name: 'HQ' }, admin);
  await s.createLocation({ id: 'loc', divisionId: 'div', name: 'Main', ...(opts.reach ? { reach: opts.reach } : {}) }, admin);
  await s.createBank({ id: 'b1', locationId: 'loc', name: 'Lobby', ...opts.bank }, admin);
  await s.createColumn({ id: 'col1', bankId: 'b1', position: 1, kind: 'kiosk', controllerId: 'ctl1' }, admin);
  if (opts.lockers?.length) await addLockers(s, opts.lockers);
  return s;
}

/** Lockers numbered from 1 in the given order; default S, door 50..115 cm (accessible under every preset, tall enough for XL). */
export async function addLockers(s: LockerService, specs: LockerSpec[], first = 1): Promise<void> {
  await s.createLockers(
    specs.map((l, i) => ({
      bankId: 'b1',
      number: first + i,
      columnId: 'col1',
      door: first + i,
      size: l.size ?? 'S',
      bottomCm: l.bottomCm ?? LOW.bottomCm,
      topCm: l.topCm ?? LOW.topCm,
      loading: 'front' as const,
      ...(l.dedicatedTo ? { dedicatedTo: l.dedicatedTo } : {}),
      ...(l.dimensions ? { dimensions: l.dimensions } : {}),
    })),
    admin,
  );
}

export async function contact(s: LockerService, id: string, extra: { needsAccessible?: boolean; departmentId?: string } = {}): Promise<void> {
  await s.createContact({ enterpriseId: 'ent', id, name: `Person ${id}`, email: `${id}@example.com`, ...extra }, admin);
}
