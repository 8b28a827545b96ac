// The same access contract as the embedded broker, against a real Mosquitto 2 run with the files portier-cloud
// generates. Skipped (by name) where `mosquitto` is not installed; CI installs it.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { topicFor } from '@portier/protocol';
import type { MqttClient } from 'mqtt';
import t from 'tap';
import { DEFAULT_MAX_PACKET_BYTES, MAX_MESSAGE_BYTES } from '../../src/mqtt/limits.ts';
import { mosquittoAclFile, mosquittoConf, mosquittoPasswordFile, writeMosquittoFiles } from '../../src/mqtt/mosquitto.ts';
import { aclIdentities, aclSuite } from './helpers/acl-suite.ts';
import { client, closed, nextMessage, portierCloud, refusal, registry, tempDir } from './helpers/env.ts';
import { mosquittoMissing, startMosquitto } from './helpers/mosquitto.ts';

const BANK = 'bank-1';
t.test('generated files', async (t) => {
  const { reg } = await registry(t);
  await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  await reg.createController({ controllerId: 'col-gone', bankId: BANK, column: 2 });
  await reg.revoke('col-gone');
  await reg.createServiceAccount({ username: 'cloud' });
  const pw = mosquittoPasswordFile(reg);
  t.match(pw, /^col-a:\$7\$101\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/m, 'controller in the password file');
  t.match(pw, /^cloud:\$7\$/m, 'service account in the password file');
  t.notMatch(pw, /col-gone/, 'revoked identity left out');
  const acl = mosquittoAclFile(reg);
  t.match(acl, /user col-a\ntopic write portier\/v1\/bank-1\/col-a\/ack\ntopic write portier\/v1\/bank-1\/col-a\/evt\n/);
  t.match(acl, /topic read portier\/v1\/bank-1\/col-a\/cmd\n/);
  t.notMatch(acl, /col-gone/);
  t.match(acl, /user cloud\ntopic readwrite portier\/v1\/#/);
  const controllerLines = acl.split('\n').filter((l) => l.startsWith('topic') && !l.endsWith('portier/v1/#'));
  t.ok(controllerLines.length >= 7 && controllerLines.every((l) => !/[+#]/.test(l)), 'no wildcard for any controller');
  const dir = await tempDir(t);
  const files = await writeMosquittoFiles(reg, join(dir, 'mosq'), { host: '127.0.0.1', port: 18830 });
  const conf = await readFile(files.conf, 'utf8');
  t.match(conf, /^listener 18830 127\.0\.0\.1$/m);
  t.match(conf, /^allow_anonymous false$/m);
  t.match(conf, /^password_file .*passwd$/m);
  t.match(conf, /^acl_file .*acl$/m);
  t.match(conf, /^persistence true$/m);
  t.equal((await stat(files.passwordFile)).mode & 0o777, 0o600, 'password file is 0600');
  t.match(conf, new RegExp(`^max_packet_size ${DEFAULT_MAX_PACKET_BYTES.service}$`, 'm'), 'packets capped at the service limit');
  t.match(conf, new RegExp(`^message_size_limit ${MAX_MESSAGE_BYTES}$`, 'm'), 'payloads capped at the largest desired state');
});

t.test('every listener of a generated configuration binds the client id to the user name', async (t) => {
  const confs = [
    mosquittoConf({ host: '127.0.0.1', port: 1883, passwordFile: '/p', aclFile: '/a', persistenceDir: '/d' }),
    mosquittoConf({ host: '::1', port: 8883, passwordFile: '/p', aclFile: '/a', persistenceDir: '/d/', logFile: '/l', pidFile: '/pid', runAs: 'mosquitto' }),
  ];
  for (const conf of confs) {
    // Listener blocks: from one `listener` line to the next (per-listener options belong to the block above them).
    const blocks = conf.split(/^(?=listener )/m).slice(1);
    t.ok(blocks.length >= 1, 'has a listener');
    for (const block of blocks) t.match(block, /^use_username_as_clientid true$/m, `bound: ${block.split('\n')[0]}`);
    t.notMatch(conf, /^(port|bind_address) /m, 'no default listener outside a listener block');
  }
});

t.test('Mosquitto with the generated password and ACL files', { skip: mosquittoMissing }, async (t) => {
  const { dataDir, reg } = await registry(t);
  const ids = await aclIdentities(reg, BANK);
  const mosq = await startMosquitto(t, reg, join(dataDir, 'mosquitto'));
  const url = mosq.url;
  aclSuite(t, { ...ids, name: 'mosquitto', url, closesOnRefusedPublish: false, refusesSubscribe: false, bindsClientId: true });

  t.test('mosquitto: a revocation takes effect after regenerating the files and SIGHUP', async (t) => {
    await reg.revoke('col-b');
    await writeMosquittoFiles(reg, mosq.files.dir, { host: '127.0.0.1', port: mosq.port }, mosq.extra);
    await mosq.reload();
    t.ok([4, 5].includes(Number(await refusal(url, { clientId: 'col-b', username: 'col-b', password: ids.b.password }))), 'revoked B refused');
  });
});

t.test('Mosquitto: `portier-cloud revoke --mosquitto-dir` cuts the revoked controller off at once', { skip: mosquittoMissing }, async (t) => {
  const { dataDir, reg } = await registry(t);
  const a = await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  const b = await reg.createController({ controllerId: 'col-b', bankId: BANK, column: 2 });
  const s = await reg.createServiceAccount({ username: 'cloud' });
  const dir = join(dataDir, 'mosquitto');
  const mosq = await startMosquitto(t, reg, dir, { pidFile: join(dir, 'mosquitto.pid') });
  // The stolen credential, connected as the controller would be, and a legitimate neighbour.
  const ca = await client(t, mosq.url, { clientId: 'col-a', username: 'col-a', password: a.secret, clean: false });
  await ca.subscribeAsync(topicFor(BANK, 'col-a', 'cmd'), { qos: 1 });
  const cb = await client(t, mosq.url, { clientId: 'col-b', username: 'col-b', password: b.secret });
  const svc = await client(t, mosq.url, { clientId: 'cloud', username: 'cloud', password: s.secret });
  await svc.subscribeAsync('portier/v1/+/+/evt', { qos: 1 });

  const r = await portierCloud(['revoke', '--controller', 'col-a', '--data-dir', dataDir, '--mosquitto-dir', dir]);
  t.equal(r.code, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { revoked: 'col-a', mosquitto: { reloaded: Number } });
  t.ok(await closed(ca), "the revoked controller's live connection is cut by the reload");
  t.equal(Number(await refusal(mosq.url, { clientId: 'col-a', username: 'col-a', password: a.secret })), 5, 'and it cannot come back');
  t.ok(cb.connected && svc.connected, 'the others stay connected');
  const evt = nextMessage(svc, (topic) => topic === topicFor(BANK, 'col-b', 'evt'));
  await cb.publishAsync(topicFor(BANK, 'col-b', 'evt'), 'still-here', { qos: 1 });
  t.equal((await evt).payload.toString(), 'still-here', "B's events still reach the cloud");
});

t.test('Mosquitto: an oversized publish from a controller does not reach the cloud', { skip: mosquittoMissing }, async (t) => {
  const { dataDir, reg } = await registry(t);
  const a = await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  const s = await reg.createServiceAccount({ username: 'cloud' });
  const mosq = await startMosquitto(t, reg, join(dataDir, 'mosquitto'));
  const svc = await client(t, mosq.url, { clientId: 'cloud', username: 'cloud', password: s.secret });
  await svc.subscribeAsync('portier/v1/+/+/evt', { qos: 1 });
  const sizes: number[] = [];
  svc.on('message', (_topic, p) => sizes.push(p.length));
  const evtA = topicFor(BANK, 'col-a', 'evt');
  /** A small evt from A, received by the cloud: anything A sent before it on that connection would have come first. */
  const marker = async (c: MqttClient, text: string): Promise<void> => {
    const got = nextMessage(svc, (topic, p) => topic === evtA && p.toString() === text);
    await c.publishAsync(evtA, text, { qos: 1 });
    await got;
  };

  // Over the payload limit, under the packet limit: Mosquitto completes the QoS 1 flow and drops the message.
  const ca = await client(t, mosq.url, { clientId: 'col-a', username: 'col-a', password: a.secret });
  await ca.publishAsync(evtA, Buffer.alloc(MAX_MESSAGE_BYTES + 1024, 0x20), { qos: 1 });
  await marker(ca, 'after-payload-over-limit');
  // Over the packet limit: Mosquitto closes the connection.
  ca.publish(evtA, Buffer.alloc(DEFAULT_MAX_PACKET_BYTES.service + 1024, 0x20), { qos: 1 });
  t.ok(await closed(ca), 'a packet over the limit closes the connection');
  const again = await client(t, mosq.url, { clientId: 'col-a', username: 'col-a', password: a.secret });
  await marker(again, 'after-packet-over-limit');
  t.same(sizes.filter((n) => n > 1024), [], 'no oversized message reached the cloud');

  // The legitimate path: a large desired state from the cloud still reaches the controller.
  const desiredA = topicFor(BANK, 'col-a', 'desired');
  await again.subscribeAsync(desiredA, { qos: 1 });
  const got = nextMessage(again, (topic) => topic === desiredA, 10_000);
  await svc.publishAsync(desiredA, Buffer.alloc(4 * 1024 * 1024, 0x20), { qos: 1, retain: true });
  t.equal((await got).payload.length, 4 * 1024 * 1024, 'a 4 MiB desired state goes through');
  await svc.publishAsync(desiredA, '', { qos: 1, retain: true });
});
