/**
 * The console's routes in the server's access table (http/access.ts spreads them in). A page's entry asks for the
 * permission of the API calls it is made of, so whoever may open a page may also read what it shows; the API checks
 * each of those calls again, and its scope check decides which objects appear.
 */
import type { Access } from '../auth/roles.ts';
import type { Permission } from '../domain/model.ts';

export const CONSOLE_ACCESS: Record<string, { access: Access; hidden?: Permission }> = {
  // The way in: the address of the server leads to the console, which sends to sign-in whoever has no session.
  'GET /': { access: 'public' },
  'GET /favicon.ico': { access: 'public' },
  // htmx, the style sheet and the console's script: the same for everyone, nothing in them is secret.
  'GET /console/assets/:file': { access: 'public' },
  'GET /console': { access: 'signed-in' },
  'POST /console/keepalive': { access: 'signed-in' },
  'POST /console/language': { access: 'signed-in' },
  'POST /console/sign-out': { access: 'signed-in' },

  // Manage lockers (lockers-page.ts).
  'GET /console/lockers': { access: 'lockers.view' },
  'GET /console/lockers/:bankId/:number': { access: 'lockers.view' },
  'POST /console/lockers/:bankId/:number/open': { access: 'lockers.open' },
  'POST /console/lockers/:bankId/:number/service': { access: 'lockers.service' },
  'POST /console/lockers/:bankId/:number/end': { access: 'reservations.manage' },

  // Reservations (reservations/): a screen for staff, so 'reservations.manage' (the API's list also serves carriers and
  // recipients); the picker's matches are the address book's. Each post asks for the permission of the API call it makes.
  'GET /console/reservations': { access: 'reservations.manage' },
  'GET /console/reservations/recipients': { access: 'addressBook' },
  'GET /console/reservations/new': { access: 'reservations.manage' },
  'POST /console/reservations/new': { access: 'reservations.manage' },
  'GET /console/reservations/:id': { access: 'reservations.manage' },
  'POST /console/reservations/:id/pickup-code': { access: 'reservations.manage' },
  'POST /console/reservations/:id/recipient': { access: 'reservations.manage' },
  'POST /console/reservations/:id/end': { access: 'reservations.manage' },
  // Activity and reports (activity/activity-page.ts, activity/reports-page.ts); the recipient search reads the address book.
  'GET /console/activity': { access: 'reports' },
  'GET /console/activity.csv': { access: 'reports' },
  'GET /console/activity/recipients': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/reports': { access: 'reports' },
  // The address book (contacts/): hidden like the API's, so whoever lacks it gets 404 and no menu entry.
  'GET /console/contacts': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/contacts/new': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/contacts/new': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/contacts/import': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/contacts/import': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/contacts/export': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/contacts/template': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/contacts/:contactId': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/contacts/:contactId': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/contacts/:contactId/delete': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/contacts/:contactId/delete': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/contacts/:contactId/erase': { access: 'addressBook.erase', hidden: 'addressBook' },
  'POST /console/contacts/:contactId/erase': { access: 'addressBook.erase', hidden: 'addressBook' },

  // Users and roles (users/users-page.ts, users/roles-page.ts).
  'GET /console/users': { access: 'users' },
  'GET /console/users/export': { access: 'users' },
  'GET /console/users/template': { access: 'users' },
  'POST /console/users/import': { access: 'users' },
  'GET /console/users/new': { access: 'users' },
  'POST /console/users/new': { access: 'users' },
  'GET /console/users/:userId': { access: 'users' },
  'POST /console/users/:userId': { access: 'users' },
  'POST /console/users/:userId/welcome': { access: 'users' },
  'POST /console/users/:userId/unlock': { access: 'users' },
  'POST /console/users/:userId/mfa-reset': { access: 'users' },
  'POST /console/users/:userId/delete': { access: 'users' },
  'GET /console/roles': { access: 'roles' },
  'GET /console/roles/new': { access: 'roles' },
  'POST /console/roles/new': { access: 'roles' },
  'GET /console/roles/:roleId': { access: 'roles' },
  'POST /console/roles/:roleId': { access: 'roles' },
  'POST /console/roles/:roleId/delete': { access: 'roles' },

  // Set-up (settings/): the page lists the set-up screens the person may open; each screen has its own entries below.
  'GET /console/settings': { access: 'signed-in' },

  // Organisation (organisation/): the tree and every page of it need 'lockers.manage', the permission of the API's
  // changes of divisions, locations, banks, columns and lockers; renaming a bank is a change of its settings.
  'GET /console/organisation': { access: 'lockers.manage' },
  'POST /console/organisation/enterprise': { access: 'lockers.manage' },
  'GET /console/organisation/divisions/new': { access: 'lockers.manage' },
  'POST /console/organisation/divisions/new': { access: 'lockers.manage' },
  'GET /console/organisation/divisions/:divisionId': { access: 'lockers.manage' },
  'POST /console/organisation/divisions/:divisionId': { access: 'lockers.manage' },
  'POST /console/organisation/divisions/:divisionId/delete': { access: 'lockers.manage' },
  'GET /console/organisation/locations/template': { access: 'lockers.manage' },
  'GET /console/organisation/locations/export': { access: 'lockers.manage' },
  'GET /console/organisation/locations/import': { access: 'lockers.manage' },
  'POST /console/organisation/locations/import': { access: 'lockers.manage' },
  'GET /console/organisation/locations/new': { access: 'lockers.manage' },
  'POST /console/organisation/locations/new': { access: 'lockers.manage' },
  'GET /console/organisation/locations/:locationId': { access: 'lockers.manage' },
  'POST /console/organisation/locations/:locationId': { access: 'lockers.manage' },
  'POST /console/organisation/locations/:locationId/delete': { access: 'lockers.manage' },
  'GET /console/organisation/banks/new': { access: 'lockers.manage' },
  'POST /console/organisation/banks/new': { access: 'lockers.manage' },
  'GET /console/organisation/banks/:bankId': { access: 'lockers.manage' },
  'POST /console/organisation/banks/:bankId': { access: 'settings' },
  'POST /console/organisation/banks/:bankId/delete': { access: 'lockers.manage' },
  'GET /console/organisation/banks/:bankId/columns/new': { access: 'lockers.manage' },
  'POST /console/organisation/banks/:bankId/columns/new': { access: 'lockers.manage' },
  'GET /console/organisation/columns/:columnId': { access: 'lockers.manage' },
  'POST /console/organisation/columns/:columnId': { access: 'lockers.manage' },
  'POST /console/organisation/columns/:columnId/delete': { access: 'lockers.manage' },
  'GET /console/organisation/banks/:bankId/lockers/new': { access: 'lockers.manage' },
  'POST /console/organisation/banks/:bankId/lockers/new': { access: 'lockers.manage' },
  'GET /console/organisation/banks/:bankId/lockers/batch': { access: 'lockers.manage' },
  'POST /console/organisation/banks/:bankId/lockers/batch': { access: 'lockers.manage' },
  'GET /console/organisation/banks/:bankId/lockers/:number': { access: 'lockers.manage' },
  'POST /console/organisation/banks/:bankId/lockers/:number': { access: 'lockers.manage' },
  'POST /console/organisation/banks/:bankId/lockers/:number/delete': { access: 'lockers.manage' },
  // Departments (departments/): the address book's, hidden like the API's; the members' search reads the address book.
  'GET /console/departments': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/departments/contacts': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/departments/new': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/departments/new': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/departments/:departmentId': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/departments/:departmentId': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/departments/:departmentId/delete': { access: 'addressBook', hidden: 'addressBook' },
  // Custom fields (custom-fields/): the API's changes ask for 'settings', and so does the screen.
  'GET /console/custom-fields': { access: 'settings' },
  'GET /console/custom-fields/new': { access: 'settings' },
  'POST /console/custom-fields/new': { access: 'settings' },
  'GET /console/custom-fields/:customFieldId': { access: 'settings' },
  'POST /console/custom-fields/:customFieldId': { access: 'settings' },
  'POST /console/custom-fields/:customFieldId/delete': { access: 'settings' },

  // Notifications (notifications/): the templates and the rules are the API's 'settings' routes.
  'GET /console/notifications': { access: 'settings' },
  'POST /console/notifications/rules': { access: 'settings' },
  'GET /console/notifications/:kind/:language': { access: 'settings' },
  'POST /console/notifications/:kind/:language': { access: 'settings' },
  'POST /console/notifications/:kind/:language/reset': { access: 'settings' },

  // Scheduled imports (imports/): the SFTP import of the address book, hidden like the API's routes.
  'GET /console/imports': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/imports': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/imports/run': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/imports/host-key': { access: 'addressBook', hidden: 'addressBook' },
  'POST /console/imports/delete': { access: 'addressBook', hidden: 'addressBook' },
  // Security (security/): the enterprise's sign-in settings; single sign-on and API keys ask for their APIs' permissions.
  'GET /console/security': { access: 'settings' },
  'POST /console/security': { access: 'settings' },
  'GET /console/security/sso': { access: 'sso' },
  'POST /console/security/sso': { access: 'sso' },
  'POST /console/security/sso/remove': { access: 'sso' },
  'GET /console/security/api-keys': { access: 'users' },
  'POST /console/security/api-keys': { access: 'users' },
  'POST /console/security/api-keys/:apiKeyId/revoke': { access: 'users' },
  // Retention and erasure (retention/): the retention period is a setting; finding and erasing a person is the address
  // book's, hidden like it.
  'GET /console/retention': { access: 'settings' },
  'POST /console/retention': { access: 'settings' },
  'GET /console/retention/people': { access: 'addressBook', hidden: 'addressBook' },
  'GET /console/retention/erase/:contactId': { access: 'addressBook.erase', hidden: 'addressBook' },
  'POST /console/retention/erase/:contactId': { access: 'addressBook.erase', hidden: 'addressBook' },
  // Carriers (carriers/): the list as the API's (whoever manages carriers or issues their codes); each change asks for
  // the permission of its API call. The sheet holds codes as QR images: whoever may issue codes may print them.
  'GET /console/carriers': { access: ['carriers', 'carrierCodes'] },
  'GET /console/carriers/new': { access: ['carriers', 'carrierCodes'] },
  'POST /console/carriers/new': { access: 'carriers' },
  'GET /console/carriers/:carrierId': { access: ['carriers', 'carrierCodes'] },
  'POST /console/carriers/:carrierId': { access: 'carriers' },
  'POST /console/carriers/:carrierId/delete': { access: 'carriers' },
  'GET /console/carriers/:carrierId/codes': { access: 'carrierCodes' },
  'POST /console/carriers/:carrierId/codes': { access: 'carrierCodes' },
  'POST /console/carriers/:carrierId/codes/:carrierCodeId/revoke': { access: 'carrierCodes' },
  'GET /console/carriers/:carrierId/sheet': { access: 'carrierCodes' },
  // Labels (labels/): the rear shelves' barcodes and the lockers' labels, printed by whoever configures lockers.
  'GET /console/labels': { access: 'lockers.manage' },
  'GET /console/labels/:bankId/shelf-barcodes': { access: 'lockers.manage' },
  'POST /console/labels/:bankId/shelf-barcodes': { access: 'lockers.manage' },
  'GET /console/labels/:bankId/shelves': { access: 'lockers.manage' },
  'GET /console/labels/:bankId/lockers': { access: 'lockers.manage' },
  // Bank settings (bank-settings/): the API's bank policy, changed with 'settings'.
  'GET /console/bank-settings': { access: 'settings' },
  'GET /console/bank-settings/:bankId': { access: 'settings' },
  'POST /console/bank-settings/:bankId': { access: 'settings' },

  // Branding (branding/branding-page.ts): the API's branding routes ask for 'settings'.
  'GET /console/branding': { access: 'settings' },
  'POST /console/branding': { access: 'settings' },
  'POST /console/branding/remove': { access: 'settings' },
  'GET /console/branding/banks/:bankId': { access: 'settings' },
  'POST /console/branding/banks/:bankId': { access: 'settings' },
  'POST /console/branding/banks/:bankId/remove': { access: 'settings' },
};
