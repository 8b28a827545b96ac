// End to end, carrier direct delivery: a carrier code issued through the HTTP API reaches the kiosk
// controller as a hashed `carrier-code` credential (hashed under the bank's params, never in clear); the carrier
// types it at the kiosk of a simulated bank (real controller, real kiosk engine), delivers into a free locker of a
// size without any reservation, the door opens, the cloud stores the `transaction` carrier-delivery and records
// the locker as occupied (a reservation with a pickup code that goes back to the controller). Every
// message of the run is checked against the published JSON Schemas.
import { hashCredential } from '@portier/protocol';
import { api } from '../helpers.ts';
import { codeOnKiosk, doorsOpen, kioskWorld, lockerStatus, reserveParcel, txStored, kioskKey, shutAndCheckSchemas, carrierCodeOnKiosk, deliverToFreeLocker } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

t.test('carrier delivery at the kiosk: issued code -> hash on the controller -> typed -> free locker opens -> carrier-delivery stored', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const ctl = kiosk.column.controller;
  const { code, reply } = await carrierCodeOnKiosk(t, w);
  t.match(code, /^\d{8}$/);
  t.notOk('bankHashes' in reply.carrierCode, 'the API shows no hashes');
  const state = ctl.link!.desired.desired!.state;
  const cred = state.credentials.find((c) => c.kind === 'carrier-code')!;
  t.match(cred, { role: 'carrier', subjectId: 'demo-carrier', doors: [] });
  t.equal(cred.hash, hashCredential('carrier-code', code, state.credentialHash, kioskKey(w)), "hashed under the kiosk's credential key");
  t.notOk(w.rec.received.some((m) => JSON.stringify(m.json).includes(code)), 'the code never went over MQTT in clear');

  await kiosk.expectPage('home');
  await kiosk.type(code);
  await kiosk.expectPage('dropoff-tracking');
  t.pass('the carrier is signed in at the kiosk');
  const door = await deliverToFreeLocker(t, w);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'one door of the kiosk column opened');
  const locker = state.doors.find((d) => d.door === door)!.locker;
  t.ok(!state.reservations.some((r) => r.door === door), `locker ${locker} had no reservation`);
  const ev = await txStored(w, 'the carrier delivery', (x) => x.kind === 'carrier-delivery');
  t.match(ev, { kind: 'carrier-delivery', doors: [door], reservationIds: [], actor: { role: 'carrier', id: 'demo-carrier' } });
  // The cloud records the delivery into the free locker as an occupied reservation with a pickup code.
  await lockerStatus(w, locker, 'occupied');
  t.pass(`locker ${locker} is occupied in the API after the delivery`);
  const r = w.cloud.service.store.list('reservations').find((x) => x.lockerNumber === locker)!;
  t.match(r, { kind: 'package', status: 'occupied', dropOffParty: { type: 'carrier', id: 'demo-carrier' } });
  t.ok(r.pickupCode, 'a pickup code was issued for it');
  await codeOnKiosk(w, r.id, 'the new pickup code\'s hash reaches the kiosk controller');
  t.pass('the kiosk controller holds the reservation\'s pickup code');
  shutAndCheckSchemas(t, w);
});

t.test('return drop-off at the kiosk: the drop-off code of a held return opens the reserved locker; the cloud sees it occupied', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const ctl = kiosk.column.controller;
  const { reservationId, locker, reply } = await reserveParcel(
    t,
    w,
    { kind: 'return', dropOffParty: { type: 'contact', id: 'alice' }, pickupParty: { type: 'carrier', id: 'demo-carrier' }, trackingId: 'E2E-RETURN-1' },
    'return reserved through the API',
  );
  const code = reply.dropOffCode as string;
  t.match(code, /^\d{4,10}$/, 'a drop-off code is returned to whoever reserved the return');
  t.notOk(JSON.stringify((await api(w.cloud, 'GET', `/reservations/${reservationId}`, w.token)).json).includes(`"${code}"`), 'shown once');
  await codeOnKiosk(w, reservationId, 'the drop-off code\'s hash reaches the kiosk controller');
  const state = ctl.link!.desired.desired!.state;
  const door = state.doors.find((d) => d.locker === locker)!.door;
  t.match(state.credentials.find((c) => (c.reservationIds ?? []).includes(reservationId)), { doors: [door], subjectId: 'alice' });
  t.equal(state.credentials.find((c) => (c.reservationIds ?? []).includes(reservationId))!.hash, hashCredential('pickup-code', code, state.credentialHash, kioskKey(w)));

  await kiosk.expectPage('home');
  await kiosk.type(code);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the reserved locker opened');
  await txStored(w, 'the return', (x) => x.kind === 'return' && x.reservationIds.includes(reservationId));
  t.pass('a transaction return reached the cloud');
  await lockerStatus(w, locker, 'occupied');
  t.pass(`locker ${locker} is occupied in the API after the return drop-off`);
  const r = w.cloud.service.store.get('reservations', reservationId)!;
  t.equal(r.status, 'occupied');
  const kept = r.pickupCode!.code;
  t.not('sealed' in kept && w.cloud.vault.open('pickup-code', kept.sealed), code, 'the drop-off code was replaced by the collector\'s pickup code');
  shutAndCheckSchemas(t, w);
});
