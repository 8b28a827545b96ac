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
import { ENTERPRISE_LEVEL, type AccessLevel, type Permission } from '../domain/model.ts';
import { newToken, tokenHash } from './tokens.ts';
import {
  newUserId,
  publicUser,
  type CreateUserInput,
  type PublicUser,
  type UpdateUserInput,
  type TokenRepo,
  type UserRecord,
  type UserRepo,
} from './users.ts';
import { CloudError } from '../errors.ts';

export type AuthErrorCode = 'INVALID_CREDENTIALS' | 'TOO_MANY_ATTEMPTS' | 'UNAUTHORIZED' | 'USER_EXISTS' | 'NOT_FOUND' | 'LAST_ADMIN' | 'ENTERPRISE_REQUIRED';

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

export interface AuthServiceOptions {
  repo: UserRepo;
  tokens: TokenRepo;
  now: () => number;
  logger: Logger;
  scrypt: ScryptParams;
  tokenTtlMs: number;
  login: { freeAttempts: number; baseLockMs: number; maxLockMs: number; windowMs: number };
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

  async createUser(input: CreateUserInput): Promise<PublicUser> {
    if (await this.#o.repo.findUserByName(input.username)) {
      throw new AuthError('USER_EXISTS', `user ${JSON.stringify(input.username)} already exists`, 'username');
    }
    if (!(await this.#o.repo.findRole(input.enterpriseId, input.role))) throw new AuthError('NOT_FOUND', `role ${JSON.stringify(input.role)} not found`, 'role');
    const passwordHash = encodePasswordHash(await hashPassword(input.password, this.#o.scrypt));
    // Checked again after the (slow) hash: two concurrent creations of one name must not both land.
    if (await this.#o.repo.findUserByName(input.username)) {
      throw new AuthError('USER_EXISTS', `user ${JSON.stringify(input.username)} already exists`, 'username');
    }
    const user: UserRecord = {
      id: newUserId(),
      enterpriseId: input.enterpriseId,
      username: input.username,
      role: input.role,
      accessLevel: input.accessLevel ?? ENTERPRISE_LEVEL,
      ...(input.platformAdmin ? { platformAdmin: true } : {}),
      ...(input.contactId ? { contactId: input.contactId } : {}),
      ...(input.carrierId ? { carrierId: input.carrierId } : {}),
      disabled: false,
      passwordHash,
      createdAt: this.#o.now(),
    };
    await this.#o.repo.putUser(user);
    this.#log.info({ userId: user.id, username: user.username, role: user.role }, 'user created');
    return publicUser(user);
  }

  async updateUser(id: string, patch: UpdateUserInput): Promise<PublicUser> {
    const user = await this.#o.repo.getUser(id);
    if (!user) throw new AuthError('NOT_FOUND', `user ${JSON.stringify(id)} not found`, 'userId');
    const demotes = (patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true;
    if (user.role === 'admin' && demotes) await this.#keepOneAdmin(id);
    if (patch.role !== undefined && !(await this.#o.repo.findRole(user.enterpriseId, patch.role))) throw new AuthError('NOT_FOUND', `role ${JSON.stringify(patch.role)} not found`, 'role');
    const next: UserRecord = { ...user };
    if (patch.role !== undefined) next.role = patch.role;
    if (patch.accessLevel !== undefined) next.accessLevel = patch.accessLevel;
    if (patch.disabled !== undefined) next.disabled = patch.disabled;
    if (patch.contactId !== undefined) {
      if (patch.contactId === null) delete next.contactId;
      else next.contactId = patch.contactId;
    }
    if (patch.carrierId !== undefined) {
      if (patch.carrierId === null) delete next.carrierId;
      else next.carrierId = patch.carrierId;
    }
    if (patch.password !== undefined) next.passwordHash = encodePasswordHash(await hashPassword(patch.password, this.#o.scrypt));
    await this.#o.repo.putUser(next);
    // A new password, a new role or access level, or a disabled account ends every open session of that user.
    if (patch.password !== undefined || patch.role !== undefined || patch.accessLevel !== undefined || patch.disabled === true) {
      await this.#o.tokens.prune(this.#o.now(), id);
    }
    return publicUser(next);
  }

  async deleteUser(id: string): Promise<void> {
    const user = await this.#o.repo.getUser(id);
    if (!user) throw new AuthError('NOT_FOUND', `user ${JSON.stringify(id)} not found`, 'userId');
    if (user.role === 'admin') await this.#keepOneAdmin(id);
    await this.#o.tokens.prune(this.#o.now(), id);
    await this.#o.repo.deleteUser(id);
  }

  async #keepOneAdmin(exceptId: string): Promise<void> {
    const leaving = await this.#o.repo.getUser(exceptId);
    const admins = (await this.#o.repo.listUsers()).filter((u) => u.enterpriseId === leaving?.enterpriseId && u.role === 'admin' && !u.disabled && u.id !== exceptId);
    if (admins.length === 0) throw new AuthError('LAST_ADMIN', "the enterprise's last active administrator cannot be removed or demoted");
  }

  async getUser(id: string): Promise<PublicUser> {
    const user = await this.#o.repo.getUser(id);
    if (!user) throw new AuthError('NOT_FOUND', `user ${JSON.stringify(id)} not found`, 'userId');
    return publicUser(user);
  }

  /** The users of one enterprise, or of every enterprise when none is given. */
  async listUsers(enterpriseId?: string): Promise<PublicUser[]> {
    return (await this.#o.repo.listUsers())
      .filter((u) => enterpriseId === undefined || u.enterpriseId === enterpriseId)
      .map(publicUser)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  async findUserByName(name: string): Promise<PublicUser | undefined> {
    const u = await this.#o.repo.findUserByName(name);
    return u ? publicUser(u) : undefined;
  }

  /** Checks a password and issues a bearer token; refused attempts are throttled per user name and per address. */
  async login(name: string, password: string, ip: string): Promise<LoginResult> {
    const keys = [`user:${name.toLowerCase()}`, `ip:${ip}`];
    const wait = this.#throttle.retryAfterMs(keys);
    if (wait > 0) {
      throw new AuthError('TOO_MANY_ATTEMPTS', 'too many failed login attempts, try again later', undefined, wait);
    }
    const user = await this.#o.repo.findUserByName(name);
    let ok: boolean;
    const stored = user ? decodePasswordHash(user.passwordHash) : undefined;
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
    const user = await this.#o.repo.getUser(rec.userId);
    if (!user || user.disabled) return undefined;
    // Read at every request: a role's permissions changed by an administrator apply to the next call.
    const role = await this.#o.repo.findRole(user.enterpriseId, user.role);
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
