// Test helpers for the MQTT side: temporary data folders, a registry + embedded broker, clients that connect or
// report why not, and bounded waits for messages.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { runPortierCloud, type Ran } from '../../fixtures/portier-cloud.ts';
import { connectMqttAsync } from '../../../src/mqtt/client.ts';
import { IdentityRegistry } from '../../../src/mqtt/identities.ts';
import { startBroker, type EmbeddedBroker } from '../../../src/mqtt/broker.ts';

export interface Teardownable {
  teardown(fn: () => unknown): void;
}

/** Cheap scrypt in tests: the format and checks are the same, only the cost differs. */
export const TEST_HASH = { N: 1024, r: 8, p: 1, keyLen: 32 };

export async function tempDir(t: Teardownable, prefix = 'portier-mqtt-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // A cloud on this folder keeps its secrets key beside it (provision/secrets-key.ts).
  t.teardown(() => Promise.all([rm(dir, { recursive: true, force: true }), rm(`${dir}.secrets.key`, { force: true })]));
  return dir;
}

export async function registry(t: Teardownable, dataDir?: string): Promise<{ dataDir: string; reg: IdentityRegistry }> {
  const dir = dataDir ?? (await tempDir(t));
  const reg = await IdentityRegistry.open(dir, { hashParams: TEST_HASH });
  return { dataDir: dir, reg };
}

export async function broker(t: Teardownable, reg: IdentityRegistry): Promise<EmbeddedBroker> {
  const b = await startBroker({ identities: reg, port: 0 });
  t.teardown(() => b.close());
  return b;
}

/** Connects without retry; the teardown ends the client. */
export async function client(t: Teardownable, url: string, opts: IClientOptions): Promise<MqttClient> {
  const c = await connectMqttAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  t.teardown(() => new Promise<void>((r) => c.end(true, {}, () => r())));
  return c;
}

/** The refusal of a connect attempt: its CONNACK return code / reason code, or the error text. */
export async function refusal(url: string, opts: IClientOptions): Promise<number | string | undefined> {
  try {
    const c = await connectMqttAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    await new Promise<void>((r) => c.end(true, {}, () => r()));
    return undefined;
  } catch (err) {
    const e = err as { code?: number | string; message: string };
    return e.code ?? e.message;
  }
}

/** Subscribes and returns the granted QoS of each filter (128 = refused). */
export async function grantedQos(c: MqttClient, filters: string[]): Promise<number[]> {
  try {
    const granted = await c.subscribeAsync(filters, { qos: 1 });
    return granted.map((g) => g.qos);
  } catch (err) {
    // MQTT.js rejects when the broker refuses (granted 128); the SUBACK is on the error.
    const granted = (err as { packet?: { granted?: Array<number | { qos: number }> } }).packet?.granted;
    if (!granted) throw err;
    return granted.map((g) => (typeof g === 'number' ? g : g.qos));
  }
}

/** Waits for the next message on `c` matching `pred`, at most `ms`. */
export function nextMessage(
  c: MqttClient,
  pred: (topic: string, payload: Buffer) => boolean = () => true,
  ms = 20_000,
): Promise<{ topic: string; payload: Buffer; retain: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off('message', onMessage);
      reject(new Error(`no matching message within ${ms} ms`));
    }, ms);
    const onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }): void => {
      if (!pred(topic, payload)) return;
      clearTimeout(timer);
      c.off('message', onMessage);
      resolve({ topic, payload, retain: packet.retain === true });
    };
    c.on('message', onMessage);
  });
}

/** Resolves when `c` closes, at most `ms`; true if it did close. */
export function closed(c: MqttClient, ms = 20_000): Promise<boolean> {
  if (!c.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      c.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    c.once('close', onClose);
  });
}

/** Runs the real `portier-cloud` program as a child process (as an operator would), bounded. */
export const portierCloud = (args: string[]): Promise<Ran> => runPortierCloud(args);
