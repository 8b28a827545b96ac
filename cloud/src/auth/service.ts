import type { Logger } from 'pino';
import { LoginThrottle } from './rate-limit.ts';
import {
  decodePasswordHash,
  encodePasswordHash,
  hashPassword,
  verifyPassword,
  type PasswordHash,
  type ScryptParams,
} from './passwords.ts';
import type { AccessLevel, Actor, Permission } from '../domain/model.ts';
import type { RoleUseCases } from '../domain/use-cases/roles.ts';
import type { UserUseCases } from '../domain/use-cases/users.ts';
import type { UserCsv, UserImportResult, UserView } from '../domain/use-cases/users-csv.ts';
import { newToken, tokenHash } from './tokens.ts';
import { publicUser, type CreateUserInput, type PublicUser, type UpdateUserInput, type TokenRepo } from './users.ts';
import { CloudError } from '../errors.ts';

export type AuthErrorCode = 'INVALID_CREDENTIALS' | 'TOO_MANY_ATTEMPTS' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'ENTERPRISE_REQUIRED';

export class AuthError extends CloudError<AuthErrorCode> {
  override name = 'AuthError';
  constructor(
    code: AuthErrorCode,
    message: string,
    field?: string,
    /** For TOO_MANY_ATTEMPTS: when the caller may try again. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message, { field });
  }
}

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
  now: () => number;
  logger: Logger;
  scrypt: ScryptParams;
  tokenTtlMs: number;
  login: { freeAttempts: number; baseLockMs: number; maxLockMs: number; windowMs: number };
  /** Welcomes each new user (one with an e-mail and no password gets a link to set it: password-links.ts). */
  welcome?: { userCreated(userId: string, actor: Actor): Promise<void> };
}

export interface LoginResult {
  token: string;
  expiresAt: number;
  user: PublicUser;
}

export class AuthService {
  readonly #o: AuthServiceOptions;
  readonly #throttle: LoginThrottle;
  readonly #log: Logger;
  /** Verified against when the user does not exist, so a wrong name costs the same time as a wrong password. */
  #dummy: Promise<PasswordHash> | undefined;

  constructor(opts: AuthServiceOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ module: 'auth' });
    this.#throttle = new LoginThrottle({ ...opts.login, now: opts.now });
  }

  async createUser(input: CreateUserInput, actor: Actor = SYSTEM): Promise<PublicUser> {
    const { password, ...record } = input;
    const passwordHash = password !== undefined ? encodePasswordHash(await hashPassword(password, this.#o.scrypt)) : undefined;
    const user = await this.#o.users.createUser({ ...record, ...(passwordHash !== undefined ? { passwordHash } : {}) }, actor);
    this.#log.info({ userId: user.id, role: user.role }, 'user created');
    await this.#o.welcome?.userCreated(user.id, actor);
    return publicUser(user);
  }

  async updateUser(id: string, patch: UpdateUserInput, actor: Actor = SYSTEM): Promise<PublicUser> {
    const { password, ...fields } = patch;
    const passwordHash = password !== undefined ? encodePasswordHash(await hashPassword(password, this.#o.scrypt)) : undefined;
    const next = await this.#o.users.updateUser(id, { ...fields, ...(passwordHash !== undefined ? { passwordHash } : {}) }, actor);
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

  /** Checks a password and issues a bearer token; refused attempts are throttled per user name and per address. */
  async login(name: string, password: string, ip: string): Promise<LoginResult> {
    const keys = [`user:${name.toLowerCase()}`, `ip:${ip}`];
    const wait = this.#throttle.retryAfterMs(keys);
    if (wait > 0) {
      throw new AuthError('TOO_MANY_ATTEMPTS', 'too many failed login attempts, try again later', undefined, wait);
    }
    const user = await this.#o.users.findUserByUsername(name);
    let ok: boolean;
    const stored = user?.passwordHash !== undefined ? decodePasswordHash(user.passwordHash) : undefined;
    if (user && stored) {
      ok = await verifyPassword(password, stored);
    } else {
      this.#dummy ??= hashPassword('not a password', this.#o.scrypt);
      await verifyPassword(password, await this.#dummy);
      ok = false;
    }
    if (!ok || !user || user.disabled) {
      this.#throttle.fail(keys);
      this.#log.warn({ name, ip }, 'login refused');
      throw new AuthError('INVALID_CREDENTIALS', 'invalid user name or password');
    }
    this.#throttle.succeed(keys);
    const now = this.#o.now();
    const token = newToken();
    const expiresAt = now + this.#o.tokenTtlMs;
    await this.#o.tokens.prune(now);
    await this.#o.tokens.put({ hash: tokenHash(token), userId: user.id, createdAt: now, expiresAt });
    this.#log.info({ userId: user.id, ip }, 'login');
    return { token, expiresAt, user: publicUser(user) };
  }

  async logout(token: string): Promise<void> {
    await this.#o.tokens.delete(tokenHash(token));
  }

  /** The principal of a bearer token, or undefined for unknown, expired, or disabled. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const rec = await this.#o.tokens.get(tokenHash(token));
    if (!rec || rec.expiresAt <= this.#o.now()) return undefined;
    const user = await this.#o.users.getUser(rec.userId).catch(() => undefined);
    if (!user || user.disabled) return undefined;
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
}
