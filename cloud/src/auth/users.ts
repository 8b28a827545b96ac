import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { accessLevelSchema, entityIdSchema, predefinedRole, roleIdSchema, type RoleRecord, type User } from '../domain/model.ts';

export const UserNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');

export const PasswordSchema = z.string().min(8, 'at least 8 characters').max(256);

/** A stored user is the domain's `User`: the password only as an encoded scrypt hash (`passwords.ts`). */
export type UserRecord = User;

/** What the API shows of a user. */
export const PublicUserSchema = z.object({
  id: z.string(),
  enterpriseId: z.string(),
  username: z.string(),
  role: z.string(),
  accessLevel: accessLevelSchema,
  platformAdmin: z.boolean().optional(),
  contactId: z.string().optional(),
  carrierId: z.string().optional(),
  disabled: z.boolean(),
  createdAt: z.number(),
});
export type PublicUser = z.infer<typeof PublicUserSchema>;

export interface TokenRecord {
  /** SHA-256 hex of the bearer token; the token itself is never stored. */
  hash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

/** A new user as the API takes it; the enterprise is the caller's (set by the handler, not the body). */
export const CreateUserBodySchema = z.strictObject({
  username: UserNameSchema,
  password: PasswordSchema,
  role: roleIdSchema,
  accessLevel: accessLevelSchema.optional(),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
});
export const CreateUserInputSchema = CreateUserBodySchema.extend({ enterpriseId: entityIdSchema, platformAdmin: z.boolean().optional() });
export type CreateUserInput = z.infer<typeof CreateUserInputSchema>;

export const UpdateUserInputSchema = z.strictObject({
  password: PasswordSchema.optional(),
  role: roleIdSchema.optional(),
  accessLevel: accessLevelSchema.optional(),
  disabled: z.boolean().optional(),
  contactId: entityIdSchema.nullable().optional(),
  carrierId: entityIdSchema.nullable().optional(),
});
export type UpdateUserInput = z.infer<typeof UpdateUserInputSchema>;

export function publicUser(u: UserRecord): PublicUser {
  const { passwordHash: _hash, ...rest } = u;
  return rest;
}

export function newUserId(): string {
  return `usr_${randomUUID()}`;
}

/** Where users live: the durable store's `users` collection in the server (`store-repo.ts`). */
export interface UserRepo {
  getUser(id: string): Promise<UserRecord | undefined>;
  findUserByName(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** A role an enterprise's users may hold (predefined or the enterprise's own), or undefined. */
  findRole(enterpriseId: string, roleId: string): Promise<RoleRecord | undefined>;
  /** Resolves once the write is durable. */
  putUser(user: UserRecord): Promise<void>;
  deleteUser(id: string): Promise<void>;
}

/**
 * Where token hashes live. Kept apart from users because a token is session state: losing them on a restart
 * only asks people to log in again, and they must never reach the domain's backups or exports.
 */
export interface TokenRepo {
  get(hash: string): Promise<TokenRecord | undefined>;
  put(token: TokenRecord): Promise<void>;
  delete(hash: string): Promise<void>;
  /** Drops expired tokens, and every token of `userId` when given (password change, user removed). */
  prune(now: number, userId?: string): Promise<void>;
}

export class MemoryUserRepo implements UserRepo {
  readonly users = new Map<string, UserRecord>();
  readonly roles = new Map<string, RoleRecord>();
  async findRole(enterpriseId: string, roleId: string) {
    const r = predefinedRole(roleId) ?? this.roles.get(roleId);
    return r && (r.enterpriseId === undefined || r.enterpriseId === enterpriseId) ? r : undefined;
  }
  async getUser(id: string) {
    return this.users.get(id);
  }
  async findUserByName(username: string) {
    const lower = username.toLowerCase();
    return [...this.users.values()].find((u) => u.username.toLowerCase() === lower);
  }
  async listUsers() {
    return [...this.users.values()];
  }
  async putUser(user: UserRecord) {
    this.users.set(user.id, structuredClone(user));
  }
  async deleteUser(id: string) {
    this.users.delete(id);
  }
}

export class MemoryTokenRepo implements TokenRepo {
  readonly tokens = new Map<string, TokenRecord>();
  async get(hash: string) {
    return this.tokens.get(hash);
  }
  async put(token: TokenRecord) {
    this.tokens.set(token.hash, { ...token });
  }
  async delete(hash: string) {
    this.tokens.delete(hash);
  }
  async prune(now: number, userId?: string) {
    for (const [h, t] of this.tokens) if (t.expiresAt <= now || t.userId === userId) this.tokens.delete(h);
  }
}
