// From outside, with the kiosk controller's stolen MQTT secret: a plain MQTT.js client publishes kiosk-open requests
// for a door of the bank's plain column (service and other purposes; no credential, a wrong one, a revoked one, one
// not entitled to that door or purpose). The whole cloud runs (startCloud: embedded broker, relay, RemoteOpen); the
// plain column is another MQTT.js client on its own credentials, listening on its `cmd` topic. No open-door reaches
// it and every refusal is in the activity; a request naming the recipient's live code opens the door, on record with
// that code.
import { join } from 'node:path';
import { importPublicKey, parsePayload, topicFor, verifyMessage, type Command, type EventBody } from '@portier/protocol';
import t from 'tap';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { listingForm } from '../../src/bridge/credential-forms.ts';
import type { KioskRelayHandled } from '../../src/bridge/kiosk-relay.ts';
import { provision } from '../../src/provision/provision.ts';
import type { CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { client, type Teardownable } from '../mqtt/helpers/env.ts';
import { seedBank, startTestCloud, seededEnterprise } from './helpers.ts';

const BANK = 'bank-1';
const actor = { role: 'admin' as const, id: 'seed' };
type KioskOpenRequest = Extract<EventBody, { type: 'kiosk-open-request' }>;

function cloud(t: Teardownable): Promise<CloudRuntime & { dir: string }> {
  return startTestCloud(t, { prefix: 'portier-kiosk-attack-' });
}

/** Kiosk column ctl-k (lockers 1, 2 on doors 1, 2), plain column ctl-p (lockers 3, 4 on doors 1, 2: kiosk aliases 3, 4). */
async function model(rt: CloudRuntime): Promise<void> {
  const s = rt.service;
  await seedBank(s, BANK, [{ id: 'colk', kind: 'kiosk', controllerId: 'ctl-k' }, { id: 'colp', kind: 'plain', controllerId: 'ctl-p' }], { addToExistingLocker: false });
  const l = (number: number, columnId: string, door: number, size: 'S' | 'M') => ({ bankId: BANK, number, columnId, door, size, bottomCm: 45, topCm: 80, loading: 'front' as const });
  await s.createLockers([l(1, 'colk', 1, 'S'), l(2, 'colk', 2, 'S'), l(3, 'colp', 1, 'M'), l(4, 'colp', 2, 'M')], actor);
  await s.createContact({ enterpriseId: seededEnterprise(s), id: 'c1', name: 'Rita' }, actor);
}

/** A provisioned controller's MQTT secret, as it sits in its config file. */
async function secretOf(rt: CloudRuntime & { dir: string }, controllerId: string, column: number): Promise<string> {
  const p = await provision({ dataDir: rt.dir, bankId: BANK, controllerId, column, brokerUrl: rt.mqttUrl, out: join(rt.dir, `${controllerId}.yaml`), identities: rt.identities });
  return p.secret;
}

t.test('a stolen kiosk secret opens no door of another column without a credential entitled to it', async (t) => {
  const rt = await cloud(t);
  await model(rt);
  const s = rt.service;
  const publicKey = importPublicKey(rt.commandPublicKeyPem);

  // The bank's real people: a parcel for c1 in locker 3 (plain column), an operator's PIN, a revoked operator PIN.
  const { reservation } = await s.reserve({ bankId: BANK, kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, actor);
  t.equal(reservation.lockerNumber, 3);
  await s.dropOff({ reservationId: reservation.id }, actor);
  await s.createUser({ enterpriseId: seededEnterprise(s), id: 'u-op', username: 'olga', role: 'operator', passwordHash: 'x' });
  await s.createUser({ enterpriseId: seededEnterprise(s), id: 'u-old', username: 'oscar', role: 'operator', passwordHash: 'x' });
  await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', bankIds: [BANK] }, actor);
  const old = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-old', kind: 'staff-pin', bankIds: [BANK] }, actor);
  const view = buildDesiredState(rt.store, { bankId: BANK, column: 1, now: Date.now(), form: listingForm() }).state;
  const pickup = view.credentials.find((c) => c.reservationIds.includes(reservation.id))!.id;
  const operatorPin = view.credentials.find((c) => c.subjectId === 'u-op')!.id;
  const revokedPin = view.credentials.find((c) => c.subjectId === 'u-old')!.id;
  await s.revokeStaffCredential(old.staffCredential.id, actor);
  const alias = view.doors.find((d) => d.locker === 3)!;
  t.same(alias.remote, { controllerId: 'ctl-p', door: 1 }, 'locker 3 is door 1 of the plain column, alias door 3 at the kiosk');

  // The plain column, on its own credentials: records every command it gets and acks an open-door as opened.
  const plain = await client(t, rt.mqttUrl, { clientId: 'ctl-p', username: 'ctl-p', password: await secretOf(rt, 'ctl-p', 2), clean: true });
  const commands: Command[] = [];
  plain.on('message', (topic, payload) => {
    if (!topic.endsWith('/cmd')) return;
    const r = parsePayload('cmd', payload);
    if (!r.ok) return;
    commands.push(r.value);
    if (r.value.type === 'open-door') {
      void plain.publishAsync(topicFor(BANK, 'ctl-p', 'ack'), JSON.stringify({ v: 1, commandId: r.value.id, status: 'opened', at: Date.now() }), { qos: 1 });
    }
  });
  await plain.subscribeAsync(topicFor(BANK, 'ctl-p', 'cmd'), { qos: 1 });
  await plain.publishAsync(topicFor(BANK, 'ctl-p', 'status'), JSON.stringify({ v: 1, state: 'online', at: Date.now(), firmware: 'test-1', bootId: 'boot-p' }), { qos: 1, retain: true });

  // The thief: the kiosk's id and secret, a plain MQTT.js client, no kiosk software.
  const thief = await client(t, rt.mqttUrl, { clientId: 'ctl-k', username: 'ctl-k', password: await secretOf(rt, 'ctl-k', 1), clean: true });
  let seq = 0;
  /** Publishes one request as the kiosk would; resolves with what the cloud's relay did with it (bounded: 20 s). */
  const ask = async (req: Partial<KioskOpenRequest>): Promise<KioskRelayHandled> => {
    const requestId = `kor-${++seq}`;
    const done = new Promise<KioskRelayHandled>((resolve, reject) => {
      const timer = setTimeout(() => {
        rt.kioskRelay.off('handled', on);
        reject(new Error(`request ${requestId} not handled in 20 s`));
      }, 20_000);
      const on = (h: KioskRelayHandled): void => {
        if (h.requestId !== requestId) return;
        clearTimeout(timer);
        rt.kioskRelay.off('handled', on);
        resolve(h);
      };
      rt.kioskRelay.on('handled', on);
    });
    const event: KioskOpenRequest = { type: 'kiosk-open-request', requestId, door: alias.door, locker: 3, purpose: 'service', ...req };
    await thief.publishAsync(topicFor(BANK, 'ctl-k', 'evt'), JSON.stringify({ v: 1, seq, at: Date.now(), event }), { qos: 1 });
    return done;
  };

  const attacks: Array<[string, Partial<KioskOpenRequest>, string]> = [
    ['service, no credential', {}, 'credential_missing'],
    ['service, a made-up credential id', { credentialId: 'staff.u-admin' }, 'credential_not_for_purpose'],
    ['pickup, a made-up credential id', { purpose: 'pickup', credentialId: 'pickup.res-forged' }, 'credential_unknown'],
    ['service, the operator\'s live PIN', { credentialId: operatorPin }, 'credential_not_for_purpose'],
    ['pickup, no credential', { purpose: 'pickup' }, 'credential_missing'],
    ['drop-off, a revoked PIN', { purpose: 'drop-off', credentialId: revokedPin }, 'credential_unknown'],
    ['drop-off into the parcel\'s locker, the operator\'s PIN', { purpose: 'drop-off', credentialId: operatorPin }, 'credential_not_for_door'],
    ['expired removal, nothing expired', { purpose: 'expired-removal', credentialId: operatorPin }, 'credential_not_for_door'],
    ['pickup of locker 4 with the code of locker 3', { purpose: 'pickup', door: alias.door + 1, locker: 4, credentialId: pickup }, 'credential_not_for_door'],
    ['storage, the recipient\'s code', { purpose: 'storage-open', credentialId: pickup }, 'credential_not_for_purpose'],
    ['carrier delivery, the operator\'s PIN', { purpose: 'carrier-delivery', credentialId: operatorPin }, 'credential_not_for_purpose'],
  ];
  for (const [what, req, reason] of attacks) t.match(await ask(req), { outcome: 'rejected', reason, answered: true }, what);
  t.same(commands.filter((c) => c.type === 'open-door'), [], 'no open-door reached the plain column');
  const alerts = (await s.queryActivity({ type: 'alert' })).filter((a) => a.detail?.startsWith('kiosk-open-refused'));
  t.equal(alerts.length, attacks.length, 'every refusal is in the activity');
  t.match(alerts[0], { bankId: BANK, lockerNumber: 3, actor: { role: 'system', id: 'ctl-k' }, detail: /service, no credential, door 3: credential_missing/ });
  const csv = await s.activityCsv({ type: 'alert' });
  t.match(csv, /kiosk-open-refused: drop-off, credential staff\.\S+, door 3: credential_unknown/, 'and in its CSV export');

  // The real flow: the recipient's live code, for the parcel's door, opens it on a signed open-door.
  t.match(await ask({ purpose: 'pickup', credentialId: pickup, actor: { role: 'admin', id: 'claimed' } }), { outcome: 'opened', lockerNumber: 3, credential: { id: pickup, role: 'recipient', subjectId: 'c1' } });
  const opens = commands.filter((c) => c.type === 'open-door');
  t.equal(opens.length, 1, 'one open-door');
  t.match(opens[0], { controllerId: 'ctl-p', body: { door: 1 } });
  t.ok(verifyMessage(opens[0]!, publicKey), 'signed by the cloud');
  const record = (await s.queryActivity({ type: 'remote-open' })).map((a) => a.detail ?? '');
  t.ok(record.some((d) => d.includes(`credential ${pickup}`) && /requested: kiosk pickup for recipient c1/.test(d)), `on record with the code and its holder (${record.join(' | ')})`);
});
