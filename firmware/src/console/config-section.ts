import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/**
 * The `console:` section of the controller config (the runtime merges `consoleConfigSchema` into the
 * controller config schema). The technician PIN is stored only as an scrypt hash made by
 * `hashTechnicianPin`, e.g. `portier-controller hash-pin` or `config set console.pin` in a future step.
 */

/** `scrypt$N$r$p$<salt base64url>$<hash base64url>` */
export const PIN_HASH_RE = /^scrypt\$(\d{1,7})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{32,128})$/;

/** A technician PIN: 4 to 12 digits (typed on a laptop keyboard or a serial terminal). */
export const technicianPinSchema = z.string().regex(/^[0-9]{4,12}$/, 'a technician PIN is 4 to 12 digits');

const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const consoleConfigSchema = z
  .object({
    /** scrypt hash of the technician PIN (`hashTechnicianPin`). Never the PIN itself. */
    pinHash: z.string().regex(PIN_HASH_RE, 'pinHash must be made by hashTechnicianPin (scrypt$N$r$p$salt$hash)'),
    /** Serial port of the technician console, e.g. /dev/ttyS0 or /dev/ttyAMA0. No serial console when absent. */
    serialPath: z.string().min(1).optional(),
    baudRate: z.number().int().positive().default(115200),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    /** Plain output without escape codes on the serial line (a dumb terminal or a logger on the other end). */
    dumb: z.boolean().default(false),
    /** Automatic sign-out after this long without input. */
    idleTimeoutS: int(10, 86_400).default(300),
    /** Failed PINs in a row before the console locks out. */
    maxFailures: int(1, 50).default(5),
    /** First delay after a wrong PIN; it doubles with each further failure. */
    failureDelayMs: int(0, 60_000).default(1000),
    /** How long the console refuses every PIN after `maxFailures` failures. */
    lockoutS: int(1, 86_400).default(300),
    /** Lines kept by `logs`. */
    logLines: int(10, 10_000).default(500),
  })
  .strict();

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

// Cost parameters: N=2^15 takes ~60 ms on a Pi 4 class CPU, which also slows guessing offline.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keylen: 32 } as const;

function scrypt(pin: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(pin.normalize('NFKC'), salt, keylen, { ...o, maxmem: 128 * o.N! * o.r! * 2 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a technician PIN for `console.pinHash`. Rejects a PIN that is not 4 to 12 digits. */
export async function hashTechnicianPin(pin: string, opts: { N?: number; r?: number; p?: number } = {}): Promise<string> {
  technicianPinSchema.parse(pin);
  const N = opts.N ?? SCRYPT.N;
  const r = opts.r ?? SCRYPT.r;
  const p = opts.p ?? SCRYPT.p;
  const salt = randomBytes(16);
  const key = await scrypt(pin, salt, SCRYPT.keylen, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Checks a PIN against a `pinHash` in constant time. A malformed hash never matches. */
export async function verifyTechnicianPin(pin: string, pinHash: string): Promise<boolean> {
  const m = PIN_HASH_RE.exec(pinHash);
  if (!m) return false;
  const [, n, r, p, salt, hash] = m as unknown as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  let key: Buffer;
  try {
    key = await scrypt(pin, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  } catch {
    return false;
  }
  return key.length === expected.length && timingSafeEqual(key, expected);
}
