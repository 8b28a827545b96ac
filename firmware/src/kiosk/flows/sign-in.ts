// Sign-in and its throttling: a typed, scanned or badged code checked against day-use storage PINs, the credential
// port and the recent pickups (grace reopen), wrong codes counted, waits and the lock-out shown.
import type { CredentialKind } from '@portier/protocol';
import { msg, type MessageKey } from '../../i18n/index.ts';
import type { KioskCore } from '../core.ts';
import type { Pages } from '../pages.ts';
import type { CredentialMatch } from '../ports.ts';
import type { LoginMethod, RecentPickup, StorageRecord, Via } from '../session.ts';

/** What sign-in uses of its neighbours: the page on screen, and the flow each kind of person goes on to. */
export interface SignInNeighbours {
  core: KioskCore;
  pages: Pick<Pages, 'waitUntil' | 'setError' | 'show' | 'clearPageTimer' | 'goHome'>;
  storage: { byPin(pin: string): StorageRecord | undefined; showStorageActive(rec: StorageRecord): void };
  pickup: {
    recentFor(codeKey: string | undefined, now: number): RecentPickup | undefined;
    showReopenOffer(recent: RecentPickup): void;
    recipientSignedIn(match: CredentialMatch, codeKey: string, now: number): Promise<void>;
  };
  staff: { showStaffMenu(welcome?: boolean): void; showCarrier(welcome?: boolean): void };
}

export class SignInFlow {
  constructor(private readonly k: SignInNeighbours) {}

  async signIn(code: string, kinds: CredentialKind[], via: Via, method: LoginMethod): Promise<void> {
    const { core, pages } = this.k;
    const now = core.now();
    const gate = core.throttle.gate(now);
    if (!gate.allowed) {
      if (gate.lockedOut) return this.showLockedOut();
      pages.waitUntil = gate.until;
      return pages.setError(msg('error.wait', { seconds: Math.ceil((gate.until - now) / 1000) }));
    }
    pages.waitUntil = undefined;

    // Day-use storage PINs live on this kiosk only.
    if (kinds.includes('pickup-code')) {
      const rec = this.k.storage.byPin(code);
      if (rec) {
        core.throttle.succeed();
        core.session.role = 'recipient';
        core.session.actor = { role: 'recipient' };
        core.session.via = 'pin';
        return this.k.storage.showStorageActive(rec);
      }
    }

    let worst: 'unknown' | 'expired' | 'used' = 'unknown';
    let match: CredentialMatch | undefined;
    for (const kind of kinds) {
      // Carrier access codes are six to ten digits: other lengths are not tried as one.
      if (kind === 'carrier-code' && via !== 'qr' && !/^[0-9]{6,10}$/.test(code)) continue;
      const r = await core.credentials.check(kind, code, now);
      if (r.ok) {
        match = r.match;
        break;
      }
      if (r.reason === 'expired' || (r.reason === 'used' && worst === 'unknown')) worst = r.reason;
    }
    const codeKey = core.codeKey('code', code);
    let actualVia: Via = via;
    if (match && core.throttle.attempts > 0) core.dirty = true;
    if (match && via === 'qr' && match.kind === 'pickup-code') actualVia = 'barcode';

    if (!match) {
      const recent = this.k.pickup.recentFor(codeKey, now);
      if (recent) {
        core.throttle.succeed();
        return this.k.pickup.showReopenOffer(recent);
      }
      return this.loginFailed(method, worst);
    }
    core.throttle.succeed();
    core.session.credential = match;
    core.session.role = match.role;
    core.session.actor = { role: match.role, ...(match.subjectId ? { id: match.subjectId } : {}) };
    core.session.via = actualVia;
    core.session.codeKey = codeKey;
    if (match.role === 'operator' || match.role === 'admin') return this.k.staff.showStaffMenu(true);
    if (match.role === 'carrier') return this.k.staff.showCarrier(true);
    return this.k.pickup.recipientSignedIn(match, codeKey, now);
  }

  private async loginFailed(method: LoginMethod, reason: 'unknown' | 'expired' | 'used'): Promise<void> {
    const { core, pages } = this.k;
    const now = core.now();
    const r = core.throttle.fail(now);
    core.dirty = true;
    core.log.info({ method, attempts: r.attempts, reason }, 'sign-in refused');
    await core.publish({
      type: 'login-failure',
      method,
      attempts: r.attempts,
      ...(r.lockedOutUntil !== undefined ? { lockedOutUntil: r.lockedOutUntil } : {}),
    });
    if (r.lockedOutUntil !== undefined) return this.showLockedOut();
    pages.waitUntil = r.waitUntil;
    const key: MessageKey = reason === 'expired' ? 'error.codeExpired' : reason === 'used' ? 'error.codeUsed' : 'error.codeUnknown';
    pages.setError(msg(key));
  }

  showLockedOut(): void {
    const { core, pages } = this.k;
    const until = core.throttle.lockedOutUntil;
    core.session = core.newSession();
    pages.waitUntil = until;
    pages.show({
      page: 'locked-out',
      title: msg('error.lockedOut.title'),
      lines: [msg('error.lockedOut', { minutes: Math.ceil((until - core.now()) / 60_000) })],
      timer: 'lock-out',
    });
  }

  /**
   * Input on the lock-out page: ignored while the lock-out lasts. Once it is over by the clock the kiosk goes home,
   * even if the lock-out timer has not fired (the clock was corrected meanwhile, e.g. by NTP on a board without a
   * battery clock). The input itself only wakes the kiosk.
   */
  endLockoutIfDue(): void {
    const { core, pages } = this.k;
    if (core.throttle.lockedOutUntil > core.now()) return;
    pages.clearPageTimer();
    pages.goHome('lock-out-ended');
  }
}
