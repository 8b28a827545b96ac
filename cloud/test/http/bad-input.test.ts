/**
 * Bad input on every route: wrong types, unknown fields, huge bodies, non-JSON, broken JSON,
 * bad dates, unknown ids, malformed ids. Each gets a clear 4xx in the error format with the field named, and the
 * store is byte-for-byte the same afterwards.
 */
import t, { type Test } from 'tap';
import { accessKey } from '../../src/http/access.ts';
import { makeTestApp, sampleUrl, seedModel, storeSnapshot, type TestApp } from './helpers.ts';

type Json = Record<string, unknown>;

/** A valid body per route that takes one; `null` for body-less POSTs. Every write route must be listed. */
const BODIES: Record<string, Json | null> = {
  'POST /api/v1/auth/login': { username: 'admin', password: 'whatever-here' },
  'POST /api/v1/auth/logout': null,
  'PATCH /api/v1/auth/me': { language: 'fr' },
  'POST /api/v1/auth/logout-all': null,
  'POST /api/v1/users/:userId/sessions/end': null,
  'POST /api/v1/api-keys': { name: 'Nightly export', role: 'operator', expiresAt: Date.UTC(2026, 5, 1) },
  'POST /api/v1/api-keys/:apiKeyId/revoke': null,
  'POST /api/v1/auth/forgot-password': { email: 'nobody@example.com' },
  'POST /api/v1/auth/reset-password': { token: 'A'.repeat(43), password: 'long enough' },
  'POST /api/v1/users/:userId/welcome': null,
  'POST /api/v1/users': { username: 'new-user', password: 'long enough', role: 'operator' },
  'PATCH /api/v1/users/:userId': { role: 'operator' },
  'POST /api/v1/users/:userId/unlock': null,
  'POST /api/v1/users/:userId/mfa/reset': null,
  'POST /api/v1/auth/mfa/verify': { challenge: 'A'.repeat(43), method: 'totp', code: '123456' },
  'POST /api/v1/auth/mfa/email': { challenge: 'A'.repeat(43) },
  'POST /api/v1/auth/mfa/enrol': { challenge: 'A'.repeat(43) },
  'POST /api/v1/auth/mfa/enrol/confirm': { challenge: 'A'.repeat(43), code: '123456' },
  'POST /api/v1/auth/mfa/totp': null,
  'POST /api/v1/auth/mfa/totp/confirm': { code: '123456' },
  'POST /api/v1/auth/mfa/totp/remove': { code: '123456' },
  'POST /api/v1/auth/mfa/recovery-codes': { code: '123456' },
  'POST /api/v1/roles': { name: 'Night desk', permissions: ['lockers.view'] },
  'PATCH /api/v1/roles/:roleId': { name: 'Day desk' },
  'POST /api/v1/enterprises': { name: 'Other' },
  'PATCH /api/v1/enterprises/:enterpriseId/history-retention': { historyRetentionDays: 365 },
  'POST /api/v1/divisions': { enterpriseId: 'ent', name: 'South' },
  'POST /api/v1/locations': { divisionId: 'div', name: 'Annex' },
  'POST /api/v1/banks': { locationId: 'loc', name: 'Second' },
  'PATCH /api/v1/banks/:bankId': { name: 'Renamed' },
  'POST /api/v1/columns': { bankId: 'bank', position: 2, kind: 'plain', controllerId: 'ctl-2' },
  'POST /api/v1/lockers': { bankId: 'bank', number: 7, columnId: 'col', door: 7, size: 'M', bottomCm: 40, topCm: 80, loading: 'front' },
  'POST /api/v1/lockers/batch': {
    lockers: [{ bankId: 'bank', number: 8, columnId: 'col', door: 8, size: 'M', bottomCm: 40, topCm: 80, loading: 'front' }],
  },
  'PATCH /api/v1/enterprises/:enterpriseId': { name: 'Renamed' },
  'PATCH /api/v1/divisions/:divisionId': { name: 'Renamed' },
  'PATCH /api/v1/locations/:locationId': { name: 'Renamed' },
  'PATCH /api/v1/columns/:columnId': { kind: 'kiosk' },
  'PATCH /api/v1/banks/:bankId/lockers/:number': { size: 'XS' },
  'POST /api/v1/banks/:bankId/shelf-barcodes': {},
  'PUT /api/v1/banks/:bankId/lockers/:number/service': { state: 'out-of-service', reason: 'broken hinge' },
  'POST /api/v1/banks/:bankId/lockers/:number/open': { reason: 'jammed door' },
  'POST /api/v1/contacts': { firstName: 'New', lastName: 'Person' },
  'PATCH /api/v1/contacts/:contactId': { lastName: 'Renamed' },
  // A text/csv body, not JSON: its bad input (bad rows, over the limit, not CSV) is tested in contacts-csv.test.ts.
  'POST /api/v1/contacts/import': null,
  // As the contacts import: its bad input is tested in locations-csv.test.ts.
  'POST /api/v1/locations/import': null,
  // Likewise, tested in users-csv.test.ts.
  'POST /api/v1/users/import': null,
  'POST /api/v1/contacts/:contactId/erase': null,
  'POST /api/v1/departments': { name: 'Legal' },
  'PATCH /api/v1/departments/:departmentId': { name: 'Legal and Tax' },
  'POST /api/v1/carriers': { name: 'Other Carrier' },
  'PATCH /api/v1/carriers/:carrierId': { name: 'Renamed Carrier' },
  'POST /api/v1/custom-fields': { label: { en: 'Cost centre', fr: 'Centre de coût' }, type: 'text', appliesTo: ['contacts'] },
  'PATCH /api/v1/custom-fields/:customFieldId': { required: true },
  'PATCH /api/v1/reservations/:reservationId': { custom: null },
  'POST /api/v1/carriers/:carrierId/codes': { digits: 8 },
  'POST /api/v1/carrier-codes/:carrierCodeId/revoke': null,
  'POST /api/v1/staff-credentials': { role: 'operator', subjectId: 'USER', kind: 'staff-pin', code: '1234' },
  'POST /api/v1/reservations': { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'M', trackingId: 'T1' },
  'POST /api/v1/reservations/:reservationId/drop-off': { trackingIds: ['T1'] },
  'POST /api/v1/reservations/:reservationId/extend': { minutes: 30 },
  'POST /api/v1/reservations/:reservationId/end': { reason: 'cancelled' },
  'POST /api/v1/reservations/:reservationId/pickup-code': null,
  'POST /api/v1/reservations/:reservationId/recipient': { recipient: { type: 'contact', id: 'c-rec' } },
  'POST /api/v1/pickups': { bankId: 'bank', code: '123456' },
  'POST /api/v1/expiry/run': null,
  'PUT /api/v1/sftp-import': { host: 'sftp.example.org', username: 'hr', password: 'pw', remotePath: '/out/people.csv', schedule: '0 2 * * *' },
  'PUT /api/v1/enterprises/:enterpriseId/sso': { issuer: 'https://idp.example.org', clientId: 'portier', clientSecret: 'secret' },
  'POST /api/v1/sftp-import/run': null,
  'PUT /api/v1/notification-templates/:kind/:language': { subject: 'Votre {{item}} est arrivé', body: 'Bonjour {{recipientName}},\n\nCode : {{pickupCode}}' },
  'POST /api/v1/notification-templates/:kind/:language/preview': { body: 'Bonjour {{recipientName}}' },
  'PUT /api/v1/notification-rules': { rules: { 'parcel-ready': ['recipient', 'keyContact'] } },
  'PUT /api/v1/enterprises/:enterpriseId/branding': { colours: { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' } },
  'PUT /api/v1/banks/:bankId/branding': { colours: { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' } },
  // The body is the logo file itself, not JSON (branding-api.test.ts checks its refusals).
  'POST /api/v1/enterprises/:enterpriseId/branding/logos': null,
};

/** Query strings of list routes, to check that unknown keys are refused. */
const QUERY_ROUTES = new Set([
  'GET /api/v1/contacts',
  'GET /api/v1/divisions',
  'GET /api/v1/locations',
  'GET /api/v1/banks',
  'GET /api/v1/reservations',
  'GET /api/v1/activity',
]);

/** Existing ids, so that only the id under test is unknown. */
const EXISTING: Record<string, string> = { enterpriseId: 'ent', divisionId: 'div', locationId: 'loc', columnId: 'col', bankId: 'bank', number: '1', contactId: 'c-rec', departmentId: 'dep', carrierId: 'car', reservationId: 'RES', userId: 'USER', roleId: 'desk', kind: 'parcel-ready', language: 'fr' };

async function setup(t: Test): Promise<{ ta: TestApp; existing: Record<string, string> }> {
  const ta = await makeTestApp({ recipientContactId: 'c-rec' });
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const r = await ta.service.reserve(
    { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', trackingId: 'T0' },
    { role: 'operator' },
  );
  await ta.service.roles.createRole({ id: 'desk', enterpriseId: 'ent', name: 'Desk', permissions: ['lockers.view'] }, { role: 'admin' });
  const user = await ta.auth.findUserByName('operator');
  return { ta, existing: { ...EXISTING, reservationId: r.reservation.id, userId: user!.id } };
}

interface ErrorJson {
  error: { code: string; message: string; field?: string };
}

t.test('every write route is in the table of example bodies', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  for (const r of ta.app.apiRoutes) {
    if (r.method === 'GET' || r.method === 'DELETE') continue;
    t.ok(accessKey(r.method, r.url) in BODIES, `${r.method} ${r.url} has an example body`);
  }
});

t.test('bodies: unknown fields, wrong types, arrays, huge, non-JSON, broken JSON, missing', async (t) => {
  const { ta, existing } = await setup(t);
  const before = await storeSnapshot(ta.store);
  for (const { method, url } of ta.app.apiRoutes) {
    const key = accessKey(method, url);
    const example = BODIES[key];
    if (!example) continue;
    const target = sampleUrl(url, existing);
    const send = (payload: string, contentType = 'application/json') =>
      ta.app.inject({ method: method as 'POST', url: target, headers: { ...ta.headers('admin'), 'content-type': contentType }, payload });
    const expect4xx = (res: Awaited<ReturnType<typeof send>>, status: number, what: string, field?: string | RegExp) => {
      t.equal(res.statusCode, status, `${key}: ${what} -> ${status}`);
      const body = res.json<ErrorJson>();
      t.type(body.error?.code, 'string', `${key}: ${what}: error code`);
      t.notMatch(res.body, /at .*\.(ts|js):\d+/, `${key}: ${what}: no stack trace`);
      if (field !== undefined) t.match(body.error.field ?? '', field, `${key}: ${what}: field ${String(field)}`);
    };

    expect4xx(await send(JSON.stringify({ ...example, zzUnknown: 1 })), 400, 'unknown field', /^body\.zzUnknown$/);

    const [first] = Object.keys(example);
    if (first) {
      const wrong = typeof example[first] === 'object' && example[first] !== null && !Array.isArray(example[first]) ? 12345 : { nested: true };
      expect4xx(await send(JSON.stringify({ ...example, [first]: wrong })), 400, `wrong type of ${first}`, new RegExp(`^body\\.${first}`));
    }
    expect4xx(await send(JSON.stringify([example])), 400, 'an array', /^body/);
    expect4xx(await send(JSON.stringify({ ...example, pad: 'x'.repeat(300 * 1024) })), 413, 'huge body', 'body');
    expect4xx(await send('name=x', 'application/x-www-form-urlencoded'), 415, 'form body', 'headers.content-type');
    expect4xx(await send('just text', 'text/plain'), 415, 'text body', 'headers.content-type');
    expect4xx(await send('{"name": '), 400, 'broken JSON', 'body');
    const none = await ta.app.inject({ method: method as 'POST', url: target, headers: ta.headers('admin') });
    t.equal(none.statusCode, 400, `${key}: no body -> 400`);
  }
  t.equal(await storeSnapshot(ta.store), before, 'the store is unchanged');
});

t.test('ids: unknown ids are 404 naming the id, malformed ids are 400 naming it', async (t) => {
  const { ta, existing } = await setup(t);
  const before = await storeSnapshot(ta.store);
  for (const { method, url } of ta.app.apiRoutes) {
    const key = accessKey(method, url);
    const params = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const example = BODIES[key];
    const payload = example ? { payload: example } : {};
    for (const p of params) {
      const unknown = sampleUrl(url, { ...existing, [p]: p === 'number' ? '99' : 'no-such-id' });
      const res = await ta.app.inject({ method: method as 'GET', url: unknown, headers: ta.headers('admin'), ...payload });
      t.equal(res.statusCode, 404, `${key}: unknown ${p} -> 404`);
      const field = res.json<ErrorJson>().error.field;
      t.ok(field === `params.${p}` || (p === 'number' && field === 'params.number'), `${key}: unknown ${p} named (${field})`);

      const bad = sampleUrl(url, { ...existing, [p]: p === 'number' ? 'twelve' : encodeURIComponent('bad id!') });
      const res2 = await ta.app.inject({ method: method as 'GET', url: bad, headers: ta.headers('admin'), ...payload });
      t.equal(res2.statusCode, 400, `${key}: malformed ${p} -> 400`);
      t.equal(res2.json<ErrorJson>().error.field, `params.${p}`, `${key}: malformed ${p} named`);
    }
    if (QUERY_ROUTES.has(key)) {
      const res = await ta.app.inject({ url: `${url}?zz=1`, headers: ta.headers('admin') });
      t.equal(res.statusCode, 400, `${key}: unknown query key`);
      t.equal(res.json<ErrorJson>().error.field, 'querystring.zz');
    }
  }
  t.equal(await storeSnapshot(ta.store), before, 'the store is unchanged');
});

t.test('dates and ranges are 422 naming the key; bad query values 400', async (t) => {
  const { ta } = await setup(t);
  const before = await storeSnapshot(ta.store);
  const get = (qs: string) => ta.app.inject({ url: `/api/v1/activity?${qs}`, headers: ta.headers('admin') });
  for (const [qs, field] of [
    ['from=yesterday', 'querystring.from'],
    ['to=2026-13-45', 'querystring.to'],
    ['from=2026-02-30T25:00:00Z', 'querystring.from'],
  ] as const) {
    const res = await get(qs);
    t.equal(res.statusCode, 422, qs);
    t.same(res.json<ErrorJson>().error.code, 'INVALID_DATE');
    t.equal(res.json<ErrorJson>().error.field, field);
  }
  const range = await get('from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
  t.equal(range.statusCode, 422);
  t.same(range.json<ErrorJson>().error, { code: 'INVALID_RANGE', message: 'querystring.to: must be after from', field: 'querystring.to' });
  t.equal((await get('from=2026-01-01&to=2026-02-01T00:00:00Z')).statusCode, 200, 'a good range is fine');
  t.equal((await get('type=explosion')).json<ErrorJson>().error.field, 'querystring.type');
  t.equal((await get('limit=-1')).json<ErrorJson>().error.field, 'querystring.limit');
  t.equal((await get('format=xml')).json<ErrorJson>().error.field, 'querystring.format');
  const list = await ta.app.inject({ url: '/api/v1/reservations?includeEnded=yes', headers: ta.headers('admin') });
  t.equal(list.json<ErrorJson>().error.field, 'querystring.includeEnded');
  t.equal(await storeSnapshot(ta.store), before, 'the store is unchanged');
});

t.test('fuzz: random JSON bodies and query strings on every route never get a 5xx', async (t) => {
  const { ta, existing } = await setup(t);
  const fc = (await import('fast-check')).default;
  // Not logout, nor logout everywhere: they would end the session the rest of the run uses.
  const routes = ta.app.apiRoutes.filter((r) => !r.url.endsWith('/openapi.json') && !r.url.endsWith('/auth/logout') && !r.url.endsWith('/auth/logout-all'));
  let requests = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...routes),
      fc.jsonValue({ maxDepth: 3 }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
      async (route, body, query) => {
        requests++;
        const qs = new URLSearchParams(query).toString();
        const url = sampleUrl(route.url, existing) + (qs ? `?${qs}` : '');
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        const res = await ta.app.inject({
          method: route.method as 'POST',
          url,
          headers: ta.headers('admin'),
          ...(hasBody ? { payload: JSON.stringify(body), headers: { ...ta.headers('admin'), 'content-type': 'application/json' } } : {}),
        });
        if (res.statusCode >= 500) throw new Error(`${route.method} ${url} ${JSON.stringify(body)} -> ${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400 && typeof res.json<ErrorJson>().error?.code !== 'string') throw new Error(`error format: ${res.body}`);
      },
    ),
    { numRuns: 400, seed: Number(process.env.PORTIER_FUZZ_SEED ?? 4242) },
  );
  t.equal(requests, 400);
});
