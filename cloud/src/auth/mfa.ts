/**
 * Multi-factor sign-in: when a user must give a second factor (their enterprise requires it of them, or they added an
 * authenticator), and checking the factor given: a code of their authenticator app, a recovery code, or a code sent
 * to their e-mail address when the enterprise allows it. A remembered device spares its user the challenge.
 * Every change of a user's factors and every sign-in with one is an `account` activity entry (never a code).
 */
import type { Logger } from 'pino';
import type { AccountLog } from './account-log.ts';
import type { AccountMail } from './account-mail.ts';
import { MfaChallenges } from './mfa-challenges.ts';
import { MfaDevices } from './mfa-devices.ts';
import { MfaFactorStore, type SecretSeal, type TotpEnrolment } from './mfa-factors.ts';
import type { MfaChallenge } from './mfa-model.ts';
import { AuthError } from './auth-error.ts';
import { actorAs, type Actor, type EnterpriseSettings, type Permission, type User } from '../domain/model.ts';
import type { RoleUseCases } from '../domain/use-cases/roles.ts';
import type { Store } from '../store/store.ts';

export type MfaMethod = 'totp' | 'recovery' | 'email';
export const MFA_METHODS = ['totp', 'recovery', 'email'] as const satisfies readonly MfaMethod[];

/** What a client is told after the right password when a second factor is due. */
export interface MfaGate {
  /** The challenge token: sent back with the code. */
  challenge: string;
  expiresAt: number;
  /** The factors the user can give now. */
  methods: MfaMethod[];
  /** Whether an authenticator can be added through this challenge (the enterprise requires a factor, the user has none). */
  enrol: boolean;
}

/** Permissions that make a user an administrator for the enterprise's `mfaRequired: admins`. */
const ADMIN_PERMISSIONS: readonly Permission[] = ['users', 'roles', 'settings'];
/** The answer to a challenge that is over: expired, used, or worn out by wrong codes. */
export const INVALID_CHALLENGE = 'This sign-in has expired or was already used: sign in again.';

export interface MfaOptions {
  store: Store;
  vault: SecretSeal & { macKey(purpose: string): Buffer };
  now: () => number;
  settings: (enterpriseId: string) => Required<EnterpriseSettings>;
  roles: Pick<RoleUseCases, 'getRole'>;
  accountLog: AccountLog;
  /** Sends e-mail codes; without it no e-mail code is offered. */
  mail?: AccountMail | undefined;
  logger: Logger;
}

export class Mfa {
  readonly factors: MfaFactorStore;
  readonly devices: MfaDevices;
  readonly challenges: MfaChallenges;
  readonly #o: MfaOptions;

  constructor(o: MfaOptions) {
    this.#o = o;
    this.factors = new MfaFactorStore({ store: o.store, seal: o.vault, now: o.now, issuer: (u) => `Portier (${o.store.get('enterprises', u.enterpriseId)?.name ?? u.enterpriseId})` });
    this.devices = new MfaDevices({ store: o.store, key: o.vault.macKey('mfa device'), now: o.now });
    this.challenges = new MfaChallenges({ store: o.store, key: o.vault.macKey('mfa e-mail code'), now: o.now });
  }

  /** Whether the user's enterprise requires a second factor of them. */
  async required(user: User): Promise<boolean> {
    const rule = this.#o.settings(user.enterpriseId).mfaRequired;
    if (rule === 'all') return true;
    if (rule !== 'admins') return false;
    if (user.platformAdmin === true) return true;
    const role = await this.#o.roles.getRole(user.enterpriseId, user.role).catch(() => undefined);
    return (role?.permissions ?? []).some((p) => ADMIN_PERMISSIONS.includes(p));
  }

  /** The factors the user can give: their authenticator and its recovery codes, and an e-mail code where allowed. */
  methods(user: User): MfaMethod[] {
    const s = this.factors.status(user.id);
    const email = this.#o.mail !== undefined && this.#o.settings(user.enterpriseId).mfaEmailCodes && user.email !== undefined;
    return [...(s.totp ? (['totp'] as const) : []), ...(s.recoveryCodesLeft > 0 ? (['recovery'] as const) : []), ...(email ? (['email'] as const) : [])];
  }

  /**
   * After the right password: undefined when no second factor is due (none required and none added, or a remembered
   * device), else a new challenge.
   */
  async gate(user: User, deviceTokens: readonly string[]): Promise<MfaGate | undefined> {
    const enrolled = this.factors.status(user.id).totp;
    const required = await this.required(user);
    if (!enrolled && !required) return undefined;
    // A browser may hold the tokens of several people who signed in on it: a token is the device of one user only.
    for (const token of deviceTokens.slice(0, 10)) if (await this.devices.honours(user.id, token)) return undefined;
    const enrol = required && !enrolled;
    const { token, challenge } = await this.challenges.open(user, enrol);
    return { challenge: token, expiresAt: challenge.expiresAt, methods: this.methods(user), enrol };
  }

  /** The live challenge of a token, or AuthError MFA_CHALLENGE_INVALID. */
  challenge(token: string): MfaChallenge {
    const c = this.challenges.live(token);
    if (!c) throw new AuthError('MFA_CHALLENGE_INVALID', INVALID_CHALLENGE, 'challenge');
    return c;
  }

  /** Sends a new e-mail code for the challenge; answers when it stops working. */
  async sendEmailCode(c: MfaChallenge, user: User): Promise<{ expiresAt: number }> {
    if (!this.methods(user).includes('email') || !this.#o.mail) throw new AuthError('MFA_CODE_INVALID', 'a code by e-mail is not available for this account', 'method');
    const r = await this.challenges.newEmailCode(c);
    if ('retryAfterMs' in r) throw new AuthError('TOO_MANY_ATTEMPTS', 'a code was sent a moment ago: wait before asking for another', undefined, r.retryAfterMs);
    const name = [user.firstName, user.lastName].filter((x) => x !== undefined).join(' ') || user.username;
    await this.#o.mail.queue({ kind: 'mfa-code', enterpriseId: user.enterpriseId, userId: user.id, to: user.email!, name, language: user.language ?? 'en', code: r.code, expiresAt: r.expiresAt });
    this.#o.logger.info({ userId: user.id }, 'sign-in code sent by e-mail');
    return { expiresAt: r.expiresAt };
  }

  /** Whether `code` is a good factor of `method` for the challenge's user; a good one is spent. */
  async check(c: MfaChallenge, user: User, method: MfaMethod, code: string): Promise<boolean> {
    if (!this.methods(user).includes(method)) return false;
    if (method === 'totp') return this.factors.useTotp(user.id, code);
    if (method === 'recovery') return this.factors.useRecovery(user.id, code);
    return this.challenges.emailCodeMatches(c, code);
  }

  /** Starts adding an authenticator for the user (a challenge's enrolment, or a signed-in user's own). */
  async beginEnrolment(user: User): Promise<TotpEnrolment> {
    return this.factors.begin(user);
  }

  /** Confirms the authenticator being added: the recovery codes, or undefined for a wrong code. */
  async confirmEnrolment(user: User, code: string, actor: Actor): Promise<string[] | undefined> {
    const had = this.factors.status(user.id).totp;
    const codes = await this.factors.confirm(user, code);
    if (codes) await this.#record(actor, user, had ? 'authenticator replaced' : 'authenticator added');
    return codes;
  }

  /** New recovery codes for an enrolled user. */
  async renewRecoveryCodes(user: User, actor: Actor): Promise<string[] | undefined> {
    const codes = await this.factors.renewRecovery(user.id);
    if (codes) await this.#record(actor, user, 'recovery codes renewed');
    return codes;
  }

  /** The user removes their own authenticator: refused while their enterprise requires a second factor of them. */
  async removeOwn(user: User, actor: Actor): Promise<boolean> {
    if (await this.required(user)) throw new AuthError('MFA_REQUIRED', 'your organisation requires a second factor: add a new authenticator instead of removing this one');
    return this.#forget(user, actor, 'authenticator removed');
  }

  /**
   * An administrator's reset: the user's authenticator, recovery codes, remembered devices and waiting sign-ins are
   * gone; at their next sign-in they enrol again if their enterprise requires it. Answers whether they had any.
   */
  async reset(user: User, actor: Actor): Promise<boolean> {
    return this.#forget(user, actor, 'second factors reset');
  }

  /** The changes that forget every factor, device and challenge of a user (with a deletion of the user). */
  forgetAll(userId: string): Array<{ c: 'mfaFactors' | 'mfaDevices' | 'mfaChallenges'; key: string }> {
    const f = this.factors.forget(userId);
    return [...(f ? [f] : []), ...this.devices.forgetAll(userId), ...this.challenges.forgetAll(userId)];
  }

  /** Records a sign-in completed with a second factor. */
  async signedIn(user: User, method: MfaMethod | 'enrolment', remembered: boolean): Promise<void> {
    await this.#record(actorAs(user.role, user.id), user, `signed in with a second factor (${method})${remembered ? ', device remembered' : ''}`);
  }

  async #forget(user: User, actor: Actor, what: string): Promise<boolean> {
    const del = this.forgetAll(user.id);
    const had = this.factors.status(user.id).totp || this.devices.list(user.id).length > 0;
    await this.#o.store.commit({ del, activity: [this.#o.accountLog.entry(actor, user.enterpriseId, { kind: 'user', id: user.id }, what)] });
    this.#o.logger.info({ userId: user.id, by: actor }, what);
    return had;
  }

  async #record(actor: Actor, user: User, what: string): Promise<void> {
    await this.#o.accountLog.record(undefined, this.#o.accountLog.entry(actor, user.enterpriseId, { kind: 'user', id: user.id }, what));
    this.#o.logger.info({ userId: user.id }, what);
  }
}
