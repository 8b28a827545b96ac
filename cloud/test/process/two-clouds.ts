// Two `portier-cloud serve` children on one PostgreSQL and one Mosquitto, as an operator runs two instances behind a
// load balancer (cloud/DEPLOY.md): each its own data folder holding a copy of one folder's `keys/` and `mqtt/`, the
// same secrets key file, the store in the database under its own instance id, and the same SMTP relay. The site is
// seeded once, in this process, before either child starts.
import type { ChildProcess } from 'node:child_process';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { IdentityRegistry } from '../../src/mqtt/identities.ts';
import { ensureServiceAccount, provision } from '../../src/provision/provision.ts';
import { startCloud } from '../../src/runtime/cloud-runtime.ts';
import { lockerRows } from '../fixtures/site.ts';
import { peerMailConfig, type SmtpPeer } from '../mail/smtp-peer.ts';
import { tempDir, TEST_HASH, type Teardownable } from '../mqtt/helpers/env.ts';
import { seedBank, seededEnterprise, testCloudConfig } from '../runtime/helpers.ts';
import { spawnServeConfig } from './helpers.ts';

export const ADMIN = { user: 'admin', password: 'fault-test-password' };
export const BANK_ID = 'bank';
/**
 * One controller per column; each column's doors 1..LOCKERS_PER_COLUMN are lockers numbered on from the last column's,
 * size M but the last, an L.
 */
export const COLUMNS = [
  { id: 'col-1', kind: 'kiosk' as const, controllerId: 'ctl-1' },
  { id: 'col-2', kind: 'plain' as const, controllerId: 'ctl-2' },
];
export const LOCKERS_PER_COLUMN = 16;
export const CONTACTS = 12;
/** The address of contact `c<i>`. */
export const contactAddress = (i: number): string => `c${i}@example.org`;

export interface SeededSite {
  /** The data folder seeded; the instances' folders hold copies of its `keys/` and `mqtt/`. */
  seedDir: string;
  secretsKeyFile: string;
  /** What controllers verify the cloud's commands and evtacks with. */
  commandPublicKey: KeyObject;
  /** Each controller's secret, by id. */
  secrets: Record<string, string>;
  /** The identities Mosquitto's password and ACL files are written from. */
  identities: IdentityRegistry;
  /** The controllers of the extra banks asked for (`fleet`), bank by bank; their secrets are in `secrets`. */
  fleet: Array<{ bankId: string; controllerId: string }>;
}

/**
 * Extra controller identities beyond the seeded bank's: `banks` banks `fleet-1`.. of `columns` controllers each
 * (`f<bank>-<column>`). Only their identities are written, in one write: the cloud stores and acks a controller's
 * events by its identity, so door events need no bank in the store (those with a domain effect, such as a pickup or a
 * service change, do).
 */
export interface FleetOptions {
  banks: number;
  columns: number;
}

/**
 * The organisation down to bank `bank` with its columns and lockers, contacts with e-mail addresses, the configured
 * admin, one controller identity per column and one broker service account per instance name, written through a cloud
 * started in this process on the database (then stopped); with `fleet`, the identities of more banks' controllers.
 */
export async function seedSite(t: Teardownable, url: string, instances: readonly string[], opts: { fleet?: FleetOptions } = {}): Promise<SeededSite> {
  const seedDir = await tempDir(t, 'portier-fault-seed-');
  const secretsKeyFile = `${seedDir}.secrets.key`;
  const rt = await startCloud({
    config: { ...testCloudConfig(seedDir), secretsKeyFile, admin: ADMIN, store: { kind: 'postgres', url, instanceId: 'seed', poolSize: 2 } },
    logger: pino({ level: 'silent' }),
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    desired: { debounceMs: 10, refreshMs: 0 },
  });
  try {
    const s = rt.service;
    const actor = { role: 'admin' as const, id: 'seed' };
    await seedBank(s, BANK_ID, COLUMNS, { addToExistingLocker: false });
    for (const [i, c] of COLUMNS.entries()) {
      const rows = lockerRows({ bankId: BANK_ID, columnId: c.id, first: 1 + i * LOCKERS_PER_COLUMN, count: LOCKERS_PER_COLUMN, size: 'M', perRow: 4, bottomCm: 20, rowCm: 32 });
      // The column's last door is an L: parcels of size S fill the M lockers first, so a test can change its service
      // state without ever refusing a drop-off.
      await s.createLockers(rows.map((l, n) => (n === LOCKERS_PER_COLUMN - 1 ? { ...l, size: 'L' as const, topCm: l.bottomCm + 50 } : l)), actor);
    }
    const enterpriseId = seededEnterprise(s);
    for (let i = 0; i < CONTACTS; i++) {
      await s.createContact({ enterpriseId, id: `c${i}`, firstName: 'Person', lastName: `${i}`, email: contactAddress(i), needsAccessible: false }, actor);
    }
    // Provisioned as an operator does (identity, credential key, the controller's config file); the broker's address
    // in those files is not read: the test's controllers are handed theirs.
    const secrets: Record<string, string> = {};
    const controllerFiles = await tempDir(t, 'portier-fault-controllers-');
    for (const [i, c] of COLUMNS.entries()) {
      const p = await provision({
        dataDir: seedDir,
        bankId: BANK_ID,
        controllerId: c.controllerId,
        column: i + 1,
        brokerUrl: 'mqtt://127.0.0.1:1883',
        out: join(controllerFiles, `${c.controllerId}.yaml`),
        identities: rt.identities,
        credentialKeys: rt.credentialKeys,
      });
      secrets[c.controllerId] = p.secret;
    }
    // One service account per instance: Mosquitto binds a client id to its user name, so two instances under one
    // account would push each other off the broker.
    for (const name of instances) await ensureServiceAccount({ dataDir: seedDir, identities: rt.identities, username: serviceAccount(name) });
    const commandPublicKey = createPublicKey(rt.commandPublicKeyPem);
    await rt.stop();
    const identities = await IdentityRegistry.open(seedDir, { hashParams: TEST_HASH });
    const planned: Array<{ bankId: string; controllerId: string; column: number }> = [];
    for (let b = 1; b <= (opts.fleet?.banks ?? 0); b++) {
      for (let column = 1; column <= opts.fleet!.columns; column++) planned.push({ bankId: `fleet-${b}`, controllerId: `f${b}-${column}`, column });
    }
    const issued = planned.length > 0 ? await identities.createControllers(planned) : [];
    for (const [i, p] of planned.entries()) secrets[p.controllerId] = issued[i]!.secret;
    const fleet = planned.map(({ bankId, controllerId }) => ({ bankId, controllerId }));
    return { seedDir, secretsKeyFile, commandPublicKey, secrets, identities, fleet };
  } catch (err) {
    await rt.stop();
    throw err;
  }
}

export const serviceAccount = (instance: string): string => `portier-cloud-${instance}`;

/** A data folder for `instance` with the seeded `keys/` and `mqtt/`, and its configuration file; the file's path. */
export async function instanceConfig(
  t: Teardownable,
  site: SeededSite,
  o: { instance: string; databaseUrl: string; brokerUrl: string; smtp: Pick<SmtpPeer, 'host' | 'port'> },
): Promise<string> {
  const dataDir = await tempDir(t, `portier-fault-${o.instance}-`);
  await cp(join(site.seedDir, 'keys'), join(dataDir, 'keys'), { recursive: true });
  await cp(join(site.seedDir, 'mqtt'), join(dataDir, 'mqtt'), { recursive: true });
  const config = {
    dataDir,
    secretsKeyFile: site.secretsKeyFile,
    http: { host: '127.0.0.1', port: 0 },
    auth: { argon2: { memoryCost: 64, timeCost: 1 } },
    // The pass that queues what a reservation calls for runs on this timer: it queues the notice of a drop-off whose
    // instance died between the commit and the queueing.
    expiry: { intervalSeconds: 2 },
    log: { level: 'info' },
    store: { kind: 'postgres', url: o.databaseUrl, instanceId: o.instance, poolSize: 4 },
    // No user name: the instance takes its own account, portier-cloud-<instanceId>, from its copy of mqtt/.
    mqtt: { url: o.brokerUrl },
    // The shortest lease the config takes: the sender of a dead instance is taken over 5 s after its last renewal.
    mail: peerMailConfig(o.smtp, { leaseSeconds: 5, retry: { firstDelaySeconds: 1, maxDelaySeconds: 2 } }),
  };
  const file = join(await tempDir(t, `portier-fault-${o.instance}-config-`), 'cloud.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

export interface ServeChild {
  instance: string;
  /** `http://127.0.0.1:port`; the API is under `/api/v1`. */
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/** `portier-cloud serve --config FILE` as a child, resolved once it listens (within `withinMs`); SIGKILLed at teardown. */
export function startServeChild(t: Teardownable, instance: string, configFile: string, withinMs = 60_000): Promise<ServeChild> {
  const child = spawnServeConfig(configFile);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    // A failed run is read from the instances' logs: kept where this variable says.
    const keep = process.env.PORTIER_FAULT_LOG_DIR;
    if (keep) await writeFile(join(keep, `instance-${instance}.log`), out);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance ${instance}: no listening line within ${withinMs} ms:\n${out}`));
    }, withinMs);
    const onData = (): void => {
      const m = /listening on (http:\/\/\S+)\/api\/v1/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ instance, url: m[1]!, child, exited, output: () => out });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`instance ${instance} exited before listening (code ${code}, signal ${signal}):\n${out}`));
    });
  });
}

/** A connection to the database, ended at teardown: what the test reads the shared state through. */
export async function openDatabase(t: Teardownable, url: string): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  t.teardown(() => db.end());
  return db;
}

/** Values of one live collection as the database holds them (what every instance reads from). */
export async function liveRows<T>(db: pg.Client, collection: string): Promise<T[]> {
  return (await db.query<{ value: T }>('SELECT value FROM live WHERE c = $1', [collection])).rows.map((r) => r.value);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
export type Reply = { status: number; json: any } | { error: string };

/** One API call to an instance: its answer, or the error of a connection that failed (an instance killed). */
export async function call(inst: ServeChild, token: string | undefined, method: string, path: string, body?: unknown): Promise<Reply> {
  try {
    const res = await fetch(`${inst.url}/api/v1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export const ok = (r: Reply): r is Extract<Reply, { status: number }> => 'status' in r && r.status >= 200 && r.status < 300;
export const describe = (r: Reply): string => ('error' in r ? `error ${r.error}` : `${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);

/** How many times each key occurs. */
export function counts(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}
/** The keys that occur more than once, with their counts. */
export const twice = (keys: string[]): string[] => [...counts(keys)].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);

/** A fault test's phases, each with the time since the clock began: `summary` is the line the test ends with. */
export function phaseClock(): { phase(name: string): void; summary(): string } {
  const t0 = performance.now();
  const phases: string[] = [];
  return {
    phase: (name) => void phases.push(`${name} ${Math.round(performance.now() - t0)} ms`),
    summary: () => phases.join(', '),
  };
}
