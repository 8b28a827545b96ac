/**
 * Account lock-out: failed sign-ins in a row are counted per user account in the store (so the count holds across
 * restarts and every instance on the store), and after the enterprise's `lockoutThreshold` of them the account is
 * locked for its `lockoutMinutes`. A lock ends when its period ends, when an administrator unlocks the account (the
 * API, or `portier-cloud unlock` on a stopped cloud's data folder), or when a new password is set. Every lock and
 * every unlock is an activity entry of type `account` about the user.
 *
 * Each change reads the record and commits its successor with no await between (the store applies a commit to its
 * memory before it returns), so two failures at once both count.
 */
import type { RandomSource } from '../domain/core.ts';
import { enterpriseSettings, type ActivityEntry, type Actor, type User } from '../domain/model.ts';
import type { Store } from '../store/store.ts';
import type { LoginFailures } from './lockout-model.ts';
import { AccountLog } from './account-log.ts';

export type { LoginFailures } from './lockout-model.ts';

/** The exact answer to a sign-in on a locked account, right password or not. */
export const ACCOUNT_LOCKED_MESSAGE = 'This user account is locked. Too many unsuccessful login attempts.';


/** What the cloud does itself: the automatic lock. */
const SYSTEM: Actor = { role: 'system' };

export interface AccountLockoutOptions {
  store: Store;
  now: () => number;
  /** Ids of the activity entries (the domain's random source). */
  random: Pick<RandomSource, 'id'>;
}

export type UnlockReason = 'admin' | 'password';

export class AccountLockout {
  readonly #o: AccountLockoutOptions;
  readonly #accountLog: AccountLog;

  constructor(opts: AccountLockoutOptions) {
    this.#accountLog = new AccountLog(opts);
    this.#o = opts;
  }

  /** Until when `userId` is locked (epoch ms), or undefined when it is not locked now. */
  lockedUntil(userId: string): number | undefined {
    const until = this.#o.store.get('loginFailures', userId)?.lockedUntil;
    return until !== undefined && until > this.#o.now() ? until : undefined;
  }

  /**
   * Counts a wrong password for `user`; the failure that reaches the enterprise's threshold locks the account (and
   * says so in the activity log). Answers whether the account is locked now.
   */
  async failed(user: User): Promise<boolean> {
    const now = this.#o.now();
    const old = this.#o.store.get('loginFailures', user.id);
    // A lock that has run out starts a new count: the account gets its full allowance again.
    const fresh = !old || (old.lockedUntil !== undefined && old.lockedUntil <= now);
    const count = fresh ? 1 : old.count + 1;
    const settings = enterpriseSettings(this.#o.store.get('enterprises', user.enterpriseId));
    const locks = count >= settings.lockoutThreshold;
    const next: LoginFailures = {
      userId: user.id,
      enterpriseId: user.enterpriseId,
      count,
      firstAt: fresh ? now : old.firstAt,
      lastAt: now,
      ...(locks ? { lockedUntil: now + settings.lockoutMinutes * 60_000 } : {}),
    };
    const activity = locks ? [this.#entry(user, SYSTEM, `locked after ${count} unsuccessful sign-ins in a row, until ${new Date(next.lockedUntil!).toISOString()}`)] : [];
    await this.#o.store.commit({ put: [{ c: 'loginFailures', key: user.id, value: next }], activity });
    return locks;
  }

  /** A successful sign-in, or a removed user: the count and any lock are gone, without an activity entry. */
  async clear(userId: string): Promise<void> {
    if (this.#o.store.get('loginFailures', userId)) await this.#o.store.commit({ del: [{ c: 'loginFailures', key: userId }] });
  }

  /**
   * Ends a lock and clears the count: an administrator's unlock (`actor`), or a new password. Answers whether the
   * account was locked; only then is there an activity entry.
   */
  async unlock(user: User, actor: Actor, reason: UnlockReason): Promise<boolean> {
    const old = this.#o.store.get('loginFailures', user.id);
    if (!old) return false;
    const wasLocked = old.lockedUntil !== undefined && old.lockedUntil > this.#o.now();
    const detail = reason === 'password' ? 'unlocked: a new password was set' : 'unlocked by an administrator';
    await this.#o.store.commit({ del: [{ c: 'loginFailures', key: user.id }], activity: wasLocked ? [this.#entry(user, actor, detail)] : [] });
    return wasLocked;
  }

  #entry(user: User, actor: Actor, detail: string): ActivityEntry {
    return this.#accountLog.entry(actor, user.enterpriseId, { kind: 'user', id: user.id }, detail);
  }

}
