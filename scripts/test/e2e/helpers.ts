// End-to-end world: the whole cloud (`startCloud`: store, API, sync link, bridge) on a temp data folder, with its
// embedded aedes on a real TCP port or, in the Mosquitto or NATS half of a flow (both-brokers.ts), a real Mosquitto
// (broker.ts) or a three-node NATS cluster (nats-cluster.ts) run with the files the cloud generates, the demo
// organisation seeded, each column's controller provisioned like a real one (on a cluster, the columns spread over its
// nodes), and a simulated bank of REAL controller runtimes on virtual CU16 boards. Plus a recorder: a service-account
// MQTT client subscribed to `portier/v1/#` that checks every message against the published JSON Schemas.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { IClientOptions, MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { Test } from 'tap';
import { tryParseTopic, type Channel } from '@portier/protocol';
import { connectMqttAsync, startCloud, type BrokerOption, type CloudRuntime, type StartCloudOptions } from '@portier/cloud';
import { IdentityRegistry } from '@portier/cloud';
import { ensureServiceAccount, provision } from '@portier/cloud';
import { runSimBank, validateBankConfig, type SimBank } from '@portier/rig';
import { expectCondition, expectEvent, expectValue } from '@portier/sim';
import { DEMO_ADMIN, seedDemo, type SeededDemo } from '../../demo/seed.ts';
import { Mosquitto, type E2eBrokerMode, type ExternalBroker } from './broker.ts';
import { NatsCluster } from './nats-cluster.ts';
import { e2eBroker, halfOf } from './both-brokers.ts';
import { schemaValidators } from './schema-validators.ts';

export { DEMO_ADMIN, e2eBroker, expectCondition, expectEvent, expectValue };
export const TEST_HASH = { N: 1024, r: 8, p: 1, keyLen: 32 };

export function tempDir(t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CloudStartOptions {
  dataDir: string;
  mqttPort?: number;
  remoteOpenTimeoutMs?: number;
  /** The config's `notify` section (parcel-ready webhook). */
  notify?: { webhook?: { url: string; secret: string; timeoutSeconds?: number; maxAgeMinutes?: number } };
  /** The cloud's clock (default the real one). */
  now?: () => number;
  /** Who hears of pickup codes issued for kiosk drop-offs (from the start: also those of events replayed at once). */
  onPickupCode?: StartCloudOptions['onPickupCode'];
}

/** The external broker of each cloud data folder (Mosquitto or NATS mode): it outlives a cloud restart on that folder. */
const externals = new Map<string, ExternalBroker>();

/** What each half's cloud is checked to run on (`startE2eCloud`). */
const RUNS_ON: Record<E2eBrokerMode, string> = { embedded: 'its embedded broker', mosquitto: 'Mosquitto', nats: 'every node of the NATS cluster' };

/**
 * The broker a cloud on `dataDir` uses. Embedded: its own aedes on `mqttPort`. Otherwise the data folder's Mosquitto,
 * or the test file's NATS cluster started for the folder on an empty store, the first time (with the cloud's service
 * account in its files, as `portier-cloud mosquitto-files` and `nats-files` write them), or started again after
 * `stopCloud(..., { broker: true })` on the ports and the store it had; released (stopped) at the end of the test.
 */
async function brokerFor(t: Test, dataDir: string, mqttPort: number | undefined): Promise<BrokerOption> {
  const mode = e2eBroker();
  if (mode === 'embedded') return { kind: 'embedded', host: '127.0.0.1', port: mqttPort ?? 0 };
  const key = resolve(dataDir);
  let b = externals.get(key);
  if (!b) {
    const identities = await IdentityRegistry.open(key, { hashParams: TEST_HASH });
    await ensureServiceAccount({ dataDir: key, identities });
    const started = mode === 'mosquitto' ? await Mosquitto.start(identities, `${key}-mosquitto`) : await NatsCluster.serve(identities, key);
    externals.set(key, (b = started));
    t.teardown(async () => {
      externals.delete(key);
      await started.release();
    });
  }
  await b.resume();
  return { kind: 'external', url: b.url };
}

/**
 * The URL a client of the test connects to, the `i`-th node's of a cluster (round the list; -1 the last), else the
 * cloud's broker: the columns' controllers take the nodes in turn, the recorder the last one.
 */
export function brokerNode(cloud: CloudRuntime, i: number): string {
  const nodes = externals.get(cloud.dataDir)?.nodeUrls ?? [cloud.mqttUrl];
  return nodes.at(i % nodes.length)!;
}

/**
 * startCloud on 127.0.0.1, HTTP port 0, cheap hashes, no log output; its broker: the embedded one on `mqttPort`
 * (default 0), or the data folder's Mosquitto.
 */
export async function startE2eCloud(t: Test, o: CloudStartOptions): Promise<CloudRuntime> {
  const cloud = await startCloud({
    config: {
      dataDir: o.dataDir,
      http: { host: '127.0.0.1', port: 0 },
      admin: DEMO_ADMIN,
      auth: { argon2: { memoryCost: 64, timeCost: 1 } },
      expiry: { intervalSeconds: 0 },
      log: { level: 'silent' },
      ...(o.notify ? { notify: o.notify } : {}),
    },
    logger: pino({ level: process.env.E2E_LOG ?? 'silent' }),
    broker: await brokerFor(t, o.dataDir, o.mqttPort),
    ...(o.now ? { now: o.now } : {}),
    ...(o.onPickupCode ? { onPickupCode: o.onPickupCode } : {}),
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    remoteOpen: { defaultTimeoutMs: o.remoteOpenTimeoutMs ?? acrossBrokerMs(3000), ackGraceMs: 200 },
    desired: { debounceMs: 10, refreshMs: 0 },
    brokerWaitMs: 2000,
  });
  t.teardown(() => cloud.stop());
  // Where each half of a flow proves it ran on its own broker, the half found by the test's place in the tree (not by
  // the mode that chose the broker): the embedded half's cloud on its own aedes, the others' on the Mosquitto or the
  // NATS cluster (every node's URL) this harness runs for the data folder.
  const half = halfOf(t) ?? 'embedded';
  if (half === 'embedded') t.equal(cloud.brokerKind, 'embedded', `the cloud runs on ${RUNS_ON[half]}`);
  else t.same([cloud.brokerKind, cloud.mqttUrl], ['external', externals.get(cloud.dataDir)?.url], `the cloud runs on ${RUNS_ON[half]}`);
  return cloud;
}

/**
 * Stops the cloud. The embedded broker stops with it; with `broker`, a Mosquitto or every node of the NATS cluster
 * stops too (a broker outage: controllers go offline), by its PIDs after the cloud left it.
 */
export async function stopCloud(cloud: CloudRuntime, o: { broker?: boolean } = {}): Promise<void> {
  await cloud.stop();
  if (o.broker) await externals.get(cloud.dataDir)?.stop();
}

/** A new cloud on the data folder of `cloud` (stopped) and the broker ports it had, the broker started again if it was stopped. */
export async function restartCloud(t: Test, cloud: CloudRuntime, o: Omit<CloudStartOptions, 'dataDir' | 'mqttPort'> = {}): Promise<CloudRuntime> {
  // An external broker keeps its own ports; the embedded one is started again by the cloud, on the port it had.
  const embedded = cloud.brokerKind === 'embedded';
  return startE2eCloud(t, { ...o, dataDir: cloud.dataDir, ...(embedded ? { mqttPort: Number(new URL(cloud.mqttUrl).port) } : {}) });
}

/**
 * After identities changed (provision, a new service account): Mosquitto gets the password and ACL files written
 * again, the NATS cluster its auth.conf, and each reloads them (every node), as an operator does. The embedded broker
 * reads the registry itself.
 */
export async function syncBrokerAccounts(cloud: CloudRuntime): Promise<void> {
  await externals.get(cloud.dataDir)?.syncAccounts(cloud.identities);
}

/** A service account of its own for a test's MQTT client (the broker allows one session per identity). */
export async function serviceAccount(cloud: CloudRuntime, username: string): Promise<{ username: string; password: string }> {
  const account = await ensureServiceAccount({ dataDir: cloud.dataDir, username, identities: cloud.identities });
  await syncBrokerAccounts(cloud);
  return account;
}

export interface Provisioned {
  seeded: SeededDemo;
  /** controllerId -> config file written by provision. */
  files: Map<string, string>;
  secrets: Map<string, string>;
}

/**
 * Seeds the demo bank (kiosk column 1: lockers 1-5; column 2: lockers 6-12) and provisions both controllers, each
 * with the broker's URL (on a cluster: column 1 the first node's, column 2 the second's).
 */
export async function seedAndProvision(cloud: CloudRuntime, dir: string): Promise<Provisioned> {
  const seeded = await seedDemo(cloud.service);
  const files = new Map<string, string>();
  const secrets = new Map<string, string>();
  for (const [i, col] of seeded.columns.entries()) {
    const out = join(dir, 'controllers', `${col.controllerId}.yaml`);
    const brokerUrl = brokerNode(cloud, i);
    const p = await provision({ dataDir: cloud.dataDir, bankId: seeded.bankId, controllerId: col.controllerId, column: col.position, brokerUrl, out, identities: cloud.identities, credentialKeys: cloud.credentialKeys });
    files.set(col.controllerId, out);
    secrets.set(col.controllerId, p.secret);
  }
  await syncBrokerAccounts(cloud);
  return { seeded, files, secrets };
}

export interface BankOptions {
  /** Which columns of the demo layout to run (1-based positions); default all. */
  columns?: number[];
  dataDir: string;
  language?: 'en' | 'fr';
  /** The controllers' shortest reconnect wait, ms (default 30). */
  reconnectMinMs?: number;
  /** The kiosk column's touch screen served on loopback (`runSimBank`'s `kioskScreen`). */
  kioskScreen?: { port?: number; blankInAudioMode?: boolean };
}

/**
 * How long a controller may take to come online (ms): on the NATS cluster each new session and subscription is a
 * replicated JetStream object, and after an outage the nodes first elect the leaders of the gateway's streams again;
 * seconds on a busy machine.
 */
export function onlineWithinMs(): number {
  return e2eBroker() === 'nats' ? 20_000 : 8000;
}

/**
 * The bound of a wait whose answer crosses the broker (a command and its ack, an event stored): four times `ms` on the
 * NATS cluster, where each QoS 1 message is written to JetStream on three nodes, on a machine that may be busy.
 */
export function acrossBrokerMs(ms: number): number {
  return e2eBroker() === 'nats' ? ms * 4 : ms;
}

/** Runs the simulated bank (real controllers) against the cloud's broker; resolves once every column is online with a desired state. */
export async function startBank(t: Test, cloud: CloudRuntime, p: Provisioned, o: BankOptions): Promise<SimBank> {
  const wanted = p.seeded.columns.filter((c) => !o.columns || o.columns.includes(c.position));
  const config = validateBankConfig({
    bankId: p.seeded.bankId,
    transport: 'mock',
    dataDir: o.dataDir,
    logLevel: 'silent',
    ...(o.language ? { language: o.language } : {}),
    columns: wanted.map((c) => ({
      controllerConfig: p.files.get(c.controllerId),
      doors: c.doors,
      kiosk: c.kind === 'kiosk',
      behaviour: { springDelayMs: 10 },
      doorSettings: { pollMs: 20, pulseMs: 200 },
    })),
  });
  // On a cluster each controller keeps the node its file names; otherwise the cloud's broker as it is now.
  const cluster = (externals.get(cloud.dataDir)?.nodeUrls.length ?? 1) > 1;
  const bank = await runSimBank({ ...(cluster ? {} : { cloud: { brokerUrl: cloud.mqttUrl } }), bank: config, linkOverrides: { backoff: { minMs: o.reconnectMinMs ?? 30, maxMs: Math.max(200, o.reconnectMinMs ?? 0) }, evtackTimeoutMs: 400 }, ...(o.kioskScreen ? { kioskScreen: o.kioskScreen } : {}) });
  t.teardown(() => bank.close());
  for (const c of bank.columns) {
    await expectCondition(() => c.controller.linkStatus()?.state === 'online', onlineWithinMs(), `${c.controllerId} online`).catch((err: Error) => {
      throw new Error(`${err.message}; its link: ${JSON.stringify(c.controller.linkStatus())}`);
    });
    await expectCondition(() => (c.controller.linkStatus()?.desiredVersion ?? 0) > 0, onlineWithinMs(), `${c.controllerId} desired state applied`);
  }
  return bank;
}

export interface ApiReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
  json: any;
}

export async function api(cloud: CloudRuntime, method: string, path: string, token?: string, body?: unknown): Promise<ApiReply> {
  const res = await fetch(`${cloud.httpUrl}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

export async function login(cloud: CloudRuntime): Promise<string> {
  const r = await api(cloud, 'POST', '/auth/login', undefined, { username: DEMO_ADMIN.user, password: DEMO_ADMIN.password });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.token as string;
}

/**
 * Connects an MQTT.js client to `url` (a cluster's list: its first node) as the cloud connects; rejects with the
 * connection error (refused credentials, ...) or the close before a CONNACK.
 */
export function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  // A NATS node answers a CONNECT once JetStream has loaded or written the session, three replicas on a busy machine.
  return connectMqttAsync(url, { reconnectPeriod: 0, connectTimeout: acrossBrokerMs(3000), ...opts });
}

export interface Recorded {
  channel: Channel;
  controllerId: string;
  topic: string;
  retain: boolean;
  json: Record<string, unknown>;
}

/**
 * A service-account client (its own account, not the cloud's) subscribed to `portier/v1/#`: records every message
 * of the run and checks each against the published JSON Schema of its channel. `problems` lists every message that
 * did not match (or was not JSON). The recorder reconnects by itself after a broker restart.
 */
export class Recorder {
  readonly received: Recorded[] = [];
  readonly problems: string[] = [];
  /** Messages that a test itself published on purpose with bad content (not counted as problems). */
  readonly ignore = new Set<string>();
  private readonly barriers = new Map<string, () => void>();
  private barrierCount = 0;
  private constructor(
    readonly client: MqttClient,
    v: Map<string, ValidateFunction>,
  ) {
    client.on('message', (topic, payload, packet) => {
      const barrier = this.barriers.get(topic);
      if (barrier) {
        barrier();
        return;
      }
      const t = tryParseTopic(topic);
      const text = payload.toString('utf8');
      if (!t) {
        this.problems.push(`unexpected topic ${topic}`);
        return;
      }
      if (payload.length === 0) return; // a cleared retained message
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        if (!this.ignore.has(text)) this.problems.push(`${topic}: not JSON`);
        return;
      }
      const validate = v.get(t.channel);
      if (!this.ignore.has(text)) {
        if (!validate) this.problems.push(`${topic}: no published schema for ${t.channel}`);
        else if (!validate(json)) this.problems.push(`${topic}: ${JSON.stringify(validate.errors?.slice(0, 3))} in ${text.slice(0, 300)}`);
      }
      this.received.push({ channel: t.channel, controllerId: t.controllerId, topic, retain: packet.retain, json });
    });
  }

  static async start(t: Test, cloud: CloudRuntime, username = 'e2e-recorder'): Promise<Recorder> {
    const validators = await schemaValidators();
    const account = await serviceAccount(cloud, username);
    const client = await connectMqttAsync(brokerNode(cloud, -1), {
      clientId: `${username}-${process.pid}`,
      username: account.username,
      password: account.password,
      reconnectPeriod: 100,
      clean: true,
    });
    // Re-subscribe on every (re)connect: a restarted embedded broker has no memory of the session.
    client.on('connect', () => void client.subscribeAsync('portier/v1/#', { qos: 1 }).catch(() => undefined));
    const granted = await client.subscribeAsync('portier/v1/#', { qos: 1 });
    if (granted[0]?.qos === 128) throw new Error('recorder: subscription refused');
    const r = new Recorder(client, validators);
    t.teardown(() => client.endAsync(true));
    return r;
  }

  /** The run's check: every message recorded so far matched the published JSON Schema of its channel. */
  expectSchemasMatched(t: Test): void {
    t.same(this.problems, [], `every one of ${this.received.length} messages matched its published JSON Schema`);
  }

  count(channel: Channel, controllerId?: string): number {
    return this.received.filter((m) => m.channel === channel && (!controllerId || m.controllerId === controllerId)).length;
  }

  /**
   * Twice, an empty message of its own through the broker and back (on a `cmd` topic of no controller: no one else
   * reads it): whatever another client had published before this call reached the recorder by the time it resolves,
   * if the broker let it through. The second round trip starts after the broker's loop has seen the first one.
   */
  async barrier(ms = 5000): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const topic = `portier/v1/e2e-barrier/barrier-${++this.barrierCount}/cmd`;
      let back = false;
      this.barriers.set(topic, () => (back = true));
      await this.client.publishAsync(topic, '', { qos: 1 });
      await expectCondition(() => back, ms, 'the barrier message back from the broker');
      this.barriers.delete(topic);
    }
  }

  waitFor(pred: (m: Recorded) => boolean, ms = acrossBrokerMs(5000), from = 0, what = 'a recorded message'): Promise<Recorded> {
    return expectValue(() => this.received.slice(from).find(pred), ms, what);
  }
}
