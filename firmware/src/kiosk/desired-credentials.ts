import type { CredentialKind, DesiredCredential, DesiredState } from '@portier/protocol';
import { CredentialChecker } from '../offline/credential-checker.ts';
import { kioskCredentialCheck } from './adapters.ts';
import type { CredentialCheck, CredentialPort, DesiredStatePort } from './ports.ts';

/**
 * A `CredentialPort` straight over the cached desired state, with one-time use remembered in memory: the controller's
 * one credential check (`offline/credential-checker.ts`) over a desired-state port. The controller program uses the
 * offline module's durable check (`OfflineAccess`, which remembers used one-time credentials across restarts); this one
 * serves tests, the simulator's terminal kiosk, and a controller that has no offline store configured.
 */
export class DesiredStateCredentials implements CredentialPort {
  /**
   * Used one-time credentials: id -> the hash in force when it was used. A new code issued later under the same id
   * (the collector's pickup code of a return or exchange whose drop-off code was used here) has another hash and works.
   */
  private readonly used = new Map<string, string>();
  private readonly checker: CredentialChecker;
  private seen: DesiredState | undefined;
  private version = 0;

  /** `credentialKey`: the controller's own key, for keyed documents (see SECURITY.md). */
  constructor(state: DesiredStatePort, credentialKey?: Buffer) {
    this.checker = new CredentialChecker(
      {
        current: () => {
          const s = state.current();
          if (!s) return undefined;
          // The port has no versions: each new state object counts as the next one.
          if (s !== this.seen) {
            this.seen = s;
            this.version += 1;
          }
          return { state: s, version: this.version };
        },
        isUsed: (c: DesiredCredential) => this.used.get(c.id) === c.hash,
        markUsed: (c: DesiredCredential) => void this.used.set(c.id, c.hash),
      },
      { credentialKey, cacheHashes: true },
    );
  }

  check(kind: CredentialKind, code: string, now: number): CredentialCheck {
    return kioskCredentialCheck(this.checker.check(kind, code, now));
  }

  markUsed(credentialId: string): Promise<void> {
    // One-time use here is in memory: the time of use is not kept.
    return this.checker.markUsed(credentialId, 0);
  }
}
