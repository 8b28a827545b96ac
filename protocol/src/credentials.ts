import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import type {
  CredentialHashParams,
  CredentialKind,
  DesiredState,
  KeyedCredentialHashParams,
  ScryptCredentialHashParams,
} from './messages/desired.ts';

/** Length in bytes of a controller's credential key. */
export const CREDENTIAL_KEY_BYTES = 32;
const KEY_ID_LABEL = 'portier credential key id v1';
const HASH_LABEL = 'portier credential v1\0';

/**
 * Default scrypt cost of the legacy bank-salt hashes: one hash per typed code takes a few ms on a Pi-class board,
 * while an attacker who copies a desired-state file pays the same per guess.
 */
export function newCredentialHashParams(): ScryptCredentialHashParams {
  return { alg: 'scrypt', salt: randomBytes(16).toString('base64url'), N: 16384, r: 8, p: 1, keyLen: 32 };
}

/** A new controller credential key (32 random bytes). */
export function newCredentialKey(): Buffer {
  return randomBytes(CREDENTIAL_KEY_BYTES);
}

/** A credential key as a config file holds it: base64url, 43 characters. */
export function parseCredentialKey(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined;
  const key = Buffer.from(text, 'base64url');
  return key.length === CREDENTIAL_KEY_BYTES ? key : undefined;
}

/** The public name of a credential key (what `credentialHash.keyId` carries): an HMAC of a fixed label, so it says nothing of the key. */
export function credentialKeyId(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_ID_LABEL).digest().subarray(0, 16).toString('base64url');
}

/** The keyed-hash parameters of a desired state sent to the holder of `key`. */
export function keyedCredentialHashParams(key: Buffer): KeyedCredentialHashParams {
  return { alg: 'hmac-sha256', keyId: credentialKeyId(key) };
}

/**
 * Keyed hash of a code of `kind`: HMAC-SHA256 under the controller's credential key. Without the key nobody can test
 * a guess against it; with it, one HMAC per typed code.
 */
export function keyedCredentialHash(kind: CredentialKind, code: string, key: Buffer): string {
  return createHmac('sha256', key).update(`${HASH_LABEL}${kind}:${code}`).digest('base64url');
}

/** Legacy hash of a code of `kind` under one bank's scrypt params. */
export function scryptCredentialHash(kind: CredentialKind, code: string, params: ScryptCredentialHashParams): string {
  const key = scryptSync(`${kind}:${code}`, Buffer.from(params.salt, 'base64url'), params.keyLen, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  });
  return key.toString('base64url');
}

export type CredentialHasher = { ok: true; hash: (kind: CredentialKind, code: string) => string } | { ok: false; reason: 'no-key' | 'other-key' };

/**
 * How a controller hashes typed codes for a document with `params`: keyed with its own credential key, or the legacy
 * scrypt form. A keyed document the controller holds no key for, or one made for another key, cannot be checked.
 */
export function credentialHasher(params: CredentialHashParams, key: Buffer | undefined): CredentialHasher {
  if (params.alg === 'scrypt') return { ok: true, hash: (kind, code) => scryptCredentialHash(kind, code, params) };
  if (!key) return { ok: false, reason: 'no-key' };
  if (credentialKeyId(key) !== params.keyId) return { ok: false, reason: 'other-key' };
  return { ok: true, hash: (kind, code) => keyedCredentialHash(kind, code, key) };
}

/**
 * Hash of a code (pickup code, carrier code, PIN, badge id, QR payload) of `kind` under `params`; a keyed document
 * needs the credential key it names.
 */
export function hashCredential(kind: CredentialKind, code: string, params: CredentialHashParams, key?: Buffer): string {
  const h = credentialHasher(params, key);
  if (!h.ok) throw new Error(h.reason === 'no-key' ? 'a keyed credential hash needs the credential key' : 'the credential key is not the one the document names');
  return h.hash(kind, code);
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
