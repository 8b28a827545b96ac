// The address book over HTTP: contacts and departments added, edited, searched, deleted; refusals (hidden from
// callers without the permission, not found, in use, bad input) leave the store as it was; every change audited.
import t, { type Test } from 'tap';
import type { Contact } from '../../src/domain/model.ts';
import { makeTestApp, seedModel, seedSecondSites, signedInUser, storeSnapshot, type TestApp } from './helpers.ts';

/** A contact as the API answers it. */
type ContactJson = Contact;
interface ErrorJson {
  error: { code: string; message: string; field?: string };
}

async function setup(t: Test): Promise<TestApp> {
  const ta = await makeTestApp({ recipientContactId: 'c-rec' });
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  return ta;
}

function call(ta: TestApp, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, role: 'admin' | 'operator' | 'carrier' | 'recipient' = 'operator') {
  return ta.app.inject({ method, url: `/api/v1${url}`, headers: ta.headers(role), ...(payload !== undefined ? { payload: payload as object } : {}) });
}

t.test('add, get, edit, search and delete a contact; each change in the activity log with the fields changed', async (t) => {
  const ta = await setup(t);
  await ta.service.customFields.create('ent', { label: { en: 'Floor', fr: 'Étage' }, type: 'text', appliesTo: ['contacts'] }, { role: 'admin' });
  const add = await call(ta, 'POST', '/contacts', {
    firstName: 'Léa',
    lastName: 'Dubois',
    email: 'lea.dubois@example.org',
    phone: '+33 1 23 45 67 89',
    personnelId: 'E-7',
    departmentId: 'dep',
    locationId: 'loc',
    needsAccessible: true,
    notifications: 'none',
    language: 'fr',
    badgeId: 'B-77',
    custom: { Floor: '3' },
  });
  t.equal(add.statusCode, 201, add.body);
  const lea = add.json<{ contact: ContactJson }>().contact;
  t.match(lea, { firstName: 'Léa', lastName: 'Dubois', private: false, notifications: 'none', language: 'fr', departmentId: 'dep', locationId: 'loc' });
  t.match((await call(ta, 'GET', '/departments/dep')).json(), { department: { memberIds: ['c-rec', lea.id] } }, 'a member of its department');

  const edit = await call(ta, 'PATCH', `/contacts/${lea.id}`, { lastName: 'Martin', email: null, private: true });
  t.equal(edit.statusCode, 200, edit.body);
  const edited = edit.json<{ contact: ContactJson }>().contact;
  t.equal(edited.lastName, 'Martin');
  t.notOk('email' in edited, 'null clears a field');
  t.same((await call(ta, 'GET', `/contacts/${lea.id}`)).json(), { contact: edited }, 'read back');

  const search = async (q: string) => (await call(ta, 'GET', `/contacts?q=${encodeURIComponent(q)}`)).json<{ contacts: ContactJson[]; total: number }>();
  t.same((await search('lea')).contacts.map((c) => c.id), [lea.id], 'accents ignored');
  t.same((await search('MART')).contacts.map((c) => c.id), [lea.id], 'prefix of the last name, case ignored');
  t.same((await search('e-7')).contacts.map((c) => c.id), [lea.id], 'personnel ID');
  t.same((await search('rita@')).contacts.map((c) => c.id), ['c-rec'], 'e-mail');
  t.same((await search('cess')).contacts.map((c) => c.id), ['c-ada'], 'substring inside a name');
  const page = (await call(ta, 'GET', '/contacts?limit=2&offset=1')).json<{ contacts: ContactJson[]; total: number }>();
  t.same([page.total, page.contacts.map((c) => c.lastName)], [3, ['Martin', 'Recipient']], 'paged in name order (Access, Martin, Recipient)');

  const reserve = await call(ta, 'POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: lea.id }, size: 'S', trackingId: 'T-9' });
  t.equal(reserve.statusCode, 409, 'a private contact cannot be reserved for');
  t.match(reserve.json(), { error: { code: 'INVALID_STATE', message: /private/, field: 'body.recipient.id' } });

  const del = await call(ta, 'DELETE', `/contacts/${lea.id}`);
  t.equal(del.statusCode, 200, del.body);
  t.equal((await call(ta, 'GET', `/contacts/${lea.id}`)).statusCode, 404, 'gone');
  t.match((await call(ta, 'GET', '/departments/dep')).json(), { department: { memberIds: ['c-rec'] } }, 'and out of its department');
  const audit = await ta.service.queryActivity({ type: 'admin-change' });
  const op = { role: 'operator', id: (await ta.auth.findUserByName('operator'))!.id };
  t.same(
    audit.slice(-3).map((a) => [a.actor, a.recipientId, a.detail]),
    [
      [op, lea.id, `contact ${lea.id} added`],
      [op, lea.id, `contact ${lea.id} edited: email, lastName, private`],
      [op, lea.id, `contact ${lea.id} deleted`],
    ],
  );
  t.notMatch(JSON.stringify(audit), /Dubois|lea\.dubois/, 'no personal data in the audit details');
});

t.test('a contact is not deleted while a reservation holds a parcel for them; a department neither', async (t) => {
  const ta = await setup(t);
  const r = await call(ta, 'POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', trackingId: 'T-1' });
  t.equal(r.statusCode, 201, r.body);
  const dep = await call(ta, 'POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'department', id: 'dep' }, size: 'S', trackingId: 'T-2' });
  t.equal(dep.statusCode, 201, dep.body);
  const before = await storeSnapshot(ta.store);
  const c = await call(ta, 'DELETE', '/contacts/c-rec');
  t.equal(c.statusCode, 409);
  t.match(c.json(), { error: { code: 'CONFLICT', message: /^contact c-rec cannot be deleted while reservation .+ is for them$/, field: 'params.contactId' } });
  const d = await call(ta, 'DELETE', '/departments/dep');
  t.equal(d.statusCode, 409);
  t.match(d.json(), { error: { code: 'CONFLICT', message: /^department dep cannot be deleted while reservation .+ is for it$/, field: 'params.departmentId' } });
  t.equal(await storeSnapshot(ta.store), before, 'nothing changed');
  t.equal((await call(ta, 'DELETE', '/contacts/c-ada')).statusCode, 200, 'a contact nothing names goes');
});

t.test('departments: add, edit name, members and key contact, list, delete', async (t) => {
  const ta = await setup(t);
  const add = await call(ta, 'POST', '/departments', { name: 'Legal', memberIds: ['c-ada'], keyContactId: 'c-rec' });
  t.equal(add.statusCode, 201, add.body);
  const id = add.json<{ department: { id: string } }>().department.id;
  t.match((await call(ta, 'GET', '/contacts/c-ada')).json(), { contact: { departmentId: id } }, 'a member without a department takes it');
  const edit = await call(ta, 'PATCH', `/departments/${id}`, { name: 'Legal & Tax', memberIds: ['c-rec'], keyContactId: null });
  t.equal(edit.statusCode, 200, edit.body);
  t.match(edit.json(), { department: { name: 'Legal & Tax', memberIds: ['c-rec'] } });
  t.notOk('keyContactId' in edit.json<{ department: object }>().department, 'key contact removed');
  t.notOk('departmentId' in (await call(ta, 'GET', '/contacts/c-ada')).json<{ contact: object }>().contact, 'a member taken out loses it');
  t.same((await call(ta, 'GET', '/departments')).json<{ departments: { name: string }[] }>().departments.map((d) => d.name), ['Finance', 'Legal & Tax']);
  t.equal((await call(ta, 'DELETE', `/departments/${id}`)).statusCode, 200);
  t.equal((await call(ta, 'GET', `/departments/${id}`)).statusCode, 404);
  t.same(
    (await ta.service.queryActivity({ type: 'admin-change' })).slice(-3).map((a) => a.detail),
    [`department ${id} added`, `department ${id} edited: name, memberIds, keyContactId`, `department ${id} deleted`],
  );
});

t.test('without the address-book permission every address-book URL answers 404, as an unknown one', async (t) => {
  const ta = await setup(t);
  const before = await storeSnapshot(ta.store);
  for (const [method, url] of [
    ['GET', '/contacts'],
    ['GET', '/contacts/c-rec'],
    ['GET', '/contacts/no-such'],
    ['GET', '/contacts/export'],
    ['GET', '/contacts/template'],
    ['DELETE', '/contacts/c-rec'],
    ['GET', '/departments/dep'],
    ['PATCH', '/departments/dep'],
  ] as const) {
    for (const role of ['carrier', 'recipient'] as const) {
      const res = await call(ta, method, url, method === 'PATCH' ? { name: 'X' } : undefined, role);
      t.equal(res.statusCode, 404, `${method} ${url} as ${role}`);
      t.same(res.json(), { error: { code: 'NOT_FOUND', message: `no route ${method} /api/v1${url}` } }, 'the answer of a route that does not exist');
    }
  }
  t.equal(await storeSnapshot(ta.store), before);
});

t.test('bad input: wrong types, unknown fields, over-long strings, unknown links; a 4xx naming the field, nothing stored', async (t) => {
  const ta = await setup(t);
  const before = await storeSnapshot(ta.store);
  const cases: [string, 'POST' | 'PATCH', string, unknown, number, string][] = [
    ['wrong type', 'POST', '/contacts', { firstName: 1, lastName: 'X' }, 400, 'body.firstName'],
    ['unknown field', 'POST', '/contacts', { firstName: 'A', lastName: 'B', shoeSize: 44 }, 400, 'body.shoeSize'],
    ['over-long', 'POST', '/contacts', { firstName: 'A'.repeat(101), lastName: 'B' }, 400, 'body.firstName'],
    ['missing last name', 'POST', '/contacts', { firstName: 'A' }, 400, 'body.lastName'],
    ['bad phone', 'POST', '/contacts', { firstName: 'A', lastName: 'B', phone: 'call me' }, 400, 'body.phone'],
    ['bad language', 'POST', '/contacts', { firstName: 'A', lastName: 'B', language: 'de' }, 400, 'body.language'],
    ['duplicate personnel ID', 'POST', '/contacts', { firstName: 'A', lastName: 'B', personnelId: 'p-1' }, 409, 'body.personnelId'],
    ['unknown department', 'POST', '/contacts', { firstName: 'A', lastName: 'B', departmentId: 'nope' }, 404, 'body.departmentId'],
    ['unknown location', 'POST', '/contacts', { firstName: 'A', lastName: 'B', locationId: 'nope' }, 404, 'body.locationId'],
    ['edit: wrong type', 'PATCH', '/contacts/c-rec', { private: 'yes' }, 400, 'body.private'],
    ['edit: over-long e-mail', 'PATCH', '/contacts/c-rec', { email: `${'a'.repeat(250)}@example.org` }, 400, 'body.email'],
    ['department: over-long name', 'POST', '/departments', { name: 'D'.repeat(201) }, 400, 'body.name'],
    ['department: unknown member', 'PATCH', '/departments/dep', { memberIds: ['ghost'] }, 404, 'body.memberIds.0'],
    ['department: unknown field', 'PATCH', '/departments/dep', { colour: 'red' }, 400, 'body.colour'],
  ];
  for (const [what, method, url, body, status, field] of cases) {
    const res = await call(ta, method, url, body);
    t.equal(res.statusCode, status, `${what}: ${res.body}`);
    t.match(res.json<ErrorJson>(), { error: { code: String, message: String, field } }, what);
  }
  t.equal((await call(ta, 'GET', '/contacts/nope')).json<ErrorJson>().error.field, 'params.contactId', 'not found names the id');
  t.equal(await storeSnapshot(ta.store), before, 'nothing stored');
});

t.test("another enterprise's address book does not exist; a location-scoped user sees their location's contacts and those of none", async (t) => {
  const ta = await setup(t);
  await seedSecondSites(ta.service);
  await ta.service.createContact({ id: 'c-annex', enterpriseId: 'ent', firstName: 'Anna', lastName: 'Annex', locationId: 'loc-2', personnelId: 'A-1' }, { role: 'admin' });
  const other = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });
  const local = await signedInUser(ta, 'hq-operator', { role: 'operator', accessLevel: { kind: 'location', id: 'loc' } });
  const as = (headers: Record<string, string>, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    ta.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
  const before = await storeSnapshot(ta.store);
  for (const [method, url, body] of [
    ['GET', '/contacts/c-rec'],
    ['PATCH', '/contacts/c-rec', { lastName: 'Mine' }],
    ['DELETE', '/contacts/c-rec'],
    ['GET', '/departments/dep'],
    ['PATCH', '/departments/dep', { name: 'Mine' }],
    ['DELETE', '/departments/dep'],
    ['POST', '/departments', { name: 'X', memberIds: ['c-rec'] }],
  ] as const) {
    const res = await as(other, method, url, body);
    t.equal(res.statusCode, 404, `another enterprise: ${method} ${url}`);
  }
  t.same((await as(other, 'GET', '/contacts')).json<{ contacts: ContactJson[] }>().contacts.map((c) => c.id), ['c-other'], 'its own contacts only');
  t.same((await as(other, 'GET', '/departments')).json<{ departments: unknown[] }>().departments, []);
  t.notMatch((await as(other, 'GET', '/contacts/export')).body, /Rita|P-1/, 'nor in its export');
  t.equal((await as(other, 'POST', '/contacts', { firstName: 'A', lastName: 'B', personnelId: 'P-1' })).statusCode, 201, 'personnel IDs are per enterprise');
  const afterOther = await storeSnapshot(ta.store);
  t.not(afterOther, before);

  t.equal((await as(local, 'GET', '/contacts/c-annex')).statusCode, 404, 'a contact of another location is outside');
  t.equal((await as(local, 'DELETE', '/contacts/c-annex')).statusCode, 404);
  t.equal((await as(local, 'POST', '/contacts', { firstName: 'A', lastName: 'B', locationId: 'loc-2' })).statusCode, 404, 'nor can one be added there');
  t.same(
    (await as(local, 'GET', '/contacts')).json<{ contacts: ContactJson[] }>().contacts.map((c) => c.id),
    ['c-ada', 'c-rec'],
    'contacts of no location are everyone\'s',
  );
  t.notMatch((await as(local, 'GET', '/contacts/export')).body, /Annex/, 'the export too');
  t.equal(await storeSnapshot(ta.store), afterOther, 'nothing changed by the refusals');
});
