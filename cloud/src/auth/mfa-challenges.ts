/**
 * Sign-ins waiting for a second factor. After the right password the client gets a challenge token (32 random bytes)
 * instead of a session; the store keeps its SHA-256 with the user, an expiry, the wrong codes given and, when one was
 * asked for, the keyed MAC of the code sent by e-mail. A challenge serves once, for MAX_CHALLENGE_ATTEMPTS wrong codes
 * at most, for CHALLENGE_MS.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { newToken, tokenHash } from './tokens.ts';
import type { MfaChallenge } from './mfa-model.ts';
import type { Store } from '../store/store.ts';

export const CHALLENGE_MS = 10 * 60_000;
export const MAX_CHALLENGE_ATTEMPTS = 5;
/** An e-mail code works this long after it was sent. */
export const EMAIL_CODE_MS = 10 * 60_000;
/** E-mail codes per challenge, and the wait between two. */
export const MAX_EMAIL_SENDS = 3;
export const EMAIL_RESEND_MS = 30_000;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export class MfaChallenges {
  constructor(
    private readonly o: {
      store: Store;
      /** The key of the e-mail codes' MAC (`CodeVault.macKey`). */
      key: Buffer;
      now: () => number;
    },
  ) {}

  /** A new challenge for the user; the token is for the client only. */
  async open(user: { id: string; enterpriseId: string }, enrol: boolean): Promise<{ token: string; challenge: MfaChallenge }> {
    const token = newToken();
    const now = this.o.now();
    const challenge: MfaChallenge = { id: tokenHash(token), userId: user.id, enterpriseId: user.enterpriseId, createdAt: now, expiresAt: now + CHALLENGE_MS, attempts: 0, enrol };
    // The user's earlier challenges end with a new one: one sign-in waits for its second factor at a time.
    const stale = this.o.store.list('mfaChallenges').filter((c) => c.userId === user.id || c.expiresAt <= now);
    await this.o.store.commit({ put: [{ c: 'mfaChallenges', key: challenge.id, value: challenge }], del: stale.map((c) => ({ c: 'mfaChallenges' as const, key: c.id })) });
    return { token, challenge };
  }

  /** The live challenge of a token: not expired, not used, not worn out by wrong codes. */
  live(token: string): MfaChallenge | undefined {
    if (!TOKEN_RE.test(token)) return undefined;
    const c = this.o.store.get('mfaChallenges', tokenHash(token));
    if (!c || c.usedAt !== undefined || c.expiresAt <= this.o.now() || c.attempts >= MAX_CHALLENGE_ATTEMPTS) return undefined;
    return c;
  }

  /** Counts a wrong code; answers the attempts left. */
  async failed(c: MfaChallenge): Promise<number> {
    const next = { ...c, attempts: c.attempts + 1 };
    await this.o.store.commit({ put: [{ c: 'mfaChallenges', key: c.id, value: next }] });
    return Math.max(0, MAX_CHALLENGE_ATTEMPTS - next.attempts);
  }

  /**
   * Marks the challenge used, unless a request alongside already did: one challenge opens one session. The check and
   * the mark are one step (the store applies a commit to memory when it is made), so two right codes sent at once
   * open one session, not two.
   */
  async spend(c: MfaChallenge): Promise<boolean> {
    const cur = this.o.store.get('mfaChallenges', c.id);
    if (!cur || cur.usedAt !== undefined) return false;
    await this.o.store.commit({ put: [{ c: 'mfaChallenges', key: c.id, value: { ...cur, usedAt: this.o.now() } }] });
    return true;
  }

  /**
   * A new e-mail code for the challenge, its MAC recorded; undefined with the wait before another may be sent
   * (`retryAfterMs`) when codes go out too fast or the challenge had its share.
   */
  async newEmailCode(c: MfaChallenge): Promise<{ code: string; expiresAt: number } | { retryAfterMs: number }> {
    const now = this.o.now();
    if (c.email && c.email.sends >= MAX_EMAIL_SENDS) return { retryAfterMs: c.expiresAt - now };
    if (c.email && now - c.email.sentAt < EMAIL_RESEND_MS) return { retryAfterMs: EMAIL_RESEND_MS - (now - c.email.sentAt) };
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = Math.min(now + EMAIL_CODE_MS, c.expiresAt);
    const email = { mac: this.#mac(c.id, code), sentAt: now, expiresAt, sends: (c.email?.sends ?? 0) + 1 };
    await this.o.store.commit({ put: [{ c: 'mfaChallenges', key: c.id, value: { ...c, email } }] });
    return { code, expiresAt };
  }

  /** Whether `code` is the challenge's last e-mail code, still fresh. */
  emailCodeMatches(c: MfaChallenge, code: string): boolean {
    if (!c.email || c.email.expiresAt <= this.o.now() || !/^\d{6}$/.test(code.trim())) return false;
    const want = Buffer.from(c.email.mac, 'utf8');
    const got = Buffer.from(this.#mac(c.id, code.trim()), 'utf8');
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** The deletions of every challenge of the user. */
  forgetAll(userId: string): Array<{ c: 'mfaChallenges'; key: string }> {
    return this.o.store
      .list('mfaChallenges')
      .filter((c) => c.userId === userId)
      .map((c) => ({ c: 'mfaChallenges' as const, key: c.id }));
  }

  #mac(challengeId: string, code: string): string {
    return createHmac('sha256', this.o.key).update(`${challengeId}\n${code}`).digest('base64url');
  }
}
