// The cluster demo's cloud instances: `portier-cloud serve` processes as an operator runs them behind a load balancer
// (cloud/DEPLOY.md): each with its own data folder holding a copy of the seeded folder's `keys/` and `mqtt/` (its own
// broker account among them), the same secrets key file, its own instance id on the one database, and every node of
// the broker cluster. The database URL reaches it through its environment, never through a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Teardowns } from './teardowns.ts';

export const CLOUD_BIN = fileURLToPath(new URL('../../../cloud/bin/portier-cloud.mjs', import.meta.url));

/** How long an instance may take to listen (a cold start compiles the cloud's sources first). */
const START_MS = 90_000;
/** How long an instance may take to stop in order before it is killed. */
const STOP_MS = 15_000;

export interface InstanceInput {
  id: string;
  /** Where its data folder, configuration and log go. */
  dir: string;
  /** The seeded data folder whose `keys/` and `mqtt/` every instance shares. */
  seedDir: string;
  secretsKeyFile: string;
  /** The broker cluster's nodes, separated by commas. */
  brokerUrl: string;
  databaseUrl: string;
  httpPort: number;
}

export interface DemoInstance {
  id: string;
  httpUrl: string;
  pid: number;
  /** The database as the instance names it in its log (its password masked by the cloud's own rule). */
  store: string;
  logFile: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** The line of its log an instance writes once it runs (pino JSON). */
const runningLine = z.object({ msg: z.literal('portier-cloud running'), store: z.string() });

function parsed(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export async function startInstance(t: Teardowns, o: InstanceInput): Promise<DemoInstance> {
  const dataDir = join(o.dir, 'data');
  await cp(join(o.seedDir, 'keys'), join(dataDir, 'keys'), { recursive: true });
  await cp(join(o.seedDir, 'mqtt'), join(dataDir, 'mqtt'), { recursive: true });
  const config = {
    dataDir,
    secretsKeyFile: o.secretsKeyFile,
    http: { host: '127.0.0.1', port: o.httpPort },
    log: { level: 'info' },
    store: { kind: 'postgres', instanceId: o.id, poolSize: 4 },
    // No user name: the instance takes its own account, portier-cloud-<instanceId>, from its copy of mqtt/.
    mqtt: { url: o.brokerUrl },
  };
  const configFile = join(o.dir, 'cloud.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const logFile = join(o.dir, 'cloud.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [CLOUD_BIN, 'serve', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORTIER_DATABASE_URL: o.databaseUrl },
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => log.end(resolve));
  });
  const tail = async (): Promise<string> => (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-25).join('\n');
  return new Promise<DemoInstance>((resolve, reject) => {
    let store: string | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      void tail().then((t) => reject(new Error(`cloud instance ${o.id} did not listen within ${START_MS / 1000} s; its log ends:\n${t}`)));
    }, START_MS);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      void tail().then((t) => reject(new Error(`cloud instance ${o.id} exited before it listened (${code ?? signal}); its log ends:\n${t}`)));
    };
    child.once('exit', onExit);
    // Read by hand, not with readline: closing a readline interface pauses its input, and a paused pipe would stop
    // the log and in time block the instance's own writes.
    // The plain line and pino's (written asynchronously) come in either order: both are waited for.
    let pending = '';
    let httpUrl: string | undefined;
    const onData = (d: Buffer): void => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const running = runningLine.safeParse(parsed(line));
        if (running.success) store = running.data.store;
        httpUrl ??= /^portier-cloud listening on (http:\/\/\S+)\/api\/v1$/.exec(line)?.[1];
      }
      if (httpUrl === undefined || store === undefined) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.off('data', onData);
      resolve({ id: o.id, httpUrl, pid: child.pid!, store, logFile, child, exited });
    };
    child.stdout!.on('data', onData);
  });
}
