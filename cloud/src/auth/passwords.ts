import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** scrypt cost parameters, stored next to every hash so they can be raised later without breaking old hashes. */
export const ScryptParamsSchema = z.strictObject({
  N: z.number().int().min(2).refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  keyLen: z.number().int().min(16).max(128),
});
export type ScryptParams = z.infer<typeof ScryptParamsSchema>;

/** OWASP's scrypt minimum (N=2^17 is recommended for new systems; 2^15 keeps a login under ~100 ms on a Pi). */
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
