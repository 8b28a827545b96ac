import { ADMIN, ALL_ROLES, STAFF, type Access, type Role } from '../auth/roles.ts';

/**
 * Who may call each route: the single table the auth hook reads. A route registered without an entry here makes the
 * server refuse to start, so no route can ship without a role check.
 */
export interface AccessEntry {
  access: Access;
  /** Whoever may not call the route gets 404, as for a route that does not exist (the address book). */
  hidden?: true;
}

const CARRIER_AND_STAFF: readonly Role[] = ['admin', 'operator', 'carrier'];

export const ROUTE_ACCESS: Record<string, AccessEntry> = {
  'GET /api/v1/health': { access: 'public' },
  'GET /api/v1/openapi.json': { access: 'public' },
  'POST /api/v1/auth/login': { access: 'public' },
  'POST /api/v1/auth/logout': { access: ALL_ROLES },
  'GET /api/v1/auth/me': { access: ALL_ROLES },

  'GET /api/v1/users': { access: ADMIN },
  'POST /api/v1/users': { access: ADMIN },
  'GET /api/v1/users/:userId': { access: ADMIN },
  'PATCH /api/v1/users/:userId': { access: ADMIN },
  'DELETE /api/v1/users/:userId': { access: ADMIN },

  // Physical model: everyone signed in may read the sites they deliver to or collect from; only admins shape it.
  'GET /api/v1/enterprises': { access: ALL_ROLES },
  'POST /api/v1/enterprises': { access: ADMIN },
  'PATCH /api/v1/enterprises/:enterpriseId/history-retention': { access: ADMIN },
  'GET /api/v1/divisions': { access: ALL_ROLES },
  'POST /api/v1/divisions': { access: ADMIN },
  'GET /api/v1/locations': { access: ALL_ROLES },
  'POST /api/v1/locations': { access: ADMIN },
  'GET /api/v1/banks': { access: ALL_ROLES },
  'POST /api/v1/banks': { access: ADMIN },
  'GET /api/v1/banks/:bankId': { access: ALL_ROLES },
  'PATCH /api/v1/banks/:bankId': { access: ADMIN },
  'GET /api/v1/banks/:bankId/config-check': { access: STAFF },
  'GET /api/v1/banks/:bankId/columns': { access: STAFF },
  'POST /api/v1/columns': { access: ADMIN },
  'POST /api/v1/lockers': { access: ADMIN },
  'POST /api/v1/lockers/batch': { access: ADMIN },

  // Lockers with status and contents: mailroom staff, and carriers (to see free sizes).
  'GET /api/v1/banks/:bankId/lockers': { access: CARRIER_AND_STAFF },
  'GET /api/v1/banks/:bankId/lockers/:number': { access: CARRIER_AND_STAFF },
  'PUT /api/v1/banks/:bankId/lockers/:number/service': { access: STAFF },
  // A signed open-door to the locker's controller: mailroom staff (operators and admins), who already open any locker
  // of a bank at its kiosk with their staff sign-in; never carriers or recipients.
  'POST /api/v1/banks/:bankId/lockers/:number/open': { access: STAFF },

  // The address book: contacts and departments. Hidden: without the permission, 404 (its existence not revealed).
  'GET /api/v1/contacts': { access: STAFF, hidden: true },
  'POST /api/v1/contacts': { access: STAFF, hidden: true },
  'GET /api/v1/contacts/export': { access: STAFF, hidden: true },
  'GET /api/v1/contacts/template': { access: STAFF, hidden: true },
  'POST /api/v1/contacts/import': { access: STAFF, hidden: true },
  'GET /api/v1/contacts/:contactId': { access: STAFF, hidden: true },
  'PATCH /api/v1/contacts/:contactId': { access: STAFF, hidden: true },
  'DELETE /api/v1/contacts/:contactId': { access: STAFF, hidden: true },
  'POST /api/v1/contacts/:contactId/erase': { access: ADMIN, hidden: true },
  'GET /api/v1/departments': { access: STAFF, hidden: true },
  'POST /api/v1/departments': { access: STAFF, hidden: true },
  'GET /api/v1/departments/:departmentId': { access: STAFF, hidden: true },
  'PATCH /api/v1/departments/:departmentId': { access: STAFF, hidden: true },
  'DELETE /api/v1/departments/:departmentId': { access: STAFF, hidden: true },

  // People.
  'GET /api/v1/carriers': { access: STAFF },
  'POST /api/v1/carriers': { access: ADMIN },
  'POST /api/v1/carriers/:carrierId/codes': { access: STAFF },
  'GET /api/v1/carriers/:carrierId/codes': { access: STAFF },
  'POST /api/v1/carrier-codes/:carrierCodeId/revoke': { access: STAFF },
  // Kiosk sign-ins of staff: whoever holds one opens any locker of the bank, so only admins hand them out.
  'GET /api/v1/staff-credentials': { access: ADMIN },
  'POST /api/v1/staff-credentials': { access: ADMIN },
  'DELETE /api/v1/staff-credentials/:staffCredentialId': { access: ADMIN },

  // Reservations and packages (finer checks in the handlers: recipients only their own, storage only).
  'GET /api/v1/reservations': { access: ALL_ROLES },
  'POST /api/v1/reservations': { access: ALL_ROLES },
  'GET /api/v1/reservations/:reservationId': { access: ALL_ROLES },
  'POST /api/v1/reservations/:reservationId/drop-off': { access: CARRIER_AND_STAFF },
  'POST /api/v1/reservations/:reservationId/extend': { access: ALL_ROLES },
  'POST /api/v1/reservations/:reservationId/end': { access: STAFF },
  'POST /api/v1/reservations/:reservationId/pickup-code': { access: STAFF },
  'POST /api/v1/pickups': { access: ALL_ROLES },
  'POST /api/v1/expiry/run': { access: STAFF },

  'GET /api/v1/activity': { access: STAFF },

  // The whole data folder, secrets as stored included: admins only.
  'GET /api/v1/backup': { access: ADMIN },
};

export function accessKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}
