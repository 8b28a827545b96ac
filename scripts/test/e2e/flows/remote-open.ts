// End to end: remote open through the HTTP API reaches a real controller on the simulator over the broker (embedded,
// Mosquitto or a NATS cluster) and reports what the door did; forged commands are rejected and the door stays shut;
// the broker's access rules hold for controllers and strangers. Every message of the run is checked against the
// published JSON Schemas.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { signMessage, topicFor } from '@portier/protocol';
import { loadOrCreateCommandKey } from '@portier/cloud';
import type { E2eBrokerMode } from '../broker.ts';
import { Recorder, acrossBrokerMs, api, connect, e2eBroker, expectCondition, login, seedAndProvision, serviceAccount, startBank, startE2eCloud, tempDir } from '../helpers.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

t.test('remote open: opened / already_open / jammed, forged commands rejected, topic access enforced', async (t) => {
  const dir = tempDir(t, 'portier-e2e-open-');
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud') });
  const rec = await Recorder.start(t, cloud);
  const p = await seedAndProvision(cloud, dir);
  // A stolen identity fights the real controller for its session (one session per identity): the controllers wait
  // long enough before reconnecting that each check of step 5 can stand on one connection.
  const bank = await startBank(t, cloud, p, { dataDir: join(dir, 'controllers'), reconnectMinMs: 400 });
  const bankId = p.seeded.bankId;
  const col2 = bank.column(2);
  const token = await login(cloud);
  const open = (locker: number, reason: string) => api(cloud, 'POST', `/banks/${bankId}/lockers/${locker}/open`, token, { reason });

  // Column 2 holds lockers 6..12 on its doors 1..7.
  // 1. opened: the virtual door opens, only that one.
  const r1 = await open(7, 'parcel stuck behind the door');
  t.match(r1, { status: 200, json: { outcome: 'opened' } });
  t.ok(col2.door(2).open, 'column 2 door 2 (locker 7) is open');
  t.notOk(bank.column(1).door(2).open, 'the same door number of the other column stays shut');
  const openedCmd = await rec.waitFor((m) => m.channel === 'cmd' && m.json['id'] === r1.json.commandId);
  col2.door(2).close();

  // 2. already_open: a door somebody left open.
  col2.door(3).force();
  await col2.expectEvent((e) => e.body.type === 'door-forced');
  const r2 = await open(8, 'check the door');
  t.match(r2, { status: 200, json: { outcome: 'already_open' } });
  col2.door(3).close();

  // 3. jammed: the lock is pulsed but the door never opens.
  col2.door(4).setBehaviour({ jammed: true });
  const r3 = await open(9, 'jam test');
  t.match(r3, { status: 200, json: { outcome: 'jammed' } });
  t.notOk(col2.door(4).open, 'the jammed door stayed shut');
  t.ok(col2.door(4).energised.length > 0, 'its lock was pulsed');

  // The audit log has each remote open with its reason.
  const audit = await cloud.service.queryActivity({ type: 'remote-open' });
  const details = audit.map((a) => a.detail ?? '');
  for (const [r, reason, outcome] of [
    [r1, 'parcel stuck behind the door', 'opened'],
    [r2, 'check the door', 'already_open'],
    [r3, 'jam test', 'jammed'],
  ] as const) {
    const id = r.json.commandId as string;
    t.ok(details.some((d) => d.includes(id) && d.includes(reason)), `audit: ${id} requested with its reason`);
    t.ok(details.some((d) => d.includes(id) && d.includes(outcome)), `audit: ${id} ${outcome}`);
  }
  const ev = await api(cloud, 'GET', `/activity?type=remote-open`, token);
  t.equal(ev.status, 200, 'the activity API answers');
  t.ok(JSON.stringify(ev.json).includes('parcel stuck behind the door'), 'the reason is in the activity API');

  // 4. Forged commands, published by a service account on column 2's cmd topic: each rejected with its reason,
  // door 1 (locker 6) never energised.
  const spy = await connect(cloud.mqttUrl, { clientId: 'e2e-forger', ...(await serviceAccount(cloud, 'e2e-forger')) });
  t.teardown(() => spy.endAsync(true));
  const cloudKey = (await loadOrCreateCommandKey(cloud.dataDir)).privateKey;
  const wrongKey = generateKeyPairSync('ed25519').privateKey;
  const cmdTopic = topicFor(bankId, col2.controllerId, 'cmd');
  const base = (over: Record<string, unknown> = {}): Record<string, unknown> => {
    const issuedAt = Date.now();
    return {
      v: 1,
      id: `forged-${randomBytes(4).toString('hex')}`,
      type: 'open-door',
      bankId,
      controllerId: col2.controllerId,
      issuedAt,
      expiresAt: issuedAt + 30_000,
      body: { door: 1, reason: 'forged', actor: { role: 'admin', id: 'mallory' } },
      ...over,
    };
  };
  const sign = (m: Record<string, unknown>, key = cloudKey): Record<string, unknown> => signMessage(m as never, key) as unknown as Record<string, unknown>;
  const forged: Array<{ what: string; msg: Record<string, unknown>; reason: string }> = [
    { what: 'signed with a wrong key', msg: sign(base(), wrongKey), reason: 'bad_signature' },
    { what: 'unsigned', msg: base(), reason: 'bad_signature' },
    { what: 'replayed (the cloud\'s own command sent again)', msg: openedCmd.json, reason: 'replayed' },
    { what: 'expired', msg: sign(base({ issuedAt: Date.now() - 120_000, expiresAt: Date.now() - 60_000 })), reason: 'expired' },
    { what: 'for another controller', msg: sign(base({ controllerId: bank.column(1).controllerId })), reason: 'wrong_target' },
  ];
  // A re-signed copy of a real command (the body changed, the signature recomputed with a wrong key).
  forged.push({ what: 're-signed with a wrong key', msg: sign({ ...base(), id: `resigned-${randomBytes(3).toString('hex')}` }, wrongKey), reason: 'bad_signature' });
  for (const f of forged) {
    const from = rec.received.length;
    const text = JSON.stringify(f.msg);
    if (f.what === 'unsigned') rec.ignore.add(text); // not a valid cmd by the schema: on purpose
    await spy.publishAsync(cmdTopic, text, { qos: 1 });
    const ack = await rec.waitFor((m) => m.channel === 'ack' && m.controllerId === col2.controllerId && m.json['commandId'] === f.msg['id'], acrossBrokerMs(5000), from);
    t.match(ack.json, { status: 'rejected', reason: f.reason }, `${f.what}: rejected ${f.reason}`);
  }
  t.notOk(col2.door(1).open, 'door 1 stayed shut');
  t.equal(col2.door(1).energised.length, 0, 'door 1 was never energised');

  // 5. Controller A (column 1's provisioned credentials, with its own client id) on B's (column 2's) topics. The
  // embedded broker and Mosquitto keep one session per identity, the newer connection winning: this connection takes
  // A's over, and the real controller A, reconnecting within tens of milliseconds here, takes it back (NATS does not
  // bind a client id to its user: there both connections stand). Each check runs on a connection that stood through it.
  const aId = bank.column(1).controllerId;
  // Bounded by time, not by a count of tries: on a busy machine the real controller wins the race more often.
  const asA = async <T>(fn: (a: MqttClient) => Promise<T>): Promise<T> => {
    const until = Date.now() + 60_000;
    for (let attempt = 1; ; attempt++) {
      const a = await connect(cloud.mqttUrl, { clientId: 'e2e-spy-a', username: aId, password: p.secrets.get(aId)!, clean: true }).catch(() => undefined);
      if (a) {
        const kicked = new Promise<'kicked'>((r) => a.once('close', () => r('kicked')));
        const r = await Promise.race([fn(a), kicked]);
        await a.endAsync(true);
        if (r !== 'kicked') return r;
      }
      if (Date.now() > until) throw new Error(`A's session was taken back ${attempt} times in a row within 60 s`);
    }
  };
  // MQTT.js rejects a subscription the broker refused (suback 128) with the suback packet.
  const grantedQos = (a: MqttClient, filter: string): Promise<number | undefined> =>
    a.subscribeAsync(filter, { qos: 1 }).then(
      (g) => g[0]?.qos,
      (err: { packet?: { granted?: Array<number | { qos: number }> } }) => {
        const g = err.packet?.granted?.[0];
        return typeof g === 'number' ? g : g?.qos;
      },
    );
  /**
   * What A gets of B's commands through `filter`: the embedded broker and NATS refuse the subscription (suback 128);
   * Mosquitto 2.0 grants it and checks its ACL at each delivery. Granted, a forged command published on B's cmd topic
   * then (rejected by B) must not reach A: A's own subscription answered after it shows A would have had it by then
   * (Mosquitto sends a client's packets in order).
   */
  const commandsOfBVia = async (a: MqttClient, filter: string): Promise<'refused' | 'withheld' | 'delivered'> => {
    if ((await grantedQos(a, filter)) === 128) return 'refused';
    const bCmd = topicFor(bankId, col2.controllerId, 'cmd');
    let delivered = false;
    a.on('message', (topic) => (delivered ||= topic === bCmd));
    const probe = sign(base(), wrongKey);
    await spy.publishAsync(bCmd, JSON.stringify(probe), { qos: 1 });
    await grantedQos(a, topicFor(bankId, aId, 'cmd'));
    return delivered ? 'delivered' : 'withheld';
  };
  const withholding: Record<E2eBrokerMode, 'refused' | 'withheld'> = { embedded: 'refused', mosquitto: 'withheld', nats: 'refused' };
  const expected = withholding[e2eBroker()];
  t.equal(await asA((a) => commandsOfBVia(a, topicFor(bankId, col2.controllerId, 'cmd'))), expected, `A may not read B's commands (${expected})`);
  t.equal(await asA((a) => commandsOfBVia(a, 'portier/v1/#')), expected, `A may not read them with a wildcard (${expected})`);
  t.equal(await asA((a) => grantedQos(a, topicFor(bankId, aId, 'cmd'))), 1, 'A may subscribe to its own commands');
  const fromA = rec.received.length;
  const fakeEvt = JSON.stringify({ v: 1, seq: 999, at: Date.now(), event: { type: 'door-forced', door: 1 } });
  await asA((a) => a.publishAsync(topicFor(bankId, col2.controllerId, 'evt'), fakeEvt, { qos: 0 }).catch(() => undefined));
  await asA((a) => a.publishAsync(topicFor(bankId, col2.controllerId, 'ack'), JSON.stringify({ v: 1, commandId: 'x1', status: 'opened', at: Date.now() }), { qos: 0 }).catch(() => undefined));
  await rec.barrier();
  t.notOk(
    rec.received.slice(fromA).some((m) => m.controllerId === col2.controllerId && (m.channel === 'evt' || m.channel === 'ack')),
    'nothing A published on B\'s topics reached anyone',
  );
  t.notOk((await cloud.journal.read(col2.controllerId)).some((e) => e.seq === 999), 'the cloud stored nothing from A as B');
  await expectCondition(() => bank.column(1).controller.linkStatus()?.state === 'online', acrossBrokerMs(5000), 'controller A back online');

  // 6. Anonymous and wrong-secret connections are refused.
  await t.rejects(connect(cloud.mqttUrl, { clientId: 'e2e-anon' }), 'anonymous refused');
  await t.rejects(connect(cloud.mqttUrl, { clientId: 'e2e-wrong', username: col2.controllerId, password: 'not-the-secret' }), 'wrong secret refused');
  await t.rejects(connect(cloud.mqttUrl, { clientId: 'e2e-wrong2', username: 'e2e-recorder', password: 'not-the-secret' }), 'wrong service secret refused');

  // The controllers stayed online through all this, and every message of the run matched the published schemas.
  for (const c of bank.columns) t.equal(c.controller.linkStatus()?.state, 'online', `${c.controllerId} still online`);
  await expectCondition(() => rec.count('status') > 0 && rec.count('desired') > 0 && rec.count('evt') > 0 && rec.count('evtack') > 0 && rec.count('reported') > 0, acrossBrokerMs(3000), 'every channel seen');
  rec.expectSchemasMatched(t);
});
