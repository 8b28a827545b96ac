/**
 * Remote open: finds the controller and door of a locker through the bank's door map, sends a signed `open-door`
 * that expires when the caller stops waiting, and resolves with what the door did, from the controller's `ack`
 * matched by command id (and controller). A command whose ack does not come in time is `timed_out`: it expired
 * when the wait ended (plus a short grace for an ack already on its way), so a controller that gets it later
 * refuses it and the door stays shut.
 *
 * Audit: `audit` is called and awaited before the command is sent (`requested`, with the reason and actor), together
 * with the pending record: no door opens that is not on record. It is called again with the outcome (`finished`) as
 * the answer goes back to the caller, without holding the answer for that write: the door has done what it did, and
 * a crash in between leaves the open on record as requested, as a crash while waiting for the door would (the
 * controller's door events say what happened). `drain()` waits for those writes (the cloud's stop calls it before
 * closing the store).
 */
import { randomUUID } from 'node:crypto';
import type { Ack, Actor, AckStatus } from '@portier/protocol';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { CloudError } from '../errors.ts';

/** Where a locker is: its controller and the door number on that controller's column. */
export interface DoorLocation {
  controllerId: string;
  door: number;
}

/** The bank's door map, as the domain knows it. */
export interface DoorMap {
  lookup(bankId: string, lockerNumber: number): Promise<DoorLocation | undefined> | DoorLocation | undefined;
}

export type RemoteOpenOutcome = 'opened' | 'already_open' | 'jammed' | 'unknown' | 'rejected' | 'timed_out';

export interface RemoteOpenResult {
  commandId: string;
  outcome: RemoteOpenOutcome;
  /** The controller's reason code (rejected / unknown), or why the cloud gave up. */
  reason?: string;
  detail?: string;
  controllerId: string;
  door: number;
}

export interface RemoteOpenRequest {
  bankId: string;
  lockerNumber: number;
  reason: string;
  actor: Actor;
  /** The kiosk credential the open is for (a kiosk's request for a door of another column): recorded with it. */
  credentialId?: string;
  /** How long to wait for the outcome; the command expires then too. */
  timeoutMs?: number;
}

export interface RemoteOpenAuditEntry {
  phase: 'requested' | 'finished';
  commandId: string;
  bankId: string;
  lockerNumber: number;
  controllerId: string;
  door: number;
  reason: string;
  actor: Actor;
  credentialId?: string;
  at: number;
  outcome?: RemoteOpenOutcome;
  outcomeReason?: string;
}

/** What RemoteOpen needs from the link (CloudLink implements it). */
export interface CommandLink {
  sendCommand(
    bankId: string,
    controllerId: string,
    type: 'open-door',
    body: { door: number; pulseMs?: number; reason: string; actor: Actor },
    opts: { ttlMs?: number; id?: string },
  ): Promise<unknown>;
  on(event: 'ack', listener: (a: { bankId: string; controllerId: string; ack: Ack }) => void): unknown;
  off(event: 'ack', listener: (a: { bankId: string; controllerId: string; ack: Ack }) => void): unknown;
}

export type RemoteOpenErrorCode = 'LOCKER_NOT_FOUND' | 'CONTROLLER_UNAVAILABLE' | 'INVALID';

export class RemoteOpenError extends CloudError<RemoteOpenErrorCode> {
  override name = 'RemoteOpenError';
  constructor(code: RemoteOpenErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
}

/** Where opens wait for their outcome across instances (pending-opens.ts). */
export interface PendingRecords {
  add(rec: { commandId: string; bankId: string; lockerNumber: number; controllerId: string; door: number; reason: string; actor: Actor; credentialId?: string; requestedAt: number; deadline: number }): Promise<void>;
  remove(commandId: string): Promise<void>;
}

export interface RemoteOpenOptions {
  link: CommandLink;
  /** Keeps each open on record until its outcome is, so another instance finishes it if this one dies. */
  pending?: PendingRecords;
  doorMap: DoorMap;
  audit?: (entry: RemoteOpenAuditEntry) => Promise<void> | void;
  logger?: Logger;
  now?: () => number;
  defaultTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** Extra wait after expiry for an ack already on its way. */
  ackGraceMs?: number;
  pulseMs?: number;
}

interface Waiter {
  controllerId: string;
  resolve: (ack: Ack | undefined) => void;
}

const OUTCOME: Record<AckStatus, RemoteOpenOutcome> = {
  opened: 'opened',
  already_open: 'already_open',
  jammed: 'jammed',
  unknown: 'unknown',
  rejected: 'rejected',
  // `done` is not an open-door outcome: the door's state is not known from it.
  done: 'unknown',
};

/** What the door did, from the controller's ack of the open-door command. */
export function outcomeOfAck(ack: Ack): { outcome: RemoteOpenOutcome; reason?: string; detail?: string } {
  return {
    outcome: OUTCOME[ack.status],
    ...(ack.reason ? { reason: ack.reason } : ack.status === 'done' ? { reason: 'unexpected_done' } : {}),
    ...(ack.detail ? { detail: ack.detail } : {}),
  };
}

export class RemoteOpen {
  private readonly waiters = new Map<string, Waiter>();
  /** Outcome records being written. */
  private readonly finishing = new Set<Promise<void>>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly onAck = (a: { bankId: string; controllerId: string; ack: Ack }): void => {
    const w = this.waiters.get(a.ack.commandId);
    // An ack for this id from any other controller is not an answer (ids are not secret).
    if (!w || w.controllerId !== a.controllerId) return;
    this.waiters.delete(a.ack.commandId);
    w.resolve(a.ack);
  };

  constructor(private readonly opts: RemoteOpenOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'remote-open' });
    this.now = opts.now ?? Date.now;
    opts.link.on('ack', this.onAck);
  }

  /** Stops listening; pending opens resolve `timed_out` at their own deadline. */
  close(): void {
    this.opts.link.off('ack', this.onAck);
  }

  get pending(): number {
    return this.waiters.size;
  }

  /** Resolves when every outcome record asked for so far is written (or failed, logged). */
  async drain(): Promise<void> {
    while (this.finishing.size > 0) await Promise.allSettled([...this.finishing]);
  }

  /**
   * The pending record and the `requested` entry, both written before the command goes out. Asked for at once, so a
   * store that commits together what is asked in one turn (the file store) writes them with one fsync, in this order.
   * Should only one of them be written (separate transactions in a database), the other is undone as far as it can
   * be (the open is audited as not sent, the pending record removed) and the open fails: nothing went out.
   */
  private async recordRequest(base: Omit<RemoteOpenAuditEntry, 'phase' | 'at'>, requestedAt: number, deadline: number): Promise<void> {
    const [pending, audited] = await Promise.allSettled([
      this.opts.pending?.add({ ...base, requestedAt, deadline }),
      this.opts.audit?.({ ...base, phase: 'requested', at: requestedAt }),
    ]);
    if (pending.status === 'fulfilled' && audited.status === 'fulfilled') return;
    const failed = pending.status === 'rejected' ? pending : (audited as PromiseRejectedResult);
    const logged = (what: string) => (err: unknown) => this.log.error({ err, commandId: base.commandId }, what);
    if (pending.status === 'fulfilled') await this.opts.pending?.remove(base.commandId).catch(logged('pending remote open not removed'));
    if (audited.status === 'fulfilled') {
      const notSent = { ...base, phase: 'finished' as const, at: this.now(), outcome: 'rejected' as const, outcomeReason: 'not_recorded' };
      await Promise.resolve(this.opts.audit?.(notSent)).catch(logged('remote open outcome not recorded'));
    }
    throw failed.reason;
  }

  async open(req: RemoteOpenRequest): Promise<RemoteOpenResult> {
    const maxTimeout = this.opts.maxTimeoutMs ?? 60_000;
    const timeoutMs = req.timeoutMs ?? this.opts.defaultTimeoutMs ?? 10_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > maxTimeout) {
      throw new RemoteOpenError('INVALID', `timeoutMs must be 100..${maxTimeout}`, 'timeoutMs');
    }
    const where = await this.opts.doorMap.lookup(req.bankId, req.lockerNumber);
    if (!where) throw new RemoteOpenError('LOCKER_NOT_FOUND', `no locker ${req.lockerNumber} in bank ${req.bankId}`, 'number');
    const commandId = `cmd-${randomUUID()}`;
    const base = {
      commandId,
      bankId: req.bankId,
      lockerNumber: req.lockerNumber,
      controllerId: where.controllerId,
      door: where.door,
      reason: req.reason,
      actor: req.actor,
      ...(req.credentialId !== undefined ? { credentialId: req.credentialId } : {}),
    };
    const graceMs = this.opts.ackGraceMs ?? 1000;
    const requestedAt = this.now();
    await this.recordRequest(base, requestedAt, requestedAt + timeoutMs + graceMs);

    // Listen before sending: the ack can come back before publish() resolves.
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<Ack | undefined>((resolve) => {
      this.waiters.set(commandId, { controllerId: where.controllerId, resolve });
      timer = setTimeout(() => {
        this.waiters.delete(commandId);
        resolve(undefined);
      }, timeoutMs + graceMs);
    });

    let result: RemoteOpenResult;
    try {
      const sent = this.opts.link.sendCommand(
        req.bankId,
        where.controllerId,
        'open-door',
        { door: where.door, reason: req.reason, actor: req.actor, ...(this.opts.pulseMs ? { pulseMs: this.opts.pulseMs } : {}) },
        { ttlMs: timeoutMs, id: commandId },
      );
      sent.catch(() => {}); // a late failure after the deadline changes nothing: the command has expired
      // The broker may be away (publish waits for a reconnect): the deadline runs from now either way.
      const ack = await Promise.race([sent.then(() => answered), answered]);
      result = ack
        ? { commandId, ...outcomeOfAck(ack), controllerId: where.controllerId, door: where.door }
        : { commandId, outcome: 'timed_out', reason: 'no_ack', controllerId: where.controllerId, door: where.door };
    } catch (err) {
      clearTimeout(timer);
      this.waiters.delete(commandId);
      const code = (err as { code?: unknown }).code;
      await this.opts.audit?.({ ...base, phase: 'finished', at: this.now(), outcome: 'rejected', outcomeReason: String(code ?? 'send_failed') });
      await this.opts.pending?.remove(commandId);
      if (code === 'UNKNOWN_CONTROLLER') {
        throw new RemoteOpenError('CONTROLLER_UNAVAILABLE', `controller ${where.controllerId} of locker ${req.lockerNumber} is not provisioned or revoked`);
      }
      throw err;
    }
    clearTimeout(timer);
    this.log.info({ commandId, bankId: req.bankId, locker: req.lockerNumber, outcome: result.outcome, reason: result.reason }, 'remote open finished');
    const finished = (async () => {
      await this.opts.audit?.({
        ...base,
        phase: 'finished',
        at: this.now(),
        outcome: result.outcome,
        ...(result.reason ? { outcomeReason: result.reason } : {}),
      });
      await this.opts.pending?.remove(commandId);
    })().catch((err: unknown) => this.log.error({ err, commandId }, 'remote open outcome not recorded'));
    this.finishing.add(finished);
    void finished.finally(() => this.finishing.delete(finished));
    return result;
  }
}
