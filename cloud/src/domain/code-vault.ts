/**
 * The cloud's code vault: what the cloud keeps of every code it issues (pickup and drop-off codes, carrier codes,
 * staff PINs and badges) and of every controller's credential key, protected under one secret key that does NOT live
 * in the data folder (`secretsKeyFile`, see provision/secrets-key.ts):
 *
 * - `seal`/`open`: the code itself, AES-256-GCM, so the cloud can give a new or re-keyed controller the keyed hash of
 *   every live code without issuing them again;
 * - `lookup`: HMAC-SHA256 of `kind:code`, what the cloud compares when it looks a code up (pickup by code, "is this
 *   PIN taken"): keyed, so a copy of the data folder lets nobody test a guess;
 * - `sealKey`/`openKey`: a controller's credential key, bound to the controller id;
 * - `sealSecret`/`openSecret`: a credential the cloud itself uses elsewhere (an SFTP password or private key), bound
 *   to what it is for (`sftp:<enterpriseId>:password`), so a sealed value moved to another record does not open;
 * - `macKey`: a key for the cloud's own keyed MACs (its forms' anti-forgery fields), bound to what it is for.
 *
 * Each use has its own key, derived from the secret key with HKDF-SHA256. Pure: no I/O.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { CredentialKind } from '@portier/protocol';

export const SECRETS_KEY_BYTES = 32;
const SEALED_RE = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,400}$/;
/** A sealed secret may be a private key: up to 16 kB. */
const SEALED_SECRET_RE = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,21870}$/;

export class CodeVault {
  /** Public name of the secret key (an HMAC of a label): recorded in the data folder to catch a wrong key file. */
  readonly keyId: string;
  private readonly sealKeyBytes: Buffer;
  private readonly lookupKey: Buffer;
  private readonly ctlKey: Buffer;
  private readonly secretKey: Buffer;

  private constructor(secret: Buffer) {
    if (secret.length !== SECRETS_KEY_BYTES) throw new Error(`the secrets key must be ${SECRETS_KEY_BYTES} bytes`);
    const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
    this.sealKeyBytes = derive('portier code seal v1');
    this.lookupKey = derive('portier code lookup v1');
    this.ctlKey = derive('portier controller credential key seal v1');
    this.secretKey = derive('portier stored secret seal v1');
    this.keyId = createHmac('sha256', derive('portier secrets key id v1')).update('id').digest().subarray(0, 16).toString('base64url');
  }

  static fromKey(secret: Buffer): CodeVault {
    return new CodeVault(secret);
  }

  /** A vault under a random key held only in memory: for a memory store (tests), whose codes die with the process. */
  static ephemeral(): CodeVault {
    return new CodeVault(randomBytes(SECRETS_KEY_BYTES));
  }

  /** Keyed lookup hash of a code of `kind` (base64url, 43 characters). */
  lookup(kind: CredentialKind, code: string): string {
    return createHmac('sha256', this.lookupKey).update(`${kind}:${code}`).digest('base64url');
  }

  seal(kind: CredentialKind, code: string): string {
    return this.encrypt(this.sealKeyBytes, `code:${kind}`, Buffer.from(code, 'utf8'));
  }

  /** The code, or undefined when `sealed` was not made by this vault for that kind. */
  open(kind: CredentialKind, sealed: string): string | undefined {
    return this.decrypt(this.sealKeyBytes, `code:${kind}`, sealed)?.toString('utf8');
  }

  sealKey(controllerId: string, key: Buffer): string {
    return this.encrypt(this.ctlKey, `controller:${controllerId}`, key);
  }

  openKey(controllerId: string, sealed: string): Buffer | undefined {
    return this.decrypt(this.ctlKey, `controller:${controllerId}`, sealed);
  }

  sealSecret(purpose: string, secret: string): string {
    return this.encrypt(this.secretKey, `secret:${purpose}`, Buffer.from(secret, 'utf8'));
  }

  /** The secret, or undefined when `sealed` was not made by this vault for that purpose. */
  openSecret(purpose: string, sealed: string): string | undefined {
    return this.decrypt(this.secretKey, `secret:${purpose}`, sealed, SEALED_SECRET_RE)?.toString('utf8');
  }

  /**
   * A key for a keyed MAC of the cloud's own (the anti-forgery field of its forms), bound to what it is for: the same
   * for every instance sharing the secrets key, so a form served by one is accepted by another.
   */
  macKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.secretKey, Buffer.alloc(0), `mac:${purpose}`, 32));
  }

  private encrypt(key: Buffer, aad: string, plain: Buffer): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  private decrypt(key: Buffer, aad: string, sealed: string, form = SEALED_RE): Buffer | undefined {
    if (!form.test(sealed)) return undefined;
    const [, ivText, bodyText] = sealed.split('.') as [string, string, string];
    const body = Buffer.from(bodyText, 'base64url');
    if (body.length < 17) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
      d.setAAD(Buffer.from(aad, 'utf8'));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
    } catch {
      return undefined;
    }
  }
}
