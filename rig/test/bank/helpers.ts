// A real aedes broker on 127.0.0.1 (port 0) that authenticates controllers by id + secret and a service account, and a
// minimal "cloud": a service-account client that signs commands, desired states and evtacks with the test's own key
// and records what controllers publish. Sim tests never import cloud/.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes, type AuthenticateError } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { Test } from 'tap';
import {
  allControllersFilter,
  hashCredential,
  signMessage,
  topicFor,
  tryParseTopic,
  DEFAULT_BANK_RULES,
  DEFAULT_KIOSK_TIMERS,
  type Channel,
  type DesiredState,
} from '@portier/protocol';

const SERVICE_USER = 'svc-test';
const SERVICE_PASSWORD = 'svc-test-password';
const realSetTimeout = globalThis.setTimeout;

export interface Broker {
  url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startBroker(controllers: Map<string, string>): Promise<Broker> {
  let server: Server | undefined;
  let broker: Aedes | undefined;
  let sockets = new Set<Socket>();
  let port = 0;
  const start = async (): Promise<void> => {
    const b = await Aedes.createBroker({
      authenticate(client, username, password, done) {
        const pw = password?.toString('utf8');
        if (username === SERVICE_USER && pw === SERVICE_PASSWORD) return done(null, true);
        if (username && controllers.get(username) === pw && client.id === username) return done(null, true);
        const e = new Error('Bad username or password') as AuthenticateError;
        (e as { returnCode: number }).returnCode = 4;
        done(e, false);
      },
    });
    const s = createServer((sock) => {
      sock.setNoDelay(true);
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      b.handle(sock);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
    broker = b;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    const b = broker;
    server = undefined;
    broker = undefined;
    if (!s || !b) return;
    for (const sock of sockets) sock.destroy();
    sockets = new Set();
    await new Promise<void>((resolve) => b.close(() => resolve()));
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await start();
  return {
    get url() {
      return `mqtt://127.0.0.1:${port}`;
    },
    stop,
    restart: start,
  };
}

export interface Msg {
  channel: Channel;
  controllerId: string;
  json: Record<string, unknown>;
}

export class TestCloud {
  readonly received: Msg[] = [];
  private waiters = new Set<() => void>();
  private seq = 0;
  constructor(
    readonly client: MqttClient,
    readonly key: KeyObject,
    readonly bankId: string,
  ) {
    client.on('message', (topic, payload) => {
      const t = tryParseTopic(topic);
      if (!t) return;
      try {
        this.received.push({ channel: t.channel, controllerId: t.controllerId, json: JSON.parse(payload.toString('utf8')) as Record<string, unknown> });
      } catch {
        return;
      }
      for (const w of [...this.waiters]) w();
    });
  }

  static async connect(url: string, key: KeyObject, bankId: string): Promise<TestCloud> {
    const client = mqtt.connect(url, { clientId: `svc-${randomBytes(4).toString('hex')}`, username: SERVICE_USER, password: SERVICE_PASSWORD, reconnectPeriod: 100 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync((['ack', 'evt', 'reported', 'status'] as Channel[]).map((c) => allControllersFilter(c)), { qos: 1 });
    return new TestCloud(client, key, bankId);
  }

  /** The first message (already received from index `from`, or to come) passing `pred`, within `ms`. */
  waitFor(pred: (m: Msg) => boolean, ms = 5000, from = 0): Promise<Msg> {
    const hit = this.received.slice(from).find(pred);
    if (hit) return Promise.resolve(hit);
    const where = new Error(`timed out after ${ms} ms waiting for a message`);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = this.received.slice(from).find(pred);
        if (!m) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = realSetTimeout(() => {
        this.waiters.delete(check);
        reject(where);
      }, ms);
      this.waiters.add(check);
    });
  }

  event(controllerId: string, type: string, from = 0, ms = 5000): Promise<{ seq: number; event: Record<string, unknown> }> {
    return this.waitFor((m) => m.channel === 'evt' && m.controllerId === controllerId && (m.json['event'] as { type: string }).type === type, ms, from).then(
      (m) => m.json as { seq: number; event: Record<string, unknown> },
    );
  }

  events(controllerId: string): Array<{ seq: number; event: Record<string, unknown> }> {
    return this.received.filter((m) => m.channel === 'evt' && m.controllerId === controllerId).map((m) => m.json as { seq: number; event: Record<string, unknown> });
  }

  /** Signs and sends a command; resolves with its ack. */
  async command(controllerId: string, type: string, body: Record<string, unknown>): Promise<{ status: string; reason?: string }> {
    const issuedAt = Date.now();
    const id = `cmd-${process.pid}-${++this.seq}-${randomBytes(3).toString('hex')}`;
    const cmd = signMessage({ v: 1 as const, id, type, bankId: this.bankId, controllerId, issuedAt, expiresAt: issuedAt + 30_000, body }, this.key);
    await this.client.publishAsync(topicFor(this.bankId, controllerId, 'cmd'), JSON.stringify(cmd), { qos: 1 });
    const m = await this.waitFor((x) => x.channel === 'ack' && x.json['commandId'] === id);
    return m.json as { status: string; reason?: string };
  }

  async desired(controllerId: string, version: number, state: DesiredState): Promise<void> {
    const m = signMessage({ v: 1 as const, bankId: this.bankId, controllerId, version, issuedAt: Date.now(), state }, this.key);
    await this.client.publishAsync(topicFor(this.bankId, controllerId, 'desired'), JSON.stringify(m), { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export const PICKUP = '482913';
const HASH = { alg: 'scrypt' as const, salt: 'c2FsdHNhbHRzYWx0c2FsdA', N: 1024, r: 8, p: 1, keyLen: 32 };

/** The kiosk column's desired state: four doors, door 4 out of service, a pickup code for door 2. */
export function kioskState(): DesiredState {
  const door = (n: number, service: 'in-service' | 'out-of-service' = 'in-service') =>
    ({ door: n, locker: 100 + n, size: 'M' as const, column: 1, fromTop: n, accessible: true, service });
  return {
    doors: [door(1), door(2), door(3), door(4, 'out-of-service')],
    credentialHash: HASH,
    credentials: [
      { id: 'cred-p', kind: 'pickup-code', hash: hashCredential('pickup-code', PICKUP, HASH), role: 'recipient', subjectId: 'alice', doors: [2], reservationIds: ['res-1'], oneTime: true },
    ],
    reservations: [{ id: 'res-1', kind: 'package', status: 'occupied', door: 2, trackingIds: ['1Z-SIM-1'], recipientId: 'alice' }],
    timers: { ...DEFAULT_KIOSK_TIMERS },
    rules: { ...DEFAULT_BANK_RULES },
  };
}

export interface World {
  broker: Broker;
  cloud: TestCloud;
  key: KeyObject;
  pem: string;
  dir: string;
  identities: Map<string, string>;
}

/** Broker, cloud client, key pair and a temp folder, all cleaned up at the end of the test. */
export async function world(t: Test, bankId: string, controllerIds: string[]): Promise<World> {
  const { privateKey: key, publicKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const identities = new Map(controllerIds.map((c) => [c, `secret-${c}-${randomBytes(6).toString('hex')}`]));
  const broker = await startBroker(identities);
  const cloud = await TestCloud.connect(broker.url, key, bankId);
  const dir = mkdtempSync(join(tmpdir(), 'portier-simbank-'));
  t.teardown(async () => {
    await cloud.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { broker, cloud, key, pem, dir, identities };
}
