/**
 * Remote opens between their request and their outcome, kept in the store (`remoteOpens`, key = command id), so that
 * one whose cloud instance died while it waited (or whose only instance crashed) still ends with an outcome on record.
 *
 * RemoteOpen (remote-open.ts) writes the record with its `requested` audit entry and deletes it with the outcome.
 * The owner of the record's bank (bank-ownership.ts) sweeps every `sweepMs`: a record still there `marginMs` after its
 * deadline belongs to an instance that stopped waiting without writing the outcome. By then the command has expired,
 * so no controller runs it any more and nothing sends it again: the outcome is what the controller acked, when this
 * instance heard that ack (every instance hears every controller), else `timed_out` (`requester_stopped`).
 */
import type { Ack } from '@portier/protocol';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { PendingRemoteOpen, Store } from '../store/store.ts';
import type { BankOwner } from './bank-ownership.ts';
import { outcomeOfAck, type RemoteOpenAuditEntry } from './remote-open.ts';

interface AckSource {
  on(event: 'ack', listener: (a: { bankId: string; controllerId: string; ack: Ack }) => void): unknown;
  off(event: 'ack', listener: (a: { bankId: string; controllerId: string; ack: Ack }) => void): unknown;
}

export interface PendingOpensOptions {
  store: Store;
  instanceId: string;
  owner: Pick<BankOwner, 'owns'>;
  link: AckSource;
  audit: (entry: RemoteOpenAuditEntry) => Promise<void> | void;
  now?: () => number;
  logger?: Logger;
  /** How often orphaned opens are looked for (default 2 s). */
  sweepMs?: number;
  /** How long after its deadline a record counts as orphaned (default 5 s: its instance writes the outcome at once). */
  marginMs?: number;
}

/** Acks of other instances' opens kept at most (they are dropped as their records go). */
const ACKS_KEPT = 10_000;

export class PendingOpens {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly acks = new Map<string, Ack>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private readonly onAck = (a: { bankId: string; controllerId: string; ack: Ack }): void => {
    const rec = this.o.store.get('remoteOpens', a.ack.commandId);
    // Only a pending open of that very controller: command ids are not secret.
    if (!rec || rec.controllerId !== a.controllerId || this.acks.size >= ACKS_KEPT) return;
    this.acks.set(a.ack.commandId, a.ack);
  };

  constructor(private readonly o: PendingOpensOptions) {
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ module: 'pending-opens' });
    this.now = o.now ?? Date.now;
  }

  /** Durable before it resolves: the open is on record as pending before its command can go out. */
  async add(rec: Omit<PendingRemoteOpen, 'instanceId'>): Promise<void> {
    await this.o.store.commit({ put: [{ c: 'remoteOpens', key: rec.commandId, value: { ...rec, instanceId: this.o.instanceId } }] });
  }

  /** The outcome is recorded: the record goes (a failure is logged; the sweep would finish it again as timed out). */
  async remove(commandId: string): Promise<void> {
    if (!this.o.store.get('remoteOpens', commandId)) return;
    await this.o.store.commit({ del: [{ c: 'remoteOpens', key: commandId }] }).catch((err: unknown) => this.log.warn({ err, commandId }, 'pending remote open not cleared'));
  }

  start(): void {
    this.o.link.on('ack', this.onAck);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.o.link.off('ack', this.onAck);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Finishes the orphaned opens of the banks this instance owns; resolves with how many. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.sweep()
        .catch((err: unknown) => this.log.error({ err }, 'sweep of pending remote opens failed'))
        .finally(() => {
          if (this.timer) this.schedule();
        });
    }, this.o.sweepMs ?? 2000);
  }

  private async sweepOnce(): Promise<number> {
    const now = this.now();
    const margin = this.o.marginMs ?? 5000;
    let finished = 0;
    for (const rec of this.o.store.list('remoteOpens')) {
      if (now <= rec.deadline + margin || !this.o.owner.owns(rec.bankId)) continue;
      const ack = this.acks.get(rec.commandId);
      this.acks.delete(rec.commandId);
      const result = ack ? outcomeOfAck(ack) : { outcome: 'timed_out' as const, reason: 'requester_stopped' };
      this.log.warn({ commandId: rec.commandId, bankId: rec.bankId, locker: rec.lockerNumber, instance: rec.instanceId, outcome: result.outcome }, 'remote open finished for an instance that stopped waiting');
      await this.o.audit({
        phase: 'finished',
        commandId: rec.commandId,
        bankId: rec.bankId,
        lockerNumber: rec.lockerNumber,
        controllerId: rec.controllerId,
        door: rec.door,
        reason: rec.reason,
        actor: rec.actor,
        ...(rec.credentialId !== undefined ? { credentialId: rec.credentialId } : {}),
        at: now,
        outcome: result.outcome,
        ...(result.reason ? { outcomeReason: result.reason } : {}),
      });
      await this.o.store.commit({ del: [{ c: 'remoteOpens', key: rec.commandId }] });
      finished++;
    }
    return finished;
  }
}
