import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import { PortierError } from './errors.ts';

/** An Ed25519 key pair as PEM text (PKCS#8 private, SPKI public). */
export interface PemKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** Creates the cloud's command-signing key pair. */
export function generateCommandKeyPair(): PemKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export class KeyError extends PortierError<'BAD_KEY'> {
  override name = 'KeyError';
  constructor(message: string) {
    super('BAD_KEY', message);
  }
}

/** Imports an Ed25519 private key from PEM; throws KeyError if it is not one. */
export function importPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new KeyError(`not a private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`expected an ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

/** Imports an Ed25519 public key from PEM; throws KeyError if it is not one. */
export function importPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new KeyError(`not a public key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`expected an ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

/** The public key that belongs to a private key, as PEM. */
export function publicKeyPemOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

/** The bytes that are signed: canonical JSON of every field but `sig`. */
export function signingBytes(message: Record<string, unknown>): Buffer {
  const { sig: _sig, ...rest } = message;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/**
 * Signs a message (command envelope, evtack, desired state) with the cloud's Ed25519 key.
 * Returns a copy with `sig` (base64url) set over the canonical JSON of every other field.
 */
export function signMessage<T extends Record<string, unknown>>(unsigned: T, privateKey: KeyObject): T & { sig: string } {
  const sig = sign(null, signingBytes(unsigned), privateKey).toString('base64url');
  return { ...unsigned, sig };
}

/** True only when `sig` is a valid signature of every other field by `publicKey`. Never throws. */
export function verifyMessage(message: Record<string, unknown>, publicKey: KeyObject): boolean {
  const sig = message.sig;
  if (typeof sig !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(sig)) return false;
  try {
    return verify(null, signingBytes(message), publicKey, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}
