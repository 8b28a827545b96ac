/**
 * People use cases: creating and listing carriers (the address book: contacts.ts, departments.ts; carriers after
 * creation: carriers.ts; the user records behind logins: users.ts).
 */
import type { DomainCore } from '../core.ts';
import { auditChanges } from '../audit.ts';
import { parseInput } from '../errors.ts';
import { createCarrierInput, type Actor, type Carrier, type CreateCarrierInput } from '../model.ts';

export class PeopleUseCases {
  constructor(private readonly core: DomainCore) {}

  async createCarrier(input: CreateCarrierInput, actor: Actor): Promise<Carrier> {
    const req = parseInput(createCarrierInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    const c: Carrier = { id: this.core.newId('carriers', req.id, 'car'), enterpriseId: req.enterpriseId, name: req.name, createdAt: this.core.now() };
    const a = this.core.audit(actor, c.enterpriseId, { kind: 'carrier', id: c.id }, 'carrier created', auditChanges(undefined, c, ['name']));
    await this.core.commit({ put: [{ c: 'carriers', key: c.id, value: c }], activity: [a] });
    return c;
  }

  async listCarriers(enterpriseId?: string): Promise<Carrier[]> {
    return this.core.store.list('carriers').filter((c) => enterpriseId === undefined || c.enterpriseId === enterpriseId);
  }
}
