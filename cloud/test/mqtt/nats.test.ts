// The same access contract as the embedded broker, against a real three-node NATS cluster (JetStream and its MQTT
// gateway) run with the files portier-cloud generates; and what only a cluster shows: a session kept across nodes,
// a revocation applied by a reload. Skipped (by name) where `nats-server` is not installed; CI installs it.
import { readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { sessionClientId, topicFor } from '@portier/protocol';
import t from 'tap';
import { connectMqtt } from '../../src/mqtt/client.ts';
import { natsAuthConf, natsSubject, writeNatsFiles } from '../../src/mqtt/nats.ts';
import { verifyNatsHash } from '../../src/mqtt/secrets.ts';
import { aclIdentities, aclSuite } from './helpers/acl-suite.ts';
import { client, closed, grantedQos, nextMessage, portierCloud, refusal, registry, tempDir } from './helpers/env.ts';
import { natsMissing, startNatsCluster } from './helpers/nats.ts';

const BANK = 'bank-1';
// Three servers, each electing JetStream leaders and replicating sessions, on a machine that may be busy.
t.setTimeout(180_000);

t.test('generated files', async (t) => {
  const { reg } = await registry(t);
  await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  await reg.createController({ controllerId: 'col.dot', bankId: BANK, column: 2 });
  const revokedSecret = (await reg.createController({ controllerId: 'col-gone', bankId: BANK, column: 3 })).secret;
  await reg.revoke('col-gone');
  await reg.createServiceAccount({ username: 'cloud' });
  const { text, skipped } = natsAuthConf(reg);
  t.match(text, /user: "col-a"\n\s+password: "\$2b\$04\$[./A-Za-z0-9]{53}"\n\s+allowed_connection_types: \["MQTT"\]/, 'controller with its bcrypt hash, MQTT only');
  t.match(
    text,
    'publish: { allow: ["portier.v1.bank-1.col-a.ack", "portier.v1.bank-1.col-a.evt", "portier.v1.bank-1.col-a.reported", "portier.v1.bank-1.col-a.status"] }',
    'a controller publishes its own four channels',
  );
  t.match(
    text,
    'subscribe: { allow: ["portier.v1.bank-1.col-a.cmd", "portier.v1.bank-1.col-a.evtack", "portier.v1.bank-1.col-a.desired", "$MQTT.sub.>"] }',
    'a controller subscribes to its own three channels',
  );
  t.match(text, /user: "cloud"[^}]+allowed_connection_types: \["MQTT"\]\n\s+permissions: \{ publish: \{ allow: \["portier\.v1\.>"\] \}/, 'the service account has the tree');
  const gone = /user: "col-gone"\n\s+password: "([^"]+)"/.exec(text);
  t.ok(gone, 'a revoked identity stays a user (a removed one crashes nats-server 2.9 on reload)');
  t.notOk(verifyNatsHash(revokedSecret, gone![1]!), '...whose password is not its secret any more');
  t.notMatch(text, /col\.dot/, 'an id NATS cannot carry is left out');
  t.match(skipped, [{ identity: 'col.dot', reason: /"\."/ }], '...and reported');
  t.equal(natsSubject('portier/v1/+/+/evt'), 'portier.v1.*.*.evt');
  t.equal(natsSubject('portier/v1/#'), 'portier.v1.>');

  const dir = await tempDir(t);
  const nodes = [1, 2, 3].map((i) => ({ name: `n${i}`, host: '127.0.0.1', clientPort: 4220 + i, clusterPort: 6220 + i, mqttPort: 1880 + i }));
  const files = await writeNatsFiles(reg, join(dir, 'nats'), nodes, { pidFiles: true });
  t.equal(files.mqttUrls, 'mqtt://127.0.0.1:1881,mqtt://127.0.0.1:1882,mqtt://127.0.0.1:1883');
  const conf = await readFile(files.confs.n2!, 'utf8');
  t.match(conf, /^server_name: "n2"$/m);
  t.match(conf, /^listen: "127\.0\.0\.1:4222"$/m);
  t.match(conf, /routes: \["nats-route:\/\/127\.0\.0\.1:6221", "nats-route:\/\/127\.0\.0\.1:6222", "nats-route:\/\/127\.0\.0\.1:6223"\]/);
  t.match(conf, /^mqtt \{ listen: "127\.0\.0\.1:1882", stream_replicas: 3 \}$/m);
  t.match(conf, /^include \.\/auth\.conf$/m);
  t.match(conf, /^pid_file: ".*n2\/nats\.pid"$/m);
  t.equal((await stat(files.authFile)).mode & 0o777, 0o600, 'auth.conf is 0600');
});

t.test('an identity of a release before NATS support', async (t) => {
  const { dataDir, reg } = await registry(t);
  await reg.createController({ controllerId: 'col-old', bankId: BANK, column: 1 });
  // What an older release wrote: no natsHash field.
  const file = join(dataDir, 'mqtt', 'identities.json');
  const old = JSON.parse(await readFile(file, 'utf8')) as { controllers: Array<Record<string, unknown>> };
  for (const c of old.controllers) delete c.natsHash;
  await writeFile(file, JSON.stringify(old));
  await reg.refresh();
  t.equal(reg.controller('col-old')?.natsHash, undefined, 'the older file still loads');
  t.match(natsAuthConf(reg).skipped, [{ identity: 'col-old', reason: /rekey/ }], 'left out of auth.conf with what to do');
});

t.test('portier-cloud nats-files', async (t) => {
  const dataDir = await tempDir(t);
  const out = join(dataDir, 'nats');
  const r = await portierCloud(['nats-files', '--data-dir', dataDir, '--out', out, '--node', 'a=127.0.0.1:4301:6301:1901', '--node', 'b=::1:4302:6302:1902']);
  t.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { mqttUrls: string; serviceAccount: string; confs: Record<string, string> };
  t.equal(res.mqttUrls, 'mqtt://127.0.0.1:1901,mqtt://[::1]:1902', 'the broker list for the cloud and the controllers');
  t.equal(res.serviceAccount, 'portier-cloud');
  t.match(await readFile(join(out, 'auth.conf'), 'utf8'), /user: "portier-cloud"/, "the cloud's own account is in auth.conf");
  const bad = await portierCloud(['nats-files', '--data-dir', dataDir, '--out', out, '--node', 'a=127.0.0.1:4301:99999:1901']);
  t.not(bad.code, 0, 'a bad node is refused');
  t.match(bad.stderr, /a=127\.0\.0\.1:4301:99999:1901: each port must be 1\.\.65535/);
});

/** A raw NATS-protocol CONNECT: the server's answer (`+OK`/`PONG` when let in, `-ERR ...` when not). */
async function natsProtocolConnect(port: number, user: string, pass: string): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  let got = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sock.destroy(), reject(new Error(`no answer: ${got}`))), 10_000);
    sock.on('data', (d) => {
      got += d.toString();
      if (got.startsWith('INFO') && !got.includes('\r\nsent')) {
        got += '\r\nsent';
        sock.write(`CONNECT ${JSON.stringify({ user, pass, verbose: false, pedantic: false, protocol: 1 })}\r\nPING\r\n`);
      }
      const answer = /(?:^|\r\n)(PONG|-ERR[^\r]*)\r\n/.exec(got.split('\r\nsent')[1] ?? '');
      if (answer) {
        clearTimeout(timer);
        sock.destroy();
        resolve(answer[1]!);
      }
    });
    sock.on('error', (e) => (clearTimeout(timer), reject(e)));
  });
}

t.test('a three-node NATS cluster with the generated files', { skip: natsMissing }, async (t) => {
  const { dataDir, reg } = await registry(t);
  const ids = await aclIdentities(reg, BANK);
  const cluster = await startNatsCluster(t, reg, join(dataDir, 'nats'));
  const [n1, n2, n3] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
  // Each half of the contract through a different node: the rules are the cluster's, not one node's.
  aclSuite(t, { ...ids, name: 'nats', url: n1.mqttUrl, closesOnRefusedPublish: false, refusesSubscribe: true, bindsClientId: false });

  t.test('nats: with the client id derived from its secret, a session cannot be taken by another credential', async (t) => {
    const cmdB = topicFor(BANK, 'col-b', 'cmd');
    const ownId = sessionClientId('col-b', ids.b.password);
    const cb = await client(t, n2.mqttUrl, { username: 'col-b', password: ids.b.password, clientId: ownId, clean: false });
    await cb.subscribeAsync(cmdB, { qos: 1 });
    let kicked = false;
    cb.on('close', () => (kicked = true));
    // What a thief holding A's credential can name: B's id, and the id B would have had with A's secret.
    for (const guess of ['col-b', sessionClientId('col-b', ids.a.password)]) {
      const thief = await client(t, n1.mqttUrl, { username: ids.a.username, password: ids.a.password, clientId: guess, clean: false });
      await new Promise<void>((r) => thief.end(true, {}, () => r()));
    }
    const svc = await client(t, n3.mqttUrl, { username: ids.service.username, password: ids.service.password, clientId: 'svc-derived', clean: true });
    const got = nextMessage(cb, (topic, p) => topic === cmdB && p.toString() === 'still-mine');
    await svc.publishAsync(cmdB, 'still-mine', { qos: 1 });
    t.equal((await got).payload.toString(), 'still-mine', 'B keeps its session and gets its command');
    t.notOk(kicked, 'B was never disconnected');
    await cb.unsubscribeAsync(cmdB);
  });

  t.test('nats: an MQTT identity cannot connect over the NATS protocol', async (t) => {
    t.match(await natsProtocolConnect(n2.node.clientPort, ids.a.username, ids.a.password), /^-ERR 'Authorization Violation'/, 'controller refused');
    t.match(await natsProtocolConnect(n2.node.clientPort, ids.service.username, ids.service.password), /^-ERR 'Authorization Violation'/, 'service account refused');
  });

  t.test("nats: nobody reads the gateway's delivery subjects", async (t) => {
    const ca = await client(t, n1.mqttUrl, { username: ids.a.username, password: ids.a.password, clientId: 'col-a', clean: true });
    t.same(await grantedQos(ca, ['$MQTT/sub/#']), [128]);
    t.same(await grantedQos(ca, ['$MQTT/sub/+']), [128]);
  });

  t.test('nats: a session subscribed on one node gets its queued command on another', async (t) => {
    const cmdA = topicFor(BANK, 'col-a', 'cmd');
    const login = { username: ids.a.username, password: ids.a.password, clientId: 'col-a', clean: false };
    const first = await client(t, n1.mqttUrl, login);
    await first.subscribeAsync(cmdA, { qos: 1 });
    await new Promise<void>((r) => first.end(true, {}, () => r()));
    const svc = await client(t, n2.mqttUrl, { username: ids.service.username, password: ids.service.password, clientId: 'svc-queue', clean: true });
    await svc.publishAsync(cmdA, 'queued', { qos: 1 });
    // The listener is on before the CONNACK: a queued message may come in the same read.
    const again = connectMqtt(n3.mqttUrl, { ...login, reconnectPeriod: 0 });
    t.teardown(() => new Promise<void>((r) => again.end(true, {}, () => r())));
    const got = nextMessage(again, (topic, p) => topic === cmdA && p.toString() === 'queued');
    t.equal((await got).payload.toString(), 'queued', 'delivered on node 3');
    await again.unsubscribeAsync(cmdA);
  });

  t.test('nats: a revocation applied by a reload closes the live connection and refuses the next', async (t) => {
    const c = await reg.createController({ controllerId: 'col-late', bankId: BANK, column: 4 });
    await cluster.reauthorize(reg);
    const login = { username: 'col-late', password: c.secret, clientId: 'col-late', clean: true };
    const live = await client(t, n3.mqttUrl, login);
    // Its status retained, and known to every node (a subscriber on each): what crashed nats-server 2.9.10 on the
    // reload that removed such a user.
    await live.publishAsync(topicFor(BANK, 'col-late', 'status'), '{"v":1,"state":"online"}', { qos: 1, retain: true });
    for (const [i, n] of cluster.nodes.entries()) {
      const watcher = await client(t, n.mqttUrl, { username: ids.service.username, password: ids.service.password, clientId: `svc-retained-${i}`, clean: true });
      const got = nextMessage(watcher, (topic) => topic === topicFor(BANK, 'col-late', 'status'));
      await watcher.subscribeAsync('portier/v1/#', { qos: 1 });
      await got;
      await new Promise<void>((r) => watcher.end(true, {}, () => r()));
    }
    await reg.revoke('col-late');
    const gone = closed(live);
    // As an operator applies it: the command rewrites the files and reloads every node through its pid file.
    const reloads = cluster.nodes.map((n) => n.logged(/[Rr]eloaded server configuration/));
    const r = await portierCloud(['nats-files', '--data-dir', dataDir, '--out', cluster.files.dir, ...cluster.nodeArgs, '--pid-files', '--reload']);
    t.equal(r.code, 0, r.stderr);
    t.equal((JSON.parse(r.stdout) as { reloaded: { reloaded: number[] } }).reloaded.reloaded.length, 3, 'every node reloaded');
    await Promise.all(reloads);
    t.ok(await gone, 'the live connection is closed');
    t.same(
      cluster.nodes.map((n) => n.running && !/panic/.test(n.log)),
      [true, true, true],
      'every node still runs',
    );
    t.ok([4, 5].includes(Number(await refusal(n1.mqttUrl, login))), 'and a new one refused');
  });
});
