/** What users see through the API: a parcel's life, lockers with contents, roles inside routes, activity and CSV. */
import { parse as parseCsv } from 'csv-parse/sync';
import t, { type Test } from 'tap';
import { makeTestApp, seedModel, type Role, type TestApp } from './helpers.ts';

const NO_LOCKER = 'No lockers are currently available in selected locker bank';

/** The test app on the small site of `seedModel`, closed at the end of the test. */
async function siteApp(t: Test, o: Parameters<typeof makeTestApp>[0] = {}): Promise<TestApp> {
  const ta = await makeTestApp(o);
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  return ta;
}

/** POST /reservations as `role`. */
function reserve(ta: TestApp, role: Role, payload: Record<string, unknown>) {
  return ta.app.inject({ method: 'POST', url: '/api/v1/reservations', headers: ta.headers(role), payload });
}

interface LockerRow {
  locker: { number: number; service: string };
  status: string;
  accessible: boolean;
  contents?: { reservationId: string; trackingIds: string[] };
}

t.test('a parcel from reservation to pickup, seen through lockers and activity (JSON and CSV)', async (t) => {
  const ta = await siteApp(t, { recipientContactId: 'c-rec' });
  const inject = ta.app.inject.bind(ta.app);

  const reserved = await reserve(ta, 'carrier', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'M', trackingId: '1Z999' });
  t.equal(reserved.statusCode, 201);
  const res = reserved.json<{ reservation: { id: string; lockerNumber: number; status: string } }>().reservation;
  t.equal(res.status, 'reserved');
  t.ok([3, 4].includes(res.lockerNumber), 'an M locker');

  const lockers = await inject({ url: '/api/v1/banks/bank/lockers', headers: ta.headers('operator') });
  t.equal(lockers.statusCode, 200);
  const row = lockers.json<{ lockers: LockerRow[] }>().lockers.find((l) => l.locker.number === res.lockerNumber);
  t.equal(row?.status, 'reserved');
  t.same(row?.contents?.trackingIds, ['1Z999']);
  t.equal(row?.contents?.reservationId, res.id);

  const dropped = await inject({ method: 'POST', url: `/api/v1/reservations/${res.id}/drop-off`, headers: ta.headers('carrier'), payload: {} });
  t.equal(dropped.statusCode, 200);
  t.equal(dropped.headers['cache-control'], 'no-store', 'a code is never cached');
  const d = dropped.json<{ pickupCode: string; reservation: Record<string, unknown> }>();
  t.match(d.pickupCode, /^\d{6}$/);
  t.notOk('pickupCode' in d.reservation, 'no code hash in the reservation');
  t.notOk(dropped.body.includes('"hash"'), 'no hash anywhere in the answer');

  const one = await inject({ url: `/api/v1/reservations/${res.id}`, headers: ta.headers('recipient') });
  t.equal(one.json<{ reservation: { status: string } }>().reservation.status, 'occupied', 'the recipient sees their parcel');
  t.notOk(one.body.includes('"hash"'));

  const wrong = await inject({ method: 'POST', url: '/api/v1/pickups', headers: ta.headers('recipient'), payload: { bankId: 'bank', code: '000000' } });
  t.ok(wrong.statusCode >= 400 && wrong.statusCode < 500, `a wrong code is refused (${wrong.statusCode})`);
  const onBehalf = await inject({ method: 'POST', url: '/api/v1/pickups', headers: ta.headers('recipient'), payload: { reservationId: res.id } });
  t.equal(onBehalf.statusCode, 403, 'only staff pick up without a code');
  const picked = await inject({ method: 'POST', url: '/api/v1/pickups', headers: ta.headers('recipient'), payload: { bankId: 'bank', code: d.pickupCode } });
  t.equal(picked.statusCode, 200);
  t.same(picked.json<{ lockerNumbers: number[] }>().lockerNumbers, [res.lockerNumber]);

  const after = await inject({ url: `/api/v1/banks/bank/lockers/${res.lockerNumber}`, headers: ta.headers('operator') });
  t.equal(after.json<LockerRow>().status, 'available');

  const activity = await inject({ url: '/api/v1/activity', headers: ta.headers('operator') });
  // The seed's address book and the test app's users are audited (admin-change); the transactions are what this flow made.
  const types = activity.json<{ activity: { type: string; trackingId?: string }[] }>().activity.map((a) => a.type).filter((type) => type !== 'admin-change');
  t.same(types, ['reservation', 'drop-off', 'pickup']);
  const onlyPickups = await inject({ url: '/api/v1/activity?type=pickup', headers: ta.headers('operator') });
  t.equal(onlyPickups.json<{ activity: unknown[] }>().activity.length, 1);
  const future = await inject({ url: `/api/v1/activity?from=${ta.clock.now + 1}`, headers: ta.headers('operator') });
  t.equal(future.json<{ activity: unknown[] }>().activity.length, 0, 'date range filters');

  const csv = await inject({ url: '/api/v1/activity?format=csv', headers: ta.headers('admin') });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  const rows = (parseCsv(csv.body, { columns: true }) as Record<string, string>[]).filter((r) => r.type !== 'admin-change');
  t.equal(rows.length, 3);
  t.same(
    rows.map((r) => r.type),
    ['reservation', 'drop-off', 'pickup'],
  );
  t.ok(rows.every((r) => r.trackingId === '1Z999'), 'tracking id on every row');
});

t.test('roles inside routes: recipients book storage only for themselves and see only their own', async (t) => {
  const ta = await siteApp(t, { recipientContactId: 'c-rec' });
  const storage = { bankId: 'bank', kind: 'storage', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', storage: { mode: 'fixed', minutes: 60 } };
  const mine = await reserve(ta, 'recipient', storage);
  t.equal(mine.statusCode, 201);
  const other = await reserve(ta, 'recipient', { ...storage, recipient: { type: 'contact', id: 'c-ada' } });
  t.equal(other.statusCode, 403);
  const pkg = await reserve(ta, 'recipient', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S' });
  t.equal(pkg.statusCode, 403);
  const carrierStorage = await reserve(ta, 'carrier', storage);
  t.equal(carrierStorage.statusCode, 403);

  const forAda = await reserve(ta, 'operator', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-ada' }, size: 'S' });
  t.equal(forAda.statusCode, 201);
  const adaId = forAda.json<{ reservation: { id: string } }>().reservation.id;
  const list = await ta.app.inject({ url: '/api/v1/reservations', headers: ta.headers('recipient') });
  t.same(
    list.json<{ reservations: { recipient: { id: string } }[] }>().reservations.map((r) => r.recipient.id),
    ['c-rec'],
  );
  const peek = await ta.app.inject({ url: `/api/v1/reservations/${adaId}`, headers: ta.headers('recipient') });
  t.equal(peek.statusCode, 404, "someone else's reservation does not exist for a recipient");
  const ext = await ta.app.inject({ method: 'POST', url: `/api/v1/reservations/${adaId}/extend`, headers: ta.headers('recipient'), payload: { minutes: 10 } });
  t.equal(ext.statusCode, 404);
});

t.test('service state, config check, and the exact error when nothing fits', async (t) => {
  const ta = await siteApp(t);
  const oos = await ta.app.inject({
    method: 'PUT',
    url: '/api/v1/banks/bank/lockers/1/service',
    headers: ta.headers('operator'),
    payload: { state: 'out-of-service', reason: 'door jammed' },
  });
  t.equal(oos.statusCode, 200);
  t.equal(oos.json<LockerRow>().status, 'out-of-service');
  const check = await ta.app.inject({ url: '/api/v1/banks/bank/config-check', headers: ta.headers('admin') });
  t.equal(check.statusCode, 200);
  t.equal(check.json<{ check: { lockers: number } }>().check.lockers, 6);

  // c-ada needs an accessible locker: 1 is out of service, 3 and 5 are the others; take them, then none is left.
  const ada = { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-ada' } };
  for (const size of ['M', 'L']) {
    const r = await ta.app.inject({ method: 'POST', url: '/api/v1/reservations', headers: ta.headers('operator'), payload: { ...ada, size, trackingId: size } });
    t.equal(r.statusCode, 201, `accessible ${size}`);
    t.equal(r.json<{ reservation: { lockerNumber: number } }>().reservation.lockerNumber % 2, 1, 'an accessible (odd) locker');
  }
  const none = await ta.app.inject({ method: 'POST', url: '/api/v1/reservations', headers: ta.headers('operator'), payload: { ...ada, size: 'S', trackingId: 'S' } });
  t.equal(none.statusCode, 409);
  t.same(none.json(), { error: { code: 'NO_LOCKER_AVAILABLE', message: NO_LOCKER, field: 'body.bankId' } });
});

t.test('32 concurrent reservations over HTTP for 6 lockers: no locker twice, every other answer the exact error', async (t) => {
  const ta = await siteApp(t);
  const answers = await Promise.all(
    Array.from({ length: 32 }, (_, i) =>
      reserve(ta, 'operator', { bankId: 'bank', kind: 'package', recipient: { type: 'department', id: 'dep' }, size: 'XS', trackingId: `P${i}` }),
    ),
  );
  const ok = answers.filter((a) => a.statusCode === 201).map((a) => a.json<{ reservation: { lockerNumber: number } }>().reservation.lockerNumber);
  const refused = answers.filter((a) => a.statusCode === 409);
  t.equal(ok.length + refused.length, 32, 'every request answered 201 or 409');
  t.equal(new Set(ok).size, ok.length, 'no locker double-booked');
  t.ok(ok.length <= 6 && ok.length >= 1);
  t.ok(refused.every((a) => a.json<{ error: { message: string } }>().error.message === NO_LOCKER), 'the exact message');
});

t.test('wrong pickup codes are throttled: after 5, even the right code waits', async (t) => {
  const ta = await siteApp(t, { recipientContactId: 'c-rec' });
  const r = await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S' }, { role: 'operator' });
  const d = await ta.service.dropOff({ reservationId: r.reservation.id }, { role: 'carrier' });
  const code = d.pickupCode!;
  const wrongCode = code === '111111' ? '222222' : '111111';
  const pick = (c: string) => ta.app.inject({ method: 'POST', url: '/api/v1/pickups', headers: ta.headers('recipient'), payload: { bankId: 'bank', code: c } });
  for (let i = 0; i < 5; i++) {
    const res = await pick(wrongCode);
    t.equal(res.json<{ error: { code: string; field: string } }>().error.code, 'INVALID_CODE', `wrong code ${i + 1}`);
  }
  const locked = await pick(code);
  t.equal(locked.statusCode, 429);
  t.same(locked.json<{ error: { field: string } }>().error.field, 'body.code');
  t.equal(locked.headers['retry-after'], '2');
  ta.clock.now += 2001;
  const ok = await pick(code);
  t.equal(ok.statusCode, 200, 'after the wait the right code opens the locker');
});

t.test('carrier codes: shown once at issue, listed without the code, revoked', async (t) => {
  const ta = await siteApp(t);
  const issued = await ta.app.inject({ method: 'POST', url: '/api/v1/carriers/car/codes', headers: ta.headers('operator'), payload: { digits: 7 } });
  t.equal(issued.statusCode, 201);
  t.equal(issued.headers['cache-control'], 'no-store');
  const body = issued.json<{ code: string; carrierCode: { id: string; digits: number } }>();
  t.match(body.code, /^\d{7}$/);
  t.notOk(issued.body.includes('"hash"'));
  const list = await ta.app.inject({ url: '/api/v1/carriers/car/codes', headers: ta.headers('operator') });
  t.equal(list.statusCode, 200);
  t.same(list.json<{ carrierCodes: { id: string }[] }>().carrierCodes.map((c) => c.id), [body.carrierCode.id]);
  t.notOk(list.body.includes(body.code), 'the code is not listed');
  t.notOk(list.body.includes('"hash"'), 'nor its hash');
  const revoked = await ta.app.inject({ method: 'POST', url: `/api/v1/carrier-codes/${body.carrierCode.id}/revoke`, headers: ta.headers('operator') });
  t.equal(revoked.statusCode, 200);
  t.equal(revoked.json<{ carrierCode: { revoked: boolean } }>().carrierCode.revoked, true);
  t.equal(await ta.service.verifyCarrierCode('bank', body.code), undefined, 'a revoked code opens nothing');
});

t.test('carriers see the reservations they booked or are a party of, not the others', async (t) => {
  const ta = await siteApp(t);
  const book = (role: 'carrier' | 'operator', payload: Record<string, unknown>) =>
    ta.app.inject({ method: 'POST', url: '/api/v1/reservations', headers: ta.headers(role), payload: { bankId: 'bank', size: 'S', ...payload } });
  const own = (await book('carrier', { kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, trackingId: 'MINE' })).json<{
    reservation: { id: string };
  }>().reservation.id;
  const other = (await book('operator', { kind: 'package', recipient: { type: 'contact', id: 'c-ada' }, trackingId: 'NOT-MINE' })).json<{
    reservation: { id: string };
  }>().reservation.id;
  const list = await ta.app.inject({ url: '/api/v1/reservations', headers: ta.headers('carrier') });
  t.same(list.json<{ reservations: { id: string }[] }>().reservations.map((r) => r.id), [own]);
  t.equal((await ta.app.inject({ url: `/api/v1/reservations/${other}`, headers: ta.headers('carrier') })).statusCode, 404);
  t.equal((await ta.app.inject({ url: `/api/v1/reservations/${own}`, headers: ta.headers('carrier') })).statusCode, 200);
  const staff = await ta.app.inject({ url: '/api/v1/reservations', headers: ta.headers('operator') });
  t.equal(staff.json<{ reservations: unknown[] }>().reservations.length, 2, 'staff see all');
});

t.test('carriers see lockers and their status, not whose parcel is inside', async (t) => {
  const ta = await siteApp(t);
  const r = await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', trackingId: 'SECRET' }, { role: 'operator' });
  const n = r.reservation.lockerNumber;
  const asCarrier = await ta.app.inject({ url: '/api/v1/banks/bank/lockers', headers: ta.headers('carrier') });
  const row = asCarrier.json<{ lockers: LockerRow[] }>().lockers.find((l) => l.locker.number === n);
  t.equal(row?.status, 'reserved');
  t.notOk(row?.contents, 'no contents for carriers');
  t.notMatch(asCarrier.body, /SECRET|c-rec/);
  const one = await ta.app.inject({ url: `/api/v1/banks/bank/lockers/${n}`, headers: ta.headers('carrier') });
  t.notMatch(one.body, /SECRET|c-rec/);
  const asStaff = await ta.app.inject({ url: `/api/v1/banks/bank/lockers/${n}`, headers: ta.headers('operator') });
  t.match(asStaff.body, /SECRET/);
});

t.test('a lost pickup code is replaced: the new one is answered once, the old one stops working; staff only', async (t) => {
  const ta = await siteApp(t, { recipientContactId: 'c-rec' });
  const inject = ta.app.inject.bind(ta.app);
  const reserved = await reserve(ta, 'carrier', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'M' });
  const id = reserved.json<{ reservation: { id: string } }>().reservation.id;
  const early = await inject({ method: 'POST', url: `/api/v1/reservations/${id}/pickup-code`, headers: ta.headers('operator') });
  t.equal(early.statusCode, 409, 'nothing in the locker yet: no code to replace');
  t.match(early.json(), { error: { code: 'CONFLICT', field: 'reservationId' } });
  const dropped = await inject({ method: 'POST', url: `/api/v1/reservations/${id}/drop-off`, headers: ta.headers('carrier'), payload: {} });
  const old = dropped.json<{ pickupCode: string; pickupCodeExpiresAt: number }>();

  const denied = await inject({ method: 'POST', url: `/api/v1/reservations/${id}/pickup-code`, headers: ta.headers('recipient') });
  t.equal(denied.statusCode, 403, 'a recipient cannot mint codes');
  const carrier = await inject({ method: 'POST', url: `/api/v1/reservations/${id}/pickup-code`, headers: ta.headers('carrier') });
  t.equal(carrier.statusCode, 403, 'nor a carrier');

  const re = await inject({ method: 'POST', url: `/api/v1/reservations/${id}/pickup-code`, headers: ta.headers('operator') });
  t.equal(re.statusCode, 200);
  t.equal(re.headers['cache-control'], 'no-store');
  const fresh = re.json<{ code: string; expiresAt: number; reservation: { status: string } }>();
  t.match(fresh.code, /^\d{6}$/);
  t.not(fresh.code, old.pickupCode);
  t.equal(fresh.expiresAt, old.pickupCodeExpiresAt, 'the parcel keeps its pickup deadline');
  t.notOk(re.body.includes('"hash"'));

  const withOld = await inject({ method: 'POST', url: '/api/v1/pickups', headers: ta.headers('recipient'), payload: { bankId: 'bank', code: old.pickupCode } });
  t.ok(withOld.statusCode >= 400 && withOld.statusCode < 500, `the old code no longer opens (${withOld.statusCode})`);
  const withNew = await inject({ method: 'POST', url: '/api/v1/pickups', headers: ta.headers('recipient'), payload: { bankId: 'bank', code: fresh.code } });
  t.equal(withNew.statusCode, 200, 'the new one does');

  const activity = await inject({ url: `/api/v1/activity?type=reservation`, headers: ta.headers('operator') });
  t.ok(
    activity.json<{ activity: { detail?: string }[] }>().activity.some((a) => a.detail === 'pickup code reissued'),
    'audited',
  );
});
