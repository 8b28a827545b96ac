/** What of the address book a request may see and change (its enterprise and access level), for the contact, department and CSV routes. */
import type { FastifyRequest } from 'fastify';
import type { AddressBookView } from '../../domain/use-cases/contacts-csv.ts';
import type { Store } from '../../store/store.ts';
import { scopeOf } from '../scope.ts';

/**
 * The caller's view of the address book (scope.ts): their enterprise's contacts and departments, a contact tied to a
 * location only when their access level holds it, and the locations their access level holds. Whether a contact is
 * seen depends on its enterprise and location alone: a search asks once per enterprise and location (ContactSearch).
 */
export function addressBookView(req: FastifyRequest, store: Store): AddressBookView {
  const scope = scopeOf(req, store);
  return {
    enterpriseId: scope.enterpriseId,
    contact: (c) => scope.hasContact(c),
    department: (d) => d.enterpriseId === scope.enterpriseId,
    location: (id) => scope.hasLocation(id),
  };
}
