// The one credential check of the controller: which doors and reservations a typed, scanned or badged code opens, from
// a desired state, honouring expiry and one-time use. The controller's durable check (`OfflineAccess`, over the
// persisted desired state) and the kiosk's in-memory one (`DesiredStateCredentials`, over a desired-state port) are
// this checker over two sources.
import {
  credentialHasher,
  hashesEqual,
  type CredentialKind,
  type DesiredCredential,
  type DesiredDoor,
  type DesiredReservation,
  type DesiredState,
} from '@portier/protocol';
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

/** Where the checker reads the desired state and keeps one-time use. */
export interface CredentialSource {
  /** The desired state in force and its version, or undefined before the first one. */
  current(): { state: DesiredState; version: number } | undefined;
  /** Whether this one-time credential (with the hash it has now) was used here. */
  isUsed(credential: DesiredCredential): boolean;
  /** Records a one-time credential as used (durable on resolve, for a durable source). */
  markUsed(credential: DesiredCredential, now: number): Promise<void> | void;
}

export interface CredentialCheckerOptions {
  /** The controller's own credential key, for keyed documents (see SECURITY.md). */
  credentialKey?: Buffer | undefined;
  logger?: Logger;
  /**
   * Keep the hashes of recently typed codes (per hash scheme, at most 256): a kiosk sees the same code again (grace
   * reopen), and a legacy scrypt document makes each hash deliberately slow. Off by default: the cache holds typed
   * codes in memory.
   */
  cacheHashes?: boolean;
}

/**
 * Codes are compared by hash only, in constant time: keyed with the controller's own credential key (the cloud's keyed
 * documents), or scrypt under the document's parameters (the legacy form a controller without a key gets, or cached by
 * an older release). Expiry is judged against the `now` given (the controller's estimate of cloud time).
 */
export class CredentialChecker {
  private readonly log: Logger;
  /** The desired version whose unusable key was last logged: said once per version, not per typed code. */
  private warnedVersion = -1;
  private cache = new Map<string, string>();
  private cacheScheme = '';

  constructor(
    private readonly source: CredentialSource,
    private readonly opts: CredentialCheckerOptions = {},
  ) {
    this.log = (opts.logger ?? silentLogger).child({ module: 'offline-access' });
  }

  /** Which doors (and reservations) `code` of `kind` opens at `now`. Costs one HMAC (one scrypt for a legacy document). */
  check(kind: CredentialKind, code: string, now: number): CredentialCheck {
    const desired = this.source.current();
    if (!desired) return { ok: false, reason: 'no_state' };
    const { state } = desired;
    const candidates = state.credentials.filter((c) => c.kind === kind);
    if (candidates.length === 0 || code.length === 0 || code.length > 256) return { ok: false, reason: 'not_found' };
    const hash = this.hash(state, desired.version, kind, code);
    if (hash === undefined) return { ok: false, reason: 'not_found' };
    let refusal: CredentialRefusal = 'not_found';
    for (const c of candidates) {
      if (!hashesEqual(c.hash, hash)) continue;
      if (c.expiresAt !== undefined && c.expiresAt <= now) {
        refusal = 'expired';
        continue;
      }
      if (c.oneTime && this.source.isUsed(c)) {
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

  /** Marks a one-time credential used (after the door it opened was seen open); reusable ones are left alone. */
  async markUsed(credentialId: string, now: number): Promise<void> {
    const c = this.source.current()?.state.credentials.find((x) => x.id === credentialId);
    if (!c || !c.oneTime) return;
    await this.source.markUsed(c, now);
  }

  private hash(state: DesiredState, version: number, kind: CredentialKind, code: string): string | undefined {
    const p = state.credentialHash;
    const scheme = p.alg === 'scrypt' ? `scrypt:${p.salt}` : `hmac:${p.keyId}`;
    const key = `${kind}:${code}`;
    if (this.opts.cacheHashes) {
      if (this.cacheScheme !== scheme) {
        this.cache = new Map();
        this.cacheScheme = scheme;
      }
      const known = this.cache.get(key);
      if (known !== undefined) return known;
    }
    const hasher = credentialHasher(p, this.opts.credentialKey);
    if (!hasher.ok) {
      if (this.warnedVersion !== version) {
        this.warnedVersion = version;
        this.log.error(
          { reason: hasher.reason, desiredVersion: version },
          hasher.reason === 'no-key'
            ? 'the desired state is keyed but this controller has no credential key (link.credentialKey): no code can be checked; install the config written by portier-cloud provision or rekey'
            : 'the desired state was made for another credential key than link.credentialKey: no code can be checked; install the config written by the last portier-cloud provision or rekey',
        );
      }
      return undefined;
    }
    const hash = hasher.hash(kind, code);
    if (this.opts.cacheHashes) {
      if (this.cache.size > 256) this.cache.clear();
      this.cache.set(key, hash);
    }
    return hash;
  }
}
