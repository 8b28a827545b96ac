import type { Logger } from 'pino';
export { AuthError, type AuthErrorCode } from './auth-error.ts';
import { LoginThrottle } from './rate-limit.ts';
import type { GuessCountsOf } from './guess-counts.ts';
import { hashNewPassword, needsNewHash, verifyStoredPassword, type Argon2Params } from './passwords.ts';
import { checkPassword } from './password-policy.ts';
import { ACCOUNT_LOCKED_MESSAGE, AccountLockout } from './lockout.ts';
import { cryptoRandom, type RandomSource } from '../domain/core.ts';
import { enterpriseSettings, type AccessLevel, type Actor, type EnterpriseSettings, type Permission, type User } from '../domain/model.ts';
import type { Del, Store } from '../store/store.ts';
import type { RoleUseCases } from '../domain/use-cases/roles.ts';
import type { UserUseCases } from '../domain/use-cases/users.ts';
import type { UserCsv, UserImportResult, UserView } from '../domain/use-cases/users-csv.ts';
import { publicUser, type CreateUserInput, type PublicUser, type UpdateUserInput, type TokenRepo } from './users.ts';
import { Sessions, type SessionView } from './sessions.ts';
import { ApiKeys, keyPermissions, looksLikeApiKey } from './api-keys.ts';
import { AccountLog } from './account-log.ts';
import type { AccountMail } from './account-mail.ts';
import { Mfa, type MfaGate } from './mfa.ts';
import { MfaSignIn, type MfaClient } from './mfa-sign-in.ts';
import type { LockerService } from '../domain/service.ts';
import { AuthError, SSO_REQUIRED_MESSAGE } from './auth-error.ts';
import { barsPasswordSignIn } from '../sso/model.ts';

/** Who made a request, once its token checked out: their enterprise, what they may do, and where. */
export interface Principal {
  userId: string;
  username: string;
  /** The id of the user's role (a predefined role's word or an enterprise's role id). */
  role: string;
  enterpriseId: string;
  accessLevel: AccessLevel;
  permissions: ReadonlySet<Permission>;
  platformAdmin: boolean;
  contactId?: string | undefined;
  carrierId?: string | undefined;
  /** Set when the bearer is an API key: then `userId` is the key's id (what the activity log names as the actor). */
  apiKeyId?: string | undefined;
}

/** What the cloud does itself (seeding the first administrator) when no signed-in user acts. */
const SYSTEM: Actor = { role: 'system' };

export interface AuthServiceOptions {
  /** The domain's user records and their rules: this service adds passwords, tokens and sign-in. */
  users: UserUseCases;
  /** The users CSV import, run through the same rules. */
  userCsv: Pick<UserCsv, 'import'>;
  roles: Pick<RoleUseCases, 'getRole'>;
  tokens: TokenRepo;
  /** The API keys of scripts and integrations, also bearer tokens. */
  apiKeys: ApiKeys;
  /** The activity log's entries about accounts. */
  accountLog: AccountLog;
  /** An enterprise's settings (its idle sign-out period and session maximum among them). */
  enterpriseSettings: (enterpriseId: string) => Required<EnterpriseSettings>;
  /** Second factors: when one is due, and checking it. */
  mfa: Mfa;
  /** The domain's store: enterprises' settings (password policy, lock-out) and the accounts' failure counts. */
  store: Store;
  /** Ids of activity entries (default: random UUIDs). */
  random?: Pick<RandomSource, 'id'>;
  now: () => number;
  logger: Logger;
  /** Cost of new password hashes; a stored hash of other parameters is replaced at its user's next sign-in. */
  argon2: Argon2Params;
  /** The cloud-wide cap on a session's life, whatever an enterprise's maximum. */
  tokenTtlMs: number;
  /** The throttle of failed sign-ins per client address (accounts lock through AccountLockout). */
  login: { freeAttempts: number; baseLockMs: number; maxLockMs: number; windowMs: number };
  /** Where the throttle counts (limit `sign-in`; default: this process's memory). */
  guesses?: GuessCountsOf;
  /** Welcomes each new user (one with an e-mail and no password gets a link to set it: password-links.ts). */
  welcome?: { userCreated(userId: string, actor: Actor): Promise<void> };
}

/** Who signs in: by user name (the CLI, scripts) or by e-mail address. */
export type LoginName = { username: string } | { email: string };

/** What an AuthService takes from the domain: its users and roles, the API keys in its store, its enterprises' settings. */
export function domainAuthParts(
  service: Pick<LockerService, 'users' | 'userCsv' | 'roles' | 'store' | 'now' | 'random' | 'vault'>,
  logger: Logger,
  /** Sends sign-in codes by e-mail; without it none is offered. */
  mail?: AccountMail,
): Pick<AuthServiceOptions, 'users' | 'userCsv' | 'roles' | 'apiKeys' | 'accountLog' | 'enterpriseSettings' | 'mfa'> {
  const log = new AccountLog({ store: service.store, now: service.now, random: service.random });
  const settings = (id: string): Required<EnterpriseSettings> => enterpriseSettings(service.store.get('enterprises', id));
  return {
    mfa: new Mfa({ store: service.store, vault: service.vault, now: service.now, settings, roles: service.roles, accountLog: log, mail, logger: logger.child({ module: 'mfa' }) }),
    users: service.users,
    userCsv: service.userCsv,
    roles: service.roles,
    apiKeys: new ApiKeys({ store: service.store, now: service.now, log, roles: service.roles, logger }),
    accountLog: log,
    enterpriseSettings: settings,
  };
}

export interface LoginResult {
  token: string;
  expiresAt: number;
  user: PublicUser;
}

/** An account's state beside its record: a lock-out running now, and whether an authenticator is set up (never a secret). */
export interface AccountState {
  lockedUntil?: number;
  mfa: { totp: boolean };
}

/** What the right password gives: a session, or (a second factor due) a challenge to answer with one. */
export type SignInResult = ({ kind: 'session' } & LoginResult) | ({ kind: 'mfa' } & MfaGate);

/** Where a sign-in comes from, and the remembered-device tokens the client holds, if any. */
export interface SignInClient {
  ip: string;
  userAgent?: string | undefined;
  deviceTokens?: readonly string[] | undefined;
}

export class AuthService {
  readonly #o: AuthServiceOptions;
  readonly #throttle: LoginThrottle;
  readonly #log: Logger;
  readonly #lockout: AccountLockout;
  readonly #sessions: Sessions;
  readonly #mfaSignIn: MfaSignIn<LoginResult>;
  /** Verified against when the user does not exist, so a wrong name costs the same time as a wrong password. */
  #dummy: Promise<string> | undefined;

  constructor(opts: AuthServiceOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ module: 'auth' });
    this.#throttle = new LoginThrottle({ ...opts.login, now: opts.now, ...(opts.guesses ? { counts: opts.guesses('sign-in') } : {}) });
    this.#lockout = new AccountLockout({ store: opts.store, now: opts.now, random: opts.random ?? cryptoRandom });
    this.#sessions = new Sessions({ tokens: opts.tokens, now: opts.now, tokenTtlMs: opts.tokenTtlMs, settings: opts.enterpriseSettings });
    this.#mfaSignIn = new MfaSignIn({
      mfa: opts.mfa,
      users: opts.users,
      lockout: this.#lockout,
      settings: opts.enterpriseSettings,
      openSession: (user, client) => this.openSession(user, client),
      logger: this.#log,
    });
  }

  /** The second step of a sign-in, and each user's own second factors. */
  get mfa(): MfaSignIn<LoginResult> {
    return this.#mfaSignIn;
  }

  get apiKeys(): ApiKeys {
    return this.#o.apiKeys;
  }

  async createUser(input: CreateUserInput, actor: Actor = SYSTEM): Promise<PublicUser> {
    const { password, ...record } = input;
    if (password !== undefined) checkPassword(password, this.#o.store.get('enterprises', input.enterpriseId), input);
    const passwordHash = password !== undefined ? await hashNewPassword(password, this.#o.argon2) : undefined;
    const user = await this.#o.users.createUser({ ...record, ...(passwordHash !== undefined ? { passwordHash } : {}) }, actor);
    this.#log.info({ userId: user.id, role: user.role }, 'user created');
    await this.#o.welcome?.userCreated(user.id, actor);
    return publicUser(user);
  }

  async updateUser(id: string, patch: UpdateUserInput, actor: Actor = SYSTEM): Promise<PublicUser> {
    const { password, ...fields } = patch;
    if (password !== undefined) {
      const old = await this.#o.users.getUser(id);
      const email = patch.email === null ? undefined : (patch.email ?? old.email);
      checkPassword(password, this.#o.store.get('enterprises', old.enterpriseId), { username: old.username, email });
    }
    const passwordHash = password !== undefined ? await hashNewPassword(password, this.#o.argon2) : undefined;
    const next = await this.#o.users.updateUser(id, { ...fields, ...(passwordHash !== undefined ? { passwordHash } : {}) }, actor);
    // A password set anew (by an administrator, or a reset) ends a lock-out.
    if (password !== undefined) await this.#lockout.unlock(next, actor, 'password');
    // ... and forgets the browsers remembered for a second factor: whoever knew the old password may hold one.
    if (password !== undefined) await this.#delete(this.#o.mfa.devices.forgetAll(id));
    // A new password, a new role or access level, or a disabled account ends every open session of that user.
    if (password !== undefined || patch.role !== undefined || patch.accessLevel !== undefined || patch.disabled === true) {
      await this.#o.tokens.prune(this.#o.now(), id);
    }
    return publicUser(next);
  }

  /** A users CSV import (UserCsv.import): those whose role or access level it changed are signed out, as after an edit. */
  async importUsers(input: Uint8Array | string, actor: Actor, view: UserView): Promise<UserImportResult> {
    const r = await this.#o.userCsv.import(input, actor, view);
    if (r.ok) for (const id of r.signOut) await this.#o.tokens.prune(this.#o.now(), id);
    if (r.ok) for (const id of r.created) await this.#o.welcome?.userCreated(id, actor);
    return r;
  }

  async deleteUser(id: string, actor: Actor = SYSTEM): Promise<void> {
    await this.#o.users.deleteUser(id, actor);
    await this.#o.tokens.prune(this.#o.now(), id);
    await this.#lockout.clear(id);
    await this.#delete(this.#o.mfa.forgetAll(id));
  }

  async #delete(del: Del[]): Promise<void> {
    if (del.length > 0) await this.#o.store.commit({ del });
  }

  async getUser(id: string): Promise<PublicUser> {
    return publicUser(await this.#o.users.getUser(id));
  }

  /** The users of one enterprise, or of every enterprise when none is given. */
  async listUsers(enterpriseId?: string): Promise<PublicUser[]> {
    return (await this.#o.users.listUsers(enterpriseId)).map(publicUser);
  }

  /** The enterprise's users matching `q` (see UserUseCases.searchUsers). */
  async searchUsers(enterpriseId: string, q: string): Promise<PublicUser[]> {
    return (await this.#o.users.searchUsers(enterpriseId, q)).map(publicUser);
  }

  async findUserByName(name: string): Promise<PublicUser | undefined> {
    const u = await this.#o.users.findUserByUsername(name);
    return u ? publicUser(u) : undefined;
  }

  /** What an administrator sees of an account's state: until when it is locked (if it is), and whether it has an authenticator. */
  accountState(id: string): AccountState {
    const lockedUntil = this.#lockout.lockedUntil(id);
    return { ...(lockedUntil !== undefined ? { lockedUntil } : {}), mfa: { totp: this.#o.mfa.factors.status(id).totp } };
  }

  /** Ends a lock-out of user `id` (an administrator's unlock); answers whether the account was locked. */
  async unlock(id: string, actor: Actor): Promise<boolean> {
    return this.#lockout.unlock(await this.#o.users.getUser(id), actor, 'admin');
  }

  /**
   * A sign-in without a second factor: a bearer token, or AuthError MFA_REQUIRED when the user must give one (their
   * enterprise requires it, or they added an authenticator): then `signIn` and the MFA steps are the way in.
   */
  async login(who: string | LoginName, password: string, ip: string, userAgent?: string): Promise<LoginResult> {
    const r = await this.signIn(typeof who === 'string' ? { username: who } : who, password, { ip, userAgent });
    if (r.kind === 'mfa') throw new AuthError('MFA_REQUIRED', 'this account signs in with a second factor');
    const { kind: _, ...session } = r;
    return session;
  }

  /**
   * Checks a password; then opens a session, or answers a challenge when a second factor is due and the client's
   * remembered-device token does not spare it. A locked account is refused with the lock's message whatever the
   * password; a wrong password counts towards the account's lock-out; refused attempts are also throttled per client
   * address, which slows guessing across accounts.
   */
  async signIn(name: LoginName, password: string, client: SignInClient): Promise<SignInResult> {
    const { ip } = client;
    const keys = [`ip:${ip}`];
    const wait = await this.#throttle.retryAfterMs(keys);
    if (wait > 0) {
      throw new AuthError('TOO_MANY_ATTEMPTS', 'too many failed login attempts, try again later', undefined, wait);
    }
    const user = await this.#userSigningIn(name);
    if (user) this.#refuseIfSsoOnly(user, ip);
    const refuseIfLocked = async (u: User): Promise<void> => {
      if (this.#lockout.lockedUntil(u.id) === undefined) return;
      await this.#throttle.fail(keys);
      this.#log.warn({ userId: u.id, ip }, 'login refused: account locked');
      throw new AuthError('ACCOUNT_LOCKED', ACCOUNT_LOCKED_MESSAGE);
    };
    // Before the costly hash (a locked account is not worth it), and again after it: an attempt running alongside
    // may have locked the account meanwhile.
    if (user) await refuseIfLocked(user);
    let ok: boolean;
    if (user?.passwordHash !== undefined) {
      ok = await verifyStoredPassword(password, user.passwordHash);
    } else {
      this.#dummy ??= hashNewPassword('not a password', this.#o.argon2);
      await verifyStoredPassword(password, await this.#dummy);
      ok = false;
    }
    if (!ok || !user || user.disabled) {
      await this.#throttle.fail(keys);
      this.#log.warn({ userId: user?.id, ip }, 'login refused');
      // Only a wrong password counts towards the lock-out (a disabled account's right one does not).
      if (user && !ok && (await this.#lockout.failed(user))) throw new AuthError('ACCOUNT_LOCKED', ACCOUNT_LOCKED_MESSAGE);
      throw new AuthError('INVALID_CREDENTIALS', 'email' in name ? 'invalid e-mail address or password' : 'invalid user name or password');
    }
    await refuseIfLocked(user);
    await this.#throttle.succeed(keys);
    if (needsNewHash(user.passwordHash!, this.#o.argon2)) await this.#upgradeHash(user, password);
    const gate = await this.#o.mfa.gate(user, client.deviceTokens ?? []);
    if (gate) {
      // The failure count stands until the second factor is right: a password typed again between wrong codes does
      // not buy more guesses.
      this.#log.info({ userId: user.id, ip, methods: gate.methods, enrol: gate.enrol }, 'password right: second factor due');
      return { kind: 'mfa', ...gate };
    }
    await this.#lockout.clear(user.id);
    return { kind: 'session', ...(await this.openSession(user, client)) };
  }

  /** Opens a session for a user whose identity was just verified (a password, a second factor, the enterprise's identity provider). */
  async openSession(user: User, client: MfaClient | SignInClient): Promise<LoginResult> {
    const { token, session } = await this.#sessions.open(user, { ip: client.ip, userAgent: client.userAgent });
    this.#log.info({ userId: user.id, ip: client.ip, sessionId: session.id }, 'login');
    return { token, expiresAt: session.expiresAt, user: publicUser(user) };
  }

  /** A user of an enterprise whose single sign-on bars passwords is refused, whatever the password. */
  #refuseIfSsoOnly(user: User, ip: string): void {
    if (!barsPasswordSignIn(this.#o.store.get('ssoConfigs', user.enterpriseId))) return;
    this.#log.warn({ userId: user.id, ip }, 'login refused: single sign-on required');
    throw new AuthError('SSO_REQUIRED', SSO_REQUIRED_MESSAGE);
  }

  /**
   * The user a sign-in names: by user name, or by e-mail address (any case). An address that several users hold
   * (possible in a folder of a release that did not keep them unique) names nobody.
   */
  async #userSigningIn(name: LoginName): Promise<User | undefined> {
    if ('username' in name) return this.#o.users.findUserByUsername(name.username);
    const email = name.email.trim().toLowerCase();
    const holders = this.#o.store.list('users').filter((u) => u.email?.toLowerCase() === email);
    return holders.length === 1 ? holders[0] : undefined;
  }

  /** The password just verified, hashed with the current algorithm and cost; a failure leaves the old hash working. */
  async #upgradeHash(user: User, password: string): Promise<void> {
    try {
      await this.#o.users.updateUser(user.id, { passwordHash: await hashNewPassword(password, this.#o.argon2) }, SYSTEM);
      this.#log.info({ userId: user.id }, 'password hash upgraded');
    } catch (err) {
      this.#log.warn({ err, userId: user.id }, 'password hash not upgraded');
    }
  }

  /** Ends the session of this token (an API key is revoked instead, by an administrator). */
  async logout(token: string): Promise<void> {
    await this.#sessions.end(token);
  }

  /**
   * Ends every session of a user: their own sign-out everywhere, or an administrator's (`by`, recorded in the
   * activity log). Answers how many were open.
   */
  async endSessions(userId: string, by?: Actor): Promise<number> {
    const user = await this.#o.users.getUser(userId);
    const ended = await this.#sessions.endAll(user);
    this.#log.info({ userId, ended }, 'sessions ended');
    if (by) await this.#o.accountLog.record(undefined, this.#o.accountLog.entry(by, user.enterpriseId, { kind: 'user', id: userId }, 'sessions ended', [{ field: 'sessions', to: `${ended} ended` }]));
    return ended;
  }

  /** A user's open sessions (never a token or a hash); `currentToken` marks the asking one. */
  async listSessions(userId: string, currentToken?: string): Promise<SessionView[]> {
    const user = await this.#o.users.getUser(userId);
    return this.#sessions.list(user, currentToken);
  }

  /**
   * The principal of a bearer token, or undefined for unknown, expired, idle too long, revoked, or disabled. Every
   * lookup here is of memory (the sessions, the store's live state): a request costs no read of a file.
   */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (looksLikeApiKey(token)) {
      const p = await this.#keyPrincipal(token);
      if (p) return p;
    }
    const rec = await this.#sessions.find(token);
    if (!rec) return undefined;
    const user = await this.#o.users.getUser(rec.userId).catch(() => undefined);
    if (!user || user.disabled) return undefined;
    if (!(await this.#sessions.admit(rec, user.enterpriseId))) return undefined;
    // Read at every request: a role's permissions changed by an administrator apply to the next call.
    const role = await this.#o.roles.getRole(user.enterpriseId, user.role).catch(() => undefined);
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      enterpriseId: user.enterpriseId,
      accessLevel: user.accessLevel,
      permissions: new Set(role?.permissions ?? []),
      platformAdmin: user.platformAdmin === true,
      contactId: user.contactId,
      carrierId: user.carrierId,
    };
  }

  /** The principal of a live API key: its role, level and enterprise, acting within what its maker may do now. */
  async #keyPrincipal(token: string): Promise<Principal | undefined> {
    const key = this.#o.apiKeys.verify(token);
    if (!key) return undefined;
    const maker = await this.#o.users.getUser(key.createdBy).catch(() => undefined);
    if (!maker || maker.disabled || maker.enterpriseId !== key.enterpriseId) return undefined;
    const role = await this.#o.roles.getRole(key.enterpriseId, key.role).catch(() => undefined);
    const makerRole = maker.platformAdmin === true ? undefined : await this.#o.roles.getRole(maker.enterpriseId, maker.role).catch(() => undefined);
    this.#o.apiKeys.recordUse(key.id);
    return {
      userId: key.id,
      username: key.name,
      role: key.role,
      enterpriseId: key.enterpriseId,
      accessLevel: key.accessLevel,
      permissions: new Set(keyPermissions(role, maker, makerRole)),
      platformAdmin: false,
      apiKeyId: key.id,
    };
  }
}
