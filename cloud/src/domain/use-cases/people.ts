/** People use cases: contacts, departments and carriers (the user records behind logins: users.ts). */
import type { Change } from '../../store/store.ts';
import type { DomainCore } from '../core.ts';
import { DomainError, parseInput } from '../errors.ts';
import {
  createCarrierInput,
  createContactInput,
  createDepartmentInput,
  updateContactInput,
  type Actor,
  type Carrier,
  type Contact,
  type CreateCarrierInput,
  type CreateContactInput,
  type CreateDepartmentInput,
  type Department,
  type UpdateContactInput,
} from '../model.ts';

export class PeopleUseCases {
  constructor(private readonly core: DomainCore) {}

  async createContact(input: CreateContactInput, _actor: Actor): Promise<Contact> {
    const req = parseInput(createContactInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    if (req.personnelId !== undefined) this.assertPersonnelIdFree(req.enterpriseId, req.personnelId, undefined);
    const dept = req.departmentId !== undefined ? this.core.mustIn(req.enterpriseId, 'departments', req.departmentId, 'department', 'departmentId') : undefined;
    const c: Contact = {
      id: this.core.newId('contacts', req.id, 'c'),
      enterpriseId: req.enterpriseId,
      name: req.name,
      needsAccessible: req.needsAccessible,
      createdAt: this.core.now(),
      ...(req.email !== undefined ? { email: req.email } : {}),
      ...(req.personnelId !== undefined ? { personnelId: req.personnelId } : {}),
      ...(req.departmentId !== undefined ? { departmentId: req.departmentId } : {}),
    };
    const change: Change = { put: [{ c: 'contacts', key: c.id, value: c }] };
    if (dept && !dept.memberIds.includes(c.id))
      change.put!.push({ c: 'departments', key: dept.id, value: { ...dept, memberIds: [...dept.memberIds, c.id] } });
    await this.core.commit(change);
    return c;
  }

  async updateContact(id: string, input: UpdateContactInput, _actor: Actor): Promise<Contact> {
    const req = parseInput(updateContactInput, input);
    const old = this.core.must('contacts', id, 'contact', 'contactId');
    if (req.personnelId !== undefined) this.assertPersonnelIdFree(old.enterpriseId, req.personnelId, id);
    const dept = req.departmentId !== undefined ? this.core.mustIn(old.enterpriseId, 'departments', req.departmentId, 'department', 'departmentId') : undefined;
    const next: Contact = { ...old };
    if (req.name !== undefined) next.name = req.name;
    if (req.email !== undefined) next.email = req.email;
    if (req.personnelId !== undefined) next.personnelId = req.personnelId;
    if (req.departmentId !== undefined) next.departmentId = req.departmentId;
    if (req.needsAccessible !== undefined) next.needsAccessible = req.needsAccessible;
    const change: Change = { put: [{ c: 'contacts', key: id, value: next }] };
    if (dept && !dept.memberIds.includes(id))
      change.put!.push({ c: 'departments', key: dept.id, value: { ...dept, memberIds: [...dept.memberIds, id] } });
    await this.core.commit(change);
    return next;
  }

  async getContact(id: string): Promise<Contact> {
    return this.core.must('contacts', id, 'contact', 'contactId');
  }

  /** The contacts of one enterprise, or of all when none is given (the cloud's own jobs). */
  async listContacts(enterpriseId?: string): Promise<Contact[]> {
    return this.core.store.list('contacts').filter((c) => enterpriseId === undefined || c.enterpriseId === enterpriseId);
  }

  async createDepartment(input: CreateDepartmentInput, _actor: Actor): Promise<Department> {
    const req = parseInput(createDepartmentInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    const members = [...new Set(req.memberIds)];
    members.forEach((m, i) => this.core.mustIn(req.enterpriseId, 'contacts', m, 'contact', `memberIds.${i}`));
    if (req.keyContactId !== undefined) this.core.mustIn(req.enterpriseId, 'contacts', req.keyContactId, 'contact', 'keyContactId');
    const d: Department = {
      id: this.core.newId('departments', req.id, 'dep'),
      enterpriseId: req.enterpriseId,
      name: req.name,
      memberIds: members,
      createdAt: this.core.now(),
      ...(req.keyContactId !== undefined ? { keyContactId: req.keyContactId } : {}),
    };
    const change: Change = { put: [{ c: 'departments', key: d.id, value: d }] };
    for (const m of members) {
      const c = this.core.store.get('contacts', m)!;
      if (c.departmentId === undefined) change.put!.push({ c: 'contacts', key: m, value: { ...c, departmentId: d.id } });
    }
    await this.core.commit(change);
    return d;
  }

  async listDepartments(enterpriseId?: string): Promise<Department[]> {
    return this.core.store.list('departments').filter((d) => enterpriseId === undefined || d.enterpriseId === enterpriseId);
  }

  async createCarrier(input: CreateCarrierInput, _actor: Actor): Promise<Carrier> {
    const req = parseInput(createCarrierInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    const c: Carrier = { id: this.core.newId('carriers', req.id, 'car'), enterpriseId: req.enterpriseId, name: req.name, createdAt: this.core.now() };
    await this.core.commit({ put: [{ c: 'carriers', key: c.id, value: c }] });
    return c;
  }

  async listCarriers(enterpriseId?: string): Promise<Carrier[]> {
    return this.core.store.list('carriers').filter((c) => enterpriseId === undefined || c.enterpriseId === enterpriseId);
  }


  private assertPersonnelIdFree(enterpriseId: string, personnelId: string, self: string | undefined): void {
    if (this.core.store.list('contacts').some((c) => c.enterpriseId === enterpriseId && c.personnelId === personnelId && c.id !== self))
      throw new DomainError('CONFLICT', `personnel ID ${JSON.stringify(personnelId)} is already used by another contact`, 'personnelId');
  }
}
