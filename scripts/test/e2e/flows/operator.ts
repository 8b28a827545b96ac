// End to end, operator flows at the kiosk: an operator PIN (and a badge) issued through the HTTP API reaches
// the kiosk controller as a hashed `staff-pin` / `badge` credential (hashed under the bank's params, never in
// clear); the operator signs in at the kiosk of a simulated bank (real controllers, real kiosk engine) and
// (a) drops a parcel into its reserved locker by typing the tracking id, after which the recipient's new pickup code
//     works at the kiosk, (b) drops a parcel with no barcode into a free locker of a size, (c) removes an expired
//     parcel, (d) puts a locker out of service and back. Each test checks the doors that opened, the events stored
//     by the cloud and the locker statuses in the API after. Every message of each run is checked against the
//     published JSON Schemas.
import type { Test } from 'tap';
import { hashCredential } from '@portier/protocol';
import type { IssuedPickupCode } from '@portier/cloud';
import { api, login, expectCondition } from '../helpers.ts';
import {
  KIOSK_COLUMN_LOCKERS,
  codeOnKiosk,
  doorsOpen,
  dropOffParcel,
  eventStored,
  kioskKey,
  kioskState,
  lockerApi,
  lockerStatus,
  operatorKioskWorld,
  pickedUp,
  reserveParcel,
  shutAndCheckSchemas,
  signInWithPin,
  signOutStaff,
  type OperatorKioskWorld,
  deliverToFreeLocker,
} from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

const HOUR = 3_600_000;

interface OperatorWorld extends OperatorKioskWorld {
  /** Moves the cloud's clock (not the kiosk's) forward. */
  clock: { offsetMs: number };
  /** Pickup codes the cloud issued on kiosk drop-offs (the notifier hook), by reservation id. */
  pickupCodes: Map<string, IssuedPickupCode>;
}

/** The kiosk world with a cloud clock the test can move forward and an operator "olga" with a staff PIN. */
async function operatorWorld(t: Test, opts: { pickupPinExpiryH?: number } = {}): Promise<OperatorWorld> {
  const clock = { offsetMs: 0 };
  const ow = await operatorKioskWorld(t, {
    now: () => Date.now() + clock.offsetMs,
    ...(opts.pickupPinExpiryH !== undefined ? { rules: { pickupPinExpiryH: opts.pickupPinExpiryH } } : {}),
  });
  const pickupCodes = new Map<string, IssuedPickupCode>();
  ow.cloud.ingest.on('pickup-code', (c) => pickupCodes.set(c.reservationId, c));
  return { ...ow, clock, pickupCodes };
}

/** Reserve a package for alice through the API; waits until the kiosk holds the reservation. */
async function reserve(t: Test, w: OperatorWorld, trackingId: string): Promise<{ reservationId: string; locker: number; door: number }> {
  const { reservationId, locker } = await reserveParcel(t, w, { trackingId });
  t.ok(KIOSK_COLUMN_LOCKERS.includes(locker), `locker ${locker} is in the kiosk column`);
  await expectCondition(() => kioskState(w)?.reservations.some((r) => r.id === reservationId) ?? false, 5000, 'the reservation reaches the kiosk controller');
  const door = kioskState(w)!.doors.find((d) => d.locker === locker)!.door;
  return { reservationId, locker, door };
}

t.test('the operator PIN issued through the API reaches the kiosk hashed; the operator signs in with it', async (t) => {
  const w = await operatorWorld(t);
  const state = kioskState(w)!;
  const cred = state.credentials.find((c) => c.kind === 'staff-pin')!;
  t.match(cred, { role: 'operator', subjectId: w.operatorId, doors: [], oneTime: false });
  t.equal(cred.hash, hashCredential('staff-pin', w.pin, state.credentialHash, kioskKey(w)), "hashed under the kiosk's credential key");
  t.notOk(w.rec.received.some((m) => JSON.stringify(m.json).includes(`"${w.pin}"`)), 'the PIN never went over MQTT in clear');
  const list = await api(w.cloud, 'GET', '/staff-credentials', w.token);
  t.notOk(JSON.stringify(list.json).includes(cred.hash), 'the API never shows the hash');
  await signInWithPin(w);
  t.pass('signed in: the staff menu is shown');
  t.same(doorsOpen(w.bank), [], 'signing in opens nothing');
  await signOutStaff(w);
  w.rec.expectSchemasMatched(t);
});

t.test('(a) drop-off into a RESERVED locker by typing the tracking id; the recipient then picks up with the new code', async (t) => {
  const w = await operatorWorld(t);
  const kiosk = w.bank.kiosk!;
  const tracking = '7700123456';
  const { reservationId, locker, door } = await reserve(t, w, tracking);
  t.equal((await lockerApi(w, locker)).status, 'reserved');

  await signInWithPin(w);
  await kiosk.select('dropoff');
  await kiosk.expectPage('dropoff-tracking');
  await kiosk.type(tracking);
  await kiosk.expectPage('dropoff-open');
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], `only the reserved locker ${locker} opened`);
  const ev = await eventStored(w, 'the drop-off stored by the cloud', (e) => e.type === 'transaction' && e.kind === 'drop-off');
  t.match(ev, { kind: 'drop-off', doors: [door], reservationIds: [reservationId], trackingIds: [tracking], actor: { role: 'operator', id: w.operatorId } });
  await lockerStatus(w, locker, 'occupied');
  const r = (await api(w.cloud, 'GET', `/reservations/${reservationId}`, w.token)).json.reservation;
  t.match(r, { status: 'occupied', lockerNumber: locker });
  t.same(r.packages.map((x: { trackingId?: string }) => x.trackingId), [tracking], 'the one parcel, not counted twice');
  w.bank.closeAllDoors();
  await kiosk.column.expectDoor(door, false);
  await signOutStaff(w);

  // The cloud issued the recipient's pickup code on the drop-off (to the notifier) and sent its hash to the kiosk.
  await expectCondition(() => w.pickupCodes.has(reservationId), 5000, 'a pickup code issued for the recipient');
  const code = w.pickupCodes.get(reservationId)!.code;
  await codeOnKiosk(w, reservationId, "the pickup code's hash reaches the kiosk controller");
  await kiosk.expectPage('home');
  await kiosk.type(code);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the recipient opened the same locker');
  await pickedUp(w, reservationId, locker);
  t.pass(`locker ${locker} is available after the pickup`);
  shutAndCheckSchemas(t, w);
});

t.test('(b) drop-off of a parcel with no barcode: a free locker of the chosen size opens and is occupied in the cloud', async (t) => {
  const w = await operatorWorld(t);
  const kiosk = w.bank.kiosk!;
  const before = kioskState(w)!;
  await signInWithPin(w);
  await kiosk.select('no-barcode');
  await kiosk.expectPage('choose-size');
  const sizeM = kiosk.engine.screen.options.find((o) => o.id === 'size-M');
  t.ok(sizeM, 'size M is offered (lockers 3 and 4 are free)');
  await kiosk.select('size-M');
  await kiosk.expectPage('dropoff-open');
  await expectCondition(() => doorsOpen(w.bank).length === 1, 3000, 'a door open');
  const [opened] = doorsOpen(w.bank);
  const door = Number(opened!.split('/')[1]);
  const state = kioskState(w)!;
  const d = state.doors.find((x) => x.door === door)!;
  t.equal(opened, `1/${door}`, 'one door of the kiosk column opened');
  t.equal(d.size, 'M', `locker ${d.locker} is of the chosen size`);
  t.notOk(before.reservations.some((r) => r.door === door), `locker ${d.locker} had no reservation`);
  const ev = await eventStored(w, 'the drop-off stored by the cloud', (e) => e.type === 'transaction' && e.kind === 'drop-off');
  t.match(ev, { kind: 'drop-off', doors: [door], reservationIds: [], trackingIds: [], actor: { role: 'operator', id: w.operatorId } });
  await lockerStatus(w, d.locker, 'occupied');
  t.pass(`locker ${d.locker} is occupied in the API`);
  const r = w.cloud.service.store.list('reservations').find((x) => x.lockerNumber === d.locker)!;
  t.match(r, { kind: 'package', status: 'occupied', recipient: { type: 'department', id: 'kiosk-unassigned' } });
  w.bank.closeAllDoors();
  await signOutStaff(w);
  w.rec.expectSchemasMatched(t);
});

t.test('(c) removal of an expired parcel: its door opens, the reservation ends as removed, the locker is available', async (t) => {
  const w = await operatorWorld(t, { pickupPinExpiryH: 1 });
  const kiosk = w.bank.kiosk!;
  const { reservationId, locker, door } = await reserve(t, w, 'EXP-1');
  await dropOffParcel(t, w, reservationId, 'EXP-1');
  // Two hours later by the cloud's clock, the parcel was not collected: the expiry run marks it expired.
  w.clock.offsetMs = 2 * HOUR;
  w.token = await login(w.cloud);
  const run = await api(w.cloud, 'POST', '/expiry/run', w.token);
  t.equal(run.status, 200);
  t.same(run.json.expired.map((r: { id: string }) => r.id), [reservationId], 'expired in the cloud');
  t.equal((await lockerApi(w, locker)).status, 'expired');
  await expectCondition(() => kioskState(w)?.reservations.some((r) => r.id === reservationId && r.status === 'expired') ?? false, 5000, 'the kiosk knows it expired');

  await signInWithPin(w);
  await kiosk.select('remove-expired');
  await kiosk.expectPage('expired');
  t.ok(kiosk.engine.screen.options.some((o) => o.id === 'open-all'), 'the expired parcel is listed');
  await kiosk.select('open-all');
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], `only locker ${locker} opened`);
  const ev = await eventStored(w, 'the expired removal stored by the cloud', (e) => e.type === 'transaction' && e.kind === 'expired-removal');
  t.match(ev, { kind: 'expired-removal', doors: [door], reservationIds: [reservationId], actor: { role: 'operator', id: w.operatorId } });
  await lockerStatus(w, locker, 'available');
  const r = (await api(w.cloud, 'GET', `/reservations/${reservationId}`, w.token)).json.reservation;
  t.match(r, { status: 'ended', endReason: 'removed' }, 'the reservation ended as removed');
  w.bank.closeAllDoors();
  await signOutStaff(w);
  w.rec.expectSchemasMatched(t);
});

t.test('(d) out of service and back from the kiosk; the cloud follows. The operator badge signs in too', async (t) => {
  const w = await operatorWorld(t);
  const kiosk = w.bank.kiosk!;
  const badgeId = 'OP-BADGE-0042';
  const issued = await api(w.cloud, 'POST', '/staff-credentials', w.token, { role: 'operator', subjectId: w.operatorId, kind: 'badge', code: badgeId });
  t.equal(issued.status, 201, 'badge registered through the API');
  await expectCondition(() => kioskState(w)?.credentials.some((c) => c.kind === 'badge') ?? false, 5000, 'the badge reaches the kiosk controller');
  const state = kioskState(w)!;
  t.equal(state.credentials.find((c) => c.kind === 'badge')!.hash, hashCredential('badge', badgeId, state.credentialHash, kioskKey(w)));
  const locker = 2;

  await signInWithPin(w);
  await kiosk.select('service');
  await kiosk.expectPage('service');
  await kiosk.type(String(locker));
  await kiosk.expectPage('service-locker');
  await kiosk.select('set-out');
  await kiosk.expectPage('staff-menu');
  let ev = await eventStored(w, 'the service change stored by the cloud', (e) => e.type === 'service-changed' && e.state === 'out-of-service');
  const door = state.doors.find((d) => d.locker === locker)!.door;
  t.match(ev, { door, state: 'out-of-service', actor: { role: 'operator', id: w.operatorId } });
  await lockerStatus(w, locker, 'out-of-service');
  t.pass(`locker ${locker} is out of service in the API`);
  await signOutStaff(w);

  // Back in service, signed in with the badge this time.
  await kiosk.expectPage('home');
  await kiosk.badge(badgeId);
  await kiosk.expectPage('staff-menu');
  t.pass('the badge signs the operator in');
  await kiosk.select('service');
  await kiosk.type(String(locker));
  await kiosk.expectPage('service-locker');
  await kiosk.select('set-in');
  await kiosk.expectPage('staff-menu');
  ev = await eventStored(w, 'the return to service stored by the cloud', (e) => e.type === 'service-changed' && e.state === 'in-service');
  t.match(ev, { door, state: 'in-service', actor: { role: 'operator', id: w.operatorId } });
  await lockerStatus(w, locker, 'available');
  t.same(doorsOpen(w.bank), [], 'no door opened for a service change');
  await signOutStaff(w);

  // A revoked badge signs nobody in any more.
  await api(w.cloud, 'DELETE', `/staff-credentials/${issued.json.staffCredential.id as string}`, w.token);
  await expectCondition(() => !(kioskState(w)?.credentials.some((c) => c.kind === 'badge') ?? true), 5000, 'the revoked badge withdrawn from the kiosk');
  await kiosk.expectPage('home');
  await kiosk.badge(badgeId);
  t.not(kiosk.engine.screen.page, 'staff-menu', 'a revoked badge is refused');
  await eventStored(w, 'the refused badge stored as a login failure', (e) => e.type === 'login-failure' && e.method === 'badge');
  w.rec.expectSchemasMatched(t);
});

t.test('a carrier badge signs in to the carrier delivery flow; an admin PIN to the staff menu', async (t) => {
  const w = await operatorWorld(t);
  const kiosk = w.bank.kiosk!;
  const carrierBadge = await api(w.cloud, 'POST', '/staff-credentials', w.token, { role: 'carrier', subjectId: 'demo-carrier', kind: 'badge', code: 'CARRIER-77' });
  t.equal(carrierBadge.status, 201);
  const adminId = (await api(w.cloud, 'GET', '/auth/me', w.token)).json.user.id as string;
  const adminPin = await api(w.cloud, 'POST', '/staff-credentials', w.token, { role: 'admin', subjectId: adminId, kind: 'staff-pin', code: '97531' });
  t.equal(adminPin.status, 201);
  await expectCondition(() => (kioskState(w)?.credentials.filter((c) => c.kind === 'badge' || c.kind === 'staff-pin').length ?? 0) === 3, 5000, 'both reach the kiosk controller');

  await kiosk.expectPage('home');
  await kiosk.badge('CARRIER-77');
  await kiosk.expectPage('dropoff-tracking');
  t.pass('the carrier badge opens the carrier delivery page');
  const door = await deliverToFreeLocker(t, w);
  const locker = kioskState(w)!.doors.find((d) => d.door === door)!.locker;
  const ev = await eventStored(w, 'the carrier delivery stored by the cloud', (e) => e.type === 'transaction' && e.kind === 'carrier-delivery');
  t.match(ev, { doors: [door], actor: { role: 'carrier', id: 'demo-carrier' } });
  await lockerStatus(w, locker, 'occupied');
  t.match(w.cloud.service.store.list('reservations').find((x) => x.lockerNumber === locker), { dropOffParty: { type: 'carrier', id: 'demo-carrier' } });
  w.bank.closeAllDoors();
  await kiosk.select('sign-out');
  await kiosk.expectPage('home');

  await kiosk.type('97531');
  await kiosk.expectPage('staff-menu');
  t.pass('the admin PIN opens the staff menu');
  await signOutStaff(w);
  w.rec.expectSchemasMatched(t);
});
