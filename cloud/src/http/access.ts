import type { Access } from '../auth/roles.ts';
import type { Permission } from '../domain/model.ts';
import { CONSOLE_ACCESS } from '../web/console-access.ts';

/**
 * Who may call each route: the single table the auth hook reads (server.ts), by permission (model/roles.ts). A route
 * registered without an entry here makes the server refuse to start, so no route can ship without a check. Where
 * the objects of a route lie is checked in the handler through the caller's scope (scope.ts): outside it, 404.
 */
export interface AccessEntry {
  access: Access;
  /**
   * Whoever lacks this permission and may not call the route gets 404, as for a route that does not exist (the
   * address book: its URLs are not revealed to those without it).
   */
  hidden?: Permission;
}

export const ROUTE_ACCESS: Record<string, AccessEntry> = {
  ...CONSOLE_ACCESS,
  'GET /api/v1/health': { access: 'public' },
  'GET /api/v1/openapi.json': { access: 'public' },
  'POST /api/v1/auth/login': { access: 'public' },
  'POST /api/v1/auth/logout': { access: 'signed-in' },
  'GET /api/v1/auth/me': { access: 'signed-in' },
  'PATCH /api/v1/auth/me': { access: 'signed-in' },
  // A user's own sessions (an API key has none: the handlers refuse it).
  'GET /api/v1/auth/sessions': { access: 'signed-in' },
  'POST /api/v1/auth/logout-all': { access: 'signed-in' },
  // The second step of a sign-in: the challenge token is the key.
  'POST /api/v1/auth/mfa/verify': { access: 'public' },
  'POST /api/v1/auth/mfa/email': { access: 'public' },
  'POST /api/v1/auth/mfa/enrol': { access: 'public' },
  'POST /api/v1/auth/mfa/enrol/confirm': { access: 'public' },
  // A user's own second factors (an API key has none: the handlers refuse it).
  'GET /api/v1/auth/mfa': { access: 'signed-in' },
  'POST /api/v1/auth/mfa/totp': { access: 'signed-in' },
  'POST /api/v1/auth/mfa/totp/confirm': { access: 'signed-in' },
  'POST /api/v1/auth/mfa/totp/remove': { access: 'signed-in' },
  'POST /api/v1/auth/mfa/recovery-codes': { access: 'signed-in' },
  'DELETE /api/v1/auth/mfa/devices/:deviceId': { access: 'signed-in' },
  // Whoever holds a link's token, or asks for one by e-mail (the answer never tells whether the address is known).
  'POST /api/v1/auth/forgot-password': { access: 'public' },
  'POST /api/v1/auth/reset-password': { access: 'public' },
  // The pages e-mailed links open (http/pages): public, the token or the e-mail is the key.
  'GET /account/set-password': { access: 'public' },
  'POST /account/set-password': { access: 'public' },
  'GET /account/reset-password': { access: 'public' },
  'POST /account/reset-password': { access: 'public' },
  'GET /account/forgot-password': { access: 'public' },
  'POST /account/forgot-password': { access: 'public' },
  // The browser's sign-in through its enterprise's identity provider, and its session (http/pages/sso-pages.ts):
  // public pages, the sealed sign-in state and the session cookie are the keys.
  'GET /account/sso/:enterpriseId': { access: 'public' },
  'GET /account/sso/callback': { access: 'public' },
  'GET /account': { access: 'public' },
  // Signing in with a password and a second factor (http/pages/sign-in-pages.ts): the challenge cookie is the key.
  'GET /account/sign-in': { access: 'public' },
  'POST /account/sign-in': { access: 'public' },
  'GET /account/mfa': { access: 'public' },
  'POST /account/mfa': { access: 'public' },
  'POST /account/mfa/email': { access: 'public' },
  'GET /account/mfa/enrol': { access: 'public' },
  'POST /account/mfa/enrol': { access: 'public' },
  'POST /account/sign-out': { access: 'public' },

  'GET /api/v1/users': { access: 'users' },
  'POST /api/v1/users': { access: 'users' },
  'GET /api/v1/users/:userId': { access: 'users' },
  'PATCH /api/v1/users/:userId': { access: 'users' },
  'DELETE /api/v1/users/:userId': { access: 'users' },
  'POST /api/v1/users/:userId/unlock': { access: 'users' },
  'POST /api/v1/users/:userId/mfa/reset': { access: 'users' },
  'GET /api/v1/users/export': { access: 'users' },
  'GET /api/v1/users/template': { access: 'users' },
  'POST /api/v1/users/import': { access: 'users' },
  // A user's kiosk PINs and badges: listing them is managing staff credentials.
  'GET /api/v1/users/:userId/staff-credentials': { access: 'staffCredentials' },
  'POST /api/v1/users/:userId/sessions/end': { access: 'users' },
  // API keys act as users of the role they are given: making them is managing users.
  'GET /api/v1/api-keys': { access: 'users' },
  'POST /api/v1/api-keys': { access: 'users' },
  'GET /api/v1/api-keys/:apiKeyId': { access: 'users' },
  'POST /api/v1/api-keys/:apiKeyId/revoke': { access: 'users' },
  // A new welcome e-mail goes to the user's own address: whoever manages users may resend it.
  'POST /api/v1/users/:userId/welcome': { access: 'users' },

  // Whoever manages users picks their roles: they read the roles, and change them only with the roles permission.
  'GET /api/v1/roles': { access: ['roles', 'users'] },
  'POST /api/v1/roles': { access: 'roles' },
  'GET /api/v1/roles/:roleId': { access: 'roles' },
  'PATCH /api/v1/roles/:roleId': { access: 'roles' },
  'DELETE /api/v1/roles/:roleId': { access: 'roles' },
  'GET /api/v1/permissions': { access: ['roles', 'users'] },

  // The organisation: everyone signed in may read the sites in their scope they deliver to or collect from.
  'GET /api/v1/enterprises': { access: 'signed-in' },
  // A new enterprise is a new tenant: the cloud's own operators make them.
  'POST /api/v1/enterprises': { access: 'platform' },
  'PATCH /api/v1/enterprises/:enterpriseId/history-retention': { access: 'settings' },
  'GET /api/v1/divisions': { access: 'signed-in' },
  'POST /api/v1/divisions': { access: 'lockers.manage' },
  'GET /api/v1/locations': { access: 'signed-in' },
  'POST /api/v1/locations': { access: 'lockers.manage' },
  'GET /api/v1/banks': { access: 'signed-in' },
  'POST /api/v1/banks': { access: 'lockers.manage' },
  'GET /api/v1/banks/:bankId': { access: 'signed-in' },
  'PATCH /api/v1/banks/:bankId': { access: 'settings' },
  'GET /api/v1/banks/:bankId/config-check': { access: ['lockers.manage', 'lockers.contents'] },
  'GET /api/v1/banks/:bankId/controllers': { access: 'lockers.view' },
  'GET /api/v1/banks/:bankId/columns': { access: ['lockers.manage', 'lockers.contents'] },
  'POST /api/v1/columns': { access: 'lockers.manage' },
  'POST /api/v1/lockers': { access: 'lockers.manage' },
  'POST /api/v1/lockers/batch': { access: 'lockers.manage' },
  // The organisation after creation (routes/organisation.ts, routes/lockers.ts). Deleting an enterprise is a platform
  // operation, as creating one.
  'GET /api/v1/enterprises/:enterpriseId': { access: ['lockers.manage', 'settings'] },
  // Its name needs 'lockers.manage', its settings 'settings' (checked per part of the body in the handler).
  'PATCH /api/v1/enterprises/:enterpriseId': { access: ['lockers.manage', 'settings'] },
  'DELETE /api/v1/enterprises/:enterpriseId': { access: 'platform' },
  // Single sign-on: its identity provider signs in any user of the enterprise, so a permission of its own.
  'GET /api/v1/enterprises/:enterpriseId/sso': { access: 'sso' },
  'PUT /api/v1/enterprises/:enterpriseId/sso': { access: 'sso' },
  'DELETE /api/v1/enterprises/:enterpriseId/sso': { access: 'sso' },
  'GET /api/v1/divisions/:divisionId': { access: 'lockers.manage' },
  'PATCH /api/v1/divisions/:divisionId': { access: 'lockers.manage' },
  'DELETE /api/v1/divisions/:divisionId': { access: 'lockers.manage' },
  'GET /api/v1/locations/:locationId': { access: 'lockers.manage' },
  'PATCH /api/v1/locations/:locationId': { access: 'lockers.manage' },
  'DELETE /api/v1/locations/:locationId': { access: 'lockers.manage' },
  // Divisions and locations as CSV: whoever may create and change locations.
  'GET /api/v1/locations/template': { access: 'lockers.manage' },
  'GET /api/v1/locations/export': { access: 'lockers.manage' },
  'POST /api/v1/locations/import': { access: 'lockers.manage' },
  'DELETE /api/v1/banks/:bankId': { access: 'lockers.manage' },
  'GET /api/v1/columns/:columnId': { access: 'lockers.manage' },
  'PATCH /api/v1/columns/:columnId': { access: 'lockers.manage' },
  'DELETE /api/v1/columns/:columnId': { access: 'lockers.manage' },
  'PATCH /api/v1/banks/:bankId/lockers/:number': { access: 'lockers.manage' },
  'DELETE /api/v1/banks/:bankId/lockers/:number': { access: 'lockers.manage' },
  'POST /api/v1/banks/:bankId/shelf-barcodes': { access: 'lockers.manage' },
  'GET /api/v1/banks/:bankId/lockers/:number/barcode.svg': { access: 'lockers.manage' },
  'GET /api/v1/banks/:bankId/lockers/:number/barcode.png': { access: 'lockers.manage' },

  // Lockers with status (and contents with 'lockers.contents'): carriers see free sizes.
  'GET /api/v1/banks/:bankId/lockers': { access: 'lockers.view' },
  'GET /api/v1/banks/:bankId/lockers/:number': { access: 'lockers.view' },
  'PUT /api/v1/banks/:bankId/lockers/:number/service': { access: 'lockers.service' },
  // A signed open-door to the locker's controller.
  'POST /api/v1/banks/:bankId/lockers/:number/open': { access: 'lockers.open' },

  // People.
  // The address book: contacts and departments. Hidden: without the permission, 404 (its existence not revealed).
  'GET /api/v1/contacts': { access: 'addressBook', hidden: 'addressBook' },
  'POST /api/v1/contacts': { access: 'addressBook', hidden: 'addressBook' },
  'GET /api/v1/contacts/export': { access: 'addressBook', hidden: 'addressBook' },
  'GET /api/v1/contacts/template': { access: 'addressBook', hidden: 'addressBook' },
  'POST /api/v1/contacts/import': { access: 'addressBook', hidden: 'addressBook' },
  'GET /api/v1/contacts/:contactId': { access: 'addressBook', hidden: 'addressBook' },
  'PATCH /api/v1/contacts/:contactId': { access: 'addressBook', hidden: 'addressBook' },
  'DELETE /api/v1/contacts/:contactId': { access: 'addressBook', hidden: 'addressBook' },
  'POST /api/v1/contacts/:contactId/erase': { access: 'addressBook.erase', hidden: 'addressBook' },
  'GET /api/v1/departments': { access: 'addressBook', hidden: 'addressBook' },
  'POST /api/v1/departments': { access: 'addressBook', hidden: 'addressBook' },
  'GET /api/v1/departments/:departmentId': { access: 'addressBook', hidden: 'addressBook' },
  'PATCH /api/v1/departments/:departmentId': { access: 'addressBook', hidden: 'addressBook' },
  'DELETE /api/v1/departments/:departmentId': { access: 'addressBook', hidden: 'addressBook' },
  // The address book fed from an SFTP server on a schedule (the handlers also ask for an enterprise-wide access level).
  'GET /api/v1/sftp-import': { access: 'addressBook', hidden: 'addressBook' },
  'PUT /api/v1/sftp-import': { access: 'addressBook', hidden: 'addressBook' },
  'DELETE /api/v1/sftp-import': { access: 'addressBook', hidden: 'addressBook' },
  'DELETE /api/v1/sftp-import/host-key': { access: 'addressBook', hidden: 'addressBook' },
  'POST /api/v1/sftp-import/run': { access: 'addressBook', hidden: 'addressBook' },
  'GET /api/v1/sftp-import/runs': { access: 'addressBook', hidden: 'addressBook' },
  'GET /api/v1/carriers': { access: ['carriers', 'carrierCodes'] },
  'POST /api/v1/carriers': { access: 'carriers' },
  'GET /api/v1/carriers/:carrierId': { access: ['carriers', 'carrierCodes'] },
  'PATCH /api/v1/carriers/:carrierId': { access: 'carriers' },
  'DELETE /api/v1/carriers/:carrierId': { access: 'carriers' },
  // The image holds a carrier code in clear: whoever may issue codes may print them.
  'GET /api/v1/carrier-codes/:carrierCodeId/qr.svg': { access: 'carrierCodes' },
  'GET /api/v1/carrier-codes/:carrierCodeId/qr.png': { access: 'carrierCodes' },
  'POST /api/v1/carriers/:carrierId/codes': { access: 'carrierCodes' },
  'GET /api/v1/carriers/:carrierId/codes': { access: 'carrierCodes' },
  'POST /api/v1/carrier-codes/:carrierCodeId/revoke': { access: 'carrierCodes' },
  // Kiosk sign-ins of staff: whoever holds one opens any locker of the bank.
  'GET /api/v1/staff-credentials': { access: 'staffCredentials' },
  'POST /api/v1/staff-credentials': { access: 'staffCredentials' },
  'DELETE /api/v1/staff-credentials/:staffCredentialId': { access: 'staffCredentials' },

  // Reservations and packages (finer checks in the handlers: without 'reservations.manage', one's own only).
  'GET /api/v1/reservations': { access: ['reservations.manage', 'reservations.deliver', 'reservations.own'] },
  'POST /api/v1/reservations': { access: ['reservations.manage', 'reservations.deliver', 'reservations.own'] },
  'GET /api/v1/reservations/:reservationId': { access: ['reservations.manage', 'reservations.deliver', 'reservations.own'] },
  'POST /api/v1/reservations/:reservationId/drop-off': { access: ['reservations.manage', 'reservations.deliver'] },
  'POST /api/v1/reservations/:reservationId/extend': { access: ['reservations.manage', 'reservations.deliver', 'reservations.own'] },
  'POST /api/v1/reservations/:reservationId/end': { access: 'reservations.manage' },
  'POST /api/v1/reservations/:reservationId/pickup-code': { access: 'reservations.manage' },
  'POST /api/v1/reservations/:reservationId/recipient': { access: 'reservations.manage' },
  'POST /api/v1/pickups': { access: ['reservations.manage', 'reservations.deliver', 'reservations.own'] },
  'POST /api/v1/expiry/run': { access: 'reservations.manage' },

  // Custom fields: the enterprise's settings define them; whoever fills them in on users, contacts or reservations
  // reads them.
  'GET /api/v1/custom-fields': { access: ['settings', 'users', 'addressBook', 'reservations.manage'] },
  'POST /api/v1/custom-fields': { access: 'settings' },
  'PATCH /api/v1/custom-fields/:customFieldId': { access: 'settings' },
  'DELETE /api/v1/custom-fields/:customFieldId': { access: 'settings' },
  // A reservation's custom values: whoever manages reservations.
  'PATCH /api/v1/reservations/:reservationId': { access: 'reservations.manage' },

  'GET /api/v1/activity': { access: 'reports' },
  // Utilisation reports (routes/reports.ts): read from the same history as the activity log.
  'GET /api/v1/reports/utilisation': { access: 'reports' },
  'GET /api/v1/reports/dwell': { access: 'reports' },

  // The enterprise's own e-mail words and who is told of which event: enterprise settings (the handlers also ask for
  // an enterprise-wide access level).
  'GET /api/v1/notification-templates': { access: 'settings' },
  'PUT /api/v1/notification-templates/:kind/:language': { access: 'settings' },
  'DELETE /api/v1/notification-templates/:kind/:language': { access: 'settings' },
  'POST /api/v1/notification-templates/:kind/:language/preview': { access: 'settings' },
  'GET /api/v1/notification-rules': { access: 'settings' },
  'PUT /api/v1/notification-rules': { access: 'settings' },

  // Branding (routes/branding.ts): enterprise settings; a logo file is public (kiosks and e-mails fetch it by hash).
  'GET /api/v1/enterprises/:enterpriseId/branding': { access: 'settings' },
  'PUT /api/v1/enterprises/:enterpriseId/branding': { access: 'settings' },
  'DELETE /api/v1/enterprises/:enterpriseId/branding': { access: 'settings' },
  'POST /api/v1/enterprises/:enterpriseId/branding/logos': { access: 'settings' },
  'GET /api/v1/banks/:bankId/branding': { access: 'settings' },
  'PUT /api/v1/banks/:bankId/branding': { access: 'settings' },
  'DELETE /api/v1/banks/:bankId/branding': { access: 'settings' },
  'GET /branding/:sha256': { access: 'public' },

  // A contact's notification preferences page (mail/preferences.ts): the sealed token in the address is the credential.
  'GET /preferences/:token': { access: 'public' },
  'POST /preferences/:token': { access: 'public' },

  // The whole data folder, every enterprise's and the secrets as stored: the cloud's own operators only.
  'GET /api/v1/backup': { access: 'platform' },
};

export function accessKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}
