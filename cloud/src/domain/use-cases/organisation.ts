/** Organisation use cases: enterprises, divisions, locations, banks, columns and lockers, and a bank's configuration check. */
import { lockerKey } from '../../store/store.ts';
import { isAccessible, requiredAccessible } from '../accessibility.ts';
import { describeBankChange, bankChanges, mergeBankUpdate } from '../bank-policy.ts';
import { newHashParams } from '../codes.ts';
import type { DomainCore, Locked } from '../core.ts';
import { DomainError, notFound, parseInput } from '../errors.ts';
import {
  createBankInput,
  createColumnInput,
  createDivisionInput,
  createEnterpriseInput,
  createLocationInput,
  createLockerInput,
  locationAddressOf,
  LOCATION_ADDRESS_KEYS,
  DEFAULT_BANK_RULES,
  lockerNumberSchema,
  setServiceStateInput,
  updateBankInput,
  type Actor,
  type Bank,
  type Column,
  type CreateBankInput,
  type CreateColumnInput,
  type CreateDivisionInput,
  type CreateEnterpriseInput,
  type CreateLocationInput,
  type CreateLockerInput,
  type Division,
  type Enterprise,
  type Location,
  type Locker,
  type SetServiceStateInput,
  type UpdateBankInput,
} from '../model.ts';
import { auditChanges } from '../audit.ts';
import { lockerAudit } from './locker-admin.ts';
import { lockerView, type LockerView } from './views.ts';

/** What the audit of a created location and locker records. */
const LOCATION_CREATED = ['divisionId', 'name', ...LOCATION_ADDRESS_KEYS, 'reach'] as const satisfies readonly (keyof Location)[];
const LOCKER_CREATED = ['columnId', 'door', 'size', 'dimensions', 'bottomCm', 'topCm', 'loading', 'shelfBarcode', 'dedicatedTo', 'service'] as const satisfies readonly (keyof Locker)[];

export interface BankConfigCheck {
  bankId: string;
  lockers: number;
  accessible: number;
  reach: { minCm: number; maxCm: number };
  warnings: { code: string; message: string }[];
}

export class OrganisationUseCases {
  constructor(private readonly core: DomainCore) {}

  async createEnterprise(input: CreateEnterpriseInput, _actor: Actor): Promise<Enterprise> {
    const req = parseInput(createEnterpriseInput, input);
    const e: Enterprise = {
      id: this.core.newId('enterprises', req.id, 'e'),
      name: req.name,
      ...(req.historyRetentionDays !== undefined ? { historyRetentionDays: req.historyRetentionDays } : {}),
      createdAt: this.core.now(),
    };
    await this.core.commit({ put: [{ c: 'enterprises', key: e.id, value: e }] });
    return e;
  }

  async listEnterprises(): Promise<Enterprise[]> {
    return this.core.store.list('enterprises');
  }

  async createDivision(input: CreateDivisionInput, actor: Actor): Promise<Division> {
    const req = parseInput(createDivisionInput, input);
    this.core.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    const d: Division = { id: this.core.newId('divisions', req.id, 'd'), enterpriseId: req.enterpriseId, name: req.name, createdAt: this.core.now() };
    const a = this.core.audit(actor, d.enterpriseId, { kind: 'division', id: d.id }, 'division created', auditChanges(undefined, d, ['enterpriseId', 'name']));
    await this.core.commit({ put: [{ c: 'divisions', key: d.id, value: d }], activity: [a] });
    return d;
  }

  async listDivisions(enterpriseId?: string): Promise<Division[]> {
    return this.core.store.list('divisions').filter((d) => enterpriseId === undefined || d.enterpriseId === enterpriseId);
  }

  async createLocation(input: CreateLocationInput, actor: Actor): Promise<Location> {
    const req = parseInput(createLocationInput, input);
    this.core.must('divisions', req.divisionId, 'division', 'divisionId');
    const l: Location = {
      id: this.core.newId('locations', req.id, 'loc'),
      divisionId: req.divisionId,
      name: req.name,
      reach: req.reach ?? { preset: 'default' },
      createdAt: this.core.now(),
      ...locationAddressOf(req),
    };
    const a = this.core.audit(actor, this.core.enterpriseOf('division', l.divisionId) ?? '', { kind: 'location', id: l.id }, 'location created', auditChanges(undefined, l, LOCATION_CREATED));
    await this.core.commit({ put: [{ c: 'locations', key: l.id, value: l }], activity: [a] });
    return l;
  }

  async listLocations(divisionId?: string): Promise<Location[]> {
    return this.core.store.list('locations').filter((l) => divisionId === undefined || l.divisionId === divisionId);
  }

  async createBank(input: CreateBankInput, actor: Actor): Promise<Bank> {
    const req = parseInput(createBankInput, input);
    this.core.must('locations', req.locationId, 'location', 'locationId');
    const b: Bank = {
      id: this.core.newId('banks', req.id, 'bank'),
      locationId: req.locationId,
      name: req.name,
      rules: { ...DEFAULT_BANK_RULES, ...req.rules },
      deliveryQuota: req.deliveryQuota ?? {},
      credentialHash: newHashParams(this.core.codeHashN),
      createdAt: this.core.now(),
    };
    // The credential hash parameters are the bank's secret material: never in the log.
    const a = this.core.audit(actor, this.core.enterpriseOf('location', b.locationId) ?? '', { kind: 'bank', id: b.id }, 'bank created', auditChanges(undefined, b, ['locationId', 'name', 'rules', 'deliveryQuota']), b.id);
    await this.core.commit({ put: [{ c: 'banks', key: b.id, value: b }], activity: [a] });
    return b;
  }

  /** Name, rules, kiosk timers and delivery quota; a change is in the activity log with the actor and what changed. */
  async updateBank(bankId: string, input: UpdateBankInput, actor: Actor): Promise<Bank> {
    const req = parseInput(updateBankInput, input);
    return this.core.change(bankId, (): Locked<Bank> => {
      const b = this.core.mustBank(bankId);
      const { next, changed } = mergeBankUpdate(b, req);
      if (changed.length === 0) return { result: b };
      const activity = this.core.audit(actor, this.core.enterpriseOf('bank', b.id) ?? '', { kind: 'bank', id: b.id }, describeBankChange(b, next, changed), bankChanges(b, next, changed), b.id);
      const done = this.core.write({ put: [{ c: 'banks', key: next.id, value: next }], activity: [activity] });
      return { result: next, done, events: [['bank-changed', { bank: next }]] };
    });
  }

  async getBank(bankId: string): Promise<Bank> {
    return this.core.mustBank(bankId);
  }

  async listBanks(locationId?: string): Promise<Bank[]> {
    return this.core.store.list('banks').filter((b) => locationId === undefined || b.locationId === locationId);
  }

  async createColumn(input: CreateColumnInput, actor: Actor): Promise<Column> {
    const req = parseInput(createColumnInput, input);
    this.core.mustBank(req.bankId, 'bankId');
    const siblings = this.core.store.list('columns').filter((c) => c.bankId === req.bankId);
    if (siblings.some((c) => c.position === req.position))
      throw new DomainError('CONFLICT', `bank ${req.bankId} already has a column at position ${req.position}`, 'position');
    if (req.kind === 'kiosk' && siblings.some((c) => c.kind === 'kiosk'))
      throw new DomainError('CONFLICT', `bank ${req.bankId} already has its kiosk column`, 'kind');
    if (this.core.store.list('columns').some((c) => c.controllerId === req.controllerId))
      throw new DomainError('CONFLICT', `controller ${req.controllerId} already drives a column`, 'controllerId');
    const c: Column = {
      id: this.core.newId('columns', req.id, 'col'),
      bankId: req.bankId,
      position: req.position,
      kind: req.kind,
      controllerId: req.controllerId,
      createdAt: this.core.now(),
    };
    const a = this.core.audit(actor, this.core.enterpriseOf('bank', c.bankId) ?? '', { kind: 'column', id: c.id }, 'column created', auditChanges(undefined, c, ['bankId', 'position', 'kind', 'controllerId']), c.bankId);
    await this.core.commit({ put: [{ c: 'columns', key: c.id, value: c }], activity: [a] });
    return c;
  }

  async listColumns(bankId: string): Promise<Column[]> {
    this.core.mustBank(bankId);
    return this.core.store
      .list('columns')
      .filter((c) => c.bankId === bankId)
      .sort((a, b) => a.position - b.position);
  }

  async createLocker(input: CreateLockerInput, actor: Actor): Promise<Locker> {
    const [l] = await this.createLockers([input], actor, false);
    return l!;
  }

  async createLockers(inputs: CreateLockerInput[], actor: Actor, prefixFields = true): Promise<Locker[]> {
    if (!Array.isArray(inputs) || inputs.length === 0) throw new DomainError('VALIDATION', 'lockers: at least one locker is required', 'lockers');
    if (inputs.length > 2000) throw new DomainError('VALIDATION', 'lockers: at most 2000 lockers at once', 'lockers');
    const reqs = inputs.map((input, i) => {
      try {
        return parseInput(createLockerInput, input);
      } catch (err) {
        if (prefixFields && err instanceof DomainError && err.field) throw new DomainError(err.code, `lockers.${i}.${err.message}`, `lockers.${i}.${err.field}`);
        throw err;
      }
    });
    const field = (i: number, f: string): string => (prefixFields ? `lockers.${i}.${f}` : f);
    // Every bank concerned is locked (in a fixed order: no deadlock between two bulk creations).
    return this.core.changeAll(
      reqs.map((r) => r.bankId),
      () => this.createLockersLocked(reqs, field, actor),
    );
  }

  private createLockersLocked(reqs: ReturnType<typeof createLockerInput.parse>[], field: (i: number, f: string) => string, actor: Actor): Locked<Locker[]> {
    const now = this.core.now();
    const out: Locker[] = [];
    const seenNumbers = new Set<string>();
    const seenDoors = new Set<string>();
    // `column/door` pairs already used, per bank: built once per call, not once per new locker.
    const doors = new Map<string, Set<string>>();
    const doorsInUse = (bankId: string): Set<string> => {
      let d = doors.get(bankId);
      if (!d) doors.set(bankId, (d = new Set([...this.core.banks.of(bankId).lockers.values()].map((l) => `${l.columnId}/${l.door}`))));
      return d;
    };
    reqs.forEach((req, i) => {
      this.core.mustBank(req.bankId, field(i, 'bankId'));
      const col = this.core.store.get('columns', req.columnId);
      if (!col || col.bankId !== req.bankId) throw notFound(`column of bank ${req.bankId}`, req.columnId, field(i, 'columnId'));
      const nk = lockerKey(req.bankId, req.number);
      if (this.core.store.get('lockers', nk) || seenNumbers.has(nk))
        throw new DomainError('CONFLICT', `bank ${req.bankId} already has locker ${req.number}`, field(i, 'number'));
      const dk = `${req.columnId}/${req.door}`;
      if (seenDoors.has(dk) || doorsInUse(req.bankId).has(dk))
        throw new DomainError('CONFLICT', `door ${req.door} of column ${req.columnId} is already a locker`, field(i, 'door'));
      if (req.dedicatedTo) this.core.mustRecipient(req.bankId, req.dedicatedTo, field(i, 'dedicatedTo.id'));
      seenNumbers.add(nk);
      seenDoors.add(dk);
      const { service, ...rest } = req;
      out.push({ ...rest, service: service ?? 'in-service', createdAt: now });
    });
    // One entry per locker, as its later edits and its delete: the log of one locker reads whole.
    const activity = out.map((l) => lockerAudit(this.core, actor, l, 'locker created', auditChanges(undefined, l, LOCKER_CREATED)));
    const done = this.core.write({ put: out.map((l) => ({ c: 'lockers' as const, key: lockerKey(l.bankId, l.number), value: l })), activity });
    return { result: out, done, events: out.map((l) => ['locker-changed', { locker: l, change: 'created' }] as const) };
  }

  async setServiceState(bankId: string, number: number, input: SetServiceStateInput, actor: Actor): Promise<LockerView> {
    const req = parseInput(setServiceStateInput, input);
    const n = parseInput(lockerNumberSchema, number);
    const bank = this.core.mustBank(bankId, 'bankId');
    const next = await this.core.change(bankId, (): Locked<Locker> => {
      const idx = this.core.banks.of(bankId);
      const l = idx.lockers.get(n);
      if (!l) throw notFound(`locker of bank ${bankId}`, n, 'number');
      const { serviceReason: _old, ...base } = l;
      const next: Locker = { ...base, service: req.state, ...(req.reason !== undefined ? { serviceReason: req.reason } : {}) };
      const live = idx.live.get(n);
      const activity = this.core.activity('service-change', actor, {
        bankId,
        lockerNumber: n,
        ...(live ? { reservationId: live.id, recipientId: live.recipient.id } : {}),
        detail: `${req.state}${req.reason ? `: ${req.reason}` : ''}`,
      });
      const done = this.core.write({ put: [{ c: 'lockers', key: lockerKey(bankId, n), value: next }], activity: [activity] });
      return { result: next, done, events: [['locker-changed', { locker: next, change: 'service-changed' }]] };
    });
    return lockerView(next, this.core.banks.of(bankId), this.core.reachOf(bank));
  }

  async checkBankConfig(bankId: string): Promise<BankConfigCheck> {
    const bank = this.core.mustBank(bankId, 'bankId');
    const reach = this.core.reachOf(bank);
    const lockers = [...this.core.banks.of(bankId).lockers.values()];
    const accessible = lockers.filter((l) => isAccessible(l, reach)).length;
    const warnings: BankConfigCheck['warnings'] = [];
    const need = requiredAccessible(lockers.length);
    if (lockers.length === 0) warnings.push({ code: 'NO_LOCKERS', message: 'the bank has no lockers' });
    else if (accessible < need)
      warnings.push({
        code: 'FEW_ACCESSIBLE',
        message: `only ${accessible} of ${lockers.length} lockers are accessible (reach ${reach.minCm} to ${reach.maxCm} cm); at least ${need} (5 %, and at least one) are needed`,
      });
    const columns = this.core.store.list('columns').filter((c) => c.bankId === bankId);
    if (!columns.some((c) => c.kind === 'kiosk')) warnings.push({ code: 'NO_KIOSK', message: 'the bank has no kiosk column' });
    for (const [size, keep] of Object.entries(bank.deliveryQuota)) {
      const have = lockers.filter((l) => l.size === size && !l.dedicatedTo).length;
      if (keep !== undefined && keep >= have && keep > 0)
        warnings.push({ code: 'QUOTA_BLOCKS_STORAGE', message: `delivery quota of ${keep} ${size} lockers leaves none of its ${have} for day-use storage` });
    }
    return { bankId, lockers: lockers.length, accessible, reach, warnings };
  }

}
