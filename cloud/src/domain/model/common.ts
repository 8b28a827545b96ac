/** Ids, sizes and dimensions every part of the model shares. */
import { z } from 'zod';
import { actorSchema, LOCKER_SIZES, lockerNumberSchema, serviceStateSchema } from '@portier/protocol';

export { LOCKER_SIZES, type Actor } from '@portier/protocol';
export type { BankRules, CredentialHashParams, ServiceState } from '@portier/protocol';

/** Ids end up in MQTT topics (bank ids) and URLs: the same rule as the protocol's topic ids. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const entityIdSchema = z
  .string()
  .regex(ID_PATTERN, 'id must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
export type EntityId = z.infer<typeof entityIdSchema>;

export const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

export { actorSchema, lockerNumberSchema, serviceStateSchema };
export const lockerSizeSchema = z.enum(['XS', 'S', 'M', 'L', 'XL', 'custom']);
export type LockerSize = z.infer<typeof lockerSizeSchema>;
/** A parcel is described by a standard size or by its dimensions. */
export const parcelSizeSchema = z.enum(LOCKER_SIZES);
export type ParcelSize = z.infer<typeof parcelSizeSchema>;

export const dimensionsSchema = z.strictObject({
  widthCm: z.number().positive().max(500),
  heightCm: z.number().positive().max(500),
  depthCm: z.number().positive().max(500),
});
export type Dimensions = z.infer<typeof dimensionsSchema>;

/** Nominal inside dimensions of the standard sizes; a locker or parcel without dimensions takes these. */
export const STANDARD_DIMENSIONS: Record<ParcelSize, Dimensions> = {
  XS: { widthCm: 32, heightCm: 8, depthCm: 48 },
  S: { widthCm: 32, heightCm: 16, depthCm: 48 },
  M: { widthCm: 32, heightCm: 32, depthCm: 48 },
  L: { widthCm: 32, heightCm: 48, depthCm: 48 },
  XL: { widthCm: 32, heightCm: 64, depthCm: 48 },
};

/**
 * The inside dimensions of a locker: its own for a custom size, else its standard size's. (A custom locker without
 * dimensions is refused by the locker's schema; the smallest standard size stands in for it.)
 */
export function lockerDimensions(l: { size: LockerSize; dimensions?: Dimensions | undefined }): Dimensions {
  if (l.dimensions) return l.dimensions;
  return STANDARD_DIMENSIONS[l.size === 'custom' ? 'XS' : l.size];
}
