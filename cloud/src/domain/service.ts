/**
 * LockerService: the use cases of the cloud, over a Store. The HTTP layer and the MQTT link call these methods; each
 * is implemented in a use-case module (use-cases/*.ts) over the shared core (core.ts: the store, the bank locks and
 * indexes, the one write path), and is documented there. Every method parses its input with the schema exported from
 * `model.ts` (the HTTP layer uses the same schemas for request bodies) and fails with a DomainError carrying a stable
 * `code` and `field`. Domain events are emitted on this object once a change is durable.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Page, Store } from '../store/store.ts';
import { DomainCore, type LockerServiceOptions, type RandomSource } from './core.ts';
import type { CodeVault } from './code-vault.ts';
import type { DomainEvents } from './events.ts';
import type {
  ActivityEntry,
  ActivityQuery,
  Actor,
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
  SetHistoryRetentionInput,
  ExtendReservationInput,
  IssueCarrierCodeInput,
  IssueStaffCredentialInput,
  ListReservationsQuery,
  Location,
  Locker,
  PickUpInput,
  PublicStaffCredential,
  RecordAlertInput,
  RecordKioskOccupancyInput,
  RecordRemoteOpenInput,
  Reservation,
  ReserveInput,
  SetServiceStateInput,
  UpdateBankInput,
  UpdateContactInput,
  UpdateUserRecordInput,
  User,
} from './model.ts';
import { CredentialUseCases, type IssuedCarrierCode, type IssuedStaffCredential } from './use-cases/credentials.ts';
import { OrganisationUseCases, type BankConfigCheck } from './use-cases/organisation.ts';
import { PeopleUseCases } from './use-cases/people.ts';
import { ReservationEndings, type ExpiryResult, type PickUpHow, type PickUpResult } from './use-cases/reservation-endings.ts';
import { ReservationUseCases, type DropOffResult, type ReissuedCode, type ReserveResult } from './use-cases/reservations.ts';
import { RoleUseCases } from './use-cases/roles.ts';
import { UserUseCases } from './use-cases/users.ts';
import { UserCsv } from './use-cases/users-csv.ts';
import { ViewUseCases, type ActivityWithin, type LockerView } from './use-cases/views.ts';
import type { ActivityRow } from './use-cases/activity-rows.ts';
import { HistoryUseCases, type ErasureResult } from './use-cases/history.ts';
import { OrganisationAdmin } from './use-cases/organisation-admin.ts';
import { LockerAdmin } from './use-cases/locker-admin.ts';
import { CarrierAdmin } from './use-cases/carriers.ts';
import { AddressBook } from './use-cases/address-book.ts';
import { LocationCsv } from './use-cases/locations-csv.ts';
import { SftpImportUseCases } from '../sftp/use-cases.ts';
import { NotificationAdmin } from '../mail/notification-admin.ts';
import { SsoConfigUseCases } from '../sso/use-cases.ts';
import { BrandingUseCases } from '../branding/use-cases.ts';
import { HeldParcels } from './use-cases/held-parcels.ts';
import { CustomFieldUseCases } from './use-cases/custom-fields.ts';
import { CONTACT_COLUMNS } from './use-cases/contacts-csv.ts';
import { USER_COLUMNS } from './use-cases/users-csv.ts';

export { cryptoRandom, type LockerServiceOptions, type RandomSource } from './core.ts';
export { DomainError, NO_LOCKER_MESSAGE, type DomainErrorCode } from './errors.ts';
export type { BankChanged, CarrierCodeChanged, ColumnDeleted, DomainEvents, LockerChanged, ReservationChanged, StaffCredentialChanged } from './events.ts';
export { publicCarrierCode, publicStaffCredential, type IssuedCarrierCode, type IssuedStaffCredential } from './use-cases/credentials.ts';
export type { BankConfigCheck } from './use-cases/organisation.ts';
export type { ExpiryResult, PickUpResult } from './use-cases/reservation-endings.ts';
export { KIOSK_UNASSIGNED_DEPARTMENT, type DropOffResult, type ReissuedCode, type ReserveResult } from './use-cases/reservations.ts';
export type { ActivityWithin, ContentsSummary, LockerStatus, LockerView } from './use-cases/views.ts';
export { ERASED_NAME, type ErasureResult } from './use-cases/history.ts';
export type { ActivityRow } from './use-cases/activity-rows.ts';

export class LockerService extends EventEmitter<DomainEvents> {
  readonly store: Store;
  readonly now: () => number;
  readonly log: Logger;
  readonly random: RandomSource;
  /** Where codes and the cloud's own secrets are sealed (the accounts' second factors use it too). */
  readonly vault: CodeVault;
  private readonly organisation: OrganisationUseCases;
  private readonly people: PeopleUseCases;
  private readonly credentials: CredentialUseCases;
  private readonly reservations: ReservationUseCases;
  private readonly endings: ReservationEndings;
  private readonly views: ViewUseCases;
  private readonly history: HistoryUseCases;
  /** The organisation after creation: read, edit, delete (use-cases/organisation-admin.ts). */
  readonly orgAdmin: OrganisationAdmin;
  /** Lockers after creation and their shelf barcodes (use-cases/locker-admin.ts). */
  readonly lockerAdmin: LockerAdmin;
  /** Carriers after creation and their printable codes (use-cases/carriers.ts). */
  readonly carrierAdmin: CarrierAdmin;
  /** Contacts, departments and their CSV (the HTTP address-book routes call it directly). */
  readonly addressBook: AddressBook;
  /** Use cases added since the facade stopped growing are reached through their module: `service.roles.createRole(...)`. */
  readonly roles: RoleUseCases;
  readonly users: UserUseCases;
  /** The users as CSV (export, template, import), through the users' rules. */
  readonly userCsv: UserCsv;
  /** Divisions and locations as CSV: template, export, import (use-cases/locations-csv.ts). */
  readonly locationCsv: LocationCsv;
  /** Each enterprise's scheduled SFTP import of its address book: configuration and runs (sftp/use-cases.ts). */
  readonly sftpImports: SftpImportUseCases;
  /** Each enterprise's single sign-on configuration (sso/use-cases.ts). */
  readonly sso: SsoConfigUseCases;
  /** Parcels without a home: a recipient named after the drop-off, parcels held at the desk (use-cases/held-parcels.ts). */
  readonly heldParcels: HeldParcels;
  /** The enterprises' custom fields and the rules of their values (use-cases/custom-fields.ts). */
  readonly customFields: CustomFieldUseCases;
  /** The enterprises' own words of their e-mails and who is told of which event (mail/notification-admin.ts). */
  readonly notifications: NotificationAdmin;
  /** Enterprises' and banks' colours and logos (branding/use-cases.ts). */
  readonly branding: BrandingUseCases;

  constructor(opts: LockerServiceOptions) {
    super();
    const core = new DomainCore(opts, this);
    const names = (cols: readonly { name: string }[]) => cols.map((c) => c.name);
    this.customFields = new CustomFieldUseCases(core, { contacts: names(CONTACT_COLUMNS), users: names(USER_COLUMNS), reservations: [] });
    this.store = core.store;
    this.now = core.now;
    this.log = core.log;
    this.random = core.random;
    this.vault = core.vault;
    this.organisation = new OrganisationUseCases(core);
    this.people = new PeopleUseCases(core);
    this.credentials = new CredentialUseCases(core);
    this.reservations = new ReservationUseCases(core, this.customFields);
    this.endings = new ReservationEndings(core);
    this.views = new ViewUseCases(core, this.customFields);
    this.history = new HistoryUseCases(core);
    this.orgAdmin = new OrganisationAdmin(core);
    this.lockerAdmin = new LockerAdmin(core);
    this.carrierAdmin = new CarrierAdmin(core);
    this.addressBook = new AddressBook(core, this.customFields);
    this.roles = new RoleUseCases(core);
    this.users = new UserUseCases(core, this.customFields);
    this.userCsv = new UserCsv(core, this.users, this.customFields);
    this.locationCsv = new LocationCsv(core);
    this.sftpImports = new SftpImportUseCases(core, this.addressBook.csv);
    this.sso = new SsoConfigUseCases(core);
    this.heldParcels = new HeldParcels(core, this.reservations);
    this.notifications = new NotificationAdmin(core);
    this.branding = new BrandingUseCases(core);
    this.heldParcels.watch(this);
  }

  // ------------------------------------------------------------------------------------------ organisation
  createEnterprise(input: CreateEnterpriseInput, actor: Actor): Promise<Enterprise> {
    return this.organisation.createEnterprise(input, actor);
  }

  listEnterprises(): Promise<Enterprise[]> {
    return this.organisation.listEnterprises();
  }

  createDivision(input: CreateDivisionInput, actor: Actor): Promise<Division> {
    return this.organisation.createDivision(input, actor);
  }

  listDivisions(enterpriseId?: string): Promise<Division[]> {
    return this.organisation.listDivisions(enterpriseId);
  }

  createLocation(input: CreateLocationInput, actor: Actor): Promise<Location> {
    return this.organisation.createLocation(input, actor);
  }

  listLocations(divisionId?: string): Promise<Location[]> {
    return this.organisation.listLocations(divisionId);
  }

  createBank(input: CreateBankInput, actor: Actor): Promise<Bank> {
    return this.organisation.createBank(input, actor);
  }

  updateBank(bankId: string, input: UpdateBankInput, actor: Actor): Promise<Bank> {
    return this.organisation.updateBank(bankId, input, actor);
  }

  getBank(bankId: string): Promise<Bank> {
    return this.organisation.getBank(bankId);
  }

  listBanks(locationId?: string): Promise<Bank[]> {
    return this.organisation.listBanks(locationId);
  }

  createColumn(input: CreateColumnInput, actor: Actor): Promise<Column> {
    return this.organisation.createColumn(input, actor);
  }

  listColumns(bankId: string): Promise<Column[]> {
    return this.organisation.listColumns(bankId);
  }

  createLocker(input: CreateLockerInput, actor: Actor): Promise<Locker> {
    return this.organisation.createLocker(input, actor);
  }

  createLockers(inputs: CreateLockerInput[], actor: Actor, prefixFields = true): Promise<Locker[]> {
    return this.organisation.createLockers(inputs, actor, prefixFields);
  }

  getLocker(bankId: string, number: number): Promise<LockerView> {
    return this.views.getLocker(bankId, number);
  }

  listLockers(bankId: string): Promise<LockerView[]> {
    return this.views.listLockers(bankId);
  }

  setServiceState(bankId: string, number: number, input: SetServiceStateInput, actor: Actor): Promise<LockerView> {
    return this.organisation.setServiceState(bankId, number, input, actor);
  }

  checkBankConfig(bankId: string): Promise<BankConfigCheck> {
    return this.organisation.checkBankConfig(bankId);
  }

  // ------------------------------------------------------------------------------------------ people
  createContact(input: CreateContactInput, actor: Actor): Promise<Contact> {
    return this.addressBook.contacts.create(input, actor);
  }

  updateContact(id: string, input: UpdateContactInput, actor: Actor): Promise<Contact> {
    return this.addressBook.contacts.update(id, input, actor);
  }

  getContact(id: string): Promise<Contact> {
    return this.addressBook.contacts.get(id);
  }

  listContacts(enterpriseId?: string): Promise<Contact[]> {
    return Promise.resolve(this.addressBook.contacts.list().filter((c) => enterpriseId === undefined || c.enterpriseId === enterpriseId));
  }

  createDepartment(input: CreateDepartmentInput, actor: Actor): Promise<Department> {
    return this.addressBook.departments.create(input, actor);
  }

  listDepartments(enterpriseId?: string): Promise<Department[]> {
    return Promise.resolve(this.addressBook.departments.list().filter((d) => enterpriseId === undefined || d.enterpriseId === enterpriseId));
  }

  createCarrier(input: CreateCarrierInput, actor: Actor): Promise<Carrier> {
    return this.people.createCarrier(input, actor);
  }

  listCarriers(enterpriseId?: string): Promise<Carrier[]> {
    return this.people.listCarriers(enterpriseId);
  }

  // ------------------------------------------------------------------------------------------ credentials
  issueCarrierCode(carrierId: string, input: IssueCarrierCodeInput, actor: Actor): Promise<IssuedCarrierCode> {
    return this.credentials.issueCarrierCode(carrierId, input, actor);
  }

  listCarrierCodes(carrierId: string): Promise<CarrierCode[]> {
    return this.credentials.listCarrierCodes(carrierId);
  }

  revokeCarrierCode(carrierCodeId: string, actor: Actor): Promise<CarrierCode> {
    return this.credentials.revokeCarrierCode(carrierCodeId, actor);
  }

  verifyCarrierCode(bankId: string, code: string): Promise<CarrierCode | undefined> {
    return this.credentials.verifyCarrierCode(bankId, code);
  }

  issueStaffCredential(input: IssueStaffCredentialInput, actor: Actor): Promise<IssuedStaffCredential> {
    return this.credentials.issueStaffCredential(input, actor);
  }

  listStaffCredentials(): Promise<PublicStaffCredential[]> {
    return this.credentials.listStaffCredentials();
  }

  revokeStaffCredential(id: string, actor: Actor): Promise<PublicStaffCredential> {
    return this.credentials.revokeStaffCredential(id, actor);
  }

  /** A user record made by the cloud itself (seeding, tests); people and the API go through `users`. */
  createUser(input: CreateUserRecordInput, actor: Actor = { role: 'system' }): Promise<User> {
    return this.users.createUser(input, actor);
  }

  updateUser(id: string, input: UpdateUserRecordInput, actor: Actor = { role: 'system' }): Promise<User> {
    return this.users.updateUser(id, input, actor);
  }

  getUser(id: string): Promise<User> {
    return this.users.getUser(id);
  }

  findUserByUsername(username: string): Promise<User | undefined> {
    return this.users.findUserByUsername(username);
  }

  listUsers(enterpriseId?: string): Promise<User[]> {
    return this.users.listUsers(enterpriseId);
  }

  // ------------------------------------------------------------------------------------------ reservations
  reserve(input: ReserveInput & { ifNoLocker?: 'refuse' }, actor: Actor): Promise<ReserveResult>;
  reserve(input: ReserveInput, actor: Actor): Promise<ReserveResult<Reservation>>;
  reserve(input: ReserveInput, actor: Actor): Promise<ReserveResult<Reservation>> {
    return this.reservations.reserve(input, actor);
  }

  reissuePickupCode(reservationId: string, actor: Actor): Promise<ReissuedCode> {
    return this.reservations.reissuePickupCode(reservationId, actor);
  }

  dropOff(input: DropOffInput, actor: Actor): Promise<DropOffResult> {
    return this.reservations.dropOff(input, actor);
  }

  recordKioskOccupancy(input: RecordKioskOccupancyInput, actor: Actor): Promise<DropOffResult> {
    return this.reservations.recordKioskOccupancy(input, actor);
  }

  // ------------------------------------------------------------------------------------------ endings
  pickUp(input: PickUpInput, actor: Actor, how?: PickUpHow): Promise<PickUpResult> {
    return this.endings.pickUp(input, actor, how);
  }

  endReservation(id: string, input: EndReservationInput, actor: Actor): Promise<Reservation> {
    return this.endings.endReservation(id, input, actor);
  }

  extendReservation(id: string, input: ExtendReservationInput, actor: Actor): Promise<Reservation> {
    return this.endings.extendReservation(id, input, actor);
  }

  expireReservation(id: string, actor: Actor): Promise<Reservation> {
    return this.endings.expireReservation(id, actor);
  }

  expireDue(): Promise<ExpiryResult> {
    return this.endings.expireDue();
  }

  /** Expiry every `intervalMs`, and with it a placement run for the parcels held at the desk (heldParcels.startSweep). */
  startExpiry(intervalMs = 60_000, gate?: () => Promise<boolean>): () => void {
    const stops = [this.endings.startExpiry(intervalMs, gate), this.heldParcels.startSweep(intervalMs, gate)];
    return () => stops.forEach((stop) => stop());
  }

  // ------------------------------------------------------------------------------------------ views
  getReservation(id: string): Promise<Reservation> {
    return this.views.getReservation(id);
  }

  listReservations(query: ListReservationsQuery): Promise<Reservation[]> {
    return this.views.listReservations(query);
  }

  recordAlert(input: RecordAlertInput, actor: Actor): Promise<ActivityEntry> {
    return this.views.recordAlert(input, actor);
  }

  recordRemoteOpen(input: RecordRemoteOpenInput, actor: Actor): Promise<ActivityEntry> {
    return this.views.recordRemoteOpen(input, actor);
  }

  queryActivity(query: ActivityQuery): Promise<ActivityEntry[]> {
    return this.views.queryActivity(query);
  }

  activityPage(query: ActivityQuery, within?: ActivityWithin): Promise<Page<ActivityEntry>> {
    return this.views.activityPage(query, within);
  }

  /** A page of the activity with the names a person reads (recipient, bank, location, actor, status, object). */
  activityRowsPage(query: ActivityQuery, within?: ActivityWithin): Promise<Page<ActivityRow>> {
    return this.views.activityRowsPage(query, within);
  }

  // ------------------------------------------------------------------------------------------ history administration
  setHistoryRetention(enterpriseId: string, input: SetHistoryRetentionInput, actor: Actor): Promise<Enterprise> {
    return this.history.setHistoryRetention(enterpriseId, input, actor);
  }

  applyRetention(): Promise<void> {
    return this.history.applyRetention();
  }

  startRetention(intervalMs?: number): () => void {
    return this.history.startRetention(intervalMs);
  }

  erasePerson(contactId: string, actor: Actor): Promise<ErasureResult> {
    return this.history.erasePerson(contactId, actor);
  }

  activityCsv(query: ActivityQuery): Promise<string> {
    return this.views.activityCsv(query);
  }

  /** The CSV export chunk by chunk (header first), for streaming. */
  activityCsvChunks(query: ActivityQuery, within?: ActivityWithin): AsyncGenerator<string> {
    return this.views.activityCsvChunks(query, within);
  }
}
