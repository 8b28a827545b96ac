/**
 * The organisation, locker and carrier routes inside the caller's enterprise and access level: another enterprise's
 * objects, and those outside a location-scoped admin's location, answer 404 (as unknown ones do) and are not changed.
 */
import t from 'tap';
import { makeTestApp, seedModel, seedSecondSites, signedInUser, storeSnapshot } from './helpers.ts';

interface ErrorReply {
  error: { code: string; message: string; field?: string };
}
type Method = 'GET' | 'PATCH' | 'DELETE' | 'POST';

/** One request of each route on an object, with a body that would change it. */
function requests(o: { enterprise: string; division: string; location: string; bank: string; column: string; carrier: string; code: string }): Array<[Method, string, unknown?]> {
  return [
    ['GET', `/enterprises/${o.enterprise}`],
    ['PATCH', `/enterprises/${o.enterprise}`, { name: 'X' }],
    ['GET', `/divisions/${o.division}`],
    ['PATCH', `/divisions/${o.division}`, { name: 'X' }],
    ['DELETE', `/divisions/${o.division}`],
    ['GET', `/locations/${o.location}`],
    ['PATCH', `/locations/${o.location}`, { name: 'X' }],
    ['DELETE', `/locations/${o.location}`],
    ['DELETE', `/banks/${o.bank}`],
    ['GET', `/columns/${o.column}`],
    ['PATCH', `/columns/${o.column}`, { kind: 'plain' }],
    ['DELETE', `/columns/${o.column}`],
    ['PATCH', `/banks/${o.bank}/lockers/1`, { size: 'L' }],
    ['DELETE', `/banks/${o.bank}/lockers/1`],
    ['POST', `/banks/${o.bank}/shelf-barcodes`, {}],
    ['GET', `/banks/${o.bank}/lockers/1/barcode.svg`],
    ['GET', `/carriers/${o.carrier}`],
    ['PATCH', `/carriers/${o.carrier}`, { name: 'X' }],
    ['DELETE', `/carriers/${o.carrier}`],
    ['GET', `/carrier-codes/${o.code}/qr.png`],
  ];
}

t.test("another enterprise's organisation, lockers and carriers answer 404 and stay as they are", async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  await seedSecondSites(ta.service);
  const code = await ta.service.issueCarrierCode('car-o', { digits: 8 }, { role: 'admin' });
  const before = await storeSnapshot(ta.store);
  const target = { enterprise: 'other', division: 'div-o', location: 'loc-o', bank: 'bank-o', column: 'col-o', carrier: 'car-o', code: code.carrierCode.id };
  for (const [method, url, body] of requests(target)) {
    const r = await ta.app.inject({ method, url: `/api/v1${url}`, headers: ta.headers('admin'), ...(body !== undefined ? { payload: body as object } : {}) });
    t.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
    t.equal(r.json<ErrorReply>().error.code, 'NOT_FOUND');
    t.notMatch(r.body, /Other Corp|Depot|South|Other Parcels/, 'nothing of it is told');
  }
  t.equal(await storeSnapshot(ta.store), before, 'nothing was written');
});

t.test("a location-scoped admin reaches its own location's banks, not the rest of the enterprise", async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  await seedSecondSites(ta.service);
  const headers = await signedInUser(ta, 'annex-admin', { accessLevel: { kind: 'location', id: 'loc-2' } });
  const before = await storeSnapshot(ta.store);
  // Carriers belong to the enterprise, not to a location: they are left out here.
  const outside = requests({ enterprise: 'ent', division: 'div', location: 'loc', bank: 'bank', column: 'col', carrier: 'car', code: 'none' }).filter(([, url]) => !url.includes('carrier'));
  for (const [method, url, body] of outside) {
    const r = await ta.app.inject({ method, url: `/api/v1${url}`, headers, ...(body !== undefined ? { payload: body as object } : {}) });
    t.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
  }
  t.equal(await storeSnapshot(ta.store), before, 'nothing was written');

  const own = await ta.app.inject({ method: 'GET', url: '/api/v1/locations/loc-2', headers });
  t.equal(own.statusCode, 200, own.body);
  const edit = await ta.app.inject({ method: 'PATCH', url: '/api/v1/banks/bank-2/lockers/1', headers, payload: { size: 'L' } });
  t.equal(edit.statusCode, 200, edit.body);
  t.equal((await ta.app.inject({ method: 'GET', url: '/api/v1/columns/col-2', headers })).statusCode, 200);
});
