/**
 * The lock keys a change falls under, by what it touches: a bank's id for its reservations, lockers, columns and the
 * bank itself; the credentials lock for carriers, carrier codes and staff credentials. These are the keys the use
 * cases lock (DomainCore.change) before they read what they write, and the guards a store with several writers
 * checks the change against. Read before the change is applied: a deleted record still names its bank.
 */
import type { Change, CollectionName, Store } from '../store/store.ts';

/** Lock key of every carrier code and staff credential: two issues of the same code must not both pass the check. */
export const CREDENTIALS_LOCK = '#carrier-codes';

/**
 * The banks a put (`value`) or delete (`value` undefined) of one record belongs to, for the collections a bank holds
 * (its reservations, lockers, columns, and the bank itself); none for the others. Both the record's new and its stored
 * value count: read before the change is applied.
 */
export function banksOfRecord(c: CollectionName, key: string, value: unknown, store: Pick<Store, 'get'>): string[] {
  if (c === 'banks') return [key];
  if (c !== 'reservations' && c !== 'lockers' && c !== 'columns') return [];
  const ids = new Set<string>();
  for (const v of [value, store.get(c, key)]) {
    const bankId = (v as { bankId?: string } | undefined)?.bankId;
    if (bankId !== undefined) ids.add(bankId);
  }
  return [...ids];
}

export function guardKeysOf(change: Change, store: Pick<Store, 'get'>): string[] {
  const keys = new Set<string>();
  const touch = (c: CollectionName, key: string, value: unknown): void => {
    if (c === 'carriers' || c === 'carrierCodes' || c === 'staffCredentials') keys.add(CREDENTIALS_LOCK);
    else for (const b of banksOfRecord(c, key, value, store)) keys.add(b);
  };
  for (const d of change.del ?? []) touch(d.c, d.key, undefined);
  for (const p of change.put ?? []) touch(p.c, p.key, p.value);
  return [...keys];
}
