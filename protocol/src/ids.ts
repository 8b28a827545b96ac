import { z } from 'zod';

/** Longest id we accept anywhere in the topic tree. */
export const MAX_ID_LENGTH = 64;

/**
 * The one id pattern of the platform (banks, controllers, commands, and every record of the cloud): 1 to 64 letters,
 * digits, ".", "_" or "-", starting with a letter or digit. Ids end up as MQTT topic levels, so they may not hold
 * `+`, `#` or `/` (wildcards and level separators), may not be empty, and stay short.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Whether `value` is an id (ID_PATTERN). */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** An id (ID_PATTERN), with a message naming what is wrong with it. */
export const idSchema = z
  .string()
  .min(1, 'id must not be empty')
  .max(MAX_ID_LENGTH, `id must be at most ${MAX_ID_LENGTH} characters`)
  .regex(ID_PATTERN, 'id may hold only letters, digits, ".", "_" and "-", and must start with a letter or digit');

export type Id = z.infer<typeof idSchema>;

/** Milliseconds since the Unix epoch (cloud time unless a field says otherwise). */
export const epochMsSchema = z.number().int().min(0).max(8_640_000_000_000_000);

/** A 1-based door number within one controller's column. */
export const doorNumberSchema = z.number().int().min(1).max(160);

/** A bank-wide locker number. */
export const lockerNumberSchema = z.number().int().min(1).max(9999);

/** A short human text (reasons, labels). */
export const shortTextSchema = z.string().max(200);
