import { randomBytes, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { importPublicKey, topicFor, verifyMessage, type Channel, type ControllerFeature, type EventBody, type PortierEvent, type Status } from '@portier/protocol';
import { CloudClock } from '../clock/cloud-clock.ts';
import { DesiredStore } from '../store/desired-store.ts';
import type { StoreReset } from '../store/durable-file.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import { AckQueue } from './acks.ts';
import { CommandRunner } from './command-runner.ts';
import { CommandStore } from './command-store.ts';
import { LinkConnection } from './connection.ts';
import { DesiredSync } from './desired-sync.ts';
import { EventPump } from './event-pump.ts';
import { Outbox } from './outbox.ts';
import { LinkError, type ControllerLinkOptions, type LinkEventMap, type LinkStatus, type LocalStateWhat } from './types.ts';

// The link's public types stay importable from here, where the link is.
export * from './types.ts';

/** The parts that exist once the local state is open (`start`). */
interface Started {
  commands: CommandStore;
  outbox: Outbox;
  desiredStore: DesiredStore;
  clock: CloudClock;
  runner: CommandRunner;
  pump: EventPump;
  desired: DesiredSync;
  acks: AckQueue;
}

/**
 * The controller's MQTT link (DESIGN.md "MQTT contract", "Offline behaviour"): persistent session, birth and last will,
 * jittered reconnect, verified commands with durable replay protection, versioned desired state, and a durable event
 * outbox replayed in order until the cloud's evtack. This class wires the parts, one job each: the connection
 * (connection.ts), the command gate (command-gate.ts) and runner (command-runner.ts, acks.ts), the event pump
 * (event-pump.ts) and desired/reported sync (desired-sync.ts).
 */
export class ControllerLink extends EventEmitter<LinkEventMap> {
  readonly bankId: string;
  readonly controllerId: string;
  readonly bootId: string;
  readonly firmware: string;
  /** Named in every birth (`FIRMWARE_FEATURES`); absent: none, as the first release's birth. */
  readonly features: readonly ControllerFeature[] | undefined;
  private readonly opts: ControllerLinkOptions;
  private readonly log: Logger;
  private readonly key: KeyObject;
  private readonly localNow: () => number;
  private readonly monotonic: () => number;
  private readonly topics: Record<Channel, string>;
  private readonly startedMono: number;
  private readonly conn: LinkConnection;
  private parts: Started | undefined;
  private opening: Promise<void> | undefined;
  private connectStarted = false;
  private stopping = false;

  constructor(opts: ControllerLinkOptions) {
    super();
    this.opts = opts;
    this.bankId = opts.bankId;
    this.controllerId = opts.controllerId;
    this.bootId = opts.bootId ?? `boot-${randomBytes(8).toString('hex')}`;
    this.firmware = opts.firmware ?? '0.1.0';
    this.features = opts.features;
    this.log = (opts.logger ?? silentLogger).child({ module: 'link', controllerId: opts.controllerId });
    this.key = typeof opts.cloudPublicKey === 'string' ? importPublicKey(opts.cloudPublicKey) : opts.cloudPublicKey;
    this.localNow = opts.now ?? Date.now;
    this.monotonic = opts.monotonic ?? (() => performance.now());
    const t = (c: Channel): string => topicFor(opts.bankId, opts.controllerId, c);
    this.topics = { cmd: t('cmd'), ack: t('ack'), evt: t('evt'), evtack: t('evtack'), desired: t('desired'), reported: t('reported'), status: t('status') };
    this.startedMono = this.monotonic();
    this.conn = new LinkConnection({
      ...opts,
      topics: this.topics,
      log: this.log,
      localNow: this.localNow,
      hooks: {
        connected: (client, gen) => {
          const p = this.need();
          this.conn.publish(client, 'status', this.birth(p.clock.now()));
          this.conn.publish(client, 'reported', p.desired.buildReported());
          p.acks.sendAll(client, gen);
          // Replay the whole outbox in seq order: the broker may have lost what it had taken (in-memory persistence).
          p.pump.connected();
        },
        online: (client, gen) => {
          const p = this.need();
          p.acks.sendAll(client, gen);
          p.pump.pump();
        },
        message: (topic, payload, retained) => this.onMessage(topic, payload, retained),
        stateChanged: () => this.emit('state', this.status()),
      },
    });
  }

  // ---------------------------------------------------------------------------------------------------- lifecycle

  /**
   * Opens the local state (setting corrupt files aside and reporting them) and answers commands that were running
   * when the controller stopped (`unknown`/`interrupted`, never run again). From here on events are stored in the
   * outbox; nothing is sent before `start`. Idempotent.
   */
  open(): Promise<void> {
    this.opening ??= this.openFiles();
    return this.opening;
  }

  /** Opens the local state if `open` was not called, then connects and keeps reconnecting. */
  async start(): Promise<void> {
    await this.open();
    if (this.connectStarted || this.stopping || !this.parts) return;
    this.connectStarted = true;
    this.conn.connect();
    this.parts.pump.startTimer();
  }

  private async openFiles(): Promise<void> {
    const dir = this.opts.dataDir;
    const logger = this.opts.logger ?? silentLogger;
    const commands = await CommandStore.open(dir, { ...this.opts.seenIds, logger, floorAfterReset: () => this.localNow() });
    const clock = new CloudClock({ state: commands.data.clock, now: this.localNow, ...(this.opts.monotonic ? { monotonic: this.opts.monotonic } : {}) });
    const outbox = await Outbox.open(dir, { logger, seqFloor: () => commands.data.seqHighWater });
    const desiredStore = await DesiredStore.open(dir, { logger });
    const ids = { key: this.key, bankId: this.bankId, controllerId: this.controllerId };
    const learn = (issuedAt: number): void => {
      if (clock.observe(issuedAt)) void commands.saveClock(clock.state()).catch((err: unknown) => this.log.error({ err }, 'could not persist clock'));
    };
    const acks = new AckQueue(this.conn, this.log, (e) => this.emit('ack', e));
    // A rejected desired state is an event (publishEvent, through the pump); a resend reports first (buildReported).
    const desired = new DesiredSync({
      ...ids,
      firmware: this.firmware,
      bootId: this.bootId,
      desiredStore,
      outbox,
      executor: this.opts.executor,
      clock,
      conn: this.conn,
      log: this.log,
      monotonic: this.monotonic,
      startedMono: this.startedMono,
      rejectionWindowMs: this.opts.rejectionWindowMs,
      learn,
      drop: (code, message) => this.drop('desired', code, message),
      applied: (e) => this.emit('desired', e),
      rejected: (e) => this.emit('desired-rejected', e),
      publishEvent: (body) => this.publishEvent(body),
    });
    const pump = new EventPump({
      ...ids,
      outbox,
      commands,
      clock,
      conn: this.conn,
      log: this.log,
      learn,
      drop: (code, message) => this.drop('evtack', code, message),
      evtack: (e) => this.emit('evtack', e),
      buildReported: () => desired.buildReported(),
      evtackTimeoutMs: this.opts.evtackTimeoutMs ?? 30_000,
    });
    const runner = new CommandRunner({
      gate: ids,
      executor: this.opts.executor,
      commands,
      clock,
      acks,
      log: this.log,
      localNow: this.localNow,
      learn,
      drop: (code, message) => this.drop('cmd', code, message),
      rebirth: () => {
        const online = this.conn.onlineClient();
        if (!online) return;
        this.conn.publish(online.client, 'status', this.birth(clock.now()));
        this.conn.publish(online.client, 'reported', desired.buildReported());
      },
      resendEvents: (from, to) => pump.resend(from, to),
    });
    this.parts = { commands, outbox, desiredStore, clock, runner, pump, desired, acks };

    const resets: Array<[LocalStateWhat, StoreReset | undefined]> = [
      ['seen-ids', commands.reset],
      ['outbox', outbox.reset],
      ['desired', desiredStore.reset],
    ];
    const stored = desiredStore.desired;
    if (stored && !desiredStore.reset) {
      const why = !verifyMessage(stored, this.key)
        ? 'stored desired state does not verify with the cloud key'
        : stored.bankId !== this.bankId || stored.controllerId !== this.controllerId
          ? 'stored desired state is for another controller'
          : undefined;
      if (why) resets.push(['desired', await desiredStore.discard(why)]);
    }
    for (const [what, reset] of resets) {
      if (!reset) continue;
      const reason = `${reset.reason}`.slice(0, 200);
      this.emit('local-state-reset', { what, reason });
      void this.publishEvent({ type: 'local-state-reset', what, reason }).catch((err: unknown) => this.log.error({ err }, 'could not record local-state-reset'));
    }
    if (clock.droppedPersisted) this.log.warn('local clock is earlier than when the cloud offset was learned; offset dropped until relearned');

    // Commands that were running when we stopped: answer `unknown`, never run them again. They stay marked pending
    // until the ack is handed to the broker, so a second crash answers them again rather than never.
    runner.answerInterrupted();
  }

  /** Says goodbye (offline status, reason shutdown), disconnects and flushes local state. */
  async stop(reason: 'shutdown' | 'reboot' = 'shutdown'): Promise<void> {
    const p = this.parts;
    if (!p || this.stopping) return;
    this.stopping = true;
    p.pump.stopTimer();
    // Rejections still folded become outbox events now (appended before the outbox is closed): none goes unrecorded.
    p.desired.close();
    await this.conn.stop(reason);
    p.commands.setClock(p.clock.state());
    p.commands.setSeqHighWater(p.outbox.nextSeq - 1);
    await p.commands.save().catch((err: unknown) => this.log.error({ err }, 'could not save command state'));
    await Promise.all([p.commands.close(), p.outbox.close(), p.desiredStore.file.flush()]);
  }

  // ---------------------------------------------------------------------------------------------------- public API

  status(): LinkStatus {
    const p = this.parts;
    return {
      ...this.conn.status(),
      outboxDepth: p ? p.outbox.depth : 0,
      nextSeq: p ? p.outbox.nextSeq : 1,
      ackedUpTo: p ? p.outbox.ackedUpTo : 0,
      desiredVersion: p ? p.desiredStore.version : null,
      clockOffsetMs: p ? p.clock.offsetMs : null,
    };
  }

  /** The controller's estimate of cloud time. */
  cloudNow(): number {
    return this.parts ? this.parts.clock.now() : this.localNow();
  }

  get clock(): CloudClock {
    return this.need().clock;
  }

  /** The applied desired state store (what the offline credential check reads). */
  get desired(): DesiredStore {
    return this.need().desiredStore;
  }

  /**
   * Records an event: next seq, appended to the durable outbox first, then published when online (and replayed after
   * every reconnect until a signed evtack covers it). Resolves once the event is on disk.
   */
  async publishEvent(body: EventBody): Promise<PortierEvent> {
    return this.need().pump.publish(body);
  }

  /**
   * Doors an open-door command is marked pending for (on disk: the mark is written before the pulse and cleared
   * after the ack). The runtime counts such a door as being unlocked, so its durable pending mark stands in for the
   * door memory's own `unlocking` note on the remote-open path.
   */
  doorsBeingOpened(): ReadonlySet<number> {
    const doors = new Set<number>();
    for (const p of this.parts?.commands.pending() ?? []) if (p.door !== undefined) doors.add(p.door);
    return doors;
  }

  /** Publishes `reported` now (the runtime calls it when door states change). */
  reportNow(): void {
    this.parts?.desired.reportNow();
  }

  /** The birth message (`at`: cloud time); `features` only when there are some, as a first-release birth reads. */
  private birth(at: number): Status {
    const features = this.features && this.features.length > 0 ? { features: [...this.features] } : {};
    return { v: 1, state: 'online', at, firmware: this.firmware, bootId: this.bootId, ...features };
  }

  // ---------------------------------------------------------------------------------------------------- receiving

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const p = this.need();
    try {
      if (topic === this.topics.cmd) p.runner.onCommand(payload);
      else if (topic === this.topics.evtack) p.pump.onEvtack(payload);
      else if (topic === this.topics.desired) p.desired.onDesired(payload, retained);
      else this.log.warn({ topic }, 'message on a topic we did not subscribe to; dropped');
    } catch (err) {
      // Never let one message take the controller down.
      this.log.error({ err, topic }, 'message handler failed');
    }
  }

  private drop(channel: Channel, code: string, message: string): void {
    this.log.warn({ channel, code, reason: message }, 'payload dropped');
    this.emit('dropped', { channel, code, message });
  }

  private need(): Started {
    if (!this.parts) throw new LinkError('LINK_NOT_STARTED', 'the link is not started');
    return this.parts;
  }
}
