// A revoked controller, attacked from outside with its stolen credential, against the whole cloud: on the embedded
// broker `portier-cloud revoke` (another process) cuts its live connection at once; on Mosquitto run with the
// generated files, the cloud ignores what it sends once the revoke is on disk, and the reload cuts it off.
import { join } from 'node:path';
import { on } from 'node:events';
import { topicFor } from '@portier/protocol';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import t from 'tap';
import { ensureServiceAccount } from '../../src/provision/provision.ts';
import { IdentityRegistry } from '../../src/mqtt/identities.ts';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import type { DroppedMessage } from '../../src/sync/cloud-link.ts';
import type { StoredEvent } from '../../src/sync/event-journal.ts';
import { client, closed, portierCloud, refusal, tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';
import { mosquittoMissing, startMosquitto } from '../mqtt/helpers/mosquitto.ts';
import { testCloudConfig } from './helpers.ts';

const BANK = 'bank-1';

const config = testCloudConfig;

const evt = (seq: number): string => JSON.stringify({ v: 1, seq, at: Date.now(), event: { type: 'door-forced', door: 1 } });

/** The next cloud-link event of `name` matching `pred`, within `ms`. */
async function next<T>(rt: CloudRuntime, name: 'event-stored' | 'dropped', pred: (x: T) => boolean, ms = 5000): Promise<T> {
  // Listening from the call on (before the caller publishes), bounded by the signal.
  for await (const [x] of on(rt.link, name, { signal: AbortSignal.timeout(ms) })) if (pred(x as T)) return x as T;
  throw new Error(`no ${name}`);
}

/** Publishes evt `seq` from `c` and resolves once the cloud stored it. */
async function publishEvt(rt: CloudRuntime, c: MqttClient, seq: number): Promise<StoredEvent> {
  const stored = next<StoredEvent>(rt, 'event-stored', (e) => e.controllerId === 'ctl' && e.seq === seq);
  await c.publishAsync(topicFor(BANK, 'ctl', 'evt'), evt(seq), { qos: 1 });
  return stored;
}

t.test('embedded broker: `portier-cloud revoke` in another process cuts the live connection at once', async (t) => {
  const dataDir = await tempDir(t, 'portier-revoke-');
  const rt = await startCloud({ config: config(dataDir), logger: pino({ level: 'silent' }), broker: { kind: 'embedded', port: 0 }, identityHashParams: TEST_HASH, codeHashN: 1024 });
  t.teardown(() => rt.stop());
  const { secret } = await rt.identities.createController({ controllerId: 'ctl', bankId: BANK, column: 1 });
  const other = await rt.identities.createController({ controllerId: 'ctl-2', bankId: BANK, column: 2 });
  const c = await client(t, rt.mqttUrl, { clientId: 'ctl', username: 'ctl', password: secret, clean: false });
  const c2 = await client(t, rt.mqttUrl, { clientId: 'ctl-2', username: 'ctl-2', password: other.secret });
  await publishEvt(rt, c, 1);

  const r = await portierCloud(['revoke', '--controller', 'ctl', '--data-dir', dataDir]);
  t.equal(r.code, 0, r.stderr);
  t.ok(await closed(c), "the revoked controller's connection is cut, with no other client connecting");
  t.equal(await refusal(rt.mqttUrl, { clientId: 'ctl', username: 'ctl', password: secret }), 4, 'and it cannot come back');
  t.ok(c2.connected && rt.link.isConnected, 'the other controller and the cloud stay connected');
  t.same((await rt.journal.read('ctl')).map((e) => e.seq), [1], 'what it sent before the revoke is kept');
});

t.test('Mosquitto with the generated files: the cloud ignores a revoked controller until the reload cuts it off', { skip: mosquittoMissing }, async (t) => {
  const dataDir = await tempDir(t, 'portier-revoke-');
  const reg = await IdentityRegistry.open(dataDir, { hashParams: TEST_HASH });
  // The cloud's own account is in the files before Mosquitto starts (as `mosquitto-files` does).
  await ensureServiceAccount({ dataDir, identities: reg });
  const { secret } = await reg.createController({ controllerId: 'ctl', bankId: BANK, column: 1 });
  const dir = join(dataDir, 'mosquitto');
  const mosq = await startMosquitto(t, reg, dir, { pidFile: join(dir, 'mosquitto.pid') });
  const rt = await startCloud({ config: config(dataDir), logger: pino({ level: 'silent' }), broker: { kind: 'external', url: mosq.url }, identityHashParams: TEST_HASH, codeHashN: 1024 });
  t.teardown(() => rt.stop());
  t.ok(rt.link.isConnected, "the cloud's own client connects (its client id is its user name)");

  // The legitimate path: the controller's events reach the cloud.
  const c = await client(t, mosq.url, { clientId: 'ctl', username: 'ctl', password: secret, clean: false });
  await publishEvt(rt, c, 1);

  // Revoked in the registry, Mosquitto not reloaded yet: the connection (and its ACL) still stand there.
  const r = await portierCloud(['revoke', '--controller', 'ctl', '--data-dir', dataDir]);
  t.equal(r.code, 0, r.stderr);
  const dropped = next<DroppedMessage>(rt, 'dropped', (d) => d.controllerId === 'ctl' && d.channel === 'evt');
  await c.publishAsync(topicFor(BANK, 'ctl', 'evt'), evt(2), { qos: 1 });
  t.match(await dropped, { code: 'UNKNOWN_CONTROLLER', message: 'revoked controller' }, 'an event sent after the revoke is dropped');
  const droppedAck = next<DroppedMessage>(rt, 'dropped', (d) => d.controllerId === 'ctl' && d.channel === 'ack');
  await c.publishAsync(topicFor(BANK, 'ctl', 'ack'), JSON.stringify({ v: 1, commandId: 'x1', status: 'opened', at: Date.now() }), { qos: 1 });
  await droppedAck;
  t.same((await rt.journal.read('ctl')).map((e) => e.seq), [1], 'nothing after the revoke was stored');

  // The reload with the regenerated files cuts the connection.
  const again = await portierCloud(['revoke', '--controller', 'ctl', '--data-dir', dataDir, '--mosquitto-dir', dir]);
  t.equal(again.code, 0, again.stderr);
  t.ok(await closed(c), 'the reload disconnects it');
  t.ok(rt.link.isConnected, 'the cloud stays connected');
});
