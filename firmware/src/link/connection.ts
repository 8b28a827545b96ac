import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { encodePayload, isRefusalCode, CONTROLLER_SUBSCRIBES, parseBrokerUrls, persistentSessionOptions, refusedFilters, sessionClientId, CHANNEL_QOS, DEFAULT_MQTT_VERSION, type Channel, type MessageOf } from '@portier/protocol';
import type { Logger } from '../util/logger.ts';
import { Backoff } from './backoff.ts';
import type { ControllerLinkOptions, LinkState, LinkStatus } from './types.ts';

/** What the connection tells the rest of the link. Called only for the current connection (older ones are ignored). */
export interface ConnectionHooks {
  /** CONNACK: the client may publish (birth, reported, queued acks) before the subscriptions are granted. */
  connected(client: MqttClient, gen: number, sessionPresent: boolean): void;
  /** SUBACK: commands can arrive now; the state is `online`. */
  online(client: MqttClient, gen: number): void;
  message(topic: string, payload: Buffer, retained: boolean): void;
  /** The state changed (the link announces its whole status). */
  stateChanged(): void;
}

export interface ConnectionOptions
  extends Pick<ControllerLinkOptions, 'brokerUrl' | 'mqttVersion' | 'controllerId' | 'secret' | 'mqtt' | 'connectTimeoutMs' | 'keepaliveS' | 'backoff'> {
  topics: Record<Channel, string>;
  log: Logger;
  localNow: () => number;
  hooks: ConnectionHooks;
}

/**
 * One MQTT connection at a time to the broker, with a persistent session, birth and last will, and our own jittered
 * reconnect (backoff.ts) instead of MQTT.js's fixed period. Each connection has a generation number: callbacks of a
 * connection that was replaced are ignored.
 *
 * The broker may be the nodes of a cluster (`brokerUrl` lists them, separated by commas): the link connects to the
 * first, and a failed connect or a lost connection moves it to the next, round the list, with the same client id and
 * persistent session; the event pump then publishes its whole outbox again there.
 */
export class LinkConnection {
  private readonly backoff: Backoff;
  /** The broker's nodes, in the order they are tried. */
  private readonly nodes: readonly string[];
  /** The node connected to, or being tried. */
  private nodeIndex = 0;
  /** Nodes that failed since the last success or the last full round: a full round of failures waits the backoff. */
  private failedInRound = 0;
  /** Failed attempts since the last success (every node tried counts). */
  private failures = 0;
  private client: MqttClient | undefined;
  private gen = 0;
  private stateNow: LinkState = 'offline';
  private lastError: LinkStatus['lastError'];
  private connectedAt: number | undefined;
  private nextRetryAt: number | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopping = false;

  constructor(private readonly opts: ConnectionOptions) {
    this.backoff = new Backoff(opts.backoff);
    this.nodes = parseBrokerUrls(opts.brokerUrl).map((n) => n.url);
  }

  get state(): LinkState {
    return this.stateNow;
  }

  /** The connection part of the link's status. */
  status(): Pick<LinkStatus, 'state' | 'broker' | 'attempts' | 'lastError' | 'connectedAt' | 'nextRetryAt'> {
    return {
      state: this.stateNow,
      broker: this.nodes[this.nodeIndex]!,
      attempts: this.failures,
      lastError: this.lastError,
      connectedAt: this.connectedAt,
      nextRetryAt: this.nextRetryAt,
    };
  }

  /** The client when subscriptions are granted (commands can arrive), else undefined. */
  onlineClient(): { client: MqttClient; gen: number } | undefined {
    return this.stateNow === 'online' && this.client ? { client: this.client, gen: this.gen } : undefined;
  }

  /** Whether a callback of connection `gen` still belongs to the current connection. */
  isCurrent(gen: number): boolean {
    return gen === this.gen;
  }

  /** Encodes (validating) and publishes with the channel's QoS; a message of ours that fails its schema is never sent. */
  publish<C extends Channel>(client: MqttClient, channel: C, msg: MessageOf<C>, cb?: (err?: Error) => void): void {
    let payload: Buffer;
    try {
      payload = encodePayload(channel, msg);
    } catch (err) {
      // A bug of ours (an invalid message): never send what the cloud would drop, never crash the controller.
      this.opts.log.error({ err, channel }, 'refusing to publish an invalid message');
      cb?.(err as Error);
      return;
    }
    const { qos, retain } = CHANNEL_QOS[channel];
    client.publish(this.opts.topics[channel], payload, { qos, retain }, (err) => cb?.(this.refusal(err, channel)));
  }

  /** Publishes an already encoded payload at QoS 1 (acks, kept encoded while they wait). */
  publishRaw(client: MqttClient, channel: Channel, payload: Buffer, cb: (err?: Error) => void): void {
    client.publish(this.opts.topics[channel], payload, { qos: 1 }, (err) => cb(this.refusal(err, channel)));
  }

  /**
   * A publish the broker refused (an MQTT 5 PUBACK with a code from 0x80: not authorized, quota exceeded...) is
   * logged and recorded as the last error; the caller keeps what it sent and sends it again on a later connection.
   */
  private refusal(err: Error | null | undefined, channel: Channel): Error | undefined {
    if (!err) return undefined;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number' && isRefusalCode(code)) {
      this.lastError = { message: `publish on ${channel} refused: ${err.message}`, code, at: this.opts.localNow() };
      this.opts.log.warn({ channel, code, err: err.message }, 'the broker refused a publish');
      // Announced with the link's status, so whoever watches it (console, runtime) sees why nothing is confirmed.
      this.opts.hooks.stateChanged();
    }
    return err;
  }

  connect(): void {
    if (this.stopping) return;
    const o = this.opts;
    this.retryTimer = undefined;
    this.nextRetryAt = undefined;
    const gen = ++this.gen;
    this.setState('connecting');
    const will = { topic: o.topics.status, payload: encodePayload('status', { v: 1, state: 'offline' }), qos: 1 as const, retain: true };
    const options: IClientOptions = {
      ...o.mqtt,
      // Derived from the secret: on a broker that does not bind client ids to users (NATS), another identity's
      // credential cannot name this session and take it over.
      clientId: sessionClientId(o.controllerId, o.secret),
      username: o.controllerId,
      password: o.secret,
      // clean: false on every node, and in MQTT 5 a session expiry: without it a v5 broker ends the session (and the
      // commands queued in it) when the connection drops. Other CONNECT properties given in `mqtt` stay.
      ...persistentSessionOptions(o.mqttVersion ?? DEFAULT_MQTT_VERSION, o.mqtt?.properties),
      // Our own scheduling (jittered, capped, observable, fake-timer testable) instead of MQTT.js's fixed period.
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      keepalive: o.keepaliveS ?? 30,
      resubscribe: false,
      will,
    };
    const node = this.nodes[this.nodeIndex]!;
    const client = mqtt.connect(node, options);
    this.client = client;
    // Without TCP_NODELAY a QoS1 round trip costs ~88 ms on loopback (STACK.md "MQTT"): Nagle meets delayed ACK.
    (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);

    client.on('connect', (connack) => {
      if (gen !== this.gen) return;
      this.onConnected(client, gen, connack.sessionPresent);
    });
    client.on('message', (topic, payload, packet) => {
      if (gen !== this.gen) return;
      o.hooks.message(topic, payload, packet.retain);
    });
    client.on('error', (err) => {
      const code = (err as { code?: string | number }).code;
      this.lastError = { message: err.message, ...(code !== undefined ? { code } : {}), at: o.localNow() };
      o.log.warn({ err: err.message, code }, 'mqtt error');
    });
    client.on('close', () => {
      if (gen !== this.gen) return;
      this.onClosed(client);
    });
  }

  private onConnected(client: MqttClient, gen: number, sessionPresent: boolean): void {
    const { topics, log, localNow, hooks } = this.opts;
    this.connectedAt = localNow();
    log.info({ sessionPresent, broker: this.nodes[this.nodeIndex] }, 'connected');
    // Publishing may start at once; "online" is announced after SUBACK, when commands can actually arrive.
    hooks.connected(client, gen, sessionPresent);
    const filters = [topics.cmd, topics.evtack, topics.desired];
    const { cmd, evtack, desired } = CONTROLLER_SUBSCRIBES;
    client.subscribe({ [topics.cmd]: { qos: cmd }, [topics.evtack]: { qos: evtack }, [topics.desired]: { qos: desired } }, (err, granted, suback) => {
      if (gen !== this.gen) return;
      // A refused filter: 0x80 in 3.1.1, any code from 0x80 in 5 (0x87 not authorized...). MQTT.js fails the whole
      // SUBSCRIBE then, with the codes in the SUBACK; without an error the granted QoS are checked all the same.
      const refused = refusedFilters(filters, suback?.granted ?? (granted ?? []).map((g) => g.qos));
      if (refused.length) {
        this.lastError = { message: `subscription refused: ${refused.map((r) => r.filter).join(', ')}`, at: localNow() };
        log.error({ refused }, 'subscription refused by the broker');
      } else if (err) {
        this.lastError = { message: `subscribe failed: ${err.message}`, at: localNow() };
        log.error({ err }, 'subscribe failed');
      }
      if (!this.client || this.client !== client) return;
      if (refused.length || err) {
        // Online without its commands, evtacks and desired state, the controller would look fine and hear nothing
        // (a busy NATS node refuses a subscription whose JetStream consumer it cannot create in time): connect again,
        // to the next node, and ask again. The backoff was not reset, so a broker that always refuses is asked less
        // and less often.
        this.onClosed(client);
        return;
      }
      // Only a connection that can hear its commands ends the failures: the next loss starts a fresh round.
      this.backoff.reset();
      this.failedInRound = 0;
      this.failures = 0;
      this.setState('online');
      hooks.online(client, gen);
    });
  }

  private onClosed(client: MqttClient): void {
    client.removeAllListeners();
    client.on('error', () => undefined);
    client.end(true);
    if (this.client === client) this.client = undefined;
    if (this.stopping) return;
    const wasOnline = this.stateNow === 'online';
    const left = this.nodes[this.nodeIndex];
    this.connectedAt = undefined;
    this.setState('offline');
    if (wasOnline) this.opts.log.warn({ broker: left }, 'connection lost');
    this.failures++;
    this.failedInRound++;
    this.nodeIndex = (this.nodeIndex + 1) % this.nodes.length;
    // Within a round the next node is tried at once, after a jitter below the first backoff step: a node that just
    // went away costs no backoff when another is up, and a fleet that lost it together spreads over the others
    // instead of arriving in one burst. Only a whole round of failures waits the growing backoff, so each dead node
    // is asked at most once per backoff period. With one URL every failure is a whole round, as it always was.
    let delay: number;
    if (this.failedInRound >= this.nodes.length) {
      this.failedInRound = 0;
      delay = this.backoff.next();
    } else {
      delay = this.backoff.hop();
    }
    if (this.nodes.length > 1) this.opts.log.info({ broker: this.nodes[this.nodeIndex], inMs: delay }, 'trying the next broker node');
    this.nextRetryAt = this.opts.localNow() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.setState('backoff');
  }

  /** Says goodbye (offline status with `reason`) when online, then ends the connection; both steps bounded. */
  async stop(reason: 'shutdown' | 'reboot'): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      const online = this.stateNow === 'online';
      if (online) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          client.publish(this.opts.topics.status, encodePayload('status', { v: 1, state: 'offline', reason }), { qos: 1, retain: true }, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      // A graceful end waits for in-flight packets; bounded, and forced when we were not even connected.
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
  }

  private setState(s: LinkState): void {
    this.stateNow = s;
    this.opts.hooks.stateChanged();
  }
}
