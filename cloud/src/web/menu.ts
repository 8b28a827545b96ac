/**
 * The console's menu: an entry shows only when the person's role may open its page, read from the same access table
 * the server checks every request against (http/access.ts), so what is offered and what is allowed cannot differ.
 */
import type { Principal } from '../auth/service.ts';
import { allows } from '../auth/roles.ts';
import { ROUTE_ACCESS, accessKey } from '../http/access.ts';
import { MENU_KEYS, type MenuKey } from './shell-words.ts';
import { SETUP_GROUPS, SETUP_PATHS, type SetupKey } from './settings/setup-screens.ts';

export const CONSOLE_PATHS: Record<MenuKey, string> = {
  lockers: '/console/lockers',
  reservations: '/console/reservations',
  activity: '/console/activity',
  reports: '/console/reports',
  contacts: '/console/contacts',
  users: '/console/users',
  roles: '/console/roles',
  settings: '/console/settings',
};

/** Whether `principal` may make the request `method path` (a route pattern of the access table). */
export function mayCall(principal: Principal, method: string, path: string): boolean {
  const entry = ROUTE_ACCESS[accessKey(method, path)];
  if (!entry) return false;
  return entry.access === 'public' || allows(principal, entry.access);
}

/** The menu entries `principal` may open, in menu order. */
export function menuOf(principal: Principal): MenuKey[] {
  // The set-up entry leads to the set-up screens: it shows when the person may open one of them.
  return MENU_KEYS.filter((k) => (k === 'settings' ? setupScreensOf(principal).length > 0 : mayCall(principal, 'GET', CONSOLE_PATHS[k])));
}

/** The set-up screens `principal` may open, in the set-up page's order. */
export function setupScreensOf(principal: Principal): SetupKey[] {
  const all: readonly SetupKey[] = Object.values(SETUP_GROUPS).flat();
  return all.filter((k) => mayCall(principal, 'GET', SETUP_PATHS[k]));
}
