// The activity log as a person reads it: each row names the recipient, bank, location, actor, the reservation's
// status and, for an administrative change, the object and what changed, in the JSON page and in the CSV export;
// filters by several types, location and actor page through exactly once; a location-scoped operator sees only
// their location.
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { ERASED_NAME } from '../../src/domain/service.ts';
import { signedInUser, type TestApp, twoSitesApp } from './helpers.ts';

type Row = Record<string, unknown> & { id: string; type: string; at: number };

const setup = twoSitesApp;

async function page(ta: TestApp, headers: Record<string, string>, qs = ''): Promise<{ activity: Row[]; nextCursor?: string }> {
  const res = await ta.app.inject({ url: `/api/v1/activity${qs ? `?${qs}` : ''}`, headers });
  if (res.statusCode !== 200) throw new Error(`GET /activity?${qs}: ${res.statusCode} ${res.body}`);
  return res.json();
}

t.test('every transaction type reads with names, in the JSON page and in the CSV export', async (t) => {
  const ta = await setup(t);
  const admin = ta.headers('admin');
  const adminId = ta.store.list('users').find((u) => u.username === 'admin')!.id;
  const tick = () => void (ta.clock.now += 60_000);
  const r = await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', trackingId: 'TRK-1' }, { role: 'admin', id: adminId });
  tick();
  const d = await ta.service.dropOff({ reservationId: r.reservation.id }, { role: 'carrier', id: 'car' });
  tick();
  await ta.service.recordRemoteOpen({ bankId: 'bank', lockerNumber: r.reservation.lockerNumber, outcome: 'opened' }, { role: 'system', id: 'ctl-1' });
  tick();
  await ta.service.recordAlert({ bankId: 'bank', lockerNumber: 2, kind: 'door-left-open', controllerId: 'ctl-1', detail: 'open 5 min' }, { role: 'system', id: 'ctl-1' });
  tick();
  t.equal((await ta.app.inject({ method: 'PUT', url: '/api/v1/banks/bank-2/lockers/1/service', headers: admin, payload: { state: 'out-of-service', reason: 'jammed' } })).statusCode, 200);
  tick();
  await ta.service.pickUp({ bankId: 'bank', code: d.pickupCode! }, { role: 'recipient', id: 'c-rec' });
  tick();
  t.equal((await ta.app.inject({ method: 'PATCH', url: '/api/v1/enterprises/ent/history-retention', headers: admin, payload: { historyRetentionDays: 30 } })).statusCode, 200);

  const rows = (await page(ta, admin, 'limit=1000')).activity.filter((a) => a.at >= r.reservation.createdAt);
  const byType = (type: string): Row => {
    const row = rows.find((a) => a.type === type);
    t.ok(row, `a ${type} row`);
    return row ?? ({} as Row);
  };
  const where = { bankId: 'bank', bankName: 'Lobby', locationId: 'loc', locationName: 'HQ' };
  t.match(byType('reservation'), { ...where, recipientName: 'Rita Recipient', actorName: 'admin', trackingId: 'TRK-1', status: 'ended', lockerNumber: r.reservation.lockerNumber });
  t.match(byType('drop-off'), { ...where, recipientName: 'Rita Recipient', actorName: 'Parcel Co', status: 'ended' });
  t.match(byType('remote-open'), { ...where, recipientName: 'Rita Recipient', actorName: 'kiosk', status: 'ended' });
  t.match(byType('alert'), { ...where, actorName: 'system', lockerNumber: 2 });
  t.match(byType('service-change'), { bankId: 'bank-2', bankName: 'Annex bank', locationName: 'Annex', actorName: 'admin' });
  t.match(byType('pickup'), { ...where, recipientName: 'Rita Recipient', actorName: 'Rita Recipient', status: 'ended' });
  // The seed's people and the test app's users are administrative changes too: the retention's is looked at here.
  t.match(rows.find((r) => r.type === 'admin-change' && (r as { target?: { kind: string } }).target?.kind === 'enterprise'), {
    enterpriseId: 'ent',
    target: { kind: 'enterprise', id: 'ent' },
    targetName: 'enterprise Acme (ent)',
    changes: [{ field: 'historyRetentionDays', to: '30' }],
    changesText: 'historyRetentionDays: (none) → 30',
    actorName: 'admin',
  });
  t.notOk('recipientName' in byType('alert'), 'no recipient, no name');

  // The CSV export: the columns of earlier releases first, then the same names.
  const csv = await ta.app.inject({ url: '/api/v1/activity?format=csv', headers: admin });
  const table = parse(csv.body, { columns: true }) as Record<string, string>[];
  t.same(Object.keys(table[0]!).slice(0, 10), ['time', 'type', 'actorRole', 'actorId', 'bankId', 'lockerNumber', 'recipientId', 'trackingId', 'reservationId', 'detail']);
  t.match(table.find((x) => x.type === 'drop-off'), { recipientName: 'Rita Recipient', bankName: 'Lobby', locationName: 'HQ', actorName: 'Parcel Co', status: 'ended', trackingId: 'TRK-1' });
  t.match(table.find((x) => x.type === 'remote-open'), { trackingId: '', trackingIds: 'TRK-1', actorName: 'kiosk' }, "an entry naming no parcel: the reservation's tracking IDs");
  t.match(table.find((x) => x.type === 'admin-change' && x.object?.startsWith('enterprise')), { object: 'enterprise Acme (ent)', changes: 'historyRetentionDays: (none) → 30', actorName: 'admin' });

  // An erased person reads as erased in every row that named them, ended reservations included.
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/contacts/c-rec/erase', headers: admin })).statusCode, 200);
  const after = (await page(ta, admin, 'type=reservation,drop-off,pickup')).activity;
  t.ok(after.length >= 3);
  t.same([...new Set(after.map((a) => a.recipientName))], [ERASED_NAME], 'the erased name, never the old one');
  t.notMatch(JSON.stringify(after), /Rita/);
  const erasedCsv = (await ta.app.inject({ url: '/api/v1/activity?format=csv', headers: admin })).body;
  t.notMatch(erasedCsv, /Rita/, 'nor in the export');
});

t.test('a reservation still live shows its live status; a renamed bank shows its new name (names are read, not stored)', async (t) => {
  const ta = await setup(t);
  const admin = ta.headers('admin');
  const r = await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'department', id: 'dep' }, size: 'S' }, { role: 'operator', id: 'nobody-known' });
  t.equal((await ta.app.inject({ method: 'PATCH', url: '/api/v1/banks/bank', headers: admin, payload: { name: 'Front desk' } })).statusCode, 200);
  const row = (await page(ta, admin, 'type=reservation')).activity.find((a) => a.reservationId === r.reservation.id);
  t.match(row, { recipientName: 'Finance', bankName: 'Front desk', status: 'reserved', actorName: 'nobody-known' }, 'an actor that resolves to nothing shows its id');
});

t.test('filters by several types, location and actor page through every entry exactly once', async (t) => {
  const ta = await setup(t);
  const admin = ta.headers('admin');
  const adminId = ta.store.list('users').find((u) => u.username === 'admin')!.id;
  // Many entries at few distinct times, so pages split entries of the same instant.
  for (let i = 0; i < 30; i++) {
    if (i % 3 === 0) ta.clock.now += 1000;
    const bankId = i % 2 === 0 ? 'bank' : 'bank-2';
    const actor = i % 4 === 0 ? { role: 'system' as const, id: 'ctl-x' } : { role: 'admin' as const, id: adminId };
    await ta.service.recordRemoteOpen({ bankId, lockerNumber: 1, outcome: `open ${i}` }, actor);
    await ta.service.recordAlert({ bankId, kind: 'lock-fault', controllerId: 'ctl-x', detail: `fault ${i}` }, actor);
  }
  const all = (await page(ta, admin, 'limit=10000')).activity;
  const walk = async (qs: string): Promise<Row[]> => {
    const seen: Row[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 100; n++) {
      const p = await page(ta, admin, `${qs}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...p.activity);
      cursor = p.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error('paging did not end');
  };
  const cases: [string, (a: Row) => boolean][] = [
    ['type=remote-open,alert', (a) => a.type === 'remote-open' || a.type === 'alert'],
    ['type=alert&locationId=loc-2', (a) => a.type === 'alert' && a.bankId === 'bank-2'],
    [`actorId=${adminId}&type=remote-open`, (a) => a.type === 'remote-open' && (a.actor as { id?: string }).id === adminId],
    ['actorId=ctl-x&locationId=loc', (a) => (a.actor as { id?: string }).id === 'ctl-x' && a.bankId === 'bank'],
  ];
  for (const [qs, want] of cases) {
    const got = await walk(qs);
    const expected = all.filter(want).map((a) => a.id);
    t.ok(expected.length > 7, `${qs}: more than one page (${expected.length})`);
    t.same(got.map((a) => a.id), expected, `${qs}: every matching entry once, oldest first`);
  }
  const bad = await ta.app.inject({ url: '/api/v1/activity?type=pickup,party', headers: admin });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: { code: 'VALIDATION', field: 'querystring.type' } });
});

t.test("a location-scoped operator's activity and CSV hold only their location, whatever they filter by", async (t) => {
  const ta = await setup(t);
  const admin = ta.headers('admin');
  const annex = await signedInUser(ta, 'annex-op', { role: 'operator', accessLevel: { kind: 'location', id: 'loc-2' } });
  for (const [bankId, trackingId] of [['bank', 'T-HQ'], ['bank-2', 'T-ANNEX']] as const) {
    t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/reservations', headers: admin, payload: { bankId, kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'M', trackingId } })).statusCode, 201);
  }
  t.equal((await ta.app.inject({ method: 'PATCH', url: '/api/v1/enterprises/ent/history-retention', headers: admin, payload: { historyRetentionDays: 30 } })).statusCode, 200);
  const mine = (await page(ta, annex)).activity;
  t.ok(mine.length > 0);
  t.same([...new Set(mine.map((a) => a.locationName))], ['Annex'], 'the annex only: no other bank, no enterprise-wide change');
  t.same((await page(ta, annex, 'locationId=loc')).activity, [], 'asking for another location gives nothing');
  t.same((await page(ta, annex, 'bankId=bank')).activity, [], 'nor another bank');
  const csv = (await ta.app.inject({ url: '/api/v1/activity?format=csv&locationId=loc', headers: annex })).body;
  t.notMatch(csv, /T-HQ|Lobby|HQ/);
  const own = parse((await ta.app.inject({ url: '/api/v1/activity?format=csv', headers: annex })).body, { columns: true }) as Record<string, string>[];
  t.same([...new Set(own.map((x) => x.locationName))], ['Annex']);
  // The annex's bank, column and lockers were created, administrative changes of no parcel: left out here.
  t.match(own.filter((x) => x.type !== 'admin-change').map((x) => x.trackingId), ['T-ANNEX']);
  // The admin sees both, and the location filter narrows to one.
  t.same([...new Set((await page(ta, admin, 'locationId=loc&type=reservation')).activity.map((a) => a.trackingId))], ['T-HQ']);
});

t.test('issuing and revoking a carrier code is an administrative change in the activity, without the code', async (t) => {
  const ta = await setup(t);
  const admin = ta.headers('admin');
  const issued = await ta.app.inject({ method: 'POST', url: '/api/v1/carriers/car/codes', headers: admin, payload: { bankIds: ['bank'] } });
  t.equal(issued.statusCode, 201);
  const { carrierCode, code } = issued.json<{ carrierCode: { id: string }; code: string }>();
  t.equal((await ta.app.inject({ method: 'POST', url: `/api/v1/carrier-codes/${carrierCode.id}/revoke`, headers: admin })).statusCode, 200);
  const rows = (await page(ta, admin, 'type=admin-change')).activity.filter((a) => (a.target as { kind: string }).kind === 'carrier-code');
  t.match(rows, [
    { detail: 'carrier code issued', targetName: `carrier-code ${carrierCode.id} of Parcel Co`, actorName: 'admin', changes: [{ field: 'carrierId', to: 'car' }] },
    { detail: 'carrier code revoked', changes: [{ field: 'revoked', from: 'false', to: 'true' }] },
  ]);
  t.notMatch(JSON.stringify(rows), new RegExp(code), 'the code itself is nowhere in the log');
  t.notMatch((await ta.app.inject({ url: '/api/v1/activity?format=csv', headers: admin })).body, new RegExp(code));
});
