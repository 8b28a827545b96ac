import { z } from 'zod';
import { accessLevelSchema, customInputSchema, customShownSchema, entityIdSchema, roleIdSchema, userLanguageSchema, userSchema, updateUserRecordInput, type User } from '../domain/model.ts';

export const UserNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');

export const PasswordSchema = z.string().min(8, 'at least 8 characters').max(256);

/** A stored user is the domain's `User`: the password only as a hash (`passwords.ts`: argon2id, or scrypt of earlier releases). */
export type UserRecord = User;

/** What the API shows of a user: the record without its password hash, and whether it has one. */
export const PublicUserSchema = userSchema.omit({ passwordHash: true }).extend({
  /** False for an imported user nobody has set a password for yet: they cannot sign in. */
  hasPassword: z.boolean(),
  custom: customShownSchema.optional(),
});
export type PublicUser = z.infer<typeof PublicUserSchema>;

/**
 * A new user as the API takes it; the enterprise is the caller's (set by the handler, not the body). Without a
 * password the user cannot sign in until an administrator sets one.
 */
export const CreateUserBodySchema = z.strictObject({
  username: UserNameSchema,
  password: PasswordSchema.optional(),
  firstName: z.string().trim().min(1).max(100).optional(),
  lastName: z.string().trim().min(1).max(100).optional(),
  email: z.email().max(254).optional(),
  language: userLanguageSchema.optional(),
  employeeId: z.string().trim().min(1).max(64).optional(),
  badgeId: z.string().trim().min(1).max(64).optional(),
  role: roleIdSchema,
  accessLevel: accessLevelSchema.optional(),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
  custom: customInputSchema.optional(),
});
export const CreateUserInputSchema = CreateUserBodySchema.extend({ enterpriseId: entityIdSchema, platformAdmin: z.boolean().optional() });
export type CreateUserInput = z.infer<typeof CreateUserInputSchema>;

/** An edit: the record's fields (`null` clears an optional one) and a new password instead of its hash. */
export const UpdateUserInputSchema = updateUserRecordInput.omit({ passwordHash: true }).extend({ password: PasswordSchema.optional() });
export type UpdateUserInput = z.infer<typeof UpdateUserInputSchema>;

export function publicUser(u: UserRecord): PublicUser {
  const { passwordHash, ...rest } = u;
  return { ...rest, hasPassword: passwordHash !== undefined };
}

// The sessions' store (sessions.ts), importable from here as well.
export { MemoryTokenRepo, type TokenRecord, type TokenRepo } from './sessions.ts';
