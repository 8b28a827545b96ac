/**
 * The cloud's MQTT link: one service-account MQTT.js client (embedded broker or an external one, by URL and
 * credentials) that
 * - signs and publishes commands (`cmd`) and desired state (`desired`, retained, version + 1 on every change);
 * - receives `ack`, `evt`, `reported`, `status` of every controller, parses each with the protocol's schema and
 *   logs + drops anything bad, including messages on the topic of an unknown or revoked controller, or of a
 *   controller under another bank than its identity's;
 * - stores events exactly once by (controllerId, seq), in order (event-journal.ts), under one policy for gaps and
 *   conflicting seqs (event-sequence.ts: asks for a gap with a signed `resend-events`, records a gap the controller
 *   proves it cannot fill, keeps both events of a conflict, raises `sequence-alert`), and acks stored events with a
 *   signed `evtack` {upTo: highest contiguous stored seq};
 * - tracks each controller: online (birth / will), last seen, the features its birth names (`featuresOf`), reported
 *   state, the desired version and hash it applied vs what was sent (drift), and gives its doors as `unknown` while
 *   it is offline.
 *
 * Hook for the domain: every stored event is emitted as `event-stored` once it is durable, in seq order per
 * controller; event ingest (bridge/event-ingest.ts) applies it to the domain there. Controllers are tracked in
 * controller-tracks.ts.
 */
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  allControllersFilter,
  CHANNEL_QOS,
  DEFAULT_MQTT_VERSION,
  desiredStateHash,
  encodePayload,
  knownFeatures,
  parsePayload,
  persistentSessionOptions,
  refusedFilters,
  signMessage,
  topicFor,
  tryParseTopic,
  verifyMessage,
  type Channel,
  type Command,
  type CommandOf,
  type CommandType,
  type ControllerFeature,
  type Desired,
  type DesiredState,
  type EvtAck,
  type ReportedDoor,
  type Status,
} from '@portier/protocol';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { connectMqtt } from '../mqtt/client.ts';
import { ControllerTracks, type Track } from './controller-tracks.ts';
import { DesiredSender } from './desired-sender.ts';
import { DesiredStore, type DesiredVersions } from './desired-store.ts';
import { EventSequencer } from './event-sequence.ts';
import { SyncError, type CloudLinkEvents, type CloudLinkOptions, type ControllerView, type DroppedMessage } from './link-types.ts';

export { SyncError, type CloudLinkEvents, type CloudLinkOptions, type ControllerView, type DroppedMessage, type SyncErrorCode } from './link-types.ts';

const SUBSCRIBED: Channel[] = ['ack', 'evt', 'reported', 'status'];

export class CloudLink extends EventEmitter<CloudLinkEvents> {
  private client: MqttClient | undefined;
  private desired: DesiredVersions | undefined;
  private readonly tracks: ControllerTracks;
  private readonly sender: DesiredSender;
  private readonly log: Logger;
  private readonly now: () => number;
  private connected = false;
  private stopped = false;
  private readonly sequencer: EventSequencer;
  private readonly publicKey: KeyObject;
  private readonly verifiedProofs = new WeakMap<EvtAck, boolean>();
  /** Banks taken over while the link was down: their controllers are asked for unacked events once it is up. */
  private readonly resumeOnConnect = new Set<string>();

  constructor(private readonly opts: CloudLinkOptions) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'cloud-link' });
    this.now = opts.now ?? Date.now;
    this.publicKey = createPublicKey(opts.signingKey);
    this.sender = new DesiredSender({
      signingKey: opts.signingKey,
      now: this.now,
      log: this.log,
      versions: () => this.desired,
      publish: (bankId, controllerId, payload) => this.publish('desired', bankId, controllerId, payload),
      published: (bankId, controllerId) => {
        const t = this.tracks.get(controllerId);
        if (t?.reported) this.emit('reported', { bankId, controllerId, reported: t.reported, drift: this.tracks.driftOf(t) });
      },
    });
    this.tracks = new ControllerTracks({
      directory: opts.directory,
      sent: (controllerId) => {
        const sent = this.desired?.get(controllerId);
        return sent ? { version: sent.message.version, hash: sent.hash, state: sent.message.state } : undefined;
      },
      storedUpTo: (controllerId) => opts.journal.storedUpTo(controllerId),
    });
    this.sequencer = new EventSequencer({
      journal: opts.journal,
      logger: this.log,
      now: this.now,
      provenUpTo: (bankId, controllerId) => this.provenUpTo(bankId, controllerId),
      askResend: (bankId, controllerId, fromSeq, id) => this.sendCommand(bankId, controllerId, 'resend-events', { fromSeq }, { id }),
      evtack: (_bankId, controllerId) => this.scheduleEvtack(this.tracks.get(controllerId)),
      stored: (e) => this.emit('event-stored', e),
      gap: (g) => this.emit('gap', g),
      conflict: (c) => this.emit('seq-conflict', c),
      alert: (a) => this.emit('sequence-alert', a),
      ...(opts.resendAfterMs !== undefined ? { resendAfterMs: opts.resendAfterMs } : {}),
      ...(opts.maxBuffered !== undefined ? { maxAhead: opts.maxBuffered } : {}),
      ...(opts.alertWindowMs !== undefined ? { alertWindowMs: opts.alertWindowMs } : {}),
    });
  }

  /**
   * What the controller proved the cloud once acked: the `upTo` of the evtack in its last `reported`, when that
   * evtack verifies with the cloud's key and names this controller (nobody else can make one), else 0.
   */
  private provenUpTo(bankId: string, controllerId: string): number {
    const proof = this.tracks.get(controllerId)?.reported?.evtack;
    if (!proof || proof.bankId !== bankId || proof.controllerId !== controllerId) return 0;
    // Verified once per reported proof: a flood of events ahead costs a lookup each, not a signature check.
    let valid = this.verifiedProofs.get(proof);
    if (valid === undefined) this.verifiedProofs.set(proof, (valid = verifyMessage(proof, this.publicKey)));
    return valid ? proof.upTo : 0;
  }

  /** Whether this instance acts for the bank (bank-ownership.ts); a cloud without an owner option acts for all. */
  private owns(bankId: string): boolean {
    return this.opts.owner?.owns(bankId) ?? true;
  }

  /**
   * This instance is taking these banks over: what another instance stored and signed for their controllers is read
   * again. Resolves with their live controllers. `resume` follows once the banks count as owned.
   */
  async refresh(bankIds: readonly string[]): Promise<string[]> {
    const controllerIds = this.liveControllersOf(bankIds).map((c) => c.controllerId);
    await this.opts.journal.refresh(controllerIds);
    await this.desired?.refresh(controllerIds);
    return controllerIds;
  }

  /** Each controller of banks just taken over is acked and asked for the events it holds unacked (event-sequence.ts). */
  resume(bankIds: readonly string[]): void {
    if (!this.connected) {
      for (const b of bankIds) this.resumeOnConnect.add(b);
      return;
    }
    for (const c of this.liveControllersOf(bankIds)) this.sequencer.takeOver(c.bankId, c.controllerId);
  }

  /** Another instance owns these banks now: their controllers' sequence state is dropped here. */
  release(bankIds: readonly string[]): void {
    for (const c of this.liveControllersOf(bankIds)) this.sequencer.forget(c.controllerId);
  }

  private liveControllersOf(bankIds: readonly string[]): Array<{ bankId: string; controllerId: string }> {
    return bankIds.flatMap((bankId) => this.opts.directory.controllersOfBank(bankId).filter((c) => c.revokedAt === null).map((c) => ({ bankId, controllerId: c.controllerId })));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Connects (retrying every second in the background while the broker is away), subscribes, republishes retained
   * desired states. Resolves once connected, or at once with `waitConnected: false` (an external broker that is
   * down must not keep the cloud's API from starting).
   */
  async start(opts: { waitConnected?: boolean } = {}): Promise<void> {
    this.desired = this.opts.desired ?? (await DesiredStore.open(this.opts.desiredDir, (d) => desiredStateHash(d.state)));
    const client = connectMqtt(this.opts.url, {
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      ...this.opts.mqtt,
      clientId: this.opts.clientId ?? this.opts.username,
      username: this.opts.username,
      password: this.opts.password,
      // clean: false, and in MQTT 5 a session expiry too (persistentSessionOptions says why), beside the other
      // CONNECT properties given in `mqtt`.
      ...persistentSessionOptions(this.opts.version ?? DEFAULT_MQTT_VERSION, this.opts.mqtt?.properties),
      // We subscribe ourselves on every connect (below), so retained states come again after a broker restart.
      resubscribe: false,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => this.log.warn({ err: err.message }, 'mqtt error'));
    client.on('close', () => {
      if (this.connected) {
        this.connected = false;
        this.log.warn('link to the broker lost');
        this.emit('connection', { state: 'offline' });
      }
    });
    const ready = new Promise<void>((resolve) => {
      client.on('connect', () => {
        this.onConnect().then(resolve, (err: unknown) => {
          // Connected but not subscribed, the link would hear nothing until the broker dropped it: a new connection
          // asks again (onConnect says why a subscription fails now and then).
          this.log.warn({ err: (err as Error).message }, 'not subscribed: connecting again');
          if (this.client === client && client.connected && !this.stopped) client.stream.destroy();
        });
      });
    });
    if (opts.waitConnected !== false) await ready;
  }

  private async onConnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const filters = SUBSCRIBED.map((ch) => allControllersFilter(ch));
    try {
      await client.subscribeAsync(filters, { qos: 1 });
    } catch (err) {
      // MQTT.js fails the whole SUBSCRIBE when any filter is refused (0x80 in 3.1.1, any code from 0x80 in 5, e.g.
      // 0x87 not authorized): name the ones refused. Going on without them would leave the link deaf to their
      // channels until the broker dropped it, and a NATS node whose JetStream is busy refuses one now and then (it
      // could not create its consumer in time): the connection is dropped (start) and the next one asks again.
      const refused = refusedFilters(filters, (err as { packet?: { granted?: unknown } }).packet?.granted);
      this.log.error({ refused, err: (err as Error).message }, 'broker refused subscriptions of the service account');
      throw err;
    }
    // Retained desired states again: an in-memory broker (the embedded one) lost them if it restarted.
    for (const sent of this.desired?.all() ?? []) {
      const m = sent.message;
      if (!this.owns(m.bankId)) continue;
      client.publish(topicFor(m.bankId, m.controllerId, 'desired'), encodePayload('desired', m), { qos: 1, retain: true });
    }
    this.connected = true;
    const resumed = [...this.resumeOnConnect].filter((b) => this.owns(b));
    this.resumeOnConnect.clear();
    this.resume(resumed);
    // The node of a cluster it is on: MQTT.js keeps the one it connected to in its options.
    const { protocol, hostname, port } = client.options;
    this.log.info({ url: this.opts.url, node: `${protocol ?? 'mqtt'}://${hostname ?? '?'}:${port ?? '?'}` }, 'link to the broker up');
    this.emit('connection', { state: 'online' });
  }

  /**
   * Leaves the broker. MQTT.js's orderly end waits for in-flight messages to be acked, which never happens with the
   * broker away (a desired state waiting to go out): without a connection the client is ended at once, and with one
   * it is given `boundMs` to finish before it is ended anyway.
   */
  async stop(opts: { boundMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sequencer.stop();
    const client = this.client;
    const wasConnected = this.connected;
    this.connected = false;
    if (!client) return;
    // A bound on a promise, by a timer that holds the event loop open until the promise settles or the bound passes.
    const within = async <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
      } finally {
        clearTimeout(timer);
      }
    };
    const force = async (): Promise<void> => {
      await within(new Promise<void>((r) => client.end(true, {}, () => r())), 500);
    };
    if (!wasConnected) return force();
    if ((await within(new Promise<'done'>((r) => client.end(false, {}, () => r('done'))), opts.boundMs ?? 2000)) === 'done') return;
    this.log.warn('link did not close (messages in flight never acked): forcing it');
    await force();
  }

  private drop(d: DroppedMessage): void {
    this.log.warn(d, 'message dropped');
    this.emit('dropped', d);
  }

  /** Never throws: whatever arrives is either handled or logged and dropped. */
  private onMessage(topic: string, payload: Buffer): void {
    try {
      this.handle(topic, payload);
    } catch (err) {
      this.drop({ topic, code: 'HANDLER_FAILED', message: (err as Error).message });
    }
  }

  private handle(topic: string, payload: Buffer): void {
    const addr = tryParseTopic(topic);
    if (!addr || !SUBSCRIBED.includes(addr.channel)) return this.drop({ topic, code: 'BAD_TOPIC', message: 'not a controller channel' });
    const { bankId, controllerId, channel } = addr;
    // Before the lookup: a revocation another process wrote counts from the moment it is on disk.
    const active = this.opts.directory.isActive(controllerId);
    const id = this.opts.directory.controller(controllerId);
    if (!id || !active || id.bankId !== bankId) {
      // An empty retained payload is a broker-side clear, not a message.
      if (payload.length === 0) return;
      return this.drop({ topic, channel, controllerId, code: 'UNKNOWN_CONTROLLER', message: id ? (id.revokedAt !== null ? 'revoked controller' : `controller belongs to bank ${id.bankId}`) : 'no such controller' });
    }
    if (payload.length === 0 && (channel === 'reported' || channel === 'status')) return;
    const t = this.tracks.of(bankId, controllerId);
    switch (channel) {
      case 'evt': {
        const r = parsePayload('evt', payload);
        if (!r.ok) return this.drop({ topic, channel, controllerId, code: r.code, message: r.message });
        t.lastSeen = this.now();
        // Stored and acked by the bank's owner alone: the controller keeps it until then.
        if (!this.owns(bankId)) return;
        return this.sequencer.onEvent({ bankId, controllerId, seq: r.value.seq, at: r.value.at, storedAt: this.now(), event: r.value.event });
      }
      case 'ack': {
        const r = parsePayload('ack', payload);
        if (!r.ok) return this.drop({ topic, channel, controllerId, code: r.code, message: r.message });
        t.lastSeen = this.now();
        if (this.owns(bankId)) this.sequencer.onAck(bankId, controllerId, r.value);
        // Every instance hears every ack: a remote open waits on the instance that sent it.
        this.emit('ack', { bankId, controllerId, ack: r.value });
        return;
      }
      case 'reported': {
        const r = parsePayload('reported', payload);
        if (!r.ok) return this.drop({ topic, channel, controllerId, code: r.code, message: r.message });
        t.lastSeen = this.now();
        t.reported = r.value;
        const applied = r.value.desiredVersion;
        if (this.owns(bankId)) {
          // A controller reports on every (re)connect: a resend it never answered is asked again.
          this.sequencer.onConnected(bankId, controllerId);
          if (applied !== null && applied > (this.desired?.get(controllerId)?.message.version ?? Infinity)) void this.sender.above(bankId, controllerId, applied);
        }
        const drift = this.tracks.driftOf(t);
        if (drift) this.log.warn({ controllerId, reported: r.value.desiredVersion, sent: this.desired?.get(controllerId)?.message.version }, 'desired state drift');
        this.emit('reported', { bankId, controllerId, reported: r.value, drift });
        return;
      }
      case 'status': {
        const r = parsePayload('status', payload);
        if (!r.ok) return this.drop({ topic, channel, controllerId, code: r.code, message: r.message });
        this.onStatus(t, r.value);
        return;
      }
      default:
        return;
    }
  }

  private onStatus(t: Track, s: Status): void {
    if (s.state === 'online') {
      if (this.owns(t.bankId)) this.sequencer.onConnected(t.bankId, t.controllerId);
      t.online = true;
      t.lastSeen = this.now();
      t.bootId = s.bootId;
      t.firmware = s.firmware;
      t.features = knownFeatures(s.features);
      this.emit('controller-online', { bankId: t.bankId, controllerId: t.controllerId, bootId: s.bootId, firmware: s.firmware, features: [...t.features] });
    } else {
      const was = t.online;
      t.online = false;
      if (was || t.lastSeen === null) this.emit('controller-offline', { bankId: t.bankId, controllerId: t.controllerId, reason: s.reason ?? 'will' });
    }
  }

  // ---- events: stored by event-sequence.ts, acked here ----

  /** One evtack per controller per turn of the event loop, for the highest contiguous stored seq. */
  private scheduleEvtack(t: Track | undefined): void {
    if (!t || t.evtackScheduled) return;
    t.evtackScheduled = true;
    setImmediate(() => {
      t.evtackScheduled = false;
      const upTo = this.opts.journal.storedUpTo(t.controllerId);
      const msg: EvtAck = signMessage(
        { v: 1 as const, bankId: t.bankId, controllerId: t.controllerId, upTo, issuedAt: this.now() },
        this.opts.signingKey,
      );
      this.publish('evtack', t.bankId, t.controllerId, encodePayload('evtack', msg)).catch((err: unknown) =>
        this.log.warn({ err, controllerId: t.controllerId }, 'evtack not sent'),
      );
    });
  }

  private publish(channel: Channel, bankId: string, controllerId: string, payload: Buffer): Promise<unknown> {
    const client = this.client;
    if (!client || this.stopped) return Promise.reject(new SyncError('NOT_STARTED', 'link not started'));
    return client.publishAsync(topicFor(bankId, controllerId, channel), payload, CHANNEL_QOS[channel]);
  }

  private checkTarget(bankId: string, controllerId: string): void {
    const id = this.opts.directory.controller(controllerId);
    if (!id || id.revokedAt !== null || id.bankId !== bankId) {
      throw new SyncError('UNKNOWN_CONTROLLER', `no active controller ${controllerId} in bank ${bankId}`, 'controllerId');
    }
  }

  // ---- outbound ----

  /**
   * Signs and publishes a command; resolves with the command once the broker has it (PUBACK). The command expires
   * `ttlMs` after now, so one that is not delivered in time never runs later.
   */
  async sendCommand<T extends CommandType>(
    bankId: string,
    controllerId: string,
    type: T,
    body: CommandOf<T>['body'],
    opts: { ttlMs?: number; id?: string; onSigned?: (cmd: CommandOf<T>) => void } = {},
  ): Promise<CommandOf<T>> {
    this.checkTarget(bankId, controllerId);
    const issuedAt = this.now();
    const unsigned = {
      v: 1 as const,
      id: opts.id ?? `cmd-${randomUUID()}`,
      type,
      bankId,
      controllerId,
      issuedAt,
      expiresAt: issuedAt + (opts.ttlMs ?? this.opts.commandTtlMs ?? 10_000),
      body,
    };
    const cmd = signMessage(unsigned, this.opts.signingKey) as unknown as CommandOf<T>;
    const payload = encodePayload('cmd', cmd as Command);
    opts.onSigned?.(cmd);
    await this.publish('cmd', bankId, controllerId, payload);
    return cmd;
  }

  /** What a controller's desired state may carry beyond the first release (controller-tracks.ts). */
  featuresOf(controllerId: string): ControllerFeature[] {
    return this.tracks.featuresOf(controllerId);
  }

  /** Signs and publishes (retained) a controller's desired state (desired-sender.ts). */
  publishDesired(bankId: string, controllerId: string, state: DesiredState): Promise<Desired> {
    try {
      this.checkTarget(bankId, controllerId);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.sender.publish(bankId, controllerId, state);
  }

  /** Clears a controller's retained desired state and forgets it (desired-sender.ts); the controller is revoked first. */
  clearDesired(bankId: string, controllerId: string): Promise<void> {
    return this.sender.clear(bankId, controllerId);
  }

  // ---- views ----

  controller(controllerId: string): ControllerView | undefined {
    return this.tracks.view(controllerId, this.connected);
  }

  /** One door's state as the cloud shows it: `unknown` while its controller is offline or never reported it. */
  doorState(controllerId: string, door: number): 'open' | 'closed' | 'unknown' {
    return this.tracks.doorState(controllerId, door, this.connected);
  }

  /**
   * The doors of a controller as last reported, every one `unknown` while the controller is offline (or the cloud
   * is cut off from the broker): what the cloud shows instead of a stale "closed".
   */
  doorStates(controllerId: string): ReportedDoor[] {
    return this.tracks.doorStates(controllerId, this.connected);
  }
}
