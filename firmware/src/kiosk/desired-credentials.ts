import { credentialHasher, hashesEqual, type CredentialKind } from '@portier/protocol';
import type { CredentialCheck, CredentialPort, DesiredStatePort } from './ports.ts';

/**
 * A `CredentialPort` straight over the cached desired state, with one-time use remembered in memory.
 * The controller program should prefer the offline module's durable check (firmware/src/offline, which remembers
 * used one-time credentials across restarts); this one serves tests, the simulator's terminal kiosk, and a
 * controller that has no offline store configured.
 */
export class DesiredStateCredentials implements CredentialPort {
  /**
   * Used one-time credentials: id -> the hash in force when it was used. A new code issued later under the same id
   * (the collector's pickup code of a return or exchange whose drop-off code was used here) has another hash and works.
   */
  private readonly used = new Map<string, string | undefined>();
  /** Hash of (kind, code) per hash scheme: typed codes repeat (grace reopen), and the legacy scrypt is deliberately slow. */
  private cache = new Map<string, string>();
  private cacheScheme = '';

  /** `credentialKey`: the controller's own key, for keyed documents (see SECURITY.md). */
  constructor(
    private readonly state: DesiredStatePort,
    private readonly credentialKey?: Buffer,
  ) {}

  check(kind: CredentialKind, code: string, now: number): CredentialCheck {
    const s = this.state.current();
    if (!s) return { ok: false, reason: 'unknown' };
    const candidates = s.credentials.filter((c) => c.kind === kind);
    if (candidates.length === 0) return { ok: false, reason: 'unknown' };
    const scheme = s.credentialHash.alg === 'scrypt' ? `scrypt:${s.credentialHash.salt}` : `hmac:${s.credentialHash.keyId}`;
    if (this.cacheScheme !== scheme) {
      this.cache = new Map();
      this.cacheScheme = scheme;
    }
    const key = `${kind}:${code}`;
    let hash = this.cache.get(key);
    if (hash === undefined) {
      const hasher = credentialHasher(s.credentialHash, this.credentialKey);
      if (!hasher.ok) return { ok: false, reason: 'unknown' };
      hash = hasher.hash(kind, code);
      if (this.cache.size > 256) this.cache.clear();
      this.cache.set(key, hash);
    }
    const c = candidates.find((x) => hashesEqual(x.hash, hash));
    if (!c) return { ok: false, reason: 'unknown' };
    if (c.expiresAt !== undefined && now >= c.expiresAt) return { ok: false, reason: 'expired' };
    if (c.oneTime && this.used.has(c.id) && this.used.get(c.id) === c.hash) return { ok: false, reason: 'used' };
    return {
      ok: true,
      match: {
        credentialId: c.id,
        kind: c.kind,
        role: c.role,
        ...(c.subjectId !== undefined ? { subjectId: c.subjectId } : {}),
        doors: [...c.doors],
        reservationIds: [...c.reservationIds],
        oneTime: c.oneTime,
        ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
      },
    };
  }

  markUsed(credentialId: string): void {
    this.used.set(credentialId, this.state.current()?.credentials.find((c) => c.id === credentialId)?.hash);
  }
}
