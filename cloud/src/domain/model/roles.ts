/**
 * Permissions, roles and access levels: what a signed-in user may do, and over which part of their enterprise.
 *
 * The catalogue of permissions is fixed (the code checks each by name); a role is a named set of them. The four
 * predefined roles keep the ids the fixed roles had (`admin`, `operator`, `carrier`, `recipient`), so users and
 * staff credentials stored with those words hold the same rights; an enterprise adds its own roles beside them.
 */
import { z } from 'zod';
import { entityIdSchema, epochMs } from './common.ts';
import { name } from './fields.ts';

/** Every permission, with what it allows (the OpenAPI document and the role editor show these texts). */
export const PERMISSION_TEXTS = {
  'lockers.view': 'See banks and lockers, and which lockers are free',
  'lockers.contents': 'See what is in each locker and for whom',
  'lockers.manage': 'Create, change and delete divisions, locations, banks, columns and lockers',
  'lockers.service': 'Put lockers in or out of service',
  'lockers.open': 'Open a locker door remotely',
  'reservations.manage': 'Reserve lockers for anyone, drop off, end reservations, issue pickup codes, see every reservation',
  'reservations.deliver': "Deliver into the reservations of one's carrier",
  'reservations.own': "See and collect one's own parcels, start day-use storage",
  addressBook: 'See and change contacts and departments',
  'addressBook.erase': "Erase a contact's personal data",
  users: 'See and change users',
  roles: 'See and change roles',
  reports: 'See and export the activity log',
  settings: 'Change bank policy and enterprise settings',
  carriers: 'Create, change and delete carriers',
  carrierCodes: "Issue and revoke carriers' access codes",
  staffCredentials: 'Issue and revoke kiosk sign-ins of staff',
  // Apart from settings: the identity provider it names signs in any user of the enterprise, and may create users.
  sso: "Set up the enterprise's single sign-on (its identity provider signs in any of its users)",
} as const;
export type Permission = keyof typeof PERMISSION_TEXTS;
export const PERMISSIONS = Object.keys(PERMISSION_TEXTS) as [Permission, ...Permission[]];
export const permissionSchema = z.enum(PERMISSIONS);

const OPERATOR: readonly Permission[] = [
  'lockers.view',
  'lockers.contents',
  'lockers.service',
  'lockers.open',
  'reservations.manage',
  'addressBook',
  'reports',
  'carrierCodes',
];

/** A role: its name and the permissions it grants. Predefined roles have no enterprise (every enterprise has them). */
export const roleRecordSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema.optional(),
  name,
  permissions: z.array(permissionSchema).max(PERMISSIONS.length),
  predefined: z.boolean().optional(),
  createdAt: epochMs,
});
export type RoleRecord = z.infer<typeof roleRecordSchema>;

/** The predefined roles; their ids are the words of the fixed roles before roles could be made. */
export const PREDEFINED_ROLES = {
  admin: { id: 'admin', name: 'Administrator', permissions: [...PERMISSIONS], predefined: true, createdAt: 0 },
  operator: { id: 'operator', name: 'Operator', permissions: [...OPERATOR], predefined: true, createdAt: 0 },
  carrier: { id: 'carrier', name: 'Carrier', permissions: ['lockers.view', 'reservations.deliver'], predefined: true, createdAt: 0 },
  recipient: { id: 'recipient', name: 'Recipient', permissions: ['reservations.own'], predefined: true, createdAt: 0 },
} as const satisfies Record<string, RoleRecord>;
export type PredefinedRoleId = keyof typeof PREDEFINED_ROLES;
export const ADMIN_ROLE_ID: PredefinedRoleId = 'admin';

export function predefinedRole(id: string): RoleRecord | undefined {
  return Object.hasOwn(PREDEFINED_ROLES, id) ? PREDEFINED_ROLES[id as PredefinedRoleId] : undefined;
}

/**
 * A user (or key) of role `roleId` as the activity log names an actor: the log's actor roles are the protocol's fixed
 * words (controllers write them too), so a user of an enterprise's own role acts as staff, and the id says who.
 */
export function actorAs(roleId: string, id: string): { role: PredefinedRoleId; id: string } {
  return { role: predefinedRole(roleId) ? (roleId as PredefinedRoleId) : 'operator', id };
}

const uniquePermissions = z.array(permissionSchema).max(PERMISSIONS.length).refine((p) => new Set(p).size === p.length, 'each permission at most once');
export const createRoleInput = z.strictObject({ id: entityIdSchema.optional(), enterpriseId: entityIdSchema, name, permissions: uniquePermissions });
export type CreateRoleInput = z.input<typeof createRoleInput>;
export const updateRoleInput = z.strictObject({ name: name.optional(), permissions: uniquePermissions.optional() });
export type UpdateRoleInput = z.input<typeof updateRoleInput>;

/**
 * Where a user's rights apply: the whole enterprise, one division (its locations and banks), or one location.
 * Everything outside answers as if it did not exist.
 */
export const accessLevelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('enterprise') }),
  z.strictObject({ kind: z.literal('division'), id: entityIdSchema }),
  z.strictObject({ kind: z.literal('location'), id: entityIdSchema }),
]);
export type AccessLevel = z.infer<typeof accessLevelSchema>;
export const ENTERPRISE_LEVEL: AccessLevel = { kind: 'enterprise' };
