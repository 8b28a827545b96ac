/**
 * The organisation after creation: enterprises, divisions, locations, banks and columns read one by one, renamed or
 * edited, and deleted. A delete is refused (CONFLICT, naming what depends on it) while anything live hangs below the
 * record: a division with locations, a location with banks, a bank with columns or lockers, a column with lockers.
 * Every change is in the activity log (type `organisation`) with the actor and the fields changed.
 */
import { brandingKey } from '../../branding/model.ts';
import type { Del, Put } from '../../store/store.ts';
import type { DomainCore, Locked } from '../core.ts';
import { DomainError, notFound, parseInput } from '../errors.ts';
import {
  ENTERPRISE_SETTING_DEFAULTS,
  enterpriseSettings,
  updateColumnInput,
  updateDivisionInput,
  updateEnterpriseInput,
  updateLocationInput,
  type Actor,
  type AuditChange,
  type AuditTarget,
  type Bank,
  type Column,
  type Division,
  type Enterprise,
  type Location,
  LOCATION_ADDRESS_KEYS,
  type UpdateColumnInput,
  type UpdateDivisionInput,
  type UpdateEnterpriseInput,
  type UpdateLocationInput,
} from '../model.ts';
import { auditChanges } from '../audit.ts';

/** "2 locations (loc-a, loc-b)": what a refused delete names, at most five ids. */
export function dependents(what: string, ids: readonly string[]): string {
  const shown = ids.slice(0, 5).join(', ');
  return `${ids.length} ${what}${ids.length === 1 ? '' : 's'} (${shown}${ids.length > 5 ? ', ...' : ''})`;
}

/** The CONFLICT of a delete refused while something depends on the record. */
export function inUse(subject: string, deps: readonly string[], field: string): DomainError {
  return new DomainError('CONFLICT', `${subject} cannot be deleted: it still has ${deps.join(' and ')}; delete or move them first`, field);
}

export class OrganisationAdmin {
  constructor(private readonly core: DomainCore) {}

  // ------------------------------------------------------------------------------------------ enterprises
  async getEnterprise(id: string): Promise<Enterprise> {
    return this.core.must('enterprises', id, 'enterprise', 'enterpriseId');
  }

  async updateEnterprise(id: string, input: UpdateEnterpriseInput, actor: Actor): Promise<Enterprise> {
    const req = parseInput(updateEnterpriseInput, input);
    const e = this.core.must('enterprises', id, 'enterprise', 'enterpriseId');
    const settings = req.settings !== undefined ? { ...e.settings, ...req.settings } : e.settings;
    const next: Enterprise = { ...e, ...(req.name !== undefined ? { name: req.name } : {}), ...(settings !== undefined ? { settings } : {}) };
    // The settings audited one by one, each with its default, so the log reads "employeeIdRequired: false -> true".
    const audited = (x: Enterprise) => ({ name: x.name, ...enterpriseSettings(x) });
    const detail = req.settings !== undefined ? 'enterprise changed' : 'enterprise renamed';
    const fields = ['name', ...(Object.keys(ENTERPRISE_SETTING_DEFAULTS) as (keyof typeof ENTERPRISE_SETTING_DEFAULTS)[])] as const;
    await this.record({ c: 'enterprises', key: id, value: next }, actor, id, { kind: 'enterprise', id }, detail, auditChanges(audited(e), audited(next), fields));
    return next;
  }

  /** Refused while the enterprise has divisions, or people, carriers, logins or roles of its own. */
  async deleteEnterprise(id: string, actor: Actor): Promise<Enterprise> {
    const e = this.core.must('enterprises', id, 'enterprise', 'enterpriseId');
    const owned = (['divisions', 'contacts', 'departments', 'carriers', 'users', 'roles'] as const).flatMap((c) => {
      const ids = this.core.store
        .list(c)
        .filter((r) => r.enterpriseId === id)
        .map((r) => r.id);
      return ids.length > 0 ? [dependents(c.replace(/s$/, '').replace(/^user$/, 'login'), ids)] : [];
    });
    if (owned.length > 0) throw inUse(`enterprise ${id}`, owned, 'enterpriseId');
    await this.remove({ c: 'enterprises', key: id }, actor, id, { kind: 'enterprise', id }, 'enterprise deleted', auditChanges(e, undefined, ['name']));
    if (this.core.store.get('brandings', brandingKey(id))) await this.core.commit({ del: [{ c: 'brandings', key: brandingKey(id) }] });
    return e;
  }

  // ------------------------------------------------------------------------------------------ divisions
  async getDivision(id: string): Promise<Division> {
    return this.core.must('divisions', id, 'division', 'divisionId');
  }

  async updateDivision(id: string, input: UpdateDivisionInput, actor: Actor): Promise<Division> {
    const req = parseInput(updateDivisionInput, input);
    const d = this.core.must('divisions', id, 'division', 'divisionId');
    const next: Division = { ...d, name: req.name };
    await this.record({ c: 'divisions', key: id, value: next }, actor, d.enterpriseId, { kind: 'division', id }, 'division renamed', auditChanges(d, next, ['name']));
    return next;
  }

  async deleteDivision(id: string, actor: Actor): Promise<Division> {
    const d = this.core.must('divisions', id, 'division', 'divisionId');
    const locations = this.core.store.list('locations').filter((l) => l.divisionId === id);
    if (locations.length > 0) throw inUse(`division ${id}`, [dependents('location', locations.map((l) => l.id))], 'divisionId');
    await this.remove({ c: 'divisions', key: id }, actor, d.enterpriseId, { kind: 'division', id }, 'division deleted', auditChanges(d, undefined, ['name']));
    return d;
  }

  // ------------------------------------------------------------------------------------------ locations
  async getLocation(id: string): Promise<Location> {
    return this.core.must('locations', id, 'location', 'locationId');
  }

  /** A new reach range changes which lockers are accessible: the location's banks get a new desired state. */
  async updateLocation(id: string, input: UpdateLocationInput, actor: Actor): Promise<Location> {
    const req = parseInput(updateLocationInput, input);
    const l = this.core.must('locations', id, 'location', 'locationId');
    const next: Location = { ...l, ...(req.name !== undefined ? { name: req.name } : {}), ...(req.reach !== undefined ? { reach: req.reach } : {}) };
    for (const k of LOCATION_ADDRESS_KEYS) {
      const v = k === 'addressLine1' && req.addressLine1 === undefined ? req.address : req[k];
      if (v === null) delete next[k];
      else if (v !== undefined) next[k] = v;
    }
    const changes = auditChanges(l, next, ['name', ...LOCATION_ADDRESS_KEYS, 'reach']);
    const banks = req.reach !== undefined ? this.core.store.list('banks').filter((b) => b.locationId === id) : [];
    await this.record({ c: 'locations', key: id, value: next }, actor, this.enterpriseOf('location', id), { kind: 'location', id }, 'location changed', changes, banks);
    return next;
  }

  async deleteLocation(id: string, actor: Actor): Promise<Location> {
    const l = this.core.must('locations', id, 'location', 'locationId');
    const banks = this.core.store.list('banks').filter((b) => b.locationId === id);
    if (banks.length > 0) throw inUse(`location ${id}`, [dependents('bank', banks.map((b) => b.id))], 'locationId');
    await this.remove({ c: 'locations', key: id }, actor, this.enterpriseOf('location', id), { kind: 'location', id }, 'location deleted', auditChanges(l, undefined, ['name', ...LOCATION_ADDRESS_KEYS]));
    return l;
  }

  // ------------------------------------------------------------------------------------------ banks
  /** Under the bank's lock, so no reservation or locker of it is made meanwhile. */
  async deleteBank(id: string, actor: Actor): Promise<Bank> {
    this.core.mustBank(id);
    return this.core.change(id, (): Locked<Bank> => {
      const b = this.core.mustBank(id);
      const columns = this.core.store.list('columns').filter((c) => c.bankId === id);
      const lockers = [...this.core.banks.of(id).lockers.keys()].sort((x, y) => x - y);
      const deps = [
        ...(columns.length > 0 ? [dependents('column', columns.map((c) => c.id))] : []),
        ...(lockers.length > 0 ? [dependents('locker', lockers.map(String))] : []),
      ];
      if (deps.length > 0) throw inUse(`bank ${id}`, deps, 'bankId');
      const enterpriseId = this.enterpriseOf('bank', id);
      const a = this.core.audit(actor, enterpriseId, { kind: 'bank', id }, 'bank deleted', auditChanges(b, undefined, ['name', 'locationId']), id);
      // Its own branding goes with it: a bank made later under the same id starts from the enterprise's.
      const branding = brandingKey(enterpriseId, id);
      const done = this.core.write({ del: [{ c: 'banks', key: id }, ...(this.core.store.get('brandings', branding) ? [{ c: 'brandings' as const, key: branding }] : [])], activity: [a] });
      return { result: b, done };
    });
  }

  // ------------------------------------------------------------------------------------------ columns
  async getColumn(id: string): Promise<Column> {
    const c = typeof id === 'string' ? this.core.store.get('columns', id) : undefined;
    if (!c) throw notFound('column', id, 'columnId');
    return c;
  }

  async updateColumn(id: string, input: UpdateColumnInput, actor: Actor): Promise<Column> {
    const req = parseInput(updateColumnInput, input);
    const bankId = (await this.getColumn(id)).bankId;
    return this.core.change(bankId, (): Locked<Column> => {
      const c = this.core.store.get('columns', id);
      if (!c) throw notFound('column', id, 'columnId');
      if (req.kind === 'kiosk' && c.kind !== 'kiosk' && this.core.store.list('columns').some((o) => o.bankId === c.bankId && o.kind === 'kiosk'))
        throw new DomainError('CONFLICT', `bank ${c.bankId} already has its kiosk column`, 'kind');
      const next: Column = { ...c, kind: req.kind };
      const a = this.core.audit(actor, this.enterpriseOf('bank', bankId), { kind: 'column', id }, 'column changed', auditChanges(c, next, ['kind']), bankId);
      const done = this.core.write({ put: [{ c: 'columns', key: id, value: next }], activity: [a] });
      return { result: next, done, events: [['bank-changed', { bank: this.core.mustBank(bankId) }]] };
    });
  }

  /**
   * Refused while the column has lockers. Once deleted, its controller's identity is revoked and its retained desired
   * state cleared by whoever listens to `column-deleted` (the runtime: provision/retire-column.ts).
   */
  async deleteColumn(id: string, actor: Actor): Promise<Column> {
    const bankId = (await this.getColumn(id)).bankId;
    return this.core.change(bankId, (): Locked<Column> => {
      const c = this.core.store.get('columns', id);
      if (!c) throw notFound('column', id, 'columnId');
      const lockers = [...this.core.banks.of(bankId).lockers.values()].filter((l) => l.columnId === id).map((l) => l.number);
      if (lockers.length > 0) throw inUse(`column ${id}`, [dependents('locker', lockers.sort((x, y) => x - y).map(String))], 'columnId');
      const a = this.core.audit(
        actor,
        this.enterpriseOf('bank', bankId),
        { kind: 'column', id },
        "column deleted; its controller's identity is revoked",
        auditChanges(c, undefined, ['position', 'kind', 'controllerId']),
        bankId,
      );
      const done = this.core.write({ del: [{ c: 'columns', key: id }], activity: [a] });
      return { result: c, done, events: [['column-deleted', { column: c }]] };
    });
  }

  // ------------------------------------------------------------------------------------------ writing
  /** The enterprise of a division, location or bank ('' when its chain is broken: the audit still records the change). */
  private enterpriseOf(kind: 'division' | 'location' | 'bank', id: string): string {
    return this.core.enterpriseOf(kind, id) ?? '';
  }

  /** Puts a changed record with its audit entry; `banks` get a new desired state. */
  private async record(put: Put, actor: Actor, enterpriseId: string, target: { kind: AuditTarget; id: string }, detail: string, changes: AuditChange[], banks: readonly Bank[] = []): Promise<void> {
    const a = this.core.audit(actor, enterpriseId, target, detail, changes);
    await this.core.commit({ put: [put], activity: [a] }, banks.map((bank) => ['bank-changed', { bank }] as const));
  }

  private async remove(del: Del, actor: Actor, enterpriseId: string, target: { kind: AuditTarget; id: string }, detail: string, changes: AuditChange[]): Promise<void> {
    const a = this.core.audit(actor, enterpriseId, target, detail, changes);
    await this.core.commit({ del: [del], activity: [a] });
  }
}
