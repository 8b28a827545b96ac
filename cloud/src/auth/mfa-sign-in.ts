/**
 * The second step of a sign-in, and a user's own second factors. After the right password (AuthService.signIn) a
 * client holding a challenge gives a code (authenticator, recovery, e-mail) or, when its enterprise requires a factor
 * it does not have, adds an authenticator; then it gets its session, and a remembered-device token when it asked for
 * one. A wrong code counts against the challenge (five at most) and towards the account's lock-out, like a wrong
 * password.
 */
import type { Logger } from 'pino';
import { AuthError } from './auth-error.ts';
import { ACCOUNT_LOCKED_MESSAGE, type AccountLockout } from './lockout.ts';
import { INVALID_CHALLENGE, type Mfa, type MfaMethod } from './mfa.ts';
import type { DeviceView } from './mfa-devices.ts';
import type { FactorStatus, TotpEnrolment } from './mfa-factors.ts';
import type { MfaChallenge } from './mfa-model.ts';
import { actorAs, type Actor, type EnterpriseSettings, type User } from '../domain/model.ts';
import type { UserUseCases } from '../domain/use-cases/users.ts';

/** The client finishing a sign-in: where from, and whether it asks to be remembered. */
export interface MfaClient {
  ip: string;
  userAgent?: string | undefined;
  rememberDevice?: boolean | undefined;
}

/** A session opened for a user (AuthService's), with the remembered-device token when one was asked for. */
export interface Completed<S> {
  session: S;
  device?: { token: string; expiresAt: number } | undefined;
}

/** What a user's own page shows of their second factors. */
export interface MfaStatus extends FactorStatus {
  required: boolean;
  emailCodes: boolean;
  devices: DeviceView[];
}

const WRONG_CODE = 'That code is not right, or it was already used. Try the current code.';

export class MfaSignIn<S> {
  constructor(
    private readonly o: {
      mfa: Mfa;
      users: Pick<UserUseCases, 'getUser'>;
      lockout: AccountLockout;
      settings: (enterpriseId: string) => Required<EnterpriseSettings>;
      openSession: (user: User, client: MfaClient) => Promise<S>;
      logger: Logger;
    },
  ) {}

  /** What a challenge's page offers: the factors the user can give, whether to add an authenticator, the days a device is remembered. */
  async describe(token: string): Promise<{ methods: MfaMethod[]; enrol: boolean; rememberDays: number }> {
    const { c, user } = await this.#live(token);
    return { methods: this.o.mfa.methods(user), enrol: c.enrol, rememberDays: this.o.settings(user.enterpriseId).mfaRememberDays };
  }

  /** Completes a sign-in with a second factor. */
  async verify(token: string, method: MfaMethod, code: string, client: MfaClient): Promise<Completed<S>> {
    const { c, user } = await this.#live(token);
    if (!(await this.o.mfa.check(c, user, method, code))) await this.#wrong(c, user);
    return this.#complete(c, user, method, client);
  }

  /** Sends a code by e-mail for the challenge. */
  async sendEmailCode(token: string): Promise<{ expiresAt: number }> {
    const { c, user } = await this.#live(token);
    return this.o.mfa.sendEmailCode(c, user);
  }

  /** Starts adding an authenticator within a challenge that offers it. */
  async beginEnrolment(token: string): Promise<TotpEnrolment> {
    const { c, user } = await this.#live(token);
    if (!c.enrol) throw new AuthError('MFA_CHALLENGE_INVALID', 'this sign-in does not add an authenticator: give a code of the one you have', 'challenge');
    return this.o.mfa.beginEnrolment(user);
  }

  /** Confirms the authenticator added within the challenge: the session, and the recovery codes to keep. */
  async confirmEnrolment(token: string, code: string, client: MfaClient): Promise<Completed<S> & { recoveryCodes: string[] }> {
    const { c, user } = await this.#live(token);
    if (!c.enrol) throw new AuthError('MFA_CHALLENGE_INVALID', 'this sign-in does not add an authenticator: give a code of the one you have', 'challenge');
    const recoveryCodes = await this.o.mfa.confirmEnrolment(user, code, actorAs(user.role, user.id));
    if (!recoveryCodes) await this.#wrong(c, user);
    return { ...(await this.#complete(c, user, 'enrolment', client)), recoveryCodes: recoveryCodes! };
  }

  /** A signed-in user's second factors. */
  async status(userId: string): Promise<MfaStatus> {
    const user = await this.o.users.getUser(userId);
    return {
      ...this.o.mfa.factors.status(userId),
      required: await this.o.mfa.required(user),
      emailCodes: this.o.mfa.methods(user).includes('email'),
      devices: this.o.mfa.devices.list(userId),
    };
  }

  /**
   * A signed-in user starts adding their authenticator, or replacing it: then with a current code of the one they
   * have (or a recovery code), so that a session alone, stolen say, cannot put another phone in its place.
   */
  async beginOwnEnrolment(userId: string, currentCode?: string): Promise<TotpEnrolment> {
    const user = await this.o.users.getUser(userId);
    if (this.o.mfa.factors.status(userId).totp) {
      const code = currentCode ?? '';
      const proven = (await this.o.mfa.factors.useTotp(userId, code)) || (await this.o.mfa.factors.useRecovery(userId, code));
      if (!proven) throw new AuthError('MFA_CODE_INVALID', `${WRONG_CODE} Replacing your authenticator takes a code of the one you have, or a recovery code.`, 'code');
    }
    return this.o.mfa.beginEnrolment(user);
  }

  /** A signed-in user confirms it with a first code: the recovery codes. */
  async confirmOwnEnrolment(userId: string, code: string): Promise<string[]> {
    const user = await this.o.users.getUser(userId);
    const codes = await this.o.mfa.confirmEnrolment(user, code, actorAs(user.role, user.id));
    if (!codes) throw new AuthError('MFA_CODE_INVALID', WRONG_CODE, 'code');
    return codes;
  }

  /** A signed-in user removes their authenticator, proving it with a current code. */
  async removeOwn(userId: string, code: string): Promise<void> {
    const user = await this.o.users.getUser(userId);
    if (!(await this.o.mfa.factors.useTotp(userId, code))) throw new AuthError('MFA_CODE_INVALID', WRONG_CODE, 'code');
    await this.o.mfa.removeOwn(user, actorAs(user.role, user.id));
  }

  /** New recovery codes for a signed-in user, proving it with a current code. */
  async renewRecoveryCodes(userId: string, code: string): Promise<string[]> {
    const user = await this.o.users.getUser(userId);
    if (!(await this.o.mfa.factors.useTotp(userId, code))) throw new AuthError('MFA_CODE_INVALID', WRONG_CODE, 'code');
    return (await this.o.mfa.renewRecoveryCodes(user, actorAs(user.role, user.id)))!;
  }

  /** A signed-in user forgets one of their remembered devices; answers whether it was live. */
  async revokeDevice(userId: string, deviceId: string): Promise<boolean> {
    const user = await this.o.users.getUser(userId);
    const revoked = await this.o.mfa.devices.revoke(userId, deviceId);
    if (revoked) this.o.logger.info({ userId: user.id, deviceId }, 'remembered device revoked');
    return revoked;
  }

  /** An administrator's reset of a user's second factors (see Mfa.reset). */
  async reset(userId: string, actor: Actor): Promise<boolean> {
    return this.o.mfa.reset(await this.o.users.getUser(userId), actor);
  }

  async #live(token: string): Promise<{ c: MfaChallenge; user: User }> {
    const c = this.o.mfa.challenge(token);
    const user = await this.o.users.getUser(c.userId).catch(() => undefined);
    if (!user || user.disabled) throw new AuthError('MFA_CHALLENGE_INVALID', INVALID_CHALLENGE, 'challenge');
    if (this.o.lockout.lockedUntil(user.id) !== undefined) throw new AuthError('ACCOUNT_LOCKED', ACCOUNT_LOCKED_MESSAGE);
    return { c, user };
  }

  /** A wrong code: counted against the challenge and the account; always throws. */
  async #wrong(c: MfaChallenge, user: User): Promise<never> {
    const left = await this.o.mfa.challenges.failed(c);
    this.o.logger.warn({ userId: user.id, left }, 'second factor refused');
    if (await this.o.lockout.failed(user)) throw new AuthError('ACCOUNT_LOCKED', ACCOUNT_LOCKED_MESSAGE);
    if (left === 0) throw new AuthError('MFA_CHALLENGE_INVALID', 'Too many wrong codes: sign in again.', 'challenge');
    throw new AuthError('MFA_CODE_INVALID', WRONG_CODE, 'code');
  }

  async #complete(c: MfaChallenge, user: User, method: MfaMethod | 'enrolment', client: MfaClient): Promise<Completed<S>> {
    if (!(await this.o.mfa.challenges.spend(c))) throw new AuthError('MFA_CHALLENGE_INVALID', INVALID_CHALLENGE, 'challenge');
    await this.o.lockout.clear(user.id);
    const days = this.o.settings(user.enterpriseId).mfaRememberDays;
    const device = client.rememberDevice === true && days > 0 ? await this.o.mfa.devices.remember(user, days, client.userAgent ?? 'unknown device') : undefined;
    await this.o.mfa.signedIn(user, method, device !== undefined);
    return { session: await this.o.openSession(user, client), ...(device ? { device } : {}) };
  }
}
