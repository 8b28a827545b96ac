/**
 * Roles of an enterprise: named sets of permissions beside the predefined ones. The predefined roles are not stored
 * and cannot be changed or deleted (so the administrator role is never emptied); a role some user or kiosk
 * credential holds cannot be deleted.
 */
import type { DomainCore } from '../core.ts';
import { DomainError, parseInput } from '../errors.ts';
import { auditChanges } from '../audit.ts';
import {
  createRoleInput,
  predefinedRole,
  PREDEFINED_ROLES,
  updateRoleInput,
  type Actor,
  type CreateRoleInput,
  type RoleRecord,
  type UpdateRoleInput,
} from '../model.ts';

export class RoleUseCases {
  constructor(private readonly core: DomainCore) {}

  /** The predefined roles, then the enterprise's own by name. */
  async listRoles(enterpriseId: string): Promise<RoleRecord[]> {
    const own = this.core.store
      .list('roles')
      .filter((r) => r.enterpriseId === enterpriseId)
      .sort((a, b) => a.name.localeCompare(b.name));
    return [...Object.values(PREDEFINED_ROLES).map((r) => ({ ...r, permissions: [...r.permissions] })), ...own];
  }

  async getRole(enterpriseId: string, id: string): Promise<RoleRecord> {
    return this.core.mustRole(enterpriseId, id, 'roleId');
  }

  async createRole(input: CreateRoleInput, actor: Actor): Promise<RoleRecord> {
    const req = parseInput(createRoleInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    if (req.id !== undefined && predefinedRole(req.id)) throw new DomainError('CONFLICT', `role ${JSON.stringify(req.id)} already exists`, 'id');
    this.assertNameFree(req.enterpriseId, req.name, undefined);
    const role: RoleRecord = {
      id: this.core.newId('roles', req.id, 'role'),
      enterpriseId: req.enterpriseId,
      name: req.name,
      permissions: req.permissions,
      createdAt: this.core.now(),
    };
    const a = this.core.audit(actor, req.enterpriseId, { kind: 'role', id: role.id }, 'role created', auditChanges(undefined, role, ['name', 'permissions']));
    await this.core.commit({ put: [{ c: 'roles', key: role.id, value: role }], activity: [a] });
    return role;
  }

  async updateRole(enterpriseId: string, id: string, input: UpdateRoleInput, actor: Actor): Promise<RoleRecord> {
    const req = parseInput(updateRoleInput, input);
    if (predefinedRole(id)) throw new DomainError('INVALID_STATE', `the predefined role ${JSON.stringify(id)} cannot be changed; make a role of your own`, 'roleId');
    const old = this.core.mustIn(enterpriseId, 'roles', id, 'role', 'roleId');
    if (req.name !== undefined) this.assertNameFree(enterpriseId, req.name, id);
    const next: RoleRecord = { ...old, ...(req.name !== undefined ? { name: req.name } : {}), ...(req.permissions !== undefined ? { permissions: req.permissions } : {}) };
    const a = this.core.audit(actor, enterpriseId, { kind: 'role', id }, 'role changed', auditChanges(old, next, ['name', 'permissions']));
    await this.core.commit({ put: [{ c: 'roles', key: id, value: next }], activity: [a] });
    return next;
  }

  async deleteRole(enterpriseId: string, id: string, actor: Actor): Promise<void> {
    if (predefinedRole(id)) throw new DomainError('INVALID_STATE', `the predefined role ${JSON.stringify(id)} cannot be deleted`, 'roleId');
    const old = this.core.mustIn(enterpriseId, 'roles', id, 'role', 'roleId');
    const holders = this.core.store.list('users').filter((u) => u.enterpriseId === enterpriseId && u.role === id);
    if (holders.length > 0) {
      throw new DomainError('CONFLICT', `role ${JSON.stringify(old.name)} is held by ${holders.length} user(s) (${holders.slice(0, 3).map((u) => u.username).join(', ')}): give them another role first`, 'roleId');
    }
    const a = this.core.audit(actor, enterpriseId, { kind: 'role', id }, 'role deleted', auditChanges(old, undefined, ['name', 'permissions']));
    await this.core.commit({ del: [{ c: 'roles', key: id }], activity: [a] });
  }

  private assertNameFree(enterpriseId: string, name: string, self: string | undefined): void {
    const lower = name.toLowerCase();
    const taken =
      Object.values(PREDEFINED_ROLES).some((r) => r.name.toLowerCase() === lower) ||
      this.core.store.list('roles').some((r) => r.enterpriseId === enterpriseId && r.id !== self && r.name.toLowerCase() === lower);
    if (taken) throw new DomainError('CONFLICT', `a role named ${JSON.stringify(name)} exists already`, 'name');
  }
}

