/**
 * Files for running a NATS server cluster (2.9+, JetStream and its MQTT gateway) as the external broker with the same
 * rules as the embedded one:
 * - `auth.conf`: one user per identity that is not revoked, with the bcrypt hash kept at issue time, allowed to
 *   connect over MQTT only, and publish and subscribe permissions that grant exactly the topics of DESIGN.md: a
 *   controller publishes its own `ack`, `evt`, `reported`, `status` and subscribes to its own `cmd`, `evtack`,
 *   `desired` (concrete subjects, its bank and id spelled out); a service account has `portier.v1.>`. NATS maps the
 *   MQTT topic `a/b/c` to the subject `a.b.c` and denies anything not allowed, refusing such a subscription in the
 *   SUBACK and dropping such a publish.
 * - one `node-<name>.conf` per node: its listeners, JetStream's folder, the routes to every node and an include of
 *   auth.conf, so one rewrite of auth.conf and a reload of each node applies a provision or revoke.
 *
 * What NATS cannot enforce, and the deployment must know (cloud/DEPLOY.md):
 * - The MQTT client id is not bound to the user: whoever holds any valid credential can name another identity's
 *   client id and take its session over, which disconnects that identity (its subscriptions are re-created under the
 *   intruder's own permissions, so no message of the victim reaches it).
 * - NATS 2.9 refuses MQTT topics holding "." (a subject's separator): an identity whose bank or controller id holds
 *   one is left out of auth.conf and reported.
 * - Every QoS 1 subscription is a JetStream consumer delivering on `$MQTT.sub.<id>`: each user may subscribe there,
 *   and being MQTT-only keeps anyone from doing so through the NATS protocol (an MQTT client cannot name `$MQTT`).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CLOUD_PUBLISHES, CONTROLLER_PUBLISHES, topicFor } from '@portier/protocol';
import { TREE_PREFIX } from './acl.ts';
import { ensureDir, readTextIfExists, writeFileDurable } from './fs.ts';
import type { ControllerIdentity, ServiceAccount } from './identities.ts';
import { DEFAULT_MAX_PACKET_BYTES } from './limits.ts';
import { natsPasswordHash } from './secrets.ts';
import type { IdentitySource } from './mosquitto.ts';

/** An MQTT topic as the NATS subject it travels on (`/` separates levels; `+` and `#` become `*` and `>`). */
export function natsSubject(topic: string): string {
  return topic
    .split('/')
    .map((level) => (level === '+' ? '*' : level === '#' ? '>' : level))
    .join('.');
}

/** Where the MQTT gateway delivers QoS 1 messages of a subscription (a JetStream consumer's delivery subject). */
const MQTT_DELIVERY = '$MQTT.sub.>';

export interface NatsSkipped {
  identity: string;
  reason: string;
}

/** Why NATS cannot carry an identity's topics, if it cannot. */
function unusable(rec: ControllerIdentity | ServiceAccount): string | undefined {
  if (rec.natsHash === undefined) {
    return rec.kind === 'controller'
      ? 'issued before NATS support, so no NATS hash of its secret exists: run `portier-cloud rekey` for it'
      : 'issued before NATS support, so no NATS hash of its secret exists';
  }
  if (rec.kind === 'controller' && (rec.bankId.includes('.') || rec.controllerId.includes('.'))) {
    return 'its bank or controller id holds ".", which NATS 2.9 refuses in an MQTT topic';
  }
  return undefined;
}

const list = (xs: string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

function user(name: string, hash: string, publish: string[], subscribe: string[]): string {
  return [
    `    {`,
    `      user: ${JSON.stringify(name)}`,
    `      password: ${JSON.stringify(hash)}`,
    `      allowed_connection_types: ["MQTT"]`,
    `      permissions: { publish: { allow: ${list(publish)} }, subscribe: { allow: ${list(subscribe)} } }`,
    `    }`,
  ].join('\n');
}

/**
 * The password of a revoked identity: the hash of random bytes nobody keeps, so nobody can be it.
 *
 * A revoked identity stays in auth.conf with its own permissions and this password rather than being removed:
 * nats-server 2.9.10 crashes (a nil pointer in mqttCheckPubRetainedPerms) on the nodes holding, from another node, a
 * retained message of a user the reload removed or whose permissions it changed, and a controller's status and
 * reported are retained. Measured: a password change alone is taken without a crash, and the reload still closes the
 * identity's live connection and refuses the next.
 */
function unusablePassword(): string {
  return natsPasswordHash(randomBytes(32).toString('base64url'), false);
}

/** auth.conf: the users of every identity NATS can carry, and the identities left out with why. */
export function natsAuthConf(src: IdentitySource): { text: string; skipped: NatsSkipped[] } {
  const users: string[] = [];
  const skipped: NatsSkipped[] = [];
  for (const c of src.controllers()) {
    const pub = CONTROLLER_PUBLISHES.map((ch) => natsSubject(topicFor(c.bankId, c.controllerId, ch)));
    const sub = CLOUD_PUBLISHES.map((ch) => natsSubject(topicFor(c.bankId, c.controllerId, ch)));
    const why = unusable(c);
    if (c.revokedAt !== null) {
      // Ids holding "." never made it onto NATS (and make no valid subject).
      if (!c.bankId.includes('.') && !c.controllerId.includes('.')) users.push(user(c.controllerId, unusablePassword(), pub, [...sub, MQTT_DELIVERY]));
      continue;
    }
    if (why !== undefined) {
      skipped.push({ identity: c.controllerId, reason: why });
      continue;
    }
    users.push(user(c.controllerId, c.natsHash!, pub, [...sub, MQTT_DELIVERY]));
  }
  const tree = natsSubject(`${TREE_PREFIX}#`);
  // NATS carries an MQTT `portier/v1/#` on two subjects, the tree and its root level: both must be allowed.
  const serviceSub = [tree, natsSubject(TREE_PREFIX.slice(0, -1)), MQTT_DELIVERY];
  for (const s of src.services()) {
    if (s.revokedAt !== null) {
      users.push(user(s.username, unusablePassword(), [tree], serviceSub));
      continue;
    }
    const why = unusable(s);
    if (why !== undefined) {
      skipped.push({ identity: s.username, reason: why });
      continue;
    }
    users.push(user(s.username, s.natsHash!, [tree], serviceSub));
  }
  const text = [
    '# Generated by portier-cloud: do not edit. Anything not granted here is denied.',
    'authorization {',
    '  users: [',
    ...users,
    '  ]',
    '}',
    '',
  ].join('\n');
  return { text, skipped };
}

/** One node of the cluster: its name and where it listens (client, route and MQTT ports on `host`). */
export interface NatsNode {
  name: string;
  host: string;
  clientPort: number;
  clusterPort: number;
  mqttPort: number;
}

export interface NatsNodeConfOptions {
  node: NatsNode;
  nodes: readonly NatsNode[];
  /** The cluster's name (every node the same). */
  cluster: string;
  storeDir: string;
  pidFile?: string;
  logFile?: string;
}

/** `node-<name>.conf`. A single node gets no cluster block (a cluster of one is refused by NATS). */
export function natsNodeConf(o: NatsNodeConfOptions): string {
  const { node } = o;
  const clustered = o.nodes.length > 1;
  return [
    '# Generated by portier-cloud.',
    `server_name: ${JSON.stringify(node.name)}`,
    `listen: ${JSON.stringify(`${node.host}:${node.clientPort}`)}`,
    // The cloud publishes desired states of up to 8 MiB; NATS's own default (1 MiB) would refuse them.
    `max_payload: ${DEFAULT_MAX_PACKET_BYTES.service}`,
    `jetstream { store_dir: ${JSON.stringify(o.storeDir)} }`,
    ...(clustered
      ? [
          'cluster {',
          `  name: ${JSON.stringify(o.cluster)}`,
          `  listen: ${JSON.stringify(`${node.host}:${node.clusterPort}`)}`,
          `  routes: [${o.nodes.map((n) => JSON.stringify(`nats-route://${n.host}:${n.clusterPort}`)).join(', ')}]`,
          '}',
        ]
      : []),
    // Sessions and retained messages are replicated to up to three nodes, so they survive the loss of one.
    `mqtt { listen: ${JSON.stringify(`${node.host}:${node.mqttPort}`)}, stream_replicas: ${Math.min(3, o.nodes.length)} }`,
    ...(o.pidFile ? [`pid_file: ${JSON.stringify(o.pidFile)}`] : []),
    ...(o.logFile ? [`log_file: ${JSON.stringify(o.logFile)}`] : []),
    'include ./auth.conf',
    '',
  ].join('\n');
}

export const NATS_AUTH_FILE = 'auth.conf';

export function natsNodeFile(dir: string, name: string): string {
  return join(dir, `node-${name}.conf`);
}

export interface NatsFiles {
  dir: string;
  authFile: string;
  /** Each node's configuration file, by node name. */
  confs: Record<string, string>;
  /** The MQTT URLs of every node, separated by commas: the cloud's and the controllers' broker list. */
  mqttUrls: string;
  skipped: NatsSkipped[];
}

/** Rewrites auth.conf under `dir` (mode 0600): what a provision or revoke changes. */
export async function writeNatsAuthFile(src: IdentitySource, dir: string): Promise<{ authFile: string; skipped: NatsSkipped[] }> {
  await ensureDir(dir);
  const authFile = join(dir, NATS_AUTH_FILE);
  const { text, skipped } = natsAuthConf(src);
  await writeFileDurable(authFile, text);
  return { authFile, skipped };
}

/** Writes auth.conf and every node's configuration under `dir`; each node keeps its data in `dir/<name>/`. */
export async function writeNatsFiles(
  src: IdentitySource,
  dir: string,
  nodes: readonly NatsNode[],
  opts: { cluster?: string; pidFiles?: boolean; logFiles?: boolean } = {},
): Promise<NatsFiles> {
  if (nodes.length === 0) throw new TypeError('a NATS cluster needs at least one node');
  const names = new Set(nodes.map((n) => n.name));
  if (names.size !== nodes.length) throw new TypeError('two NATS nodes have the same name');
  const { authFile, skipped } = await writeNatsAuthFile(src, dir);
  const confs: Record<string, string> = {};
  for (const node of nodes) {
    const own = join(dir, node.name);
    await ensureDir(own);
    const file = natsNodeFile(dir, node.name);
    const text = natsNodeConf({
      node,
      nodes,
      cluster: opts.cluster ?? 'portier',
      storeDir: join(own, 'jetstream'),
      ...(opts.pidFiles ? { pidFile: join(own, 'nats.pid') } : {}),
      ...(opts.logFiles ? { logFile: join(own, 'nats.log') } : {}),
    });
    await writeFileDurable(file, text);
    confs[node.name] = file;
  }
  const mqttUrls = nodes.map((n) => `mqtt://${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.mqttPort}`).join(',');
  return { dir, authFile, confs, mqttUrls, skipped };
}

/**
 * Sends SIGHUP (a reload) to every node whose configuration under `dir` names a pid file that exists on this machine:
 * the node re-reads auth.conf and closes the connections of users no longer in it. Returns the pids signalled and the
 * nodes left alone (no pid file, or one on another machine: reload those there).
 */
export async function reloadNats(dir: string, names: readonly string[]): Promise<{ reloaded: number[]; notReloaded: string[] }> {
  const reloaded: number[] = [];
  const notReloaded: string[] = [];
  for (const name of names) {
    const conf = await readTextIfExists(natsNodeFile(dir, name));
    const pidFile = conf === undefined ? undefined : /^pid_file: "(.+)"$/m.exec(conf)?.[1];
    const text = pidFile === undefined ? undefined : (await readTextIfExists(pidFile))?.trim();
    if (text === undefined) {
      notReloaded.push(name);
      continue;
    }
    if (!/^\d{1,9}$/.test(text)) throw new Error(`no NATS process id in ${pidFile}`);
    process.kill(Number(text), 'SIGHUP');
    reloaded.push(Number(text));
  }
  return { reloaded, notReloaded };
}
