// The site the PostgreSQL bench runs on, made through the domain as the console and the API make it: one enterprise,
// division and location; banks of lockers (lib/bench-bank.ts, as the allocation bench); contacts through the domain's
// CSV import in files of at most 50,000 rows.
import type { LockerService } from '@portier/cloud';
import { addBenchBank } from '../lib/bench-bank.ts';
import { contactsCsv } from '../lib/contacts-csv.ts';

export const ENTERPRISE = 'ent';
export const admin = { role: 'admin' as const, id: 'bench' };
export const operator = { role: 'operator' as const, id: 'mailroom' };

/** Rows per import: the CSV stays under the import's 5 MB limit. */
const IMPORT_ROWS = 50_000;

export const bankId = (b: number): string => `bank${b}`;

/** The enterprise, its division and location, and `banks` banks of `lockersPerBank` lockers each. */
export async function buildSite(s: LockerService, banks: number, lockersPerBank: number): Promise<void> {
  await s.createEnterprise({ id: ENTERPRISE, name: 'Bench Carrier' }, admin);
  await s.createDivision({ id: 'div', enterpriseId: ENTERPRISE, name: 'Network' }, admin);
  await s.createLocation({ id: 'loc', divisionId: 'div', name: 'Depot' }, admin);
  for (let b = 0; b < banks; b++) await addBenchBank(s, bankId(b), 'loc', lockersPerBank, admin);
}

/** `count` generated contacts (lib/contacts-csv.ts) through the domain's CSV import, merged into the enterprise. */
export async function importContacts(s: LockerService, count: number): Promise<void> {
  const view = { enterpriseId: ENTERPRISE, contact: (c: { enterpriseId: string }) => c.enterpriseId === ENTERPRISE, department: () => true, location: () => true };
  for (let from = 0; from < count; from += IMPORT_ROWS) {
    const r = await s.addressBook.csv.import(contactsCsv(from, Math.min(IMPORT_ROWS, count - from)), 'merge', admin, view);
    if (!r.ok) throw new Error(`the contacts import was refused: ${JSON.stringify(r.problems.slice(0, 3))}`);
  }
}
