/**
 * Where the domain's lockers are on the controllers, both ways:
 * - `lookup(bankId, lockerNumber)` -> controller id + door on its column: what RemoteOpen needs;
 * - `lockerAt(controllerId, door)` -> bank + locker number: what event ingest needs; on the kiosk controller a door
 *   past its own is an alias of another column's door (kiosk-bank-view.ts), resolved to that locker.
 * Which controller drives which column comes from the identity registry (bank id + column position per controller
 * id, revoked ones never); the domain's lockers say which column and door each locker is.
 *
 * Also the remote-open audit hook: every remote open is written to the domain's activity log with its reason when
 * asked for and with its outcome when known (`service.recordRemoteOpen`).
 */
import type { Logger } from 'pino';
import type { ControllerIdentity } from '../mqtt/identities.ts';
import type { Actor, Column, RecordRemoteOpenInput } from '../domain/model.ts';
import type { DoorLocation, DoorMap, RemoteOpenAuditEntry } from '../sync/remote-open.ts';
import { lockerKey, type CollectionName, type Store } from '../store/store.ts';
import { aliasAt, type DesiredSource } from './bank-layout.ts';

/** The registry reads the bridge needs (IdentityRegistry has them). */
export interface ControllerRoster {
  controller(controllerId: string): ControllerIdentity | undefined;
  controllers(): ControllerIdentity[];
  /** A bank's active (not revoked) controllers by column position (IdentityRegistry keeps this indexed). */
  controllersOfBank(bankId: string): readonly ControllerIdentity[];
}

/** What the door map reads from the store: values, and each collection's revision to know when to re-index. */
export type DoorMapSource = DesiredSource & Pick<Store, 'revision'>;

/**
 * A lookup table derived from one store collection, rebuilt on first use after that collection changed. Remote open
 * and event ingest run per command and per event: a scan of every locker of every bank there costs milliseconds at
 * 100k lockers, and an array of them per call feeds the garbage collector.
 */
class Derived<K, V> {
  private rev = -1;
  private table = new Map<K, V>();
  constructor(
    private readonly src: DoorMapSource,
    private readonly collection: CollectionName,
    private readonly build: (into: Map<K, V>) => void,
  ) {}

  get(key: K): V | undefined {
    const rev = this.src.revision(this.collection);
    if (rev !== this.rev) {
      const table = new Map<K, V>();
      this.build(table);
      this.table = table;
      this.rev = rev;
    }
    return this.table.get(key);
  }
}

const columnKey = (bankId: string, position: number): string => `${bankId}\u0000${position}`;
const doorKey = (bankId: string, columnId: string, door: number): string => `${bankId}\u0000${columnId}\u0000${door}`;

export interface LockerRef {
  bankId: string;
  lockerNumber: number;
}

export class DomainDoorMap implements DoorMap {
  /** (bank, column position) -> column. */
  private readonly columns: Derived<string, Column>;
  /** (bank, column id, door) -> locker number. */
  private readonly doors: Derived<string, number>;

  constructor(
    private readonly src: DoorMapSource,
    private readonly roster: ControllerRoster,
  ) {
    this.columns = new Derived(src, 'columns', (t) => {
      for (const c of src.list('columns')) if (!t.has(columnKey(c.bankId, c.position))) t.set(columnKey(c.bankId, c.position), c);
    });
    this.doors = new Derived(src, 'lockers', (t) => {
      for (const l of src.list('lockers')) if (!t.has(doorKey(l.bankId, l.columnId, l.door))) t.set(doorKey(l.bankId, l.columnId, l.door), l.number);
    });
  }

  /** Active (not revoked) controllers of a bank, by column position. */
  controllersOf(bankId: string): readonly ControllerIdentity[] {
    return this.roster.controllersOfBank(bankId);
  }

  /** Every active controller. */
  activeControllers(): ControllerIdentity[] {
    return this.roster.controllers().filter((c) => c.revokedAt === null);
  }

  lookup(bankId: string, lockerNumber: number): DoorLocation | undefined {
    const locker = this.src.get('lockers', lockerKey(bankId, lockerNumber));
    if (!locker) return undefined;
    const column = this.src.get('columns', locker.columnId);
    if (!column) return undefined;
    const ctl = this.roster.controllersOfBank(bankId).find((c) => c.column === column.position);
    // No identity for that column: the column's own record names its board. Sending to it fails with
    // UNKNOWN_CONTROLLER (not provisioned), which the caller sees as "controller unavailable", not "no such locker".
    return { controllerId: ctl?.controllerId ?? column.controllerId, door: locker.door };
  }

  /**
   * The locker on a controller's door. `physical: true` for what the hardware itself reports (a door forced, left
   * open, jammed, a lock fault): the kiosk never drives another column's door, so a kiosk door number that is an
   * alias in its view is, in such an event, an unused door of the kiosk's own board, not that remote locker.
   */
  lockerAt(controllerId: string, door: number, opts: { physical?: boolean } = {}): LockerRef | undefined {
    const id = this.roster.controller(controllerId);
    if (!id) return undefined;
    const column = this.columns.get(columnKey(id.bankId, id.column));
    if (!column) return undefined;
    const number = this.doors.get(doorKey(id.bankId, column.id, door));
    if (number !== undefined) return { bankId: id.bankId, lockerNumber: number };
    // The kiosk names other columns' doors by their alias in its view (kiosk-bank-view.ts).
    const alias = column.kind === 'kiosk' && !opts.physical ? aliasAt(this.src, id.bankId, column, door) : undefined;
    return alias ? { bankId: id.bankId, lockerNumber: alias.lockerNumber } : undefined;
  }
}

/** What the audit needs from LockerService. */
export interface RemoteOpenRecorder {
  recordRemoteOpen(input: RecordRemoteOpenInput, actor: Actor): Promise<unknown>;
}

const OUTCOME_MAX = 64;

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/**
 * RemoteOpen's `audit` callback. Two activity entries per open: one before the command is sent (`requested: <the
 * caller's reason>`), so an open is on record even if the cloud dies before the door answers, and one with the
 * outcome (`opened`, `rejected out_of_service`, `timed_out no_ack`...).
 * `recordRemoteOpenInput` has no `reason` field and `outcome` is at most 64 characters, so the reason is clipped to
 * fit.
 * A failure to write the `requested` entry stops the open (an unaudited open never runs); a failure on `finished`
 * is logged, the door has already done what it did.
 */
export function remoteOpenAudit(service: RemoteOpenRecorder, logger?: Logger): (entry: RemoteOpenAuditEntry) => Promise<void> {
  const log = logger?.child({ module: 'remote-open-audit' });
  return async (e) => {
    const outcome =
      e.phase === 'requested'
        ? clip(`requested: ${e.reason}`, OUTCOME_MAX)
        : clip(`${e.outcome ?? 'unknown'}${e.outcomeReason ? ` ${e.outcomeReason}` : ''}`, OUTCOME_MAX);
    const input: RecordRemoteOpenInput = {
      bankId: e.bankId,
      lockerNumber: e.lockerNumber,
      commandId: e.commandId,
      ...(e.credentialId !== undefined ? { credentialId: e.credentialId } : {}),
      outcome,
    };
    if (e.phase === 'requested') {
      await service.recordRemoteOpen(input, e.actor);
      return;
    }
    try {
      await service.recordRemoteOpen(input, e.actor);
    } catch (err) {
      log?.error({ err, commandId: e.commandId }, 'remote open outcome not recorded');
    }
  };
}
