/**
 * LockerService: the use cases of the cloud, over a Store. The HTTP layer and the MQTT link
 * call these methods; every method parses its input with the schema exported from `model.ts` (the HTTP layer
 * uses the same schemas for request bodies) and fails with a DomainError carrying a stable `code` and `field`.
 */
import { EventEmitter } from 'node:events';
import { randomInt, randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import { lockerKey, type Change, type LiveCollections, type Store } from '../store/store.ts';
import { isAccessible, reachLimits, requiredAccessible, type ReachLimits } from './accessibility.ts';
import { activityToCsv } from './activity.ts';
import { bankSlots, chooseLocker, fits, lockerDimensions, parcelDimensions, type BankSlots } from './allocation.ts';
import { CodeVault } from './code-vault.ts';
import { CodeMatcher, DEFAULT_CODE_HASH_N, generateDigits, hashCode, isSealed, newHashParams, sameHash, storeCode } from './codes.ts';
import { notCheckableAt } from './credential-coverage.ts';
import { DomainError, NO_LOCKER_MESSAGE, notFound, parseInput } from './errors.ts';
import type { CarrierCodeChanged, DomainEvents, LockerChanged, ReservationChanged, StaffCredentialChanged } from './events.ts';
import { KeyedMutex } from './mutex.ts';
import {
  activityQuery,
  createBankInput,
  createCarrierInput,
  createColumnInput,
  createContactInput,
  createDepartmentInput,
  createDivisionInput,
  createEnterpriseInput,
  createLocationInput,
  createLockerInput,
  createUserRecordInput,
  DEFAULT_BANK_RULES,
  dropOffInput,
  endReservationInput,
  entityIdSchema,
  extendReservationInput,
  issueCarrierCodeInput,
  issueStaffCredentialInput,
  recordKioskOccupancyInput,
  listReservationsQuery,
  lockerNumberSchema,
  pickUpInput,
  recordRemoteOpenInput,
  recordAlertInput,
  reserveInput,
  setServiceStateInput,
  updateBankInput,
  updateContactInput,
  updateUserRecordInput,
  type Actor,
  type ActivityEntry,
  type ActivityQuery,
  type ActivityType,
  type Bank,
  type Carrier,
  type CarrierCode,
  type Column,
  type Contact,
  type CreateBankInput,
  type CreateCarrierInput,
  type CreateColumnInput,
  type CreateContactInput,
  type CreateDepartmentInput,
  type CreateDivisionInput,
  type CreateEnterpriseInput,
  type CreateLocationInput,
  type CreateLockerInput,
  type CreateUserRecordInput,
  type Department,
  type Division,
  type DropOffInput,
  type EndReservationInput,
  type Enterprise,
  type ExtendReservationInput,
  type IssueCarrierCodeInput,
  type IssueStaffCredentialInput,
  type PublicCarrierCode,
  type PublicStaffCredential,
  type StaffCredential,
  type ListReservationsQuery,
  type Location,
  type Locker,
  type Party,
  type PickUpInput,
  type RecipientRef,
  type RecordKioskOccupancyInput,
  type RecordRemoteOpenInput,
  type RecordAlertInput,
  type Reservation,
  type StoredCode,
  type ReserveInput,
  type SetServiceStateInput,
  type UpdateBankInput,
  type UpdateContactInput,
  type UpdateUserRecordInput,
  type User,
} from './model.ts';

export * from './model.ts';
export { DomainError, NO_LOCKER_MESSAGE, type DomainErrorCode } from './errors.ts';
export type { CarrierCodeChanged, DomainEvents, LockerChanged, ReservationChanged, StaffCredentialChanged } from './events.ts';

/** Randomness the service uses; tests pass a seeded one. */
export interface RandomSource {
  /** A new unique id with a readable prefix (`r-...`). Must match the entity id rule. */
  id(prefix: string): string;
  /** Uniform integer in [min, max), as crypto.randomInt. */
  int(min: number, max: number): number;
}
export const cryptoRandom: RandomSource = {
  id: (prefix) => `${prefix}-${randomUUID()}`,
  int: (min, max) => randomInt(min, max),
};

export interface LockerServiceOptions {
  store: Store;
  /** Epoch ms; default Date.now. */
  clock?: () => number;
  logger?: Logger;
  random?: RandomSource;
  /** scrypt cost of a new bank's legacy code hashes (default N = 16384); tests lower it. */
  codeHashN?: number;
  /**
   * Where codes are sealed and looked up (code-vault.ts). The runtime passes the vault of the secrets key file; the
   * default, a random key held in memory, suits a memory store only (its sealed codes die with the process).
   */
  vault?: CodeVault;
  /** Digits of generated pickup codes (default 6). */
  pickupCodeDigits?: number;
}

/** The status a locker shows. */
export type LockerStatus = 'available' | 'reserved' | 'occupied' | 'expired' | 'out-of-service';

/** What is inside (or promised to) a locker, without any code. */
export interface ContentsSummary {
  reservationId: string;
  kind: Reservation['kind'];
  status: Reservation['status'];
  recipient: Reservation['recipient'];
  trackingIds: string[];
  packages: number;
  since: number;
  endsAt?: number;
}
export interface LockerView {
  locker: Locker;
  status: LockerStatus;
  accessible: boolean;
  contents?: ContentsSummary;
}

export interface ReserveResult {
  reservation: Reservation;
  /** True when the parcel was added to the recipient's existing locker instead of a new one. */
  addedToExisting: boolean;
  /**
   * A return or exchange: the code in clear (returned this once, stored hashed as the reservation's `pickupCode`)
   * for the person bringing the parcel; typed at the kiosk it opens the reserved locker. The drop-off then issues
   * the collector's pickup code in its place.
   */
  dropOffCode?: string;
  dropOffCodeExpiresAt?: number;
}
export interface DropOffResult {
  reservation: Reservation;
  /**
   * The pickup code in clear: returned this once, never stored. Every drop-off issues a new code and the previous
   * one of the same reservation stops working (a parcel added to an existing locker comes with a fresh notice).
   */
  pickupCode?: string;
  pickupCodeExpiresAt?: number;
}
export interface PickUpResult {
  /** The reservations collected (one code may cover several lockers of one recipient). */
  reservations: Reservation[];
  /** Locker numbers to open. */
  lockerNumbers: number[];
}
export interface IssuedCarrierCode {
  carrierCode: CarrierCode;
  /** In clear, returned this once. */
  code: string;
}
export interface IssuedStaffCredential {
  staffCredential: PublicStaffCredential;
  /** The PIN or badge number in clear, returned this once (never stored or logged). */
  code: string;
}
export interface BankConfigCheck {
  bankId: string;
  lockers: number;
  accessible: number;
  reach: { minCm: number; maxCm: number };
  warnings: { code: string; message: string }[];
}
export interface ExpiryResult {
  expired: Reservation[];
  released: Reservation[];
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** How long a locker is held for a drop-off when the request does not say. */
const DEFAULT_HOLD_MIN = { package: 24 * 60, return: 24 * 60, exchange: 24 * 60, storage: 30 } as const;
/** Open-ended storage still needs a code expiry: a year. */
const OPEN_STORAGE_CODE_MS = 365 * 24 * HOUR;
/** The department of kiosk drop-offs whose recipient the cloud does not know (see `recordKioskOccupancy`). */
export const KIOSK_UNASSIGNED_DEPARTMENT = 'kiosk-unassigned';

interface BankIndex {
  lockers: Map<number, Locker>;
  /** The one live reservation holding each locker. */
  live: Map<number, Reservation>;
  /** Lockers prepared for allocation; dropped whenever a locker of the bank changes. */
  slots?: { reach: ReachLimits; value: BankSlots };
}

interface RecipientInfo {
  ref: RecipientRef;
  needsAccessible: boolean;
  owners: RecipientRef[];
}

/** What a use case hands back from inside a bank lock: its result, and the durability of its write. */
interface Locked<T> {
  result: T;
  done: Promise<void>;
  events?: Array<
    | ['reservation-changed', ReservationChanged]
    | ['locker-changed', LockerChanged]
    | ['carrier-code-changed', CarrierCodeChanged]
    | ['staff-credential-changed', StaffCredentialChanged]
  >;
}

export class LockerService extends EventEmitter<DomainEvents> {
  readonly store: Store;
  readonly now: () => number;
  readonly log: Logger;
  readonly random: RandomSource;
  private readonly codeHashN: number;
  private readonly vault: CodeVault;
  private readonly pickupCodeDigits: number;
  private readonly bankLock = new KeyedMutex();
  private readonly indexes = new Map<string, BankIndex>();

  constructor(opts: LockerServiceOptions) {
    super();
    this.store = opts.store;
    // Read the clock through Date each time so fake timers installed later are honoured.
    this.now = opts.clock ?? (() => Date.now());
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'locker-service' });
    this.random = opts.random ?? cryptoRandom;
    this.codeHashN = opts.codeHashN ?? DEFAULT_CODE_HASH_N;
    this.vault = opts.vault ?? CodeVault.ephemeral();
    this.pickupCodeDigits = opts.pickupCodeDigits ?? 6;
  }

  // =========================================================================================== organisation

  async createEnterprise(input: CreateEnterpriseInput, _actor: Actor): Promise<Enterprise> {
    const req = parseInput(createEnterpriseInput, input);
    const e: Enterprise = { id: this.newId('enterprises', req.id, 'e'), name: req.name, createdAt: this.now() };
    await this.write({ put: [{ c: 'enterprises', key: e.id, value: e }] });
    return e;
  }

  async listEnterprises(): Promise<Enterprise[]> {
    return this.store.list('enterprises');
  }

  async createDivision(input: CreateDivisionInput, _actor: Actor): Promise<Division> {
    const req = parseInput(createDivisionInput, input);
    this.must('enterprises', req.enterpriseId, 'enterprise', 'enterpriseId');
    const d: Division = { id: this.newId('divisions', req.id, 'd'), enterpriseId: req.enterpriseId, name: req.name, createdAt: this.now() };
    await this.write({ put: [{ c: 'divisions', key: d.id, value: d }] });
    return d;
  }

  async listDivisions(enterpriseId?: string): Promise<Division[]> {
    return this.store.list('divisions').filter((d) => enterpriseId === undefined || d.enterpriseId === enterpriseId);
  }

  async createLocation(input: CreateLocationInput, _actor: Actor): Promise<Location> {
    const req = parseInput(createLocationInput, input);
    this.must('divisions', req.divisionId, 'division', 'divisionId');
    const l: Location = {
      id: this.newId('locations', req.id, 'loc'),
      divisionId: req.divisionId,
      name: req.name,
      reach: req.reach ?? { preset: 'default' },
      createdAt: this.now(),
      ...(req.address !== undefined ? { address: req.address } : {}),
    };
    await this.write({ put: [{ c: 'locations', key: l.id, value: l }] });
    return l;
  }

  async listLocations(divisionId?: string): Promise<Location[]> {
    return this.store.list('locations').filter((l) => divisionId === undefined || l.divisionId === divisionId);
  }

  async createBank(input: CreateBankInput, _actor: Actor): Promise<Bank> {
    const req = parseInput(createBankInput, input);
    this.must('locations', req.locationId, 'location', 'locationId');
    const b: Bank = {
      id: this.newId('banks', req.id, 'bank'),
      locationId: req.locationId,
      name: req.name,
      rules: { ...DEFAULT_BANK_RULES, ...req.rules },
      deliveryQuota: req.deliveryQuota ?? {},
      credentialHash: newHashParams(this.codeHashN),
      createdAt: this.now(),
    };
    await this.write({ put: [{ c: 'banks', key: b.id, value: b }] });
    return b;
  }

  async updateBank(bankId: string, input: UpdateBankInput, _actor: Actor): Promise<Bank> {
    const req = parseInput(updateBankInput, input);
    const { result, done } = await this.bankLock.run(bankId, () => {
      const b = this.mustBank(bankId);
      const next: Bank = {
        ...b,
        ...(req.name !== undefined ? { name: req.name } : {}),
        rules: { ...b.rules, ...req.rules },
        deliveryQuota: req.deliveryQuota ?? b.deliveryQuota,
      };
      return { result: next, done: this.write({ put: [{ c: 'banks', key: next.id, value: next }] }) };
    });
    await done;
    this.emit('bank-changed', { bank: result });
    return result;
  }

  async getBank(bankId: string): Promise<Bank> {
    return this.mustBank(bankId);
  }

  async listBanks(locationId?: string): Promise<Bank[]> {
    return this.store.list('banks').filter((b) => locationId === undefined || b.locationId === locationId);
  }

  async createColumn(input: CreateColumnInput, _actor: Actor): Promise<Column> {
    const req = parseInput(createColumnInput, input);
    this.mustBank(req.bankId, 'bankId');
    const siblings = this.store.list('columns').filter((c) => c.bankId === req.bankId);
    if (siblings.some((c) => c.position === req.position))
      throw new DomainError('CONFLICT', `bank ${req.bankId} already has a column at position ${req.position}`, 'position');
    if (req.kind === 'kiosk' && siblings.some((c) => c.kind === 'kiosk'))
      throw new DomainError('CONFLICT', `bank ${req.bankId} already has its kiosk column`, 'kind');
    if (this.store.list('columns').some((c) => c.controllerId === req.controllerId))
      throw new DomainError('CONFLICT', `controller ${req.controllerId} already drives a column`, 'controllerId');
    const c: Column = {
      id: this.newId('columns', req.id, 'col'),
      bankId: req.bankId,
      position: req.position,
      kind: req.kind,
      controllerId: req.controllerId,
      createdAt: this.now(),
    };
    await this.write({ put: [{ c: 'columns', key: c.id, value: c }] });
    return c;
  }

  async listColumns(bankId: string): Promise<Column[]> {
    this.mustBank(bankId);
    return this.store
      .list('columns')
      .filter((c) => c.bankId === bankId)
      .sort((a, b) => a.position - b.position);
  }

  async createLocker(input: CreateLockerInput, actor: Actor): Promise<Locker> {
    const [l] = await this.createLockers([input], actor, false);
    return l!;
  }

  async createLockers(inputs: CreateLockerInput[], _actor: Actor, prefixFields = true): Promise<Locker[]> {
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
    const bankIds = new Set(reqs.map((r) => r.bankId));
    // Lock every bank concerned, in a fixed order (no deadlock between two bulk creations).
    const banks = [...bankIds].sort();
    const run = (k: number): Promise<Locked<Locker[]>> =>
      k < banks.length
        ? this.bankLock.run(banks[k]!, () => run(k + 1))
        : Promise.resolve(this.createLockersLocked(reqs, field));
    const { result, done } = await run(0);
    await done;
    for (const l of result) this.emit('locker-changed', { locker: l, change: 'created' });
    return result;
  }

  private createLockersLocked(reqs: ReturnType<typeof createLockerInput.parse>[], field: (i: number, f: string) => string): Locked<Locker[]> {
    const now = this.now();
    const out: Locker[] = [];
    const seenNumbers = new Set<string>();
    const seenDoors = new Set<string>();
    // `column/door` pairs already used, per bank: built once per call, not once per new locker.
    const doors = new Map<string, Set<string>>();
    const doorsInUse = (bankId: string): Set<string> => {
      let d = doors.get(bankId);
      if (!d) doors.set(bankId, (d = new Set([...this.index(bankId).lockers.values()].map((l) => `${l.columnId}/${l.door}`))));
      return d;
    };
    reqs.forEach((req, i) => {
      this.mustBank(req.bankId, field(i, 'bankId'));
      const col = this.store.get('columns', req.columnId);
      if (!col || col.bankId !== req.bankId) throw notFound(`column of bank ${req.bankId}`, req.columnId, field(i, 'columnId'));
      const nk = lockerKey(req.bankId, req.number);
      if (this.store.get('lockers', nk) || seenNumbers.has(nk))
        throw new DomainError('CONFLICT', `bank ${req.bankId} already has locker ${req.number}`, field(i, 'number'));
      const dk = `${req.columnId}/${req.door}`;
      if (seenDoors.has(dk) || doorsInUse(req.bankId).has(dk))
        throw new DomainError('CONFLICT', `door ${req.door} of column ${req.columnId} is already a locker`, field(i, 'door'));
      if (req.dedicatedTo) this.mustRecipient(req.dedicatedTo, field(i, 'dedicatedTo.id'));
      seenNumbers.add(nk);
      seenDoors.add(dk);
      const { service, ...rest } = req;
      out.push({ ...rest, service: service ?? 'in-service', createdAt: now });
    });
    return { result: out, done: this.write({ put: out.map((l) => ({ c: 'lockers' as const, key: lockerKey(l.bankId, l.number), value: l })) }) };
  }

  async getLocker(bankId: string, number: number): Promise<LockerView> {
    const bank = this.mustBank(bankId, 'bankId');
    const idx = this.index(bankId);
    const l = idx.lockers.get(number);
    if (!l) throw notFound(`locker of bank ${bankId}`, number, 'number');
    return this.view(l, idx, this.reachOf(bank));
  }

  async listLockers(bankId: string): Promise<LockerView[]> {
    const bank = this.mustBank(bankId, 'bankId');
    const idx = this.index(bankId);
    const reach = this.reachOf(bank);
    return [...idx.lockers.values()].sort((a, b) => a.number - b.number).map((l) => this.view(l, idx, reach));
  }

  async setServiceState(bankId: string, number: number, input: SetServiceStateInput, actor: Actor): Promise<LockerView> {
    const req = parseInput(setServiceStateInput, input);
    const n = parseInput(lockerNumberSchema, number);
    const bank = this.mustBank(bankId, 'bankId');
    const { result, done } = await this.bankLock.run(bankId, () => {
      const idx = this.index(bankId);
      const l = idx.lockers.get(n);
      if (!l) throw notFound(`locker of bank ${bankId}`, n, 'number');
      const { serviceReason: _old, ...base } = l;
      const next: Locker = { ...base, service: req.state, ...(req.reason !== undefined ? { serviceReason: req.reason } : {}) };
      const live = idx.live.get(n);
      const activity = this.activity('service-change', actor, {
        bankId,
        lockerNumber: n,
        ...(live ? { reservationId: live.id, recipientId: live.recipient.id } : {}),
        detail: `${req.state}${req.reason ? `: ${req.reason}` : ''}`,
      });
      const done = this.write({ put: [{ c: 'lockers', key: lockerKey(bankId, n), value: next }], activity: [activity] });
      return { result: next, done };
    });
    await done;
    this.emit('locker-changed', { locker: result, change: 'service-changed' });
    return this.view(result, this.index(bankId), this.reachOf(bank));
  }

  async checkBankConfig(bankId: string): Promise<BankConfigCheck> {
    const bank = this.mustBank(bankId, 'bankId');
    const reach = this.reachOf(bank);
    const lockers = [...this.index(bankId).lockers.values()];
    const accessible = lockers.filter((l) => isAccessible(l, reach)).length;
    const warnings: BankConfigCheck['warnings'] = [];
    const need = requiredAccessible(lockers.length);
    if (lockers.length === 0) warnings.push({ code: 'NO_LOCKERS', message: 'the bank has no lockers' });
    else if (accessible < need)
      warnings.push({
        code: 'FEW_ACCESSIBLE',
        message: `only ${accessible} of ${lockers.length} lockers are accessible (reach ${reach.minCm} to ${reach.maxCm} cm); at least ${need} (5 %, and at least one) are needed`,
      });
    const columns = this.store.list('columns').filter((c) => c.bankId === bankId);
    if (!columns.some((c) => c.kind === 'kiosk')) warnings.push({ code: 'NO_KIOSK', message: 'the bank has no kiosk column' });
    for (const [size, keep] of Object.entries(bank.deliveryQuota)) {
      const have = lockers.filter((l) => l.size === size && !l.dedicatedTo).length;
      if (keep !== undefined && keep >= have && keep > 0)
        warnings.push({ code: 'QUOTA_BLOCKS_STORAGE', message: `delivery quota of ${keep} ${size} lockers leaves none of its ${have} for day-use storage` });
    }
    return { bankId, lockers: lockers.length, accessible, reach, warnings };
  }

  // =========================================================================================== people

  async createContact(input: CreateContactInput, _actor: Actor): Promise<Contact> {
    const req = parseInput(createContactInput, input);
    if (req.personnelId !== undefined) this.assertPersonnelIdFree(req.personnelId, undefined);
    const dept = req.departmentId !== undefined ? this.must('departments', req.departmentId, 'department', 'departmentId') : undefined;
    const c: Contact = {
      id: this.newId('contacts', req.id, 'c'),
      name: req.name,
      needsAccessible: req.needsAccessible,
      createdAt: this.now(),
      ...(req.email !== undefined ? { email: req.email } : {}),
      ...(req.personnelId !== undefined ? { personnelId: req.personnelId } : {}),
      ...(req.departmentId !== undefined ? { departmentId: req.departmentId } : {}),
    };
    const change: Change = { put: [{ c: 'contacts', key: c.id, value: c }] };
    if (dept && !dept.memberIds.includes(c.id))
      change.put!.push({ c: 'departments', key: dept.id, value: { ...dept, memberIds: [...dept.memberIds, c.id] } });
    await this.write(change);
    return c;
  }

  async updateContact(id: string, input: UpdateContactInput, _actor: Actor): Promise<Contact> {
    const req = parseInput(updateContactInput, input);
    const old = this.must('contacts', id, 'contact', 'contactId');
    if (req.personnelId !== undefined) this.assertPersonnelIdFree(req.personnelId, id);
    const dept = req.departmentId !== undefined ? this.must('departments', req.departmentId, 'department', 'departmentId') : undefined;
    const next: Contact = { ...old };
    if (req.name !== undefined) next.name = req.name;
    if (req.email !== undefined) next.email = req.email;
    if (req.personnelId !== undefined) next.personnelId = req.personnelId;
    if (req.departmentId !== undefined) next.departmentId = req.departmentId;
    if (req.needsAccessible !== undefined) next.needsAccessible = req.needsAccessible;
    const change: Change = { put: [{ c: 'contacts', key: id, value: next }] };
    if (dept && !dept.memberIds.includes(id))
      change.put!.push({ c: 'departments', key: dept.id, value: { ...dept, memberIds: [...dept.memberIds, id] } });
    await this.write(change);
    return next;
  }

  async getContact(id: string): Promise<Contact> {
    return this.must('contacts', id, 'contact', 'contactId');
  }

  async listContacts(): Promise<Contact[]> {
    return this.store.list('contacts');
  }

  async createDepartment(input: CreateDepartmentInput, _actor: Actor): Promise<Department> {
    const req = parseInput(createDepartmentInput, input);
    const members = [...new Set(req.memberIds)];
    members.forEach((m, i) => this.must('contacts', m, 'contact', `memberIds.${i}`));
    if (req.keyContactId !== undefined) this.must('contacts', req.keyContactId, 'contact', 'keyContactId');
    const d: Department = {
      id: this.newId('departments', req.id, 'dep'),
      name: req.name,
      memberIds: members,
      createdAt: this.now(),
      ...(req.keyContactId !== undefined ? { keyContactId: req.keyContactId } : {}),
    };
    const change: Change = { put: [{ c: 'departments', key: d.id, value: d }] };
    for (const m of members) {
      const c = this.store.get('contacts', m)!;
      if (c.departmentId === undefined) change.put!.push({ c: 'contacts', key: m, value: { ...c, departmentId: d.id } });
    }
    await this.write(change);
    return d;
  }

  async listDepartments(): Promise<Department[]> {
    return this.store.list('departments');
  }

  async createCarrier(input: CreateCarrierInput, _actor: Actor): Promise<Carrier> {
    const req = parseInput(createCarrierInput, input);
    const c: Carrier = { id: this.newId('carriers', req.id, 'car'), name: req.name, createdAt: this.now() };
    await this.write({ put: [{ c: 'carriers', key: c.id, value: c }] });
    return c;
  }

  async listCarriers(): Promise<Carrier[]> {
    return this.store.list('carriers');
  }

  async issueCarrierCode(carrierId: string, input: IssueCarrierCodeInput, _actor: Actor): Promise<IssuedCarrierCode> {
    const req = parseInput(issueCarrierCodeInput, input);
    this.must('carriers', carrierId, 'carrier', 'carrierId');
    req.bankIds.forEach((b, i) => this.mustBank(b, `bankIds.${i}`));
    return this.bankLock.run('#carrier-codes', async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const code = generateDigits(req.digits, (a, b) => this.random.int(a, b));
        // A code two carriers share would open lockers as the wrong carrier: draw again.
        if (await this.findCarrierCode(code, undefined)) continue;
        // Sealed: each controller's form (keyed under its credential key) is made from it when its state is built.
        const cc: CarrierCode = {
          id: this.random.id('cc'),
          carrierId,
          code: storeCode(this.vault, 'carrier-code', code),
          digits: req.digits,
          bankIds: req.bankIds,
          revoked: false,
          createdAt: this.now(),
          ...(req.expiresAt !== undefined ? { expiresAt: req.expiresAt } : {}),
        };
        await this.write({ put: [{ c: 'carrierCodes', key: cc.id, value: cc }] });
        this.emitAll([['carrier-code-changed', { carrierCode: cc, change: 'issued' }]]);
        return { carrierCode: cc, code };
      }
      throw new DomainError('CONFLICT', 'could not draw an unused carrier code; use more digits', 'digits');
    });
  }

  /** A carrier's codes (hashes only). */
  async listCarrierCodes(carrierId: string): Promise<CarrierCode[]> {
    this.must('carriers', carrierId, 'carrier', 'carrierId');
    return this.store.list('carrierCodes').filter((c) => c.carrierId === carrierId);
  }

  async revokeCarrierCode(carrierCodeId: string, _actor: Actor): Promise<CarrierCode> {
    const cc = typeof carrierCodeId === 'string' ? this.store.get('carrierCodes', carrierCodeId) : undefined;
    if (!cc) throw notFound('carrier code', carrierCodeId, 'carrierCodeId');
    const next: CarrierCode = { ...cc, revoked: true };
    await this.write({ put: [{ c: 'carrierCodes', key: cc.id, value: next }] });
    this.emitAll([['carrier-code-changed', { carrierCode: next, change: 'revoked' }]]);
    return next;
  }

  async verifyCarrierCode(bankId: string, code: string): Promise<CarrierCode | undefined> {
    if (!/^\d{6,10}$/.test(code)) return undefined;
    return this.findCarrierCode(code, bankId);
  }

  private async findCarrierCode(code: string, bankId: string | undefined): Promise<CarrierCode | undefined> {
    const now = this.now();
    const matcher = new CodeMatcher(this.vault, 'carrier-code', code);
    let found: CarrierCode | undefined;
    for (const cc of this.store.list('carrierCodes')) {
      if (cc.revoked || (cc.expiresAt !== undefined && cc.expiresAt <= now)) continue;
      if (bankId !== undefined && cc.bankIds.length > 0 && !cc.bankIds.includes(bankId)) continue;
      if (cc.digits !== code.length) continue;
      if (await matcher.matches(cc.code)) found ??= cc;
    }
    return found;
  }

  // =========================================================================================== staff credentials

  /**
   * A kiosk sign-in for a member of staff: a PIN (drawn when not given) or a badge number. Stored hashed under a salt
   * of its own and, for the controllers, under each bank's credential params; the clear code is returned once.
   */
  async issueStaffCredential(input: IssueStaffCredentialInput, actor: Actor): Promise<IssuedStaffCredential> {
    const req = parseInput(issueStaffCredentialInput, input);
    this.mustStaffSubject(req.role, req.subjectId);
    req.bankIds.forEach((b, i) => this.mustBank(b, `bankIds.${i}`));
    if (req.expiresAt !== undefined && req.expiresAt <= this.now()) throw new DomainError('VALIDATION', 'expiresAt: must be in the future', 'expiresAt');
    // One lock for every staff credential and carrier code: two issues of the same PIN must not both pass the check.
    return this.bankLock.run('#carrier-codes', async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const code = req.code ?? generateDigits(6, (a, b) => this.random.int(a, b));
        if (await this.staffCodeTaken(req.kind, code)) {
          if (req.code !== undefined)
            throw new DomainError('CONFLICT', `this ${req.kind === 'badge' ? 'badge' : 'PIN'} is already in use by another live credential`, 'code');
          continue;
        }
        const sc: StaffCredential = {
          id: this.random.id('sc'),
          role: req.role,
          subjectId: req.subjectId,
          kind: req.kind,
          bankIds: req.bankIds,
          code: storeCode(this.vault, req.kind, code),
          bankHashes: {},
          createdAt: this.now(),
          ...(req.label !== undefined ? { label: req.label } : {}),
          ...(req.expiresAt !== undefined ? { expiresAt: req.expiresAt } : {}),
        };
        const a = this.activity('staff-credential', actor, { detail: `issued ${sc.role} ${sc.kind} ${sc.id} for ${sc.subjectId}` });
        await this.write({ put: [{ c: 'staffCredentials', key: sc.id, value: sc }], activity: [a] });
        this.log.info({ staffCredentialId: sc.id, role: sc.role, kind: sc.kind, subjectId: sc.subjectId }, 'staff credential issued');
        this.emitAll([['staff-credential-changed', { staffCredential: sc, change: 'issued' }]]);
        return { staffCredential: publicStaffCredential(sc, this.store.list('banks'), this.now()), code };
      }
      throw new DomainError('CONFLICT', 'could not draw an unused PIN; give one', 'code');
    });
  }

  /** Every staff credential, revoked and expired ones included (never a hash). */
  async listStaffCredentials(): Promise<PublicStaffCredential[]> {
    return this.store.list('staffCredentials').map((sc) => publicStaffCredential(sc, this.store.list('banks'), this.now()));
  }

  /** Revokes a staff credential; revoking one already revoked changes nothing. */
  async revokeStaffCredential(id: string, actor: Actor): Promise<PublicStaffCredential> {
    return this.bankLock.run('#carrier-codes', async () => {
      const sc = typeof id === 'string' ? this.store.get('staffCredentials', id) : undefined;
      if (!sc) throw notFound('staff credential', id, 'staffCredentialId');
      if (sc.revokedAt !== undefined) return publicStaffCredential(sc, this.store.list('banks'), this.now());
      const next: StaffCredential = { ...sc, revokedAt: this.now() };
      const a = this.activity('staff-credential', actor, { detail: `revoked ${sc.role} ${sc.kind} ${sc.id} for ${sc.subjectId}` });
      await this.write({ put: [{ c: 'staffCredentials', key: sc.id, value: next }], activity: [a] });
      this.emitAll([['staff-credential-changed', { staffCredential: next, change: 'revoked' }]]);
      return publicStaffCredential(next, this.store.list('banks'), this.now());
    });
  }

  /** Live at `now`: not revoked, not expired. */
  private staffLive(sc: StaffCredential, now: number): boolean {
    return sc.revokedAt === undefined && (sc.expiresAt === undefined || sc.expiresAt > now);
  }

  /** Whether `code` of `kind` already signs someone in: a live staff credential of that kind, or (a PIN) a carrier code. */
  private async staffCodeTaken(kind: StaffCredential['kind'], code: string): Promise<boolean> {
    const now = this.now();
    const matcher = new CodeMatcher(this.vault, kind, code);
    for (const sc of this.store.list('staffCredentials')) {
      if (sc.kind !== kind || !this.staffLive(sc, now)) continue;
      if (await matcher.matches(sc.code)) return true;
    }
    // A PIN typed on the keypad is also tried as a carrier code: one value must not be both.
    return kind === 'staff-pin' && /^\d{6,10}$/.test(code) && (await this.findCarrierCode(code, undefined)) !== undefined;
  }

  private mustStaffSubject(role: StaffCredential['role'], subjectId: string): void {
    const user = this.store.get('users', subjectId);
    if (user) {
      if (user.disabled) throw new DomainError('INVALID_STATE', `user ${JSON.stringify(subjectId)} is disabled`, 'subjectId');
      const fits = role === 'admin' ? user.role === 'admin' : role === 'operator' ? user.role === 'admin' || user.role === 'operator' : user.role === 'carrier';
      if (!fits) throw new DomainError('VALIDATION', `subjectId: user ${JSON.stringify(subjectId)} is ${user.role}, not allowed a ${role} credential`, 'subjectId');
      return;
    }
    if (role === 'carrier' && this.store.get('carriers', subjectId)) return;
    throw notFound(role === 'carrier' ? 'user or carrier' : 'user', subjectId, 'subjectId');
  }

  // =========================================================================================== users

  async createUser(input: CreateUserRecordInput): Promise<User> {
    const req = parseInput(createUserRecordInput, input);
    if (await this.findUserByUsername(req.username)) throw new DomainError('CONFLICT', `user name ${JSON.stringify(req.username)} is taken`, 'username');
    if (req.contactId !== undefined) this.must('contacts', req.contactId, 'contact', 'contactId');
    if (req.carrierId !== undefined) this.must('carriers', req.carrierId, 'carrier', 'carrierId');
    const u: User = {
      id: this.newId('users', req.id, 'u'),
      username: req.username,
      role: req.role,
      passwordHash: req.passwordHash,
      disabled: false,
      createdAt: this.now(),
      ...(req.contactId !== undefined ? { contactId: req.contactId } : {}),
      ...(req.carrierId !== undefined ? { carrierId: req.carrierId } : {}),
    };
    await this.write({ put: [{ c: 'users', key: u.id, value: u }] });
    return u;
  }

  async updateUser(id: string, input: UpdateUserRecordInput): Promise<User> {
    const req = parseInput(updateUserRecordInput, input);
    const old = this.must('users', id, 'user', 'userId');
    const next: User = { ...old, ...stripUndefined(req) };
    await this.write({ put: [{ c: 'users', key: id, value: next }] });
    return next;
  }

  async getUser(id: string): Promise<User> {
    return this.must('users', id, 'user', 'userId');
  }

  async findUserByUsername(username: string): Promise<User | undefined> {
    const lower = username.trim().toLowerCase();
    return this.store.list('users').find((u) => u.username.toLowerCase() === lower);
  }

  async listUsers(): Promise<User[]> {
    return this.store.list('users');
  }

  // =========================================================================================== reservations

  async reserve(input: ReserveInput, actor: Actor): Promise<ReserveResult> {
    const req = parseInput(reserveInput, input);
    this.mustBank(req.bankId, 'bankId');
    const recipient = this.mustRecipient(req.recipient, 'recipient.id');
    if (req.dropOffParty) this.mustParty(req.dropOffParty, 'dropOffParty.id');
    if (req.pickupParty) this.mustParty(req.pickupParty, 'pickupParty.id');
    const { result, done, events } = await this.bankLock.run(req.bankId, () => this.reserveLocked(req, recipient, actor));
    await done;
    if ((req.kind !== 'return' && req.kind !== 'exchange') || result.addedToExisting) {
      this.emitAll(events);
      return result;
    }
    // The party bringing a return or exchange needs a code for the kiosk: issued before anyone hears of it.
    const coded = await this.bankLock.run(req.bankId, async (): Promise<Locked<ReserveResult>> => {
      const r = this.mustLive(result.reservation.id, 'reservationId');
      const bank = this.mustBank(r.bankId);
      const now = this.now();
      const expiresAt = r.holdUntil ?? now + DEFAULT_HOLD_MIN[r.kind] * MINUTE;
      const { code, stored } = await this.newPickupCode(bank, r.id);
      const next: Reservation = { ...r, pickupCode: { code: stored, expiresAt, issuedAt: now } };
      const done = this.write({ put: [{ c: 'reservations', key: r.id, value: next }] });
      return { result: { reservation: next, addedToExisting: false, dropOffCode: code, dropOffCodeExpiresAt: expiresAt }, done, events: [['reservation-changed', { reservation: next, change: 'reserved' }]] };
    });
    await coded.done;
    this.emitAll(coded.events);
    return coded.result;
  }

  /**
   * A new pickup code for an occupied reservation (or a new drop-off code for a held return / exchange), for when the
   * recipient lost theirs or its notice was never delivered. The old code stops working at once (the controllers get
   * the new hash with the next desired state); the new one is answered once and only its hash is kept. Its expiry
   * stays what it was. Audited.
   */
  async reissuePickupCode(reservationId: string, actor: Actor): Promise<{ reservation: Reservation; code: string; expiresAt: number }> {
    const id = parseInput(z.strictObject({ reservationId: entityIdSchema }), { reservationId }).reservationId;
    const first = this.mustLive(id, 'reservationId');
    const locked = await this.bankLock.run(first.bankId, async (): Promise<Locked<{ reservation: Reservation; code: string; expiresAt: number }>> => {
      const r = this.mustLive(id, 'reservationId');
      const heldForDropOff = r.status === 'reserved' && (r.kind === 'return' || r.kind === 'exchange');
      if (r.status !== 'occupied' && !heldForDropOff) {
        throw new DomainError('CONFLICT', `reservation ${r.id} is ${r.status}: only a filled locker (or a held return / exchange) has a code`, 'reservationId');
      }
      if (!r.pickupCode) throw new DomainError('CONFLICT', `reservation ${r.id} has no code to replace`, 'reservationId');
      const bank = this.mustBank(r.bankId);
      const now = this.now();
      const { code, stored } = await this.newPickupCode(bank, r.id);
      const next: Reservation = { ...r, pickupCode: { code: stored, expiresAt: r.pickupCode.expiresAt, issuedAt: now } };
      const activity = this.activity('reservation', actor, {
        bankId: r.bankId,
        lockerNumber: r.lockerNumber,
        recipientId: r.recipient.id,
        reservationId: r.id,
        detail: heldForDropOff ? 'drop-off code reissued' : 'pickup code reissued',
      });
      const done = this.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
      return { result: { reservation: next, code, expiresAt: r.pickupCode.expiresAt }, done, events: [['reservation-changed', { reservation: next, change: 'code-reissued' }]] };
    });
    await locked.done;
    this.emitAll(locked.events);
    return locked.result;
  }

  /** The allocate-and-write critical section: no await between reading the free lockers and the store commit. */
  private reserveLocked(req: ReturnType<typeof reserveInput.parse>, recipient: RecipientInfo, actor: Actor): Locked<ReserveResult> {
    const bank = this.mustBank(req.bankId, 'bankId');
    const now = this.now();
    const idx = this.index(bank.id);
    const reach = this.reachOf(bank);
    const parcel = parcelDimensions(req.size, req.dimensions);
    const trackingIds = req.trackingId !== undefined ? [req.trackingId] : [];

    if (req.kind === 'package' && bank.rules.addToExistingLocker) {
      for (const r of idx.live.values()) {
        if (r.kind !== 'package' || r.recipient.type !== recipient.ref.type || r.recipient.id !== recipient.ref.id) continue;
        if (r.status !== 'reserved' && r.status !== 'occupied') continue;
        const l = idx.lockers.get(r.lockerNumber);
        if (!l || l.service !== 'in-service' || !fits(parcel, lockerDimensions(l))) continue;
        const next: Reservation = { ...r, packages: [...r.packages, ...this.newPackages(trackingIds, now)] };
        const activity = this.activity('reservation', actor, {
          bankId: bank.id,
          lockerNumber: r.lockerNumber,
          recipientId: recipient.ref.id,
          reservationId: r.id,
          ...(req.trackingId !== undefined ? { trackingId: req.trackingId } : {}),
          detail: 'added to the recipient\'s existing locker',
        });
        const done = this.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
        return { result: { reservation: next, addedToExisting: true }, done, events: [['reservation-changed', { reservation: next, change: 'package-added' }]] };
      }
    }

    const locker = chooseLocker(
      { kind: req.kind, parcel, needsAccessible: recipient.needsAccessible, owners: recipient.owners },
      { slots: this.slots(idx, reach), isHeld: (n) => idx.live.has(n), quota: bank.deliveryQuota },
    );
    if (!locker) throw new DomainError('NO_LOCKER_AVAILABLE', NO_LOCKER_MESSAGE, 'bankId');

    const r: Reservation = {
      id: this.random.id('r'),
      bankId: bank.id,
      lockerNumber: locker.number,
      kind: req.kind,
      status: 'reserved',
      recipient: recipient.ref,
      packages: req.kind === 'storage' ? [] : this.newPackages(trackingIds, now),
      createdAt: now,
      createdBy: actor,
      holdUntil: now + (req.holdMinutes ?? DEFAULT_HOLD_MIN[req.kind]) * MINUTE,
      ...(req.dropOffParty ? { dropOffParty: req.dropOffParty } : {}),
      ...(req.pickupParty ? { pickupParty: req.pickupParty } : {}),
      ...(req.note !== undefined ? { note: req.note } : {}),
    };
    if (req.kind === 'storage' && req.storage) {
      const maxMs = bank.rules.maxStorageH * HOUR;
      const s = req.storage;
      if (s.minutes !== undefined && s.minutes * MINUTE > maxMs)
        throw new DomainError('VALIDATION', `storage.minutes: longer than the bank's maximum of ${bank.rules.maxStorageH} h`, 'storage.minutes');
      if (s.maxMinutes !== undefined && s.maxMinutes * MINUTE > maxMs)
        throw new DomainError('VALIDATION', `storage.maxMinutes: longer than the bank's maximum of ${bank.rules.maxStorageH} h`, 'storage.maxMinutes');
      r.storageMode = s.mode;
      if (s.mode !== 'open') {
        r.endsAt = now + s.minutes! * MINUTE;
        r.maxEndsAt = s.mode === 'fixed' ? r.endsAt : now + (s.maxMinutes !== undefined ? s.maxMinutes * MINUTE : maxMs);
      }
    }
    const activity = this.activity('reservation', actor, {
      bankId: bank.id,
      lockerNumber: locker.number,
      recipientId: recipient.ref.id,
      reservationId: r.id,
      ...(req.trackingId !== undefined ? { trackingId: req.trackingId } : {}),
      detail: req.kind,
    });
    const done = this.write({ put: [{ c: 'reservations', key: r.id, value: r }], activity: [activity] });
    return { result: { reservation: r, addedToExisting: false }, done, events: [['reservation-changed', { reservation: r, change: 'reserved' }]] };
  }

  async dropOff(input: DropOffInput, actor: Actor): Promise<DropOffResult> {
    const req = parseInput(dropOffInput, input);
    const r0 = this.mustLive(req.reservationId, 'reservationId');
    const { result, done, events } = await this.bankLock.run(r0.bankId, async (): Promise<Locked<DropOffResult>> => {
      const r = this.mustLive(req.reservationId, 'reservationId');
      if (r.status !== 'reserved' && r.status !== 'occupied')
        throw new DomainError('INVALID_STATE', `reservation ${r.id} is ${r.status}: nothing can be dropped off`, 'reservationId');
      const bank = this.mustBank(r.bankId);
      const locker = this.index(r.bankId).lockers.get(r.lockerNumber);
      if (!locker || locker.service !== 'in-service')
        throw new DomainError('INVALID_STATE', `locker ${r.lockerNumber} of bank ${r.bankId} is out of service`, 'reservationId');
      const now = this.now();
      const known = new Set(r.packages.map((p) => p.trackingId).filter((x) => x !== undefined));
      const added = (req.trackingIds ?? []).filter((t) => !known.has(t));
      const all: Reservation['packages'] = [...r.packages, ...added.map((t) => ({ trackingId: t, addedAt: now }))];
      const packages = all.map((p) => (p.droppedOffAt === undefined ? { ...p, droppedOffAt: now } : p));
      const newlyDropped = packages.filter((p) => p.droppedOffAt === now);

      let endsAt: number;
      if (r.kind === 'storage') endsAt = r.endsAt ?? now + OPEN_STORAGE_CODE_MS;
      else endsAt = now + bank.rules.pickupPinExpiryH * HOUR;
      const { code, stored } = await this.newPickupCode(bank, r.id);
      const next: Reservation = {
        ...r,
        status: 'occupied',
        packages,
        occupiedAt: r.occupiedAt ?? now,
        pickupCode: { code: stored, expiresAt: endsAt, issuedAt: now },
        ...(r.kind === 'storage' ? {} : { endsAt }),
      };
      const type: ActivityType = r.kind === 'return' ? 'return' : 'drop-off';
      const base = { bankId: r.bankId, lockerNumber: r.lockerNumber, recipientId: r.recipient.id, reservationId: r.id };
      const activity =
        newlyDropped.length > 0 && newlyDropped.some((p) => p.trackingId !== undefined)
          ? newlyDropped.map((p) => this.activity(type, actor, { ...base, ...(p.trackingId !== undefined ? { trackingId: p.trackingId } : {}), detail: r.kind }))
          : [this.activity(type, actor, { ...base, detail: r.kind })];
      const done = this.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity });
      return {
        result: { reservation: next, pickupCode: code, pickupCodeExpiresAt: endsAt },
        done,
        events: [['reservation-changed', { reservation: next, change: 'occupied' }]],
      };
    });
    await done;
    this.emitAll(events);
    return result;
  }

  /**
   * A kiosk put something into a free locker with no reservation the cloud knows (see `recordKioskOccupancyInput`):
   * creates the reservation as occupied on that locker; a package gets a pickup code (returned once, like
   * `dropOff`). Refused when the locker is unknown, out of service, or already holds a live reservation.
   */
  async recordKioskOccupancy(input: RecordKioskOccupancyInput, actor: Actor): Promise<DropOffResult> {
    const req = parseInput(recordKioskOccupancyInput, input);
    this.mustBank(req.bankId, 'bankId');
    if (req.recipient) this.mustRecipient(req.recipient, 'recipient.id');
    if (req.dropOffParty) this.mustParty(req.dropOffParty, 'dropOffParty.id');
    const { result, done, events } = await this.bankLock.run(req.bankId, async (): Promise<Locked<DropOffResult>> => {
      const bank = this.mustBank(req.bankId, 'bankId');
      const idx = this.index(bank.id);
      const locker = idx.lockers.get(req.lockerNumber);
      if (!locker) throw notFound('locker', String(req.lockerNumber), 'lockerNumber');
      if (locker.service !== 'in-service')
        throw new DomainError('INVALID_STATE', `locker ${req.lockerNumber} of bank ${bank.id} is out of service`, 'lockerNumber');
      const held = idx.live.get(req.lockerNumber);
      if (held) throw new DomainError('CONFLICT', `locker ${req.lockerNumber} already holds reservation ${held.id}`, 'lockerNumber');
      const now = this.now();
      const put: Parameters<LockerService['write']>[0]['put'] = [];
      let recipient = req.recipient;
      if (!recipient) {
        recipient = { type: 'department', id: KIOSK_UNASSIGNED_DEPARTMENT };
        if (!this.store.get('departments', KIOSK_UNASSIGNED_DEPARTMENT)) {
          const d: Department = { id: KIOSK_UNASSIGNED_DEPARTMENT, name: 'Unassigned kiosk drop-offs', memberIds: [], createdAt: now };
          put.push({ c: 'departments', key: d.id, value: d });
        }
      }
      const id = this.random.id('r');
      const r: Reservation = {
        id,
        bankId: bank.id,
        lockerNumber: locker.number,
        kind: req.kind,
        status: 'occupied',
        recipient,
        packages: req.kind === 'storage' ? [] : this.newPackages(req.trackingIds, now).map((p) => ({ ...p, droppedOffAt: now })),
        createdAt: now,
        createdBy: actor,
        occupiedAt: now,
        ...(req.dropOffParty ? { dropOffParty: req.dropOffParty } : {}),
        note: 'recorded from a kiosk event',
      };
      let code: string | undefined;
      let expiresAt: number | undefined;
      if (req.kind === 'storage') {
        // The kiosk lets the person extend a storage with an end time up to the bank's maxStorageH from its start
        // (it checks that itself): flexible up to that bound, or its `storage-extend` could not move the end here.
        r.storageMode = req.endsAt !== undefined ? 'flexible' : 'open';
        if (req.endsAt !== undefined) {
          r.endsAt = req.endsAt;
          r.maxEndsAt = Math.max(req.endsAt, now + bank.rules.maxStorageH * HOUR);
        }
      } else {
        expiresAt = now + bank.rules.pickupPinExpiryH * HOUR;
        const drawn = await this.newPickupCode(bank, id);
        code = drawn.code;
        r.endsAt = expiresAt;
        r.pickupCode = { code: drawn.stored, expiresAt, issuedAt: now };
      }
      put.push({ c: 'reservations', key: r.id, value: r });
      const base = { bankId: bank.id, lockerNumber: r.lockerNumber, recipientId: recipient.id, reservationId: r.id };
      const activity =
        req.trackingIds.length > 0
          ? req.trackingIds.map((t) => this.activity('drop-off', actor, { ...base, trackingId: t, detail: `${req.kind} at the kiosk` }))
          : [this.activity('drop-off', actor, { ...base, detail: `${req.kind} at the kiosk` })];
      const done = this.write({ put, activity });
      return {
        result: { reservation: r, ...(code !== undefined ? { pickupCode: code, pickupCodeExpiresAt: expiresAt } : {}) },
        done,
        events: [['reservation-changed', { reservation: r, change: 'occupied' }]],
      };
    });
    await done;
    this.emitAll(events);
    return result;
  }

  async pickUp(input: PickUpInput, actor: Actor): Promise<PickUpResult> {
    const req = parseInput(pickUpInput, input);
    if ('code' in req) {
      const bank = this.mustBank(req.bankId, 'bankId');
      // Hash once outside the lock (keyed lookup; the bank's scrypt only while codes of an older release are live);
      // compare against every candidate in constant time.
      const matcher = new CodeMatcher(this.vault, 'pickup-code', req.code);
      const legacy = await this.legacyPickupHash(bank, 'pickup-code', req.code);
      const { result, done, events } = await this.bankLock.run(bank.id, () => {
        const now = this.now();
        const matches: Reservation[] = [];
        for (const r of this.index(bank.id).live.values()) {
          if (r.status !== 'occupied' || !r.pickupCode || r.pickupCode.expiresAt <= now) continue;
          const stored = r.pickupCode.code;
          if (isSealed(stored) ? matcher.matchesSealed(stored) : legacy !== undefined && paramsKey(stored.params) === paramsKey(bank.credentialHash) && sameHash(legacy, stored.hash)) {
            matches.push(r);
          }
        }
        if (matches.length === 0) throw new DomainError('INVALID_CODE', 'code not recognised or expired', 'code');
        return this.endLocked(matches, 'picked-up', 'pickup', actor, undefined);
      });
      await done;
      this.emitAll(events);
      return { reservations: result, lockerNumbers: result.map((r) => r.lockerNumber) };
    }
    const r0 = this.mustLive(req.reservationId, 'reservationId');
    const { result, done, events } = await this.bankLock.run(r0.bankId, () => {
      const r = this.mustLive(req.reservationId, 'reservationId');
      if (r.status !== 'occupied' && r.status !== 'expired')
        throw new DomainError('INVALID_STATE', `reservation ${r.id} is ${r.status}: there is nothing to pick up`, 'reservationId');
      return this.endLocked([r], 'picked-up', 'pickup', actor, undefined);
    });
    await done;
    this.emitAll(events);
    return { reservations: result, lockerNumbers: result.map((r) => r.lockerNumber) };
  }

  async endReservation(id: string, input: EndReservationInput, actor: Actor): Promise<Reservation> {
    const req = parseInput(endReservationInput, input);
    const r0 = this.mustLive(id, 'reservationId');
    const { result, done, events } = await this.bankLock.run(r0.bankId, () =>
      this.endLocked([this.mustLive(id, 'reservationId')], req.reason, 'end', actor, req.note),
    );
    await done;
    this.emitAll(events);
    return result[0]!;
  }

  private endLocked(
    rs: Reservation[],
    reason: Reservation['endReason'] & string,
    type: ActivityType,
    actor: Actor,
    note: string | undefined,
  ): Locked<Reservation[]> {
    const now = this.now();
    const ended: Reservation[] = [];
    const activity: ActivityEntry[] = [];
    for (const r of rs) {
      const { pickupCode: _dropped, ...rest } = r; // a used or dead code has no business in history
      const e: Reservation = { ...rest, status: 'ended', endedAt: now, endReason: reason, ...(note !== undefined ? { note } : {}) };
      ended.push(e);
      const base = { bankId: r.bankId, lockerNumber: r.lockerNumber, recipientId: r.recipient.id, reservationId: r.id };
      const tracked = r.packages.filter((p) => p.trackingId !== undefined);
      const detail = type === 'pickup' ? r.kind : `${reason}${note ? `: ${note}` : ''}`;
      if (tracked.length > 0) for (const p of tracked) activity.push(this.activity(type, actor, { ...base, trackingId: p.trackingId!, detail }));
      else activity.push(this.activity(type, actor, { ...base, detail }));
    }
    const done = this.write({ del: rs.map((r) => ({ c: 'reservations' as const, key: r.id })), ended, activity });
    return {
      result: ended,
      done,
      events: ended.map((e) => ['reservation-changed', { reservation: e, change: reason === 'picked-up' ? 'picked-up' : 'ended' }] as const),
    } as Locked<Reservation[]>;
  }

  async extendReservation(id: string, input: ExtendReservationInput, actor: Actor): Promise<Reservation> {
    const req = parseInput(extendReservationInput, input);
    const r0 = this.mustLive(id, 'reservationId');
    const { result, done, events } = await this.bankLock.run(r0.bankId, () => {
      const r = this.mustLive(id, 'reservationId');
      const by = req.minutes * MINUTE;
      const now = this.now();
      let next: Reservation;
      if (r.status === 'reserved') {
        next = { ...r, holdUntil: Math.max(r.holdUntil ?? now, now) + by };
      } else if (r.kind === 'storage') {
        if (r.storageMode === 'fixed') throw new DomainError('INVALID_STATE', 'fixed-duration storage cannot be extended', 'reservationId');
        if (r.storageMode === 'open') throw new DomainError('INVALID_STATE', 'open storage has no end time to extend', 'reservationId');
        const endsAt = Math.max(r.endsAt ?? now, now) + by;
        if (r.maxEndsAt !== undefined && endsAt > r.maxEndsAt)
          throw new DomainError('VALIDATION', `minutes: would end after the maximum of ${new Date(r.maxEndsAt).toISOString()}`, 'minutes');
        next = this.withEnd(r, endsAt);
      } else {
        next = this.withEnd(r, Math.max(r.endsAt ?? now, now) + by);
      }
      const activity = this.activity('extension', actor, {
        bankId: r.bankId,
        lockerNumber: r.lockerNumber,
        recipientId: r.recipient.id,
        reservationId: r.id,
        detail: `+${req.minutes} min`,
      });
      const done = this.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
      return { result: next, done, events: [['reservation-changed', { reservation: next, change: 'extended' }]] } as Locked<Reservation>;
    });
    await done;
    this.emitAll(events);
    return result;
  }

  /** A new end for an occupied/expired reservation: the code follows, and an expired one is live again. */
  private withEnd(r: Reservation, endsAt: number): Reservation {
    const { expiredAt: _e, ...rest } = r;
    return {
      ...rest,
      status: r.status === 'expired' ? 'occupied' : r.status,
      endsAt,
      ...(r.pickupCode ? { pickupCode: { ...r.pickupCode, expiresAt: endsAt } } : {}),
    };
  }

  /**
   * A kiosk ended an occupied reservation by itself because its time ran out (day-use storage at the end of the
   * day): what is inside stays there until staff remove it, so the reservation is expired (as `expireDue` does when
   * the cloud sees the end time pass), not ended: the locker is not offered again.
   */
  async expireReservation(id: string, actor: Actor): Promise<Reservation> {
    const r0 = this.mustLive(id, 'reservationId');
    const { result, done, events } = await this.bankLock.run(r0.bankId, (): Locked<Reservation> => {
      const r = this.mustLive(id, 'reservationId');
      if (r.status !== 'occupied') throw new DomainError('INVALID_STATE', `reservation ${r.id} is ${r.status}: only an occupied one expires`, 'reservationId');
      const next: Reservation = { ...r, status: 'expired', expiredAt: this.now() };
      const activity = this.activity('expiry', actor, { bankId: r.bankId, lockerNumber: r.lockerNumber, recipientId: r.recipient.id, reservationId: r.id, detail: 'time ran out at the kiosk' });
      const done = this.write({ put: [{ c: 'reservations', key: r.id, value: next }], activity: [activity] });
      return { result: next, done, events: [['reservation-changed', { reservation: next, change: 'expired' }]] };
    });
    await done;
    this.emitAll(events);
    return result;
  }

  async expireDue(): Promise<ExpiryResult> {
    const out: ExpiryResult = { expired: [], released: [] };
    const system: Actor = { role: 'system' };
    const banks = new Set(this.store.list('reservations').map((r) => r.bankId));
    for (const bankId of banks) {
      const { result, done, events } = await this.bankLock.run(bankId, () => {
        const now = this.now();
        const release: Reservation[] = [];
        const expire: Reservation[] = [];
        for (const r of this.index(bankId).live.values()) {
          if (r.status === 'reserved' && r.holdUntil !== undefined && r.holdUntil <= now) release.push(r);
          else if (r.status === 'occupied' && r.endsAt !== undefined && r.endsAt <= now) expire.push(r);
        }
        const put: Change['put'] = [];
        const activity: ActivityEntry[] = [];
        const expired = expire.map((r) => ({ ...r, status: 'expired' as const, expiredAt: now }));
        for (const r of expired) {
          put.push({ c: 'reservations', key: r.id, value: r });
          activity.push(this.activity('expiry', system, { bankId, lockerNumber: r.lockerNumber, recipientId: r.recipient.id, reservationId: r.id, detail: 'not collected in time' }));
        }
        const releasedL = release.length > 0 ? this.endLocked(release, 'hold-expired', 'expiry', system, undefined) : undefined;
        const done = expired.length > 0 ? this.write({ put, activity }) : Promise.resolve();
        const events: Locked<unknown>['events'] = [
          ...expired.map((r) => ['reservation-changed', { reservation: r, change: 'expired' }] as ['reservation-changed', ReservationChanged]),
          ...(releasedL?.events ?? []),
        ];
        return { result: { expired, released: releasedL?.result ?? [] }, done: Promise.all([done, releasedL?.done]).then(() => {}), events };
      });
      await done;
      this.emitAll(events);
      out.expired.push(...result.expired);
      out.released.push(...result.released);
    }
    if (out.expired.length + out.released.length > 0) this.log.info({ expired: out.expired.length, released: out.released.length }, 'expiry run');
    return out;
  }

  /** Runs `expireDue` every `intervalMs` until the returned function is called. */
  startExpiry(intervalMs = 60_000): () => void {
    const timer = setInterval(() => {
      this.expireDue().catch((err: unknown) => this.log.error({ err }, 'expiry run failed'));
    }, intervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  async getReservation(id: string): Promise<Reservation> {
    const live = this.store.get('reservations', id);
    if (live) return live;
    const past = this.store.pastReservation(id);
    if (past) return past;
    throw notFound('reservation', id, 'reservationId');
  }

  async listReservations(query: ListReservationsQuery): Promise<Reservation[]> {
    const q = parseInput(listReservationsQuery, query);
    const match = (r: Reservation): boolean =>
      (q.bankId === undefined || r.bankId === q.bankId) &&
      (q.status === undefined || r.status === q.status) &&
      (q.recipientId === undefined || r.recipient.id === q.recipientId);
    const live = this.store.list('reservations').filter(match).sort((a, b) => a.createdAt - b.createdAt);
    const out = live.slice(0, q.limit);
    if (q.includeEnded || q.status === 'ended') {
      const left = q.limit - out.length;
      if (left > 0) {
        const past = this.store.pastReservations({ limit: left, ...(q.bankId !== undefined ? { bankId: q.bankId } : {}), ...(q.recipientId !== undefined ? { recipientId: q.recipientId } : {}) });
        out.push(...past);
      }
    }
    return q.status === 'ended' ? out.filter((r) => r.status === 'ended') : out;
  }

  // =========================================================================================== activity

  /** A locker alert reported by a controller, kept in the activity log (type `alert`) for staff and for export. */
  async recordAlert(input: RecordAlertInput, actor: Actor): Promise<ActivityEntry> {
    const req = parseInput(recordAlertInput, input);
    this.mustBank(req.bankId, 'bankId');
    const a = this.activity('alert', actor, {
      bankId: req.bankId,
      ...(req.lockerNumber !== undefined ? { lockerNumber: req.lockerNumber } : {}),
      detail: `${req.kind}: ${req.detail} (controller ${req.controllerId}${req.seq !== undefined ? ` event ${req.seq}` : ''})`,
    });
    await this.write({ activity: [a] });
    return a;
  }

  async recordRemoteOpen(input: RecordRemoteOpenInput, actor: Actor): Promise<ActivityEntry> {
    const req = parseInput(recordRemoteOpenInput, input);
    this.mustBank(req.bankId, 'bankId');
    const idx = this.index(req.bankId);
    if (!idx.lockers.has(req.lockerNumber)) throw notFound(`locker of bank ${req.bankId}`, req.lockerNumber, 'lockerNumber');
    const live = idx.live.get(req.lockerNumber);
    const a = this.activity('remote-open', actor, {
      bankId: req.bankId,
      lockerNumber: req.lockerNumber,
      ...(live ? { reservationId: live.id, recipientId: live.recipient.id } : {}),
      detail: [req.commandId && `command ${req.commandId}`, req.credentialId && `credential ${req.credentialId}`, req.outcome].filter(Boolean).join(': ') || undefined,
    });
    await this.write({ activity: [a] });
    return a;
  }

  async queryActivity(query: ActivityQuery): Promise<ActivityEntry[]> {
    const q = parseInput(activityQuery, query);
    if (q.from !== undefined && q.to !== undefined && q.to < q.from) throw new DomainError('VALIDATION', 'to: must not be before from', 'to');
    return this.store.queryActivity(q);
  }

  async activityCsv(query: ActivityQuery): Promise<string> {
    return activityToCsv(await this.queryActivity(query));
  }

  // =========================================================================================== internals

  /** Commits a change, keeping the per-bank indexes in step with the store (both change synchronously). */
  private write(change: Change): Promise<void> {
    for (const d of change.del ?? []) {
      if (d.c !== 'reservations') continue;
      const old = this.store.get('reservations', d.key);
      const idx = old && this.indexes.get(old.bankId);
      if (old && idx?.live.get(old.lockerNumber)?.id === old.id) idx.live.delete(old.lockerNumber);
    }
    for (const p of change.put ?? []) {
      if (p.c === 'lockers') {
        const idx = this.indexes.get(p.value.bankId);
        if (idx) {
          idx.lockers.set(p.value.number, p.value);
          delete idx.slots;
        }
      }
      else if (p.c === 'reservations') {
        const idx = this.index(p.value.bankId);
        const holder = idx.live.get(p.value.lockerNumber);
        // The invariant allocation exists for: never two live reservations on one locker.
        if (holder && holder.id !== p.value.id)
          throw new Error(`invariant: locker ${p.value.lockerNumber} of bank ${p.value.bankId} is held by ${holder.id}, not ${p.value.id}`);
        idx.live.set(p.value.lockerNumber, p.value);
      }
    }
    const done = this.store.commit(change);
    done.catch(() => {
      // Memory and disk may now disagree: rebuild the indexes from the store on next use.
      this.indexes.clear();
    });
    return done.catch((err: unknown) => {
      throw new DomainError('STORE_FAILED', `the change could not be saved: ${(err as Error).message}`);
    });
  }

  private index(bankId: string): BankIndex {
    let idx = this.indexes.get(bankId);
    if (!idx) {
      idx = { lockers: new Map(), live: new Map() };
      for (const l of this.store.list('lockers')) if (l.bankId === bankId) idx.lockers.set(l.number, l);
      for (const r of this.store.list('reservations')) if (r.bankId === bankId) idx.live.set(r.lockerNumber, r);
      this.indexes.set(bankId, idx);
    }
    return idx;
  }

  private slots(idx: BankIndex, reach: ReachLimits): BankSlots {
    if (!idx.slots || idx.slots.reach.minCm !== reach.minCm || idx.slots.reach.maxCm !== reach.maxCm)
      idx.slots = { reach, value: bankSlots(idx.lockers.values(), reach) };
    return idx.slots.value;
  }

  private view(l: Locker, idx: BankIndex, reach: ReachLimits): LockerView {
    const live = idx.live.get(l.number);
    const status: LockerStatus = l.service === 'out-of-service' ? 'out-of-service' : live ? (live.status as LockerStatus) : 'available';
    const v: LockerView = { locker: l, status, accessible: isAccessible(l, reach) };
    if (live) {
      v.contents = {
        reservationId: live.id,
        kind: live.kind,
        status: live.status,
        recipient: live.recipient,
        trackingIds: live.packages.flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : [])),
        packages: live.packages.filter((p) => p.droppedOffAt !== undefined).length,
        since: live.occupiedAt ?? live.createdAt,
        ...(live.endsAt !== undefined ? { endsAt: live.endsAt } : {}),
      };
    }
    return v;
  }

  private reachOf(bank: Bank): ReachLimits {
    return reachLimits(this.store.get('locations', bank.locationId)?.reach);
  }

  private async newPickupCode(bank: Bank, reservationId: string): Promise<{ code: string; stored: StoredCode }> {
    const others = [...this.index(bank.id).live.values()].filter((r) => r.id !== reservationId && r.pickupCode);
    for (let attempt = 0; attempt < 20; attempt++) {
      const code = generateDigits(this.pickupCodeDigits, (a, b) => this.random.int(a, b));
      // Codes are looked up by value at the kiosk: two live reservations must not share one.
      const matcher = new CodeMatcher(this.vault, 'pickup-code', code);
      const legacy = await this.legacyPickupHash(bank, 'pickup-code', code);
      const taken = others.some((r) => {
        const stored = r.pickupCode!.code;
        return isSealed(stored) ? matcher.matchesSealed(stored) : legacy !== undefined && sameHash(legacy, stored.hash);
      });
      if (taken) continue;
      return { code, stored: storeCode(this.vault, 'pickup-code', code) };
    }
    throw new DomainError('CONFLICT', 'could not draw an unused pickup code', 'reservationId');
  }

  /**
   * The bank-salt scrypt hash of a code, needed only while the bank still has live pickup codes issued by an older
   * release (stored in that form); undefined otherwise, so a bank of sealed codes costs no scrypt per lookup.
   */
  private async legacyPickupHash(bank: Bank, kind: 'pickup-code', code: string): Promise<string | undefined> {
    for (const r of this.index(bank.id).live.values()) {
      if (r.pickupCode && !isSealed(r.pickupCode.code)) return hashCode(kind, code, bank.credentialHash);
    }
    return undefined;
  }

  private newPackages(trackingIds: string[], now: number): Reservation['packages'] {
    return trackingIds.length === 0 ? [{ addedAt: now }] : trackingIds.map((t) => ({ trackingId: t, addedAt: now }));
  }

  private activity(type: ActivityType, actor: Actor, fields: Partial<Omit<ActivityEntry, 'id' | 'at' | 'type' | 'actor'>>): ActivityEntry {
    return { id: this.random.id('a'), at: this.now(), type, actor, ...stripUndefined(fields) };
  }

  private emitAll(events: Locked<unknown>['events']): void {
    for (const [name, payload] of events ?? []) {
      try {
        if (name === 'reservation-changed') this.emit(name, payload);
        else if (name === 'locker-changed') this.emit(name, payload);
        else if (name === 'carrier-code-changed') this.emit(name, payload);
        else this.emit(name, payload);
      } catch (err) {
        // A faulty listener must not turn a saved change into an error for the caller.
        this.log.error({ err, event: name }, 'domain event listener threw');
      }
    }
  }

  private newId(c: 'enterprises' | 'divisions' | 'locations' | 'banks' | 'columns' | 'contacts' | 'departments' | 'carriers' | 'users', id: string | undefined, prefix: string): string {
    if (id === undefined) return this.random.id(prefix);
    if (this.store.get(c, id)) throw new DomainError('CONFLICT', `${c.replace(/s$/, '')} ${JSON.stringify(id)} already exists`, 'id');
    return id;
  }

  private must<C extends 'enterprises' | 'divisions' | 'locations' | 'contacts' | 'departments' | 'carriers' | 'users'>(
    c: C,
    id: string,
    what: string,
    field: string,
  ): LiveCollections[C] {
    const parsed = entityIdSchema.safeParse(id);
    const v = parsed.success ? this.store.get(c, id) : undefined;
    if (!v) throw notFound(what, id, field);
    return v;
  }

  private mustBank(id: string, field = 'bankId'): Bank {
    const b = typeof id === 'string' ? this.store.get('banks', id) : undefined;
    if (!b) throw notFound('bank', id, field);
    return b;
  }

  private mustLive(id: string, field: string): Reservation {
    const r = typeof id === 'string' ? this.store.get('reservations', id) : undefined;
    if (r) return r;
    if (typeof id === 'string' && this.store.pastReservation(id))
      throw new DomainError('INVALID_STATE', `reservation ${id} has ended`, field);
    throw notFound('reservation', id, field);
  }

  private mustRecipient(ref: RecipientRef, field: string): RecipientInfo {
    if (ref.type === 'department') {
      this.must('departments', ref.id, 'department', field);
      return { ref, needsAccessible: false, owners: [ref] };
    }
    const c = this.must('contacts', ref.id, 'contact', field);
    const owners: RecipientRef[] = [ref];
    for (const d of this.store.list('departments'))
      if (d.id === c.departmentId || d.memberIds.includes(c.id)) owners.push({ type: 'department', id: d.id });
    return { ref, needsAccessible: c.needsAccessible, owners };
  }

  private mustParty(p: Party, field: string): void {
    if (p.type === 'carrier') this.must('carriers', p.id, 'carrier', field);
    else this.mustRecipient({ type: p.type, id: p.id }, field);
  }

  private assertPersonnelIdFree(personnelId: string, self: string | undefined): void {
    if (this.store.list('contacts').some((c) => c.personnelId === personnelId && c.id !== self))
      throw new DomainError('CONFLICT', `personnel ID ${JSON.stringify(personnelId)} is already used by another contact`, 'personnelId');
  }
}

/** A staff credential as the API shows it: no hash; the banks whose kiosks cannot check it (credential-coverage.ts). */
export function publicStaffCredential(sc: StaffCredential, banks: readonly Bank[], now: number): PublicStaffCredential {
  const { code: _code, bankHashes: _bankHashes, ...rest } = sc;
  return { ...rest, notCheckableAt: notCheckableAt(banks, { kind: 'staff', sc }, now) };
}

/** A carrier code as the API shows it: no hash; the banks whose kiosks cannot check it (credential-coverage.ts). */
export function publicCarrierCode(cc: CarrierCode, banks: readonly Bank[], now: number): PublicCarrierCode {
  const { code: _code, bankHashes: _bankHashes, ...rest } = cc;
  return { ...rest, notCheckableAt: notCheckableAt(banks, { kind: 'carrier-code', cc }, now) };
}

function paramsKey(p: Bank['credentialHash']): string {
  return `${p.salt}:${p.N}:${p.r}:${p.p}:${p.keyLen}`;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}
