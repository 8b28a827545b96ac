/**
 * The store seam of the cloud. Two implementations share one contract suite (`contract.ts`):
 * `MemoryStore` (tests, benchmarks of the logic alone) and `DurableStore` (lowdb snapshot + fsync'd journal).
 *
 * Model: the live state (organisation, lockers, people, live reservations) is a set of keyed collections held in
 * memory; history (ended reservations, activity) is append-only. A `commit` applies its changes to memory at once
 * (synchronously, so a caller holding a lock sees its own write before releasing it) and resolves only when the
 * change is durable. Commits are durable in the order they were made: a durable commit implies every earlier one is.
 */
import type { Actor } from '@portier/protocol';
import type {
  ActivityEntry,
  ActivityType,
  Bank,
  Carrier,
  CarrierCode,
  Column,
  Contact,
  Department,
  Division,
  Enterprise,
  Location,
  Locker,
  Reservation,
  StaffCredential,
  User,
  RoleRecord,
} from '../domain/model.ts';
import type { SftpImportRecord, SftpImportRun } from '../sftp/model.ts';
import type { LoginFailures } from '../auth/lockout-model.ts';
import type { ApiKeyRecord } from '../auth/api-key-model.ts';
import type { MailRecord } from '../mail/model.ts';
import type { SsoConfigRecord } from '../sso/model.ts';
import type { MfaChallenge, MfaDevice, MfaFactors } from '../auth/mfa-model.ts';
import type { MailTemplateRecord, NotificationRulesRecord } from '../mail/notification-model.ts';
import type { BrandAssetRecord, BrandingRecord } from '../branding/model.ts';
import { CloudError } from '../errors.ts';

/**
 * How far the event ingest (bridge/event-ingest.ts) applied one controller's events to the domain. Key =
 * controllerId; the key `INGEST_STARTED_KEY` is a marker that the ingest has started on this store once.
 */
export interface IngestMark {
  controllerId: string;
  /** Highest seq of this controller applied (or refused) by the domain. */
  appliedUpTo: number;
  /** When the mark was written (cloud clock). */
  at: number;
  /** A transaction being applied right now (seq appliedUpTo + 1) and since when: set just before the domain call. */
  applying?: { seq: number; at: number };
}
export const INGEST_STARTED_KEY = '*';

/**
 * Once-only work owned by one cloud instance at a time (a schedule, a running import): who holds it and until when.
 * Taken and renewed with `takeLease` (leases.ts). Key = the lease's name.
 */
export interface Lease {
  name: string;
  /** The holding instance's id. */
  holder: string;
  /** Epoch ms after which another instance may take it. */
  expiresAt: number;
}

/**
 * A remote open between its request and its outcome (sync/pending-opens.ts; key = command id): kept so that an open
 * whose cloud instance died while it waited still gets an outcome on record, from the bank's owner.
 */
export interface PendingRemoteOpen {
  commandId: string;
  bankId: string;
  lockerNumber: number;
  controllerId: string;
  door: number;
  reason: string;
  actor: Actor;
  credentialId?: string;
  /** The instance waiting for it. */
  instanceId: string;
  requestedAt: number;
  /** The command expired then (plus the wait for an ack on its way): after it, no door opens for it. */
  deadline: number;
}

/** What a single-use link to set a password is for (auth/password-links.ts). */
export type LinkPurpose = 'welcome' | 'reset';

/**
 * A single-use link to set a password, as stored (key = `hash`): the SHA-256 hex of its token, never the token.
 * Written and read by auth/password-links.ts.
 */
export interface PasswordLink {
  hash: string;
  userId: string;
  enterpriseId: string;
  purpose: LinkPurpose;
  createdAt: number;
  expiresAt: number;
  usedAt?: number;
}

/** Every live collection and the type of its values. Keys are ids, except lockers: `lockerKey(bankId, number)`. */
export interface LiveCollections {
  enterprises: Enterprise;
  divisions: Division;
  locations: Location;
  banks: Bank;
  columns: Column;
  lockers: Locker;
  contacts: Contact;
  departments: Department;
  carriers: Carrier;
  carrierCodes: CarrierCode;
  staffCredentials: StaffCredential;
  users: User;
  /** The roles enterprises made; the predefined ones are not stored. */
  roles: RoleRecord;
  /** The event ingest's applied-up-to marks (see IngestMark). */
  ingestMarks: IngestMark;
  /** Live reservations only; an ended one moves to history. */
  reservations: Reservation;
  /** Each enterprise's scheduled SFTP import of its address book (key = enterpriseId), secrets sealed. */
  sftpImports: SftpImportRecord;
  /** The latest runs of those imports (key = run id), a bounded number per enterprise. */
  sftpRuns: SftpImportRun;
  leases: Lease;
  /** Remote opens waiting for their outcome. */
  remoteOpens: PendingRemoteOpen;
  /** Failed sign-ins in a row of a user account and its lock (key = user id; auth/lockout.ts). */
  loginFailures: LoginFailures;
  /** API keys of scripts and integrations (auth/api-keys.ts): configuration, so in backups; only their secrets' hashes. */
  apiKeys: ApiKeyRecord;
  /** Single-use links to set a password (welcome, reset), by the SHA-256 of their token; never the token. */
  passwordLinks: PasswordLink;
  /** The e-mail outbox (mail/model.ts): one record per message, its content sealed until sent. */
  mailOutbox: MailRecord;
  /** Each enterprise's single sign-on with OpenID Connect (key = enterpriseId; sso/model.ts), its client secret sealed. */
  ssoConfigs: SsoConfigRecord;
  /** Each user's second factors (key = user id; auth/mfa-model.ts): an authenticator's sealed secret, recovery codes' hashes. */
  mfaFactors: MfaFactors;
  /** Sign-ins waiting for their second factor (key = SHA-256 of the challenge token). */
  mfaChallenges: MfaChallenge;
  /** Browsers whose user chose not to be challenged again for a while (key = device id; the token is signed, not stored). */
  mfaDevices: MfaDevice;
  /** Enterprises' own words of a kind of message in a language (mail/notification-model.ts; key = templateKey). */
  mailTemplates: MailTemplateRecord;
  /** Who each enterprise tells of each event of a parcel (key = enterprise id); none: the recipient alone. */
  notificationRules: NotificationRulesRecord;
  /** Enterprises' colours and logo and banks' overrides of them (branding/model.ts; key = `brandingKey`). */
  brandings: BrandingRecord;
  /** Logo files, content-addressed (key = SHA-256 hex), each at most MAX_LOGO_BYTES: small enough to live with the state. */
  brandAssets: BrandAssetRecord;
}
export type CollectionName = keyof LiveCollections;
export const COLLECTIONS: readonly CollectionName[] = [
  'enterprises',
  'divisions',
  'locations',
  'banks',
  'columns',
  'lockers',
  'contacts',
  'departments',
  'carriers',
  'carrierCodes',
  'staffCredentials',
  'users',
  'roles',
  'ingestMarks',
  'reservations',
  'sftpImports',
  'sftpRuns',
  'leases',
  'remoteOpens',
  'loginFailures',
  'apiKeys',
  'passwordLinks',
  'mailOutbox',
  'ssoConfigs',
  'mfaFactors',
  'mfaChallenges',
  'mfaDevices',
  'mailTemplates',
  'notificationRules',
  'brandings',
  'brandAssets',
];

export function lockerKey(bankId: string, number: number): string {
  return `${bankId}/${number}`;
}

export type Put = { [C in CollectionName]: { c: C; key: string; value: LiveCollections[C] } }[CollectionName];
export interface Del {
  c: CollectionName;
  key: string;
}

/** One atomic change: it is applied and made durable entirely or not at all. */
export interface Change {
  put?: Put[];
  del?: Del[];
  /** Ended reservations, moved out of the live state. */
  ended?: Reservation[];
  activity?: ActivityEntry[];
  /** History before this time (epoch ms) is out of retention from this commit on (see `dropHistoryBefore`). */
  historyCutoff?: number;
}

/**
 * A page of history and where the next one starts. `nextCursor` is absent on the last page; a cursor is opaque to
 * callers and stays valid across compactions and restarts (it names a position in the history, not a file).
 */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Ended reservations, newest first (the order they ended in). */
export interface PastReservationQuery {
  bankId?: string;
  recipientId?: string;
  limit: number;
  cursor?: string;
}

/** Activity entries, oldest first by time (`at`, then the order they were recorded in). */
export interface ActivityPageQuery {
  type?: ActivityType;
  /** Any of these types. */
  types?: readonly ActivityType[];
  bankId?: string;
  recipientId?: string;
  /** Not in the segments' filters (segments written before it would read as holding none): give a bank or a time too. */
  reservationId?: string;
  actorId?: string;
  /** Inclusive lower and exclusive upper bound, epoch ms. */
  from?: number;
  to?: number;
  limit: number;
  cursor?: string;
  /**
   * Only what a user may see: entries of these banks, and entries without a bank of this enterprise (and, with
   * `unbanked`, those naming no enterprise: written before enterprises had their own logs).
   */
  within?: { enterpriseId: string; bankIds: ReadonlySet<string>; unbanked: boolean };
}

/** How a person's data in history is replaced (see `Store.erasePerson`). */
export interface Erasure {
  /** The recipient, party or actor id whose links are cut. */
  subjectId: string;
  /** The id that stands in for it afterwards: the events stay linked to one another, no longer to the person. */
  replacementId: string;
}

/** What an erasure changed. */
export interface ErasureCount {
  ended: number;
  activity: number;
}

export class StoreError extends CloudError<'CLOSED' | 'WRITE_FAILED' | 'CORRUPT' | 'LOCKED' | 'CONFLICT'> {
  override name = 'StoreError';
}

/**
 * The versions of guard keys as this instance saw them when a use case began to read (`Store.markGuards`); opaque to
 * callers. A commit given a mark is refused with StoreError('CONFLICT') when another instance committed under one of
 * those keys since: what it read is stale, and it must read again (after `sync`) and retry.
 */
export interface GuardMark {
  readonly keys: readonly string[];
}

export interface CommitOptions {
  /** The guard keys (a bank id, a lock name) the change was computed under, and what this instance knew of them then. */
  guards?: readonly GuardMark[];
}

/** What `/api/v1/health` tells of the store. */
export interface StoreHealth {
  writable: boolean;
  /** Why it cannot write (e.g. no space left on device). */
  problem?: string;
}

export interface Store {
  /** The value under `key`, or undefined. Values are shared with the store: never mutate them, put a copy. */
  get<C extends CollectionName>(c: C, key: string): LiveCollections[C] | undefined;
  /** Every value of a collection, in insertion order. */
  list<C extends CollectionName>(c: C): LiveCollections[C][];
  /** Number of values of a collection. */
  count(c: CollectionName): number;
  /**
   * A number that changes whenever a commit puts or deletes a value of this collection (0 for an untouched one): what
   * an index derived from a collection compares to know it must be rebuilt.
   */
  revision(c: CollectionName): number;
  /**
   * Applies `change` to the in-memory state before returning, then resolves once it is durable. A failed write
   * rejects with StoreError('WRITE_FAILED'); the store then refuses later commits, with that cause, until it can
   * write again (the durable store checks with a probe write and rebuilds its memory from its files).
   */
  commit(change: Change, opts?: CommitOptions): Promise<void>;
  /**
   * What this instance knows now of the guard keys, for a later commit's optimistic check. A store with one writer
   * (memory, file) checks nothing: its callers' locks already order every change.
   */
  markGuards(keys: readonly string[]): GuardMark;
  /** Resolves once memory holds every change committed anywhere before the call (at once when this is the one writer). */
  sync(): Promise<void>;
  /**
   * Calls `fn` just before changes committed by another instance apply to memory (so it can still read what they
   * replace), and when a commit of this store refused by another instance's is rolled back to the database's rows;
   * never for this store's own landed commits, and never on a store with one writer. `undefined`: everything may
   * have changed (the live state was loaded again). Returns the unsubscribe.
   */
  onExternalChange(fn: (change: Change | undefined) => void): () => void;
  /** Whether commits are taken now, and if not, why. */
  health(): StoreHealth;
  /** One page of the activity entries matching `q`, oldest first. */
  queryActivity(q: ActivityPageQuery): Promise<Page<ActivityEntry>>;
  /** The ended reservation with this id, if any. */
  pastReservation(id: string): Promise<Reservation | undefined>;
  /** One page of ended reservations, newest first. */
  pastReservations(q: PastReservationQuery): Promise<Page<Reservation>>;
  /** Number of ended reservations and activity entries held. */
  historySize(): Promise<{ ended: number; activity: number }>;
  /**
   * History older than `before` (epoch ms; by `endedAt` of a reservation, `at` of an activity entry) is dropped,
   * now or at the next compaction of a durable store; queries stop answering it at once.
   */
  dropHistoryBefore(before: number): Promise<void>;
  /**
   * Replaces a person's links and free text in history (recipient, parties, actor, notes, tracking ids of their
   * parcels); the events are kept. Durable when it resolves.
   */
  erasePerson(e: Erasure): Promise<ErasureCount>;
  /** Flushes and releases files; later calls reject with StoreError('CLOSED'). */
  close(): Promise<void>;
}

/** The first activity entry matching `q` (oldest first) for which `pred` holds, read page by page. */
export async function findActivity(
  store: Pick<Store, 'queryActivity'>,
  q: Omit<ActivityPageQuery, 'limit' | 'cursor'>,
  pred: (a: ActivityEntry) => boolean,
): Promise<ActivityEntry | undefined> {
  let cursor: string | undefined;
  do {
    const page = await store.queryActivity({ ...q, limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
    const hit = page.items.find(pred);
    if (hit) return hit;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return undefined;
}
