// startCloud against an external broker (by URL, with the data folder's service account), and with none reachable.
import { setInterval } from 'node:timers/promises';
import { pino } from 'pino';
import t from 'tap';
import { startBroker } from '../../src/mqtt/broker.ts';
import { IdentityRegistry } from '../../src/mqtt/identities.ts';
import { brokerOption, startCloud } from '../../src/runtime/cloud-runtime.ts';
import { tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';
import { testCloudConfig } from './helpers.ts';
import { freePort } from '../mqtt/helpers/mosquitto.ts';

const config = testCloudConfig;

t.test('brokerOption: embedded by default, external when a URL is set', async (t) => {
  t.same(brokerOption(undefined), { kind: 'embedded', host: '127.0.0.1', port: 1883 });
  t.same(brokerOption({ host: '0.0.0.0', port: 0 }), { kind: 'embedded', host: '0.0.0.0', port: 0 });
  t.same(brokerOption({ url: 'mqtt://broker:1883', username: 'svc', password: 'pw' }), { kind: 'external', url: 'mqtt://broker:1883', username: 'svc', password: 'pw' });
});

t.test('an external broker by URL: the link connects with the data folder\'s service account', async (t) => {
  const dir = await tempDir(t, 'portier-runtime-ext-');
  // The "external" broker reads the same identity file (as Mosquitto reads the generated password file).
  const reg = await IdentityRegistry.open(dir, { hashParams: TEST_HASH });
  const brk = await startBroker({ identities: reg, port: 0 });
  t.teardown(() => brk.close());
  const rt = await startCloud({ config: config(dir), logger: pino({ level: 'silent' }), broker: { kind: 'external', url: brk.url }, identityHashParams: TEST_HASH, codeHashN: 1024 });
  t.teardown(() => rt.stop());
  t.equal(rt.mqttUrl, brk.url);
  t.ok(rt.link.isConnected, 'the link is up');
  await rt.stop();
  t.notOk(rt.link.isConnected);
});

t.test('the nodes of a broker cluster by URL: the link connects past a node that is down', async (t) => {
  const dir = await tempDir(t, 'portier-runtime-ext-');
  const reg = await IdentityRegistry.open(dir, { hashParams: TEST_HASH });
  const brk = await startBroker({ identities: reg, port: 0 });
  t.teardown(() => brk.close());
  const down = `mqtt://127.0.0.1:${await freePort()}`;
  const rt = await startCloud({ config: config(dir), logger: pino({ level: 'silent' }), broker: { kind: 'external', url: `${down},${brk.url}` }, identityHashParams: TEST_HASH, codeHashN: 1024 });
  t.teardown(() => rt.stop());
  t.ok(rt.link.isConnected, 'the link is up, on the second node');
});

t.test('no broker reachable: the cloud still starts (the link keeps trying) and stops cleanly', async (t) => {
  const dir = await tempDir(t, 'portier-runtime-ext-');
  // A port nobody listens on.
  const port = await freePort();
  const rt = await startCloud({
    config: config(dir),
    logger: pino({ level: 'silent' }),
    broker: { kind: 'external', url: `mqtt://127.0.0.1:${port}`, mqtt: { reconnectPeriod: 100 } },
    identityHashParams: TEST_HASH,
    codeHashN: 1024,
    brokerWaitMs: 200,
  });
  t.teardown(() => rt.stop());
  t.notOk(rt.link.isConnected);
  const health = await fetch(`${rt.httpUrl}/api/v1/health`);
  t.equal(health.status, 200, 'the API answers meanwhile');
  // A provisioned controller and a bank: its desired state waits for the broker; stopping must not wait forever.
  const a = { role: 'admin' as const };
  await rt.service.createEnterprise({ id: 'e', name: 'E' }, a);
  await rt.service.createDivision({ id: 'd', enterpriseId: 'e', name: 'D' }, a);
  await rt.service.createLocation({ id: 'l', divisionId: 'd', name: 'L' }, a);
  await rt.service.createBank({ id: 'b', locationId: 'l', name: 'B' }, a);
  await rt.service.createColumn({ id: 'c', bankId: 'b', position: 1, kind: 'kiosk', controllerId: 'ctl' }, a);
  await rt.identities.createController({ controllerId: 'ctl', bankId: 'b', column: 1 });
  const builds = rt.publisher.buildCount;
  rt.publisher.markAll();
  // The rebuild runs and its publish waits for the broker (a bounded poll of the publisher's build count).
  for await (const _ of setInterval(5, undefined, { signal: AbortSignal.timeout(5000) })) if (rt.publisher.buildCount > builds) break;
  const stopped = await Promise.race([
    rt.stop().then(() => 'stopped' as const),
    new Promise<'still stopping'>((r) => setTimeout(() => r('still stopping'), 10_000).unref()),
  ]);
  t.equal(stopped, 'stopped', 'the stop does not wait for the absent broker');
});
