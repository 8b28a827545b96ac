// The site the PostgreSQL bench runs on, made through the domain as the console and the API make it: one enterprise,
// division and location; banks of lockers (a kiosk column and plain columns of 40 doors, the five sizes in bands as in
// the allocation bench); contacts through the domain's CSV import in files of at most 50,000 rows.
import type { CreateLockerInput, LockerService } from '@portier/cloud';
import { contactsCsv } from '../lib/contacts-csv.ts';

export const ENTERPRISE = 'ent';
export const admin = { role: 'admin' as const, id: 'bench' };
export const operator = { role: 'operator' as const, id: 'mailroom' };

const SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;
/** Door bands per size (bottom to top: L, M, S, XS inside the default reach range, XL above it). */
const BANDS: Record<(typeof SIZES)[number], { bottomCm: number; topCm: number }> = {
  L: { bottomCm: 10, topCm: 60 },
  M: { bottomCm: 60, topCm: 94 },
  S: { bottomCm: 94, topCm: 112 },
  XS: { bottomCm: 112, topCm: 122 },
  XL: { bottomCm: 122, topCm: 188 },
};
const DOORS_PER_COLUMN = 40;
/** Rows per import: the CSV stays under the import's 5 MB limit. */
const IMPORT_ROWS = 50_000;

export const bankId = (b: number): string => `bank${b}`;

/** The enterprise, its division and location, and `banks` banks of `lockersPerBank` lockers each. */
export async function buildSite(s: LockerService, banks: number, lockersPerBank: number): Promise<void> {
  await s.createEnterprise({ id: ENTERPRISE, name: 'Bench Carrier' }, admin);
  await s.createDivision({ id: 'div', enterpriseId: ENTERPRISE, name: 'Network' }, admin);
  await s.createLocation({ id: 'loc', divisionId: 'div', name: 'Depot' }, admin);
  for (let b = 0; b < banks; b++) {
    const id = bankId(b);
    await s.createBank({ id, locationId: 'loc', name: `Bank ${b}`, rules: { addToExistingLocker: false } }, admin);
    const columns = Math.ceil(lockersPerBank / DOORS_PER_COLUMN);
    for (let k = 0; k < columns; k++) {
      await s.createColumn({ id: `${id}-col${k}`, bankId: id, position: k + 1, kind: k === 0 ? 'kiosk' : 'plain', controllerId: `${id}-ctl${k}` }, admin);
    }
    const lockers: CreateLockerInput[] = [];
    for (let n = 1; n <= lockersPerBank; n++) {
      const size = SIZES[n % SIZES.length]!;
      const k = Math.floor((n - 1) / DOORS_PER_COLUMN);
      lockers.push({ bankId: id, number: n, columnId: `${id}-col${k}`, door: ((n - 1) % DOORS_PER_COLUMN) + 1, size, ...BANDS[size], loading: 'front' });
    }
    await s.createLockers(lockers, admin);
  }
}

/** `count` generated contacts (lib/contacts-csv.ts) through the domain's CSV import, merged into the enterprise. */
export async function importContacts(s: LockerService, count: number): Promise<void> {
  const view = { enterpriseId: ENTERPRISE, contact: (c: { enterpriseId: string }) => c.enterpriseId === ENTERPRISE, department: () => true, location: () => true };
  for (let from = 0; from < count; from += IMPORT_ROWS) {
    const r = await s.addressBook.csv.import(contactsCsv(from, Math.min(IMPORT_ROWS, count - from)), 'merge', admin, view);
    if (!r.ok) throw new Error(`the contacts import was refused: ${JSON.stringify(r.problems.slice(0, 3))}`);
  }
}
