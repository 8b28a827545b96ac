/** The stored shape of an account's failed sign-ins and its lock (store collection `loginFailures`, auth/lockout.ts). */
import { z } from 'zod';

export const loginFailuresSchema = z.strictObject({
  userId: z.string().min(1),
  enterpriseId: z.string().min(1),
  /** Failed sign-ins since the last success, unlock or end of a lock. */
  count: z.number().int().min(0),
  firstAt: z.number(),
  lastAt: z.number(),
  /** While later than now, the account is locked. */
  lockedUntil: z.number().optional(),
});
export type LoginFailures = z.infer<typeof loginFailuresSchema>;
