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
import type { Actor, RecordRemoteOpenInput } from '../domain/model.ts';
import type { DoorLocation, DoorMap, RemoteOpenAuditEntry } from '../sync/remote-open.ts';
import { lockerKey } from '../store/store.ts';
import { columnAt, type DesiredSource } from './desired-builder.ts';
import { aliasAt } from './kiosk-bank-view.ts';

/** The registry reads the bridge needs (IdentityRegistry has them). */
export interface ControllerRoster {
  controller(controllerId: string): ControllerIdentity | undefined;
  controllers(): ControllerIdentity[];
}

export interface LockerRef {
  bankId: string;
  lockerNumber: number;
}

export class DomainDoorMap implements DoorMap {
  constructor(
    private readonly src: DesiredSource,
    private readonly roster: ControllerRoster,
  ) {}

  /** Active (not revoked) controllers of a bank, by column position. */
  controllersOf(bankId: string): ControllerIdentity[] {
    return this.roster
      .controllers()
      .filter((c) => c.bankId === bankId && c.revokedAt === null)
      .sort((a, b) => a.column - b.column || (a.controllerId < b.controllerId ? -1 : 1));
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
    const ctl = this.controllersOf(bankId).find((c) => c.column === column.position);
    // No identity for that column: the column's own record names its board. Sending to it fails with
    // UNKNOWN_CONTROLLER (not provisioned), which the caller sees as "controller unavailable", not "no such locker".
    return { controllerId: ctl?.controllerId ?? column.controllerId, door: locker.door };
  }

  lockerAt(controllerId: string, door: number): LockerRef | undefined {
    const id = this.roster.controller(controllerId);
    if (!id) return undefined;
    const column = columnAt(this.src, id.bankId, id.column);
    if (!column) return undefined;
    const locker = this.src.list('lockers').find((l) => l.bankId === id.bankId && l.columnId === column.id && l.door === door);
    if (locker) return { bankId: locker.bankId, lockerNumber: locker.number };
    // The kiosk names other columns' doors by their alias in its view (kiosk-bank-view.ts).
    const alias = column.kind === 'kiosk' ? aliasAt(this.src, id.bankId, column, door) : undefined;
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
 * TODO(domain): `recordRemoteOpenInput` has no `reason` field and `outcome` is at most 64 characters, so the reason
 * is clipped to fit; a `reason` field (200 characters) would keep it whole and allow one entry per phase.
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
    const input: RecordRemoteOpenInput = { bankId: e.bankId, lockerNumber: e.lockerNumber, commandId: e.commandId, outcome };
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
