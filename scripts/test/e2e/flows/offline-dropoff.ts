// End to end, drop-off with the cloud away: a carrier code is issued through the HTTP API and reaches the
// kiosk controller; then the cloud (and its embedded broker) stops. The carrier types the code at the kiosk of the
// simulated bank (real controller, real kiosk engine, served from the cached desired state), scans the parcel and
// delivers it into a free locker of a size; the door opens and the kiosk records an offline `carrier-delivery`. The
// cloud restarts on the same data folder and broker port: the controller replays its outbox, the delivery is stored
// once, the locker is occupied in the API with a reservation and a pickup code for the parcel, whose hash goes back
// to the kiosk, and that code then opens the same door for the recipient (the cloud sees the locker available).
// The same for an operator (staff PIN issued through the API) dropping a scanned parcel into its reserved locker
// offline: after the restart the cloud fills the reservation and the pickup code opens it. Every message of each
// run is checked against the published JSON Schemas.
import type { IssuedPickupCode } from '@portier/cloud';
import { api, expectCondition } from '../helpers.ts';
import { backOnline, codeOnKiosk, outage, doorOfLocker, doorsOpen, kioskWorld, lockerApi, lockerOfDoor, lockerStatus, reserveParcel, storedTransactions, txStored, shutAndCheckSchemas, carrierCodeOnKiosk, deliverToFreeLocker, pickedUp } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

const TRACKING = 'E2E-OFFLINE-DELIVERY-1';

t.test('offline carrier delivery: cloud stopped, served from the cached state; after restart the cloud matches', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const { code } = await carrierCodeOnKiosk(t, w);
  const freeBefore = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await lockerApi(w, n)).status));
  t.same(freeBefore, ['available', 'available', 'available', 'available', 'available'], 'the kiosk column is empty');

  // The cloud goes away.
  await kiosk.expectPage('home');
  await outage(w);

  await kiosk.type(code);
  await kiosk.expectPage('dropoff-tracking');
  t.pass('the carrier signed in offline');
  await kiosk.scan(TRACKING);
  t.equal(kiosk.engine.screen.page, 'dropoff-tracking', 'no reservation for that parcel: the carrier chooses a size');
  const door = await deliverToFreeLocker(t, w);
  const locker = lockerOfDoor(w, door);
  t.same(doorsOpen(w.bank), [`1/${door}`], `one free locker of the kiosk column opened with the cloud away (locker ${locker})`);
  w.bank.closeAllDoors();
  await kiosk.select('sign-out');
  await kiosk.expectPage('home');
  const local = await kiosk.column.expectEvent((e) => e.body.type === 'transaction' && e.body.kind === 'carrier-delivery');
  t.match(local.body, { offline: true, doors: [door], trackingIds: [TRACKING], actor: { role: 'carrier', id: 'demo-carrier' } }, 'the kiosk recorded an offline carrier delivery');

  // The cloud comes back on the same data folder and broker port; the controller replays its outbox.
  const codes: IssuedPickupCode[] = [];
  const w2 = await backOnline(t, w, { onPickupCode: (c) => codes.push(c) });
  const cloud2 = w2.cloud;
  const ev = await txStored(w2, 'the carrier delivery', (x) => x.kind === 'carrier-delivery');
  t.match(ev, { doors: [door], offline: true, reservationIds: [], trackingIds: [TRACKING], actor: { role: 'carrier', id: 'demo-carrier' } });
  await lockerStatus(w2, locker, 'occupied');
  t.pass(`locker ${locker} is occupied in the API after reconnection`);
  const r = cloud2.service.store.list('reservations').find((x) => x.lockerNumber === locker)!;
  t.match(r, { kind: 'package', status: 'occupied', dropOffParty: { type: 'carrier', id: 'demo-carrier' }, packages: [{ trackingId: TRACKING }] });
  t.ok(r.pickupCode, 'a pickup code was issued for the parcel');
  t.same((await storedTransactions(w2)).filter((x) => x.kind === 'carrier-delivery').length, 1, 'the delivery is stored once');
  const activity = await cloud2.service.queryActivity({ type: 'drop-off' });
  t.ok(activity.some((a) => a.reservationId === r.id && a.trackingId === TRACKING), 'the drop-off is in the activity log');
  t.equal(cloud2.service.store.list('reservations').length, 1, 'no other reservation appeared');

  // The parcel's pickup code reaches the kiosk and opens the same door: the cloud sees the locker available.
  await expectCondition(() => codes.some((c) => c.reservationId === r.id), 5000, 'the pickup code handed to the notifier');
  const pickup = codes.find((c) => c.reservationId === r.id)!;
  await codeOnKiosk(w, r.id, 'the pickup code\'s hash reaches the kiosk controller');
  await kiosk.type(pickup.code);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the recipient\'s code opens the locker the carrier filled offline');
  await pickedUp(w2, r.id, locker);
  t.pass(`locker ${locker} is available after the pickup`);
  shutAndCheckSchemas(t, w);
});

t.test('offline operator drop-off into a reserved locker: the cloud fills the reservation after restart', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const ctl = kiosk.column.controller;
  const pin = '24681357';
  const user = await api(w.cloud, 'POST', '/users', w.token, { username: 'e2e-operator', password: 'e2e-operator-password', role: 'operator' });
  t.equal(user.status, 201, 'an operator user created through the API');
  const operatorId = user.json.user.id as string;
  const staff = await api(w.cloud, 'POST', '/staff-credentials', w.token, { role: 'operator', subjectId: operatorId, kind: 'staff-pin', code: pin, bankIds: [w.bankId] });
  t.equal(staff.status, 201, `operator PIN issued through the API ${staff.status === 201 ? '' : JSON.stringify(staff.json)}`);
  const { reservationId, locker } = await reserveParcel(t, w, { trackingId: 'E2E-OFFLINE-OPS-1' });
  await expectCondition(() => ctl.link?.desired.desired?.state.credentials.some((c) => c.kind === 'staff-pin') ?? false, 5000, 'the operator PIN reaches the kiosk controller');
  await expectCondition(() => ctl.link?.desired.desired?.state.reservations.some((r) => r.id === reservationId) ?? false, 5000, 'the reservation reaches the kiosk controller');
  const door = doorOfLocker(w, locker);
  t.equal((await lockerApi(w, locker)).status, 'reserved');

  await kiosk.expectPage('home');
  await outage(w);
  await kiosk.type(pin);
  await kiosk.expectPage('staff-menu');
  t.pass('the operator signed in offline');
  await kiosk.select('dropoff');
  await kiosk.expectPage('dropoff-tracking');
  await kiosk.scan('E2E-OFFLINE-OPS-1');
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the reserved locker opened for the scanned parcel with the cloud away');
  w.bank.closeAllDoors();
  await kiosk.select('back');
  await kiosk.expectPage('staff-menu');
  await kiosk.select('sign-out');
  await kiosk.expectPage('home');
  const local = await kiosk.column.expectEvent((e) => e.body.type === 'transaction' && e.body.kind === 'drop-off');
  t.match(local.body, { offline: true, doors: [door], reservationIds: [reservationId], actor: { role: 'operator', id: operatorId } }, 'the kiosk recorded an offline drop-off');

  const codes: IssuedPickupCode[] = [];
  const w2 = await backOnline(t, w, { onPickupCode: (c) => codes.push(c) });
  const cloud2 = w2.cloud;
  const ev = await txStored(w2, 'the drop-off', (x) => x.kind === 'drop-off');
  t.match(ev, { doors: [door], offline: true, reservationIds: [reservationId], trackingIds: ['E2E-OFFLINE-OPS-1'] });
  await lockerStatus(w2, locker, 'occupied');
  t.pass(`locker ${locker} is occupied in the API after reconnection`);
  t.match(cloud2.service.store.get('reservations', reservationId), { status: 'occupied' });
  t.equal((await storedTransactions(w2)).filter((x) => x.kind === 'drop-off').length, 1, 'the drop-off is stored once');
  await expectCondition(() => codes.some((c) => c.reservationId === reservationId), 5000, 'the pickup code handed to the notifier');
  await codeOnKiosk(w, reservationId, 'the pickup code\'s hash reaches the kiosk controller');
  await kiosk.expectPage('home');
  await kiosk.type(codes.find((c) => c.reservationId === reservationId)!.code);
  await kiosk.column.expectDoor(door, true);
  await pickedUp(w2, reservationId, locker);
  t.pass('the recipient picked it up: available');
  shutAndCheckSchemas(t, w);
});
