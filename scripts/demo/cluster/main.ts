// `make demo-cluster`: Portier scaled out on this machine. A PostgreSQL, a three-node NATS cluster (JetStream and its
// MQTT gateway) as the broker, two `portier-cloud serve` instances on that database and that broker, and the demo's
// simulated bank (the real controller firmware on virtual lock boards) whose controllers connect to the NATS nodes.
// Prints where to look and how to watch a failover; Ctrl-C (or SIGTERM) stops everything it started, each process by
// its PID, and removes its temporary folders. A failure at start stops what was started and says what failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { runSimBank } from '@portier/rig';
import { cloudLines, parcelLines, tryItLines } from '../guide.ts';
import { startInstance, type DemoInstance } from './instances.ts';
import { chooseNatsNodes, mqttUrlOf, restartStoppedNodes, writeDemoNatsFiles } from './nats.ts';
import { postgresMissing } from '../../test/e2e/postgres.ts';
import { natsMissing, startNatsNodes } from '../../test/e2e/nats.ts';
import { startDemoPostgres } from './postgres.ts';
import { seedCluster } from './seed.ts';
import { Teardowns } from './teardowns.ts';

const port = (name: string, fallback: number): number => {
  const r = z.coerce.number().int().min(0).max(65534).safeParse(process.env[name] ?? fallback);
  if (!r.success) {
    process.stderr.write(`${name} must be a port number (0: any free port), not ${JSON.stringify(process.env[name])}\n`);
    process.exit(2);
  }
  return r.data;
};
/** The first instance's HTTP port; the second listens on the next one (0: both on any free port). */
const httpPort = port('PORTIER_DEMO_HTTP_PORT', 8080);
const screenPort = port('PORTIER_DEMO_SCREEN_PORT', 8765);
const INSTANCES = ['demo-1', 'demo-2'];
/** How long a NATS node someone stopped stays away before the demo starts it again. */
const NODE_RETURN_MS = 15_000;

const root = mkdtempSync(join(tmpdir(), 'portier-demo-cluster-'));
const logFile = join(root, 'demo.log');
const logger = pino({ name: 'portier-demo-cluster', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: logFile, sync: false, mkdir: true }));
const t = new Teardowns();
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const say = (line: string): void => void process.stdout.write(`${line}\n`);

let step = 'preparing';
let stopping = false;
let starting: Promise<void> = Promise.resolve();

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`Stopping (${step === 'running' ? 'the bank, the cloud instances, the NATS nodes, PostgreSQL' : `after ${step}`})...`);
  // A step under way finishes first (the start checks `stopping` after each), so whatever it started is stopped too.
  await Promise.race([starting, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
  const failures = await t.run();
  for (const err of failures) {
    logger.error({ err }, 'error while stopping');
    say(`While stopping: ${err instanceof Error ? err.message : String(err)}`);
  }
  logger.flush();
  process.exit(code || (failures.length > 0 ? 1 : 0));
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

/** Runs one step of the start under its name (what a failure names), unless the demo is stopping. */
async function run<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (stopping) throw new Error('stopped');
  step = name;
  const t0 = performance.now();
  try {
    const done = await fn();
    logger.info({ step: name, ms: Math.round(performance.now() - t0) }, 'step done');
    return done;
  } catch (err) {
    throw Object.assign(new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`), { cause: err });
  }
}

async function main(): Promise<void> {
  const missing = [postgresMissing, natsMissing].filter((m): m is string => m !== false);
  if (missing.length > 0) throw new Error(`${missing.join('; ')} (Debian: apt-get install postgresql nats-server)`);
  say(`Starting PostgreSQL, a three-node NATS cluster, two cloud instances and a simulated bank (about a minute; state and logs in ${root})...`);
  const db = await run('starting PostgreSQL', () => startDemoPostgres(t));
  say(`  PostgreSQL started: pid ${db.pid}`);
  const nodes = await run('choosing the NATS nodes’ ports', () => chooseNatsNodes());
  // Every controller is given every node, each column's list starting at another node: a controller connects to the
  // first node that answers, so the columns sit on different nodes and a node's loss moves one of them.
  const nodeOf = (position: number) => nodes[(position - 1) % nodes.length]!;
  const brokerUrlOf = (position: number): string => nodes.map((_, i) => mqttUrlOf(nodes[(position - 1 + i) % nodes.length]!)).join(',');
  const site = await run('seeding the demo site in the database', () =>
    seedCluster({ root, databaseUrl: db.url, brokerUrlOf: (col) => brokerUrlOf(col.position), logger: logger.child({ part: 'seed' }) }),
  );
  const natsFiles = await run('writing the NATS cluster’s files', () => writeDemoNatsFiles({ seedDir: site.seedDir, dir: join(root, 'nats'), nodes, instances: INSTANCES }));
  // The instances start beside the nodes (each waits for the broker a while, then keeps trying): a start costs the
  // longer of the two, not both. Every start is awaited, so whatever started is known to the teardowns.
  const { nats, instances } = await run('starting the NATS nodes and the cloud instances', async () => {
    // Each start is told as it happens (with its pid), so a failure of another still leaves a record of what ran.
    const natsStarting = startNatsNodes(t, natsFiles, nodes).then((procs) => {
      say(`  NATS nodes started: ${procs.map((p) => `${p.node.name} pid ${p.pid}`).join(', ')}`);
      return procs;
    });
    const instancesStarting = INSTANCES.map(async (id, i) => {
      const dir = join(root, id);
      await mkdir(dir, { recursive: true });
      const port = httpPort === 0 ? 0 : httpPort + i;
      const inst = await startInstance(t, { id, dir, seedDir: site.seedDir, secretsKeyFile: site.secretsKeyFile, brokerUrl: natsFiles.mqttUrls, databaseUrl: db.url, httpPort: port });
      say(`  Cloud instance ${id} started: pid ${inst.pid}`);
      return inst;
    });
    const failed = (await Promise.allSettled([natsStarting, ...instancesStarting])).find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    return { nats: { nodes: await natsStarting }, instances: await Promise.all(instancesStarting) };
  });
  for (const inst of instances) {
    void inst.exited.then(() => {
      if (!stopping) say(`Cloud instance ${inst.id} (pid ${inst.pid}) exited: the other instance takes its banks over within about 8 s.`);
    });
  }
  const bank = await run('starting the simulated bank', () => runSimBank({ bank: site.bank, logger: logger.child({ part: 'sim' }), kioskScreen: { port: screenPort } }));
  t.teardown(() => bank.close());
  t.teardown(restartStoppedNodes(nats.nodes, say, NODE_RETURN_MS));
  if (stopping) return;
  step = 'running';

  const screenUrl = bank.kiosk?.column.controller.screen?.url;
  const [first, second] = instances as [DemoInstance, DemoInstance];
  const n1 = nats.nodes[0]!;
  const columnsOn = (name: string): string[] => site.seeded.columns.filter((c) => nodeOf(c.position).name === name).map((c) => c.controllerId);
  const lines = [
    '',
    'Portier cluster demo is running.',
    ...instances.flatMap((inst) => [`  Cloud instance ${inst.id}   pid ${inst.pid}   log ${inst.logFile}`, ...cloudLines(inst.httpUrl, '    ')]),
    ...(screenUrl ? [`  Kiosk screen  ${screenUrl}   (the touch screen of the kiosk column: open it in a browser)`] : []),
    ...nats.nodes.map((n) => {
      const on = columnsOn(n.node.name);
      return `  NATS node ${n.node.name}  ${n.mqttUrl}   pid ${n.pid}${on.length > 0 ? `   (first node of controller ${on.join(', ')})` : ''}`;
    }),
    `  PostgreSQL    ${first.store}   pid ${db.pid}`,
    `  Bank          ${site.seeded.bankId}: ${site.seeded.columns.length} columns, ${site.seeded.lockerCount} lockers, simulated KR-CU16 lock boards`,
    `  State, logs   ${root}   (removed when the demo stops)`,
    '',
    `Both instances serve the same site: a sign-in on ${first.id} is good on ${second.id}, and either opens a door.`,
    ...tryItLines(first.httpUrl, site.seeded.bankId, site.pickup.lockerNumber),
    '',
    ...parcelLines(site.pickup, site.staff),
    '',
    'Watch a failover:',
    `  kill ${n1.pid}   stops NATS node ${n1.node.name}: the cloud instances and controller ${columnsOn(n1.node.name).join(', ')} move to the other nodes,`,
    `             keeping their sessions (the controller's unconfirmed events too); the demo starts ${n1.node.name} again after ${NODE_RETURN_MS / 1000} s.`,
    `  kill ${first.pid}   stops cloud instance ${first.id}: ${second.id} takes its banks over within about 8 s.`,
    'Ctrl-C stops everything.',
    '',
  ];
  say(lines.join('\n'));
}

starting = main().catch((err: unknown) => {
  if (stopping && err instanceof Error && err.message === 'stopped') return;
  logger.error({ err }, 'demo-cluster failed to start');
  process.stderr.write(`\nThe cluster demo could not start: ${err instanceof Error ? err.message : String(err)}\nStopping what was started.\n`);
  void stop(1);
});
