// `make demo-cluster` as a person runs it: the script as a child process on free HTTP and kiosk-screen ports. It prints
// two cloud instances, the NATS nodes with their pids and PostgreSQL with its password masked; the printed sign-in and
// pickup code work on the SECOND instance's API, and a remote open through it reaches the simulated bank's controller
// over the NATS cluster; Ctrl-C stops every process it printed and removes its folder.
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { entryArgs, expectValue } from '@portier/sim';
import { natsMissing } from './e2e/nats.ts';
import { postgresMissing } from './e2e/postgres.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'scripts', 'demo', 'cluster', 'main.ts');
const skip = postgresMissing || natsMissing;

/** Whether process `pid` runs: it exists and is not a zombie (exited, waiting for its parent to read its status). */
function alive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // `pid (comm) state ...`: the command name may hold spaces and parentheses, the state follows the last `)`.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** What runs under each pid still alive (a failure says what was left). */
function leftRunning(pids: number[]): string[] {
  return pids.filter(alive).map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`;
    } catch {
      return `${pid}`;
    }
  });
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

interface RunningDemo {
  /** Everything it printed so far (stdout and stderr). */
  readonly out: string;
  /** Its exit code once it exited. */
  readonly exited: number | null | undefined;
  readonly exit: Promise<number | null>;
  stop(): void;
}

/** Starts the demo on `ports`; a teardown stops it in order (its own children with it) if it still runs. */
function runDemo(t: { teardown(fn: () => unknown): void }, ports: { http: number; screen: number }): RunningDemo {
  const env: Record<string, string | undefined> = { ...process.env, PORTIER_DEMO_HTTP_PORT: String(ports.http), PORTIER_DEMO_SCREEN_PORT: String(ports.screen) };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, entryArgs(MAIN), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited: number | null | undefined;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  t.teardown(async () => {
    if (exited !== undefined) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exit;
    clearTimeout(timer);
  });
  return {
    get out() {
      return out;
    },
    get exited() {
      return exited;
    },
    exit,
    stop: () => void child.kill('SIGINT'),
  };
}

/** The pids the demo printed as it started its processes. */
function startedPids(out: string): number[] {
  return [...out.matchAll(/ started: (.*)/g)].flatMap((m) => [...m[1]!.matchAll(/pid (\d+)/g)].map((p) => Number(p[1])));
}

t.test('make demo-cluster: what it prints works on the second instance; Ctrl-C stops every process', { skip, timeout: 240_000 }, async (t) => {
  const demo = runDemo(t, { http: 0, screen: 0 });
  const started = performance.now();
  await expectValue(
    () => {
      if (demo.out.includes('Ctrl-C stops everything.')) return true;
      if (demo.exited !== undefined) throw new Error(`demo-cluster exited (${demo.exited}) before it was running:\n${demo.out.slice(-3000)}`);
      return undefined;
    },
    180_000,
    'the demo running',
  ).catch((err: unknown) => {
    t.comment(`it printed: ${demo.out.slice(-3000)}`);
    throw err;
  });
  t.comment(`running after ${Math.round(performance.now() - started)} ms`);
  const out = demo.out;

  const instances = [...out.matchAll(/Cloud instance (\S+)\s+pid (\d+)\s+log \S+\n\s+HTTP API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/g)].map((m) => ({ id: m[1]!, pid: Number(m[2]), url: m[3]! }));
  t.equal(instances.length, 2, 'two cloud instances, each with its pid and API');
  t.not(instances[0]?.url, instances[1]?.url, 'on different ports');
  const nodes = [...out.matchAll(/NATS node (n\d)\s+(mqtt:\/\/127\.0\.0\.1:\d+)\s+pid (\d+)/g)].map((m) => ({ name: m[1]!, url: m[2]!, pid: Number(m[3]) }));
  t.same(nodes.map((n) => n.name), ['n1', 'n2', 'n3'], 'three NATS nodes, each with its MQTT URL and pid');
  const pg = /PostgreSQL {2,}(\S+)\s+pid (\d+)/.exec(out);
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
  t.same([...startedPids(out)].sort(), [...pids].sort(), 'the pids told while starting are those of the summary');
  t.ok(pids.every(alive), 'every printed process runs');
  const s0 = performance.now();
  demo.stop();
  const code = await Promise.race([demo.exit, new Promise<string>((r) => setTimeout(() => r('still running after 60 s'), 60_000).unref())]);
  t.comment(`stopped after ${Math.round(performance.now() - s0)} ms`);
  t.equal(code, 0, 'Ctrl-C stops the demo cleanly');
  t.same(leftRunning(pids), [], 'no printed process is left');
  t.notOk(state && existsSync(state), 'its folder is removed');
});

/** A free port whose next one is taken (by the server returned). */
async function portBeforeTaken(): Promise<{ port: number; busy: Server }> {
  for (let i = 0; i < 50; i++) {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const taken = (busy.address() as AddressInfo).port;
    const probe = createServer();
    const free = await new Promise<boolean>((r) => {
      probe.once('error', () => r(false));
      probe.listen(taken - 1, '127.0.0.1', () => probe.close(() => r(true)));
    });
    if (free) return { port: taken - 1, busy };
    await new Promise<void>((r) => busy.close(() => r()));
  }
  throw new Error('no free port next to a taken one');
}

t.test('make demo-cluster when the second instance cannot listen: it says what failed and stops what it started', { skip, timeout: 240_000 }, async (t) => {
  const { port, busy } = await portBeforeTaken();
  t.teardown(() => new Promise<void>((r) => busy.close(() => r())));
  const demo = runDemo(t, { http: port, screen: 0 });
  const code = await Promise.race([demo.exit, new Promise<string>((r) => setTimeout(() => r('still running after 180 s'), 180_000).unref())]);
  const out = demo.out;
  t.equal(code, 1, 'the demo fails');
  t.match(out, /The cluster demo could not start: starting the NATS nodes and the cloud instances: cloud instance demo-2 exited before it listened/, 'naming the step and the instance');
  t.match(out, new RegExp(`EADDRINUSE[^\\n]*${port + 1}`), 'with the cause from its log');
  const pids = startedPids(out);
  // The nodes and the instances start side by side: how many had started when demo-2 failed depends on timing.
  t.ok(pids.length >= 1 && pids.length <= 5, `PostgreSQL and what else had started when demo-2 failed (${pids.length} processes)`);
  t.same(leftRunning(pids), [], 'and are stopped');
  const state = /state and logs in (\S+)\)/.exec(out)?.[1];
  t.ok(state, 'the state folder was printed');
  t.notOk(state && existsSync(state), 'and is removed');
});
