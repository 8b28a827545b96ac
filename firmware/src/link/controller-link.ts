import { randomBytes, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  desiredStateHash,
  encodePayload,
  idSchema,
  importPublicKey,
  parsePayload,
  topicFor,
  verifyMessage,
  CHANNEL_QOS,
  type Ack,
  type AckReason,
  type AckStatus,
  type Channel,
  type Command,
  type CommandOf,
  type Desired,
  type EventBody,
  type MessageOf,
  type PortierEvent,
  type Reported,
  type ReportedDoor,
  type ServiceState,
} from '@portier/protocol';
import { CloudClock } from '../clock/cloud-clock.ts';
import { DesiredStore } from '../store/desired-store.ts';
import type { StoreReset } from '../store/durable-file.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { CommandStore } from './command-store.ts';
import { Outbox } from './outbox.ts';
import { RejectionFold, type FoldedRejection } from './rejection-fold.ts';

/** What an executed `open-door` reports: what the door did, never "pulse sent". */
export type OpenDoorOutcome = 'opened' | 'already_open' | 'jammed' | 'unknown';

/** A full outcome, for an executor that refuses (unknown door, out of service, busy) or explains. */
export interface CommandOutcome {
  status: AckStatus;
  reason?: AckReason;
  detail?: string;
}

/**
 * What the link needs from the rest of the controller; the runtime wires it to the door controller.
 * Every method is called only for a verified, fresh, first-seen command addressed to this controller.
 */
export interface CommandExecutor {
  /** Pulses the lock (clamped to the controller's maxPulseMs) and reports what the door did. */
  openDoor(door: number, pulseMs: number | undefined, command: CommandOf<'open-door'>): Promise<OpenDoorOutcome | CommandOutcome>;
  setService(door: number, state: ServiceState, command: CommandOf<'set-service'>): Promise<void | CommandOutcome>;
  endSession(command: CommandOf<'end-session'>): Promise<void | CommandOutcome>;
  /** The cloud's answer to this kiosk's `kiosk-open-request`; a controller without it refuses the command `unsupported`. */
  kioskOpenResult?(command: CommandOf<'kiosk-open-result'>): Promise<void | CommandOutcome>;
  /** Door states and bus health for `reported`; without it doors are reported `unknown` from the desired door map. */
  snapshot?(): { doors: ReportedDoor[]; bus: Reported['bus'] };
}

export type LinkState = 'connecting' | 'online' | 'offline' | 'backoff';

export interface LinkStatus {
  state: LinkState;
  /** Failed connection attempts since the last success. */
  attempts: number;
  lastError: { message: string; code?: string | number; at: number } | undefined;
  connectedAt: number | undefined;
  nextRetryAt: number | undefined;
  /** Events not yet confirmed by the cloud. */
  outboxDepth: number;
  nextSeq: number;
  ackedUpTo: number;
  desiredVersion: number | null;
  clockOffsetMs: number | null;
}

export type LocalStateWhat = 'desired' | 'outbox' | 'seen-ids' | 'pending-commands';

export interface LinkEventMap {
  state: [LinkStatus];
  /** A command was answered (executed or rejected). */
  ack: [{ ack: Ack; command: Command | undefined }];
  /** A newer desired state was verified, stored and applied. */
  desired: [{ desired: Desired; hash: string }];
  'desired-rejected': [{ version: number; reason: string }];
  'local-state-reset': [{ what: LocalStateWhat; reason: string }];
  /** A payload that did not parse was dropped. */
  dropped: [{ channel: Channel; code: string; message: string }];
  evtack: [{ upTo: number; dropped: number }];
}

export interface ControllerLinkOptions {
  /** mqtt://host:port or mqtts://... (broker-agnostic: the cloud's broker today, a bank-local one later). */
  brokerUrl: string;
  bankId: string;
  controllerId: string;
  secret: string;
  /** The provisioned cloud command key (PEM or KeyObject). */
  cloudPublicKey: KeyObject | string;
  /** Folder for commands.json + commands.log, outbox.json + outbox.log, desired.json. */
  dataDir: string;
  executor: CommandExecutor;
  firmware?: string;
  bootId?: string;
  logger?: Logger;
  /** Local wall clock. */
  now?: () => number;
  monotonic?: () => number;
  backoff?: BackoffOptions;
  connectTimeoutMs?: number;
  keepaliveS?: number;
  seenIds?: { cap?: number; marginMs?: number };
  /**
   * While online with unconfirmed events and no evtack progress for this long, publish the outbox again (default
   * 30 s): events can vanish in a broker restart or before the cloud resubscribed, and with no later event there is
   * no gap for the cloud to notice.
   */
  evtackTimeoutMs?: number;
  /**
   * Rejected desired states of one kind are reported to the cloud at most once per this window (default 60 s), the
   * later ones folded into one event with their count (rejection-fold.ts).
   */
  rejectionWindowMs?: number;
  /** Extra MQTT.js options (TLS ca, protocolVersion...). Identity, session and reconnect options are the link's. */
  mqtt?: Partial<IClientOptions>;
}

export class LinkError extends Error {
  readonly code: 'LINK_NOT_STARTED' | 'LINK_STOPPED';
  constructor(code: LinkError['code'], message: string) {
    super(message);
    this.name = 'LinkError';
    this.code = code;
  }
}

interface QueuedAck {
  ack: Ack;
  payload: Buffer;
  sentOn: number;
  done?: () => void;
}

const PRUNE_EVERY_MS = 60_000;
/** How long a cleared pending mark waits to share the next durable write (see CommandStore.clearPending). */
const CLEAR_PENDING_DEFER_MS = 25;

/**
 * The controller's MQTT link (DESIGN.md "MQTT contract", "Offline behaviour"): persistent session, birth and last will,
 * jittered reconnect, verified commands with durable replay protection, versioned desired state, and a durable event
 * outbox replayed in order until the cloud's evtack.
 */
export class ControllerLink extends EventEmitter<LinkEventMap> {
  readonly bankId: string;
  readonly controllerId: string;
  readonly bootId: string;
  readonly firmware: string;
  private readonly opts: ControllerLinkOptions;
  private readonly log: Logger;
  private readonly key: KeyObject;
  private readonly localNow: () => number;
  private readonly backoff: Backoff;
  private readonly topics: Record<Channel, string>;
  private readonly startedMono: number;

  private commands!: CommandStore;
  private outbox!: Outbox;
  private desiredStore!: DesiredStore;
  private clockImpl!: CloudClock;
  private started = false;
  private opening: Promise<void> | undefined;
  private connectStarted = false;
  private stopping = false;

  private client: MqttClient | undefined;
  private generation = 0;
  private state: LinkState = 'offline';
  private lastError: LinkStatus['lastError'];
  private connectedAt: number | undefined;
  private nextRetryAt: number | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly acks: QueuedAck[] = [];
  private readonly inFlight = new Set<string>();
  private durableUpTo = 0;
  private publishedUpTo = 0;
  /** Highest seq the broker took (PUBACK) on the current connection: events it will deliver to the cloud. */
  private brokerHasUpTo = 0;
  private desiredChain: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  private resendTimer: ReturnType<typeof setInterval> | undefined;
  private ackedAtLastCheck = -1;
  private readonly rejections: RejectionFold;

  constructor(opts: ControllerLinkOptions) {
    super();
    this.opts = opts;
    this.bankId = opts.bankId;
    this.controllerId = opts.controllerId;
    this.bootId = opts.bootId ?? `boot-${randomBytes(8).toString('hex')}`;
    this.firmware = opts.firmware ?? '0.1.0';
    this.log = (opts.logger ?? silentLogger).child({ module: 'link', controllerId: opts.controllerId });
    this.key = typeof opts.cloudPublicKey === 'string' ? importPublicKey(opts.cloudPublicKey) : opts.cloudPublicKey;
    this.localNow = opts.now ?? Date.now;
    this.backoff = new Backoff(opts.backoff);
    const t = (c: Channel): string => topicFor(opts.bankId, opts.controllerId, c);
    this.topics = { cmd: t('cmd'), ack: t('ack'), evt: t('evt'), evtack: t('evtack'), desired: t('desired'), reported: t('reported'), status: t('status') };
    this.startedMono = (opts.monotonic ?? (() => performance.now()))();
    this.rejections = new RejectionFold({
      report: (r) => this.reportRejection(r),
      ...(opts.rejectionWindowMs !== undefined ? { windowMs: opts.rejectionWindowMs } : {}),
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
    if (this.connectStarted || this.stopping) return;
    this.connectStarted = true;
    this.connect();
    const every = this.opts.evtackTimeoutMs ?? 30_000;
    this.resendTimer = setInterval(() => this.resendIfStalled(), every);
    this.resendTimer.unref?.();
  }

  private async openFiles(): Promise<void> {
    const dir = this.opts.dataDir;
    const logger = this.opts.logger ?? silentLogger;
    this.commands = await CommandStore.open(dir, { ...this.opts.seenIds, logger, floorAfterReset: () => this.localNow() });
    this.clockImpl = new CloudClock({
      state: this.commands.data.clock,
      now: this.localNow,
      ...(this.opts.monotonic ? { monotonic: this.opts.monotonic } : {}),
    });
    this.outbox = await Outbox.open(dir, { logger, seqFloor: () => this.commands.data.seqHighWater });
    this.desiredStore = await DesiredStore.open(dir, { logger });
    this.durableUpTo = this.outbox.nextSeq - 1;
    this.started = true;

    const resets: Array<[LocalStateWhat, StoreReset | undefined]> = [
      ['seen-ids', this.commands.reset],
      ['outbox', this.outbox.reset],
      ['desired', this.desiredStore.reset],
    ];
    const stored = this.desiredStore.desired;
    if (stored && !this.desiredStore.reset) {
      const why = !verifyMessage(stored, this.key)
        ? 'stored desired state does not verify with the cloud key'
        : stored.bankId !== this.bankId || stored.controllerId !== this.controllerId
          ? 'stored desired state is for another controller'
          : undefined;
      if (why) resets.push(['desired', await this.desiredStore.discard(why)]);
    }
    for (const [what, reset] of resets) {
      if (!reset) continue;
      const reason = `${reset.reason}`.slice(0, 200);
      this.emit('local-state-reset', { what, reason });
      void this.publishEvent({ type: 'local-state-reset', what, reason }).catch((err: unknown) => this.log.error({ err }, 'could not record local-state-reset'));
    }
    if (this.clockImpl.droppedPersisted) this.log.warn('local clock is earlier than when the cloud offset was learned; offset dropped until relearned');

    // Commands that were running when we stopped: answer `unknown`, never run them again. They stay marked pending
    // until the ack is handed to the broker, so a second crash answers them again rather than never.
    for (const p of this.commands.pending()) {
      this.log.warn({ commandId: p.id, type: p.type }, 'command was interrupted by a restart; answering unknown');
      this.queueAck(
        { v: 1, commandId: p.id, status: 'unknown', reason: 'interrupted', detail: 'controller restarted during the command', at: this.clockImpl.now() },
        undefined,
        () => void this.commands.clearPending([p.id]).catch((err: unknown) => this.log.error({ err }, 'could not clear pending')),
      );
    }
  }

  private resendIfStalled(): void {
    const acked = this.outbox.ackedUpTo;
    const stalled = acked === this.ackedAtLastCheck && this.outbox.depth > 0 && this.publishedUpTo > acked;
    this.ackedAtLastCheck = acked;
    if (!stalled || this.state !== 'online') return;
    this.log.info({ from: acked + 1, depth: this.outbox.depth }, 'no evtack progress; publishing the outbox again');
    this.publishedUpTo = acked;
    this.pump();
  }

  /** Says goodbye (offline status, reason shutdown), disconnects and flushes local state. */
  async stop(reason: 'shutdown' | 'reboot' = 'shutdown'): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.resendTimer) clearInterval(this.resendTimer);
    this.resendTimer = undefined;
    // Rejections still folded become outbox events now (appended before the outbox is closed): none goes unrecorded.
    this.rejections.flush();
    const client = this.client;
    this.client = undefined;
    if (client) {
      if (this.state === 'online') {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          client.publish(this.topics.status, this.encode('status', { v: 1, state: 'offline', reason }), { qos: 1, retain: true }, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      // A graceful end waits for in-flight packets; bounded, and forced when we were not even connected.
      const online = this.state === 'online';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          client.end(true);
          resolve();
        }, 2000);
        client.end(!online, {}, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      client.removeAllListeners();
      client.on('error', () => undefined);
    }
    this.setState('offline');
    this.commands.setClock(this.clockImpl.state());
    this.commands.setSeqHighWater(this.outbox.nextSeq - 1);
    await this.commands.save().catch((err: unknown) => this.log.error({ err }, 'could not save command state'));
    await Promise.all([this.commands.close(), this.outbox.close(), this.desiredStore.file.flush()]);
  }

  // ---------------------------------------------------------------------------------------------------- public API

  status(): LinkStatus {
    return {
      state: this.state,
      attempts: this.backoff.attempts,
      lastError: this.lastError,
      connectedAt: this.connectedAt,
      nextRetryAt: this.nextRetryAt,
      outboxDepth: this.started ? this.outbox.depth : 0,
      nextSeq: this.started ? this.outbox.nextSeq : 1,
      ackedUpTo: this.started ? this.outbox.ackedUpTo : 0,
      desiredVersion: this.started ? this.desiredStore.version : null,
      clockOffsetMs: this.started ? this.clockImpl.offsetMs : null,
    };
  }

  /** The controller's estimate of cloud time. */
  cloudNow(): number {
    return this.clockImpl ? this.clockImpl.now() : this.localNow();
  }

  get clock(): CloudClock {
    this.assertStarted();
    return this.clockImpl;
  }

  /** The applied desired state store (what the offline credential check reads). */
  get desired(): DesiredStore {
    this.assertStarted();
    return this.desiredStore;
  }

  /**
   * Records an event: next seq, appended to the durable outbox first, then published when online (and replayed after
   * every reconnect until a signed evtack covers it). Resolves once the event is on disk.
   */
  async publishEvent(body: EventBody): Promise<PortierEvent> {
    this.assertStarted();
    const { entry, durable } = this.outbox.append(body, this.clockImpl.now());
    this.commands.setSeqHighWater(entry.seq);
    await durable;
    if (entry.seq > this.durableUpTo) this.durableUpTo = entry.seq;
    this.pump();
    return entry;
  }

  /** Publishes `reported` now (the runtime calls it when door states change). */
  reportNow(): void {
    if (!this.started || this.state !== 'online' || !this.client) return;
    this.publish(this.client, 'reported', this.buildReported());
  }

  // ---------------------------------------------------------------------------------------------------- connection

  private connect(): void {
    if (this.stopping) return;
    this.retryTimer = undefined;
    this.nextRetryAt = undefined;
    const gen = ++this.generation;
    this.setState('connecting');
    const will = { topic: this.topics.status, payload: this.encode('status', { v: 1, state: 'offline' }), qos: 1 as const, retain: true };
    const client = mqtt.connect(this.opts.brokerUrl, {
      ...this.opts.mqtt,
      clientId: this.controllerId,
      username: this.controllerId,
      password: this.opts.secret,
      clean: false,
      // Our own scheduling (jittered, capped, observable, fake-timer testable) instead of MQTT.js's fixed period.
      reconnectPeriod: 0,
      connectTimeout: this.opts.connectTimeoutMs ?? 10_000,
      keepalive: this.opts.keepaliveS ?? 30,
      resubscribe: false,
      will,
    });
    this.client = client;
    // Without TCP_NODELAY a QoS1 round trip costs ~88 ms on loopback (STACK.md "MQTT"): Nagle meets delayed ACK.
    (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);

    client.on('connect', (connack) => {
      if (gen !== this.generation) return;
      this.onConnected(client, gen, connack.sessionPresent);
    });
    client.on('message', (topic, payload, packet) => {
      if (gen !== this.generation) return;
      this.onMessage(topic, payload, packet.retain);
    });
    client.on('error', (err) => {
      const code = (err as { code?: string | number }).code;
      this.lastError = { message: err.message, ...(code !== undefined ? { code } : {}), at: this.localNow() };
      this.log.warn({ err: err.message, code }, 'mqtt error');
    });
    client.on('close', () => {
      if (gen !== this.generation) return;
      this.onClosed(client);
    });
  }

  private onConnected(client: MqttClient, gen: number, sessionPresent: boolean): void {
    this.backoff.reset();
    this.connectedAt = this.localNow();
    this.log.info({ sessionPresent }, 'connected');
    // Publishing may start at once; "online" is announced after SUBACK, when commands can actually arrive.
    this.publish(client, 'status', { v: 1, state: 'online', at: this.clockImpl.now(), firmware: this.firmware, bootId: this.bootId });
    this.publish(client, 'reported', this.buildReported());
    for (const a of this.acks) this.sendAck(client, gen, a);
    // Replay the whole outbox in seq order: the broker may have lost what it had taken (in-memory persistence).
    this.publishedUpTo = this.outbox.ackedUpTo;
    this.brokerHasUpTo = this.outbox.ackedUpTo;
    client.subscribe(
      { [this.topics.cmd]: { qos: 1 }, [this.topics.evtack]: { qos: 1 }, [this.topics.desired]: { qos: 1 } },
      (err, granted) => {
        if (gen !== this.generation) return;
        if (err) {
          this.lastError = { message: `subscribe failed: ${err.message}`, at: this.localNow() };
          this.log.error({ err }, 'subscribe failed');
        }
        const refused = (granted ?? []).filter((g) => g.qos === 128);
        if (refused.length) {
          this.lastError = { message: `subscription refused: ${refused.map((g) => g.topic).join(', ')}`, at: this.localNow() };
          this.log.error({ refused }, 'subscription refused by the broker');
        }
        if (!this.client || this.client !== client) return;
        this.setState('online');
        for (const a of this.acks) this.sendAck(client, gen, a);
        this.pump();
      },
    );
  }

  private onClosed(client: MqttClient): void {
    client.removeAllListeners();
    client.on('error', () => undefined);
    client.end(true);
    if (this.client === client) this.client = undefined;
    if (this.stopping) return;
    const wasOnline = this.state === 'online';
    this.connectedAt = undefined;
    this.setState('offline');
    if (wasOnline) this.log.warn('connection lost');
    const delay = this.backoff.next();
    this.nextRetryAt = this.localNow() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.setState('backoff');
  }

  private setState(s: LinkState): void {
    this.state = s;
    this.emit('state', this.status());
  }

  // ---------------------------------------------------------------------------------------------------- publishing

  private encode<C extends Channel>(channel: C, msg: MessageOf<C>): Buffer {
    return encodePayload(channel, msg);
  }

  private publish<C extends Channel>(client: MqttClient, channel: C, msg: MessageOf<C>, cb?: (err?: Error) => void): void {
    let payload: Buffer;
    try {
      payload = this.encode(channel, msg);
    } catch (err) {
      // A bug of ours (an invalid message): never send what the cloud would drop, never crash the controller.
      this.log.error({ err, channel }, 'refusing to publish an invalid message');
      cb?.(err as Error);
      return;
    }
    const { qos, retain } = CHANNEL_QOS[channel];
    client.publish(this.topics[channel], payload, { qos, retain }, (err) => cb?.(err ?? undefined));
  }

  /** Publishes outbox entries that are on disk and not yet sent on this connection, in seq order. */
  private pump(): void {
    const client = this.client;
    if (this.state !== 'online' || !client) return;
    if (this.publishedUpTo >= this.durableUpTo) return;
    const gen = this.generation;
    for (const e of this.outbox.range(this.publishedUpTo + 1, this.durableUpTo)) {
      this.publish(client, 'evt', e, (err) => {
        if (!err && gen === this.generation && e.seq > this.brokerHasUpTo) this.brokerHasUpTo = e.seq;
      });
    }
    this.publishedUpTo = this.durableUpTo;
  }

  private queueAck(ack: Ack, command: Command | undefined, done?: () => void): void {
    let payload: Buffer;
    try {
      payload = this.encode('ack', ack);
    } catch (err) {
      this.log.error({ err, ack }, 'invalid ack not sent');
      return;
    }
    const q: QueuedAck = { ack, payload, sentOn: 0, ...(done ? { done } : {}) };
    this.acks.push(q);
    this.emit('ack', { ack, command });
    if (this.state === 'online' && this.client) this.sendAck(this.client, this.generation, q);
  }

  /** Acks stay queued until the broker took them; a connection lost meanwhile resends them on the next one. */
  private sendAck(client: MqttClient, gen: number, q: QueuedAck): void {
    if (q.sentOn === gen) return;
    q.sentOn = gen;
    client.publish(this.topics.ack, q.payload, { qos: 1 }, (err) => {
      if (err) return;
      const i = this.acks.indexOf(q);
      if (i >= 0) this.acks.splice(i, 1);
      q.done?.();
    });
  }

  private buildReported(): Reported {
    const desired = this.desiredStore.desired;
    const snap = this.opts.executor.snapshot?.();
    const doors: ReportedDoor[] =
      snap?.doors ?? (desired?.state.doors ?? []).map((d) => ({ door: d.door, state: 'unknown' as const, itemPresent: null, service: d.service }));
    const mono = (this.opts.monotonic ?? (() => performance.now()))();
    return {
      v: 1,
      at: this.clockImpl.now(),
      desiredVersion: desired?.version ?? null,
      desiredHash: this.desiredStore.hash,
      doors,
      bus: snap?.bus ?? { state: 'ok', consecutiveFailures: 0 },
      firmware: this.firmware,
      bootId: this.bootId,
      uptimeS: Math.max(0, Math.floor((mono - this.startedMono) / 1000)),
      outboxDepth: this.outbox.depth,
      clockOffsetMs: this.clockImpl.offsetMs === null ? null : Math.round(this.clockImpl.offsetMs),
      ...(this.outbox.lastEvtack ? { evtack: this.outbox.lastEvtack } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------------- receiving

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    try {
      if (topic === this.topics.cmd) this.onCommand(payload);
      else if (topic === this.topics.evtack) this.onEvtack(payload);
      else if (topic === this.topics.desired) this.onDesired(payload, retained);
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

  private reject(command: Command | undefined, commandId: string, reason: AckReason, detail?: string): void {
    this.log.warn({ commandId, reason, detail }, 'command rejected');
    this.queueAck(
      { v: 1, commandId, status: 'rejected', reason, ...(detail ? { detail: detail.slice(0, 200) } : {}), at: this.clockImpl.now() },
      command,
    );
  }

  private learn(issuedAt: number): void {
    if (this.clockImpl.observe(issuedAt)) {
      void this.commands.saveClock(this.clockImpl.state()).catch((err: unknown) => this.log.error({ err }, 'could not persist clock'));
    }
  }

  private onCommand(payload: Buffer): void {
    const r = parsePayload('cmd', payload);
    if (!r.ok) {
      this.drop('cmd', r.code, r.message);
      // Answer `malformed` when the envelope at least names a command of ours; otherwise there is nobody to answer.
      // The id comes from what parsePayload decoded: a payload refused for its size or encoding is never read.
      const id = malformedCommandId(r.decoded);
      // A missing or mangled `sig` is a signature failure, whatever else is right about the envelope.
      if (id) this.reject(undefined, id, r.field === 'sig' ? 'bad_signature' : 'malformed', r.message);
      return;
    }
    const cmd = r.value;
    // Unsigned ids are not remembered: anyone could otherwise burn the ids of future commands.
    if (!verifyMessage(cmd, this.key)) return this.reject(cmd, cmd.id, 'bad_signature');
    if (cmd.bankId !== this.bankId || cmd.controllerId !== this.controllerId) {
      return this.reject(cmd, cmd.id, 'wrong_target', `addressed to ${cmd.bankId}/${cmd.controllerId}`);
    }
    const seen = this.commands.check(cmd.id, cmd.issuedAt);
    if (seen !== 'new') {
      // A QoS1 redelivery of a command still running here: its outcome ack is on the way, do not contradict it.
      if (this.inFlight.has(cmd.id)) return this.log.info({ commandId: cmd.id }, 'duplicate delivery of a running command ignored');
      return this.reject(cmd, cmd.id, 'replayed', seen === 'below-floor' ? 'issued before the replay floor' : undefined);
    }
    // Judged before learning from it: a stale command (queued through an outage) must not teach us that it is fresh.
    const now = this.clockImpl.nowFor(cmd.issuedAt);
    if (cmd.expiresAt <= now) {
      this.commands.remember(cmd);
      void this.commands.save().catch(() => undefined);
      return this.reject(cmd, cmd.id, 'expired', `expired ${now - cmd.expiresAt} ms ago by cloud-time estimate`);
    }
    this.learn(cmd.issuedAt);
    this.maybePrune(now);
    void this.execute(cmd);
  }

  private maybePrune(cloudNow: number): void {
    const local = this.localNow();
    if (local - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = local;
    const n = this.commands.prune(cloudNow);
    if (n) this.log.debug({ pruned: n }, 'expired seen ids pruned');
  }

  private async execute(cmd: Command): Promise<void> {
    this.inFlight.add(cmd.id);
    try {
      const isOpen = cmd.type === 'open-door';
      try {
        // Durable before any effect: the id survives a restart (no replay) and an open-door is marked pending (a
        // crash mid-command is answered `unknown` after restart and never run again).
        await this.commands.accept({ ...cmd, ...(isOpen ? { door: cmd.body.door } : {}) }, isOpen, this.localNow());
      } catch (err) {
        this.log.error({ err, commandId: cmd.id }, 'could not record the command durably; not executing');
        this.queueAck({ v: 1, commandId: cmd.id, status: 'unknown', detail: 'controller storage failed; not executed', at: this.clockImpl.now() }, cmd);
        return;
      }
      const outcome = await this.run(cmd);
      const ack: Ack = { v: 1, commandId: cmd.id, status: outcome.status, at: this.clockImpl.now() };
      if (outcome.reason) ack.reason = outcome.reason;
      if (outcome.detail) ack.detail = outcome.detail.slice(0, 200);
      this.log.info({ commandId: cmd.id, type: cmd.type, status: ack.status, reason: ack.reason }, 'command done');
      this.queueAck(ack, cmd);
      // Not on the caller's critical path: the ack goes out while the pending mark is cleared.
      if (isOpen) void this.commands.clearPending([cmd.id], CLEAR_PENDING_DEFER_MS).catch((err: unknown) => this.log.error({ err }, 'could not clear pending'));
    } finally {
      this.inFlight.delete(cmd.id);
    }
  }

  private async run(cmd: Command): Promise<CommandOutcome> {
    const ex = this.opts.executor;
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
        case 'rebirth': {
          if (this.client && this.state === 'online') {
            this.publish(this.client, 'status', { v: 1, state: 'online', at: this.clockImpl.now(), firmware: this.firmware, bootId: this.bootId });
            this.publish(this.client, 'reported', this.buildReported());
          }
          return { status: 'done' };
        }
        case 'resend-events': {
          const range = this.outbox.range(cmd.body.fromSeq, cmd.body.toSeq);
          if (this.client && this.state === 'online') {
            // Asked for events already confirmed and dropped: the cloud lost them. Its signed evtack (in `reported`,
            // sent first) lets it record them as a gap and take the events that follow.
            if (cmd.body.fromSeq <= this.outbox.ackedUpTo) this.publish(this.client, 'reported', this.buildReported());
            for (const e of range) this.publish(this.client, 'evt', e);
          }
          const missing = cmd.body.fromSeq <= this.outbox.ackedUpTo ? ` (up to ${this.outbox.ackedUpTo} already confirmed)` : '';
          return { status: 'done', detail: `resent ${range.length} events${missing}` };
        }
        case 'kiosk-open-result':
          if (!ex.kioskOpenResult) return { status: 'rejected', reason: 'unsupported', detail: 'not a kiosk controller' };
          return (await ex.kioskOpenResult(cmd)) ?? { status: 'done' };
      }
    } catch (err) {
      this.log.error({ err, commandId: cmd.id }, 'executor failed');
      return { status: 'unknown', detail: `executor failed: ${(err as Error).message}`.slice(0, 200) };
    }
  }

  private onEvtack(payload: Buffer): void {
    const r = parsePayload('evtack', payload);
    if (!r.ok) return this.drop('evtack', r.code, r.message);
    const m = r.value;
    if (!verifyMessage(m, this.key)) return this.drop('evtack', 'BAD_SIGNATURE', 'evtack signature does not verify');
    if (m.bankId !== this.bankId || m.controllerId !== this.controllerId) return this.drop('evtack', 'WRONG_TARGET', 'evtack for another controller');
    this.learn(m.issuedAt);
    // An evtack beyond this controller's own numbering confirms events someone else published under its identity
    // (or from before its numbering went back): what it says about our seqs may be about theirs. Then only events the
    // broker took on this connection are dropped (the cloud gets them and keeps them, as conflicts if need be), never
    // ones it has not seen yet.
    const beyond = m.upTo > this.outbox.nextSeq - 1;
    if (beyond) this.log.warn({ upTo: m.upTo, lastSeq: this.outbox.nextSeq - 1 }, 'the cloud confirmed events this controller never numbered: another client may be publishing under its identity');
    const { dropped, durable } = this.outbox.ack(beyond ? this.brokerHasUpTo : m.upTo, beyond ? undefined : m);
    if (dropped || m.upTo > 0) void durable.catch((err: unknown) => this.log.error({ err }, 'could not write outbox after evtack'));
    this.emit('evtack', { upTo: m.upTo, dropped });
  }

  private onDesired(payload: Buffer, retained: boolean): void {
    // An empty retained payload clears the retained message on the broker: nothing to apply.
    if (payload.byteLength === 0) return;
    const r = parsePayload('desired', payload);
    if (!r.ok) {
      this.drop('desired', r.code, r.message);
      this.rejectDesired('malformed', 0, `malformed: ${r.message}`);
      return;
    }
    const d = r.value;
    if (!verifyMessage(d, this.key)) return this.rejectDesired('bad-signature', d.version, 'bad signature');
    if (d.bankId !== this.bankId || d.controllerId !== this.controllerId) return this.rejectDesired('wrong-target', d.version, `addressed to ${d.bankId}/${d.controllerId}`);
    // A retained copy may be days old; only a live one says something about cloud time now.
    if (!retained) this.learn(d.issuedAt);
    this.desiredChain = this.desiredChain.then(() => this.applyDesired(d)).catch((err: unknown) => this.log.error({ err }, 'could not apply desired state'));
  }

  private async applyDesired(d: Desired): Promise<void> {
    const applied = this.desiredStore.version;
    if (applied !== null && d.version <= applied) {
      if (d.version < applied) this.rejectDesired('older', d.version, `older than the applied version ${applied}`);
      else if (this.desiredStore.desired?.sig !== d.sig && this.desiredStore.hash !== desiredStateHash(d.state)) {
        this.rejectDesired('same-version', d.version, 'same version as the applied one with different content');
      }
      return;
    }
    const hash = await this.desiredStore.apply(d);
    this.log.info({ version: d.version, hash }, 'desired state applied');
    this.emit('desired', { desired: d, hash });
    if (this.client && this.state === 'online') this.publish(this.client, 'reported', this.buildReported());
  }

  /** A refused desired state: seen locally at once, reported to the cloud folded per kind (rejection-fold.ts). */
  private rejectDesired(kind: string, version: number, reason: string): void {
    this.log.debug({ version, reason }, 'desired state rejected');
    this.emit('desired-rejected', { version, reason });
    this.rejections.record(kind, version, reason);
  }

  private reportRejection(r: FoldedRejection): void {
    if (!this.started) return;
    this.log.warn({ version: r.version, reason: r.reason, count: r.count }, r.count > 1 ? 'desired states rejected (folded)' : 'desired state rejected');
    const event: EventBody = { type: 'desired-rejected', version: r.version, reason: r.reason.slice(0, 200), ...(r.count > 1 ? { count: r.count } : {}) };
    void this.publishEvent(event).catch((err: unknown) => this.log.error({ err }, 'could not record desired-rejected'));
  }

  private assertStarted(): void {
    if (!this.started) throw new LinkError('LINK_NOT_STARTED', 'the link is not started');
  }
}

/** The id of a command that failed its schema, when its decoded JSON at least carries a valid-looking id. */
function malformedCommandId(decoded: unknown): string | undefined {
  if (decoded && typeof decoded === 'object' && 'id' in decoded) {
    const id = idSchema.safeParse((decoded as { id: unknown }).id);
    if (id.success) return id.data;
  }
  return undefined;
}
