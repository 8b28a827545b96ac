// The cluster demo's broker: three NATS nodes (JetStream and its MQTT gateway) on free loopback ports, configured as an
// operator does it (`portier-cloud nats-files`, which also issues each cloud instance its own broker account). A node that goes away while the demo runs (someone killed it to watch a
// failover) is started again after a while, so the failover's other half, the return, can be watched too.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { NatsNode } from '@portier/cloud';
import { freePort } from '../../bench/lib/cloud-child.ts';
import { natsNodeArgs, type NatsNodeProcess } from '../../test/e2e/nats.ts';
import { CLOUD_BIN } from './instances.ts';

/** The nodes of a three-node cluster on loopback, on free ports. */
export async function chooseNatsNodes(): Promise<NatsNode[]> {
  const nodes: NatsNode[] = [];
  for (const name of ['n1', 'n2', 'n3']) nodes.push({ name, host: '127.0.0.1', clientPort: await freePort(), clusterPort: await freePort(), mqttPort: await freePort() });
  return nodes;
}

export function mqttUrlOf(node: NatsNode): string {
  return `mqtt://${node.host}:${node.mqttPort}`;
}

/** What `portier-cloud nats-files` prints (one JSON line). */
const natsFilesResult = z.object({ confs: z.record(z.string(), z.string()), mqttUrls: z.string(), skipped: z.array(z.object({ identity: z.string(), reason: z.string() })) });

/**
 * `portier-cloud nats-files` on the seeded data folder: every node's configuration and auth.conf under `dir`, and a
 * broker account for each of `instances` (its secret in the folder's mqtt/).
 */
export async function writeDemoNatsFiles(o: { seedDir: string; dir: string; nodes: NatsNode[]; instances: string[] }): Promise<z.infer<typeof natsFilesResult>> {
  const args = ['nats-files', '--data-dir', o.seedDir, '--out', o.dir, ...natsNodeArgs(o.nodes)];
  for (const id of o.instances) args.push('--instance', id);
  const { stdout } = await promisify(execFile)(process.execPath, [CLOUD_BIN, ...args]).catch((err: Error & { stderr?: string }) => {
    throw new Error(`portier-cloud nats-files failed: ${err.stderr?.trim() || err.message}`);
  });
  const files = natsFilesResult.parse(JSON.parse(stdout));
  if (files.skipped.length > 0) throw new Error(`NATS cannot carry ${files.skipped.map((s) => `${s.identity} (${s.reason})`).join(', ')}`);
  return files;
}

/**
 * Starts again, after `afterMs`, a node that stopped without the demo stopping it; tells `say` what happens. The
 * returned function ends the watch (before the nodes are stopped in order).
 */
export function restartStoppedNodes(nodes: readonly NatsNodeProcess[], say: (line: string) => void, afterMs: number): () => void {
  const pids = new Map(nodes.map((n) => [n, n.pid]));
  const waiting = new Set<NatsNodeProcess>();
  const timers = new Set<NodeJS.Timeout>();
  const poll = setInterval(() => {
    for (const node of nodes) {
      if (node.running || waiting.has(node)) continue;
      waiting.add(node);
      say(`NATS node ${node.node.name} (pid ${pids.get(node)}) is gone: the cloud instances and the controllers use the other nodes; the demo starts it again in ${afterMs / 1000} s.`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        node.start().then(
          () => {
            pids.set(node, node.pid);
            waiting.delete(node);
            say(`NATS node ${node.node.name} is back (pid ${node.pid}, ${node.mqttUrl}).`);
          },
          (err: Error) => say(`NATS node ${node.node.name} could not start again: ${err.message.split('\n')[0]}`),
        );
      }, afterMs);
      timers.add(timer);
    }
  }, 1000);
  return () => {
    clearInterval(poll);
    for (const timer of timers) clearTimeout(timer);
  };
}
