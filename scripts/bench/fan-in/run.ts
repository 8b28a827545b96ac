// Fan-in: N simulated controllers (10,000 by default) each send K protocol-valid events (QoS 1, seq 1..K) to the
// cloud running as a separate child process (`portier-cloud serve`), once per broker the project supports: the
// cloud's embedded aedes (the broker's RSS is the cloud process's) and a real Mosquitto 2 run with the files the cloud
// generates (its RSS is Mosquitto's; the cloud's is printed beside it). Figures per broker: events stored per second
// (first publish -> last signed evtack), events sent and PUBACKed but never stored (from the child's event journal),
// the broker's VmRSS with everyone connected, at the end of the burst and again after 20 s idle, and the time for all
// N clients to be connected again after the broker is stopped (SIGTERM) and started again on the same port
// (embedded: the cloud restarts with it). The controllers are
// lightweight MQTT.js clients (own identity and secret, clientId = controllerId, clean: false), not the firmware:
// this measures the cloud's and the broker's side of the fan-in. BENCH_FANIN_BROKERS picks brokers (default
// `embedded,mosquitto`; Mosquitto is skipped by name where it is not installed).
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { CONTROLLER_SUBSCRIBES, encodePayload, parseLine, parsePayload, topicFor, verifyMessage } from '@portier/protocol';
import { IdentityRegistry, ensureServiceAccount, runtimePaths, JOURNAL_FILE } from '@portier/cloud';
import { Mosquitto, mosquittoMissing } from '../../test/e2e/broker.ts';
import { bench } from '../lib/stats.ts';
import { freePort } from '../lib/cloud-child.ts';

const N = Number(process.env.BENCH_FANIN_CONTROLLERS ?? 10_000);
const K = Number(process.env.BENCH_FANIN_EVENTS ?? 5);
const BATCH = Number(process.env.BENCH_FANIN_CONNECT_BATCH ?? 100);
const BROKERS = (process.env.BENCH_FANIN_BROKERS ?? 'embedded,mosquitto').split(',').map((b) => b.trim());
const STORE_TIMEOUT_MS = 120_000;
const RECONNECT_TIMEOUT_MS = 120_000;
const CONTROLLERS_PER_BANK = 16;
/** How long the fleet stays connected and idle after the burst before the broker's RSS is read again. */
const SETTLE_MS = 20_000;

const progress = (msg: string): void => void process.stderr.write(`fan-in: ${msg}\n`);
const cloudBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'cloud', 'bin', 'portier-cloud.mjs');
const dir = mkdtempSync(join(tmpdir(), 'portier-bench-fanin-'));

const clients: mqtt.MqttClient[] = [];
const children = new Set<ChildProcess>();
let mosquitto: Mosquitto | undefined;

// Clean up on every exit path: normal end, a throw, Ctrl-C, or being killed by the bench runner.
let cleanedUp = false;
function cleanupSync(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const c of clients) c.end(true);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  const pid = mosquitto?.pid;
  if (pid !== undefined) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    cleanupSync();
    process.exit(130);
  });
}


/**
 * Starts `portier-cloud serve` on `dataDir` and resolves once it prints its broker line: with its embedded broker on
 * `broker.port`, or linked to the external broker at `broker.url`.
 */
function startChild(dataDir: string, broker: { port: number } | { url: string }): Promise<ChildProcess> {
  const brokerArgs = 'port' in broker ? ['--mqtt', `127.0.0.1:${broker.port}`] : [];
  const env = { ...process.env, ...('url' in broker ? { PORTIER_CLOUD__MQTT__URL: broker.url } : {}) };
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [...heapSnapshotArgs, cloudBin, 'serve', '--data', dataDir, '--http', '127.0.0.1:0', ...brokerArgs, '--log-level', process.env.LOG_LEVEL ?? 'warn'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    });
    children.add(c);
    c.once('exit', () => children.delete(c));
    let out = '';
    const timer = setTimeout(() => reject(new Error('portier-cloud did not start within 60 s')), 60_000);
    c.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/portier-cloud broker on mqtts?:\/\//.test(out)) {
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

/**
 * BENCH_FANIN_HEAP_SNAPSHOT=<dir>: a profiling aid. The cloud child writes a V8 heap snapshot into <dir> when everyone
 * is connected and every event stored (where the RSS figure is read), to see where its memory goes.
 */
const HEAP_SNAPSHOT_DIR = process.env.BENCH_FANIN_HEAP_SNAPSHOT;
const heapSnapshotArgs = HEAP_SNAPSHOT_DIR ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${HEAP_SNAPSHOT_DIR}`] : [];

/** Asks the child for a heap snapshot and resolves once it has written it (its size has stopped growing). */
async function heapSnapshot(c: ChildProcess, dir: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  c.kill('SIGUSR2');
  let last = -1;
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const size = statSync(join(dir, file)).size;
    if (size > 0 && size === last) return progress(`heap snapshot: ${join(dir, file)} (${(size / 1e6).toFixed(1)} MB)`);
    last = size;
  }
  progress('no heap snapshot within 300 s');
}

/** What the kernel counts of a process's resident memory: anonymous (heap, stacks, malloc) and file-backed (code). */
function rssParts(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (k: string): string => (Number(new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN) / 1024).toFixed(1);
  return `anonymous ${mb('RssAnon')} MB, files ${mb('RssFile')} MB`;
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
function readJournal(dataDir: string): { stored: Map<string, number>; records: number; bad: number } {
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

/** The clients of one run and what they heard. */
class Fleet {
  readonly sims: Sim[] = [];
  acked = 0;
  lastAckAt = 0;
  forged = 0;
  onAck: (() => void) | undefined;
  onConnected: (() => void) | undefined;

  connect(url: string, id: string, bankId: string, secret: string, key: KeyObject): Promise<Sim> {
    return new Promise((resolve, reject) => {
      const client = mqtt.connect(url, { clientId: id, username: id, password: secret, clean: false, reconnectPeriod: 1000, connectTimeout: 60_000 });
      clients.push(client);
      const sim: Sim = { id, bankId, client, pubacked: 0, ackedUpTo: 0 };
      let first = true;
      client.on('connect', () => {
        this.onConnected?.();
        if (!first) return;
        first = false;
        (client.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
        // With the QoS the firmware subscribes with.
        client.subscribe(topicFor(bankId, id, 'evtack'), { qos: CONTROLLER_SUBSCRIBES.evtack }, (err) => (err ? reject(err) : resolve(sim)));
      });
      client.on('error', (err) => {
        if (first) reject(err);
      });
      client.on('message', (_topic, payload) => {
        const r = parsePayload('evtack', payload);
        if (!r.ok || r.value.controllerId !== id || !verifyMessage(r.value, key)) {
          this.forged++;
          return;
        }
        if (r.value.upTo > sim.ackedUpTo) {
          this.acked += r.value.upTo - sim.ackedUpTo;
          sim.ackedUpTo = r.value.upTo;
          this.lastAckAt = performance.now();
          this.onAck?.();
        }
      });
    });
  }

  end(): void {
    for (const s of this.sims) s.client.end(true);
  }
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

/** One broker's run; returns false when a figure missed (not every event stored, lost, not every client back). */
async function run(kind: 'embedded' | 'mosquitto'): Promise<boolean> {
  const dataDir = join(dir, kind);
  const prefix = kind === 'embedded' ? 'fanin' : `fanin_${kind}`;
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
  progress(`${kind}: ${N + 1} identities created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  let url: string;
  let cloud: ChildProcess;
  let brokerPid: () => number;
  let stopBroker: () => Promise<void>;
  let startBroker: () => Promise<void>;
  if (kind === 'embedded') {
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    cloud = await startChild(dataDir, { port });
    brokerPid = () => cloud.pid!;
    stopBroker = () => stopChild(cloud);
    startBroker = async () => {
      cloud = await startChild(dataDir, { port });
    };
  } else {
    // As an operator runs it: the cloud's service account and every controller in the files the cloud writes.
    await ensureServiceAccount({ dataDir, identities: registry });
    mosquitto = await Mosquitto.start(registry, join(dir, 'mosquitto'));
    const m = mosquitto;
    url = m.url;
    cloud = await startChild(dataDir, { url });
    brokerPid = () => m.pid!;
    stopBroker = () => m.stop();
    startBroker = () => m.resume();
  }
  const key = createPublicKey(readFileSync(join(dataDir, 'keys', 'command-ed25519.pub'), 'utf8'));
  progress(`${kind}: cloud child ${cloud.pid}, broker ${url}`);
  const fleet = new Fleet();
  try {
    // The probe: proves the cloud's link is subscribed (an event sent before that would be PUBACKed and dropped,
    // which a real controller's outbox would replay but these clients do not).
    const probeId = made[N]!;
    const probe = await fleet.connect(url, 'fanin-probe', 'fanin-probe-bank', probeId.secret, key);
    const probeEvt = encodePayload('evt', { v: 1, seq: 1, at: Date.now(), event: { type: 'bus-health', state: 'ok', consecutiveFailures: 0 } });
    for (let i = 0; probe.ackedUpTo < 1; i++) {
      if (i >= 100) throw new Error('the cloud never stored the probe event');
      probe.client.publish(topicFor('fanin-probe-bank', 'fanin-probe', 'evt'), probeEvt, { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
    }
    fleet.acked = 0;

    const tc = performance.now();
    for (let i = 0; i < N; i += BATCH) {
      const batch = made.slice(i, Math.min(i + BATCH, N));
      fleet.sims.push(...(await Promise.all(batch.map(({ identity, secret }) => fleet.connect(url, identity.controllerId, identity.bankId, secret, key)))));
    }
    progress(`${kind}: ${N} controllers connected in ${((performance.now() - tc) / 1000).toFixed(1)} s`);

    // Every controller sends K events, seq 1..K, all at once.
    const tp = performance.now();
    let pubErrors = 0;
    for (let seq = 1; seq <= K; seq++) {
      for (const s of fleet.sims) {
        const payload = encodePayload('evt', { v: 1, seq, at: Date.now(), event: { type: 'door-closed', door: (seq % 16) + 1, openForMs: 1000 * seq } });
        s.client.publish(topicFor(s.bankId, s.id, 'evt'), payload, { qos: 1 }, (err) => {
          if (err) pubErrors++;
          else s.pubacked++;
        });
      }
    }
    const total = N * K;
    const allStored = await waitFor(() => fleet.acked >= total, (f) => (fleet.onAck = f), STORE_TIMEOUT_MS, `${total} events stored`);
    const storeSeconds = (fleet.lastAckAt - tp) / 1000;
    const pubacked = fleet.sims.reduce((a, s) => a + s.pubacked, 0);
    progress(`${kind}: ${fleet.acked}/${total} events acked as stored in ${storeSeconds.toFixed(2)} s (${pubacked} PUBACKed, ${pubErrors} publish errors, ${fleet.forged} bad evtacks)`);
    if (!allStored) progress('not every event was stored in time: the lost figure counts what is missing');

    const rss = rssMb(brokerPid());
    const cloudRss = rssMb(cloud.pid!);
    progress(`${kind}: broker RSS ${rss.toFixed(1)} MB, cloud RSS ${cloudRss.toFixed(1)} MB (${rssParts(cloud.pid!)})`);
    if (HEAP_SNAPSHOT_DIR) await heapSnapshot(cloud, HEAP_SNAPSHOT_DIR);
    // The same, everyone still connected, once the burst is over and the processes have been idle a while: what an
    // operator sees at rest (V8 gives back the heap the burst's garbage took when its allocation rate falls).
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const settledRss = rssMb(brokerPid());
    progress(`${kind}: after ${SETTLE_MS / 1000} s idle: broker RSS ${settledRss.toFixed(1)} MB, cloud RSS ${rssMb(cloud.pid!).toFixed(1)} MB (${rssParts(cloud.pid!)})`);

    // Restart: the broker stopped (SIGTERM) and started again on the same port; time from the start until all N are
    // connected again.
    await stopBroker();
    const tr = performance.now();
    await startBroker();
    progress(`${kind}: broker back after ${((performance.now() - tr) / 1000).toFixed(2)} s`);
    const allBack = await waitFor(() => fleet.sims.every((s) => s.client.connected), (f) => (fleet.onConnected = f), RECONNECT_TIMEOUT_MS, `${N} reconnects`);
    const reconnectSeconds = (performance.now() - tr) / 1000;
    progress(`${kind}: ${fleet.sims.filter((s) => s.client.connected).length}/${N} reconnected in ${reconnectSeconds.toFixed(2)} s`);

    // Loss, from what the child durably stored (read after a clean stop, so the journal is complete).
    fleet.end();
    probe.client.end(true);
    await stopChild(cloud);
    const journal = readJournal(dataDir);
    let lost = 0;
    for (const s of fleet.sims) lost += Math.max(0, s.pubacked - (journal.stored.get(s.id) ?? 0));
    progress(`${kind}: journal ${journal.records} records, ${journal.bad} duplicate or out of order`);

    bench(`${prefix}_events_per_s`, allStored ? total / storeSeconds : NaN, 'events/s', 0);
    bench(`${prefix}_lost`, lost + journal.bad, 'events');
    bench(`${prefix}_broker_rss_mb`, rss, 'MB', 1);
    bench(`${prefix}_broker_rss_settled_mb`, settledRss, 'MB', 1);
    if (kind !== 'embedded') bench(`${prefix}_cloud_rss_mb`, cloudRss, 'MB', 1);
    bench(`${prefix}_reconnect_s`, allBack ? reconnectSeconds : NaN, 's');
    return allStored && allBack && lost === 0 && journal.bad === 0 && fleet.forged === 0;
  } finally {
    fleet.end();
    await stopChild(cloud, 5000).catch(() => {});
    if (kind === 'mosquitto') await mosquitto?.stop();
    mosquitto = undefined;
  }
}

try {
  let ok = true;
  for (const kind of BROKERS) {
    if (kind !== 'embedded' && kind !== 'mosquitto') throw new Error(`BENCH_FANIN_BROKERS: unknown broker ${kind}`);
    if (kind === 'mosquitto' && mosquittoMissing) {
      progress(`mosquitto skipped: ${mosquittoMissing}`);
      continue;
    }
    ok = (await run(kind)) && ok;
  }
  if (!ok) process.exitCode = 1;
} finally {
  cleanupSync();
}
