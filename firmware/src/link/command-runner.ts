import type { Ack, AckReason, Command } from '@portier/protocol';
import type { CloudClock } from '../clock/cloud-clock.ts';
import type { Logger } from '../util/logger.ts';
import type { AckQueue } from './acks.ts';
import { judgeCommand, type GateContext } from './command-gate.ts';
import type { CommandStore } from './command-store.ts';
import type { CommandExecutor, CommandOutcome } from './types.ts';

const PRUNE_EVERY_MS = 60_000;
/** How long a cleared pending mark waits to share the next durable write (see CommandStore.clearPending). */
const CLEAR_PENDING_DEFER_MS = 25;

export interface CommandRunnerDeps {
  gate: Pick<GateContext, 'key' | 'bankId' | 'controllerId'>;
  executor: CommandExecutor;
  commands: CommandStore;
  clock: CloudClock;
  acks: AckQueue;
  log: Logger;
  localNow: () => number;
  /** Learns cloud time from a verified message's `issuedAt`. */
  learn(issuedAt: number): void;
  /** A payload that is not a command: logged and announced. */
  drop(code: string, message: string): void;
  /** `rebirth`: publishes status and reported again when online. */
  rebirth(): void;
  /** `resend-events`: publishes that range of the outbox again; returns the ack's detail. */
  resendEvents(fromSeq: number, toSeq: number | undefined): string;
}

/**
 * Runs the commands the gate accepts: durable before any effect (the id is remembered, an open-door marked pending),
 * then the executor, then the ack with what happened. Commands that were running when the controller stopped are
 * answered `unknown` at start and never run again.
 */
export class CommandRunner {
  private readonly inFlight = new Set<string>();
  private lastPrune = 0;

  constructor(private readonly d: CommandRunnerDeps) {}

  /** Answers `unknown`/`interrupted` for every command a restart cut short; each stays pending until its ack is out. */
  answerInterrupted(): void {
    const { commands, log, clock, acks } = this.d;
    for (const p of commands.pending()) {
      log.warn({ commandId: p.id, type: p.type }, 'command was interrupted by a restart; answering unknown');
      acks.queue(
        { v: 1, commandId: p.id, status: 'unknown', reason: 'interrupted', detail: 'controller restarted during the command', at: clock.now() },
        undefined,
        () => void commands.clearPending([p.id]).catch((err: unknown) => log.error({ err }, 'could not clear pending')),
      );
    }
  }

  onCommand(payload: Buffer): void {
    const { commands, clock, log } = this.d;
    const v = judgeCommand(payload, {
      ...this.d.gate,
      seen: (id, issuedAt) => commands.check(id, issuedAt),
      running: (id) => this.inFlight.has(id),
      cloudNowFor: (issuedAt) => clock.nowFor(issuedAt),
    });
    switch (v.kind) {
      case 'drop':
        this.d.drop(v.code, v.message);
        // Answered `malformed` (or `bad_signature`) when the envelope at least names a command; else nobody to answer.
        if (v.answer) this.reject(undefined, v.answer.commandId, v.answer.reason, v.answer.detail);
        return;
      case 'duplicate':
        log.info({ commandId: v.command.id }, 'duplicate delivery of a running command ignored');
        return;
      case 'reject':
        if (v.remember) {
          commands.remember(v.command);
          void commands.save().catch(() => undefined);
        }
        this.reject(v.command, v.command.id, v.reason, v.detail);
        return;
      case 'accept':
        this.d.learn(v.command.issuedAt);
        this.maybePrune(v.cloudNow);
        void this.execute(v.command);
    }
  }

  private reject(command: Command | undefined, commandId: string, reason: AckReason, detail?: string): void {
    this.d.log.warn({ commandId, reason, detail }, 'command rejected');
    this.d.acks.queue(
      { v: 1, commandId, status: 'rejected', reason, ...(detail ? { detail: detail.slice(0, 200) } : {}), at: this.d.clock.now() },
      command,
    );
  }

  private maybePrune(cloudNow: number): void {
    const local = this.d.localNow();
    if (local - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = local;
    const n = this.d.commands.prune(cloudNow);
    if (n) this.d.log.debug({ pruned: n }, 'expired seen ids pruned');
  }

  private async execute(cmd: Command): Promise<void> {
    const { commands, clock, log, acks } = this.d;
    this.inFlight.add(cmd.id);
    try {
      const isOpen = cmd.type === 'open-door';
      try {
        // Durable before any effect: the id survives a restart (no replay) and an open-door is marked pending (a
        // crash mid-command is answered `unknown` after restart and never run again).
        await commands.accept({ ...cmd, ...(isOpen ? { door: cmd.body.door } : {}) }, isOpen, this.d.localNow());
      } catch (err) {
        log.error({ err, commandId: cmd.id }, 'could not record the command durably; not executing');
        acks.queue({ v: 1, commandId: cmd.id, status: 'unknown', detail: 'controller storage failed; not executed', at: clock.now() }, cmd);
        return;
      }
      const outcome = await this.run(cmd);
      const ack: Ack = { v: 1, commandId: cmd.id, status: outcome.status, at: clock.now() };
      if (outcome.reason) ack.reason = outcome.reason;
      if (outcome.detail) ack.detail = outcome.detail.slice(0, 200);
      log.info({ commandId: cmd.id, type: cmd.type, status: ack.status, reason: ack.reason }, 'command done');
      acks.queue(ack, cmd);
      // Not on the caller's critical path: the ack goes out while the pending mark is cleared, once the executor's own
      // records of what the command did are on disk.
      if (isOpen) {
        void Promise.resolve(outcome.settled)
          .then(() => commands.clearPending([cmd.id], CLEAR_PENDING_DEFER_MS))
          .catch((err: unknown) => log.error({ err }, 'could not clear pending'));
      }
    } finally {
      this.inFlight.delete(cmd.id);
    }
  }

  private async run(cmd: Command): Promise<CommandOutcome> {
    const ex = this.d.executor;
    try {
      switch (cmd.type) {
        case 'open-door': {
          const o = await ex.openDoor(cmd.body.door, cmd.body.pulseMs, cmd);
          return typeof o === 'string' ? { status: o } : o;
        }
        case 'set-service':
          return (await ex.setService(cmd.body.door, cmd.body.state, cmd)) ?? { status: 'done' };
        case 'end-session':
          return (await ex.endSession(cmd)) ?? { status: 'done' };
        case 'rebirth':
          this.d.rebirth();
          return { status: 'done' };
        case 'resend-events':
          return { status: 'done', detail: this.d.resendEvents(cmd.body.fromSeq, cmd.body.toSeq) };
        case 'kiosk-open-result':
          if (!ex.kioskOpenResult) return { status: 'rejected', reason: 'unsupported', detail: 'not a kiosk controller' };
          return (await ex.kioskOpenResult(cmd)) ?? { status: 'done' };
      }
    } catch (err) {
      this.d.log.error({ err, commandId: cmd.id }, 'executor failed');
      return { status: 'unknown', detail: `executor failed: ${(err as Error).message}`.slice(0, 200) };
    }
  }
}
