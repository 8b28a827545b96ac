/**
 * `portier-cloud nats-files`: the configuration of a NATS cluster (JetStream and its MQTT gateway) enforcing the same
 * topic rules as the embedded broker (mqtt/nats.ts), for the identities of a data folder.
 */
import { resolve } from 'node:path';
import { idSchema } from '@portier/protocol';
import { type Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { commandRunner, type ProvisionCommandOptions } from './command-run.ts';
import type { NatsNode } from '../mqtt/nats.ts';

const port = z.coerce.number().int().min(1).max(65535);

/** `NAME=HOST:CLIENT_PORT:CLUSTER_PORT:MQTT_PORT`, e.g. `n1=10.0.0.1:4222:6222:1883`. */
export const natsNodeSpec = z
  .string()
  .regex(/^[^=]+=[^=]+:\d+:\d+:\d+$/, 'expected NAME=HOST:CLIENT_PORT:CLUSTER_PORT:MQTT_PORT')
  .transform((v, ctx): NatsNode => {
    const [name = '', rest = ''] = v.split('=');
    const parts = rest.split(':');
    const [mqttPort, clusterPort, clientPort] = [parts.pop(), parts.pop(), parts.pop()].map((p) => port.safeParse(p));
    const host = parts.join(':').replace(/^\[|\]$/g, '');
    const problems: string[] = [];
    if (!idSchema.safeParse(name).success) problems.push(`node name ${JSON.stringify(name)} is not an id`);
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) problems.push(`host ${JSON.stringify(host)} is not a host name or address`);
    if (!clientPort?.success || !clusterPort?.success || !mqttPort?.success) problems.push('each port must be 1..65535');
    if (problems.length > 0 || !clientPort?.success || !clusterPort?.success || !mqttPort?.success) {
      ctx.addIssue({ code: 'custom', message: problems.join('; ') });
      return z.NEVER;
    }
    return { name, host, clientPort: clientPort.data, clusterPort: clusterPort.data, mqttPort: mqttPort.data };
  });

function nodeArg(v: string, acc: NatsNode[]): NatsNode[] {
  const r = natsNodeSpec.safeParse(v);
  if (!r.success) throw new InvalidArgumentError(`${v}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return [...acc, r.data];
}

/** The single node of a cluster nobody described: NATS's own default ports on loopback. */
const DEFAULT_NODE: NatsNode = { name: 'n1', host: '127.0.0.1', clientPort: 4222, clusterPort: 6222, mqttPort: 1883 };

async function parts() {
  const [{ openDataFolder }, { IdentityRegistry }, nats, provisioning] = await Promise.all([
    import('../data-folder/data-folder.ts'),
    import('../mqtt/identities.ts'),
    import('../mqtt/nats.ts'),
    import('./provision.ts'),
  ]);
  return { openDataFolder, IdentityRegistry, ...nats, ...provisioning };
}

export function registerNatsCommand(program: Command, opts: ProvisionCommandOptions): void {
  const { run, dataDirOf } = commandRunner(opts);
  program
    .command('nats-files')
    .description(
      "write a NATS cluster's node configurations and its auth.conf (users, bcrypt hashes, MQTT-only, the topic rules of the embedded broker); run again after each provision, revoke or rekey",
    )
    .requiredOption('--out <dir>', 'folder for the files (each node keeps its JetStream data in <dir>/<name>/)')
    .option(
      '--node <spec>',
      'a node as NAME=HOST:CLIENT_PORT:CLUSTER_PORT:MQTT_PORT (repeat for each; default one node n1=127.0.0.1:4222:6222:1883)',
      nodeArg,
      [] as NatsNode[],
    )
    .option('--cluster <name>', "the cluster's name", 'portier')
    .option('--data-dir <dir>', 'cloud data folder')
    .option('--pid-files', 'give each node a pid file, so that `nats-files --reload` can reload it')
    .option('--reload', 'after writing, send SIGHUP to every node with a pid file (applies a provision or revoke)')
    .option(
      '--instance <id>',
      "a cloud instance sharing the broker (store.instanceId; repeat for each): its own service account portier-cloud-<id>, the secret in the folder's mqtt/",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .action(async (o: { out: string; node: NatsNode[]; cluster: string; dataDir?: string; pidFiles?: boolean; reload?: boolean; instance: string[] }) => {
      await run(async () => {
        const { IdentityRegistry, ensureServiceAccount, instanceServiceAccount, openDataFolder, writeNatsFiles, reloadNats } = await parts();
        if (!idSchema.safeParse(o.cluster).success) throw Object.assign(new Error('--cluster must be an id'), { code: 'INVALID', field: 'cluster' });
        await openDataFolder(dataDirOf(o));
        const reg = await IdentityRegistry.open(dataDirOf(o));
        // The cloud's own accounts must be in auth.conf before the cloud connects (ensureServiceAccount also gives an
        // account of an older release its NATS hash).
        const service = await ensureServiceAccount({ dataDir: dataDirOf(o), identities: reg });
        const instances: string[] = [];
        for (const id of o.instance) instances.push((await ensureServiceAccount({ dataDir: dataDirOf(o), identities: reg, username: instanceServiceAccount(id) })).username);
        const nodes = o.node.length > 0 ? o.node : [DEFAULT_NODE];
        const files = await writeNatsFiles(reg, resolve(o.out), nodes, { cluster: o.cluster, pidFiles: o.pidFiles === true });
        const reloaded = o.reload ? await reloadNats(files.dir, nodes.map((n) => n.name)) : undefined;
        return {
          ...files,
          serviceAccount: service.username,
          ...(instances.length > 0 ? { instanceAccounts: instances } : {}),
          ...(reloaded ? { reloaded } : { reload: 'run again with --reload (nodes started with --pid-files) or send each nats-server SIGHUP after each provision, revoke or rekey' }),
        };
      });
    });
}
