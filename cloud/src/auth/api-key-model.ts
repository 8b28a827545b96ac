/** An API key as the store keeps it (the store imports this, so it imports nothing of the store; api-keys.ts has the rules). */
import { z } from 'zod';
import { accessLevelSchema, entityIdSchema, epochMs, roleIdSchema } from '../domain/model.ts';

export const apiKeyRecordSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  name: z.string().trim().min(1).max(100),
  role: roleIdSchema,
  accessLevel: accessLevelSchema,
  /** SHA-256 hex of the key's secret part; the key itself is shown once and never stored. */
  secretHash: z.string().length(64),
  createdAt: epochMs,
  /** The user who made it, and for whom it acts. */
  createdBy: entityIdSchema,
  expiresAt: epochMs,
  lastUsedAt: epochMs.optional(),
  revokedAt: epochMs.optional(),
  revokedBy: z.string().min(1).max(64).optional(),
});
export type ApiKeyRecord = z.infer<typeof apiKeyRecordSchema>;

/** What the API shows of a key: everything but the hash of its secret, and whether it works now. */
export const PublicApiKeySchema = apiKeyRecordSchema.omit({ secretHash: true }).extend({ status: z.enum(['active', 'expired', 'revoked']) });
export type PublicApiKey = z.infer<typeof PublicApiKeySchema>;
