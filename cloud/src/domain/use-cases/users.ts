/**
 * The user records behind logins: the one place their rules live (enterprise, role, access level inside the
 * enterprise, unique user name and e-mail, unique employee ID, the last administrator). The auth layer keeps
 * passwords, tokens and sign-in and comes here for the record.
 */
import type { DomainCore } from '../core.ts';
import { auditChanges } from '../audit.ts';
import { DomainError, parseInput } from '../errors.ts';
import type { CustomFieldUseCases } from './custom-fields.ts';
import {
  ADMIN_ROLE_ID,
  createUserRecordInput,
  customTexts,
  ENTERPRISE_LEVEL,
  updateUserRecordInput,
  type Actor,
  type AuditChange,
  type CreateUserRecordInput,
  type UpdateUserRecordInput,
  type User,
} from '../model.ts';

/** The fields of a user the activity log compares (the password hash only as "changed"). */
const AUDITED = ['username', 'firstName', 'lastName', 'email', 'language', 'employeeId', 'badgeId', 'role', 'accessLevel', 'disabled', 'contactId', 'carrierId', 'passwordHash'] as const;
/** The fields of an edit that change who the person is or what they may do (not a password, a disabling or a link). */
const PROFILE = ['firstName', 'lastName', 'email', 'language', 'employeeId', 'badgeId', 'role', 'accessLevel'] as const;
/** Fields an edit may clear with `null`. */
const CLEARABLE = ['firstName', 'lastName', 'email', 'language', 'employeeId', 'badgeId', 'contactId', 'carrierId'] as const;

/**
 * The users a check runs against, indexed by user name, e-mail and employee ID: the store's users, plus the
 * changes an import has planned so far (so two rows of one file are checked against each other as well).
 */
export class UserSet {
  readonly #byId = new Map<string, User>();
  readonly #keys = new Map<string, Set<string>>();

  constructor(users: Iterable<User>) {
    for (const u of users) this.put(u);
  }

  /** The user an e-mail belongs to (any case). */
  byEmail(email: string): User | undefined {
    const id = this.#holders(`e:${email.toLowerCase()}`)[0];
    return id !== undefined ? this.#byId.get(id) : undefined;
  }

  put(u: User): void {
    const old = this.#byId.get(u.id);
    if (old) for (const k of keysOf(old)) this.#keys.get(k)?.delete(old.id);
    this.#byId.set(u.id, u);
    for (const k of keysOf(u)) {
      let ids = this.#keys.get(k);
      if (!ids) this.#keys.set(k, (ids = new Set()));
      ids.add(u.id);
    }
  }

  /** User names and e-mails are unique across the cloud (either signs in); employee IDs across the enterprise. */
  assertFree(enterpriseId: string, f: { username?: string | undefined; email?: string | undefined; employeeId?: string | undefined }, self: string | undefined): void {
    const taken = (key: string) => this.#holders(key).some((id) => id !== self);
    if (f.username !== undefined && taken(`u:${f.username.toLowerCase()}`)) throw new DomainError('CONFLICT', `user name ${JSON.stringify(f.username)} is taken`, 'username');
    if (f.email !== undefined && taken(`e:${f.email.toLowerCase()}`)) throw new DomainError('CONFLICT', `e-mail ${JSON.stringify(f.email)} is used by another user`, 'email');
    if (f.employeeId !== undefined && taken(`i:${enterpriseId}\0${f.employeeId}`))
      throw new DomainError('CONFLICT', `employee ID ${JSON.stringify(f.employeeId)} is used by another user`, 'employeeId');
  }

  /**
   * An enterprise keeps at least one active holder of the predefined administrator role (the role that cannot be
   * emptied): the only one can be neither removed, disabled nor given another role.
   */
  keepOneAdmin(leaving: User): void {
    for (const u of this.#byId.values()) if (u.enterpriseId === leaving.enterpriseId && u.id !== leaving.id && isActiveAdmin(u)) return;
    throw new DomainError('LAST_ADMIN', "the enterprise's last active administrator cannot be removed, disabled or demoted", 'userId');
  }

  #holders(key: string): string[] {
    return [...(this.#keys.get(key) ?? [])];
  }
}

function keysOf(u: User): string[] {
  return [`u:${u.username.toLowerCase()}`, ...(u.email !== undefined ? [`e:${u.email.toLowerCase()}`] : []), ...(u.employeeId !== undefined ? [`i:${u.enterpriseId}\0${u.employeeId}`] : [])];
}

/** A planned change of one user: the record to store and what the activity log says changed. */
export interface UserChange {
  next: User;
  changes: AuditChange[];
}

export class UserUseCases {
  constructor(
    private readonly core: DomainCore,
    private readonly customFields?: CustomFieldUseCases,
  ) {}

  /** Every stored user, indexed for the checks of a create, an edit or an import. */
  userSet(): UserSet {
    return new UserSet(this.core.store.list('users'));
  }

  async createUser(input: CreateUserRecordInput, actor: Actor): Promise<User> {
    const { next: u, changes } = this.planCreate(input, this.userSet());
    const a = this.core.audit(actor, u.enterpriseId, { kind: 'user', id: u.id }, 'user created', changes);
    await this.core.commit({ put: [{ c: 'users', key: u.id, value: u }], activity: [a] });
    return u;
  }

  /** A new user checked against `users` (nothing written): the one path of the rules for a create. */
  planCreate(input: CreateUserRecordInput, users: UserSet): UserChange {
    const req = parseInput(createUserRecordInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    users.assertFree(req.enterpriseId, { username: req.username, email: req.email, employeeId: req.employeeId }, undefined);
    this.core.mustRole(req.enterpriseId, req.role);
    const accessLevel = req.accessLevel ?? ENTERPRISE_LEVEL;
    this.core.mustAccessLevel(req.enterpriseId, accessLevel);
    if (req.employeeId === undefined) this.assertEmployeeIdOptional(req.enterpriseId);
    const { id, accessLevel: _level, platformAdmin, custom, ...rest } = req;
    const customValues = this.customFields?.values(req.enterpriseId, 'users', custom, undefined, true);
    const u: User = {
      ...rest,
      ...(customValues !== undefined ? { customValues } : {}),
      id: this.core.newId('users', id, 'u'),
      accessLevel,
      ...(platformAdmin ? { platformAdmin: true } : {}),
      disabled: false,
      createdAt: this.core.now(),
    };
    return { next: u, changes: this.changes(undefined, u) };
  }

  async updateUser(id: string, input: UpdateUserRecordInput, actor: Actor): Promise<User> {
    const old = this.core.must('users', id, 'user', 'userId');
    const { next, changes } = this.planUpdate(old, input, this.userSet());
    const a = this.core.audit(actor, old.enterpriseId, { kind: 'user', id }, 'user changed', changes);
    await this.core.commit({ put: [{ c: 'users', key: id, value: next }], activity: [a] });
    return next;
  }

  /** An edit of `old` checked against `users` (nothing written): the one path of the rules for an edit. */
  planUpdate(old: User, input: UpdateUserRecordInput, users: UserSet): UserChange {
    const req = parseInput(updateUserRecordInput, input);
    const id = old.id;
    if (req.role !== undefined) this.core.mustRole(old.enterpriseId, req.role);
    if (req.accessLevel !== undefined) this.core.mustAccessLevel(old.enterpriseId, req.accessLevel, 'accessLevel.id');
    users.assertFree(old.enterpriseId, { email: req.email ?? undefined, employeeId: req.employeeId ?? undefined }, id);
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
    if (req.custom !== undefined) {
      const values = this.customFields?.values(old.enterpriseId, 'users', req.custom, old.customValues, false);
      if (values === undefined) delete next.customValues;
      else next.customValues = values;
    }
    // A password, a disabling or a link alone still goes through for a user stored without one, so an administrator
    // can lock someone out or let them in before the profile is complete.
    const profileEdit = PROFILE.some((f) => req[f] !== undefined);
    if (next.employeeId === undefined && profileEdit) this.assertEmployeeIdOptional(old.enterpriseId);
    if (isActiveAdmin(old) && !isActiveAdmin(next)) users.keepOneAdmin(old);
    return { next, changes: this.changes(old, next) };
  }

  /** What the activity log records of a user's change: the audited fields, then each custom value (`custom.<id>`). */
  private changes(before: User | undefined, after: User | undefined): AuditChange[] {
    return [...auditChanges(before, after, AUDITED), ...(this.customFields?.auditValues(before?.customValues, after?.customValues) ?? [])];
  }

  async deleteUser(id: string, actor: Actor): Promise<void> {
    const old = this.core.must('users', id, 'user', 'userId');
    if (isActiveAdmin(old)) this.userSet().keepOneAdmin(old);
    const a = this.core.audit(actor, old.enterpriseId, { kind: 'user', id }, 'user deleted', this.changes(old, undefined));
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
   * The enterprise's users whose name, user name, e-mail, employee ID or a shown custom value holds `q` (any case):
   * those where it starts a field first, then the rest, each by user name.
   */
  async searchUsers(enterpriseId: string, q: string): Promise<User[]> {
    const needle = q.trim().toLowerCase();
    const users = await this.listUsers(enterpriseId);
    if (needle === '') return users;
    const fieldsOf = this.core.store.get('enterprises', enterpriseId)?.customFields;
    const ranked: { u: User; rank: number }[] = [];
    for (const u of users) {
      const fields = [u.firstName, u.lastName, [u.firstName, u.lastName].filter(Boolean).join(' '), u.username, u.email, u.employeeId, ...customTexts(fieldsOf, 'users', u.customValues)]
        .filter((f): f is string => f !== undefined && f !== '')
        .map((f) => f.toLowerCase());
      if (fields.some((f) => f.startsWith(needle))) ranked.push({ u, rank: 0 });
      else if (fields.some((f) => f.includes(needle))) ranked.push({ u, rank: 1 });
    }
    return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.u);
  }

  /** Refused when the enterprise requires an employee ID of every user. */
  private assertEmployeeIdOptional(enterpriseId: string): void {
    if (this.core.store.get('enterprises', enterpriseId)?.settings?.employeeIdRequired === true)
      throw new DomainError('VALIDATION', 'employeeId: the enterprise requires an employee ID of every user', 'employeeId');
  }
}

function isActiveAdmin(u: User): boolean {
  return u.role === ADMIN_ROLE_ID && !u.disabled;
}
