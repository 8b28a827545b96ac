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
export const updateCarrierInput = z.strictObject({ name });
export type UpdateCarrierInput = z.input<typeof updateCarrierInput>;

/** A user's role: a predefined role's id (`admin`, `operator`, `carrier`, `recipient`) or one of the enterprise's. */
export const roleIdSchema = entityIdSchema;

/**
 * A login account. The HTTP layer owns passwords: it hashes them (scrypt) and hands the service an opaque
 * `passwordHash` string; the domain only stores it.
 */
export const userSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  username: z.string().trim().min(1).max(64),
  role: roleIdSchema,
  accessLevel: accessLevelSchema,
  /** May create enterprises and take backups of the whole data folder: the operators of the cloud itself. */
  platformAdmin: z.boolean().optional(),
  passwordHash: z.string().min(1).max(1000),
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
  role: roleIdSchema,
  accessLevel: accessLevelSchema.optional(),
  platformAdmin: z.boolean().optional(),
  passwordHash: z.string().min(1).max(1000),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
});
export type CreateUserRecordInput = z.input<typeof createUserRecordInput>;
export const updateUserRecordInput = z.strictObject({
  role: roleIdSchema.optional(),
  accessLevel: accessLevelSchema.optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  disabled: z.boolean().optional(),
});
export type UpdateUserRecordInput = z.input<typeof updateUserRecordInput>;
