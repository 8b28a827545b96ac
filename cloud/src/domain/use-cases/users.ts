/**
 * The user records behind logins: the one place their rules live (enterprise, role, access level inside the
 * enterprise, unique user name and e-mail, unique employee ID, the last administrator). The auth layer keeps
 * passwords, tokens and sign-in and comes here for the record.
 */
import type { DomainCore } from '../core.ts';
import { auditChanges } from '../audit.ts';
import { DomainError, parseInput } from '../errors.ts';
import {
  ADMIN_ROLE_ID,
  createUserRecordInput,
  ENTERPRISE_LEVEL,
  updateUserRecordInput,
  type Actor,
  type CreateUserRecordInput,
  type UpdateUserRecordInput,
  type User,
} from '../model.ts';

/** The fields of a user the activity log compares (the password hash only as "changed"). */
const AUDITED = ['username', 'firstName', 'lastName', 'email', 'language', 'employeeId', 'badgeId', 'role', 'accessLevel', 'disabled', 'contactId', 'carrierId', 'passwordHash'] as const;
/** Fields an edit may clear with `null`. */
const CLEARABLE = ['firstName', 'lastName', 'email', 'language', 'employeeId', 'badgeId', 'contactId', 'carrierId'] as const;

export class UserUseCases {
  constructor(private readonly core: DomainCore) {}

  async createUser(input: CreateUserRecordInput, actor: Actor): Promise<User> {
    const req = parseInput(createUserRecordInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    this.assertFree(req.enterpriseId, { username: req.username, email: req.email, employeeId: req.employeeId }, undefined);
    this.core.mustRole(req.enterpriseId, req.role);
    const accessLevel = req.accessLevel ?? ENTERPRISE_LEVEL;
    this.core.mustAccessLevel(req.enterpriseId, accessLevel);
    const { id, accessLevel: _level, platformAdmin, ...rest } = req;
    const u: User = {
      ...rest,
      id: this.core.newId('users', id, 'u'),
      accessLevel,
      ...(platformAdmin ? { platformAdmin: true } : {}),
      disabled: false,
      createdAt: this.core.now(),
    };
    const a = this.core.audit(actor, u.enterpriseId, { kind: 'user', id: u.id }, 'user created', auditChanges(undefined, u, AUDITED));
    await this.core.commit({ put: [{ c: 'users', key: u.id, value: u }], activity: [a] });
    return u;
  }

  async updateUser(id: string, input: UpdateUserRecordInput, actor: Actor): Promise<User> {
    const req = parseInput(updateUserRecordInput, input);
    const old = this.core.must('users', id, 'user', 'userId');
    if (req.role !== undefined) this.core.mustRole(old.enterpriseId, req.role);
    if (req.accessLevel !== undefined) this.core.mustAccessLevel(old.enterpriseId, req.accessLevel, 'accessLevel.id');
    this.assertFree(old.enterpriseId, { email: req.email ?? undefined, employeeId: req.employeeId ?? undefined }, id);
    const next: User = { ...old };
    for (const f of CLEARABLE) {
      const v = req[f];
      if (v === null) delete next[f];
      else if (v !== undefined) (next as Record<string, unknown>)[f] = v;
    }
    if (req.role !== undefined) next.role = req.role;
    if (req.accessLevel !== undefined) next.accessLevel = req.accessLevel;
    if (req.disabled !== undefined) next.disabled = req.disabled;
    if (req.passwordHash !== undefined) next.passwordHash = req.passwordHash;
    if (isActiveAdmin(old) && !isActiveAdmin(next)) this.keepOneAdmin(old);
    const a = this.core.audit(actor, old.enterpriseId, { kind: 'user', id }, 'user changed', auditChanges(old, next, AUDITED));
    await this.core.commit({ put: [{ c: 'users', key: id, value: next }], activity: [a] });
    return next;
  }

  async deleteUser(id: string, actor: Actor): Promise<void> {
    const old = this.core.must('users', id, 'user', 'userId');
    if (isActiveAdmin(old)) this.keepOneAdmin(old);
    const a = this.core.audit(actor, old.enterpriseId, { kind: 'user', id }, 'user deleted', auditChanges(old, undefined, AUDITED));
    await this.core.commit({ del: [{ c: 'users', key: id }], activity: [a] });
  }

  async getUser(id: string): Promise<User> {
    return this.core.must('users', id, 'user', 'userId');
  }

  async findUserByUsername(username: string): Promise<User | undefined> {
    const lower = username.trim().toLowerCase();
    // Few users per deployment (staff, carriers, some recipients): a scan is cheaper than keeping an index right.
    return this.core.store.list('users').find((u) => u.username.toLowerCase() === lower);
  }

  /** The users of one enterprise, or of all when none is given (the cloud's own jobs), by user name. */
  async listUsers(enterpriseId?: string): Promise<User[]> {
    return this.core.store
      .list('users')
      .filter((u) => enterpriseId === undefined || u.enterpriseId === enterpriseId)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  /**
   * The enterprise's users whose name, user name, e-mail or employee ID holds `q` (any case): those where it
   * starts a field first, then the rest, each by user name.
   */
  async searchUsers(enterpriseId: string, q: string): Promise<User[]> {
    const needle = q.trim().toLowerCase();
    const users = await this.listUsers(enterpriseId);
    if (needle === '') return users;
    const ranked: { u: User; rank: number }[] = [];
    for (const u of users) {
      const fields = [u.firstName, u.lastName, [u.firstName, u.lastName].filter(Boolean).join(' '), u.username, u.email, u.employeeId]
        .filter((f): f is string => f !== undefined && f !== '')
        .map((f) => f.toLowerCase());
      if (fields.some((f) => f.startsWith(needle))) ranked.push({ u, rank: 0 });
      else if (fields.some((f) => f.includes(needle))) ranked.push({ u, rank: 1 });
    }
    return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.u);
  }

  /** User names and e-mails are unique across the cloud (either signs in); employee IDs across the enterprise. */
  private assertFree(enterpriseId: string, f: { username?: string | undefined; email?: string | undefined; employeeId?: string | undefined }, self: string | undefined): void {
    const others = this.core.store.list('users').filter((u) => u.id !== self);
    const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
    if (f.username !== undefined && others.some((u) => same(u.username, f.username)))
      throw new DomainError('CONFLICT', `user name ${JSON.stringify(f.username)} is taken`, 'username');
    if (f.email !== undefined && others.some((u) => same(u.email, f.email))) throw new DomainError('CONFLICT', `e-mail ${JSON.stringify(f.email)} is used by another user`, 'email');
    if (f.employeeId !== undefined && others.some((u) => u.enterpriseId === enterpriseId && u.employeeId === f.employeeId))
      throw new DomainError('CONFLICT', `employee ID ${JSON.stringify(f.employeeId)} is used by another user`, 'employeeId');
  }

  /**
   * An enterprise keeps at least one active holder of the predefined administrator role (the role that cannot be
   * emptied): the only one can be neither removed, disabled nor given another role.
   */
  private keepOneAdmin(leaving: User): void {
    const others = this.core.store.list('users').some((u) => u.enterpriseId === leaving.enterpriseId && u.id !== leaving.id && isActiveAdmin(u));
    if (!others) throw new DomainError('LAST_ADMIN', "the enterprise's last active administrator cannot be removed, disabled or demoted", 'userId');
  }
}

function isActiveAdmin(u: User): boolean {
  return u.role === ADMIN_ROLE_ID && !u.disabled;
}
