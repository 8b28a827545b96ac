// The whole cloud (startCloud) as the runtime tests start it: a fresh data folder, the HTTP API and the embedded broker
// on loopback ports the system picks, cheap hashing, and an organisation down to one bank with its columns.
import { pino } from 'pino';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { tempDir, TEST_HASH, type Teardownable } from '../mqtt/helpers/env.ts';

/** A cloud configuration file's content for tests: loopback HTTP on any port, cheap password hashes, no expiry sweep, silent. */
export const testCloudConfig = (dataDir: string) => ({
  dataDir,
  http: { host: '127.0.0.1', port: 0 },
  auth: { argon2: { memoryCost: 64, timeCost: 1 } },
  expiry: { intervalSeconds: 0 },
  log: { level: 'silent' as const },
});

export interface TestCloudOptions {
  /** Start on this data folder (a restart) instead of a new one. */
  dataDir?: string;
  /** Prefix of the new data folder's name. */
  prefix?: string;
  admin?: { user: string; password: string };
  /** How long a remote open waits for the controller's ack. */
  remoteOpenTimeoutMs?: number;
  /** The config's store section (default: the file store in the data folder). */
  store?: { kind: 'postgres'; url: string; poolSize?: number; instanceId?: string };
}

/** startCloud on the embedded broker, stopped at the end of the test; `dir` is its data folder. */
export async function startTestCloud(t: Teardownable, o: TestCloudOptions = {}): Promise<CloudRuntime & { dir: string }> {
  const dir = o.dataDir ?? (await tempDir(t, o.prefix ?? 'portier-runtime-'));
  const rt = await startCloud({
    config: { ...testCloudConfig(dir), ...(o.admin ? { admin: o.admin } : {}), ...(o.store ? { store: o.store } : {}) },
    logger: pino({ level: 'silent' }),
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    remoteOpen: { defaultTimeoutMs: o.remoteOpenTimeoutMs ?? 800, ackGraceMs: 100 },
    desired: { debounceMs: 10, refreshMs: 0 },
  });
  t.teardown(() => rt.stop());
  return Object.assign(rt, { dir });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
export type Reply = { status: number; json: any; headers: Headers; text: string };

/** One API call to a running cloud, answered whatever its status (the body parsed when it is JSON). */
export async function api(rt: CloudRuntime, method: string, path: string, token?: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${rt.httpUrl}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers, text };
}

type Service = CloudRuntime['service'];

/** The enterprise seedBank filled. */
export function seededEnterprise(s: Service): string {
  return s.store.get('divisions', 'div')!.enterpriseId;
}
const seedActor = { role: 'admin' as const, id: 'seed' };

/**
 * Enterprise `ent` (or the one a configured admin made at start), division `div`, location `loc`, then bank
 * `bankId` with `columns` at positions 1, 2, ...
 */
export async function seedBank(
  s: Service,
  bankId: string,
  columns: Array<{ id: string; kind: 'kiosk' | 'plain'; controllerId: string }>,
  rules?: Parameters<Service['createBank']>[0]['rules'],
): Promise<void> {
  const enterpriseId = (await s.listEnterprises())[0]?.id ?? (await s.createEnterprise({ id: 'ent', name: 'Acme' }, seedActor)).id;
  await s.createDivision({ id: 'div', enterpriseId, name: 'HQ' }, seedActor);
  await s.createLocation({ id: 'loc', divisionId: 'div', name: 'Main' }, seedActor);
  await s.createBank({ id: bankId, locationId: 'loc', name: 'Lobby', ...(rules ? { rules } : {}) }, seedActor);
  for (const [i, c] of columns.entries()) await s.createColumn({ ...c, bankId, position: i + 1 }, seedActor);
}
