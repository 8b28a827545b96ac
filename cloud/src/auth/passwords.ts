/**
 * Password hashes. New hashes are argon2id (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`, the PHC string the argon2
 * library reads back); hashes of earlier releases are scrypt (`scrypt$N$r$p$salt$hash`) and still verify, so a stored
 * user signs in with their old password and gets an argon2id hash at that sign-in (`needsNewHash`).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import argon2 from 'argon2';
import { z } from 'zod';

/** argon2id cost parameters; a stored hash names its own, so they can be raised without breaking old hashes. */
export const Argon2ParamsSchema = z.strictObject({
  /** KiB of memory per hash (argon2 needs at least 8 per lane). */
  memoryCost: z.number().int().min(8).max(4 * 1024 * 1024),
  timeCost: z.number().int().min(1).max(100),
  parallelism: z.number().int().min(1).max(16),
});
export type Argon2Params = z.infer<typeof Argon2ParamsSchema>;

/** OWASP's argon2id minimum (19 MiB, two passes, one lane): about 0.1 s on a small machine. */
export const DEFAULT_ARGON2_PARAMS: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

const ARGON2ID_PREFIX = '$argon2id$';

/** A new stored hash of `password`: an argon2id PHC string. */
export function hashNewPassword(password: string, params: Argon2Params): Promise<string> {
  return argon2.hash(password.normalize('NFC'), { type: argon2.argon2id, ...params });
}

/** Whether `password` matches a stored hash of either form; a hash this code cannot read matches nothing. */
export async function verifyStoredPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith(ARGON2ID_PREFIX)) {
    try {
      return await argon2.verify(stored, password.normalize('NFC'));
    } catch {
      return false;
    }
  }
  const legacy = decodePasswordHash(stored);
  return legacy !== undefined && verifyPassword(password, legacy);
}

/** A stored hash to replace at the next successful sign-in: scrypt, or argon2id with other parameters than `params`. */
export function needsNewHash(stored: string, params: Argon2Params): boolean {
  if (!stored.startsWith(ARGON2ID_PREFIX)) return true;
  try {
    return argon2.needsRehash(stored, params);
  } catch {
    return true;
  }
}

/** scrypt cost parameters of the hashes of earlier releases (each stored next to its hash). */
export const ScryptParamsSchema = z.strictObject({
  N: z.number().int().min(2).refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  keyLen: z.number().int().min(16).max(128),
});
export type ScryptParams = z.infer<typeof ScryptParamsSchema>;

/** The scrypt cost earlier releases hashed with by default. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 32768, r: 8, p: 1, keyLen: 32 };

export const PasswordHashSchema = z.strictObject({
  alg: z.literal('scrypt'),
  salt: z.string().min(16),
  hash: z.string().min(16),
  params: ScryptParamsSchema,
});
export type PasswordHash = z.infer<typeof PasswordHashSchema>;

function scryptAsync(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const opts: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // The async form runs in libuv's pool, so one login does not stall every other request.
    scrypt(password.normalize('NFC'), salt, params.keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A scrypt hash as earlier releases made them (fixtures of stored users; new passwords use `hashNewPassword`). */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, params);
  return { alg: 'scrypt', salt: salt.toString('base64url'), hash: key.toString('base64url'), params: { ...params } };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(stored.salt, 'base64url'), { ...stored.params, keyLen: expected.length });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A printable random password for `init-admin` when none is given on stdin. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** The one-string form stored in the user record: `scrypt$N$r$p$salt$hash` (salt and hash base64url). */
export function encodePasswordHash(h: PasswordHash): string {
  return ['scrypt', h.params.N, h.params.r, h.params.p, h.salt, h.hash].join('$');
}

export function decodePasswordHash(s: string): PasswordHash | undefined {
  const parts = s.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const hash = parts[5]!;
  const r = PasswordHashSchema.safeParse({
    alg: 'scrypt',
    salt: parts[4],
    hash,
    params: { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]), keyLen: Buffer.from(hash, 'base64url').length },
  });
  return r.success ? r.data : undefined;
}
