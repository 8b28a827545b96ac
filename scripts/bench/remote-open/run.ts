// Remote-open latency, end to end: HTTP API call -> signed command -> embedded broker -> controller verification
// (signature, seen-id, durable pending mark) -> lock energised on the simulated KR-CU16 board -> door seen open ->
// ack -> outcome returned to the caller. 2,000 calls with 500 idle controllers connected.
//
// Each call is paired with one through the reference path (reference-cloud.ts, reference-controller.ts): a minimal
// program doing only the work any correct remote open must do (bearer check, a durable append, an Ed25519-signed
// command through the same broker, verification, a durable append on the controller's side, one exchange with a
// simulated board, the reply), with the same libraries and settings. The two alternate call by call (which goes first
// alternates too), so both meet the same stalls of the machine; `remote_open_vs_ref_*` are Portier's percentiles
// over the reference's.
//
// The same run measures the floor of that path: a plain MQTT request/reply round trip through the same broker (p99)
// plus the p99 of one durable write times the durable writes on the path (controller: seen-id + pending mark in one
// log line; cloud: the audit record before the command; each a JSON line appended and fdatasync'd). The simulated
// column (virtual KR-CU16 boards on serialport's mock binding), its controller and the reference controller run in a
// process of their own. The figures are taken with the simulator adding no hardware time (boards answer at
// once, doors spring at once); a second pass with the boards answering after 2 ms (`remote_open_bus2ms_*`) shows
// the cost of the two bus exchanges of an open.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { startCloud, provision, ensureServiceAccount } from '@portier/cloud';
import { AppendLog } from '@portier/firmware';
import { validateBankConfig } from '@portier/rig';
import { generateCommandKeyPair, importPrivateKey, topicFor } from '@portier/protocol';
import { bench, percentile } from '../lib/stats.ts';
import { httpCaller } from './http-caller.ts';
import { startReferenceCloud, type ReferenceCloud } from './reference-cloud.ts';

const CALLS = Number(process.env.BENCH_REMOTE_OPEN_CALLS ?? 2000);
const IDLE = Number(process.env.BENCH_IDLE_CONTROLLERS ?? 500);
const DOORS = 8;
const PULSE_MS = 20;
const ACTOR = { role: 'admin' as const, id: 'bench' };
const progress = (msg: string): void => void process.stderr.write(`remote-open: ${msg}\n`);
const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const dir = mkdtempSync(join(tmpdir(), 'portier-bench-open-'));
const dataDir = join(dir, 'cloud');
const admin = { user: 'bench', password: 'bench-password-1' };

const cloud = await startCloud({
  config: { dataDir, http: { host: '127.0.0.1', port: 0 }, admin, log: { level: 'warn' }, expiry: { intervalSeconds: 0 } },
  broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
  logger: log,
});
const clients: mqtt.MqttClient[] = [];
let worker: ChildProcess | undefined;
let refCloud: ReferenceCloud | undefined;
try {
  // One bank, one column of 8 doors driven by a real controller on the simulator.
  const s = cloud.service;
  // In the enterprise of the administrator the cloud made at start, who calls the API: another's bank answers 404.
  const enterpriseId = (await s.users.findUserByUsername(admin.user))!.enterpriseId;
  await s.createDivision({ id: 'd', enterpriseId, name: 'D' }, ACTOR);
  await s.createLocation({ id: 'l', divisionId: 'd', name: 'L' }, ACTOR);
  await s.createBank({ id: 'bank', locationId: 'l', name: 'Bench bank' }, ACTOR);
  await s.createColumn({ id: 'c1', bankId: 'bank', position: 1, kind: 'plain', controllerId: 'ctl-1' }, ACTOR);
  await s.createLockers(
    Array.from({ length: DOORS }, (_, i) => ({ bankId: 'bank', number: i + 1, columnId: 'c1', door: i + 1, size: 'S' as const, bottomCm: 170 - i * 20, topCm: 190 - i * 20, loading: 'front' as const })),
    ACTOR,
  );
  const out = join(dir, 'ctl-1.yaml');
  await provision({ dataDir, bankId: 'bank', controllerId: 'ctl-1', column: 1, brokerUrl: cloud.mqttUrl, out, identities: cloud.identities });
  // The door springs open as soon as the latch releases: the bench measures our path, not a spring.
  const bankConfig = (boardReplyDelayMs: number) =>
    validateBankConfig({
      bankId: 'bank',
      transport: 'mock',
      dataDir: join(dir, 'sim'),
      logLevel: 'warn',
      // Short board-timed pulses and a power budget of one lock per door: the budget (physics: at most N solenoids
      // at once) would otherwise space the calls by the pulse length, and this bench measures latency, not that.
      columns: [
        {
          controllerConfig: out,
          doors: DOORS,
          behaviour: { springDelayMs: 0, releaseAfterMs: 0 },
          doorSettings: { maxPulseMs: PULSE_MS, pulseMs: PULSE_MS, maxConcurrentPulses: DOORS },
          boardReplyDelayMs,
        },
      ],
    });
  // The reference path: its own controller identity and cloud-side account on the same broker, its own signing key.
  const [refIdentity] = await cloud.identities.createControllers([{ controllerId: 'ref-ctl', bankId: 'ref-bank', column: 1 }]);
  const refAccount = await ensureServiceAccount({ dataDir, username: 'bench-ref', identities: cloud.identities });
  const refKeys = generateCommandKeyPair();
  const refToken = randomBytes(32).toString('base64url');
  const reference = (boardReplyDelayMs: number) => ({
    username: 'ref-ctl',
    password: refIdentity!.secret,
    bankId: 'ref-bank',
    publicKeyPem: refKeys.publicKeyPem,
    logPath: join(dir, `ref-ctl-${boardReplyDelayMs}.log`),
    doors: DOORS,
    boardReplyDelayMs,
    pulseMs: PULSE_MS,
  });
  refCloud = await startReferenceCloud({
    brokerUrl: cloud.mqttUrl,
    username: refAccount.username,
    password: refAccount.password,
    signingKey: importPrivateKey(refKeys.privateKeyPem),
    bankId: 'ref-bank',
    controllerId: 'ref-ctl',
    token: refToken,
    journalPath: join(dir, 'ref-cloud.log'),
  });
  // The column and its controller run in a process of their own, as on a real bank: the cloud's event loop and the
  // controller's do not wait for each other.
  const startColumn = async (boardReplyDelayMs: number) => {
    const w = fork(new URL('./column-worker.ts', import.meta.url), [JSON.stringify({ bank: bankConfig(boardReplyDelayMs), brokerUrl: cloud.mqttUrl, reference: reference(boardReplyDelayMs) })], {
      // BENCH_WORKER_IMPORT: a module the worker loads first (a profiler's hook).
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_WORKER_IMPORT ? ['--import', process.env.BENCH_WORKER_IMPORT] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    worker = w;
    const [first] = (await once(w, 'message')) as [unknown];
    if (!(first && typeof first === 'object' && 'ready' in first)) throw new Error(`column worker did not start: ${JSON.stringify(first)}`);
    const closeDoor = async (n: number): Promise<void> => {
      const closed = new Promise<void>((resolve) => {
        const on = (m: unknown): void => {
          if (m && typeof m === 'object' && 'closed' in m && m.closed === n) {
            w.off('message', on);
            resolve();
          }
        };
        w.on('message', on);
      });
      w.send({ close: n });
      await closed;
    };
    const stop = async (): Promise<void> => {
      if (w.exitCode !== null) return;
      w.send({ stop: true });
      await Promise.race([once(w, 'exit'), new Promise((r) => setTimeout(r, 5000).unref())]);
      w.kill('SIGKILL');
    };
    progress(`simulated column running (own process), boards answer after ${boardReplyDelayMs} ms`);
    return { closeDoor, stop };
  };

  // 500 idle controllers: real identities, real MQTT sessions, subscribed to their own command topics.
  const idle = await cloud.identities.createControllers(
    Array.from({ length: IDLE }, (_, i) => ({ controllerId: `idle-${i}`, bankId: `idle-bank-${Math.floor(i / 8)}`, column: (i % 8) + 1 })),
  );
  await Promise.all(
    idle.map(
      ({ identity, secret }) =>
        new Promise<void>((resolve, reject) => {
          const c = mqtt.connect(cloud.mqttUrl, { clientId: identity.controllerId, username: identity.controllerId, password: secret, reconnectPeriod: 0, clean: false });
          clients.push(c);
          c.once('connect', () => c.subscribe(topicFor(identity.bankId, identity.controllerId, 'cmd'), { qos: 1 }, (err) => (err ? reject(err) : resolve())));
          c.once('error', reject);
        }),
    ),
  );

  progress(`${IDLE} idle controllers connected`);
  const login = await fetch(`${cloud.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: admin.user, password: admin.password }),
  });
  const { token } = (await login.json()) as { token: string };
  const portier = httpCaller(cloud.httpUrl, token);
  const ref = httpCaller(refCloud.url, refToken);
  const open = (locker: number) => portier(`/api/v1/banks/bank/lockers/${locker}/open`);
  const openRef = (door: number) => ref(`/open/${door}`);

  // Warm up, then measure. Doors are used round-robin and shut again by a virtual person between calls. Each
  // Portier call is paired with a reference call; which of the two goes first alternates.
  const measure = async (boardReplyDelayMs: number, calls: number): Promise<{ portier: number[]; reference: number[] }> => {
    const column = await startColumn(boardReplyDelayMs);
    try {
      for (let i = 0; i < 50; i++) {
        await open((i % DOORS) + 1);
        await column.closeDoor((i % DOORS) + 1);
        await openRef((i % DOORS) + 1);
      }
      progress('warmed up');
      await new Promise((r) => setTimeout(r, 200));
      const latencies: number[] = [];
      const refLatencies: number[] = [];
      const outcomes = new Map<string, number>();
      const refOutcomes = new Map<string, number>();
      const timed = async (call: () => Promise<{ outcome: string }>, into: number[], counts: Map<string, number>): Promise<void> => {
        const t0 = performance.now();
        const res = await call();
        into.push(performance.now() - t0);
        counts.set(res.outcome, (counts.get(res.outcome) ?? 0) + 1);
      };
      for (let i = 0; i < calls; i++) {
        const door = (i % DOORS) + 1;
        const ours = async (): Promise<void> => {
          await timed(() => open(door), latencies, outcomes);
          await column.closeDoor(door);
        };
        const theirs = (): Promise<void> => timed(() => openRef(door), refLatencies, refOutcomes);
        if (i % 2 === 0) {
          await ours();
          await theirs();
        } else {
          await theirs();
          await ours();
        }
        if (door === DOORS) await new Promise((r) => setTimeout(r, 30));
      }
      process.stdout.write(`outcomes (boards answer after ${boardReplyDelayMs} ms): ${JSON.stringify(Object.fromEntries(outcomes))}, reference ${JSON.stringify(Object.fromEntries(refOutcomes))}\n`);
      if ((outcomes.get('opened') ?? 0) !== calls) throw new Error('not every call opened its door');
      if ((refOutcomes.get('opened') ?? 0) !== calls) throw new Error('not every reference call opened its door');
      return { portier: latencies, reference: refLatencies };
    } finally {
      await column.stop();
    }
  };
  // The figure: the simulator adds no hardware time (boards answer at once, the door springs at once), so
  // what is measured is our path. Then the same with boards answering after 2 ms, as on a short RS-485 line.
  const { portier: latencies, reference: refLatencies } = await measure(0, CALLS);
  // BENCH_REMOTE_OPEN_BUS_PASS=0 skips the reference pass (profiling one pass at a time).
  const withBus = process.env.BENCH_REMOTE_OPEN_BUS_PASS === '0' ? [] : (await measure(2, Math.min(CALLS, 1000))).portier;

  // The floor, part 1: a plain MQTT request/reply through the same broker, between the cloud's kind of client
  // (service account) and a controller identity, with no work on either side.
  const svc = await ensureServiceAccount({ dataDir, username: 'bench-rtt', identities: cloud.identities });
  const [echoId] = await cloud.identities.createControllers([{ controllerId: 'rtt-echo', bankId: 'rtt-bank', column: 1 }]);
  const connect = (opts: mqtt.IClientOptions) =>
    new Promise<mqtt.MqttClient>((resolve, reject) => {
      const c = mqtt.connect(cloud.mqttUrl, { reconnectPeriod: 0, ...opts });
      clients.push(c);
      c.once('connect', () => {
        (c.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
        resolve(c);
      });
      c.once('error', reject);
    });
  const requester = await connect({ clientId: 'bench-rtt', username: svc.username, password: svc.password });
  const echo = await connect({ clientId: 'rtt-echo', username: 'rtt-echo', password: echoId!.secret });
  const cmdTopic = topicFor('rtt-bank', 'rtt-echo', 'cmd');
  const ackTopic = topicFor('rtt-bank', 'rtt-echo', 'ack');
  await new Promise<void>((r) => echo.subscribe(cmdTopic, { qos: 1 }, () => r()));
  await new Promise<void>((r) => requester.subscribe(ackTopic, { qos: 1 }, () => r()));
  echo.on('message', (_t, payload) => echo.publish(ackTopic, payload, { qos: 1 }));
  const rtts: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      requester.once('message', () => resolve());
      // A well-formed ack (of no command the cloud waits for), so the cloud's own subscriber takes it quietly.
      requester.publish(cmdTopic, JSON.stringify({ v: 1, commandId: `rtt-${i}`, status: 'done', at: Date.now() }), { qos: 1 });
    });
    rtts.push(performance.now() - t0);
  }

  // The floor, part 2: one durable write as both sides make it on this path: a JSON line appended to a log and
  // fdatasync'd (the cloud's store journal, the controller's commands.log).
  const writes: number[] = [];
  const { log: probe } = await AppendLog.open(join(dir, 'durable-probe.log'));
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now();
    await probe.append(JSON.stringify({ i, pad: 'x'.repeat(300) }));
    writes.push(performance.now() - t0);
  }
  await probe.close();
  // On the caller's path: the cloud's audit record before the command, the controller's seen-id + pending line. (The
  // outcome record is written as the answer goes back, not waited for.)
  const DURABLE_WRITES_ON_PATH = 2;

  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const rttP99 = percentile(rtts, 99);
  const writeP99 = percentile(writes, 99);
  const floor = rttP99 + DURABLE_WRITES_ON_PATH * writeP99;
  bench('remote_open_p50_ms', p50, 'ms');
  bench('remote_open_p99_ms', p99, 'ms');
  const refP50 = percentile(refLatencies, 50);
  const refP99 = percentile(refLatencies, 99);
  bench('remote_open_ref_p50_ms', refP50, 'ms');
  bench('remote_open_ref_p99_ms', refP99, 'ms');
  bench('remote_open_vs_ref_p50', p50 / refP50, 'x');
  bench('remote_open_vs_ref_p99', p99 / refP99, 'x');
  bench('mqtt_rtt_p99_ms', rttP99, 'ms');
  bench('durable_write_p99_ms', writeP99, 'ms');
  bench('remote_open_floor_ms', floor, 'ms');
  bench('remote_open_overhead_ratio', p99 / floor, 'x');
  // For reference: the same path with the boards answering after 2 ms (two bus exchanges per open: unlock, status).
  if (withBus.length > 0) {
    bench('remote_open_bus2ms_p50_ms', percentile(withBus, 50), 'ms');
    bench('remote_open_bus2ms_p99_ms', percentile(withBus, 99), 'ms');
  }
} finally {
  for (const c of clients) c.end(true);
  await refCloud?.close();
  const last = worker as ChildProcess | undefined;
  if (last && last.exitCode === null) last.kill('SIGKILL');
  await cloud.stop();
  rmSync(dir, { recursive: true, force: true });
}
