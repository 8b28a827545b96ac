/** People use cases: carriers and the user records behind logins (the address book: contacts.ts, departments.ts). */
import { stripUndefined, type DomainCore } from '../core.ts';
import { DomainError, parseInput } from '../errors.ts';
import {
  createCarrierInput,
  createUserRecordInput,
  updateUserRecordInput,
  type Actor,
  type Carrier,
  type CreateCarrierInput,
  type CreateUserRecordInput,
  type UpdateUserRecordInput,
  type User,
  ENTERPRISE_LEVEL,
} from '../model.ts';

export class PeopleUseCases {
  constructor(private readonly core: DomainCore) {}

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


  async createUser(input: CreateUserRecordInput): Promise<User> {
    const req = parseInput(createUserRecordInput, input);
    if (await this.findUserByUsername(req.username)) throw new DomainError('CONFLICT', `user name ${JSON.stringify(req.username)} is taken`, 'username');
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    if (req.contactId !== undefined) this.core.mustIn(req.enterpriseId, 'contacts', req.contactId, 'contact', 'contactId');
    if (req.carrierId !== undefined) this.core.mustIn(req.enterpriseId, 'carriers', req.carrierId, 'carrier', 'carrierId');
    this.core.mustRole(req.enterpriseId, req.role);
    const accessLevel = req.accessLevel ?? ENTERPRISE_LEVEL;
    this.core.mustAccessLevel(req.enterpriseId, accessLevel);
    const u: User = {
      id: this.core.newId('users', req.id, 'u'),
      enterpriseId: req.enterpriseId,
      username: req.username,
      role: req.role,
      accessLevel,
      ...(req.platformAdmin ? { platformAdmin: true } : {}),
      passwordHash: req.passwordHash,
      disabled: false,
      createdAt: this.core.now(),
      ...(req.contactId !== undefined ? { contactId: req.contactId } : {}),
      ...(req.carrierId !== undefined ? { carrierId: req.carrierId } : {}),
    };
    await this.core.commit({ put: [{ c: 'users', key: u.id, value: u }] });
    return u;
  }

  async updateUser(id: string, input: UpdateUserRecordInput): Promise<User> {
    const req = parseInput(updateUserRecordInput, input);
    const old = this.core.must('users', id, 'user', 'userId');
    if (req.role !== undefined) this.core.mustRole(old.enterpriseId, req.role);
    if (req.accessLevel !== undefined) this.core.mustAccessLevel(old.enterpriseId, req.accessLevel);
    const next: User = { ...old, ...stripUndefined(req) };
    await this.core.commit({ put: [{ c: 'users', key: id, value: next }] });
    return next;
  }

  async getUser(id: string): Promise<User> {
    return this.core.must('users', id, 'user', 'userId');
  }

  async findUserByUsername(username: string): Promise<User | undefined> {
    const lower = username.trim().toLowerCase();
    return this.core.store.list('users').find((u) => u.username.toLowerCase() === lower);
  }

  async listUsers(enterpriseId?: string): Promise<User[]> {
    return this.core.store.list('users').filter((u) => enterpriseId === undefined || u.enterpriseId === enterpriseId);
  }
}
