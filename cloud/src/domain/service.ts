/**
 * LockerService: the use cases of the cloud (issue 4), over a Store. The HTTP layer and the (future) MQTT link
 * call these methods; every method parses its input with the schema exported from `model.ts` (the HTTP layer
 * uses the same schemas for request bodies) and fails with a DomainError carrying a stable `code` and `field`.
 */
import { EventEmitter } from 'node:events';
import { randomInt, randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { DomainEvents } from './events.ts';
import type {
  Actor,
  ActivityEntry,
  ActivityQuery,
  Bank,
  Carrier,
  CarrierCode,
  Column,
  Contact,
  CreateBankInput,
  CreateCarrierInput,
  CreateColumnInput,
  CreateContactInput,
  CreateDepartmentInput,
  CreateDivisionInput,
  CreateEnterpriseInput,
  CreateLocationInput,
  CreateLockerInput,
  CreateUserRecordInput,
  Department,
  Division,
  DropOffInput,
  EndReservationInput,
  Enterprise,
  ExtendReservationInput,
  IssueCarrierCodeInput,
  ListReservationsQuery,
  Location,
  Locker,
  PickUpInput,
  RecordRemoteOpenInput,
  Reservation,
  ReserveInput,
  SetServiceStateInput,
  UpdateBankInput,
  UpdateContactInput,
  UpdateUserRecordInput,
  User,
} from './model.ts';

export * from './model.ts';
export { DomainError, NO_LOCKER_MESSAGE, type DomainErrorCode } from './errors.ts';
export type { DomainEvents, LockerChanged, ReservationChanged } from './events.ts';

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
  /** scrypt cost of code hashes (default N = 16384); tests lower it. */
  codeHashN?: number;
  /** Digits of generated pickup codes (default 6). */
  pickupCodeDigits?: number;
}

/** The status a locker shows (issue 4 item 4). */
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
}
export interface DropOffResult {
  reservation: Reservation;
  /** The pickup code in clear: returned this once, never stored. Absent for storage (the depositor picks up). */
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

function notImplemented(): never {
  throw new Error('not implemented');
}

export class LockerService extends EventEmitter<DomainEvents> {
  readonly store: Store;
  readonly now: () => number;
  readonly log: Logger;
  readonly random: RandomSource;

  constructor(opts: LockerServiceOptions) {
    super();
    this.store = opts.store;
    this.now = opts.clock ?? Date.now;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'locker-service' });
    this.random = opts.random ?? cryptoRandom;
  }

  // ----------------------------------------------------------------------------------------- organisation
  async createEnterprise(_input: CreateEnterpriseInput, _actor: Actor): Promise<Enterprise> { notImplemented(); }
  async listEnterprises(): Promise<Enterprise[]> { notImplemented(); }
  async createDivision(_input: CreateDivisionInput, _actor: Actor): Promise<Division> { notImplemented(); }
  async listDivisions(_enterpriseId?: string): Promise<Division[]> { notImplemented(); }
  async createLocation(_input: CreateLocationInput, _actor: Actor): Promise<Location> { notImplemented(); }
  async listLocations(_divisionId?: string): Promise<Location[]> { notImplemented(); }
  async createBank(_input: CreateBankInput, _actor: Actor): Promise<Bank> { notImplemented(); }
  async updateBank(_bankId: string, _input: UpdateBankInput, _actor: Actor): Promise<Bank> { notImplemented(); }
  async getBank(_bankId: string): Promise<Bank> { notImplemented(); }
  async listBanks(_locationId?: string): Promise<Bank[]> { notImplemented(); }
  async createColumn(_input: CreateColumnInput, _actor: Actor): Promise<Column> { notImplemented(); }
  async listColumns(_bankId: string): Promise<Column[]> { notImplemented(); }
  async createLocker(_input: CreateLockerInput, _actor: Actor): Promise<Locker> { notImplemented(); }
  /** Several lockers in one durable write. */
  async createLockers(_inputs: CreateLockerInput[], _actor: Actor): Promise<Locker[]> { notImplemented(); }
  async getLocker(_bankId: string, _number: number): Promise<LockerView> { notImplemented(); }
  /** Lockers of a bank with status, accessibility and a contents summary, by number. */
  async listLockers(_bankId: string): Promise<LockerView[]> { notImplemented(); }
  async setServiceState(_bankId: string, _number: number, _input: SetServiceStateInput, _actor: Actor): Promise<LockerView> { notImplemented(); }
  /** Accessibility share and other configuration warnings of a bank. */
  async checkBankConfig(_bankId: string): Promise<BankConfigCheck> { notImplemented(); }

  // ----------------------------------------------------------------------------------------- people
  async createContact(_input: CreateContactInput, _actor: Actor): Promise<Contact> { notImplemented(); }
  async updateContact(_id: string, _input: UpdateContactInput, _actor: Actor): Promise<Contact> { notImplemented(); }
  async getContact(_id: string): Promise<Contact> { notImplemented(); }
  async listContacts(): Promise<Contact[]> { notImplemented(); }
  async createDepartment(_input: CreateDepartmentInput, _actor: Actor): Promise<Department> { notImplemented(); }
  async listDepartments(): Promise<Department[]> { notImplemented(); }
  async createCarrier(_input: CreateCarrierInput, _actor: Actor): Promise<Carrier> { notImplemented(); }
  async listCarriers(): Promise<Carrier[]> { notImplemented(); }
  async issueCarrierCode(_carrierId: string, _input: IssueCarrierCodeInput, _actor: Actor): Promise<IssuedCarrierCode> { notImplemented(); }
  /** The carrier code record matching `code` at `bankId`, or undefined (constant-time compares). */
  async verifyCarrierCode(_bankId: string, _code: string): Promise<CarrierCode | undefined> { notImplemented(); }

  // ----------------------------------------------------------------------------------------- users (auth lives in http/auth)
  async createUser(_input: CreateUserRecordInput): Promise<User> { notImplemented(); }
  async updateUser(_id: string, _input: UpdateUserRecordInput): Promise<User> { notImplemented(); }
  async getUser(_id: string): Promise<User> { notImplemented(); }
  async findUserByUsername(_username: string): Promise<User | undefined> { notImplemented(); }
  async listUsers(): Promise<User[]> { notImplemented(); }

  // ----------------------------------------------------------------------------------------- reservations
  async reserve(_input: ReserveInput, _actor: Actor): Promise<ReserveResult> { notImplemented(); }
  async dropOff(_input: DropOffInput, _actor: Actor): Promise<DropOffResult> { notImplemented(); }
  async pickUp(_input: PickUpInput, _actor: Actor): Promise<PickUpResult> { notImplemented(); }
  async endReservation(_id: string, _input: EndReservationInput, _actor: Actor): Promise<Reservation> { notImplemented(); }
  async extendReservation(_id: string, _input: ExtendReservationInput, _actor: Actor): Promise<Reservation> { notImplemented(); }
  /** Expires uncollected packages and storage past their end, releases holds never dropped off. */
  async expireDue(): Promise<ExpiryResult> { notImplemented(); }
  async getReservation(_id: string): Promise<Reservation> { notImplemented(); }
  async listReservations(_query: ListReservationsQuery): Promise<Reservation[]> { notImplemented(); }

  // ----------------------------------------------------------------------------------------- activity
  /** Records a remote open requested through the API (the MQTT link sends the command). */
  async recordRemoteOpen(_input: RecordRemoteOpenInput, _actor: Actor): Promise<ActivityEntry> { notImplemented(); }
  async queryActivity(_query: ActivityQuery): Promise<ActivityEntry[]> { notImplemented(); }
  /** RFC 4180 CSV of `queryActivity(query)`, with a header row. */
  async activityCsv(_query: ActivityQuery): Promise<string> { notImplemented(); }
}
