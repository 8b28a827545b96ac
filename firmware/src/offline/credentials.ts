import {
  credentialHasher,
  hashesEqual,
  type CredentialKind,
  type DesiredCredential,
  type DesiredDoor,
  type DesiredReservation,
} from '@portier/protocol';
import type { DesiredStore } from '../store/desired-store.ts';
import { silentLogger, type Logger } from '../util/logger.ts';

export type CredentialRefusal =
  /** No desired state applied yet (fresh controller, or it was set aside): nothing can be served. */
  | 'no_state'
  /** No credential of that kind with that code. */
  | 'not_found'
  | 'expired'
  /** A one-time credential already used here. */
  | 'used';

export interface CredentialGrant {
  ok: true;
  credential: DesiredCredential;
  /** Doors it opens (pickup), or may use (carrier/staff); with `anyDoor` the list is every in-service door. */
  doors: DesiredDoor[];
  /** A carrier or staff credential listing no doors: any door the bank rules allow. */
  anyDoor: boolean;
  reservations: DesiredReservation[];
  /** Version of the desired state that granted it (for the transaction event and audit). */
  desiredVersion: number;
}

export type CredentialCheck = CredentialGrant | { ok: false; reason: CredentialRefusal };

/**
 * Answers "which doors does this code open" from the persisted desired state, online and offline alike
 * (DESIGN.md "Offline behaviour"). Codes are compared by hash only, in constant time: keyed with the controller's own
 * credential key (the cloud's keyed documents), or scrypt under the document's parameters (the legacy form a
 * controller without a key gets, or cached by an older release); see SECURITY.md. Expiry is judged against the
 * controller's estimate of cloud time; one-time credentials are remembered as used durably until a desired state
 * arrives that no longer lists them.
 */
export class OfflineAccess {
  private readonly store: DesiredStore;
  private readonly cloudNow: () => number;
  private readonly log: Logger;
  private readonly key: Buffer | undefined;
  /** The desired version whose unusable key was last logged: said once per version, not per typed code. */
  private warnedVersion = -1;

  constructor(store: DesiredStore, opts: { cloudNow: () => number; logger?: Logger; credentialKey?: Buffer | undefined }) {
    this.store = store;
    this.cloudNow = opts.cloudNow;
    this.key = opts.credentialKey;
    this.log = (opts.logger ?? silentLogger).child({ module: 'offline-access' });
  }

  /** Which doors (and reservations) `code` of `kind` opens now. Costs one HMAC (one scrypt for a legacy document). */
  checkCredential(kind: CredentialKind, code: string, now: number = this.cloudNow()): CredentialCheck {
    const desired = this.store.desired;
    if (!desired) return { ok: false, reason: 'no_state' };
    const { state } = desired;
    const candidates = state.credentials.filter((c) => c.kind === kind);
    if (candidates.length === 0 || code.length === 0 || code.length > 256) return { ok: false, reason: 'not_found' };
    const hasher = credentialHasher(state.credentialHash, this.key);
    if (!hasher.ok) {
      if (this.warnedVersion !== desired.version) {
        this.warnedVersion = desired.version;
        this.log.error(
          { reason: hasher.reason, desiredVersion: desired.version },
          hasher.reason === 'no-key'
            ? 'the desired state is keyed but this controller has no credential key (link.credentialKey): no code can be checked; install the config written by portier-cloud provision or rekey'
            : 'the desired state was made for another credential key than link.credentialKey: no code can be checked; install the config written by the last portier-cloud provision or rekey',
        );
      }
      return { ok: false, reason: 'not_found' };
    }
    const hash = hasher.hash(kind, code);
    let refusal: CredentialRefusal = 'not_found';
    for (const c of candidates) {
      if (!hashesEqual(c.hash, hash)) continue;
      if (c.expiresAt !== undefined && c.expiresAt <= now) {
        refusal = 'expired';
        continue;
      }
      if (c.oneTime && this.store.isUsed(c.id)) {
        if (refusal !== 'expired') refusal = 'used';
        continue;
      }
      const anyDoor = c.doors.length === 0 && (c.role === 'carrier' || c.role === 'operator' || c.role === 'admin');
      const doorSet = new Set(c.doors);
      const doors = anyDoor ? state.doors.filter((d) => d.service === 'in-service') : state.doors.filter((d) => doorSet.has(d.door));
      const resSet = new Set(c.reservationIds);
      const reservations = state.reservations.filter((r) => resSet.has(r.id));
      return { ok: true, credential: c, doors, anyDoor, reservations, desiredVersion: desired.version };
    }
    if (refusal !== 'not_found') this.log.info({ kind, refusal }, 'credential refused');
    return { ok: false, reason: refusal };
  }

  /** Marks a one-time credential used (after the door it opened was seen open). Durable on resolve. */
  async markUsed(credentialId: string, now: number = this.cloudNow()): Promise<void> {
    const desired = this.store.desired;
    const c = desired?.state.credentials.find((x) => x.id === credentialId);
    if (!c || !c.oneTime) return;
    await this.store.markUsed(credentialId, now);
  }
}
