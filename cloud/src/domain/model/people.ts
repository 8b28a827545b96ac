/** Contacts, departments, carriers and login accounts. */
import { z } from 'zod';
import { entityIdSchema, epochMs } from './common.ts';
import { name } from './fields.ts';

export const contactSchema = z.strictObject({
  id: entityIdSchema,
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
  name,
  email: z.email().max(254).optional(),
  personnelId: z.string().trim().min(1).max(64).optional(),
  departmentId: entityIdSchema.optional(),
  needsAccessible: z.boolean().default(false),
});
export type CreateContactInput = z.input<typeof createContactInput>;
export const updateContactInput = createContactInput.omit({ id: true }).partial();
export type UpdateContactInput = z.input<typeof updateContactInput>;

export const departmentSchema = z.strictObject({
  id: entityIdSchema,
  name,
  memberIds: z.array(entityIdSchema).max(10_000),
  keyContactId: entityIdSchema.optional(),
  createdAt: epochMs,
});
export type Department = z.infer<typeof departmentSchema>;
export const createDepartmentInput = z.strictObject({
  id: entityIdSchema.optional(),
  name,
  memberIds: z.array(entityIdSchema).max(10_000).default([]),
  keyContactId: entityIdSchema.optional(),
});
export type CreateDepartmentInput = z.input<typeof createDepartmentInput>;

export const carrierSchema = z.strictObject({ id: entityIdSchema, name, createdAt: epochMs });
export type Carrier = z.infer<typeof carrierSchema>;
export const createCarrierInput = z.strictObject({ id: entityIdSchema.optional(), name });
export type CreateCarrierInput = z.input<typeof createCarrierInput>;
export const updateCarrierInput = z.strictObject({ name });
export type UpdateCarrierInput = z.input<typeof updateCarrierInput>;

export const ROLES = ['admin', 'operator', 'carrier', 'recipient'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/**
 * A login account. The HTTP layer owns passwords: it hashes them (scrypt) and hands the service an opaque
 * `passwordHash` string; the domain only stores it.
 */
export const userSchema = z.strictObject({
  id: entityIdSchema,
  username: z.string().trim().min(1).max(64),
  role: roleSchema,
  passwordHash: z.string().min(1).max(1000),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
  disabled: z.boolean(),
  createdAt: epochMs,
});
export type User = z.infer<typeof userSchema>;
export const createUserRecordInput = z.strictObject({
  id: entityIdSchema.optional(),
  username: z.string().trim().min(1).max(64),
  role: roleSchema,
  passwordHash: z.string().min(1).max(1000),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
});
export type CreateUserRecordInput = z.input<typeof createUserRecordInput>;
export const updateUserRecordInput = z.strictObject({
  role: roleSchema.optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  disabled: z.boolean().optional(),
});
export type UpdateUserRecordInput = z.input<typeof updateUserRecordInput>;
