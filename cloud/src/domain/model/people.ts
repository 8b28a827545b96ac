/** Contacts, departments, carriers and login accounts. */
import { z } from 'zod';
import { entityIdSchema, epochMs } from './common.ts';
import { name } from './fields.ts';
import { accessLevelSchema } from './roles.ts';

export const contactSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  name,
  email: z.email().max(254).optional(),
  /** Unique across the enterprise when given. */
  personnelId: z.string().trim().min(1).max(64).optional(),
  departmentId: entityIdSchema.optional(),
  needsAccessible: z.boolean(),
  createdAt: epochMs,
});
export type Contact = z.infer<typeof contactSchema>;
export const createContactInput = z.strictObject({
  id: entityIdSchema.optional(),
  enterpriseId: entityIdSchema,
  name,
  email: z.email().max(254).optional(),
  personnelId: z.string().trim().min(1).max(64).optional(),
  departmentId: entityIdSchema.optional(),
  needsAccessible: z.boolean().default(false),
});
export type CreateContactInput = z.input<typeof createContactInput>;
export const updateContactInput = createContactInput.omit({ id: true, enterpriseId: true }).partial();
export type UpdateContactInput = z.input<typeof updateContactInput>;

export const departmentSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  name,
  memberIds: z.array(entityIdSchema).max(10_000),
  keyContactId: entityIdSchema.optional(),
  createdAt: epochMs,
});
export type Department = z.infer<typeof departmentSchema>;
export const createDepartmentInput = z.strictObject({
  id: entityIdSchema.optional(),
  enterpriseId: entityIdSchema,
  name,
  memberIds: z.array(entityIdSchema).max(10_000).default([]),
  keyContactId: entityIdSchema.optional(),
});
export type CreateDepartmentInput = z.input<typeof createDepartmentInput>;

export const carrierSchema = z.strictObject({ id: entityIdSchema, enterpriseId: entityIdSchema, name, createdAt: epochMs });
export type Carrier = z.infer<typeof carrierSchema>;
export const createCarrierInput = z.strictObject({ id: entityIdSchema.optional(), enterpriseId: entityIdSchema, name });
export type CreateCarrierInput = z.input<typeof createCarrierInput>;

/** A user's role: a predefined role's id (`admin`, `operator`, `carrier`, `recipient`) or one of the enterprise's. */
export const roleIdSchema = entityIdSchema;

/** The languages a user's screens and messages come in. */
export const USER_LANGUAGES = ['en', 'fr'] as const;
export const userLanguageSchema = z.enum(USER_LANGUAGES);
const personName = z.string().trim().min(1).max(100);
const userEmail = z.email().max(254);
const employeeId = z.string().trim().min(1).max(64);
const badgeId = z.string().trim().min(1).max(64);

/** What an administrator says about a person, shared by create, edit and import. */
const userProfile = {
  firstName: personName.optional(),
  lastName: personName.optional(),
  email: userEmail.optional(),
  language: userLanguageSchema.optional(),
  /** Unique across the enterprise when given; required when the enterprise says so. */
  employeeId: employeeId.optional(),
  badgeId: badgeId.optional(),
};

/**
 * A login account. The auth layer owns passwords: it hashes them (scrypt) and hands the domain an opaque
 * `passwordHash` string; the domain only stores it. A user without one (imported) cannot sign in until an
 * administrator sets a password. Names are optional in the record: users stored before they had names keep none
 * rather than one made up from the user name.
 */
export const userSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  username: z.string().trim().min(1).max(64),
  ...userProfile,
  role: roleIdSchema,
  accessLevel: accessLevelSchema,
  /** May create enterprises and take backups of the whole data folder: the operators of the cloud itself. */
  platformAdmin: z.boolean().optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
  disabled: z.boolean(),
  createdAt: epochMs,
});
export type User = z.infer<typeof userSchema>;
export const createUserRecordInput = z.strictObject({
  id: entityIdSchema.optional(),
  enterpriseId: entityIdSchema,
  username: z.string().trim().min(1).max(64),
  ...userProfile,
  role: roleIdSchema,
  accessLevel: accessLevelSchema.optional(),
  platformAdmin: z.boolean().optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
});
export type CreateUserRecordInput = z.input<typeof createUserRecordInput>;
/** `null` clears an optional field. */
export const updateUserRecordInput = z.strictObject({
  firstName: personName.nullable().optional(),
  lastName: personName.nullable().optional(),
  email: userEmail.nullable().optional(),
  language: userLanguageSchema.nullable().optional(),
  employeeId: employeeId.nullable().optional(),
  badgeId: badgeId.nullable().optional(),
  role: roleIdSchema.optional(),
  accessLevel: accessLevelSchema.optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  disabled: z.boolean().optional(),
  contactId: entityIdSchema.nullable().optional(),
  carrierId: entityIdSchema.nullable().optional(),
});
export type UpdateUserRecordInput = z.input<typeof updateUserRecordInput>;
