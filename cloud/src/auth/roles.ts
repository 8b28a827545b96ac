import { ROLES, roleSchema, type Role } from '../domain/model.ts';

export { ROLES, roleSchema as RoleSchema, type Role };

/** Who may call a route: a list of roles, or `public` for the few routes reachable without a token. */
export type Access = readonly Role[] | 'public';

export const ALL_ROLES: readonly Role[] = ROLES;
export const STAFF: readonly Role[] = ['admin', 'operator'];
export const ADMIN: readonly Role[] = ['admin'];
