// A controller that follows the event contract of the protocol, on a plain MQTT.js client (cloud tests may not use
// the firmware): a persistent session that reconnects by itself (as the firmware's does: a second client of the same
// identity may push it off the broker), numbered events kept in an outbox until a signed evtack covers them, the last
// such evtack reported as its proof, the whole outbox replayed on every connect, resend-events answered (reported
// first when asked for events it already dropped) and acked. A signed, unexpired open-door is run and acked `opened`
// (or held while `holdCommands` is set, as a controller busy or slow to answer); unlike the firmware it keeps no seen
// ids, so a command delivered twice runs twice and `opened` counts it: what a test of "never runs twice" looks at.
import type { KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { encodePayload, parsePayload, topicFor, verifyMessage, type Channel, type Command, type EventBody, type EvtAck, type PortierEvent } from '@portier/protocol';
import type { MqttClient } from 'mqtt';
import { client, type Teardownable } from '../../mqtt/helpers/env.ts';

/** Where a controller connects, and as whom. */
export interface ControllerEndpoint {
  /** The broker's URL, or a cluster's nodes' URLs separated by commas (tried in that order). */
  url: string;
  bankId: string;
  /** The controller's secret (its user name is its id). */
  password: string;
}

type OpenDoor = Extract<Command, { type: 'open-door' }>;

export class OutboxController extends EventEmitter<{ acked: [number]; answered: [string]; command: [OpenDoor]; online: [] }> {
  nextSeq = 1;
  ackedUpTo = 0;
  outbox: PortierEvent[] = [];
  /** Every event recorded, in seq order (acked ones too). */
  readonly sent: PortierEvent[] = [];
  proof: EvtAck | undefined;
  /** Answers to resend-events, in order. */
  readonly resendAnswers: string[] = [];
  /** Times each open-door command id was run. */
  readonly opened = new Map<string, number>();
  /** While set, verified open-door commands wait in `held` (neither run nor acked). */
  holdCommands = false;
  readonly held: OpenDoor[] = [];
  /** Connections made (the first and every reconnect). */
  connects = 0;
  /** Subscriptions the broker refused on a connect (each followed by a new connection). */
  refusedSubscribes = 0;
  private c: MqttClient | undefined;

  constructor(
    private readonly t: Teardownable,
    private readonly at: ControllerEndpoint,
    readonly controllerId: string,
    private readonly cloudKey: KeyObject,
  ) {
    super();
  }

  topic(ch: Channel): string {
    return topicFor(this.at.bankId, this.controllerId, ch);
  }

  /** Events recorded and not yet covered by an evtack. */
  get pendingEvents(): number {
    return this.nextSeq - 1 - this.ackedUpTo;
  }

  /** Whether its client is connected now. */
  get connected(): boolean {
    return this.c?.connected === true;
  }

  /**
   * The broker port its connection goes to (which node of a cluster it is on: MQTT.js tries a list's first node first
   * and the next on each reconnect), or undefined while it is not connected.
   */
  get remotePort(): number | undefined {
    if (!this.connected) return undefined;
    return (this.c?.stream as { remotePort?: number } | undefined)?.remotePort;
  }

  async connect(): Promise<void> {
    const c = await client(this.t, this.at.url, {
      clientId: this.controllerId,
      username: this.controllerId,
      password: this.at.password,
      clean: false,
      reconnectPeriod: 50,
    });
    this.c = c;
    this.connects++;
    c.on('message', (topic, payload) => void this.onMessage(topic, payload));
    c.on('connect', () => {
      this.connects++;
      void this.online().catch(() => undefined);
    });
    const ready = new Promise<void>((resolve) => this.once('online', () => resolve()));
    void this.online().catch(() => undefined);
    await ready;
  }

  private async online(): Promise<void> {
    const c = this.c;
    if (!c) return;
    try {
      await c.subscribeAsync([this.topic('cmd'), this.topic('evtack')], { qos: 1 });
    } catch (err) {
      // A broker that could not set the subscriptions up (a NATS node whose JetStream is busy refuses them): the
      // next connection asks again.
      this.refusedSubscribes++;
      if (c.connected) c.stream.destroy();
      throw err;
    }
    await this.publishReported();
    for (const e of [...this.outbox]) await c.publishAsync(this.topic('evt'), encodePayload('evt', e), { qos: 1 });
    this.emit('online');
  }

  async disconnect(): Promise<void> {
    const c = this.c;
    this.c = undefined;
    if (c) await c.endAsync();
  }

  /** Records an event (next seq) and publishes it when connected. */
  async event(body: EventBody): Promise<PortierEvent> {
    const e: PortierEvent = { v: 1, seq: this.nextSeq++, at: 1_790_000_000_000 + this.nextSeq, event: body };
    this.outbox.push(e);
    this.sent.push(e);
    if (this.c) await this.c.publishAsync(this.topic('evt'), encodePayload('evt', e), { qos: 1 });
    return e;
  }

  private async publishReported(): Promise<void> {
    const reported = {
      v: 1 as const,
      at: Date.now(),
      desiredVersion: null,
      desiredHash: null,
      doors: [],
      bus: { state: 'ok' as const, consecutiveFailures: 0 },
      firmware: 'test',
      bootId: 'boot-1',
      uptimeS: 1,
      outboxDepth: this.outbox.length,
      clockOffsetMs: null,
      ...(this.proof ? { evtack: this.proof } : {}),
    };
    await this.c?.publishAsync(this.topic('reported'), encodePayload('reported', reported), { qos: 1, retain: true });
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    if (topic === this.topic('evtack')) {
      const r = parsePayload('evtack', payload);
      if (!r.ok || !verifyMessage(r.value, this.cloudKey)) return;
      const top = Math.min(r.value.upTo, this.nextSeq - 1);
      if (top <= this.ackedUpTo) return;
      this.outbox = this.outbox.filter((e) => e.seq > top);
      this.ackedUpTo = top;
      if (r.value.upTo <= this.nextSeq - 1) this.proof = r.value;
      this.emit('acked', top);
      return;
    }
    const r = parsePayload('cmd', payload);
    if (!r.ok || !verifyMessage(r.value, this.cloudKey) || r.value.bankId !== this.at.bankId || r.value.controllerId !== this.controllerId || !this.c) return;
    if (r.value.type === 'open-door') return this.openDoor(r.value);
    if (r.value.type !== 'resend-events') return;
    const { fromSeq, toSeq } = r.value.body;
    if (fromSeq <= this.ackedUpTo) await this.publishReported();
    const range = this.outbox.filter((e) => e.seq >= fromSeq && e.seq <= (toSeq ?? Number.MAX_SAFE_INTEGER));
    for (const e of range) await this.c.publishAsync(this.topic('evt'), encodePayload('evt', e), { qos: 1 });
    const detail = `resent ${range.length} events${fromSeq <= this.ackedUpTo ? ` (up to ${this.ackedUpTo} already confirmed)` : ''}`;
    this.resendAnswers.push(detail);
    await this.c.publishAsync(this.topic('ack'), encodePayload('ack', { v: 1, commandId: r.value.id, status: 'done', detail, at: Date.now() }), { qos: 1 });
    this.emit('answered', detail);
  }

  /** Runs the held commands (those still unexpired), in arrival order. */
  async releaseCommands(): Promise<void> {
    this.holdCommands = false;
    for (const cmd of this.held.splice(0)) await this.openDoor(cmd);
  }

  private async openDoor(cmd: OpenDoor): Promise<void> {
    this.emit('command', cmd);
    if (this.holdCommands) {
      this.held.push(cmd);
      return;
    }
    const c = this.c;
    if (!c) return;
    if (cmd.expiresAt <= Date.now()) {
      await c.publishAsync(this.topic('ack'), encodePayload('ack', { v: 1, commandId: cmd.id, status: 'rejected', reason: 'expired', at: Date.now() }), { qos: 1 });
      return;
    }
    this.opened.set(cmd.id, (this.opened.get(cmd.id) ?? 0) + 1);
    await this.event({ type: 'door-opened', door: cmd.body.door, cause: 'unlock', commandId: cmd.id });
    await c.publishAsync(this.topic('ack'), encodePayload('ack', { v: 1, commandId: cmd.id, status: 'opened', at: Date.now() }), { qos: 1 });
  }
}
