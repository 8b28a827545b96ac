/**
 * Creating an organisation record, a locker or a carrier is an administrative change in the activity log, as its
 * edits and deletes are: each creation through the API is one `admin-change` entry with the user who made it and
 * the fields it was made with (a bank's credential parameters and a carrier code's code never in it).
 */
import t from 'tap';
import type { ActivityEntry } from '../../src/domain/model.ts';
import { auditLine } from './audit-lines.ts';
import { apiCall, makeTestApp, type TestApp } from './helpers.ts';

async function created(ta: TestApp, url: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await apiCall(ta, ta.headers('admin'), 'POST', url, body);
  if (r.statusCode !== 201) throw new Error(`POST ${url}: ${r.statusCode} ${r.body}`);
  return r.json();
}

/** The admin-change entries about `kind:id`. */
async function entriesOf(ta: TestApp, kind: string, id: string): Promise<ActivityEntry[]> {
  return (await ta.service.queryActivity({ type: 'admin-change' })).filter((a) => a.target?.kind === kind && a.target.id === id);
}

t.test('each created division, location, bank, column, locker, carrier and carrier code is audited with its actor and fields', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const adminId = (await ta.auth.findUserByName('admin'))!.id;
  const actor = { role: 'admin', id: adminId };

  await created(ta, '/divisions', { id: 'south', enterpriseId: 'ent', name: 'South' });
  await created(ta, '/locations', {
    id: 'depot',
    divisionId: 'south',
    name: 'Depot',
    company: 'Acme Ltd',
    phone: '0211234567',
    addressLine1: '2 Dock Rd',
    city: 'Lisbon',
    stateProvince: 'Lisboa',
    countryCode: 'PT',
    postalCode: '1000-001',
    reach: { preset: 'ada-2010' },
  });
  await created(ta, '/banks', { id: 'dock', locationId: 'depot', name: 'Dock', rules: { addToExistingLocker: false } });
  await created(ta, '/columns', { id: 'dock-1', bankId: 'dock', position: 1, kind: 'kiosk', controllerId: 'ctl-dock' });
  await created(ta, '/lockers', { bankId: 'dock', number: 7, columnId: 'dock-1', door: 3, size: 'M', bottomCm: 60, topCm: 110, loading: 'rear', shelfBarcode: 'SHELF-7' });
  await created(ta, '/carriers', { id: 'fast', name: 'Fast Parcels' });
  const issued = (await created(ta, '/carriers/fast/codes', { digits: 8, bankIds: ['dock'] })) as { carrierCode: { id: string }; code: string };

  const one = async (kind: string, id: string): Promise<ActivityEntry> => {
    const list = await entriesOf(ta, kind, id);
    t.equal(list.length, 1, `one entry for ${kind} ${id}`);
    t.match(list[0], { type: 'admin-change', actor, enterpriseId: 'ent' }, `${kind} ${id}: the user who made it, in their enterprise`);
    return list[0]!;
  };
  t.equal(auditLine(await one('division', 'south')), 'division:south division created | enterpriseId: none -> ent; name: none -> South');
  t.equal(
    auditLine(await one('location', 'depot')),
    'location:depot location created | divisionId: none -> south; name: none -> Depot; company: none -> Acme Ltd; phone: none -> 0211234567; addressLine1: none -> 2 Dock Rd; ' +
      'city: none -> Lisbon; stateProvince: none -> Lisboa; countryCode: none -> PT; postalCode: none -> 1000-001; reach: none -> {"preset":"ada-2010"}',
  );
  const bank = await one('bank', 'dock');
  t.match(bank, { bankId: 'dock', detail: 'bank created' });
  t.same(bank.changes!.map((c) => c.field), ['locationId', 'name', 'rules', 'deliveryQuota'], 'its credential parameters are not in the log');
  t.match(bank.changes, [{ to: 'depot' }, { to: 'Dock' }, { to: /"addToExistingLocker":false/ }, { to: '{}' }]);
  const column = await one('column', 'dock-1');
  t.match(column, { bankId: 'dock' });
  t.equal(auditLine(column), 'column:dock-1 column created | bankId: none -> dock; position: none -> 1; kind: none -> kiosk; controllerId: none -> ctl-dock');
  const locker = await one('locker', 'dock/7');
  t.match(locker, { bankId: 'dock', lockerNumber: 7 });
  t.equal(
    auditLine(locker),
    'locker:dock/7 locker created | columnId: none -> dock-1; door: none -> 3; size: none -> M; bottomCm: none -> 60; topCm: none -> 110; loading: none -> rear; shelfBarcode: none -> SHELF-7; service: none -> in-service',
  );
  t.equal(auditLine(await one('carrier', 'fast')), 'carrier:fast carrier created | name: none -> Fast Parcels');
  const code = await one('carrier-code', issued.carrierCode.id);
  t.equal(code.detail, 'carrier code issued');
  t.notOk(JSON.stringify(code).includes(issued.code), 'the code itself is not in the log');
  t.notOk(JSON.stringify(bank).includes('salt'), "the bank's credential salt is not in the log");
});

t.test('a batch of lockers is one entry per locker; a refused creation writes none', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await created(ta, '/divisions', { id: 'd', enterpriseId: 'ent', name: 'D' });
  await created(ta, '/locations', { id: 'l', divisionId: 'd', name: 'L' });
  await created(ta, '/banks', { id: 'b', locationId: 'l', name: 'B' });
  await created(ta, '/columns', { id: 'c', bankId: 'b', position: 1, kind: 'kiosk', controllerId: 'ctl' });
  const locker = (number: number, door: number) => ({ bankId: 'b', number, columnId: 'c', door, size: 'S', bottomCm: 60, topCm: 110, loading: 'front' });
  await created(ta, '/lockers/batch', { lockers: [locker(1, 1), locker(2, 2)] });
  t.same((await ta.service.queryActivity({ type: 'admin-change' })).filter((a) => a.target?.kind === 'locker').map((a) => `${a.target!.id} ${a.detail}`), ['b/1 locker created', 'b/2 locker created']);
  const before = (await ta.service.queryActivity({ limit: 100_000 })).length;
  const refused = await apiCall(ta, ta.headers('admin'), 'POST', '/lockers/batch', { lockers: [locker(3, 3), locker(4, 3)] });
  t.equal(refused.statusCode, 409, 'two lockers on one door');
  t.equal((await apiCall(ta, ta.headers('operator'), 'POST', '/divisions', { enterpriseId: 'ent', name: 'X' })).statusCode, 403);
  t.equal((await ta.service.queryActivity({ limit: 100_000 })).length, before, 'nothing logged for what was not made');
});
