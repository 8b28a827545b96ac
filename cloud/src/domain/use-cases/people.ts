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
} from '../model.ts';

export class PeopleUseCases {
  constructor(private readonly core: DomainCore) {}

  async createCarrier(input: CreateCarrierInput, _actor: Actor): Promise<Carrier> {
    const req = parseInput(createCarrierInput, input);
    const c: Carrier = { id: this.core.newId('carriers', req.id, 'car'), name: req.name, createdAt: this.core.now() };
    await this.core.commit({ put: [{ c: 'carriers', key: c.id, value: c }] });
    return c;
  }

  async listCarriers(): Promise<Carrier[]> {
    return this.core.store.list('carriers');
  }


  async createUser(input: CreateUserRecordInput): Promise<User> {
    const req = parseInput(createUserRecordInput, input);
    if (await this.findUserByUsername(req.username)) throw new DomainError('CONFLICT', `user name ${JSON.stringify(req.username)} is taken`, 'username');
    if (req.contactId !== undefined) this.core.must('contacts', req.contactId, 'contact', 'contactId');
    if (req.carrierId !== undefined) this.core.must('carriers', req.carrierId, 'carrier', 'carrierId');
    const u: User = {
      id: this.core.newId('users', req.id, 'u'),
      username: req.username,
      role: req.role,
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

  async listUsers(): Promise<User[]> {
    return this.core.store.list('users');
  }
}
