// A real NATS cluster for tests (Debian `nats-server`, JetStream and its MQTT gateway), run with the files
// portier-cloud generates, every node on free loopback ports; each node is stopped by its PID at teardown and can be
// killed and restarted alone. Tests skip by name where the binary is absent (`natsMissing`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { writeNatsAuthFile, writeNatsFiles, type NatsFiles, type NatsNode } from '../../../src/mqtt/nats.ts';
import type { IdentitySource } from '../../../src/mqtt/mosquitto.ts';
import type { Teardownable } from './env.ts';
import { freePort } from '../../../../scripts/test/contracts/free-port.ts';

export const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find(
  (p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).error === undefined,
);

/** The skip reason of a test that needs NATS, or false. */
export const natsMissing: string | false = NATS_SERVER ? false : 'nats-server not installed';

/** One node's process, its log and its MQTT URL. */
export class NatsNodeProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private waiters = new Set<{ re: RegExp; from: number; resolve: (s: string) => void }>();

  constructor(
    readonly node: NatsNode,
    readonly conf: string,
  ) {}

  get mqttUrl(): string {
    return `mqtt://${this.node.host}:${this.node.mqttPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get log(): string {
    return this.output;
  }

  /** Starts the process (again), resolving once it listens for MQTT clients. */
  async start(ms = 20_000): Promise<void> {
    if (this.child) return;
    const ready = this.logged(/Listening for MQTT clients on/, ms);
    const child = spawn(NATS_SERVER!, ['-c', this.conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (d: Buffer): void => {
      this.output += d.toString();
      for (const w of this.waiters) {
        const m = w.re.exec(this.output.slice(w.from));
        if (m) {
          this.waiters.delete(w);
          w.resolve(m[0]);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`nats-server ${this.node.name} exited (${code ?? signal}):\n${this.output.slice(-3000)}`));
      }),
    );
    exited.catch(() => {});
    await Promise.race([ready, exited]);
  }

  /** Resolves with the first log text matching `re` from now on, within `ms`. */
  logged(re: RegExp, ms = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const w = { re, from: this.output.length, resolve: (s: string) => (clearTimeout(timer), resolve(s)) };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`nats-server ${this.node.name} did not log ${re} within ${ms} ms:\n${this.output.slice(-3000)}`));
      }, ms);
      this.waiters.add(w);
    });
  }

  /** Stops the process by its PID (SIGTERM, or SIGKILL for a crash) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** SIGHUP: the node re-reads its configuration (auth.conf); resolves once it logged the reload. */
  async reload(): Promise<void> {
    const done = this.logged(/[Rr]eloaded server configuration/);
    this.child?.kill('SIGHUP');
    await done;
  }

  /** Resident memory of the running process, in bytes, from /proc. */
  async rss(): Promise<number> {
    const pid = this.pid;
    if (pid === undefined) return 0;
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  }
}

/**
 * Starts every node of `procs` that is not running, resolving once each listens for MQTT clients and, when none was
 * running (a cluster starting or coming back from an outage), once the cluster has a JetStream leader again (before
 * that, an MQTT connect cannot create its session). Back on its store, a cluster takes seconds to elect one.
 */
export async function startNatsProcesses(procs: readonly NatsNodeProcess[]): Promise<void> {
  const electing = procs.length > 1 && procs.every((p) => !p.running);
  const leader = electing ? Promise.any(procs.map((p) => p.logged(/JetStream cluster new metadata leader|Self is new JetStream cluster metadata leader/, 30_000))) : Promise.resolve('');
  // A node that fails to start leaves the leader's wait to time out unheard of: its failure is the one reported.
  leader.catch(() => undefined);
  await Promise.all(procs.filter((p) => !p.running).map((p) => p.start()));
  await leader;
}

export interface RunningNatsCluster {
  files: NatsFiles;
  nodes: NatsNodeProcess[];
  /** The `--node` arguments of `portier-cloud nats-files` that describe this cluster. */
  nodeArgs: string[];
  /** Every node's MQTT URL, separated by commas (what the cloud and the controllers are given). */
  url: string;
  /** Rewrites auth.conf from `src` and reloads every running node. */
  reauthorize(src: IdentitySource): Promise<void>;
}

/** The `--node` arguments of `portier-cloud nats-files` that describe `nodes`. */
export function natsNodeArgs(nodes: readonly NatsNode[]): string[] {
  return nodes.flatMap((n) => ['--node', `${n.name}=${n.host}:${n.clientPort}:${n.clusterPort}:${n.mqttPort}`]);
}

/**
 * Starts a node process for each of `nodes` (their configurations in `files`), resolving once each listens for MQTT
 * clients and the cluster has a JetStream leader (startNatsProcesses). Every node is stopped by its PID at teardown.
 */
export async function startNatsNodes(t: Teardownable, files: Pick<NatsFiles, 'confs'>, nodes: readonly NatsNode[]): Promise<NatsNodeProcess[]> {
  const procs = nodes.map((node) => new NatsNodeProcess(node, files.confs[node.name]!));
  t.teardown(() => Promise.all(procs.map((p) => p.stop())));
  await startNatsProcesses(procs);
  return procs;
}

/**
 * Writes the files of an `n`-node cluster under `dir` and starts every node (startNatsNodes).
 */
export async function startNatsCluster(t: Teardownable, src: IdentitySource, dir: string, n = 3): Promise<RunningNatsCluster> {
  const nodes: NatsNode[] = [];
  for (let i = 1; i <= n; i++) nodes.push({ name: `n${i}`, host: '127.0.0.1', clientPort: await freePort(), clusterPort: await freePort(), mqttPort: await freePort() });
  const files = await writeNatsFiles(src, dir, nodes, { pidFiles: true });
  const procs = await startNatsNodes(t, files, nodes);
  return {
    files,
    nodes: procs,
    nodeArgs: natsNodeArgs(nodes),
    url: files.mqttUrls,
    async reauthorize(next) {
      await writeNatsAuthFile(next, dir);
      await Promise.all(procs.filter((p) => p.running).map((p) => p.reload()));
    },
  };
}
