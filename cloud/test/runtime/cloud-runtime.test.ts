// The whole cloud from startCloud: temp data folder, HTTP and embedded broker on port 0, fake controllers as plain
// MQTT.js clients with provisioned credentials.
import net from 'node:net';
import { join } from 'node:path';
import {
  hashCredential,
  importPublicKey,
  parsePayload,
  topicFor,
  verifyMessage,
  type Channel,
  type Desired,
} from '@portier/protocol';
import type { MqttClient } from 'mqtt';
import t from 'tap';
import type { RunningCloud } from '../../src/cli/serve.ts';
import { provision } from '../../src/provision/provision.ts';
import { desiredStateSchema as previousReleaseSchema } from '../fixtures/previous-release/desired-state-schema.ts';
import type { CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { client, nextMessage, type Teardownable } from '../mqtt/helpers/env.ts';
import { seedBank, startTestCloud, seededEnterprise } from './helpers.ts';

const BANK = 'bank-1';
const ADMIN = { user: 'admin', password: 'admin-password-1' };
const actor = { role: 'admin' as const, id: 'seed' };

async function start(t: Teardownable, dataDir?: string): Promise<CloudRuntime & { dir: string }> {
  const rt = await startTestCloud(t, { admin: ADMIN, ...(dataDir ? { dataDir } : {}) });
  // What main.ts keeps of a started cloud: the runtime can stand in for serve.ts's own start-up.
  const asServe: RunningCloud = rt;
  void asServe;
  return rt;
}

/** Bank with column 1 (ctl-1: lockers 1, 2, size S, on doors 1, 2) and column 2 (ctl-2: locker 3, size M). */
async function model(rt: CloudRuntime): Promise<void> {
  const s = rt.service;
  await seedBank(s, BANK, [{ id: 'col1', kind: 'kiosk', controllerId: 'ctl-1' }, { id: 'col2', kind: 'plain', controllerId: 'ctl-2' }], { addToExistingLocker: false });
  const l = (number: number, columnId: string, door: number, size: 'S' | 'M', bottomCm: number, topCm: number) =>
    ({ bankId: BANK, number, columnId, door, size, bottomCm, topCm, loading: 'front' as const });
  await s.createLockers([l(1, 'col1', 1, 'S', 130, 170), l(2, 'col1', 2, 'S', 50, 80), l(3, 'col2', 1, 'M', 46, 80)], actor);
  await s.createContact({ enterpriseId: seededEnterprise(s), id: 'c1', name: 'Rita' }, actor);
}

type FakeController = MqttClient & { topic: (ch: Channel) => string; id: string };

/** Provisions a controller through the running cloud and connects as it, subscribed to its cloud channels. */
async function fakeController(t: Teardownable, rt: CloudRuntime & { dir: string }, controllerId: string, column: number): Promise<FakeController> {
  const p = await provision({
    dataDir: rt.dir,
    bankId: BANK,
    controllerId,
    column,
    brokerUrl: rt.mqttUrl,
    out: join(rt.dir, `${controllerId}.yaml`),
    identities: rt.identities,
  });
  const c = await client(t, rt.mqttUrl, { clientId: controllerId, username: controllerId, password: p.secret, clean: true });
  return Object.assign(c, { id: controllerId, topic: (ch: Channel) => topicFor(BANK, controllerId, ch) });
}

async function birth(c: FakeController): Promise<void> {
  await c.publishAsync(c.topic('status'), JSON.stringify({ v: 1, state: 'online', at: Date.now(), firmware: 'test-1', bootId: `boot-${c.id}` }), { qos: 1, retain: true });
}

function desiredOf(payload: Buffer): Desired {
  const r = parsePayload('desired', payload);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
async function api(rt: CloudRuntime, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${rt.httpUrl}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function login(rt: CloudRuntime): Promise<string> {
  const r = await api(rt, 'POST', '/auth/login', undefined, { username: ADMIN.user, password: ADMIN.password });
  if (r.status !== 200) throw new Error(`login: ${r.status}`);
  return r.json.token as string;
}

function portOpen(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

t.test('startCloud end to end: retained desired state, API reservation -> one new version, remote open, kiosk events', async (t) => {
  const rt = await start(t);
  await model(rt);
  const pub = importPublicKey(rt.commandPublicKeyPem);
  const c1 = await fakeController(t, rt, 'ctl-1', 1);
  const c2 = await fakeController(t, rt, 'ctl-2', 2);

  // Birth -> the cloud builds and publishes each controller's state; the controller subscribes afterwards and gets
  // it as a retained message.
  const published = new Promise<void>((resolve) => {
    const seen = new Set<string>();
    rt.publisher.on('published', (p) => {
      seen.add(p.controllerId);
      if (seen.has('ctl-1') && seen.has('ctl-2')) resolve();
    });
  });
  await birth(c1);
  await birth(c2);
  await published;
  const first1 = nextMessage(c1, (topic) => topic === c1.topic('desired'));
  const first2 = nextMessage(c2, (topic) => topic === c2.topic('desired'));
  await c1.subscribeAsync([c1.topic('desired'), c1.topic('cmd'), c1.topic('evtack')], { qos: 1 });
  await c2.subscribeAsync([c2.topic('desired'), c2.topic('cmd'), c2.topic('evtack')], { qos: 1 });
  const m1 = await first1;
  t.ok(m1.retain, 'desired state delivered as a retained message');
  const d1 = desiredOf(m1.payload);
  t.ok(verifyMessage(d1, pub), 'signed with the cloud command key');
  t.match(d1, { bankId: BANK, controllerId: 'ctl-1' });
  // The kiosk column also sees column 2's locker 3, as alias door 3 (kiosk-bank-view.ts).
  t.same(d1.state.doors.map((d) => [d.door, d.locker, d.accessible, d.remote ?? null]), [[1, 1, false, null], [2, 2, true, null], [3, 3, true, { controllerId: 'ctl-2', door: 1 }]]);
  const d2 = desiredOf((await first2).payload);
  t.same(d2.state.doors.map((d) => [d.door, d.locker, d.column]), [[1, 3, 2]]);

  // A reservation through the API: one new version for ctl-1 (its column holds the S lockers), none for ctl-2.
  const token = await login(rt);
  const versions1: number[] = [];
  c1.on('message', (topic, payload) => {
    if (topic === c1.topic('desired')) versions1.push(desiredOf(payload).version);
  });
  const next1 = nextMessage(c1, (topic) => topic === c1.topic('desired'));
  const res = await api(rt, 'POST', '/reservations', token, { bankId: BANK, kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S', trackingId: 'TRK-9' });
  t.equal(res.status, 201);
  const reservation = res.json.reservation as { id: string; lockerNumber: number };
  const d1b = desiredOf((await next1).payload);
  t.equal(d1b.version, d1.version + 1, 'exactly the next version');
  t.match(d1b.state.reservations, [{ id: reservation.id, status: 'reserved', trackingIds: ['TRK-9'] }]);
  // Whatever the reservation left to publish goes out now; ctl-1's next version (the drop-off's, below) comes after it.
  await rt.publisher.flush();
  t.equal(rt.link.controller('ctl-2')?.desiredSent?.version, d2.version, 'no new version for ctl-2');

  // Drop-off through the API: the state carries the pickup code's hash, never the code.
  const next1c = nextMessage(c1, (topic) => topic === c1.topic('desired'));
  const drop = await api(rt, 'POST', `/reservations/${reservation.id}/drop-off`, token, {});
  t.equal(drop.status, 200);
  const code = drop.json.pickupCode as string;
  const raw = (await next1c).payload;
  t.notOk(raw.toString('utf8').includes(`"${code}"`), 'the clear code is not in the published payload');
  const d1c = desiredOf(raw);
  t.same(versions1, [d1b.version, d1c.version], 'no second version for ctl-1 for the reservation: the drop-off brought the next one');
  t.equal(d1c.version, d1b.version + 1);
  const lockerDoor = d1c.state.doors.find((d) => d.locker === reservation.lockerNumber)!.door;
  t.match(d1c.state.credentials, [{ kind: 'pickup-code', doors: [lockerDoor], reservationIds: [reservation.id] }]);
  t.equal(d1c.state.credentials[0]!.hash, hashCredential('pickup-code', code, d1c.state.credentialHash, rt.credentialKeys.keyOf(c1.id)), "keyed under the controller's credential key");

  // Remote open through the route: the controller gets a signed open-door for the right door and acks `opened`.
  const cmdSeen = nextMessage(c1, (topic) => topic === c1.topic('cmd')).then(async (m) => {
    const cmd = parsePayload('cmd', m.payload);
    if (!cmd.ok) throw new Error(cmd.message);
    await c1.publishAsync(c1.topic('ack'), JSON.stringify({ v: 1, commandId: cmd.value.id, status: 'opened', at: Date.now() }), { qos: 1 });
    return cmd.value;
  });
  const opened = await api(rt, 'POST', `/banks/${BANK}/lockers/${reservation.lockerNumber}/open`, token, { reason: 'courier stuck' });
  const cmd = await cmdSeen;
  t.equal(opened.status, 200);
  t.match(opened.json, { outcome: 'opened', commandId: cmd.id });
  t.match(cmd, { type: 'open-door', bankId: BANK, controllerId: 'ctl-1', body: { door: lockerDoor, reason: 'courier stuck' } });
  t.ok(verifyMessage(cmd, pub), 'the command is signed');
  const audit = await rt.service.queryActivity({ type: 'remote-open' });
  t.match(audit.map((a) => a.detail), [`command ${cmd.id}: requested: courier stuck`, `command ${cmd.id}: opened`]);

  // A controller that never answers: the caller is told `timed_out` (the command has expired), and that is audited.
  const silentCmd = nextMessage(c2, (topic) => topic === c2.topic('cmd'));
  const late = await api(rt, 'POST', `/banks/${BANK}/lockers/3/open`, token, { reason: 'check' });
  t.match(late, { status: 200, json: { outcome: 'timed_out' } });
  const unanswered = parsePayload('cmd', (await silentCmd).payload);
  t.ok(unanswered.ok && unanswered.value.expiresAt <= Date.now(), 'the unanswered command has expired by the time the caller hears');
  t.match((await rt.service.queryActivity({ type: 'remote-open' })).at(-1), { lockerNumber: 3, detail: /timed_out/ });

  // Roles and errors of the route come from the same table and format as the rest of the API.
  t.equal((await api(rt, 'POST', `/banks/${BANK}/lockers/1/open`, undefined, { reason: 'x' })).status, 401);
  t.match(await api(rt, 'POST', `/banks/${BANK}/lockers/77/open`, token, { reason: 'x' }), { status: 404, json: { error: { code: 'LOCKER_NOT_FOUND' } } });
  t.match(await api(rt, 'POST', `/banks/${BANK}/lockers/1/open`, token, { nope: 1 }), { status: 400 });
  t.equal((await api(rt, 'GET', `/banks/${BANK}/lockers`, token)).status, 200, 'the rest of the API is served as before');

  t.equal((await api(rt, 'GET', `/banks/${BANK}/lockers/${reservation.lockerNumber}`, token)).json.status, 'occupied');
  const op = await rt.auth.createUser({ enterpriseId: seededEnterprise(rt.service), username: 'rita', password: 'rita-password-1', role: 'recipient' });
  const ritaToken = (await rt.auth.login(op.username, 'rita-password-1', '127.0.0.1')).token;
  t.match(await api(rt, 'POST', `/banks/${BANK}/lockers/1/open`, ritaToken, { reason: 'x' }), { status: 403, json: { error: { code: 'FORBIDDEN' } } }, 'a recipient may not open remotely');

  // A kiosk pickup event: stored, acked, and the locker is free again.
  const applied = new Promise<void>((resolve) => rt.ingest.on('applied', (a) => a.controllerId === 'ctl-1' && a.seq === 1 && resolve()));
  const evtack = nextMessage(c1, (topic) => topic === c1.topic('evtack'));
  const evt = { type: 'transaction', kind: 'pickup', doors: [lockerDoor], reservationIds: [reservation.id], trackingIds: ['TRK-9'], actor: { role: 'recipient', id: 'c1' }, via: 'pin', offline: false };
  await c1.publishAsync(c1.topic('evt'), JSON.stringify({ v: 1, seq: 1, at: Date.now(), event: evt }), { qos: 1 });
  await evtack;
  await applied;
  const locker = await api(rt, 'GET', `/banks/${BANK}/lockers/${reservation.lockerNumber}`, token);
  t.equal(locker.json.status, 'available', 'the kiosk pickup freed the locker');
  // ...and the controller's state drops the reservation and the code.
  const d1d = desiredOf((await nextMessage(c1, (topic) => topic === c1.topic('desired'))).payload);
  t.same([d1d.state.reservations, d1d.state.credentials], [[], []]);

  // Clean, ordered stop: both ports closed.
  await rt.stop();
  t.notOk(await portOpen(rt.httpUrl), 'HTTP port closed');
  t.notOk(await portOpen(rt.mqttUrl), 'broker port closed');
  await rt.stop();
});

t.test('a restart on the same data folder keeps desired versions and does not apply events twice', async (t) => {
  const rt = await start(t);
  await model(rt);
  const c1 = await fakeController(t, rt, 'ctl-1', 1);
  const published = new Promise<number>((resolve) => rt.publisher.on('published', (p) => p.controllerId === 'ctl-1' && resolve(p.version)));
  await birth(c1);
  const v = await published;
  const { reservation } = await rt.service.reserve({ bankId: BANK, kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S' }, actor);
  await rt.service.dropOff({ reservationId: reservation.id }, actor);
  const applied = new Promise<void>((resolve) => rt.ingest.on('applied', (a) => a.seq === 1 && resolve()));
  const evt = { type: 'transaction', kind: 'pickup', doors: [2], reservationIds: [reservation.id], trackingIds: [], actor: { role: 'recipient', id: 'c1' }, via: 'pin', offline: true };
  await c1.publishAsync(c1.topic('evt'), JSON.stringify({ v: 1, seq: 1, at: Date.now(), event: evt }), { qos: 1 });
  await applied;
  await rt.publisher.flush();
  const before = rt.link.controller('ctl-1')?.desiredSent?.version ?? 0;
  // Reserve, drop-off and pickup may coalesce into one rebuild equal to the first state: no new version then.
  t.ok(before >= v);
  const pickups = (await rt.service.queryActivity({ type: 'pickup' })).length;
  await rt.stop();
  c1.end(true);

  const rt2 = await start(t, rt.dir);
  t.equal(rt2.link.controller('ctl-1')?.desiredSent?.version, before, 'same version after restart: nothing changed');
  t.equal(rt2.ingest.appliedUpTo('ctl-1'), 1);
  t.equal((await rt2.service.queryActivity({ type: 'pickup' })).length, pickups, 'the pickup is not applied again');
  t.equal((await rt2.service.getLocker(BANK, reservation.lockerNumber)).status, 'available');
});

t.test("a kiosk of the previous firmware gets no branding, its state valid by that release's schema; back upgraded, it gets it", async (t) => {
  const rt = await start(t);
  await model(rt);
  const colours = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };
  await rt.service.branding.setEnterprise(seededEnterprise(rt.service), { colours }, actor);
  const c1 = await fakeController(t, rt, 'ctl-1', 1);
  const online = new Promise((resolve) => rt.link.once('controller-online', resolve));
  await birth(c1); // the previous firmware's birth: no features
  await online;
  await rt.publisher.flush();
  const first = nextMessage(c1, (topic, p) => topic === c1.topic('desired') && p.length > 0);
  await c1.subscribeAsync(c1.topic('desired'), { qos: 1 });
  const d1 = desiredOf((await first).payload);
  t.notOk('branding' in d1.state, 'no branding for a controller that did not name the feature');
  const old = previousReleaseSchema.safeParse(d1.state);
  t.ok(old.success, `the previous release's strict schema takes the state${old.success ? '' : `: ${old.error.message}`}`);

  const upgraded = nextMessage(c1, (topic, p) => topic === c1.topic('desired') && p.length > 0 && desiredOf(p).version > d1.version);
  const announced = { v: 1, state: 'online', at: Date.now(), firmware: 'test-2', bootId: 'boot-ctl-1-b', features: ['branding'] };
  await c1.publishAsync(c1.topic('status'), JSON.stringify(announced), { qos: 1, retain: true });
  const d2 = desiredOf((await upgraded).payload);
  t.equal(d2.version, d1.version + 1, 'one new version');
  t.same(d2.state.branding, { colours }, 'with the branding once it named the feature');
});
