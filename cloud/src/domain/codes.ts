/**
 * Pickup codes and carrier access codes: generated with crypto-strength randomness, shown once, stored only as
 * salted scrypt hashes with the parameters that made them. The hash is the protocol's credential hash
 * (`scrypt(kind + ":" + code, salt)`), so the same hash can go to a controller in its desired state.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { CredentialHashParams, CredentialKind } from '@portier/protocol';

export const DEFAULT_CODE_HASH_N = 16384;

export function newHashParams(N: number = DEFAULT_CODE_HASH_N): CredentialHashParams {
  return { alg: 'scrypt', salt: randomBytes(16).toString('base64url'), N, r: 8, p: 1, keyLen: 32 };
}

/** A code of `digits` decimal digits, each drawn uniformly (leading zeros allowed). */
export function generateDigits(digits: number, randomInt: (min: number, max: number) => number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += String(randomInt(0, 10));
  return s;
}

/** Same derivation as `hashCredential` of @portier/protocol, off the event loop's thread. */
export function hashCode(kind: CredentialKind, code: string, params: CredentialHashParams): Promise<string> {
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

/** Constant-time comparison of two base64url hashes (a length mismatch returns false without comparing). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64url');
  const y = Buffer.from(b, 'base64url');
  return x.length === y.length && timingSafeEqual(x, y);
}
