/**
 * Pickup codes, carrier codes and staff credentials: generated with crypto-strength randomness, shown once, and kept
 * only sealed with a keyed lookup hash (code-vault.ts, `SealedStoredCode`). Codes issued by an older release are kept
 * as they were, scrypt hashes under a bank's salt (`LegacyStoredCode`), and still match here until they expire.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { CredentialKind, ScryptCredentialHashParams } from '@portier/protocol';
import type { CodeVault } from './code-vault.ts';
import type { SealedStoredCode, StoredCode } from './model.ts';

export const DEFAULT_CODE_HASH_N = 16384;

export function newHashParams(N: number = DEFAULT_CODE_HASH_N): ScryptCredentialHashParams {
  return { alg: 'scrypt', salt: randomBytes(16).toString('base64url'), N, r: 8, p: 1, keyLen: 32 };
}

/** A code of `digits` decimal digits, each drawn uniformly (leading zeros allowed). */
export function generateDigits(digits: number, randomInt: (min: number, max: number) => number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += String(randomInt(0, 10));
  return s;
}

/** The legacy hash (`scryptCredentialHash` of @portier/protocol), off the event loop's thread. */
export function hashCode(kind: CredentialKind, code: string, params: ScryptCredentialHashParams): Promise<string> {
  return new Promise((resolve, reject) => {
    scrypt(
      `${kind}:${code}`,
      Buffer.from(params.salt, 'base64url'),
      params.keyLen,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key.toString('base64url'))),
    );
  });
}

/** Identifies a set of scrypt params: codes hashed under equal keys compare by hash. */
export function paramsKey(p: ScryptCredentialHashParams): string {
  return `${p.salt}:${p.N}:${p.r}:${p.p}:${p.keyLen}`;
}

/** Constant-time comparison of two base64url hashes (a length mismatch returns false without comparing). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64url');
  const y = Buffer.from(b, 'base64url');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function isSealed(stored: StoredCode): stored is SealedStoredCode {
  return 'sealed' in stored;
}

/** What the cloud keeps of a new code. */
export function storeCode(vault: CodeVault, kind: CredentialKind, code: string): SealedStoredCode {
  return { lookup: vault.lookup(kind, code), sealed: vault.seal(kind, code) };
}

/**
 * Compares one typed or drawn code against stored codes of every form: the keyed lookup hash is made once, a legacy
 * scrypt hash once per distinct params (and only when a legacy code is met).
 */
export class CodeMatcher {
  private readonly lookup: string;
  private readonly legacy = new Map<string, Promise<string>>();

  constructor(
    private readonly vault: CodeVault,
    private readonly kind: CredentialKind,
    private readonly code: string,
  ) {
    this.lookup = vault.lookup(kind, code);
  }

  /** Whether a sealed code matches, without any scrypt (for a loop that must not wait). */
  matchesSealed(stored: StoredCode): boolean {
    return isSealed(stored) && sameHash(this.lookup, stored.lookup);
  }

  /** The code's legacy hash under `params` (a bank's), made once per distinct params: the one place codes meet scrypt. */
  hashUnder(params: ScryptCredentialHashParams): Promise<string> {
    const key = paramsKey(params);
    let h = this.legacy.get(key);
    if (!h) {
      h = hashCode(this.kind, this.code, params);
      this.legacy.set(key, h);
    }
    return h;
  }

  async matches(stored: StoredCode): Promise<boolean> {
    if (isSealed(stored)) return sameHash(this.lookup, stored.lookup);
    return sameHash(await this.hashUnder(stored.params), stored.hash);
  }
}
