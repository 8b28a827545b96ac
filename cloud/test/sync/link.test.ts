import { desiredStateHash, parsePayload, topicFor, verifyMessage, type Channel, type Reported } from '@portier/protocol';
import t from 'tap';
import { sampleDesiredState } from '../../../protocol/test/fixtures/samples.ts';
import type { DroppedMessage } from '../../src/sync/cloud-link.ts';
import { client, nextMessage } from '../mqtt/helpers/env.ts';
import { controller, once, schemaErrors, world } from './helpers/world.ts';

const T0 = 1_790_000_000_000;

function reported(version: number | null, hash: string | null): Reported {
  return {
    v: 1,
    at: T0,
    desiredVersion: version,
    desiredHash: hash,
    doors: [
      { door: 1, state: 'closed', itemPresent: true, service: 'in-service' },
      { door: 2, state: 'open', itemPresent: false, service: 'in-service' },
    ],
    bus: { state: 'ok', consecutiveFailures: 0 },
    firmware: '0.1.0',
    bootId: 'boot-1',
    uptimeS: 5,
    outboxDepth: 0,
    clockOffsetMs: 0,
  };
}

t.test('malformed payloads on every channel the cloud receives are logged and dropped, never a crash', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a');
  const dropped: DroppedMessage[] = [];
  w.link.on('dropped', (d) => dropped.push(d));
  const bad: Array<[string, Buffer]> = [];
  for (const ch of ['ack', 'evt', 'reported', 'status'] as Channel[]) {
    bad.push(
      [ch, Buffer.from('not json')],
      [ch, Buffer.from([0xff, 0xfe, 0x00])],
      [ch, Buffer.from('{"v":2}')],
      [ch, Buffer.from('[]')],
      [ch, Buffer.from('null')],
      [ch, Buffer.from(JSON.stringify({ v: 1, seq: 1, at: 1, event: { type: 'door-closed', door: 1, openForMs: 1 }, extra: true }))],
      [ch, Buffer.alloc(70 * 1024, 0x20)],
    );
  }
  for (const [ch, payload] of bad) await a.publishAsync(a.topic(ch as Channel), payload, { qos: 1 });

  // Someone with broker rights publishing for controllers that are unknown, revoked, or under another bank.
  const intruder = await client(t, w.brk.url, { clientId: 'intruder', username: 'intruder', password: w.secrets['intruder']! });
  const good = JSON.stringify({ v: 1, seq: 1, at: T0, event: { type: 'door-forced', door: 1 } });
  for (const topic of [topicFor('bank-1', 'ghost', 'evt'), topicFor('bank-1', 'col-r', 'evt'), topicFor('bank-2', 'col-a', 'evt'), topicFor('bank-1', 'col-x', 'evt')]) {
    await intruder.publishAsync(topic, good, { qos: 1 });
  }
  // The link still works: a good event after all that is stored.
  const stored = once<{ seq: number }>(w.link, 'event-stored');
  await a.publishAsync(a.topic('evt'), good, { qos: 1 });
  t.equal((await stored).seq, 1);
  t.equal(dropped.length, bad.length + 4, 'every bad message dropped');
  t.same(
    [...new Set(dropped.map((d) => d.code))].sort(),
    ['INVALID', 'NOT_JSON', 'NOT_UTF8', 'TOO_LARGE', 'UNKNOWN_CONTROLLER'],
    'with a reason code',
  );
  t.same((await w.journal.read()).map((e) => `${e.controllerId}:${e.seq}`), ['col-a:1'], 'nothing else stored');
  t.equal(w.link.controller('col-a')?.reported, null, 'no bad reported state kept');
});

t.test('desired state: signed, retained, version + 1 on every change, drift visible', async (t) => {
  const w = await world(t);
  const state = sampleDesiredState();
  const d1 = await w.link.publishDesired('bank-1', 'col-a', state);
  t.equal(d1.version, 1);
  t.ok(verifyMessage(d1, w.publicKey), 'signed by the cloud key');
  t.equal(schemaErrors('desired', d1), null, 'valid by the published JSON Schema');
  const same = await w.link.publishDesired('bank-1', 'col-a', structuredClone(state));
  t.equal(same.version, 1, 'an unchanged state keeps its version');
  const changed = { ...state, doors: state.doors.map((d) => ({ ...d, service: 'in-service' as const })) };
  const d2 = await w.link.publishDesired('bank-1', 'col-a', changed);
  t.equal(d2.version, 2, 'a change is version + 1');

  // A controller connecting later gets the latest one, retained.
  const a = await controller(t, w, 'col-a', 'bank-1', { subscribe: false });
  const got = nextMessage(a, (topic) => topic === a.topic('desired'));
  await a.subscribeAsync(a.topic('desired'), { qos: 1 });
  const m = await got;
  t.ok(m.retain, 'retained');
  const parsed = parsePayload('desired', m.payload);
  t.ok(parsed.ok && parsed.value.version === 2, 'latest version delivered');

  // Drift: reported version/hash vs what was sent.
  let r = once<{ drift: boolean }>(w.link, 'reported');
  await a.publishAsync(a.topic('reported'), JSON.stringify(reported(1, desiredStateHash(state))), { qos: 1, retain: true });
  t.equal((await r).drift, true, 'an older applied version is drift');
  r = once<{ drift: boolean }>(w.link, 'reported');
  await a.publishAsync(a.topic('reported'), JSON.stringify(reported(2, 'f'.repeat(64))), { qos: 1, retain: true });
  t.equal((await r).drift, true, 'the right version with another hash is drift');
  r = once<{ drift: boolean }>(w.link, 'reported');
  await a.publishAsync(a.topic('reported'), JSON.stringify(reported(2, desiredStateHash(changed))), { qos: 1, retain: true });
  t.equal((await r).drift, false, 'in sync');
  t.same(w.link.controller('col-a')?.desiredSent, { version: 2, hash: desiredStateHash(changed) });

  // Versions survive a restart of the cloud: the next change is version 3, and the retained one is republished.
  await w.restartLink();
  const d3 = await w.link.publishDesired('bank-1', 'col-a', state);
  t.equal(d3.version, 3);
  await t.rejects(w.link.publishDesired('bank-1', 'col-r', state), { code: 'UNKNOWN_CONTROLLER' }, 'not for a revoked controller');
  await t.rejects(w.link.publishDesired('bank-2', 'col-a', state), { code: 'UNKNOWN_CONTROLLER' }, 'not under another bank');
});

t.test('online state from birth and will; doors are unknown while offline', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a', 'bank-1', { will: true });
  const online = once(w.link, 'controller-online');
  await a.publishAsync(a.topic('status'), JSON.stringify({ v: 1, state: 'online', at: T0, firmware: '0.1.0', bootId: 'boot-1' }), { qos: 1, retain: true });
  await online;
  const rep = once(w.link, 'reported');
  await a.publishAsync(a.topic('reported'), JSON.stringify(reported(null, null)), { qos: 1, retain: true });
  await rep;
  t.equal(schemaErrors('reported', reported(null, null)), null, 'the reported state sent is valid by the published JSON Schema');
  t.equal(schemaErrors('status', { v: 1, state: 'online', at: T0, firmware: '0.1.0', bootId: 'boot-1' }), null);
  const v = w.link.controller('col-a');
  t.equal(v?.online, true);
  t.equal(v?.bootId, 'boot-1');
  t.ok(v?.lastSeen, 'last seen set');
  t.same(w.link.doorStates('col-a').map((d) => d.state), ['closed', 'open'], 'doors as reported while online');
  t.equal(w.link.doorState('col-a', 2), 'open');
  t.equal(w.link.doorState('col-a', 9), 'unknown', 'a door it never reported');

  // The controller vanishes (no DISCONNECT): the broker publishes its will.
  const offline = once<{ reason: string }>(w.link, 'controller-offline');
  (a.stream as unknown as { destroy(): void }).destroy();
  t.equal((await offline).reason, 'will');
  t.equal(w.link.controller('col-a')?.online, false);
  t.same(w.link.doorStates('col-a').map((d) => [d.state, d.itemPresent]), [['unknown', null], ['unknown', null]], 'doors unknown while offline');
  t.equal(w.link.doorState('col-a', 2), 'unknown');

  // A cloud restart learns the states from the retained status/reported.
  await w.restartLink();
  if (!w.link.controller('col-a')?.reported) await once(w.link, 'reported');
  t.equal(w.link.controller('col-a')?.online, false);
  t.equal(w.link.controller('col-a')?.reported?.bootId, 'boot-1', 'retained reported state picked up');
});

t.test("a controller's features from its latest birth; before any birth, those its last desired state used", async (t) => {
  const w = await world(t);
  const branded = { ...sampleDesiredState(), branding: { colours: { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' } } };
  await w.link.publishDesired('bank-1', 'col-a', branded);
  t.same(w.link.featuresOf('col-a'), ['branding'], 'no birth seen (a cloud restarted): what it was last sent with');
  t.same(w.link.featuresOf('col-b'), [], 'nothing sent, no birth: none');

  const a = await controller(t, w, 'col-a');
  const birth = { v: 1, state: 'online', at: T0, firmware: '0.0.9', bootId: 'boot-1' };
  let online = once<{ features: string[] }>(w.link, 'controller-online');
  await a.publishAsync(a.topic('status'), JSON.stringify(birth), { qos: 1, retain: true });
  t.same((await online).features, [], 'a birth of the previous firmware names none');
  t.same(w.link.featuresOf('col-a'), [], 'its birth wins over the state last sent');

  const newer = { ...birth, firmware: '0.2.0', bootId: 'boot-2', features: ['branding', 'kiosk-voice-2'] };
  t.equal(schemaErrors('status', newer), null, 'valid by the published JSON Schema, an unknown name too');
  online = once<{ features: string[] }>(w.link, 'controller-online');
  await a.publishAsync(a.topic('status'), JSON.stringify(newer), { qos: 1, retain: true });
  t.same((await online).features, ['branding'], 'the names this release knows');
  t.same(w.link.featuresOf('col-a'), ['branding']);
});
