/**
 * The role word a staff PIN or badge of a user carries to the kiosk, from that user's permissions now: the
 * controller protocol keeps its fixed words, the cloud decides them. The kiosk's staff purposes (drop-off, removing
 * expired parcels) need 'reservations.manage'; a credential issued as admin signs in as admin only while the user
 * may also manage lockers, else as operator. Undefined: the user may not sign in at a kiosk at all.
 */
import { predefinedRole, type Permission, type User } from '../domain/model.ts';
import type { DesiredSource } from './bank-layout.ts';

export type StaffKioskRole = 'operator' | 'admin';

export function staffKioskRole(issued: StaffKioskRole | 'carrier', permissions: ReadonlySet<Permission>): StaffKioskRole | undefined {
  if (!permissions.has('reservations.manage')) return undefined;
  return issued === 'admin' && permissions.has('lockers.manage') ? 'admin' : 'operator';
}

/** The permissions of a user's role as stored now (none when the role is gone). */
export function userPermissions(src: DesiredSource, user: User): ReadonlySet<Permission> {
  const role = predefinedRole(user.role) ?? src.get('roles', user.role);
  return new Set(role?.permissions ?? []);
}
