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

  // Branding (branding/branding-page.ts): the API's branding routes ask for 'settings'.
  'GET /console/branding': { access: 'settings' },
  'POST /console/branding': { access: 'settings' },
  'POST /console/branding/remove': { access: 'settings' },
  'GET /console/branding/banks/:bankId': { access: 'settings' },
  'POST /console/branding/banks/:bankId': { access: 'settings' },
  'POST /console/branding/banks/:bankId/remove': { access: 'settings' },
};
