/**
 * Departments of the address book: add, edit (name, members, key contact), delete, get, list.
 *
 * - Members are contacts; a contact whose primary department (`departmentId`) is this one stays among its members
 *   (contacts.ts): taking them out of the members clears their primary department, adding a contact without one
 *   makes this one theirs.
 * - The key contact may collect the department's parcels; they need not be a member.
 * - A department is not deleted while a live reservation is for it or names it as a party, or a locker is dedicated
 *   to it; its members lose it as their primary department.
 * - Every change is in the activity log (type `address-book`) with the actor and the fields changed.
 */
import type { Put } from '../../store/store.ts';
import type { DomainCore } from '../core.ts';
import { auditChanges } from '../audit.ts';
import { DomainError, parseInput } from '../errors.ts';
import {
  createDepartmentInput,
  updateDepartmentInput,
  type Actor,
  type ActivityEntry,
  type Contact,
  type CreateDepartmentInput,
  type Department,
  type UpdateDepartmentInput,
  whereIs,
} from '../model.ts';

export class DepartmentUseCases {
  constructor(private readonly core: DomainCore) {}

  async create(input: CreateDepartmentInput, actor: Actor): Promise<Department> {
    const req = parseInput(createDepartmentInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    const members = this.checkMembers(req.enterpriseId, req.memberIds);
    if (req.keyContactId !== undefined) this.core.mustIn(req.enterpriseId, 'contacts', req.keyContactId, 'contact', 'keyContactId');
    const d: Department = {
      id: this.core.newId('departments', req.id, 'dep'),
      enterpriseId: req.enterpriseId,
      name: req.name,
      memberIds: members,
      createdAt: this.core.now(),
      ...(req.keyContactId !== undefined ? { keyContactId: req.keyContactId } : {}),
    };
    await this.core.commit({
      put: [{ c: 'departments', key: d.id, value: d }, ...this.memberPuts(d, [])],
      activity: [this.audit(actor, undefined, d, `department ${d.id} added`)],
    });
    return d;
  }

  async update(id: string, input: UpdateDepartmentInput, actor: Actor): Promise<Department> {
    const req = parseInput(updateDepartmentInput, input);
    const old = this.core.must('departments', id, 'department', 'departmentId');
    const next: Department = { ...old, updatedAt: this.core.now() };
    if (req.name !== undefined) next.name = req.name;
    if (req.memberIds !== undefined) next.memberIds = this.checkMembers(old.enterpriseId, req.memberIds);
    if (req.keyContactId === null) delete next.keyContactId;
    else if (req.keyContactId !== undefined) next.keyContactId = this.core.mustIn(old.enterpriseId, 'contacts', req.keyContactId, 'contact', 'keyContactId').id;
    const changed = (['name', 'memberIds', 'keyContactId'] as const).filter((k) => JSON.stringify(old[k]) !== JSON.stringify(next[k]));
    if (changed.length === 0) return old;
    await this.core.commit({
      put: [{ c: 'departments', key: id, value: next }, ...this.memberPuts(next, old.memberIds)],
      activity: [this.audit(actor, old, next, `department ${id} edited: ${changed.join(', ')}`)],
    });
    return next;
  }

  async get(id: string): Promise<Department> {
    return this.core.must('departments', id, 'department', 'departmentId');
  }

  list(): Department[] {
    return this.core.store.list('departments');
  }

  async delete(id: string, actor: Actor): Promise<Department> {
    const d = this.core.must('departments', id, 'department', 'departmentId');
    const busy = this.inUse(id);
    if (busy) throw new DomainError('CONFLICT', `department ${id} cannot be deleted while ${busy}`, 'departmentId');
    const puts: Put[] = [];
    for (const c of this.core.store.list('contacts')) {
      if (c.departmentId !== id) continue;
      const { departmentId: _gone, ...rest } = c;
      puts.push({ c: 'contacts', key: c.id, value: rest });
    }
    await this.core.commit({ del: [{ c: 'departments', key: id }], put: puts, activity: [this.audit(actor, d, undefined, `department ${id} deleted`)] });
    return d;
  }

  /** Why the department cannot go now, or undefined. */
  private inUse(id: string): string | undefined {
    for (const r of this.core.store.list('reservations')) {
      if (r.recipient.type === 'department' && r.recipient.id === id) return `reservation ${r.id} (${whereIs(r)}) is for it`;
      for (const p of [r.dropOffParty, r.pickupParty])
        if (p?.type === 'department' && p.id === id) return `reservation ${r.id} (${whereIs(r)}) names it as a party`;
    }
    for (const l of this.core.store.list('lockers'))
      if (l.dedicatedTo?.type === 'department' && l.dedicatedTo.id === id) return `locker ${l.number} of bank ${l.bankId} is dedicated to it`;
    return undefined;
  }

  private checkMembers(enterpriseId: string, ids: readonly string[]): string[] {
    const members = [...new Set(ids)];
    members.forEach((m, i) => this.core.mustIn(enterpriseId, 'contacts', m, 'contact', `memberIds.${i}`));
    return members;
  }

  /** Contacts joining `d` without a primary department take it; contacts leaving it whose primary it was lose it. */
  private memberPuts(d: Department, before: readonly string[]): Put[] {
    const now = new Set(d.memberIds);
    const puts: Put[] = [];
    const put = (c: Contact): void => void puts.push({ c: 'contacts', key: c.id, value: c });
    for (const m of d.memberIds) {
      const c = this.core.store.get('contacts', m);
      if (c && c.departmentId === undefined) put({ ...c, departmentId: d.id });
    }
    for (const m of before) {
      if (now.has(m)) continue;
      const c = this.core.store.get('contacts', m);
      if (c?.departmentId === d.id) {
        const { departmentId: _gone, ...rest } = c;
        put(rest);
      }
    }
    return puts;
  }

  private audit(actor: Actor, before: Department | undefined, after: Department | undefined, detail: string): ActivityEntry {
    const d = (after ?? before)!;
    return this.core.audit(actor, d.enterpriseId, { kind: 'department', id: d.id }, detail.slice(0, 500), auditChanges<Department>(before, after, ['name', 'memberIds', 'keyContactId']));
  }

  /** A department by id, or else by name (ignoring case): how a CSV row names one. */
  findByIdOrName(ref: string, visible: (d: Department) => boolean = () => true): Department | undefined {
    const byId = this.core.store.get('departments', ref);
    if (byId && visible(byId)) return byId;
    const lower = ref.trim().toLowerCase();
    return this.core.store.list('departments').find((d) => visible(d) && d.name.toLowerCase() === lower);
  }
}
