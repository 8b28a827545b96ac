import { z } from 'zod';

/** Schema version of every message; a new major goes to a new topic version. */
export const versionField = z.literal(1);

/** An Ed25519 signature, base64url without padding (64 bytes -> 86 characters). */
export const signatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'sig must be a base64url Ed25519 signature');

/** Who did something. */
export const actorSchema = z.strictObject({
  role: z.enum(['recipient', 'operator', 'carrier', 'admin', 'technician', 'system']),
  id: z.string().min(1).max(64).optional(),
});
export type Actor = z.infer<typeof actorSchema>;

/** Service state of a door / locker. */
export const serviceStateSchema = z.enum(['in-service', 'out-of-service']);
export type ServiceState = z.infer<typeof serviceStateSchema>;

/** Locker sizes, smallest first. */
export const LOCKER_SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;
export const lockerSizeSchema = z.enum([...LOCKER_SIZES, 'custom']);
export type LockerSize = z.infer<typeof lockerSizeSchema>;
