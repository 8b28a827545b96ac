// The full controller configuration: the file portier-cloud provision writes, merged with a hardware section, and
// every problem of every section listed at once with its path.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { loadRuntimeConfig, validateRuntimeConfig } from '../../src/runtime/config.ts';

const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const hardware = { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0', doorCount: 16 } };

t.test('the provisioned file (link section as portier-cloud provision writes it) plus hardware', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-rtcfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'controller.yaml');
  // The shape of cloud/src/provision/provision.ts writeControllerConfig: a header comment and `link`.
  writeFileSync(
    file,
    `# Portier controller col-1 (bank bank-1, column 1).\n${stringify({
      link: { brokerUrl: 'mqtt://127.0.0.1:1883', bankId: 'bank-1', controllerId: 'col-1', column: 1, secret: 'x'.repeat(43), cloudPublicKey: pem },
      hardware,
    })}`,
  );
  const r = await loadRuntimeConfig(file);
  if (!r.ok) return t.fail(JSON.stringify(r.problems));
  t.equal(r.config.link?.controllerId, 'col-1');
  t.equal(r.config.link?.dataDir, join(dir, 'portier-data'), 'dataDir defaults next to the config file');
  t.equal(r.config.hardware.doors.maxPulseMs, 1000, 'hardware defaults applied');
  t.equal(r.config.kiosk, undefined);
});

t.test('a key file instead of the inline PEM, relative to the config file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-rtcfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cloud.pem'), pem);
  const r = await validateRuntimeConfig(
    { hardware, link: { brokerUrl: 'mqtts://cloud.example:8883', bankId: 'b', controllerId: 'c', secret: 'y'.repeat(20), cloudPublicKeyFile: 'cloud.pem', dataDir: '/var/lib/portier' } },
    { baseDir: dir },
  );
  t.ok(r.ok);
  if (r.ok) t.equal(r.config.link?.cloudPublicKey, pem);
});

t.test('every problem of every section at once, each with its path', async (t) => {
  const r = await validateRuntimeConfig({
    hardware: { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0', doorCount: 0 }, doors: { pulseMs: 1500, maxPulseMs: 1000 } },
    link: { brokerUrl: 'http://x', bankId: 'bad id!', controllerId: 'c', secret: 'short', cloudPublicKey: 'not a key' },
    kiosk: { enabled: true, audio: 'loud', language: 'de', scanner: { path: '/dev/ttyUSB0' } },
    console: { pinHash: '1234' },
    extra: true,
  });
  t.notOk(r.ok);
  if (r.ok) return;
  const paths = r.problems.map((p) => p.path);
  for (const p of [
    'hardware.bus.doorCount',
    'hardware.doors.pulseMs',
    'link.brokerUrl',
    'link.bankId',
    'link.secret',
    'kiosk.audio',
    'kiosk.language',
    'console.pinHash',
  ]) {
    t.ok(paths.includes(p), `names ${p}`);
  }
  t.ok(paths.some((p) => p === '(root)' || p === 'extra' || p.startsWith('extra')), 'an unknown section is named');
});

t.test('a bad key, a kiosk without a link, a port used twice', async (t) => {
  const r = await validateRuntimeConfig({
    hardware,
    kiosk: { enabled: true, scanner: { path: '/dev/ttyUSB0' } },
  });
  t.notOk(r.ok);
  if (r.ok) return;
  t.match(r.problems, [
    { path: 'kiosk.enabled', message: /needs the link/ },
    { path: 'kiosk.scanner.path', message: /already used by hardware.bus.path/ },
  ]);
  const k = await validateRuntimeConfig({ hardware, link: { brokerUrl: 'mqtt://h:1', bankId: 'b', controllerId: 'c', secret: 'z'.repeat(10), cloudPublicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' } });
  t.notOk(k.ok);
  if (!k.ok) t.match(k.problems, [{ path: 'link.cloudPublicKey', message: /Ed25519/ }]);
});

t.test("the credential key provisioning writes: 32 bytes base64url, optional for a controller provisioned before", async (t) => {
  const link = { brokerUrl: 'mqtt://h:1', bankId: 'b', controllerId: 'c', secret: 'z'.repeat(10), cloudPublicKey: pem };
  const key = Buffer.alloc(32, 5).toString('base64url');
  const ok = await validateRuntimeConfig({ hardware, link: { ...link, credentialKey: key } });
  t.ok(ok.ok && ok.config.link?.credentialKey === key, 'accepted');
  t.ok((await validateRuntimeConfig({ hardware, link })).ok, 'a config written before credential keys still loads');
  const bad = await validateRuntimeConfig({ hardware, link: { ...link, credentialKey: Buffer.alloc(16).toString('base64url') } });
  t.notOk(bad.ok);
  if (!bad.ok) t.match(bad.problems, [{ path: 'link.credentialKey', message: /32 bytes in base64url/ }]);
});

t.test('environment overrides reach every section by the schema: link, hardware records, LOG_LEVEL; a malformed name is a problem', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-rtcfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'controller.yaml');
  const gpio = { bus: { kind: 'gpio', io: { type: 'firmata', path: '/dev/ttyACM0' }, pins: { '1': { lockPin: 2, sensorPin: 3 } } } };
  writeFileSync(
    file,
    stringify({ link: { brokerUrl: 'mqtt://127.0.0.1:1883', bankId: 'bank-1', controllerId: 'col-1', secret: 'x'.repeat(43), cloudPublicKey: pem }, hardware: gpio }),
  );
  const r = await loadRuntimeConfig(file, {
    PORTIER_CONTROLLER__LINK__BROKER_URL: 'mqtts://cloud.example:8883',
    PORTIER_CONTROLLER__HARDWARE__BUS__PINS__1__LOCK_PIN: '7',
    PORTIER_CONTROLLER__LOG__LEVEL: 'debug',
    LOG_LEVEL: 'warn',
  });
  if (!r.ok) return t.fail(JSON.stringify(r.problems));
  t.equal(r.config.link?.brokerUrl, 'mqtts://cloud.example:8883', 'link.brokerUrl from BROKER_URL');
  const bus = r.config.hardware.bus;
  t.equal(bus.kind === 'gpio' ? bus.pins[1]?.lockPin : undefined, 7, 'a door of the pin map, by its key in the file');
  t.equal(r.config.log.level, 'warn', 'LOG_LEVEL sets log.level and wins over the long form');
  const bad = await loadRuntimeConfig(file, { PORTIER_CONTROLLER__LINK____SECRET: 'x' });
  t.match(bad, { ok: false, problems: [{ path: 'PORTIER_CONTROLLER__LINK____SECRET', message: /malformed/ }] });
  const unknown = await loadRuntimeConfig(file, { PORTIER_CONTROLLER__LINK__BROKER: 'x' });
  t.match(unknown, { ok: false, problems: [{ path: /link/ }] }, 'a key the schema does not know is reported by its path');
});

t.test("link.brokerUrl takes a cluster's nodes and link.mqttVersion 3.1.1 or 5; a bad entry or version is refused by its field", async (t) => {
  const link = { bankId: 'b', controllerId: 'c', secret: 'y'.repeat(20), cloudPublicKey: pem };
  const ok = await validateRuntimeConfig({ hardware, link: { ...link, brokerUrl: 'mqtt://node-1:1883, mqtt://node-2:1883,mqtts://node-3' } });
  if (!ok.ok) return t.fail(JSON.stringify(ok.problems));
  t.equal(ok.config.link?.brokerUrl, 'mqtt://node-1:1883, mqtt://node-2:1883,mqtts://node-3', 'the list kept as written');
  t.equal(ok.config.link?.mqttVersion, '3.1.1', 'MQTT 3.1.1 unless told');
  const v5 = await validateRuntimeConfig({ hardware, link: { ...link, brokerUrl: 'mqtt://a:1883', mqttVersion: 5 } });
  t.equal(v5.ok && v5.config.link?.mqttVersion, '5', 'a bare 5 (YAML) is version 5');

  const bad = await validateRuntimeConfig({ hardware, link: { ...link, brokerUrl: 'mqtt://node-1:1883,mqtt://u:pw@node-2:1883', mqttVersion: '4' } });
  t.notOk(bad.ok);
  if (bad.ok) return;
  t.match(bad.problems, [
    { path: 'link.brokerUrl', message: /^entry 2 of 2 \("mqtt:\/\/\*\*\*@node-2:1883"\) must not carry a user name or password/ },
    { path: 'link.mqttVersion', message: /"3\.1\.1".*not "4"/ },
  ]);
  t.notMatch(JSON.stringify(bad.problems), /pw@/, 'the password in the bad URL is not repeated');
  const port = await validateRuntimeConfig({ hardware, link: { ...link, brokerUrl: 'mqtt://node-1:1883,mqtt://node-2:99999' } });
  t.match(port, { ok: false, problems: [{ path: 'link.brokerUrl', message: /entry 2 of 2 .* has port "99999"/ }] });
});
