// Fan-in: N simulated controllers (2,000 by default) each send K protocol-valid events (QoS 1, seq 1..K) to the cloud
// running as a separate child process (`portier-cloud serve`), so the broker's RSS is that process's alone.
// Figures: events stored per second (first publish -> last signed evtack), events sent and PUBACKed but never
// stored (from the child's event journal), the child's VmRSS with everyone connected, and the time for all N
// clients to be connected again after the cloud is stopped (SIGTERM) and started again on the same port and data.
// The controllers are lightweight MQTT.js clients (own identity and secret, clientId = controllerId, clean: false),
// not the firmware: this measures the cloud's side of the fan-in.
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { encodePayload, parseLine, parsePayload, topicFor, verifyMessage } from '@portier/protocol';
import { IdentityRegistry, runtimePaths, JOURNAL_FILE } from '@portier/cloud';
import { bench } from '../lib/stats.ts';

const N = Number(process.env.BENCH_FANIN_CONTROLLERS ?? 2000);
const K = Number(process.env.BENCH_FANIN_EVENTS ?? 5);
const BATCH = Number(process.env.BENCH_FANIN_CONNECT_BATCH ?? 100);
const STORE_TIMEOUT_MS = 90_000;
const RECONNECT_TIMEOUT_MS = 90_000;
const CONTROLLERS_PER_BANK = 16;

const progress = (msg: string): void => void process.stderr.write(`fan-in: ${msg}\n`);
const cloudBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'cloud', 'bin', 'portier-cloud.mjs');
const dir = mkdtempSync(join(tmpdir(), 'portier-bench-fanin-'));
const dataDir = join(dir, 'cloud');

const clients: mqtt.MqttClient[] = [];
let child: ChildProcess | undefined;

// Clean up on every exit path: normal end, a throw, Ctrl-C, or being killed by the bench runner.
let cleanedUp = false;
function cleanupSync(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const c of clients) c.end(true);
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    cleanupSync();
    process.exit(130);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `portier-cloud serve` and resolves once it prints its broker line. */
function startChild(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [cloudBin, 'serve', '--data', dataDir, '--http', '127.0.0.1:0', '--mqtt', `127.0.0.1:${port}`, '--log-level', process.env.LOG_LEVEL ?? 'warn'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = c;
    let out = '';
    const timer = setTimeout(() => reject(new Error('portier-cloud did not start within 30 s')), 30_000);
    c.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/portier-cloud broker on mqtt:\/\//.test(out)) {
        clearTimeout(timer);
        c.stdout!.removeAllListeners('data');
        c.stdout!.resume();
        resolve(c);
      }
    });
    c.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`portier-cloud exited early (${code ?? signal})`));
    });
  });
}

function stopChild(c: ChildProcess, boundMs = 15_000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      progress('cloud did not stop on SIGTERM: killing it');
      c.kill('SIGKILL');
    }, boundMs);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

/** Highest seq of each controller stored in the child's journal, and how many records were duplicates or out of order. */
function readJournal(): { stored: Map<string, number>; records: number; bad: number } {
  const text = readFileSync(join(runtimePaths(dataDir).events, JOURNAL_FILE), 'utf8');
  const stored = new Map<string, number>();
  let records = 0;
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const framed = parseLine(line);
    if (!framed.ok) throw new Error(`journal line: ${framed.why}`);
    const rec = framed.value as { controllerId: string; seq: number };
    records++;
    const prev = stored.get(rec.controllerId) ?? 0;
    if (rec.seq !== prev + 1) bad++;
    else stored.set(rec.controllerId, rec.seq);
  }
  return { stored, records, bad };
}

interface Sim {
  id: string;
  bankId: string;
  client: mqtt.MqttClient;
  /** Events PUBACKed by the broker. */
  pubacked: number;
  /** Highest `upTo` of a verified evtack. */
  ackedUpTo: number;
}

const sims: Sim[] = [];
let acked = 0;
let lastAckAt = 0;
let forged = 0;
let onAck: (() => void) | undefined;
let onConnected: (() => void) | undefined;

function connectSim(url: string, id: string, bankId: string, secret: string, key: KeyObject): Promise<Sim> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId: id, username: id, password: secret, clean: false, reconnectPeriod: 1000, connectTimeout: 60_000 });
    clients.push(client);
    const sim: Sim = { id, bankId, client, pubacked: 0, ackedUpTo: 0 };
    let first = true;
    client.on('connect', () => {
      onConnected?.();
      if (!first) return;
      first = false;
      (client.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
      client.subscribe(topicFor(bankId, id, 'evtack'), { qos: 1 }, (err) => (err ? reject(err) : resolve(sim)));
    });
    client.on('error', (err) => {
      if (first) reject(err);
    });
    client.on('message', (_topic, payload) => {
      const r = parsePayload('evtack', payload);
      if (!r.ok || r.value.controllerId !== id || !verifyMessage(r.value, key)) {
        forged++;
        return;
      }
      if (r.value.upTo > sim.ackedUpTo) {
        acked += r.value.upTo - sim.ackedUpTo;
        sim.ackedUpTo = r.value.upTo;
        lastAckAt = performance.now();
        onAck?.();
      }
    });
  });
}

function waitFor(cond: () => boolean, set: (f: (() => void) | undefined) => void, timeoutMs: number, what: string): Promise<boolean> {
  if (cond()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      set(undefined);
      progress(`timed out waiting for ${what}`);
      resolve(false);
    }, timeoutMs);
    set(() => {
      if (!cond()) return;
      clearTimeout(timer);
      set(undefined);
      resolve(true);
    });
  });
}

try {
  // Identities first, in one durable write, into the data folder the child will open.
  const t0 = performance.now();
  const registry = await IdentityRegistry.open(dataDir);
  const made = await registry.createControllers(
    Array.from({ length: N + 1 }, (_, i) => ({
      controllerId: i === N ? 'fanin-probe' : `fanin-${i}`,
      bankId: i === N ? 'fanin-probe-bank' : `fanin-bank-${Math.floor(i / CONTROLLERS_PER_BANK)}`,
      column: (i % CONTROLLERS_PER_BANK) + 1,
    })),
  );
  progress(`${N + 1} identities created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  let cloud = await startChild(port);
  const key = createPublicKey(readFileSync(join(dataDir, 'keys', 'command-ed25519.pub'), 'utf8'));
  progress(`cloud child ${cloud.pid} on ${url}`);

  // The probe: proves the cloud's link is subscribed (an event sent before that would be PUBACKed and dropped,
  // which a real controller's outbox would replay but these clients do not).
  const probeId = made[N]!;
  const probe = await connectSim(url, 'fanin-probe', 'fanin-probe-bank', probeId.secret, key);
  const probeEvt = encodePayload('evt', { v: 1, seq: 1, at: Date.now(), event: { type: 'bus-health', state: 'ok', consecutiveFailures: 0 } });
  for (let i = 0; probe.ackedUpTo < 1; i++) {
    if (i >= 100) throw new Error('the cloud never stored the probe event');
    probe.client.publish(topicFor('fanin-probe-bank', 'fanin-probe', 'evt'), probeEvt, { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
  }
  acked = 0;

  const tc = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const batch = made.slice(i, Math.min(i + BATCH, N));
    sims.push(...(await Promise.all(batch.map(({ identity, secret }) => connectSim(url, identity.controllerId, identity.bankId, secret, key)))));
  }
  progress(`${N} controllers connected in ${((performance.now() - tc) / 1000).toFixed(1)} s`);

  // Every controller sends K events, seq 1..K, all at once.
  const tp = performance.now();
  let pubErrors = 0;
  for (let seq = 1; seq <= K; seq++) {
    for (const s of sims) {
      const payload = encodePayload('evt', { v: 1, seq, at: Date.now(), event: { type: 'door-closed', door: (seq % 16) + 1, openForMs: 1000 * seq } });
      s.client.publish(topicFor(s.bankId, s.id, 'evt'), payload, { qos: 1 }, (err) => {
        if (err) pubErrors++;
        else s.pubacked++;
      });
    }
  }
  const total = N * K;
  const allStored = await waitFor(() => acked >= total, (f) => (onAck = f), STORE_TIMEOUT_MS, `${total} events stored`);
  const storeSeconds = (lastAckAt - tp) / 1000;
  const pubacked = sims.reduce((a, s) => a + s.pubacked, 0);
  progress(`${acked}/${total} events acked as stored in ${storeSeconds.toFixed(2)} s (${pubacked} PUBACKed, ${pubErrors} publish errors, ${forged} bad evtacks)`);
  if (!allStored) progress('not every event was stored in time: fanin_lost counts what is missing');

  const rss = rssMb(cloud.pid!);
  progress(`cloud RSS ${rss.toFixed(1)} MB`);

  // Restart: SIGTERM, then start again on the same port and data folder; time until all N are connected again.
  await stopChild(cloud);
  progress(`cloud stopped; ${sims.filter((s) => s.client.connected).length} clients still connected`);
  const tr = performance.now();
  cloud = await startChild(port);
  const allBack = await waitFor(() => sims.every((s) => s.client.connected), (f) => (onConnected = f), RECONNECT_TIMEOUT_MS, `${N} reconnects`);
  const reconnectSeconds = (performance.now() - tr) / 1000;
  const back = sims.filter((s) => s.client.connected).length;
  progress(`${back}/${N} reconnected in ${reconnectSeconds.toFixed(2)} s`);

  // Loss, from what the child durably stored (read after a clean stop, so the journal is complete).
  for (const c of clients) c.end(true);
  await stopChild(cloud);
  const journal = readJournal();
  let lost = 0;
  for (const s of sims) lost += Math.max(0, s.pubacked - (journal.stored.get(s.id) ?? 0));
  progress(`journal: ${journal.records} records, ${journal.bad} duplicate or out of order`);

  bench('fanin_events_per_s', allStored ? total / storeSeconds : NaN, 'events/s', 0);
  bench('fanin_lost', lost + journal.bad, 'events');
  bench('fanin_broker_rss_mb', rss, 'MB', 1);
  bench('fanin_reconnect_s', allBack ? reconnectSeconds : NaN, 's');
  if (!allStored || !allBack || lost > 0 || journal.bad > 0 || forged > 0) process.exitCode = 1;
} finally {
  if (child) await stopChild(child, 5000).catch(() => {});
  cleanupSync();
}
