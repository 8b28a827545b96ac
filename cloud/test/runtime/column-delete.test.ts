// Deleting a column through the API of the whole cloud: its controller's live connection is cut and it cannot connect
// again (real embedded broker, real MQTT clients), and no retained desired state is left for it on the broker, not
// even after the cloud restarts (the link republishes what it last signed on every connect).
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { topicFor } from '@portier/protocol';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import t from 'tap';
import { ensureServiceAccount } from '../../src/provision/provision.ts';
import type { RetiredColumn } from '../../src/provision/retire-column.ts';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { client, closed, nextMessage, refusal, tempDir, TEST_HASH, type Teardownable } from '../mqtt/helpers/env.ts';
import { seedBank, testCloudConfig } from './helpers.ts';

const BANK = 'bank-1';
const ADMIN = { user: 'root', password: 'correct horse battery' };
const WAIT = { signal: () => AbortSignal.timeout(20_000) };

async function start(t: Teardownable, dir: string, retired: EventEmitter<{ retired: [RetiredColumn] }>): Promise<CloudRuntime> {
  const rt = await startCloud({
    config: { ...testCloudConfig(dir), admin: ADMIN },
    logger: pino({ level: 'silent' }),
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    desired: { debounceMs: 10, refreshMs: 0 },
    onColumnRetired: (r) => retired.emit('retired', r),
  });
  t.teardown(() => rt.stop());
  return rt;
}

/**
 * The retained desired message of `controllerId` a fresh subscriber gets, or undefined when there is none. A second
 * subscription on the same connection, to a topic that holds one (`witness`), is answered after the first one's
 * retained message, in order: once the witness's arrives, the first had nothing.
 */
async function retainedDesired(c: MqttClient, controllerId: string, witness: string): Promise<Buffer | undefined> {
  const seen: Array<{ topic: string; payload: Buffer }> = [];
  const onMessage = (topic: string, payload: Buffer): void => void seen.push({ topic, payload });
  c.on('message', onMessage);
  try {
    const witnessed = nextMessage(c, (topic) => topic === topicFor(BANK, witness, 'desired'));
    await c.subscribeAsync(topicFor(BANK, controllerId, 'desired'), { qos: 1 });
    await c.subscribeAsync(topicFor(BANK, witness, 'desired'), { qos: 1 });
    await witnessed;
    return seen.find((m) => m.topic === topicFor(BANK, controllerId, 'desired') && m.payload.length > 0)?.payload;
  } finally {
    c.off('message', onMessage);
    await c.unsubscribeAsync([topicFor(BANK, controllerId, 'desired'), topicFor(BANK, witness, 'desired')]);
  }
}

t.test("deleting a column revokes its controller and clears its retained desired state", async (t) => {
  const dir = await tempDir(t, 'portier-column-delete-');
  const retired = new EventEmitter<{ retired: [RetiredColumn] }>();
  const rt = await start(t, dir, retired);
  await seedBank(rt.service, BANK, [
    { id: 'col-1', kind: 'kiosk', controllerId: 'ctl-1' },
    { id: 'col-2', kind: 'plain', controllerId: 'ctl-2' },
  ]);
  const one = await rt.identities.createController({ controllerId: 'ctl-1', bankId: BANK, column: 1 });
  const two = await rt.identities.createController({ controllerId: 'ctl-2', bankId: BANK, column: 2 });
  const c1 = await client(t, rt.mqttUrl, { clientId: 'ctl-1', username: 'ctl-1', password: one.secret });
  const c2 = await client(t, rt.mqttUrl, { clientId: 'ctl-2', username: 'ctl-2', password: two.secret });
  rt.publisher.markAll();
  await rt.publisher.flush();
  // Another service account watches the broker as a fresh subscriber would.
  const watcher = await ensureServiceAccount({ dataDir: dir, identities: rt.identities, username: 'watcher' });
  const w = await client(t, rt.mqttUrl, { clientId: 'watcher', username: watcher.username, password: watcher.password });
  t.ok(await retainedDesired(w, 'ctl-2', 'ctl-1'), 'before: the column has its retained desired state');

  const login = await fetch(`${rt.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.user, password: ADMIN.password }),
  });
  const { token } = (await login.json()) as { token: string };
  const done = once(retired, 'retired', { signal: WAIT.signal() });
  const del = await fetch(`${rt.httpUrl}/api/v1/columns/col-2`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  t.equal(del.status, 200, await del.clone().text());
  t.same(await done, [{ columnId: 'col-2', bankId: BANK, revoked: ['ctl-2'] }]);

  t.ok(await closed(c2), "the deleted column's controller is disconnected");
  t.equal(await refusal(rt.mqttUrl, { clientId: 'ctl-2', username: 'ctl-2', password: two.secret }), 4, 'and cannot connect again (bad user name or password)');
  t.ok(c1.connected, 'the other column stays connected');
  t.equal(await retainedDesired(w, 'ctl-2', 'ctl-1'), undefined, 'a fresh subscriber gets no retained desired state of it');
  t.notOk(existsSync(join(dir, 'sync', 'desired', 'ctl-2.json')), 'the link forgot its last desired state');

  // A restart: the link publishes again every desired state it holds, and none of the deleted column's.
  await rt.stop();
  const again = await start(t, dir, retired);
  const w2 = await client(t, again.mqttUrl, { clientId: 'watcher', username: watcher.username, password: watcher.password });
  t.equal(await retainedDesired(w2, 'ctl-2', 'ctl-1'), undefined, 'after a restart too');
  t.equal(await refusal(again.mqttUrl, { clientId: 'ctl-2', username: 'ctl-2', password: two.secret }), 4, 'the revocation lasts');
});
