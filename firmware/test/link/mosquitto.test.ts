// The link against Mosquitto with a password file and an ACL file. Skips with a reason when Mosquitto is not installed.
import t from 'tap';
import mqtt from 'mqtt';
import { topicFor, type PortierEvent } from '@portier/protocol';
import { ControllerLink } from '../../src/link/controller-link.ts';
import { fixture, BANK, CTRL, OTHER, OTHER_SECRET, SECRET } from './helpers/fixture.ts';
import { makeCommand, openDoorBody, waitForEvent } from './helpers/cloud.ts';
import { mosquittoMissing } from './helpers/mosquitto.ts';

const missing = mosquittoMissing();
const opts = missing ? { skip: missing } : {};

t.test('commands: accepted once, replay and forgeries rejected, replay rejected after a restart', opts, async (t) => {
  const f = await fixture(t, { broker: 'mosquitto' });
  let link = await f.startLink();
  await f.cloud.waitFor((r) => r.channel === 'status' && (r.json as { state: string }).state === 'online');
  const c = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  t.equal((await f.cloud.command(c)).status, 'opened');
  const forged = { ...makeCommand(f.key, 'open-door', openDoorBody(1), f.target), body: openDoorBody(2) };
  t.match(await f.cloud.command(forged), { status: 'rejected', reason: 'bad_signature' });
  const other = makeCommand(f.key, 'open-door', openDoorBody(1), { bankId: BANK, controllerId: OTHER });
  await f.cloud.sendCommand(other, f.target);
  t.match(await f.cloud.waitAck(other.id), { status: 'rejected', reason: 'wrong_target' });
  await link.stop();
  link = await f.startLink();
  const again = await f.cloud.commandAgain(c);
  t.match(again.json, { status: 'rejected', reason: 'replayed' });
  t.equal(f.executor.calls.length, 1);
});

t.test('a command sent while the controller is away is delivered by its persistent session', opts, async (t) => {
  const f = await fixture(t, { broker: 'mosquitto' });
  let link = await f.startLink();
  await link.stop();
  const c = makeCommand(f.key, 'open-door', openDoorBody(2), f.target);
  await f.cloud.sendCommand(c);
  link = await f.startLink();
  t.equal((await f.cloud.waitAck(c.id)).status, 'opened');
});

t.test('wrong secret refused; A cannot subscribe to B commands nor publish on B topics', opts, async (t) => {
  const f = await fixture(t, { broker: 'mosquitto' });
  const bad = new ControllerLink({
    brokerUrl: f.broker.url,
    bankId: BANK,
    controllerId: CTRL,
    secret: 'nope',
    cloudPublicKey: f.publicKey,
    dataDir: f.dir,
    executor: f.executor,
    backoff: { minMs: 20, maxMs: 40 },
  });
  await bad.start();
  await waitForEvent(bad as never, 'state', (s: { state: string; attempts: number }) => s.state === 'backoff' && s.attempts >= 1);
  t.match(bad.status().lastError?.message ?? '', /not authorized|bad user|password/i);
  await bad.stop();

  const a = mqtt.connect(f.broker.url, { clientId: CTRL, username: CTRL, password: SECRET, reconnectPeriod: 0 });
  t.teardown(() => a.end(true));
  await waitForEvent(a as never, 'connect');
  const aGot: string[] = [];
  a.on('message', (topic) => aGot.push(topic));
  // Mosquitto may grant the subscription and filter on delivery: what matters is that nothing of B's reaches A.
  await a.subscribeAsync(topicFor(BANK, OTHER, 'cmd'), { qos: 1 });
  const b = mqtt.connect(f.broker.url, { clientId: OTHER, username: OTHER, password: OTHER_SECRET, reconnectPeriod: 0 });
  t.teardown(() => b.end(true));
  await waitForEvent(b as never, 'connect');
  await b.subscribeAsync(topicFor(BANK, OTHER, 'cmd'), { qos: 1 });
  const bGot = waitForEvent(b as never, 'message');
  await f.cloud.sendCommand(makeCommand(f.key, 'open-door', openDoorBody(1), { bankId: BANK, controllerId: OTHER }));
  await bGot;
  // A round trip through the broker after B got it: anything for A would have arrived by now.
  await a.publishAsync(topicFor(BANK, CTRL, 'status'), JSON.stringify({ v: 1, state: 'offline' }), { qos: 1 });
  t.same(aGot, [], "A never receives B's commands");
  // A publishes on B's evt: the cloud never sees it.
  await a.publishAsync(topicFor(BANK, OTHER, 'evt'), JSON.stringify({ v: 1, seq: 1, at: 1, event: { type: 'door-forced', door: 1 } }), { qos: 1 });
  await b.publishAsync(topicFor(BANK, OTHER, 'evt'), JSON.stringify({ v: 1, seq: 7, at: 1, event: { type: 'door-forced', door: 2 } }), { qos: 1 });
  const got = await f.cloud.waitFor((r) => r.channel === 'evt' && r.controllerId === OTHER);
  t.equal((got.json as PortierEvent).seq, 7, "only B's own publish reached the cloud");
  t.equal(f.cloud.of('evt', OTHER).length, 1);
});

t.test('broker restart: events queued meanwhile are delivered after, in order', opts, async (t) => {
  const f = await fixture(t, { broker: 'mosquitto' });
  const link = await f.startLink({ evtackTimeoutMs: 300 });
  await link.publishEvent({ type: 'door-closed', door: 1, openForMs: 1 });
  await f.cloud.waitFor(() => f.cloud.of('evt').length >= 1);
  const down = waitForEvent(link as never, 'state', (s: { state: string }) => s.state === 'backoff');
  await f.broker.stop();
  await down;
  for (let i = 0; i < 5; i++) await link.publishEvent({ type: 'door-closed', door: 2, openForMs: i });
  const up = waitForEvent(link as never, 'state', (s: { state: string }) => s.state === 'online', 8000);
  await f.broker.restart();
  await up;
  await f.cloud.waitFor(() => new Set(f.cloud.of('evt').map((e) => (e.json as PortierEvent).seq)).size >= 6, 8000);
  const seqs = f.cloud.of('evt').map((e) => (e.json as PortierEvent).seq);
  t.same(seqs.filter((s, i) => seqs.indexOf(s) === i), [1, 2, 3, 4, 5, 6]);
});
