// End to end, parcels without a home, with a simulated bank (real controllers, real kiosk engine) and the integrator's
// webhook a real HTTP server: (a) a carrier delivers at the kiosk naming no recipient; staff assign it to alice
// through the API; the notice with her new code reaches the webhook and that code opens the locker at the kiosk.
// (b) the bank is full: a parcel is held at the mailroom desk (never sent to the controllers); a pickup frees a
// locker; the held parcel takes it, the operator drops it off at the kiosk, the recipient's notice reaches the webhook
// and its code opens the door.
import t from 'tap';
import { api, expectCondition } from './helpers.ts';
import {
  KIOSK_COLUMN_LOCKERS,
  carrierCodeOnKiosk,
  codeOnKiosk,
  deliverToFreeLocker,
  doorOfLocker,
  doorsOpen,
  droppedParcel,
  kioskState,
  kioskWorld,
  lockerOfDoor,
  lockerStatus,
  operatorKioskWorld,
  pickedUp,
  reserveParcel,
  shutAndCheckSchemas,
  signInWithPin,
  signOutStaff,
  type KioskWorld,
} from './kiosk-world.ts';
import { webhookReceiver } from './webhook-receiver.ts';

const SECRET = 'e2e-webhook-secret-held-0123';
/** Digits: the operator types it on the kiosk's keypad. */
const DAVE_TRACKING = '7700999001';

/** The hash of the reservation's pickup code on the kiosk controller, if it holds one. */
function codeHashOnKiosk(w: KioskWorld, reservationId: string): string | undefined {
  return kioskState(w)?.credentials.find((c) => c.kind === 'pickup-code' && (c.reservationIds ?? []).includes(reservationId))?.hash;
}

t.test('(a) a kiosk drop-off naming no recipient, assigned through the API, is collected with the new code from the webhook notice', async (t) => {
  const { webhook, notices } = await webhookReceiver(t, SECRET);
  const w = await kioskWorld(t, { notify: { webhook } });
  const kiosk = w.bank.kiosk!;
  const { code: carrierCode } = await carrierCodeOnKiosk(t, w);
  await kiosk.expectPage('home');
  await kiosk.type(carrierCode);
  await kiosk.expectPage('dropoff-tracking');
  const door = await deliverToFreeLocker(t, w);
  const locker = lockerOfDoor(w, door);
  w.bank.closeAllDoors();
  await expectCondition(() => notices.length === 1, 8000, 'the notice of the kiosk drop-off');
  const first = notices[0]!.notice;
  t.match(first.recipient, { type: 'department', id: 'kiosk-unassigned' }, 'nobody named: the unassigned department');
  await kiosk.engine.signOut();

  const unassigned = await api(w.cloud, 'GET', '/reservations?unassigned=true', w.token);
  t.same(unassigned.json.reservations.map((r: { id: string }) => r.id), [first.reservationId], 'listed as unassigned');
  await codeOnKiosk(w, first.reservationId, "the first code's hash on the kiosk");
  const oldHash = codeHashOnKiosk(w, first.reservationId);

  const assigned = await api(w.cloud, 'POST', `/reservations/${first.reservationId}/recipient`, w.token, { recipient: { type: 'contact', id: 'alice' } });
  t.equal(assigned.status, 200, 'assigned through the API');
  t.match(assigned.json.reservation, { status: 'occupied', lockerNumber: locker, recipient: { type: 'contact', id: 'alice' } });
  await expectCondition(() => notices.length === 2, 8000, 'the notice for alice at the webhook');
  const { notice, signedOk } = notices[1]!;
  t.ok(signedOk, 'signed with the shared secret');
  t.match(notice, { type: 'parcel-ready', reservationId: first.reservationId, bankId: w.bankId, lockerNumber: locker, recipient: { type: 'contact', id: 'alice', email: 'alice@example.com' } });
  t.equal(notice.pickupCode, assigned.json.code, 'the code answered once is the one alice is told');
  t.not(notice.pickupCode, first.pickupCode);
  await expectCondition(() => { const h = codeHashOnKiosk(w, first.reservationId); return h !== undefined && h !== oldHash; }, 5000, "the new code's hash replaces the old one on the kiosk");

  await kiosk.expectPage('home');
  await kiosk.type(notice.pickupCode);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], `alice's code opened locker ${locker}`);
  await pickedUp(w, first.reservationId, locker);
  shutAndCheckSchemas(t, w);
});

t.test('(b) the bank full: a held parcel takes the locker a pickup frees, the operator puts it in, the recipient is told and collects', async (t) => {
  const { webhook, notices } = await webhookReceiver(t, SECRET);
  const w = await operatorKioskWorld(t, { notify: { webhook }, rules: { addToExistingLocker: false } });
  const kiosk = w.bank.kiosk!;
  const enterpriseId = w.cloud.service.store.get('contacts', 'alice')!.enterpriseId;
  for (const id of ['carol', 'dave']) await w.cloud.service.createContact({ enterpriseId, id, name: `${id} Test`, email: `${id}@example.com` }, { role: 'admin', id: 'e2e' });

  // Carol's parcel is in a locker; alice's reservations take every other locker of the kiosk column.
  const carol = await droppedParcel(t, w, 'CAROL-1');
  for (let i = 1; i < KIOSK_COLUMN_LOCKERS.length; i++) await reserveParcel(t, w, { trackingId: `FILL-${i}` });
  const full = await api(w.cloud, 'POST', '/reservations', w.token, { bankId: w.bankId, kind: 'package', recipient: { type: 'contact', id: 'dave' }, size: 'S', trackingId: DAVE_TRACKING });
  t.equal(full.status, 409, 'the bank is full: refused by default');
  const res = await api(w.cloud, 'POST', '/reservations', w.token, { bankId: w.bankId, kind: 'package', recipient: { type: 'contact', id: 'dave' }, size: 'S', trackingId: DAVE_TRACKING, ifNoLocker: 'hold' });
  t.equal(res.status, 201);
  const heldId = res.json.reservation.id as string;
  t.equal(res.json.reservation.status, 'held');
  const listed = await api(w.cloud, 'GET', `/reservations?status=held&bankId=${w.bankId}`, w.token);
  t.same(listed.json.reservations.map((r: { id: string }) => r.id), [heldId], 'listed at the desk');
  // A bank change after the hold: once its state reached the kiosk, that state is one built with the held parcel.
  t.equal((await api(w.cloud, 'PATCH', `/banks/${w.bankId}`, w.token, { rules: { pickupPinExpiryH: 48 } })).status, 200);
  await expectCondition(() => kioskState(w)?.rules.pickupPinExpiryH === 48, 5000, 'the state built after the hold on the kiosk');
  t.notOk(kioskState(w)!.reservations.some((r) => r.id === heldId), 'a held parcel never reaches the controllers');

  // Carol collects: her locker frees up and the held parcel takes it.
  await kiosk.expectPage('home');
  await kiosk.type(carol.code);
  await kiosk.column.expectDoor(carol.door, true);
  w.bank.closeAllDoors();
  await kiosk.select('done');
  await kiosk.expectPage('home');
  await expectCondition(async () => (await api(w.cloud, 'GET', `/reservations/${heldId}`, w.token)).json.reservation.status === 'reserved', 8000, 'the held parcel placed');
  const placed = (await api(w.cloud, 'GET', `/reservations/${heldId}`, w.token)).json.reservation;
  t.equal(placed.lockerNumber, carol.locker, "it takes carol's freed locker");
  await lockerStatus(w, carol.locker, 'reserved');
  await expectCondition(() => kioskState(w)?.reservations.some((r) => r.id === heldId) ?? false, 5000, 'the placed reservation reaches the kiosk');

  // The operator brings it from the desk: the normal drop-off by tracking id.
  await signInWithPin(w);
  await kiosk.select('dropoff');
  await kiosk.expectPage('dropoff-tracking');
  await kiosk.type(DAVE_TRACKING);
  await kiosk.expectPage('dropoff-open');
  const door = doorOfLocker(w, carol.locker);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'only that locker opened');
  w.bank.closeAllDoors();
  await kiosk.column.expectDoor(door, false);
  await signOutStaff(w);

  await expectCondition(() => notices.some((n) => n.notice.reservationId === heldId), 8000, "dave's notice at the webhook");
  const { notice, signedOk } = notices.find((n) => n.notice.reservationId === heldId)!;
  t.ok(signedOk);
  t.match(notice, { type: 'parcel-ready', lockerNumber: carol.locker, recipient: { type: 'contact', id: 'dave', email: 'dave@example.com' }, trackingIds: [DAVE_TRACKING] });
  await codeOnKiosk(w, heldId, "dave's code on the kiosk");
  await kiosk.type(notice.pickupCode);
  await kiosk.column.expectDoor(door, true);
  await pickedUp(w, heldId, carol.locker);
  t.pass(`dave's code opened locker ${carol.locker}`);
  shutAndCheckSchemas(t, w);
});
