// `make demo-cluster` as a person runs it: the script as a child process on free HTTP and kiosk-screen ports. It prints
// two cloud instances, the NATS nodes with their pids and PostgreSQL with its password masked; the printed sign-in and
// pickup code work on the SECOND instance's API, and a remote open through it reaches the simulated bank's controller
// over the NATS cluster; Ctrl-C stops every process it printed and removes its folder.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { entryArgs, expectValue } from '@portier/sim';
import { natsMissing } from './e2e/nats.ts';
import { postgresMissing } from './e2e/postgres.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'scripts', 'demo', 'cluster', 'main.ts');
const skip = postgresMissing || natsMissing;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

t.test('make demo-cluster: what it prints works on the second instance; Ctrl-C stops every process', { skip, timeout: 240_000 }, async (t) => {
  const env: Record<string, string | undefined> = { ...process.env, PORTIER_DEMO_HTTP_PORT: '0', PORTIER_DEMO_SCREEN_PORT: '0' };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, entryArgs(MAIN), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  t.teardown(async () => {
    if (exited !== undefined) return;
    // Stopped in order, so that its own children are stopped too; killed only if it does not stop.
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exit;
    clearTimeout(timer);
  });
  const started = performance.now();
  await expectValue(
    () => {
      if (out.includes('Ctrl-C stops everything.')) return true;
      if (exited !== undefined) throw new Error(`demo-cluster exited (${exited}) before it was running:\n${out.slice(-3000)}`);
      return undefined;
    },
    180_000,
    'the demo running',
  ).catch((err: unknown) => {
    t.comment(`it printed: ${out.slice(-3000)}`);
    throw err;
  });
  t.comment(`running after ${Math.round(performance.now() - started)} ms`);

  const instances = [...out.matchAll(/Cloud instance (\S+)\s+pid (\d+)\s+log \S+\n\s+HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/g)].map((m) => ({ id: m[1]!, pid: Number(m[2]), url: m[3]! }));
  t.equal(instances.length, 2, 'two cloud instances, each with its pid and API');
  t.not(instances[0]?.url, instances[1]?.url, 'on different ports');
  const nodes = [...out.matchAll(/NATS node (n\d)\s+(mqtt:\/\/127\.0\.0\.1:\d+)\s+pid (\d+)/g)].map((m) => ({ name: m[1]!, url: m[2]!, pid: Number(m[3]) }));
  t.same(nodes.map((n) => n.name), ['n1', 'n2', 'n3'], 'three NATS nodes, each with its MQTT URL and pid');
  const pg = /PostgreSQL\s+(\S+)\s+pid (\d+)/.exec(out);
  t.match(pg?.[1], /^postgres:\/\/portier:\*\*\*@127\.0\.0\.1:\d+\/portier$/, 'the PostgreSQL URL, its password masked');
  const state = /State, logs\s+(\S+)/.exec(out)?.[1];
  t.ok(state && existsSync(state), 'the state folder is printed');
  const signIn = /Web console\s+\S+\s+\(sign in as (\S+) \/ (\S+)\)/.exec(out);
  const parcel = /waits in locker (\d+) for .*; pickup code (\d+)\./.exec(out);
  const bankId = /npx portier lockers --bank (\S+)/.exec(out)?.[1];
  t.ok(signIn && parcel && bankId, 'a sign-in, a pickup code and the bank are printed');
  t.match(out, /Watch a failover:\n\s+kill \d+\s+stops NATS node n1/, 'and how to watch a failover');
  const screen = /Kiosk screen\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
  t.equal(screen ? (await fetch(screen)).status : undefined, 200, 'the printed kiosk screen answers');

  // Everything through the second instance: the site, the sessions and the controllers are the cluster's.
  const second = instances[1]!;
  const login = await post(`${second.url}/api/v1/auth/login`, { username: signIn![1], password: signIn![2] });
  t.equal(login.status, 200, `the printed sign-in works on ${second.id}`);
  const token = login.json['token'] as string;
  const locker = Number(parcel![1]);
  const pickup = await post(`${second.url}/api/v1/pickups`, { bankId, code: parcel![2] }, token);
  t.equal(pickup.status, 200, `the printed pickup code is taken by ${second.id}`);
  t.same(pickup.json['lockerNumbers'], [locker], 'for the printed locker');
  const open = await post(`${second.url}/api/v1/banks/${bankId}/lockers/${locker}/open`, { reason: 'demo-cluster test' }, token);
  t.same([open.status, open.json['outcome']], [200, 'opened'], `a remote open through ${second.id} reaches the controller over NATS and its door opens`);

  const pids = [...instances.map((i) => i.pid), ...nodes.map((n) => n.pid), Number(pg?.[2])];
  t.ok(pids.every(alive), 'every printed process runs');
  const s0 = performance.now();
  child.kill('SIGINT');
  const code = await Promise.race([exit, new Promise<string>((r) => setTimeout(() => r('still running after 60 s'), 60_000).unref())]);
  t.comment(`stopped after ${Math.round(performance.now() - s0)} ms`);
  t.equal(code, 0, 'Ctrl-C stops the demo cleanly');
  t.same(pids.filter(alive), [], 'no printed process is left');
  t.notOk(state && existsSync(state), 'its folder is removed');
});
