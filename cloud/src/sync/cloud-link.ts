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
 * - tracks each controller: online (birth / will), last seen, reported state, the desired version and hash it
 *   applied vs what was sent (drift), and gives its doors as `unknown` while it is offline.
 *
 * Hook for the domain: every stored event is emitted as `event-stored` once it is durable, in seq order per
 * controller. The domain service turns kiosk `transaction` events into its transactions there (`onEventStored`).
 */
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  allControllersFilter,
  CHANNEL_QOS,
  desiredStateHash,
  encodePayload,
  parsePayload,
  signMessage,
  topicFor,
  tryParseTopic,
  verifyMessage,
  type Ack,
  type Channel,
  type Command,
  type CommandOf,
  type CommandType,
  type Desired,
  type DesiredState,
  type EvtAck,
  type Reported,
  type ReportedDoor,
  type Status,
} from '@portier/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { connectMqtt } from '../mqtt/client.ts';
import type { ControllerDirectory } from '../mqtt/identities.ts';
import { DesiredStore } from './desired-store.ts';
import type { EventJournal, StoredEvent } from './event-journal.ts';
import { EventSequencer, type SequenceAlert } from './event-sequence.ts';
import { CloudError } from '../errors.ts';

export type SyncErrorCode = 'UNKNOWN_CONTROLLER' | 'NOT_STARTED' | 'PUBLISH_FAILED';

export class SyncError extends CloudError<SyncErrorCode> {
  override name = 'SyncError';
  constructor(code: SyncErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
}

/** What the cloud knows about one controller. */
export interface ControllerView {
  bankId: string;
  controllerId: string;
  /** Birth seen and no will / goodbye since (and the cloud's own link is connected). */
  online: boolean;
  /** Cloud time of the last message from it, null if none since the cloud started. */
  lastSeen: number | null;
  bootId: string | null;
  firmware: string | null;
  reported: Reported | null;
  /** The last desired state sent, and whether what the controller reports having applied differs from it. */
  desiredSent: { version: number; hash: string } | null;
  drift: boolean;
  /** Highest contiguous event seq durably stored. */
  eventsUpTo: number;
}

export interface DroppedMessage {
  topic: string;
  channel?: Channel;
  controllerId?: string;
  code: string;
  message: string;
}

export interface CloudLinkEvents {
  /** An event is durably stored (exactly once, in seq order per controller). The domain hook. */
  'event-stored': [StoredEvent];
  ack: [{ bankId: string; controllerId: string; ack: Ack }];
  'controller-online': [{ bankId: string; controllerId: string; bootId: string; firmware: string }];
  'controller-offline': [{ bankId: string; controllerId: string; reason: 'will' | 'shutdown' | 'reboot' }];
  reported: [{ bankId: string; controllerId: string; reported: Reported; drift: boolean }];
  gap: [{ bankId: string; controllerId: string; fromSeq: number; toSeq: number }];
  /** Two different events under one seq of a controller: both kept (event-sequence.ts). */
  'seq-conflict': [{ bankId: string; controllerId: string; seq: number }];
  /** A gap recorded, a conflict kept, or events ahead the controller did not send (event-sequence.ts), folded. */
  'sequence-alert': [SequenceAlert];
  dropped: [DroppedMessage];
  /** The link's own connection to the broker. */
  connection: [{ state: 'online' | 'offline'; error?: string }];
}

export interface CloudLinkOptions {
  url: string;
  username: string;
  password: string;
  /** Fixed client id of the cloud's persistent session (default `<username>`). */
  clientId?: string;
  signingKey: KeyObject;
  directory: ControllerDirectory;
  journal: EventJournal;
  /** Folder for the last desired state of each controller. */
  desiredDir: string;
  logger?: Logger;
  /** Cloud time. */
  now?: () => number;
  /** Lifetime of commands the link sends on its own (resend-events). */
  commandTtlMs?: number;
  /** A gap is asked for again after this long if it is still open. */
  resendAfterMs?: number;
  /** Events kept per controller while they wait ahead of a gap (compared, never stored from there). */
  maxBuffered?: number;
  /** Sequence alerts of one kind for one controller are folded over this window (default 60 s). */
  alertWindowMs?: number;
  /** Extra MQTT.js options (TLS ca...). */
  mqtt?: Partial<IClientOptions>;
}

interface Track {
  bankId: string;
  controllerId: string;
  online: boolean;
  lastSeen: number | null;
  bootId: string | null;
  firmware: string | null;
  reported: Reported | null;
  evtackScheduled: boolean;
}

const SUBSCRIBED: Channel[] = ['ack', 'evt', 'reported', 'status'];

export class CloudLink extends EventEmitter<CloudLinkEvents> {
  private client: MqttClient | undefined;
  private desired: DesiredStore | undefined;
  private readonly tracks = new Map<string, Track>();
  private readonly desiredChains = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  private readonly now: () => number;
  private connected = false;
  private stopped = false;
  private readonly sequencer: EventSequencer;
  private readonly publicKey: KeyObject;
  private readonly verifiedProofs = new WeakMap<EvtAck, boolean>();

  constructor(private readonly opts: CloudLinkOptions) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'cloud-link' });
    this.now = opts.now ?? Date.now;
    this.publicKey = createPublicKey(opts.signingKey);
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

  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Connects (retrying every second in the background while the broker is away), subscribes, republishes retained
   * desired states. Resolves once connected, or at once with `waitConnected: false` (an external broker that is
   * down must not keep the cloud's API from starting).
   */
  async start(opts: { waitConnected?: boolean } = {}): Promise<void> {
    this.desired = await DesiredStore.open(this.opts.desiredDir, (d) => desiredStateHash(d.state));
    const client = connectMqtt(this.opts.url, {
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      ...this.opts.mqtt,
      clientId: this.opts.clientId ?? this.opts.username,
      username: this.opts.username,
      password: this.opts.password,
      clean: false,
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
          this.log.error({ err }, 'subscribing after connect failed');
        });
      });
    });
    if (opts.waitConnected !== false) await ready;
  }

  private async onConnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const granted = await client.subscribeAsync(
      SUBSCRIBED.map((ch) => allControllersFilter(ch)),
      { qos: 1 },
    );
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length > 0) this.log.error({ refused: refused.map((g) => g.topic) }, 'broker refused subscriptions of the service account');
    // Retained desired states again: an in-memory broker (the embedded one) lost them if it restarted.
    for (const sent of this.desired?.all() ?? []) {
      const m = sent.message;
      client.publish(topicFor(m.bankId, m.controllerId, 'desired'), encodePayload('desired', m), { qos: 1, retain: true });
    }
    this.connected = true;
    this.log.info({ url: this.opts.url }, 'link to the broker up');
    this.emit('connection', { state: 'online' });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sequencer.stop();
    const client = this.client;
    this.connected = false;
    if (client) await new Promise<void>((r) => client.end(false, {}, () => r()));
  }

  private drop(d: DroppedMessage): void {
    this.log.warn(d, 'message dropped');
    this.emit('dropped', d);
  }

  private track(bankId: string, controllerId: string): Track {
    let t = this.tracks.get(controllerId);
    if (!t) {
      t = {
        bankId,
        controllerId,
        online: false,
        lastSeen: null,
        bootId: null,
        firmware: null,
        reported: null,
        evtackScheduled: false,
      };
      this.tracks.set(controllerId, t);
    }
    return t;
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
    const t = this.track(bankId, controllerId);
    switch (channel) {
      case 'evt': {
        const r = parsePayload('evt', payload);
        if (!r.ok) return this.drop({ topic, channel, controllerId, code: r.code, message: r.message });
        t.lastSeen = this.now();
        return this.sequencer.onEvent({ bankId, controllerId, seq: r.value.seq, at: r.value.at, storedAt: this.now(), event: r.value.event });
      }
      case 'ack': {
        const r = parsePayload('ack', payload);
        if (!r.ok) return this.drop({ topic, channel, controllerId, code: r.code, message: r.message });
        t.lastSeen = this.now();
        this.sequencer.onAck(bankId, controllerId, r.value);
        this.emit('ack', { bankId, controllerId, ack: r.value });
        return;
      }
      case 'reported': {
        const r = parsePayload('reported', payload);
        if (!r.ok) return this.drop({ topic, channel, controllerId, code: r.code, message: r.message });
        t.lastSeen = this.now();
        t.reported = r.value;
        // A controller reports on every (re)connect: a resend it never answered is asked again.
        this.sequencer.onConnected(bankId, controllerId);
        const drift = this.driftOf(t);
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
      this.sequencer.onConnected(t.bankId, t.controllerId);
      t.online = true;
      t.lastSeen = this.now();
      t.bootId = s.bootId;
      t.firmware = s.firmware;
      this.emit('controller-online', { bankId: t.bankId, controllerId: t.controllerId, bootId: s.bootId, firmware: s.firmware });
    } else {
      const was = t.online;
      t.online = false;
      if (was || t.lastSeen === null) this.emit('controller-offline', { bankId: t.bankId, controllerId: t.controllerId, reason: s.reason ?? 'will' });
    }
  }

  private driftOf(t: Track): boolean {
    const sent = this.desired?.get(t.controllerId);
    if (!sent || !t.reported) return false;
    return t.reported.desiredVersion !== sent.message.version || t.reported.desiredHash !== sent.hash;
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

  /**
   * Signs and publishes (retained) a controller's desired state. Version + 1 on every change; an unchanged state
   * is not republished. Stored durably before it is published, so a version is never used twice.
   */
  publishDesired(bankId: string, controllerId: string, state: DesiredState): Promise<Desired> {
    try {
      this.checkTarget(bankId, controllerId);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const prev = this.desiredChains.get(controllerId) ?? Promise.resolve();
    const run = async (): Promise<Desired> => {
      const store = this.desired;
      if (!store) throw new SyncError('NOT_STARTED', 'link not started');
      const hash = desiredStateHash(state);
      const last = store.get(controllerId);
      if (last && last.hash === hash && last.message.bankId === bankId) return last.message;
      const message: Desired = signMessage(
        { v: 1 as const, bankId, controllerId, version: (last?.message.version ?? 0) + 1, issuedAt: this.now(), state },
        this.opts.signingKey,
      );
      const payload = encodePayload('desired', message);
      await store.put({ message, hash });
      await this.publish('desired', bankId, controllerId, payload);
      const t = this.tracks.get(controllerId);
      if (t?.reported) this.emit('reported', { bankId, controllerId, reported: t.reported, drift: this.driftOf(t) });
      return message;
    };
    const p = prev.then(run, run);
    this.desiredChains.set(controllerId, p.catch(() => {}));
    return p;
  }

  // ---- views ----

  controller(controllerId: string): ControllerView | undefined {
    const id = this.opts.directory.controller(controllerId);
    const t = this.tracks.get(controllerId);
    if (!id && !t) return undefined;
    const sent = this.desired?.get(controllerId);
    return {
      bankId: t?.bankId ?? id!.bankId,
      controllerId,
      online: (t?.online ?? false) && this.connected,
      lastSeen: t?.lastSeen ?? null,
      bootId: t?.bootId ?? null,
      firmware: t?.firmware ?? null,
      reported: t?.reported ?? null,
      desiredSent: sent ? { version: sent.message.version, hash: sent.hash } : null,
      drift: t ? this.driftOf(t) : false,
      eventsUpTo: this.opts.journal.storedUpTo(controllerId),
    };
  }

  /** One door's state as the cloud shows it: `unknown` while its controller is offline or never reported it. */
  doorState(controllerId: string, door: number): 'open' | 'closed' | 'unknown' {
    return this.doorStates(controllerId).find((d) => d.door === door)?.state ?? 'unknown';
  }

  /**
   * The doors of a controller as last reported, every one `unknown` while the controller is offline (or the cloud
   * is cut off from the broker): what the cloud shows instead of a stale "closed".
   */
  doorStates(controllerId: string): ReportedDoor[] {
    const v = this.controller(controllerId);
    const doors = v?.reported?.doors ?? [];
    if (v?.online) return doors.map((d) => ({ ...d }));
    return doors.map((d) => ({ ...d, state: 'unknown' as const, itemPresent: null }));
  }
}
