import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importPublicKey, signMessage, verifyMessage } from '@portier/protocol';
import { Command } from 'commander';
import t from 'tap';
import { parse } from 'yaml';
import { IdentityRegistry } from '../../src/mqtt/identities.ts';
import { registerProvisionCommands } from '../../src/provision/commands.ts';
import { commandKeyPath, loadOrCreateCommandKey } from '../../src/provision/keys.ts';
import { ensureServiceAccount, provision, revoke } from '../../src/provision/provision.ts';
import { broker, refusal, tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';

const registryOpts = { hashParams: TEST_HASH };

t.test('provision writes a 0600 config the controller can connect with; revoke ends it for good', async (t) => {
  const dataDir = await tempDir(t);
  const out = join(dataDir, 'ctrl', 'col-1.yaml');
  const reg = await IdentityRegistry.open(dataDir, registryOpts);
  const brk = await broker(t, reg);
  const r = await provision({ dataDir, bankId: 'bank-1', controllerId: 'col-1', column: 1, brokerUrl: brk.url, out, registry: registryOpts });
  t.equal((await stat(out)).mode & 0o777, 0o600, 'config file is 0600');
  t.equal((await stat(commandKeyPath(dataDir))).mode & 0o777, 0o600, 'private key file is 0600');
  const cfg = parse(await readFile(out, 'utf8')) as { link: Record<string, unknown> };
  t.same(Object.keys(cfg.link).sort(), ['bankId', 'brokerUrl', 'cloudPublicKey', 'column', 'controllerId', 'credentialKey', 'secret']);
  t.match(cfg.link.credentialKey, /^[A-Za-z0-9_-]{43}$/, 'a 32-byte credential key');
  t.equal(cfg.link.secret, r.secret);
  t.equal(cfg.link.brokerUrl, brk.url);

  // The public key in the file verifies what the cloud's key signs.
  const key = await loadOrCreateCommandKey(dataDir);
  const signed = signMessage({ v: 1, x: 'y' }, key.privateKey);
  t.ok(verifyMessage(signed, importPublicKey(String(cfg.link.cloudPublicKey))), 'cloud public key matches the signing key');

  t.equal(await refusal(brk.url, { clientId: 'col-1', username: 'col-1', password: String(cfg.link.secret) }), undefined, 'connects');
  await revoke({ dataDir, controllerId: 'col-1', registry: registryOpts });
  t.equal(await refusal(brk.url, { clientId: 'col-1', username: 'col-1', password: String(cfg.link.secret) }), 4, 'refused after revoke');
  await t.rejects(
    provision({ dataDir, bankId: 'bank-1', controllerId: 'col-1', column: 1, brokerUrl: brk.url, out: join(dataDir, 'again.yaml'), registry: registryOpts }),
    { code: 'REVOKED' },
  );
});

t.test('provision into an existing config keeps its other sections and refuses a non-mapping', async (t) => {
  const dataDir = await tempDir(t);
  const out = join(dataDir, 'controller.yaml');
  await writeFile(out, '# installer notes\nhardware:\n  bus:\n    kind: kerong-cu16\n    path: /dev/ttyUSB0\n    doorCount: 16\n');
  await provision({ dataDir, bankId: 'bank-1', controllerId: 'col-2', column: 2, brokerUrl: 'mqtts://cloud.example:8883', out, registry: registryOpts });
  const text = await readFile(out, 'utf8');
  t.match(text, /# installer notes/);
  const cfg = parse(text) as { hardware: { bus: { doorCount: number } }; link: { controllerId: string } };
  t.equal(cfg.hardware.bus.doorCount, 16);
  t.equal(cfg.link.controllerId, 'col-2');

  const bad = join(dataDir, 'bad.yaml');
  await writeFile(bad, '- a list\n');
  await t.rejects(provision({ dataDir, bankId: 'bank-1', controllerId: 'col-3', column: 3, brokerUrl: 'mqtt://h:1', out: bad, registry: registryOpts }), { code: 'BAD_CONFIG_FILE' });
  const reg = await IdentityRegistry.open(dataDir, registryOpts);
  t.equal(reg.controller('col-3'), undefined, 'no identity left behind');
  await t.rejects(provision({ dataDir, bankId: 'bank-1', controllerId: 'col-4', column: 3, brokerUrl: 'http://h', out: join(dataDir, 'x.yaml') }), { code: 'INVALID', field: 'brokerUrl' });
  await t.rejects(provision({ dataDir, bankId: 'bank-1', controllerId: 'col-4', column: 3, brokerUrl: 'mqtt://u:p@h:1', out: join(dataDir, 'x.yaml') }), { code: 'INVALID' });
});

t.test('the command key is created once and reused', async (t) => {
  const dataDir = await tempDir(t);
  const [a, b] = await Promise.all([loadOrCreateCommandKey(dataDir), loadOrCreateCommandKey(dataDir)]);
  t.equal(a.publicKeyPem, b.publicKeyPem, 'two concurrent first uses agree on one key');
  const c = await loadOrCreateCommandKey(dataDir);
  t.equal(c.publicKeyPem, a.publicKeyPem, 'same key after reload');
});

t.test('service account: created once, secret kept 0600, reused after restart', async (t) => {
  const dataDir = await tempDir(t);
  const s1 = await ensureServiceAccount({ dataDir, registry: registryOpts });
  const s2 = await ensureServiceAccount({ dataDir, registry: registryOpts });
  t.equal(s1.password, s2.password);
  t.equal((await stat(join(dataDir, 'mqtt', 'portier-cloud.secret'))).mode & 0o777, 0o600);
  const reg = await IdentityRegistry.open(dataDir, registryOpts);
  t.same(await reg.authenticate(s1.username, s1.password), { kind: 'service', username: 'portier-cloud' });
});

t.test('commander sub-commands', async (t) => {
  const dataDir = await tempDir(t);
  const lines: string[] = [];
  const errors: string[] = [];
  let failed = 0;
  const make = () =>
    registerProvisionCommands(new Command('portier-cloud').exitOverride(), {
      defaultDataDir: dataDir,
      stdout: (l) => lines.push(l),
      stderr: (l) => errors.push(l),
      onFailure: () => failed++,
    });
  const out = join(dataDir, 'c.yaml');
  await make().parseAsync(['provision', '--bank', 'bank-1', '--controller', 'col-9', '--column', '3', '--broker-url', 'mqtt://127.0.0.1:1883', '--out', out], { from: 'user' });
  t.match(JSON.parse(lines.pop()!), { provisioned: 'col-9', bankId: 'bank-1', column: 3, configFile: out, credentialKeyId: /^[A-Za-z0-9_-]{22}$/ });
  t.notOk(lines.join('').includes((parse(await readFile(out, 'utf8')) as { link: { secret: string } }).link.secret), 'secret not printed');
  await make().parseAsync(['revoke', '--controller', 'col-9'], { from: 'user' });
  t.match(JSON.parse(lines.pop()!), { revoked: 'col-9' });
  await make().parseAsync(['revoke', '--controller', 'nobody'], { from: 'user' });
  t.equal(failed, 1);
  t.match(JSON.parse(errors.pop()!), { error: { code: 'NOT_FOUND' } });
  await make().parseAsync(['mosquitto-files', '--out', join(dataDir, 'mosq'), '--port', '18883'], { from: 'user' });
  t.match(JSON.parse(lines.pop()!), { conf: join(dataDir, 'mosq', 'mosquitto.conf'), serviceAccount: 'portier-cloud' });
  t.match(await readFile(join(dataDir, 'mosq', 'passwd'), 'utf8'), /^portier-cloud:\$7\$/m, "the cloud's service account is in the password file");
  // Instances sharing the broker: an account each, its secret in the folder every instance copies.
  await make().parseAsync(['mosquitto-files', '--out', join(dataDir, 'mosq'), '--instance', 'cloud-1', '--instance', 'cloud-2'], { from: 'user' });
  t.match(JSON.parse(lines.pop()!), { serviceAccount: 'portier-cloud', instanceAccounts: ['portier-cloud-cloud-1', 'portier-cloud-cloud-2'] });
  const passwd = await readFile(join(dataDir, 'mosq', 'passwd'), 'utf8');
  t.match(passwd, /^portier-cloud-cloud-1:\$7\$/m);
  t.match(passwd, /^portier-cloud-cloud-2:\$7\$/m);
  t.match(await readFile(join(dataDir, 'mqtt', 'portier-cloud-cloud-1.secret'), 'utf8'), /\S{16,}/, "the instance's secret is in the folder");
  await make().parseAsync(['mosquitto-files', '--out', join(dataDir, 'mosq'), '--instance', 'bad id'], { from: 'user' });
  t.match(JSON.parse(errors.pop()!), { error: { code: 'INVALID', field: 'instanceId' } }, 'an instance id the config would refuse');
  t.throws(() => make().parse(['provision', '--bank', 'b', '--controller', 'c', '--column', 'x', '--broker-url', 'mqtt://h:1', '--out', out], { from: 'user' }));

  // A cluster's nodes and MQTT 5: written into the controller's file as given.
  const cluster = join(dataDir, 'cluster.yaml');
  const nodes = 'mqtt://node-1:1883,mqtt://node-2:1883,mqtt://node-3:1883';
  await make().parseAsync(['provision', '--bank', 'bank-1', '--controller', 'col-10', '--column', '4', '--broker-url', nodes, '--mqtt-version', '5', '--out', cluster], { from: 'user' });
  t.match(JSON.parse(lines.pop()!), { provisioned: 'col-10' });
  t.match((parse(await readFile(cluster, 'utf8')) as { link: unknown }).link, { brokerUrl: nodes, mqttVersion: '5' }, 'the list and the version in the link section');
  const failedBefore = failed;
  await make().parseAsync(['provision', '--bank', 'bank-1', '--controller', 'col-11', '--column', '5', '--broker-url', 'mqtt://node-1:1883,,mqtt://node-2:1883', '--out', join(dataDir, 'bad-list.yaml')], { from: 'user' });
  t.equal(failed, failedBefore + 1);
  t.match(JSON.parse(errors.pop()!), { error: { code: 'INVALID', field: 'brokerUrl', message: /^brokerUrl: entry 2 of 3 is empty/ } }, 'the wrong entry named');
  t.throws(() => make().parse(['provision', '--bank', 'b', '--controller', 'c', '--column', '1', '--broker-url', 'mqtt://h:1', '--mqtt-version', '4', '--out', out], { from: 'user' }), /--mqtt-version.*expected "3\.1\.1" or "5"/);
});
