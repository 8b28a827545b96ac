// Parcels without a home, in the domain: a kiosk drop-off that named nobody gets its recipient later (a new code, the
// old one dead, the code handed to the notification hook); a package no locker fits is held at the mailroom desk and
// takes the first locker that fits when one frees up (a pickup, a locker back in service, a new locker), under the
// accessible-locker rule, oldest first.
import t, { type Test } from 'tap';
import sinon from 'sinon';
import type { PickupCodeIssued, ReservationChanged } from '../../src/domain/events.ts';
import type { LockerService } from '../../src/domain/service.ts';
import { admin, addLockers, carrier, contact, HIGH, operator, setup } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3_600_000;

function fakeTime(t: Test): sinon.SinonFakeTimers {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  return clock;
}

function record(s: LockerService): { changes: ReservationChanged['change'][]; codes: PickupCodeIssued[] } {
  const out = { changes: [] as ReservationChanged['change'][], codes: [] as PickupCodeIssued[] };
  s.on('reservation-changed', (e) => out.changes.push(e.change));
  s.on('pickup-code-issued', (c) => out.codes.push(c));
  return out;
}

const held = (s: LockerService, id: string, trackingId: string, size: 'S' | 'M' = 'S') =>
  s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id }, size, trackingId, ifNoLocker: 'hold' }, operator);

t.test('a kiosk drop-off with no recipient: listed as unassigned, assigned later with a new code for the recipient', async (t) => {
  const clock = fakeTime(t);
  const s = await setup({ lockers: [{}, {}] });
  await contact(s, 'ann');
  await s.createContact({ enterpriseId: 'ent', id: 'hidden', name: 'Hidden', private: true }, admin);
  const seen = record(s);
  const kiosk = await s.recordKioskOccupancy({ bankId: 'b1', lockerNumber: 2, kind: 'package', trackingIds: ['1ZKIOSK'] }, carrier);
  const oldCode = kiosk.pickupCode!;
  t.match(kiosk.reservation.recipient, { type: 'department', id: 'kiosk-unassigned' });
  t.same((await s.listReservations({ unassigned: true })).map((r) => r.id), [kiosk.reservation.id], 'listed as unassigned');
  const reserved = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S' }, operator);
  t.same((await s.listReservations({ unassigned: false })).map((r) => r.id), [reserved.reservation.id], 'the others');

  await t.rejects(s.heldParcels.assignRecipient(kiosk.reservation.id, { recipient: { type: 'contact', id: 'hidden' } }, operator), { code: 'INVALID_STATE', field: 'recipient.id' }, 'not a private contact');
  await t.rejects(s.heldParcels.assignRecipient(kiosk.reservation.id, { recipient: { type: 'contact', id: 'nobody' } }, operator), { code: 'NOT_FOUND', field: 'recipient.id' });
  await t.rejects(s.heldParcels.assignRecipient(reserved.reservation.id, { recipient: { type: 'contact', id: 'ann' } }, operator), { code: 'CONFLICT', field: 'reservationId' }, 'a locker still waiting for its parcel is not assigned here');

  clock.tick(HOUR);
  const a = await s.heldParcels.assignRecipient(kiosk.reservation.id, { recipient: { type: 'contact', id: 'ann' }, note: 'label read at the desk' }, operator);
  t.match(a.reservation, { status: 'occupied', lockerNumber: 2, recipient: { type: 'contact', id: 'ann' }, endsAt: T0 + HOUR + 72 * HOUR });
  t.match(a.code, /^\d{6}$/);
  t.not(a.code, oldCode);
  t.same(seen.codes, [{ reservationId: kiosk.reservation.id, bankId: 'b1', lockerNumber: 2, recipient: { type: 'contact', id: 'ann' }, code: a.code, expiresAt: T0 + HOUR + 72 * HOUR }], 'the code goes to the notification hook');
  t.ok(seen.changes.includes('recipient-assigned'));
  t.same((await s.listReservations({ unassigned: true })).map((r) => r.id), [], 'no longer unassigned');
  await t.rejects(s.heldParcels.assignRecipient(kiosk.reservation.id, { recipient: { type: 'contact', id: 'ann' } }, operator), { code: 'CONFLICT', field: 'recipient.id' }, 'already hers');
  const entry = (await s.queryActivity({})).find((x) => x.detail?.startsWith('recipient assigned'));
  t.match(entry, { type: 'reservation', actor: operator, lockerNumber: 2, recipientId: 'ann', reservationId: kiosk.reservation.id, detail: 'recipient assigned: department kiosk-unassigned -> contact ann: label read at the desk' });
  t.notOk(JSON.stringify(s.store.list('reservations')).includes(`"${a.code}"`), 'the code is kept sealed only');

  await t.rejects(s.pickUp({ bankId: 'b1', code: oldCode }, { role: 'recipient' }), { code: 'INVALID_CODE' }, 'the old code opens nothing');
  const got = await s.pickUp({ bankId: 'b1', code: a.code }, { role: 'recipient', id: 'ann' });
  t.same(got.lockerNumbers, [2], 'the new code opens locker 2');
});

t.test('an unassigned parcel past its collection deadline is live again once assigned', async (t) => {
  const clock = fakeTime(t);
  const s = await setup({ lockers: [{}] });
  await contact(s, 'ann');
  const kiosk = await s.recordKioskOccupancy({ bankId: 'b1', lockerNumber: 1, kind: 'package', trackingIds: [] }, carrier);
  clock.tick(73 * HOUR);
  t.same((await s.expireDue()).expired.map((r) => r.id), [kiosk.reservation.id]);
  const a = await s.heldParcels.assignRecipient(kiosk.reservation.id, { recipient: { type: 'contact', id: 'ann' } }, operator);
  t.equal(a.reservation.status, 'occupied');
  t.notOk('expiredAt' in a.reservation);
  t.equal((await s.getLocker('b1', 1)).status, 'occupied');
});

t.test('no locker fits: refused by default, held at the desk on request, placed oldest first when a locker frees up', async (t) => {
  fakeTime(t);
  const s = await setup({ lockers: [{ size: 'S' }] });
  for (const id of ['ann', 'bob', 'cid']) await contact(s, id);
  const seen = record(s);
  const first = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S' }, operator);
  await t.rejects(s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'bob' }, size: 'S' }, operator), { code: 'NO_LOCKER_AVAILABLE' }, 'the default stays a refusal');
  await t.rejects(
    s.reserve({ bankId: 'b1', kind: 'storage', recipient: { type: 'contact', id: 'bob' }, storage: { mode: 'open' }, ifNoLocker: 'hold' }, operator),
    { code: 'VALIDATION', field: 'ifNoLocker' },
    'only packages wait at the desk',
  );
  const big = await held(s, 'cid', '1ZBIG', 'M');
  const bob = await held(s, 'bob', '1ZBOB');
  for (const h of [big, bob]) {
    t.match(h.reservation, { status: 'held', bankId: 'b1' });
    t.notOk('lockerNumber' in h.reservation, 'no locker');
    t.notOk('holdUntil' in h.reservation, 'no hold expiry: the parcel is at the desk');
  }
  t.same((await s.listReservations({ status: 'held' })).map((r) => r.id), [big.reservation.id, bob.reservation.id]);
  t.same((await s.listReservations({ status: 'held', locationId: 'loc' })).length, 2, 'by location');
  t.same((await s.listReservations({ status: 'held', locationId: 'elsewhere' })).length, 0);
  t.equal((await s.getLocker('b1', 1)).status, 'reserved', 'the one locker is untouched');
  const about = async (id: string) => (await s.queryActivity({})).filter((a) => a.reservationId === id);
  t.same((await about(bob.reservation.id)).map((a) => a.detail), ['held at the mailroom desk: no locker fits']);

  // Ann's locker empties: the M parcel (older) does not fit an S locker, so bob's takes it.
  await s.endReservation(first.reservation.id, { reason: 'cancelled' }, operator);
  await s.heldParcels.settled();
  const placed = await s.getReservation(bob.reservation.id);
  t.match(placed, { status: 'reserved', lockerNumber: 1 });
  t.equal((await s.getReservation(big.reservation.id)).status, 'held', 'the M parcel waits for a locker it fits');
  t.ok(seen.changes.includes('placed'), 'event for the notification side');
  t.match((await about(bob.reservation.id)).at(-1), { type: 'reservation', actor: { role: 'system' }, lockerNumber: 1, trackingId: '1ZBOB' });

  // A locker added to the bank: the M parcel gets it. Staff drop both off: pickup codes as for any drop-off.
  await addLockers(s, [{ size: 'M' }], 2);
  await s.heldParcels.settled();
  t.match(await s.getReservation(big.reservation.id), { status: 'reserved', lockerNumber: 2 });
  const drop = await s.dropOff({ reservationId: bob.reservation.id }, operator);
  t.match(drop, { reservation: { status: 'occupied', lockerNumber: 1 }, pickupCode: /^\d{6}$/ });
  t.same(await s.listReservations({ status: 'held' }), []);
});

t.test('the accessible-locker rule holds for held parcels; a locker back in service places one; a held one can be cancelled', async (t) => {
  fakeTime(t);
  const s = await setup({ lockers: [{ ...HIGH }, {}] });
  await contact(s, 'ann');
  await contact(s, 'wes', { needsAccessible: true });
  await contact(s, 'bob');
  await s.setServiceState('b1', 2, { state: 'out-of-service', reason: 'door bent' }, operator);
  const ann = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S' }, operator);
  t.equal(ann.reservation.lockerNumber, 1);
  const wes = await held(s, 'wes', '1ZWES');
  const bob = await held(s, 'bob', '1ZBOB');
  const gone = await held(s, 'bob', '1ZGONE');
  const ended = await s.endReservation(gone.reservation.id, { reason: 'cancelled', note: 'collected at the desk' }, operator);
  t.match(ended, { status: 'ended', endReason: 'cancelled' });
  t.notOk('lockerNumber' in ended);
  t.same((await s.listReservations({ includeEnded: true, status: 'ended' })).map((r) => r.id), [gone.reservation.id], 'in history without a locker');

  // Locker 1 (out of reach) frees up: wes is older but needs an accessible locker, bob takes it.
  await s.endReservation(ann.reservation.id, { reason: 'cancelled' }, operator);
  await s.heldParcels.settled();
  t.equal((await s.getReservation(wes.reservation.id)).status, 'held', 'never an out-of-reach locker for wes');
  t.match(await s.getReservation(bob.reservation.id), { status: 'reserved', lockerNumber: 1 });

  // Locker 2 (within reach) is back in service: wes gets it.
  await s.setServiceState('b1', 2, { state: 'in-service' }, operator);
  await s.heldParcels.settled();
  t.match(await s.getReservation(wes.reservation.id), { status: 'reserved', lockerNumber: 2 });
  t.equal((await s.getLocker('b1', 2)).status, 'reserved');
});
