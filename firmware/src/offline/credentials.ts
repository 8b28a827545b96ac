import type { CredentialKind } from '@portier/protocol';
import type { DesiredStore } from '../store/desired-store.ts';
import type { Logger } from '../util/logger.ts';
import { CredentialChecker, type CredentialCheck } from './credential-checker.ts';

export type { CredentialCheck, CredentialGrant, CredentialRefusal } from './credential-checker.ts';

/**
 * Answers "which doors does this code open" from the persisted desired state, online and offline alike
 * (DESIGN.md "Offline behaviour"), with the controller's one credential check (`credential-checker.ts`, see
 * SECURITY.md for the hashes). Expiry is judged against the controller's estimate of cloud time; one-time credentials
 * are remembered as used durably until a desired state arrives that no longer lists them.
 */
export class OfflineAccess {
  private readonly checker: CredentialChecker;
  private readonly cloudNow: () => number;

  constructor(store: DesiredStore, opts: { cloudNow: () => number; logger?: Logger; credentialKey?: Buffer | undefined }) {
    this.cloudNow = opts.cloudNow;
    this.checker = new CredentialChecker(
      {
        current: () => store.desired ?? undefined,
        isUsed: (c) => store.isUsed(c.id),
        markUsed: (c, now) => store.markUsed(c.id, now),
      },
      { credentialKey: opts.credentialKey, ...(opts.logger ? { logger: opts.logger } : {}) },
    );
  }

  /** Which doors (and reservations) `code` of `kind` opens now. Costs one HMAC (one scrypt for a legacy document). */
  checkCredential(kind: CredentialKind, code: string, now: number = this.cloudNow()): CredentialCheck {
    return this.checker.check(kind, code, now);
  }

  /** Marks a one-time credential used (after the door it opened was seen open). Durable on resolve. */
  markUsed(credentialId: string, now: number = this.cloudNow()): Promise<void> {
    return this.checker.markUsed(credentialId, now);
  }
}
