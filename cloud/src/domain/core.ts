/**
 * The shared core of the cloud's use cases: the store, the clock, randomness, the code vault, the bank locks and
 * indexes, the one write path (lock, commit, emit) and the lookups that fail with a DomainError naming the field.
 * Each use-case module (use-cases/*.ts) works through one DomainCore; LockerService composes them.
 */
import type { EventEmitter } from 'node:events';
import { randomInt, randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { StoreError, type Change, type GuardMark, type LiveCollections, type Store } from '../store/store.ts';
import { reachLimits, type ReachLimits } from './accessibility.ts';
import { BankIndexes } from './bank-index.ts';
import { CodeVault } from './code-vault.ts';
import { ContactIndex } from './contact-index.ts';
import { DEFAULT_CODE_HASH_N } from './codes.ts';
import { DomainError, notFound } from './errors.ts';
import type { DomainEvents } from './events.ts';
import { guardKeysOf } from './guard-keys.ts';
import { KeyedMutex } from './mutex.ts';
import { customTexts, entityIdSchema, isPlaced, predefinedRole, type AccessLevel, type AuditChange, type AuditTarget, type RoleRecord, type ActivityEntry, type ActivityType, type Actor, type Bank, type Party, type PlacedReservation, type RecipientRef, type Reservation } from './model.ts';

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

/** One domain event as emitted: its name and payload. */
export type DomainEvent = { [K in keyof DomainEvents]: [K, ...DomainEvents[K]] }[keyof DomainEvents];

/** What a use case hands back from inside a lock: its result, the durability of its write, and what to tell after it. */
export interface Locked<T> {
  result: T;
  /** Resolves when the write is durable; none when nothing was written. */
  done?: Promise<void>;
  events?: DomainEvent[];
}

/** A recipient as allocation needs it: who owns lockers dedicated to them, and whether they need an accessible one. */
export interface RecipientInfo {
  ref: RecipientRef;
  needsAccessible: boolean;
  owners: RecipientRef[];
}

export { CREDENTIALS_LOCK } from './guard-keys.ts';

/**
 * How many times a locked use case is run when another cloud instance's change keeps coming between its reads and its
 * write (each time after this instance caught up). Which instance's commit comes first is close to a coin toss under
 * load, so a use case losing this many times in a row is practically never seen; past it the store is too busy, and
 * the caller is told so.
 */
const CONFLICT_ATTEMPTS = 30;

/** A write refused because another instance changed what it was computed from: read again and retry. */
function isConflict(err: unknown): boolean {
  return err instanceof DomainError && err.cause instanceof StoreError && err.cause.code === 'CONFLICT';
}

type NamedCollection = 'enterprises' | 'divisions' | 'locations' | 'contacts' | 'departments' | 'carriers' | 'users' | 'roles';
/** The collections whose records name their enterprise. */
type TenantCollection = 'divisions' | 'contacts' | 'departments' | 'carriers' | 'users' | 'roles';

export class DomainCore {
  readonly store: Store;
  readonly now: () => number;
  readonly log: Logger;
  readonly random: RandomSource;
  readonly codeHashN: number;
  readonly vault: CodeVault;
  readonly pickupCodeDigits: number;
  readonly banks: BankIndexes;
  readonly contacts: ContactIndex;
  private readonly locks = new KeyedMutex();
  /**
   * What this instance knew of each lock key's guard when the use case holding the lock began to read. Only that use
   * case writes what the key guards while it holds the lock, so `write` finds its marks by what the change touches
   * (guard-keys.ts), without an async context (which would slow every promise of the process).
   */
  private readonly held = new Map<string, GuardMark>();

  constructor(
    opts: LockerServiceOptions,
    private readonly events: Pick<EventEmitter<DomainEvents>, 'emit'>,
  ) {
    this.store = opts.store;
    // Read the clock through Date each time so fake timers installed later are honoured.
    this.now = opts.clock ?? (() => Date.now());
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'locker-service' });
    this.random = opts.random ?? cryptoRandom;
    this.codeHashN = opts.codeHashN ?? DEFAULT_CODE_HASH_N;
    this.vault = opts.vault ?? CodeVault.ephemeral();
    this.pickupCodeDigits = opts.pickupCodeDigits ?? 6;
    this.banks = new BankIndexes(this.store);
    this.contacts = new ContactIndex(
      this.store,
      (c) => c.enterpriseId,
      (c) => (c.customValues === undefined ? [] : customTexts(this.store.get('enterprises', c.enterpriseId)?.customFields, 'contacts', c.customValues)),
    );
    // Another cloud instance's change, about to reach memory: the bank indexes follow it as they follow this
    // instance's own writes (the contact index sees the store's revision move and rebuilds).
    this.store.onExternalChange((change) => {
      if (change === undefined) return this.banks.clear();
      try {
        this.banks.apply(change);
      } catch {
        this.banks.clear();
      }
    });
  }

  // ------------------------------------------------------------------------------------------ writing

  /**
   * The write path of every use case that reads before it writes: runs `fn` under the lock of `key` (a bank id, or
   * CREDENTIALS_LOCK), waits until its write is durable (after the lock is released, so writes of one bank share an
   * fsync) and then emits its events. With several cloud instances on one store, the key also guards the write: when
   * another instance committed under it since `fn` began to read, the write is refused, this instance catches up and
   * `fn` runs again; the caller never sees the conflict.
   */
  change<T>(key: string, fn: () => Locked<T> | Promise<Locked<T>>): Promise<T> {
    return this.guardedRun([key], fn);
  }

  /** As `change`, under the locks of every key, taken in a fixed order (no deadlock between two such calls). */
  changeAll<T>(keys: Iterable<string>, fn: () => Locked<T>): Promise<T> {
    return this.guardedRun(keys, fn);
  }

  private async guardedRun<T>(keys: Iterable<string>, fn: () => Locked<T> | Promise<Locked<T>>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    // The guards are marked once every lock is held, before `fn` reads anything.
    const run = (k: number): Promise<Locked<T>> =>
      k < sorted.length ? this.locks.run(sorted[k]!, () => run(k + 1)) : this.holding(sorted, fn);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.settle(run(0));
      } catch (err) {
        if (!isConflict(err)) throw err;
        if (attempt >= CONFLICT_ATTEMPTS) throw new DomainError('STORE_FAILED', 'the store is too busy with concurrent changes to take this one; try again');
        this.log.debug({ keys: sorted, attempt }, 'a concurrent change of another instance came first; reading again');
        await this.store.sync();
      }
    }
  }

  /** Runs `fn` with the guards of `keys` (all held) marked before it reads. */
  private async holding<T>(keys: readonly string[], fn: () => Locked<T> | Promise<Locked<T>>): Promise<Locked<T>> {
    for (const k of keys) this.held.set(k, this.store.markGuards([k]));
    try {
      return await fn();
    } finally {
      for (const k of keys) this.held.delete(k);
    }
  }

  private async settle<T>(locked: Promise<Locked<T>>): Promise<T> {
    const { result, done, events } = await locked;
    await done;
    this.emitAll(events);
    return result;
  }

  /** A write that needs no lock (it creates what nobody else reads yet): commit, then emit. */
  async commit(change: Change, events?: DomainEvent[]): Promise<void> {
    await this.write(change);
    this.emitAll(events);
  }

  /**
   * Commits a change, keeping the bank and contact indexes in step with the store (all change synchronously). Contacts
   * whose badge it changes are told (`contact-badges-changed`) once it is durable, whichever use case wrote them.
   */
  write(change: Change): Promise<void> {
    this.banks.apply(change);
    const contactsBefore = this.store.revision('contacts');
    const badges = this.badgeChanges(change);
    const guards = guardKeysOf(change, this.store).flatMap((k) => this.held.get(k) ?? []);
    const done = this.store.commit(change, guards.length > 0 ? { guards } : undefined);
    if (badges.length > 0) done.then(() => this.emitAll([['contact-badges-changed', { contactIds: badges }]]), () => undefined);
    this.contacts.applied(change, contactsBefore);
    done.catch(() => {
      // Memory and disk may now disagree: rebuild the indexes from the store on next use.
      this.banks.clear();
      this.contacts.clear();
    });
    return done.catch((err: unknown) => {
      const e = new DomainError('STORE_FAILED', `the change could not be saved: ${(err as Error).message}`);
      // A refused write keeps its cause: a locked use case retries it (see `change`).
      if (err instanceof StoreError && err.code === 'CONFLICT') Object.defineProperty(e, 'cause', { value: err });
      throw e;
    });
  }

  /** The contacts whose badge number `change` sets, changes or removes (read before the store takes it). */
  private badgeChanges(change: Change): string[] {
    const ids: string[] = [];
    for (const p of change.put ?? []) if (p.c === 'contacts' && this.store.get('contacts', p.key)?.badgeId !== p.value.badgeId) ids.push(p.key);
    for (const d of change.del ?? []) if (d.c === 'contacts' && this.store.get('contacts', d.key)?.badgeId !== undefined) ids.push(d.key);
    return ids;
  }

  emitAll(events: readonly DomainEvent[] | undefined): void {
    for (const event of events ?? []) {
      try {
        emitOne(this.events, event);
      } catch (err) {
        // A faulty listener must not turn a saved change into an error for the caller.
        this.log.error({ err, event: event[0] }, 'domain event listener threw');
      }
    }
  }

  activity(type: ActivityType, actor: Actor, fields: Partial<Omit<ActivityEntry, 'id' | 'at' | 'type' | 'actor'>>): ActivityEntry {
    return { id: this.random.id('a'), at: this.now(), type, actor, ...stripUndefined(fields) };
  }

  /**
   * The activity entry of an administrative change: who, in which enterprise (and bank, when the change is about
   * one), on what object, and what changed (see audit.ts `auditChanges`).
   */
  audit(actor: Actor, enterpriseId: string, target: { kind: AuditTarget; id: string }, detail: string, changes: AuditChange[], bankId?: string): ActivityEntry {
    return this.activity('admin-change', actor, { enterpriseId, target, detail, ...(changes.length > 0 ? { changes } : {}), ...(bankId !== undefined ? { bankId } : {}) });
  }

  // ------------------------------------------------------------------------------------------ lookups

  newId(c: NamedCollection | 'banks' | 'columns', id: string | undefined, prefix: string): string {
    if (id === undefined) return this.random.id(prefix);
    if (this.store.get(c, id)) throw new DomainError('CONFLICT', `${c.replace(/s$/, '')} ${JSON.stringify(id)} already exists`, 'id');
    return id;
  }

  must<C extends NamedCollection>(c: C, id: string, what: string, field: string): LiveCollections[C] {
    const parsed = entityIdSchema.safeParse(id);
    const v = parsed.success ? this.store.get(c, id) : undefined;
    if (!v) throw notFound(what, id, field);
    return v;
  }

  /** As `must`, and the record must belong to `enterpriseId`: another enterprise's records do not exist for it. */
  mustIn<C extends TenantCollection>(enterpriseId: string, c: C, id: string, what: string, field: string): LiveCollections[C] {
    const v = this.must(c, id, what, field);
    if (v.enterpriseId !== enterpriseId) throw notFound(what, id, field);
    return v;
  }

  /** The enterprise a division, location or bank belongs to (undefined when the chain is broken). */
  enterpriseOf(kind: 'division' | 'location' | 'bank', id: string): string | undefined {
    const locationId = kind === 'bank' ? this.store.get('banks', id)?.locationId : kind === 'location' ? id : undefined;
    const divisionId = kind === 'division' ? id : locationId !== undefined ? this.store.get('locations', locationId)?.divisionId : undefined;
    return divisionId !== undefined ? this.store.get('divisions', divisionId)?.enterpriseId : undefined;
  }

  /** A role an enterprise's users may hold: a predefined one or one of its own. */
  mustRole(enterpriseId: string, roleId: string, field = 'role'): RoleRecord {
    return predefinedRole(roleId) ?? this.mustIn(enterpriseId, 'roles', roleId, 'role', field);
  }

  /** An access level inside `enterpriseId`: its division or location must be the enterprise's. */
  mustAccessLevel(enterpriseId: string, level: AccessLevel, field = 'accessLevel.id'): void {
    if (level.kind === 'enterprise') return;
    if (this.enterpriseOf(level.kind, level.id) !== enterpriseId) throw notFound(level.kind, level.id, field);
  }

  mustBank(id: string, field = 'bankId'): Bank {
    const b = typeof id === 'string' ? this.store.get('banks', id) : undefined;
    if (!b) throw notFound('bank', id, field);
    return b;
  }

  async mustLive(id: string, field: string): Promise<Reservation> {
    const r = typeof id === 'string' ? this.store.get('reservations', id) : undefined;
    if (r) return r;
    if (typeof id === 'string' && (await this.store.pastReservation(id))) throw new DomainError('INVALID_STATE', `reservation ${id} has ended`, field);
    throw notFound('reservation', id, field);
  }

  /** A live reservation that has its locker (any status but `held`); a held one is refused naming `field`. */
  async mustPlaced(id: string, field: string): Promise<PlacedReservation> {
    const r = await this.mustLive(id, field);
    if (!isPlaced(r)) throw new DomainError('INVALID_STATE', `reservation ${r.id} is held at the mailroom desk: it has no locker yet`, field);
    return r;
  }

  /** A recipient of a reservation or a locker's dedication at `bankId`: a contact or department of the bank's enterprise. */
  mustRecipient(bankId: string, ref: RecipientRef, field: string): RecipientInfo {
    const enterpriseId = this.enterpriseOf('bank', bankId) ?? '';
    if (ref.type === 'department') {
      this.mustIn(enterpriseId, 'departments', ref.id, 'department', field);
      return { ref, needsAccessible: false, owners: [ref] };
    }
    const c = this.mustIn(enterpriseId, 'contacts', ref.id, 'contact', field);
    const owners: RecipientRef[] = [ref];
    for (const d of this.store.list('departments')) if (d.id === c.departmentId || d.memberIds.includes(c.id)) owners.push({ type: 'department', id: d.id });
    return { ref, needsAccessible: c.needsAccessible, owners };
  }

  mustParty(bankId: string, p: Party, field: string): void {
    if (p.type === 'carrier') this.mustIn(this.enterpriseOf('bank', bankId) ?? '', 'carriers', p.id, 'carrier', field);
    else this.mustRecipient(bankId, { type: p.type, id: p.id }, field);
  }

  reachOf(bank: Bank): ReachLimits {
    return reachLimits(this.store.get('locations', bank.locationId)?.reach);
  }
}

function emitOne(to: Pick<EventEmitter<DomainEvents>, 'emit'>, event: DomainEvent): void {
  switch (event[0]) {
    case 'reservation-changed':
      to.emit(event[0], event[1]);
      return;
    case 'locker-changed':
      to.emit(event[0], event[1]);
      return;
    case 'carrier-code-changed':
      to.emit(event[0], event[1]);
      return;
    case 'staff-credential-changed':
      to.emit(event[0], event[1]);
      return;
    case 'bank-changed':
      to.emit(event[0], event[1]);
      return;
    case 'column-deleted':
      to.emit(event[0], event[1]);
      return;
    case 'pickup-code-issued':
      to.emit(event[0], event[1]);
      return;
    case 'contact-badges-changed':
      to.emit(event[0], event[1]);
      return;
  }
}

export function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}
