/**
 * The lock keys a change falls under, by what it touches: a bank's id for its reservations, lockers, columns and the
 * bank itself; the credentials lock for carriers, carrier codes and staff credentials. These are the keys the use
 * cases lock (DomainCore.change) before they read what they write, and the guards a store with several writers
 * checks the change against. Read before the change is applied: a deleted record still names its bank.
 */
import type { Change, Store } from '../store/store.ts';

/** Lock key of every carrier code and staff credential: two issues of the same code must not both pass the check. */
export const CREDENTIALS_LOCK = '#carrier-codes';

export function guardKeysOf(change: Change, store: Pick<Store, 'get'>): string[] {
  const keys = new Set<string>();
  const touch = (c: string, key: string, value: unknown): void => {
    switch (c) {
      case 'reservations':
      case 'lockers':
      case 'columns': {
        const bankId = ((value ?? store.get(c, key)) as { bankId?: string } | undefined)?.bankId;
        if (bankId !== undefined) keys.add(bankId);
        break;
      }
      case 'banks':
        keys.add(key);
        break;
      case 'carriers':
      case 'carrierCodes':
      case 'staffCredentials':
        keys.add(CREDENTIALS_LOCK);
        break;
    }
  };
  for (const d of change.del ?? []) touch(d.c, d.key, undefined);
  for (const p of change.put ?? []) touch(p.c, p.key, p.value);
  return [...keys];
}
