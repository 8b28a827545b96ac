/**
 * A user's second factors: an authenticator app (TOTP, enrolled by scanning a QR code of its secret and confirming a
 * first code) and ten single-use recovery codes given at enrolment. The secret is sealed by the code vault; a recovery
 * code is kept as its SHA-256 (ten random base32 characters: 50 bits, not worth guessing against a hash).
 */
import { createHash, randomBytes } from 'node:crypto';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri } from './totp.ts';
import type { MfaFactors } from './mfa-model.ts';
import type { Store } from '../store/store.ts';
import type { User } from '../domain/model.ts';

export const RECOVERY_CODE_COUNT = 10;
/** An enrolment not confirmed within this time starts over. */
const PENDING_MS = 15 * 60_000;

/** What sealing a secret takes (the code vault's `sealSecret`/`openSecret`). */
export interface SecretSeal {
  sealSecret(purpose: string, secret: string): string;
  openSecret(purpose: string, sealed: string): string | undefined;
}

/** A new authenticator to add: its secret in base32 (typed by hand) and the URI its QR code holds. */
export interface TotpEnrolment {
  secret: string;
  uri: string;
}

/** What a user's own page shows of their second factors. */
export interface FactorStatus {
  totp: boolean;
  totpConfirmedAt?: number;
  recoveryCodesLeft: number;
}

const hashCode = (code: string): string => createHash('sha256').update(normaliseRecovery(code), 'utf8').digest('hex');

/** A recovery code as typed: any case, with or without its dash and spaces. */
function normaliseRecovery(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const s = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

export class MfaFactorStore {
  constructor(
    private readonly o: {
      store: Store;
      seal: SecretSeal;
      now: () => number;
      /** The name authenticator apps show beside the account (`Portier`, or the enterprise's). */
      issuer: (user: User) => string;
    },
  ) {}

  get(userId: string): MfaFactors | undefined {
    return this.o.store.get('mfaFactors', userId);
  }

  status(userId: string): FactorStatus {
    const f = this.get(userId);
    return {
      totp: f?.totpSecret !== undefined,
      ...(f?.totpConfirmedAt !== undefined ? { totpConfirmedAt: f.totpConfirmedAt } : {}),
      recoveryCodesLeft: f?.totpSecret !== undefined ? f.recoveryCodes.filter((c) => c.usedAt === undefined).length : 0,
    };
  }

  /** Starts (or starts over) adding an authenticator: a new secret, kept sealed until a first code confirms it. */
  async begin(user: User): Promise<TotpEnrolment> {
    const secret = newTotpSecret();
    const now = this.o.now();
    const old = this.get(user.id);
    const next: MfaFactors = { ...(old ?? { userId: user.id, enterpriseId: user.enterpriseId, recoveryCodes: [] }), pendingSecret: this.#seal(user.id, secret), pendingAt: now, updatedAt: now };
    await this.o.store.commit({ put: [{ c: 'mfaFactors', key: user.id, value: next }] });
    return { secret, uri: otpauthUri(secret, this.o.issuer(user), user.email ?? user.username) };
  }

  /**
   * Confirms the authenticator being added with a code it shows: it replaces any earlier one, and ten new recovery
   * codes replace the old ones. Answers those codes (shown once), or undefined when the code is wrong or no enrolment
   * is pending.
   */
  async confirm(user: User, code: string): Promise<string[] | undefined> {
    const f = this.get(user.id);
    const now = this.o.now();
    if (f?.pendingSecret === undefined || f.pendingAt === undefined || now - f.pendingAt > PENDING_MS) return undefined;
    const secret = this.#open(user.id, f.pendingSecret);
    const step = secret === undefined ? undefined : matchTotp(secret, code.trim(), now);
    if (step === undefined) return undefined;
    const codes = newRecoveryCodes();
    const next: MfaFactors = {
      userId: f.userId,
      enterpriseId: f.enterpriseId,
      totpSecret: f.pendingSecret,
      totpConfirmedAt: now,
      totpLastStep: step,
      recoveryCodes: codes.map((c) => ({ hash: hashCode(c) })),
      updatedAt: now,
    };
    await this.o.store.commit({ put: [{ c: 'mfaFactors', key: user.id, value: next }] });
    return codes;
  }

  /** Checks a code of the user's authenticator; a good one is spent (it and older ones do not serve again). */
  async useTotp(userId: string, code: string): Promise<boolean> {
    const f = this.get(userId);
    if (f?.totpSecret === undefined) return false;
    const secret = this.#open(userId, f.totpSecret);
    const step = secret === undefined ? undefined : matchTotp(secret, code.trim(), this.o.now(), f.totpLastStep);
    if (step === undefined) return false;
    await this.o.store.commit({ put: [{ c: 'mfaFactors', key: userId, value: { ...f, totpLastStep: step, updatedAt: this.o.now() } }] });
    return true;
  }

  /** Checks a recovery code; a good one is spent. */
  async useRecovery(userId: string, code: string): Promise<boolean> {
    const f = this.get(userId);
    if (f?.totpSecret === undefined) return false;
    const hash = hashCode(code);
    const i = f.recoveryCodes.findIndex((c) => c.hash === hash && c.usedAt === undefined);
    if (i < 0) return false;
    const recoveryCodes = f.recoveryCodes.map((c, j) => (j === i ? { ...c, usedAt: this.o.now() } : c));
    await this.o.store.commit({ put: [{ c: 'mfaFactors', key: userId, value: { ...f, recoveryCodes, updatedAt: this.o.now() } }] });
    return true;
  }

  /** Ten new recovery codes for an enrolled user (the old ones stop working); undefined without an authenticator. */
  async renewRecovery(userId: string): Promise<string[] | undefined> {
    const f = this.get(userId);
    if (f?.totpSecret === undefined) return undefined;
    const codes = newRecoveryCodes();
    await this.o.store.commit({ put: [{ c: 'mfaFactors', key: userId, value: { ...f, recoveryCodes: codes.map((c) => ({ hash: hashCode(c) })), updatedAt: this.o.now() } }] });
    return codes;
  }

  /** The deletion that removes every factor of the user (a reset, the removal of the authenticator, a deleted user). */
  forget(userId: string): { c: 'mfaFactors'; key: string } | undefined {
    return this.get(userId) ? { c: 'mfaFactors', key: userId } : undefined;
  }

  #seal(userId: string, secret: string): string {
    return this.o.seal.sealSecret(`totp:${userId}`, secret);
  }

  #open(userId: string, sealed: string): string | undefined {
    return this.o.seal.openSecret(`totp:${userId}`, sealed);
  }
}
