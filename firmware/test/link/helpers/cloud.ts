// The cloud side of the link tests: a service-account MQTT client that signs and sends commands, desired states and
// evtacks, and records what controllers publish. Also an executor fake, a JSON Schema validator of the published
// contract, and event waits with a bounded timeout.
import { randomBytes, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  allControllersFilter,
  signMessage,
  topicFor,
  tryParseTopic,
  DEFAULT_BANK_RULES,
  DEFAULT_KIOSK_TIMERS,
  type Channel,
  type Command,
  type CommandOf,
  type CommandType,
  type DesiredState,
} from '@portier/protocol';
import type { CommandExecutor, CommandOutcome, OpenDoorOutcome } from '../../../src/link/controller-link.ts';
import { SERVICE_PASSWORD, SERVICE_USER } from './broker.ts';

export interface Received {
  topic: string;
  channel: Channel;
  controllerId: string;
  payload: Buffer;
  json: unknown;
  retain: boolean;
}

/** Bounds of the waits: generous, as they only bound a failure (a broker and a controller on a loaded machine). */
export const WAIT_MS = 20_000;

// Captured at load, so waits keep a real bound even while a test fakes the timers.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** Resolves when `emitter` emits `event` with args satisfying `pred`; rejects after `ms` naming what was awaited. */
export function waitForEvent<T extends unknown[]>(
  emitter: { on(e: string, l: (...a: T) => void): unknown; off(e: string, l: (...a: T) => void): unknown },
  event: string,
  pred: (...a: T) => boolean = () => true,
  ms = WAIT_MS,
): Promise<T> {
  const where = new Error(`timed out after ${ms} ms waiting for "${event}"`);
  return new Promise((resolve, reject) => {
    const timer = realSetTimeout(() => {
      emitter.off(event, l);
      reject(where);
    }, ms);
    const l = (...a: T): void => {
      if (!pred(...a)) return;
      realClearTimeout(timer);
      emitter.off(event, l);
      resolve(a);
    };
    emitter.on(event, l);
  });
}

export class TestCloud extends EventEmitter<{ message: [Received] }> {
  readonly received: Received[] = [];
  private constructor(
    readonly client: MqttClient,
    readonly key: KeyObject,
  ) {
    super();
    client.on('message', (topic, payload, packet) => {
      const t = tryParseTopic(topic);
      if (!t) return;
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        json = undefined;
      }
      const r: Received = { topic, channel: t.channel, controllerId: t.controllerId, payload, json, retain: packet.retain };
      this.received.push(r);
      this.emit('message', r);
    });
  }

  static async connect(url: string, key: KeyObject): Promise<TestCloud> {
    const client = mqtt.connect(url, {
      clientId: `svc-${randomBytes(4).toString('hex')}`,
      username: SERVICE_USER,
      password: SERVICE_PASSWORD,
      reconnectPeriod: 200,
      connectTimeout: 2000,
    });
    (client.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    await waitForEvent(client as unknown as EventEmitter, 'connect');
    const cloud = new TestCloud(client, key);
    await client.subscribeAsync(['ack', 'evt', 'reported', 'status'].map((c) => allControllersFilter(c as Channel)), { qos: 1 });
    return cloud;
  }

  /** Waits for the first received message (already received or to come) matching `pred`. */
  async waitFor(pred: (r: Received) => boolean, ms = WAIT_MS, from = 0): Promise<Received> {
    const hit = this.received.slice(from).find(pred);
    if (hit) return hit;
    const [r] = await waitForEvent<[Received]>(this, 'message', pred, ms);
    return r;
  }

  of(channel: Channel, controllerId?: string): Received[] {
    return this.received.filter((r) => r.channel === channel && (!controllerId || r.controllerId === controllerId));
  }

  acksFor(commandId: string): Array<{ status: string; reason?: string }> {
    return this.of('ack')
      .map((r) => r.json as { commandId: string; status: string; reason?: string })
      .filter((a) => a.commandId === commandId);
  }

  async waitAck(commandId: string, ms = WAIT_MS): Promise<{ commandId: string; status: string; reason?: string; detail?: string }> {
    const r = await this.waitFor((m) => m.channel === 'ack' && (m.json as { commandId?: string })?.commandId === commandId, ms);
    return r.json as { commandId: string; status: string; reason?: string };
  }

  async publishRaw(bankId: string, controllerId: string, channel: Channel, payload: string | Buffer, retain = false): Promise<void> {
    await this.client.publishAsync(topicFor(bankId, controllerId, channel), payload, { qos: 1, retain });
  }

  async sendCommand(cmd: Command | Record<string, unknown>, to?: { bankId: string; controllerId: string }): Promise<void> {
    const c = cmd as { bankId: string; controllerId: string };
    await this.publishRaw(to?.bankId ?? c.bankId, to?.controllerId ?? c.controllerId, 'cmd', JSON.stringify(cmd));
  }

  /** Sends a command to its own target and waits for the controller's ack of it. */
  async command(cmd: (Command | Record<string, unknown>) & { id: string }, ms = WAIT_MS): Promise<{ commandId: string; status: string; reason?: string; detail?: string }> {
    await this.sendCommand(cmd);
    return this.waitAck(cmd.id, ms);
  }

  /** Sends a command that was sent before again and waits for the ack that answers this second delivery. */
  async commandAgain(cmd: Command, ms = 4000): Promise<Received> {
    const from = this.received.length;
    await this.sendCommand(cmd);
    return this.waitFor((r) => r.channel === 'ack' && (r.json as { commandId: string }).commandId === cmd.id, ms, from);
  }

  async sendEvtack(bankId: string, controllerId: string, upTo: number, key = this.key, issuedAt = Date.now()): Promise<void> {
    const m = signMessage({ v: 1 as const, bankId, controllerId, upTo, issuedAt }, key);
    await this.publishRaw(bankId, controllerId, 'evtack', JSON.stringify(m));
  }

  async sendDesired(bankId: string, controllerId: string, version: number, state: DesiredState, key = this.key, issuedAt = Date.now()): Promise<void> {
    const m = signMessage({ v: 1 as const, bankId, controllerId, version, issuedAt, state }, key);
    await this.publishRaw(bankId, controllerId, 'desired', JSON.stringify(m), true);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

let seq = 0;
/** A signed command; `over` overrides envelope fields before signing. */
export function makeCommand<T extends CommandType>(
  key: KeyObject,
  type: T,
  body: CommandOf<T>['body'],
  target: { bankId: string; controllerId: string },
  over: Partial<{ id: string; issuedAt: number; expiresAt: number }> = {},
): Command {
  const issuedAt = over.issuedAt ?? Date.now();
  const unsigned = {
    v: 1 as const,
    id: over.id ?? `cmd-${process.pid}-${++seq}-${randomBytes(3).toString('hex')}`,
    type,
    bankId: target.bankId,
    controllerId: target.controllerId,
    issuedAt,
    expiresAt: over.expiresAt ?? issuedAt + 30_000,
    body,
  };
  return signMessage(unsigned as Record<string, unknown>, key) as unknown as Command;
}

export function openDoorBody(door: number) {
  return { door, reason: 'test', actor: { role: 'admin' as const, id: 'u1' } };
}

/** An executor that records calls; `openDoor` answers `outcome` (or waits on `gate` first). */
export class FakeExecutor implements CommandExecutor {
  calls: Array<{ op: string; door?: number; commandId: string }> = [];
  outcome: OpenDoorOutcome | CommandOutcome = 'opened';
  gate: Promise<void> | undefined;
  async openDoor(door: number, _pulse: number | undefined, command: { id: string }): Promise<OpenDoorOutcome | CommandOutcome> {
    this.calls.push({ op: 'openDoor', door, commandId: command.id });
    if (this.gate) await this.gate;
    return this.outcome;
  }
  async setService(door: number, _state: string, command: { id: string }): Promise<void> {
    this.calls.push({ op: 'setService', door, commandId: command.id });
  }
  async endSession(command: { id: string }): Promise<void> {
    this.calls.push({ op: 'endSession', commandId: command.id });
  }
}

export function sampleState(over: Partial<DesiredState> = {}): DesiredState {
  return {
    doors: [
      { door: 1, locker: 101, size: 'S', column: 1, fromTop: 1, accessible: false, service: 'in-service' },
      { door: 2, locker: 102, size: 'M', column: 1, fromTop: 2, accessible: true, service: 'in-service' },
      { door: 3, locker: 103, size: 'L', column: 1, fromTop: 3, accessible: true, service: 'out-of-service' },
    ],
    credentialHash: { alg: 'scrypt', salt: 'c2FsdHNhbHRzYWx0c2FsdA', N: 1024, r: 8, p: 1, keyLen: 32 },
    credentials: [],
    reservations: [],
    timers: { ...DEFAULT_KIOSK_TIMERS },
    rules: { ...DEFAULT_BANK_RULES },
    ...over,
  };
}

const schemaDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'protocol', 'docs', 'schemas');

/** Validates payloads against the published JSON Schema files (not the zod schemas). */
export function publishedSchemaValidator(): (channel: Channel, json: unknown) => string | undefined {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  const cache = new Map<Channel, ReturnType<typeof ajv.compile>>();
  return (channel, json) => {
    let v = cache.get(channel);
    if (!v) {
      v = ajv.compile(JSON.parse(readFileSync(join(schemaDir, `${channel}.schema.json`), 'utf8')) as object);
      cache.set(channel, v);
    }
    return v(json) ? undefined : ajv.errorsText(v.errors);
  };
}
