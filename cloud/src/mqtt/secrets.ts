/**
 * Machine secrets (controller and service-account passwords on the broker): random, stored only as a salted scrypt
 * hash, compared in constant time.
 *
 * The cost is set by where a secret comes from. One we generate has 256 random bits: no work factor makes
 * guessing it any harder, so the hash only has to make a stolen file useless, and it stays cheap, because after a
 * broker restart a whole fleet authenticates at once (2,000 x N=16384 is ~70 s of CPU on 2 cores; N=1024 ~5 s).
 * A secret someone chose (a service account's password given on the command line) gets the full cost.
 */
import bcrypt from 'bcryptjs';
import { createHash, pbkdf2Sync, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface SecretHashParams {
  N: number;
  r: number;
  p: number;
  keyLen: number;
}

/** For secrets we generated (32 random bytes). */
export const DEFAULT_SECRET_HASH_PARAMS: SecretHashParams = { N: 1024, r: 8, p: 1, keyLen: 32 };
/** For secrets a person chose. */
export const CHOSEN_SECRET_HASH_PARAMS: SecretHashParams = { N: 16384, r: 8, p: 1, keyLen: 32 };

function scrypt(secret: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(secret, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A new random secret: 32 bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 (hex) of a secret: used only to refuse issuing a secret twice, never to authenticate. */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** `scrypt$N$r$p$salt$hash` (salt and hash base64url). */
export async function hashSecret(secret: string, params: SecretHashParams = DEFAULT_SECRET_HASH_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, params.keyLen, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + (1 << 20) });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const HASH_RE = /^scrypt\$(\d{1,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{16,128})$/;

/** True when `secret` matches `encoded`; false for any malformed hash. Never throws on bad input. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const m = HASH_RE.exec(encoded);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4]!, 'base64url');
  const expected = Buffer.from(m[5]!, 'base64url');
  let key: Buffer;
  try {
    key = await scrypt(secret, salt, expected.length, { N, r, p, maxmem: 256 * N * r + (1 << 20) });
  } catch {
    return false;
  }
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Constant-time comparison of two strings of any length (length itself is not secret here). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Mosquitto 2's own password hash (`mosquitto_passwd` format `$7$iterations$salt$hash`: PBKDF2-SHA512, 12-byte
 * salt, 64-byte key, standard base64). Kept next to the scrypt hash at issue time, because the clear secret is
 * known only then and an external Mosquitto cannot read scrypt.
 */
export function mosquittoPasswordHash(secret: string, iterations = 101, salt: Buffer = randomBytes(12)): string {
  const key = pbkdf2Sync(secret, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** bcrypt cost of a NATS hash: 4 for a secret we generated (256 random bits), 11 for one a person chose. */
export const NATS_BCRYPT_COST = { random: 4, chosen: 11 } as const;

/**
 * The NATS server's password hash (bcrypt, `$2b$cost$...`), kept next to the scrypt hash at issue time for the same
 * reason as the Mosquitto one. NATS checks it on every connect, so a generated secret gets the lowest cost: after a
 * node dies its whole share of the fleet reconnects to the others at once, and guessing 256 random bits is hopeless at
 * any cost.
 */
export function natsPasswordHash(secret: string, chosen: boolean): string {
  return bcrypt.hashSync(secret, chosen ? NATS_BCRYPT_COST.chosen : NATS_BCRYPT_COST.random);
}

/** Whether `secret` matches a NATS hash (what the NATS server itself checks). */
export function verifyNatsHash(secret: string, hash: string): boolean {
  return bcrypt.compareSync(secret, hash);
}
