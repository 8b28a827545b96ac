/**
 * The organisation after creation over the API: enterprises, divisions, locations, banks and columns read, edited and
 * deleted; a delete refused (409, naming what depends on it) while anything hangs below; every change in the activity
 * log with the actor and the old and new values; refusals change nothing.
 */
import t from 'tap';
import { auditEntries, auditLines } from './audit-lines.ts';
import { call, seededApp as seeded, storeSnapshot, type ErrorReply, type Method, type TestApp } from './helpers.ts';

async function organisationActivity(ta: TestApp): Promise<string[]> {
  const org = new Set(['enterprise', 'division', 'location', 'bank', 'column', 'locker']);
  return auditLines(ta.service, (a) => org.has(a.target?.kind ?? '') && !a.detail?.endsWith('created'));
}

t.test('read and rename each level; the activity log says who changed what from what to what', async (t) => {
  const ta = await seeded(t);
  const adminId = (await ta.auth.findUserByName('admin'))!.id;

  t.match((await call(ta, 'GET', '/enterprises/ent')).json(), { enterprise: { id: 'ent', name: 'Acme' } });
  t.match((await call(ta, 'GET', '/divisions/div')).json(), { division: { id: 'div', enterpriseId: 'ent', name: 'North' } });
  t.match((await call(ta, 'GET', '/locations/loc')).json(), { location: { id: 'loc', divisionId: 'div', name: 'HQ' } });
  t.match((await call(ta, 'GET', '/columns/col')).json(), { column: { id: 'col', bankId: 'bank', kind: 'kiosk', controllerId: 'ctl-1' } });

  const e = await call(ta, 'PATCH', '/enterprises/ent', { name: 'Acme Corp' });
  t.equal(e.statusCode, 200, e.body);
  t.equal(e.json().enterprise.name, 'Acme Corp');
  t.equal((await call(ta, 'PATCH', '/divisions/div', { name: 'South' })).json().division.name, 'South');
  const loc = await call(ta, 'PATCH', '/locations/loc', { name: 'Head office', address: '1 Main St', reach: { preset: 'ada-2010' } });
  t.equal(loc.statusCode, 200, loc.body);
  t.match(loc.json(), { location: { name: 'Head office', addressLine1: '1 Main St', reach: { preset: 'ada-2010' } } }, 'the single address text is the first address line');
  const noAddress = await call(ta, 'PATCH', '/locations/loc', { addressLine1: null });
  t.notOk('addressLine1' in noAddress.json().location, 'null removes the address line');

  t.same(await organisationActivity(ta), [
    'enterprise:ent enterprise renamed | name: Acme -> Acme Corp',
    'division:div division renamed | name: North -> South',
    'location:loc location changed | name: HQ -> Head office; addressLine1: none -> 1 Main St; reach: {"preset":"default"} -> {"preset":"ada-2010"}',
    'location:loc location changed | addressLine1: 1 Main St -> none',
  ]);
  const last = (await auditEntries(ta.service)).at(-1)!;
  t.match(last, { actor: { id: adminId }, enterpriseId: 'ent' }, 'who, and in which enterprise');
});

t.test('a new reach range re-judges the lockers of the location (what the API shows as accessible)', async (t) => {
  const ta = await seeded(t);
  const before = (await call(ta, 'GET', '/banks/bank/lockers')).json().lockers.filter((v: { accessible: boolean }) => v.accessible).length;
  t.equal(before, 3);
  await call(ta, 'PATCH', '/locations/loc', { reach: { preset: 'custom', minCm: 0, maxCm: 300 } });
  const after = (await call(ta, 'GET', '/banks/bank/lockers')).json().lockers.filter((v: { accessible: boolean }) => v.accessible).length;
  t.equal(after, 6);
});

t.test('a column changes kind; a second kiosk column is refused', async (t) => {
  const ta = await seeded(t);
  await ta.service.createColumn({ id: 'col2', bankId: 'bank', position: 2, kind: 'plain', controllerId: 'ctl-2' }, { role: 'admin' });
  const refused = await call(ta, 'PATCH', '/columns/col2', { kind: 'kiosk' });
  t.equal(refused.statusCode, 409);
  t.match(refused.json<ErrorReply>().error, { code: 'CONFLICT', field: 'kind', message: /already has its kiosk column/ });
  const moved = await call(ta, 'PATCH', '/columns/col', { kind: 'plain' });
  t.equal(moved.statusCode, 200, moved.body);
  t.equal((await call(ta, 'PATCH', '/columns/col2', { kind: 'kiosk' })).json().column.kind, 'kiosk');
  t.same(await organisationActivity(ta), ['column:col column changed | kind: kiosk -> plain', 'column:col2 column changed | kind: plain -> kiosk']);
});

t.test('delete is refused while anything depends on the record, naming it, and nothing changes', async (t) => {
  const ta = await seeded(t);
  const before = await storeSnapshot(ta.store);
  const cases: Array<[string, RegExp, string]> = [
    ['/divisions/div', /division div cannot be deleted: it still has 1 location \(loc\)/, 'divisionId'],
    ['/locations/loc', /location loc cannot be deleted: it still has 1 bank \(bank\)/, 'locationId'],
    ['/banks/bank', /bank bank cannot be deleted: it still has 1 column \(col\) and 6 lockers \(1, 2, 3, 4, 5, \.\.\.\)/, 'bankId'],
    ['/columns/col', /column col cannot be deleted: it still has 6 lockers/, 'columnId'],
  ];
  for (const [url, message, field] of cases) {
    const r = await call(ta, 'DELETE', url);
    t.equal(r.statusCode, 409, url);
    t.match(r.json<ErrorReply>().error, { code: 'CONFLICT', message, field }, url);
  }
  // Deleting an enterprise is a platform operation (the test admin is a platform admin), refused while anything of it is left.
  const ent = await call(ta, 'DELETE', '/enterprises/ent');
  t.equal(ent.statusCode, 409);
  t.match(ent.json<ErrorReply>().error, { code: 'CONFLICT', field: 'params.enterpriseId', message: /enterprise ent cannot be deleted: it still has 1 division \(div\) and 2 contacts \(c-rec, c-ada\) and 1 department \(dep\) and 1 carrier \(car\) and 4 logins/ });
  t.equal(await storeSnapshot(ta.store), before, 'nothing was written');
});

t.test('bottom-up delete of a whole site; each is in the activity log; a deleted record answers 404', async (t) => {
  const ta = await seeded(t);
  for (let n = 1; n <= 6; n++) t.equal((await call(ta, 'DELETE', `/banks/bank/lockers/${n}`)).statusCode, 200, `locker ${n}`);
  const col = await call(ta, 'DELETE', '/columns/col');
  t.equal(col.statusCode, 200, col.body);
  t.equal(col.json().column.id, 'col');
  t.equal((await call(ta, 'DELETE', '/banks/bank')).json().bank.id, 'bank');
  t.equal((await call(ta, 'DELETE', '/locations/loc')).json().location.id, 'loc');
  t.equal((await call(ta, 'DELETE', '/divisions/div')).json().division.id, 'div');
  for (const url of ['/divisions/div', '/locations/loc', '/banks/bank', '/columns/col']) {
    const r = await call(ta, 'GET', url);
    t.equal(r.statusCode, 404, url);
    t.equal(r.json<ErrorReply>().error.code, 'NOT_FOUND', url);
  }
  const log = await organisationActivity(ta);
  t.equal(log.length, 10);
  t.match(log[0], /^locker:bank\/1 locker deleted \| columnId: col -> none; door: 1 -> none; size: S -> none; loading: front -> none$/);
  t.same(log.slice(6), [
    "column:col column deleted; its controller's identity is revoked | position: 1 -> none; kind: kiosk -> none; controllerId: ctl-1 -> none",
    'bank:bank bank deleted | name: Lobby -> none; locationId: loc -> none',
    'location:loc location deleted | name: HQ -> none',
    'division:div division deleted | name: North -> none',
  ]);
});

t.test('not found, bad input and refused callers; nothing stored', async (t) => {
  const ta = await seeded(t);
  const before = await storeSnapshot(ta.store);
  for (const [method, url, body] of [
    ['GET', '/divisions/nope'],
    ['PATCH', '/locations/nope', { name: 'X' }],
    ['DELETE', '/columns/nope'],
    ['DELETE', '/banks/nope'],
    ['PATCH', '/enterprises/nope', { name: 'X' }],
  ] as Array<[Method, string, unknown?]>) {
    const r = await call(ta, method, url, body);
    t.equal(r.statusCode, 404, `${method} ${url}`);
    t.match(r.json<ErrorReply>().error, { code: 'NOT_FOUND', message: /"nope" not found/ });
  }
  for (const [url, body, field] of [
    ['/divisions/div', { name: 'x'.repeat(201) }, 'body.name'],
    ['/divisions/div', { name: 'South', extra: 1 }, 'body'],
    ['/divisions/div', { name: 42 }, 'body.name'],
    ['/locations/loc', {}, 'body'],
    ['/locations/loc', { reach: { preset: 'custom', minCm: 50 } }, 'body.reach.maxCm'],
    ['/columns/col', { position: 3 }, 'body'],
    ['/enterprises/ent', { name: '' }, 'body.name'],
  ] as Array<[string, unknown, string]>) {
    const r = await call(ta, 'PATCH', url, body);
    t.equal(r.statusCode, 400, `${url} ${JSON.stringify(body)}: ${r.body}`);
    const err = r.json<ErrorReply>().error;
    t.equal(err.code, 'VALIDATION');
    t.match(err.field, field);
    t.type(err.message, 'string');
  }
  for (const role of ['operator', 'carrier', 'recipient'] as const) {
    for (const [method, url, body] of [
      ['PATCH', '/divisions/div', { name: 'X' }],
      ['DELETE', '/banks/bank/lockers/1'],
      ['GET', '/locations/loc'],
    ] as Array<[Method, string, unknown?]>) {
      const r = await call(ta, method, url, body, role);
      t.equal(r.statusCode, 403, `${role} ${method} ${url}`);
    }
  }
  t.equal(await storeSnapshot(ta.store), before, 'nothing was written');
});
