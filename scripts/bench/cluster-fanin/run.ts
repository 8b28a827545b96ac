/**
 * Cluster fan-in: simulated controllers through a three-node NATS cluster (JetStream and its MQTT gateway, the files
 * `portier-cloud nats-files` writes) into two cloud instances (`portier-cloud serve`, store in one PostgreSQL, each
 * with its own service account), the controllers spread over the three nodes' MQTT URLs (setup.ts).
 *
 * The controllers are lightweight MQTT.js clients in a few load-generator processes (controllers.ts), not the
 * firmware: each with its own identity, a persistent session (clean: false) and the firmware's subscriptions (cmd at
 * QoS 1, on NATS a JetStream consumer; evtack and desired at QoS 0), sending QoS 1 events and answering resend-events;
 * a refused subscription is asked again on a new connection, as the firmware does.
 *
 * The load ramps in steps (BENCH_CLUSTER_FANIN_STEPS, default 1000,2000,5000,10000,20000,35000,50000 controllers):
 * each step provisions the controllers it adds into the running site (setup.ts addControllers) and connects them,
 * then every connected controller sends BENCH_CLUSTER_FANIN_EVENTS more events (default 1), and the step ends once
 * every event is covered by a signed evtack. A step fails when not all controllers connect and subscribe, when its events are
 * not all acked (nothing moved for BENCH_CLUSTER_FANIN_IDLE_S seconds, default 60, or the step took more than
 * BENCH_CLUSTER_FANIN_STEP_S, default 300: a broker that slow does not hold that many), or when the database's
 * `link_events` lacks an event the broker PUBACKed (lost) or a controller's stored count differs from its highest
 * seq (stored twice or out of order). The ramp stops at the first step that fails, saying what failed.
 * BENCH_CLUSTER_FANIN_NATS_MQTT adds settings to every node's mqtt block (to measure e.g. `consumer_replicas: 1,
 * consumer_memory_storage: true`); without it the generated files are used as they are.
 *
 * Figures: the largest step with every controller connected and 0 lost (`cluster_fanin_controllers`), the lost
 * events at that step, the NATS nodes' VmRSS (highest sampled during the step), the clouds' and load generators'.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { natsMissing } from '../../test/e2e/nats.ts';
import { postgresMissing } from '../../test/e2e/postgres.ts';
import { bench } from '../lib/stats.ts';
import { Fleet } from './fleet.ts';
import type { FleetTally } from './fleet-protocol.ts';
import { addControllers, INSTANCES, progress, shardsHeld, startSite, storedEvents, type Site } from './setup.ts';
import { benchTeardowns } from '../lib/bench-run.ts';

const STEPS = (process.env.BENCH_CLUSTER_FANIN_STEPS ?? '1000,2000,5000,10000,20000,35000,50000').split(',').map(Number);
const EVENTS = Number(process.env.BENCH_CLUSTER_FANIN_EVENTS ?? 1);
const IDLE_MS = Number(process.env.BENCH_CLUSTER_FANIN_IDLE_S ?? 60) * 1000;
/** Acks stalled this long: the controllers send what is unacked again (the firmware's evtack timeout, 30 s). */
const REPLAY_MS = 30_000;
/** The most a step's events may take to be acked: a broker that stores them slower fails the step. */
const STEP_MS = Number(process.env.BENCH_CLUSTER_FANIN_STEP_S ?? 300) * 1000;
/** Connects in flight per load-generator process. */
const IN_FLIGHT = Number(process.env.BENCH_CLUSTER_FANIN_IN_FLIGHT ?? 50);
/**
 * One process per node (or a multiple of three), so that each node gets the same share: a process, like a node, holds
 * its share of the sockets under the open-file limit (20,000 here).
 */
const PROCESSES = 3 * Math.ceil(Math.max(...STEPS) / 54_000);
const TARGET = 50_000;
const MINIMUM = 20_000;
const SETTLE_MS = 60_000;
/** Settings added to each NATS node's mqtt block (e.g. `consumer_replicas: 1`); none by default. */
const NATS_MQTT_EXTRA = process.env.BENCH_CLUSTER_FANIN_NATS_MQTT ?? '';

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const mb = (bytes: number): string => (bytes / 1048576).toFixed(0);

if (STEPS.some((n) => !Number.isInteger(n) || n <= 0) || !Number.isInteger(EVENTS) || EVENTS <= 0) {
  out('BENCH_CLUSTER_FANIN_STEPS must list positive integers and BENCH_CLUSTER_FANIN_EVENTS be a positive integer');
  process.exit(2);
}
if (natsMissing || postgresMissing) {
  out(`cluster-fanin bench skipped: ${natsMissing || postgresMissing}`);
  process.exit(0);
}

function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process used so far, in seconds (clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of each NATS node, each cloud and the load generators together. */
function cpuOf(site: Site, fleet: Fleet): { nats: number[]; clouds: number[]; fleet: number } {
  return {
    nats: site.nats.nodes.map((n) => cpuSeconds(n.pid)),
    clouds: site.clouds.map((c) => cpuSeconds(c.pid)),
    fleet: fleet.pids.reduce((a, pid) => a + cpuSeconds(pid), 0),
  };
}

/** What each part spent between two readings of cpuOf, as a line. */
function cpuSpent(a: ReturnType<typeof cpuOf>, b: ReturnType<typeof cpuOf>): string {
  const d = (x: number[], y: number[]): string => y.map((v, i) => (v - x[i]!).toFixed(1)).join('/');
  return `CPU s NATS ${d(a.nats, b.nats)}, clouds ${d(a.clouds, b.clouds)}, load generators ${(b.fleet - a.fleet).toFixed(1)}`;
}

const { t, run } = benchTeardowns();
const dir = mkdtempSync(join(tmpdir(), 'portier-bench-cluster-fanin-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** The highest RSS of each NATS node and each cloud seen by `sample`. */
class RssPeaks {
  nats: number[] = [0, 0, 0];
  clouds: number[] = [0, 0];
  constructor(private readonly site: Site) {}
  sample(): void {
    this.site.nats.nodes.forEach((n, i) => (this.nats[i] = Math.max(this.nats[i]!, rssBytes(n.pid))));
    this.site.clouds.forEach((c, i) => (this.clouds[i] = Math.max(this.clouds[i]!, rssBytes(c.pid))));
  }
}

/** What is down: a NATS node or a cloud that exited, or '' when everything runs. */
function whatDied(site: Site): string {
  const dead = [
    ...site.nats.nodes.filter((n) => !n.running).map((n) => `NATS node ${n.node.name} exited: ${n.log.slice(-400)}`),
    ...site.clouds.filter((c) => c.child.exitCode !== null || c.child.signalCode !== null).map((c, i) => `cloud ${INSTANCES[i]} exited (${c.child.exitCode ?? c.child.signalCode})`),
  ];
  return dead.join('; ');
}

/** A node's warnings and errors by kind (numbers, addresses and client ids folded), the most frequent first. */
function warningKinds(log: string): string {
  const kinds = new Map<string, number>();
  for (const line of log.split('\n')) {
    const m = /\[(WRN|ERR)\] (.*)$/.exec(line);
    if (!m) continue;
    const what = `${m[1]} ${m[2]!.replace(/"[^"]*"/g, '"ID"').replace(/[\d.:]+\d/g, 'N')}`.slice(0, 200);
    kinds.set(what, (kinds.get(what) ?? 0) + 1);
  }
  if (kinds.size === 0) return 'no warnings';
  return [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([what, n]) => `${n} x ${what}`).join(' | ');
}

/** Polls the fleet once a second until every event sent is acked, or nothing moved for IDLE_MS. */
async function untilAcked(fleet: Fleet, site: Site, peaks: RssPeaks): Promise<{ tally: FleetTally; allAcked: boolean; lastAckMs: number }> {
  let tally = await fleet.report();
  const t0 = performance.now();
  let lastMove = performance.now();
  let lastAckMs = performance.now();
  let lastReplay = performance.now();
  let before = tally.acked;
  for (;;) {
    peaks.sample();
    if (tally.acked >= tally.sent) return { tally, allAcked: true, lastAckMs };
    if (performance.now() - lastMove > IDLE_MS || performance.now() - t0 > STEP_MS || whatDied(site)) return { tally, allAcked: false, lastAckMs };
    if (performance.now() - Math.max(lastMove, lastReplay) > REPLAY_MS) {
      lastReplay = performance.now();
      await fleet.replay();
    }
    await new Promise((r) => setTimeout(r, 1000));
    tally = await fleet.report();
    if (process.env.BENCH_VERBOSE) progress(`${tally.pubacked}/${tally.sent} PUBACKed, ${tally.acked} acked`);
    if (tally.acked !== before) {
      before = tally.acked;
      lastMove = lastAckMs = performance.now();
    }
  }
}

/** Waits until both instances hold their share of the 64 bank shards; false if not within SETTLE_MS. */
async function settled(site: Site): Promise<boolean> {
  const t0 = performance.now();
  while (performance.now() - t0 < SETTLE_MS) {
    const held = shardsHeld(site.databaseUrl);
    if (INSTANCES.every((id) => held.get(id) === 32)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

interface Step {
  n: number;
  ok: boolean;
  lost: number;
  why: string;
  natsRss: number[];
  cloudRss: number[];
}

async function main(): Promise<void> {
  const site = await startSite(t, dir, NATS_MQTT_EXTRA);
  const { probes } = site;
  if (NATS_MQTT_EXTRA) out(`NATS mqtt block given, beside the generated settings: ${NATS_MQTT_EXTRA}`);
  if (!(await settled(site))) throw new Error(`the instances did not settle on 32 bank shards each within ${SETTLE_MS / 1000} s: ${JSON.stringify([...shardsHeld(site.databaseUrl)])}`);

  const fleet = await Fleet.start(site.nats.nodes.map((n) => n.mqttUrl), PROCESSES, site.publicKeyPem);
  t.teardown(() => fleet.kill());
  // The probes: each acked once its bank's owner acts for it.
  const tp = performance.now();
  const probed = await fleet.connect(probes, IN_FLIGHT);
  const peaks = new RssPeaks(site);
  const steps: Step[] = [];
  let probeFailure = '';
  if (probed.failed > 0) probeFailure = `${probed.failed} of ${probes.length} probe controllers could not connect and subscribe: ${(await fleet.report()).errors.slice(0, 4).join('; ')}`;
  else {
    await fleet.publish(1);
    const probeAck = await untilAcked(fleet, site, peaks);
    if (!probeAck.allAcked) probeFailure = `the probes' events were not all acked (${probeAck.tally.acked}/${probeAck.tally.sent}): the instances do not act for their banks`;
  }
  if (probeFailure) {
    peaks.sample();
    steps.push({ n: 0, ok: false, lost: 0, why: probeFailure, natsRss: peaks.nats, cloudRss: peaks.clouds });
  } else {
    out(`both instances hold 32 bank shards and act for them (${probes.length} probe controllers in banks of their own acked in ${((performance.now() - tp) / 1000).toFixed(1)} s); ${PROCESSES} load-generator processes, ${IN_FLIGHT} connects in flight each`);
  }

  let connectedSoFar = 0;
  let issued = { count: 0, seconds: 0 };
  for (const n of probeFailure ? [] : STEPS) {
    const provisioned = await addControllers(site, connectedSoFar, n);
    issued = { count: issued.count + (n - connectedSoFar), seconds: issued.seconds + provisioned.issueSeconds };
    out(`${n - connectedSoFar} identities issued in ${provisioned.issueSeconds.toFixed(1)} s (${((provisioned.issueSeconds * 1000) / (n - connectedSoFar)).toFixed(2)} ms each: scrypt, Mosquitto and bcrypt cost 4 hashes); copied to the instances, auth.conf rewritten and the nodes reloaded in ${provisioned.reloadSeconds.toFixed(1)} s`);
    const stepPeaks = new RssPeaks(site);
    const tc = performance.now();
    const cpu0 = cpuOf(site, fleet);
    const added = await fleet.connect(provisioned.controllers, IN_FLIGHT);
    connectedSoFar = n;
    const connectS = (performance.now() - tc) / 1000;
    stepPeaks.sample();
    const idleNats = [...stepPeaks.nats];
    const cpu1 = cpuOf(site, fleet);
    const tpub = performance.now();
    await fleet.publish(EVENTS);
    const acked = await untilAcked(fleet, site, stepPeaks);
    const storeS = (acked.lastAckMs - tpub) / 1000;
    const cpu2 = cpuOf(site, fleet);
    const tally = await fleet.tally();
    const db = storedEvents(site.databaseUrl);
    let lost = 0;
    let twice = 0;
    for (const [id, sim] of tally) {
      const s = db.stored.get(id) ?? { count: 0, max: 0 };
      lost += Math.max(0, sim.pubacked - s.count);
      if (s.count !== s.max) twice++;
    }
    const r = acked.tally;
    const died = whatDied(site);
    const reasons = [
      ...(added.failed > 0 ? [`${added.failed} of ${added.ok + added.failed} controllers could not connect and subscribe (${r.errors.slice(0, 4).join('; ')})`] : []),
      ...(r.connected < r.controllers ? [`${r.controllers - r.connected} controllers disconnected at the end`] : []),
      ...(!acked.allAcked ? [`${r.sent - r.acked} of ${r.sent} events not acked (bounds: ${IDLE_MS / 1000} s without progress, ${STEP_MS / 1000} s for the step)`] : []),
      ...(lost > 0 ? [`${lost} events PUBACKed but not stored`] : []),
      ...(twice > 0 ? [`${twice} controllers with an event stored twice or out of order`] : []),
      ...(r.forged > 0 ? [`${r.forged} evtacks or commands failing their signature`] : []),
      ...(died ? [died] : []),
    ];
    const step: Step = { n, ok: reasons.length === 0, lost: lost + twice, why: reasons.join('; '), natsRss: stepPeaks.nats, cloudRss: stepPeaks.clouds };
    steps.push(step);
    out(
      `${n} controllers: connected and subscribed ${added.ok}/${added.ok + added.failed} new in ${connectS.toFixed(1)} s (${((added.ok + added.failed) / connectS).toFixed(0)}/s); ` +
        `${r.sent} events sent in all, ${r.pubacked} PUBACKed, ${r.acked} acked; this step's ${EVENTS} per controller acked in ${storeS.toFixed(1)} s (${((n + probes.length) * EVENTS / storeS).toFixed(0)} events/s); ` +
        `database: ${[...db.stored.values()].reduce((a, s) => a + s.count, 0)} events, ${db.conflicts} conflicts, ${db.gaps} gaps; lost ${lost}, stored twice or out of order ${twice}; ` +
        `resends answered ${r.resends}, disconnects ${r.disconnects}, outboxes sent again ${r.replays}; connecting: ${cpuSpent(cpu0, cpu1)}; the events: ${cpuSpent(cpu1, cpu2)}; ` +
        `NATS RSS ${stepPeaks.nats.map(mb).join('/')} MB (with the sessions, before the events ${idleNats.map(mb).join('/')} MB); clouds RSS ${stepPeaks.clouds.map(mb).join('/')} MB; load generators RSS ${mb(r.rssBytes)} MB in all` +
        (step.ok ? '' : `; FAILED: ${step.why}`),
    );
    if (!step.ok) break;
  }

  // The nodes' own warnings say what NATS refused, dropped or was slow on.
  for (const node of site.nats.nodes) out(`NATS ${node.node.name} logged: ${warningKinds(node.log)}`);
  const best = [...steps].reverse().find((s) => s.ok);
  const at = best ?? steps[0]!;
  out(`reference: target ${TARGET} controllers, at least ${MINIMUM}, with 0 lost events (the embedded broker alone holds 10,000 on this machine)`);
  const held = best?.n ?? 0;
  const verdict = held >= TARGET ? 'met' : held >= MINIMUM ? 'minimum met, target not' : 'NOT met';
  process.stdout.write(`bench: cluster_fanin_controllers = ${held} controllers (target ${TARGET}, at least ${MINIMUM}: ${verdict})\n`);
  bench('cluster_fanin_lost', at.lost, 'events');
  bench('cluster_fanin_nats_rss_max', Math.round(Math.max(...at.natsRss) / 1048576), 'MB');
  site.nats.nodes.forEach((node, i) => bench(`cluster_fanin_nats_rss_${node.node.name}`, Math.round(at.natsRss[i]! / 1048576), 'MB'));
  INSTANCES.forEach((id, i) => bench(`cluster_fanin_cloud_rss_${id.replace('-', '_')}`, Math.round(at.cloudRss[i]! / 1048576), 'MB'));
  if (issued.count > 0) bench('cluster_fanin_provision_ms_per_identity', (issued.seconds * 1000) / issued.count, 'ms');
  const failed = steps.find((s) => !s.ok);
  if (failed) out(failed.n === 0 ? `no step ran: ${failed.why}` : `the ramp stopped at ${failed.n} controllers: ${failed.why}`);
  await fleet.stop();
}

await run('cluster-fanin', main);
