/**
 * Where a signed-in user's rights apply: their enterprise, narrowed by their access level to one division or one
 * location. Every handler asks here before it reads, lists, changes or exports an object; what lies outside
 * answers 404, as if it did not exist, so its existence is not revealed either.
 */
import type { FastifyRequest } from 'fastify';
import { predefinedRole, type Contact, type Permission } from '../domain/model.ts';
import type { Store } from '../store/store.ts';
import type { Principal } from '../auth/service.ts';
import { ApiError } from './errors.ts';
import { principalOf } from './principal.ts';

export class AccessScope {
  constructor(
    private readonly store: Store,
    readonly principal: Principal,
  ) {}

  get enterpriseId(): string {
    return this.principal.enterpriseId;
  }

  hasEnterprise(id: string): boolean {
    return id === this.principal.enterpriseId;
  }

  /** A division lies inside when it is the enterprise's and the access level is the enterprise or that division. */
  hasDivision(id: string): boolean {
    const d = this.store.get('divisions', id);
    if (!d || d.enterpriseId !== this.principal.enterpriseId) return false;
    const level = this.principal.accessLevel;
    return level.kind === 'enterprise' || (level.kind === 'division' && level.id === id);
  }

  hasLocation(id: string): boolean {
    const l = this.store.get('locations', id);
    if (!l) return false;
    const d = this.store.get('divisions', l.divisionId);
    if (!d || d.enterpriseId !== this.principal.enterpriseId) return false;
    const level = this.principal.accessLevel;
    return level.kind === 'enterprise' || (level.kind === 'division' && level.id === d.id) || (level.kind === 'location' && level.id === id);
  }

  hasBank(id: string): boolean {
    const b = this.store.get('banks', id);
    return b !== undefined && this.hasLocation(b.locationId);
  }

  /**
   * A contact is the enterprise's; one tied to a location is seen by those whose access level holds that location,
   * one tied to none by everyone of the enterprise.
   */
  hasContact(c: Contact & { locationId?: string | undefined }): boolean {
    if (c.enterpriseId !== this.principal.enterpriseId) return false;
    return c.locationId === undefined || this.hasLocation(c.locationId);
  }

  /** Whether an access level given to someone else lies inside this one (nobody hands out more than they have). */
  holdsLevel(level: Principal['accessLevel']): boolean {
    if (level.kind === 'enterprise') return this.principal.accessLevel.kind === 'enterprise';
    return level.kind === 'division' ? this.hasDivision(level.id) : this.hasLocation(level.id);
  }

  /**
   * The permissions of `permissions` this user does not hold: a user hands out no role, and makes no role, with a
   * right they lack themselves (a user administrator cannot make someone an administrator).
   */
  lacks(permissions: readonly Permission[]): Permission[] {
    return this.principal.platformAdmin ? [] : permissions.filter((p) => !this.principal.permissions.has(p));
  }

  /**
   * Refused (403, naming what is missing) when the role `roleId` grants a right this user lacks. A role unknown to
   * this enterprise passes: the domain answers it with 404, revealing nothing.
   */
  requireGrantable(roleId: string, field = 'role'): void {
    const role = predefinedRole(roleId) ?? this.store.get('roles', roleId);
    if (role && (role.enterpriseId === undefined || role.enterpriseId === this.principal.enterpriseId)) this.requireHolds(role.permissions, field, `role ${JSON.stringify(roleId)}`);
  }

  /** Refused (403) when `permissions` hold one this user lacks. */
  requireHolds(permissions: readonly Permission[], field: string, what = 'a role'): void {
    const missing = this.lacks(permissions);
    if (missing.length > 0) throw new ApiError('FORBIDDEN', `${what} grants ${missing.join(', ')}, which you do not hold yourself`, field);
  }

  /** The part of the activity log this user may see: their banks, and with the whole enterprise its other entries. */
  activityWithin(): { enterpriseId: string; bankIds: ReadonlySet<string>; unbanked: boolean } {
    const bankIds = new Set(this.store.list('banks').filter((b) => this.hasBank(b.id)).map((b) => b.id));
    return { enterpriseId: this.principal.enterpriseId, bankIds, unbanked: this.principal.accessLevel.kind === 'enterprise' };
  }

  requireDivision(id: string, field = 'divisionId'): void {
    if (!this.hasDivision(id)) throw outside('division', id, field);
  }

  requireLocation(id: string, field = 'locationId'): void {
    if (!this.hasLocation(id)) throw outside('location', id, field);
  }

  requireBank(id: string, field = 'bankId'): void {
    if (!this.hasBank(id)) throw outside('bank', id, field);
  }

  /** A carrier of the caller's enterprise (carriers serve the whole enterprise, whatever the access level). */
  requireCarrier(id: string, field = 'params.carrierId'): void {
    if (this.store.get('carriers', id)?.enterpriseId !== this.principal.enterpriseId) throw outside('carrier', id, field);
  }

  /** An access code of a carrier of the caller's enterprise. */
  requireCarrierCode(id: string, field = 'params.carrierCodeId'): void {
    const cc = this.store.get('carrierCodes', id);
    if (!cc || this.store.get('carriers', cc.carrierId)?.enterpriseId !== this.principal.enterpriseId) throw outside('carrier code', id, field);
  }

  requireEnterprise(id: string, field = 'enterpriseId'): void {
    if (!this.hasEnterprise(id)) throw outside('enterprise', id, field);
  }
}

function outside(what: string, id: string, field: string): ApiError {
  return new ApiError('NOT_FOUND', `${what} ${JSON.stringify(id)} not found`, field);
}

const scopes = new WeakMap<FastifyRequest, AccessScope>();

/** The scope of a request's signed-in user (one per request). */
export function scopeOf(req: FastifyRequest, store: Store): AccessScope {
  let s = scopes.get(req);
  if (!s) scopes.set(req, (s = new AccessScope(store, principalOf(req))));
  return s;
}
