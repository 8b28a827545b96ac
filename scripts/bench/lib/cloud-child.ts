// `portier-cloud serve` as a child process on a data folder, for the soaks (durability, memory): started, answered over HTTP, killed.
// The MQTT port stays the same across restarts (controllers reconnect to it); the HTTP address is read from the
// child's `listening on` line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `portier-cloud` command. */
export const CLOUD_BIN = fileURLToPath(new URL('../../../cloud/bin/portier-cloud.mjs', import.meta.url));

export const SOAK_ADMIN = { user: 'soak-admin', password: 'soak-admin-password-1' };

/** The environment a cloud of the soaks runs with (both in process and as a child): its administrator, quick hashing. */
export const SOAK_CLOUD_ENV = {
  PORTIER_CLOUD__ADMIN__USER: SOAK_ADMIN.user,
  PORTIER_CLOUD__ADMIN__PASSWORD: SOAK_ADMIN.password,
  PORTIER_CLOUD__AUTH__ARGON2__MEMORY_COST: '64',
  PORTIER_CLOUD__AUTH__ARGON2__TIME_COST: '1',
  PORTIER_CLOUD__EXPIRY__INTERVAL_SECONDS: '0',
};

export interface CloudChild {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
  readonly pid: number;
}

export { freePort } from '../../test/contracts/free-port.ts';

export function startCloudChild(dataDir: string, mqttPort: number, timeoutMs = 120_000): Promise<CloudChild> {
  const child = spawn(process.execPath, [CLOUD_BIN, 'serve', '--data', dataDir, '--http', '127.0.0.1:0', '--mqtt', `127.0.0.1:${mqttPort}`, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...SOAK_CLOUD_ENV },
  });
  return listening(child, timeoutMs);
}

/** `portier-cloud serve --config FILE` as a child (everything from that file), resolved once it listens. */
export function startCloudChildConfig(configFile: string, timeoutMs = 120_000): Promise<CloudChild> {
  const child = spawn(process.execPath, [CLOUD_BIN, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  return listening(child, timeoutMs);
}

/** Resolves once the child prints its `listening on` line; killed if it does not within `timeoutMs`. */
function listening(child: ChildProcess, timeoutMs: number): Promise<CloudChild> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the cloud did not listen within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
      const m = /listening on (http:\/\/\S+)\/api\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, exited, pid: child.pid! });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the cloud exited before listening (code ${code}, signal ${signal}); stderr: ${err}`));
    });
  });
}

export async function killCloud(c: CloudChild, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill(signal);
  await c.exited;
}

export interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/** One API call; throws only when no answer came (the server died or did not answer in 20 s). */
export async function api(url: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

export async function login(url: string): Promise<string> {
  const r = await api(url, undefined, 'POST', '/auth/login', { username: SOAK_ADMIN.user, password: SOAK_ADMIN.password });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.token as string;
}
