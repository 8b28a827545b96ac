/**
 * Single-use links that let a person set their password: the welcome of a new user, and the reset of a forgotten
 * password. A link carries a token of 32 random bytes; the store keeps only its SHA-256 (`tokenHash`), with the user,
 * the purpose, when it was made, when it expires and when it was used. The token itself goes to the account mail
 * (`account-mail.ts`) and nowhere else: never to the store in clear, never to a log, never to the activity log.
 *
 * Using a link claims it first (`usedAt`, one commit, applied to memory at once so a second request sees it), then
 * sets the password through the AuthService (which applies the enterprise's password policy, ends the user's
 * sessions and clears a lock-out). A refused password releases the claim; a crash in between leaves the link spent,
 * so a link can never serve twice, at the cost of asking for a new one in that rare case.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AccountMail, AccountMessage } from './account-mail.ts';
import { AccountLog } from './account-log.ts';
import { LoginThrottle, type LoginThrottleOptions } from './rate-limit.ts';
import type { GuessCountsOf } from './guess-counts.ts';
import { newToken, tokenHash } from './tokens.ts';
import { AuthError } from './service.ts';
import { DomainError } from '../domain/errors.ts';
import { actorAs, enterpriseSettings, type Actor, type ActivityEntry, type User } from '../domain/model.ts';
import type { UserUseCases } from '../domain/use-cases/users.ts';
import type { LinkPurpose, PasswordLink, Store } from '../store/store.ts';

export type { LinkPurpose, PasswordLink };

/** A reset link works for 30 minutes. */
export const RESET_LINK_MS = 30 * 60_000;
/** Used and expired links are kept this long (the activity log keeps the story), then dropped when a new link is made. */
const KEEP_SPENT_MS = 24 * 3600_000;

/** The pages a link opens, below the public base URL. */
export const LINK_PAGES: Record<LinkPurpose, string> = {
  welcome: '/account/set-password',
  reset: '/account/reset-password',
};

/** What a token looks like (`newToken`): checked before any lookup. */
export const LinkTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a link this service sent');

/** The one answer to a link that cannot be used: used, expired, replaced, or its user deleted or disabled. */
export const LINK_INVALID_MESSAGE = 'This link is no longer valid: it was used, it expired, or a newer one replaced it. Ask for a new link.';

/** The answer of a forgotten-password request, the same whether or not the address belongs to someone. */
export const FORGOT_ANSWER = 'If an account uses this e-mail address, a link to reset its password is on its way. It works for 30 minutes.';

/** How often a password reset may be asked for, per e-mail address and per client address. */
export const FORGOT_THROTTLE: Omit<LoginThrottleOptions, 'now' | 'counts'> = { freeAttempts: 5, baseLockMs: 60_000, maxLockMs: 3600_000, windowMs: 3600_000 };

export interface PasswordLinksOptions {
  store: Store;
  users: Pick<UserUseCases, 'userSet'>;
  /** Sets a user's password with every rule of a password change (AuthService.updateUser). */
  setPassword: (userId: string, password: string, actor: Actor) => Promise<unknown>;
  mail: AccountMail;
  /** The address people reach the pages at (config `http.publicBaseUrl`, else the listening address). */
  baseUrl: () => string;
  now: () => number;
  /** A new activity entry id. */
  newId: () => string;
  logger: Logger;
  throttle?: Omit<LoginThrottleOptions, 'now' | 'counts'>;
  /** Where the reset requests are counted (limit `password-reset`; default: this process's memory). */
  guesses?: GuessCountsOf;
}

/** A link that can be used now, and its user. */
export interface LiveLink {
  link: PasswordLink;
  user: User;
}

export class PasswordLinks {
  readonly #o: PasswordLinksOptions;
  readonly #accountLog: AccountLog;
  readonly #log: Logger;
  readonly #throttle: LoginThrottle;
  /** Reset requests being handled after their answer went out (see `forgot`). */
  readonly #pending = new Set<Promise<void>>();

  constructor(opts: PasswordLinksOptions) {
    this.#o = opts;
    this.#accountLog = new AccountLog({ store: opts.store, now: opts.now, random: { id: () => opts.newId() } });
    this.#log = opts.logger.child({ module: 'password-links' });
    this.#throttle = new LoginThrottle({ ...(opts.throttle ?? FORGOT_THROTTLE), now: opts.now, ...(opts.guesses ? { counts: opts.guesses('password-reset') } : {}) });
  }

  /**
   * A new user was made: one with an e-mail and without a password gets a welcome. Never throws: the user exists
   * either way, and an administrator can resend the welcome.
   */
  async userCreated(userId: string, actor: Actor): Promise<void> {
    const user = this.#o.store.get('users', userId);
    if (!user || user.email === undefined || user.passwordHash !== undefined || user.disabled) return;
    await this.welcome(userId, actor).catch((err: unknown) => this.#log.error({ err, userId }, 'welcome not sent'));
  }

  /**
   * Sends a user a welcome with a new link to set their password (any older welcome link of theirs ends). Refused for
   * a user without e-mail, a disabled one, or one who already has a password.
   */
  async welcome(userId: string, actor: Actor): Promise<{ expiresAt: number }> {
    const user = this.#o.store.get('users', userId);
    if (!user) throw new DomainError('NOT_FOUND', `user ${JSON.stringify(userId)} not found`, 'userId');
    if (user.email === undefined) throw new DomainError('INVALID_STATE', 'the user has no e-mail address to send a welcome to', 'email');
    if (user.disabled) throw new DomainError('INVALID_STATE', 'the user is disabled', 'userId');
    if (user.passwordHash !== undefined) throw new DomainError('INVALID_STATE', 'the user has already set a password (they can ask for a reset link)', 'userId');
    const hours = enterpriseSettings(this.#o.store.get('enterprises', user.enterpriseId)).welcomeLinkHours;
    const { expiresAt } = await this.#issue(user, user.email, 'welcome', hours * 3600_000, actor);
    return { expiresAt };
  }

  /**
   * A forgotten password: throttled per e-mail address and per client address (429 when over), then answered at once
   * with the same words whoever the address belongs to. The link is made and queued after the answer, so neither
   * what it says nor how long it takes tells whether the address is known.
   */
  async forgot(email: string, ip: string): Promise<string> {
    const keys = [`email:${email.toLowerCase()}`, `ip:${ip}`];
    const wait = await this.#throttle.admit(keys);
    if (wait > 0) throw new AuthError('TOO_MANY_ATTEMPTS', 'too many password reset requests, try again later', undefined, wait);
    const work = this.#reset(email)
      .catch((err: unknown) => this.#log.error({ err }, 'password reset link not sent'))
      .finally(() => this.#pending.delete(work));
    this.#pending.add(work);
    return FORGOT_ANSWER;
  }

  /** Resolves once every reset request taken so far has been handled (a stop, a test). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** The link of `token` and its user when the link can be used now, else undefined (nothing changes). */
  peek(token: string): LiveLink | undefined {
    if (!LinkTokenSchema.safeParse(token).success) return undefined;
    const link = this.#o.store.get('passwordLinks', tokenHash(token));
    if (!link || link.usedAt !== undefined || link.expiresAt <= this.#o.now()) return undefined;
    const user = this.#o.store.get('users', link.userId);
    if (!user || user.disabled || user.enterpriseId !== link.enterpriseId) return undefined;
    return { link, user };
  }

  /**
   * Sets the password of the link's user and spends the link. Refused (VALIDATION on `token`) for a link used,
   * expired, replaced, or of a user deleted or disabled; a password the policy refuses is refused with its own field
   * and the link stays usable. Signs nobody in.
   */
  async use(token: string, password: string): Promise<{ userId: string; purpose: LinkPurpose }> {
    const live = this.peek(token);
    if (!live) throw new DomainError('VALIDATION', LINK_INVALID_MESSAGE, 'token');
    const { link, user } = live;
    const actor = selfActor(user);
    // Applied to memory before commit() returns: a second request with the same token finds it used from here on.
    const claimed: PasswordLink = { ...link, usedAt: this.#o.now() };
    await this.#o.store.commit({ put: [{ c: 'passwordLinks', key: link.hash, value: claimed }] });
    try {
      await this.#o.setPassword(user.id, password, actor);
    } catch (err) {
      // Released unless a newer link ended it meanwhile.
      if (this.#o.store.get('passwordLinks', link.hash)?.usedAt === claimed.usedAt) await this.#o.store.commit({ put: [{ c: 'passwordLinks', key: link.hash, value: link }] });
      throw err;
    }
    // The new password ends the user's other open links too.
    const others = this.#o.store.list('passwordLinks').filter((l) => l.userId === user.id && l.hash !== link.hash && l.usedAt === undefined);
    const what = link.purpose === 'welcome' ? 'password set with a welcome link' : 'password reset with a reset link';
    await this.#o.store.commit({ del: others.map((l) => ({ c: 'passwordLinks' as const, key: l.hash })), activity: [this.#entry(actor, user, what)] });
    this.#log.info({ userId: user.id, purpose: link.purpose }, 'password set through a link');
    return { userId: user.id, purpose: link.purpose };
  }

  async #reset(email: string): Promise<void> {
    const user = this.#o.users.userSet().byEmail(email);
    if (!user || user.disabled || user.email === undefined) return;
    await this.#issue(user, user.email, 'reset', RESET_LINK_MS, selfActor(user));
  }

  /** Stores a new link (ending the user's older ones of that purpose) with its activity entry, then queues the mail. */
  async #issue(user: User, to: string, purpose: LinkPurpose, ttlMs: number, actor: Actor): Promise<{ expiresAt: number }> {
    const now = this.#o.now();
    const token = newToken();
    const link: PasswordLink = { hash: tokenHash(token), userId: user.id, enterpriseId: user.enterpriseId, purpose, createdAt: now, expiresAt: now + ttlMs };
    const ended = this.#o.store
      .list('passwordLinks')
      .filter((l) => (l.userId === user.id && l.purpose === purpose) || Math.max(l.expiresAt, l.usedAt ?? 0) < now - KEEP_SPENT_MS);
    const detail = `${purpose === 'welcome' ? 'welcome' : 'password reset'} link sent, valid until ${new Date(link.expiresAt).toISOString()}`;
    await this.#o.store.commit({
      put: [{ c: 'passwordLinks', key: link.hash, value: link }],
      del: ended.map((l) => ({ c: 'passwordLinks' as const, key: l.hash })),
      activity: [this.#entry(actor, user, detail)],
    });
    const language = user.language === 'fr' ? 'fr' : 'en';
    const url = new URL(`${this.#o.baseUrl()}${LINK_PAGES[purpose]}`);
    url.searchParams.set('token', token);
    url.searchParams.set('lang', language);
    const message: AccountMessage = {
      kind: purpose === 'welcome' ? 'welcome' : 'password-reset',
      enterpriseId: user.enterpriseId,
      userId: user.id,
      to,
      name: [user.firstName, user.lastName].filter((s) => s !== undefined).join(' ') || user.username,
      language,
      link: url.toString(),
      expiresAt: link.expiresAt,
    };
    await this.#o.mail.queue(message);
    this.#log.info({ userId: user.id, purpose }, 'password link sent');
    return { expiresAt: link.expiresAt };
  }

  #entry(actor: Actor, user: User, detail: string): ActivityEntry {
    return this.#accountLog.entry(actor, user.enterpriseId, { kind: 'user', id: user.id }, detail);
  }
}

/** A user acting on their own account, in the activity log's words. */
function selfActor(user: User): Actor {
  return actorAs(user.role, user.id);
}

/** Account mail for a cloud without a mail outbox: each message is logged as not sent (never its link). */
export function unsentAccountMail(logger: Logger): AccountMail {
  const log = logger.child({ module: 'account-mail' });
  return {
    queue: async (m) => log.warn({ kind: m.kind, userId: m.userId }, 'no mail outbox is configured: this account e-mail was not sent'),
  };
}
