import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import type { CredentialHashParams, CredentialKind, DesiredState } from './messages/desired.ts';

/**
 * Default scrypt cost for credential hashes sent to controllers: one hash per typed code takes a few ms on a
 * Pi-class board, while an attacker who copies a desired-state file pays the same per guess.
 */
export function newCredentialHashParams(): CredentialHashParams {
  return { alg: 'scrypt', salt: randomBytes(16).toString('base64url'), N: 16384, r: 8, p: 1, keyLen: 32 };
}

/** Hash of a code (pickup code, carrier code, PIN, badge id, QR payload) of `kind` under `params`. */
export function hashCredential(kind: CredentialKind, code: string, params: CredentialHashParams): string {
  const key = scryptSync(`${kind}:${code}`, Buffer.from(params.salt, 'base64url'), params.keyLen, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  });
  return key.toString('base64url');
}

/** Constant-time comparison of two base64url hashes. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64url');
  const y = Buffer.from(b, 'base64url');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** SHA-256 (hex) of the canonical JSON of a desired state: what `reported.desiredHash` carries. */
export function desiredStateHash(state: DesiredState): string {
  return createHash('sha256').update(canonicalJson(state)).digest('hex');
}
