import t from 'tap';
import sinon from 'sinon';
import type { ReservationChanged } from '../../src/domain/service.ts';
import { admin, carrier, contact, operator, setup } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

t.test('statuses through a whole package life cycle, with pickup code expiry', async (t) => {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  t.teardown(() => clock.restore());
  const s = await setup({ lockers: [{ size: 'M' }, { size: 'S' }] });
  await contact(s, 'ann');
  const events: ReservationChanged['change'][] = [];
  s.on('reservation-changed', (e) => events.push(e.change));
  const status = async (n: number) => (await s.getLocker('b1', n)).status;

  t.equal(await status(2), 'available');
  const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S', trackingId: '1Z999' }, operator);
  t.equal(reservation.lockerNumber, 2);
  t.equal(await status(2), 'reserved');
  await t.rejects(s.pickUp({ reservationId: reservation.id }, operator), { code: 'INVALID_STATE' }, 'nothing to pick up before the drop-off');

  const drop = await s.dropOff({ reservationId: reservation.id }, carrier);
  t.match(drop.pickupCode, /^\d{6}$/, 'a six-digit pickup code, shown once');
  t.equal(drop.pickupCodeExpiresAt, T0 + 72 * 3600_000, 'valid for the bank\'s 72 h');
  t.equal(await status(2), 'occupied');
  const v = await s.getLocker('b1', 2);
  t.same(v.contents?.trackingIds, ['1Z999']);
  t.equal(v.contents?.packages, 1);
  t.notOk(JSON.stringify(v).includes(drop.pickupCode!), 'the contents summary carries no code');

  const wrong = drop.pickupCode === '000000' ? '111111' : '000000';
  await t.rejects(s.pickUp({ bankId: 'b1', code: wrong }, { role: 'recipient', id: 'ann' }), { code: 'INVALID_CODE', field: 'code' });

  // Not collected: 72 h later it expires, and its code stops working.
  await clock.tickAsync(72 * 3600_000);
  const exp = await s.expireDue();
  t.same(exp.expired.map((r) => r.id), [reservation.id]);
  t.equal(await status(2), 'expired');
  await t.rejects(s.pickUp({ bankId: 'b1', code: drop.pickupCode! }, { role: 'recipient' }), { code: 'INVALID_CODE' }, 'an expired code opens nothing');

  // The operator gives one more day: occupied again, and the same code works again.
  const ext = await s.extendReservation(reservation.id, { minutes: 24 * 60 }, operator);
  t.equal(ext.status, 'occupied');
  t.equal(await status(2), 'occupied');
  const got = await s.pickUp({ bankId: 'b1', code: drop.pickupCode! }, { role: 'recipient', id: 'ann' });
  t.same(got.lockerNumbers, [2], 'the code opens locker 2');
  t.equal(got.reservations[0]?.endReason, 'picked-up');
  t.equal(await status(2), 'available', 'free again');
  await t.rejects(s.pickUp({ bankId: 'b1', code: drop.pickupCode! }, { role: 'recipient' }), { code: 'INVALID_CODE' }, 'one-time: used up');
  await t.rejects(s.dropOff({ reservationId: reservation.id }, carrier), { code: 'INVALID_STATE' }, 'an ended reservation takes nothing more');

  const history = await s.listReservations({ includeEnded: true });
  t.equal(history.length, 1);
  t.equal(history[0]?.status, 'ended');
  t.notOk('pickupCode' in history[0]!, 'history keeps no code hash');
  t.same(events, ['reserved', 'occupied', 'expired', 'extended', 'picked-up']);
  t.same((await s.queryActivity({})).map((a) => a.type).filter((type) => type !== 'admin-change'), ['reservation', 'drop-off', 'expiry', 'extension', 'pickup']);
});

t.test('a hold never dropped off is released; out of service and back', async (t) => {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setInterval', 'clearInterval'] });
  t.teardown(() => clock.restore());
  const s = await setup({ lockers: [{ size: 'S' }] });
  await contact(s, 'ann');
  const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S', holdMinutes: 60 }, operator);
  const stop = s.startExpiry(60_000);
  t.teardown(stop);
  await clock.tickAsync(59 * 60_000);
  t.equal((await s.getLocker('b1', 1)).status, 'reserved', 'still held before the hour');
  await clock.tickAsync(2 * 60_000);
  t.equal((await s.getLocker('b1', 1)).status, 'available', 'the periodic expiry released it');
  t.match(await s.queryActivity({ type: 'expiry' }), [{ reservationId: reservation.id, detail: /hold-expired/ }]);

  await s.setServiceState('b1', 1, { state: 'out-of-service', reason: 'door bent' }, operator);
  t.equal((await s.getLocker('b1', 1)).status, 'out-of-service');
  await t.rejects(s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S' }, operator), {
    code: 'NO_LOCKER_AVAILABLE',
  }, 'an out-of-service locker is never allocated');
  await s.setServiceState('b1', 1, { state: 'in-service' }, operator);
  t.equal((await s.getLocker('b1', 1)).status, 'available');
  t.equal((await s.getLocker('b1', 1)).locker.serviceReason, undefined, 'the old reason is cleared');
  t.same((await s.queryActivity({ type: 'service-change' })).map((a) => a.detail), ['out-of-service: door bent', 'in-service']);
});

t.test('day-use storage: fixed, flexible up to its maximum, open; extension', async (t) => {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const s = await setup({ lockers: [{}, {}, {}] });
  await contact(s, 'ann');
  const storage = (storage: { mode: 'fixed' | 'flexible' | 'open'; minutes?: number; maxMinutes?: number }) =>
    s.reserve({ bankId: 'b1', kind: 'storage', recipient: { type: 'contact', id: 'ann' }, storage }, { role: 'recipient', id: 'ann' });
  const fixed = (await storage({ mode: 'fixed', minutes: 120 })).reservation;
  t.equal(fixed.endsAt, T0 + 120 * 60_000);
  const flex = (await storage({ mode: 'flexible', minutes: 60, maxMinutes: 180 })).reservation;
  const open = (await storage({ mode: 'open' })).reservation;
  t.equal(open.endsAt, undefined, 'no end time');
  for (const r of [fixed, flex, open]) await s.dropOff({ reservationId: r.id }, { role: 'recipient', id: 'ann' });
  await t.rejects(s.extendReservation(fixed.id, { minutes: 10 }, operator), { code: 'INVALID_STATE' }, 'fixed cannot be extended');
  await t.rejects(s.extendReservation(open.id, { minutes: 10 }, operator), { code: 'INVALID_STATE' });
  const e1 = await s.extendReservation(flex.id, { minutes: 120 }, { role: 'recipient', id: 'ann' });
  t.equal(e1.endsAt, T0 + 180 * 60_000, 'extended up to the maximum');
  await t.rejects(s.extendReservation(flex.id, { minutes: 1 }, operator), { code: 'VALIDATION', field: 'minutes' }, 'not beyond it');
  clock.tick(121 * 60_000);
  const exp = await s.expireDue();
  t.same(exp.expired.map((r) => r.id), [fixed.id], 'the fixed stay ended after 2 h; the others did not');
  t.equal((await s.getLocker('b1', fixed.lockerNumber)).status, 'expired');
  const ended = await s.endReservation(fixed.id, { reason: 'removed', note: 'emptied by mailroom' }, operator);
  t.equal(ended.endReason, 'removed');
  t.equal((await s.getLocker('b1', fixed.lockerNumber)).status, 'available');
});

t.test('returns and exchanges name their drop-off and pick-up parties', async (t) => {
  const s = await setup({ lockers: [{ size: 'M' }, { size: 'M' }] });
  await contact(s, 'ann');
  await s.createCarrier({ enterpriseId: 'ent', id: 'ups', name: 'UPS' }, admin);
  await s.createDepartment({ enterpriseId: 'ent', id: 'it', name: 'IT' }, admin);
  const ret = await s.reserve(
    {
      bankId: 'b1',
      kind: 'return',
      recipient: { type: 'contact', id: 'ann' },
      size: 'M',
      dropOffParty: { type: 'contact', id: 'ann' },
      pickupParty: { type: 'carrier', id: 'ups' },
      trackingId: 'RMA-1',
    },
    operator,
  );
  t.same(ret.reservation.dropOffParty, { type: 'contact', id: 'ann' });
  t.same(ret.reservation.pickupParty, { type: 'carrier', id: 'ups' });
  const ex = await s.reserve(
    { bankId: 'b1', kind: 'exchange', recipient: { type: 'contact', id: 'ann' }, size: 'M', dropOffParty: { type: 'department', id: 'it' }, pickupParty: { type: 'contact', id: 'ann' } },
    operator,
  );
  t.equal(ex.reservation.kind, 'exchange');
  await t.rejects(
    s.reserve({ bankId: 'b1', kind: 'return', recipient: { type: 'contact', id: 'ann' }, size: 'M', dropOffParty: { type: 'contact', id: 'ann' }, pickupParty: { type: 'carrier', id: 'fedex' } }, operator),
    { code: 'NOT_FOUND', field: 'pickupParty.id' },
  );
  const d = await s.dropOff({ reservationId: ret.reservation.id }, { role: 'recipient', id: 'ann' });
  t.ok(d.pickupCode, 'the carrier gets a code to collect the return');
  t.match(await s.queryActivity({ type: 'return' }), [{ trackingId: 'RMA-1', reservationId: ret.reservation.id }], 'logged as a return');
});
