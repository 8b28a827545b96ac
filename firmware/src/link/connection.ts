import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { encodePayload, CHANNEL_QOS, type Channel, type MessageOf } from '@portier/protocol';
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
  extends Pick<ControllerLinkOptions, 'brokerUrl' | 'controllerId' | 'secret' | 'mqtt' | 'connectTimeoutMs' | 'keepaliveS' | 'backoff'> {
  topics: Record<Channel, string>;
  log: Logger;
  localNow: () => number;
  hooks: ConnectionHooks;
}

/**
 * One MQTT connection at a time to the broker, with a persistent session, birth and last will, and our own jittered
 * reconnect (backoff.ts) instead of MQTT.js's fixed period. Each connection has a generation number: callbacks of a
 * connection that was replaced are ignored.
 */
export class LinkConnection {
  private readonly backoff: Backoff;
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
  }

  get state(): LinkState {
    return this.stateNow;
  }

  /** The connection part of the link's status. */
  status(): Pick<LinkStatus, 'state' | 'attempts' | 'lastError' | 'connectedAt' | 'nextRetryAt'> {
    return { state: this.stateNow, attempts: this.backoff.attempts, lastError: this.lastError, connectedAt: this.connectedAt, nextRetryAt: this.nextRetryAt };
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
    client.publish(this.opts.topics[channel], payload, { qos, retain }, (err) => cb?.(err ?? undefined));
  }

  /** Publishes an already encoded payload at QoS 1 (acks, kept encoded while they wait). */
  publishRaw(client: MqttClient, channel: Channel, payload: Buffer, cb: (err?: Error) => void): void {
    client.publish(this.opts.topics[channel], payload, { qos: 1 }, (err) => cb(err ?? undefined));
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
      clientId: o.controllerId,
      username: o.controllerId,
      password: o.secret,
      clean: false,
      // Our own scheduling (jittered, capped, observable, fake-timer testable) instead of MQTT.js's fixed period.
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      keepalive: o.keepaliveS ?? 30,
      resubscribe: false,
      will,
    };
    const client = mqtt.connect(o.brokerUrl, options);
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
    this.backoff.reset();
    this.connectedAt = localNow();
    log.info({ sessionPresent }, 'connected');
    // Publishing may start at once; "online" is announced after SUBACK, when commands can actually arrive.
    hooks.connected(client, gen, sessionPresent);
    client.subscribe({ [topics.cmd]: { qos: 1 }, [topics.evtack]: { qos: 1 }, [topics.desired]: { qos: 1 } }, (err, granted) => {
      if (gen !== this.gen) return;
      if (err) {
        this.lastError = { message: `subscribe failed: ${err.message}`, at: localNow() };
        log.error({ err }, 'subscribe failed');
      }
      const refused = (granted ?? []).filter((g) => g.qos === 128);
      if (refused.length) {
        this.lastError = { message: `subscription refused: ${refused.map((g) => g.topic).join(', ')}`, at: localNow() };
        log.error({ refused }, 'subscription refused by the broker');
      }
      if (!this.client || this.client !== client) return;
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
    this.connectedAt = undefined;
    this.setState('offline');
    if (wasOnline) this.opts.log.warn('connection lost');
    const delay = this.backoff.next();
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
