import type { Permission } from '../domain/model.ts';
import type { Principal } from './service.ts';

/**
 * Who may call a route: `public` (no token), `signed-in` (any valid token; the handler narrows), `platform` (the
 * operators of the cloud itself: enterprises and whole-folder backups), one permission, or a list of which any one
 * will do.
 */
export type Access = Permission | readonly Permission[] | 'public' | 'signed-in' | 'platform';

/** Whether a signed-in principal passes a route's access rule. */
export function allows(p: Principal, access: Exclude<Access, 'public'>): boolean {
  if (access === 'signed-in') return true;
  if (access === 'platform') return p.platformAdmin;
  if (typeof access === 'string') return p.permissions.has(access);
  return access.some((a) => p.permissions.has(a));
}
