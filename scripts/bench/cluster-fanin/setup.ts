// What the cluster fan-in bench runs on, set up as an operator would: PostgreSQL (started by the bench), one seed data
// folder with every controller identity, the command key and each instance's service account
// (portier-cloud-<instanceId>), a three-node NATS cluster from the files portier-cloud writes for those identities,
// and two `portier-cloud serve` instances, each its own data folder with copies of the seed's keys/ and mqtt/, the
// store in the one database under its own instance id, both linked to every node of the cluster.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, cp, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { IDENTITIES_FILE, IdentityRegistry, loadOrCreateCommandKey, writeNatsAuthFile, type NatsNode } from '@portier/cloud';
import { NatsNodeProcess } from '../../test/e2e/nats.ts';
import { PG_BIN, startPostgres } from '../../test/e2e/postgres.ts';
import { CLOUD_BIN, freePort, startCloudChildConfig, type CloudChild } from '../lib/cloud-child.ts';
import type { ControllerSecret } from './fleet-protocol.ts';

export const INSTANCES = ['cloud-a', 'cloud-b'] as const;
const CONTROLLERS_PER_BANK = 16;
const PROVISION_BATCH = 5000;
const PROBES = 64;

export interface Teardowns {
  teardown(fn: () => unknown): void;
}

export const progress = (msg: string): void => void process.stderr.write(`cluster-fanin: ${msg}\n`);

/** One value (or rows, `|`-separated) of a query, through the server's own psql. */
export function sql(url: string, query: string): string {
  return execFileSync(join(PG_BIN!, 'psql'), ['-X', '-A', '-t', '-q', '-d', url, '-c', query], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}

const asSecret = (m: { identity: { controllerId: string; bankId: string }; secret: string }): ControllerSecret => ({ id: m.identity.controllerId, bankId: m.identity.bankId, secret: m.secret });

/**
 * The seed folder: probe controllers, each in a bank of its own (spread over the bank shards, they show both instances
 * act for their banks before the load starts) and the command key. The instances' service accounts come with the
 * NATS files (startNats).
 */
async function seedFolder(seedDir: string): Promise<{ registry: IdentityRegistry; probes: ControllerSecret[] }> {
  const registry = await IdentityRegistry.open(seedDir);
  const made = await registry.createControllers(Array.from({ length: PROBES }, (_, k) => ({ controllerId: `fanin-probe-${k}-c`, bankId: `fanin-probe-${k}`, column: 1 })));
  await loadOrCreateCommandKey(seedDir);
  return { registry, probes: made.map(asSecret) };
}

export interface NatsCluster {
  nodes: NatsNodeProcess[];
  /** Every node's MQTT URL, separated by commas (the clouds' broker list). */
  url: string;
}

/**
 * The three nodes from the files `portier-cloud nats-files --instance cloud-a --instance cloud-b` writes on the seed
 * folder (which also gives each instance its service account), each started as a child process (NatsNodeProcess),
 * resolved once each listens for MQTT and the cluster has a JetStream leader. `mqttExtra` adds settings to each node's
 * mqtt block (BENCH_CLUSTER_FANIN_NATS_MQTT, to measure what they change; the generated files are used unchanged
 * without it).
 */
async function startNats(t: Teardowns, seedDir: string, dir: string, mqttExtra: string): Promise<NatsCluster> {
  const nodes: NatsNode[] = [];
  for (let i = 1; i <= 3; i++) nodes.push({ name: `n${i}`, host: '127.0.0.1', clientPort: await freePort(), clusterPort: await freePort(), mqttPort: await freePort() });
  const args = ['nats-files', '--out', dir, '--data-dir', seedDir, ...INSTANCES.flatMap((id) => ['--instance', id])];
  for (const n of nodes) args.push('--node', `${n.name}=${n.host}:${n.clientPort}:${n.clusterPort}:${n.mqttPort}`);
  const { stdout } = await promisify(execFile)(process.execPath, [CLOUD_BIN, ...args], { encoding: 'utf8' });
  const files = JSON.parse(stdout) as { confs?: Record<string, string>; mqttUrls?: string; skipped?: unknown[] };
  if (!files.confs || typeof files.mqttUrls !== 'string') throw new Error(`portier-cloud nats-files answered ${stdout.slice(0, 300)}`);
  if (files.skipped?.length) throw new Error(`portier-cloud nats-files left identities out: ${JSON.stringify(files.skipped).slice(0, 300)}`);
  const confs = files.confs;
  if (mqttExtra) {
    for (const conf of Object.values(confs)) {
      const text = await readFile(conf, 'utf8');
      const patched = text.replace(/^(mqtt \{.*?) \}$/m, `$1, ${mqttExtra} }`);
      if (patched === text) throw new Error(`no mqtt block in ${conf}`);
      await writeFile(conf, patched);
    }
  }
  const procs = nodes.map((node) => new NatsNodeProcess(node, confs[node.name]!));
  t.teardown(() => Promise.all(procs.map((p) => p.stop())));
  const leader = Promise.any(procs.map((p) => p.logged(/JetStream cluster new metadata leader|Self is new JetStream cluster metadata leader/, 60_000)));
  await Promise.all(procs.map((p) => p.start(60_000)));
  await leader;
  return { nodes: procs, url: files.mqttUrls };
}

export interface Site {
  databaseUrl: string;
  nats: NatsCluster;
  clouds: CloudChild[];
  publicKeyPem: string;
  probes: ControllerSecret[];
  registry: IdentityRegistry;
  seedDir: string;
  natsDir: string;
  /** The instances' data folders. */
  dataDirs: string[];
}

/** PostgreSQL, the identities, the NATS cluster and the two cloud instances (started one after the other). */
export async function startSite(t: Teardowns, dir: string, natsMqttExtra: string): Promise<Site> {
  const server = await startPostgres(t);
  const databaseUrl = await server.createDatabase('bench_cluster_fanin');
  const seedDir = join(dir, 'seed');
  const natsDir = join(dir, 'nats');
  const { registry, probes } = await seedFolder(seedDir);

  const tn = performance.now();
  const nats = await startNats(t, seedDir, natsDir, natsMqttExtra);
  // The service accounts nats-files added to the seed folder: the registry here writes on from them.
  await registry.refresh();
  progress(`NATS cluster of 3 up in ${((performance.now() - tn) / 1000).toFixed(1)} s (${nats.url})`);

  const secretsKeyFile = join(dir, 'secrets.key');
  await writeFile(secretsKeyFile, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  const clouds: CloudChild[] = [];
  const dataDirs: string[] = [];
  for (const instanceId of INSTANCES) {
    const dataDir = join(dir, instanceId);
    dataDirs.push(dataDir);
    await cp(join(seedDir, 'keys'), join(dataDir, 'keys'), { recursive: true });
    await cp(join(seedDir, 'mqtt'), join(dataDir, 'mqtt'), { recursive: true });
    const config = {
      dataDir,
      secretsKeyFile,
      http: { host: '127.0.0.1', port: 0 },
      auth: { argon2: { memoryCost: 64, timeCost: 1 } },
      expiry: { intervalSeconds: 0 },
      log: { level: process.env.LOG_LEVEL ?? 'warn' },
      store: { kind: 'postgres', url: databaseUrl, instanceId, poolSize: 6 },
      // No user name: the instance takes its own account, portier-cloud-<instanceId>, from its copy of mqtt/.
      mqtt: { url: nats.url },
    };
    const file = join(dir, `${instanceId}.json`);
    await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
    const cloud = await startCloudChildConfig(file);
    t.teardown(async () => {
      cloud.child.kill('SIGKILL');
      await cloud.exited;
    });
    clouds.push(cloud);
    progress(`${instanceId} up (pid ${cloud.pid})`);
  }
  const publicKeyPem = await readFile(join(seedDir, 'keys', 'command-ed25519.pub'), 'utf8');
  return { databaseUrl, nats, clouds, publicKeyPem, probes, registry, seedDir, natsDir, dataDirs };
}

/**
 * Controllers `fanin-<from>` .. `fanin-<to - 1>` provisioned as an operator adds them to a running site: issued in the
 * seed folder (IdentityRegistry.createControllers, in batches: each identity gets its scrypt, Mosquitto and bcrypt
 * hash), the registry file copied into every instance's mqtt/ (replaced by a rename, as the instances watch it),
 * auth.conf rewritten and every NATS node reloaded. Resolves with their secrets and the seconds the issuing took.
 */
export async function addControllers(site: Site, from: number, to: number): Promise<{ controllers: ControllerSecret[]; issueSeconds: number; reloadSeconds: number }> {
  const t0 = performance.now();
  const controllers: ControllerSecret[] = [];
  for (let at = from; at < to; at += PROVISION_BATCH) {
    const inputs = Array.from({ length: Math.min(PROVISION_BATCH, to - at) }, (_, k) => {
      const i = at + k;
      return { controllerId: `fanin-${i}`, bankId: `fanin-bank-${Math.floor(i / CONTROLLERS_PER_BANK)}`, column: (i % CONTROLLERS_PER_BANK) + 1 };
    });
    controllers.push(...(await site.registry.createControllers(inputs)).map(asSecret));
    progress(`${at + inputs.length - from}/${to - from} identities issued in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const issueSeconds = (performance.now() - t0) / 1000;
  const tr = performance.now();
  for (const dataDir of site.dataDirs) {
    const target = join(dataDir, 'mqtt', IDENTITIES_FILE);
    await copyFile(site.registry.file, `${target}.tmp`);
    await rename(`${target}.tmp`, target);
  }
  await writeNatsAuthFile(site.registry, site.natsDir);
  await Promise.all(site.nats.nodes.map((n) => n.reload()));
  return { controllers, issueSeconds, reloadSeconds: (performance.now() - tr) / 1000 };
}

/** How many bank shards each instance holds a live lease on, from the database. */
export function shardsHeld(databaseUrl: string): Map<string, number> {
  const rows = sql(databaseUrl, `SELECT value->>'holder', count(*) FROM live WHERE c = 'leases' AND key LIKE 'bank-shard:%' AND (value->>'expiresAt')::bigint > extract(epoch FROM clock_timestamp()) * 1000 GROUP BY 1`);
  return new Map(
    rows
      .split('\n')
      .filter(Boolean)
      .map((r) => {
        const [holder = '', n = '0'] = r.split('|');
        return [holder, Number(n)];
      }),
  );
}

/** Events stored per controller (count, highest seq), and the conflict and gap records, from the database. */
export function storedEvents(databaseUrl: string): { stored: Map<string, { count: number; max: number }>; conflicts: number; gaps: number } {
  const stored = new Map<string, { count: number; max: number }>();
  for (const r of sql(databaseUrl, 'SELECT controller_id, count(*), max(seq) FROM link_events GROUP BY controller_id').split('\n')) {
    if (!r) continue;
    const [id = '', count = '0', max = '0'] = r.split('|');
    stored.set(id, { count: Number(count), max: Number(max) });
  }
  const conflicts = Number(sql(databaseUrl, 'SELECT count(*) FROM link_conflicts'));
  const gaps = Number(sql(databaseUrl, 'SELECT count(*) FROM link_gaps'));
  return { stored, conflicts, gaps };
}
