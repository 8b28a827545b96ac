// Custom fields over the API on a real loopback port: definitions (limits, labels, permission, tenancy), each type's
// values checked on users, contacts and reservations (a bad value: 422 naming the field), required fields on create
// and import, search by a custom value, and a field's removal leaving the activity log readable.
import t, { type Test } from 'tap';
import { listeningCliApp, signedInUser, type Role, type TestApp } from './helpers.ts';

type Json = Record<string, unknown>;
interface Api {
  ta: TestApp;
  call(method: string, path: string, body?: unknown, as?: Role | Record<string, string>): Promise<{ status: number; json: Json; text: string }>;
}

async function setup(t: Test): Promise<Api> {
  const { ta, env } = await listeningCliApp(t);
  const base = `${env('admin').PORTIER_URL}/api/v1`;
  return {
    ta,
    async call(method, path, body, as = 'admin') {
      const auth = typeof as === 'string' ? ta.headers(as) : as;
      const csv = typeof body === 'string';
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...auth, ...(body !== undefined ? { 'content-type': csv ? 'text/csv' : 'application/json' } : {}) },
        ...(body !== undefined ? { body: csv ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      const json = res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as Json) : {};
      return { status: res.status, json, text };
    },
  };
}

const field = (en: string, type: string, appliesTo: string[], more: Json = {}) => ({ label: { en, fr: `${en} (fr)` }, type, appliesTo, ...more });
const idOf = (r: { json: Json }) => (r.json['customField'] as { id: string }).id;

t.test('definitions: at most ten, labels unique per language, type fixed, settings permission, other enterprises 404', async (t) => {
  const api = await setup(t);
  const cost = await api.call('POST', '/custom-fields', field('Cost centre', 'number', ['users', 'contacts', 'reservations']));
  t.equal(cost.status, 201, cost.text);
  t.match(cost.json, { customField: { label: { en: 'Cost centre', fr: 'Cost centre (fr)' }, type: 'number', required: false, appliesTo: ['users', 'contacts', 'reservations'] } });
  const again = await api.call('POST', '/custom-fields', { ...field('COST CENTRE', 'text', ['contacts']), label: { en: 'COST CENTRE', fr: 'Autre' } });
  t.match([again.status, again.json], [409, { error: { field: 'body.label.en' } }], 'a label another field has, in any case');
  t.match((await api.call('POST', '/custom-fields', field('Email', 'text', ['contacts']))).json, { error: { message: /standard column of the contacts CSV/ } });
  t.match((await api.call('POST', '/custom-fields', field('Shift', 'choice', ['contacts']))).json, { error: { field: 'body.options' } }, 'a choice needs options');
  t.equal((await api.call('POST', '/custom-fields', field('Nope', 'text', ['contacts']), 'operator')).status, 403, 'changing them takes the settings permission');
  t.equal((await api.call('GET', '/custom-fields', undefined, 'operator')).status, 200, 'whoever fills them in reads them');
  t.match((await api.call('PATCH', `/custom-fields/${idOf(cost)}`, { type: 'text' })).json, { error: { field: 'body.type' } }, 'the type stays');
  for (let i = 2; i <= 10; i++) t.equal((await api.call('POST', '/custom-fields', field(`F${i}`, 'text', ['users']))).status, 201);
  t.match(await api.call('POST', '/custom-fields', field('Eleventh', 'text', ['users'])), { status: 409, json: { error: { message: /at most 10 custom fields/ } } });
  const f10 = ((await api.call('GET', '/custom-fields')).json['customFields'] as { id: string }[])[9]!.id;
  t.equal((await api.call('DELETE', `/custom-fields/${f10}`)).status, 200);
  t.equal((await api.call('POST', '/custom-fields', field('Eleventh', 'text', ['users']))).status, 201, 'a removed field frees its place');
  t.equal(((await api.call('GET', '/custom-fields')).json['customFields'] as unknown[]).length, 10);
  t.equal(((await api.call('GET', '/custom-fields?includeRemoved=true')).json['customFields'] as unknown[]).length, 11);

  const other = await signedInUser(api.ta, 'olga', { enterpriseId: 'other' });
  t.equal((await api.call('PATCH', `/custom-fields/${idOf(cost)}`, { required: true }, other)).status, 404, "another enterprise's field does not exist for it");
  t.same((await api.call('GET', '/custom-fields', undefined, other)).json, { customFields: [] });
});

t.test('each type is checked on contacts, users and reservations; values shown by label and by id', async (t) => {
  const api = await setup(t);
  const cost = idOf(await api.call('POST', '/custom-fields', field('Cost centre', 'number', ['users', 'contacts', 'reservations'])));
  const start = idOf(await api.call('POST', '/custom-fields', field('Start date', 'date', ['users', 'contacts'])));
  const shift = idOf(await api.call('POST', '/custom-fields', field('Shift', 'choice', ['contacts'], { options: ['Day', 'Night'] })));
  const note = idOf(await api.call('POST', '/custom-fields', field('Desk', 'text', ['contacts'])));

  const contact = (custom: Json) => api.call('POST', '/contacts', { firstName: 'Ana', lastName: 'Silva', custom });
  for (const [custom, message] of [
    [{ 'Cost centre': 'abc' }, 'custom.Cost centre: must be a number'],
    [{ 'Start date': '2026-02-30' }, 'custom.Start date: must be a date (YYYY-MM-DD)'],
    [{ 'start date': '06/12/2026' }, 'custom.Start date: must be a date (YYYY-MM-DD)'],
    [{ Shift: 'Evening' }, 'custom.Shift: must be one of: Day, Night'],
    [{ Desk: 12 }, 'custom.Desk: must be text'],
    [{ Parking: 'P1' }, 'custom.Parking: no such custom field on contacts'],
  ] as const) {
    const r = await contact(custom);
    t.match([r.status, r.json], [422, { error: { code: 'VALIDATION', message, field: `body.${message.split(':')[0]}` } }], message);
  }
  const good = await contact({ 'Cost centre': '4200', 'Start date (fr)': '2026-12-07', shift: 'night', [note]: ' Window ' });
  t.equal(good.status, 201, good.text);
  const ana = good.json['contact'] as Json;
  t.same(ana['custom'], { 'Cost centre': 4200, 'Start date': '2026-12-07', Shift: 'Night', Desk: 'Window' }, 'by English label, typed and trimmed');
  t.same(ana['customValues'], { [cost]: 4200, [start]: '2026-12-07', [shift]: 'Night', [note]: 'Window' }, 'by id');
  t.match((await api.call('PATCH', `/contacts/${ana['id'] as string}`, { custom: { Shift: 'Dusk' } })).json, { error: { message: 'custom.Shift: must be one of: Day, Night' } }, 'an edit is checked');
  const edited = await api.call('PATCH', `/contacts/${ana['id'] as string}`, { custom: { Shift: null, 'Cost centre': 7 } });
  t.same((edited.json['contact'] as Json)['custom'], { 'Cost centre': 7, 'Start date': '2026-12-07', Desk: 'Window' }, 'null clears one, the others stay');

  const user = await api.call('POST', '/users', { username: 'una', role: 'operator', custom: { 'Start date': '2026-13-01' } });
  t.match([user.status, user.json], [422, { error: { message: 'custom.Start date: must be a date (YYYY-MM-DD)' } }]);
  t.match((await api.call('POST', '/users', { username: 'una', role: 'operator', custom: { Shift: 'Day' } })).json, { error: { message: 'custom.Shift: no such custom field on users' } }, 'a field not on users');
  const una = await api.call('POST', '/users', { username: 'una', role: 'operator', custom: { 'Cost centre': -1.5 } });
  t.equal(una.status, 201, una.text);
  t.same((una.json['user'] as Json)['custom'], { 'Cost centre': -1.5 });

  const reserve = (custom: Json) => api.call('POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', custom });
  t.match((await reserve({ 'Cost centre': '1e' })).json, { error: { message: 'custom.Cost centre: must be a number' } });
  const r = await reserve({ 'Cost centre': '12' });
  t.equal(r.status, 201, r.text);
  const reservation = r.json['reservation'] as Json;
  t.same(reservation['custom'], { 'Cost centre': 12 });
  const patched = await api.call('PATCH', `/reservations/${reservation['id'] as string}`, { custom: { 'Cost centre': 'x' } });
  t.match([patched.status, patched.json], [422, { error: { message: 'custom.Cost centre: must be a number' } }]);
  const set = await api.call('PATCH', `/reservations/${reservation['id'] as string}`, { custom: { 'Cost centre': 13 } });
  t.same((set.json['reservation'] as Json)['custom'], { 'Cost centre': 13 });
  t.same(((await api.call('GET', `/reservations/${reservation['id'] as string}`)).json['reservation'] as Json)['custom'], { 'Cost centre': 13 }, 'read back');

  const renamed = await api.call('PATCH', `/custom-fields/${cost}`, { label: { en: 'Cost center' } });
  t.equal(renamed.status, 200, renamed.text);
  t.same(((await api.call('GET', `/contacts/${ana['id'] as string}`)).json['contact'] as Json)['custom'], { 'Cost center': 7, 'Start date': '2026-12-07', Desk: 'Window' }, 'a relabel keeps the values');
});

t.test('a required field: asked on create and import, never cleared, not asked of records made before it', async (t) => {
  const api = await setup(t);
  const code = idOf(await api.call('POST', '/custom-fields', field('Dept code', 'text', ['users', 'contacts'], { required: true })));
  const missing = await api.call('POST', '/contacts', { firstName: 'No', lastName: 'Code' });
  t.match([missing.status, missing.json], [422, { error: { message: 'custom.Dept code: required', field: 'body.custom.Dept code' } }]);
  t.equal((await api.call('POST', '/contacts', { firstName: 'Has', lastName: 'Code', custom: { 'Dept code': 'D1' } })).status, 201);
  t.equal((await api.call('PATCH', '/contacts/c-rec', { lastName: 'Renamed' })).status, 200, 'a contact made before the field is edited without it');
  const given = await api.call('PATCH', '/contacts/c-rec', { custom: { 'Dept code': 'D2' } });
  t.equal(given.status, 200);
  t.match((await api.call('PATCH', '/contacts/c-rec', { custom: { 'Dept code': '' } })).json, { error: { message: 'custom.Dept code: required' } }, 'once given, never cleared');
  t.match((await api.call('POST', '/users', { username: 'nob', role: 'operator' })).json, { error: { message: 'custom.Dept code: required' } });

  const before = api.ta.store.list('contacts').length;
  const contactsCsv = 'PersonnelID,FirstName,LastName,Dept code\r\nN-1,Ann,One,D3\r\nN-2,Bob,Two,\r\nP-1,Rita,Recipient,\r\n';
  const refused = await api.call('POST', '/contacts/import', contactsCsv);
  t.equal(refused.status, 422, refused.text);
  t.same(refused.json['problems'], [
    { line: 3, column: 'Dept code', problem: 'required' },
    { line: 4, column: 'Dept code', problem: 'required' },
  ], 'a new row without it, and a row clearing it');
  const noColumn = await api.call('POST', '/contacts/import', 'PersonnelID,FirstName,LastName\r\nN-1,Ann,One\r\nP-1,Rita,Recipient\r\n');
  t.same(noColumn.json['problems'], [{ line: 2, column: 'Dept code', problem: 'required' }], 'a new row of a file without the column; a known one keeps its value');
  t.equal(api.ta.store.list('contacts').length, before, 'nothing imported');
  const ok = await api.call('POST', '/contacts/import', 'PersonnelID,FirstName,LastName,Dept code\r\nN-1,Ann,One,D3\r\n');
  t.match([ok.status, ok.json], [200, { import: { added: 1 } }]);

  const users = await api.call('POST', '/users/import', 'Email,FirstName,LastName,Role\r\nzed@acme.test,Zed,Zero,operator\r\n');
  t.same(users.json['problems'], [{ line: 2, column: 'Dept code', problem: 'required' }]);
  const usersOk = await api.call('POST', '/users/import', 'Email,FirstName,LastName,Role,Dept code\r\nzed@acme.test,Zed,Zero,operator,D9\r\n');
  t.match([usersOk.status, usersOk.json], [200, { import: { added: 1 } }]);
  const zed = api.ta.store.list('users').find((u) => u.email === 'zed@acme.test')!;
  t.same(zed.customValues, { [code]: 'D9' });
});

t.test('search by a custom value: contacts, users and the reservations listing', async (t) => {
  const api = await setup(t);
  await api.call('POST', '/custom-fields', field('Cost centre', 'text', ['users', 'contacts', 'reservations']));
  await api.call('PATCH', '/contacts/c-ada', { custom: { 'Cost centre': 'ZX-Finance' } });
  await api.call('POST', '/users', { username: 'uma', role: 'operator', custom: { 'Cost centre': 'ZX-Ops' } });
  const r = await api.call('POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', custom: { 'Cost centre': 'ZX-Mail' } });
  await api.call('POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-ada' }, size: 'M' });
  const contacts = await api.call('GET', '/contacts?q=zx-fin');
  t.same((contacts.json['contacts'] as Json[]).map((c) => c['id']), ['c-ada']);
  t.same(((await api.call('GET', '/users?q=zx-ops')).json['users'] as Json[]).map((u) => u['username']), ['uma']);
  t.same(((await api.call('GET', '/reservations?q=zx-mail')).json['reservations'] as Json[]).map((x) => x['id']), [(r.json['reservation'] as Json)['id']]);
  t.same(((await api.call('GET', '/reservations?q=zx')).json['reservations'] as Json[]).length, 1, 'only those holding it');
});

t.test("a removed field: not shown, exported or taken any more; the activity log still names it by label", async (t) => {
  const api = await setup(t);
  const cost = idOf(await api.call('POST', '/custom-fields', field('Cost centre', 'number', ['users', 'contacts'])));
  const una = (await api.call('POST', '/users', { username: 'una', role: 'operator', email: 'una@acme.test', custom: { 'Cost centre': 42 } })).json['user'] as Json;
  await api.call('PATCH', '/contacts/c-ada', { custom: { 'Cost centre': 7 } });
  await api.call('PATCH', `/custom-fields/${cost}`, { label: { en: 'Cost center' } });
  const removed = await api.call('DELETE', `/custom-fields/${cost}`);
  t.match(removed, { status: 200, json: { customField: { id: cost, removedAt: Number } } });

  const user = (await api.call('GET', `/users/${una['id'] as string}`)).json['user'] as Json;
  t.notOk('custom' in user || 'customValues' in user, 'the value is no longer shown');
  t.notMatch((await api.call('GET', '/users/export')).text, /Cost/, 'nor exported');
  t.match((await api.call('PATCH', '/contacts/c-ada', { custom: { 'Cost center': 8 } })).json, { error: { message: 'custom.Cost center: no such custom field on contacts' } }, 'nor taken');
  t.same(((await api.call('GET', '/contacts?q=7')).json['contacts'] as unknown[]).length, 0, 'nor found');

  const activity = (await api.call('GET', '/activity?type=admin-change')).json['activity'] as { targetName?: string; changesText?: string; target?: { kind: string } }[];
  const created = activity.find((a) => a.targetName === `user una (${una['id'] as string})`);
  t.match(created?.changesText, /; custom\.Cost center \(removed\): \(none\) → 42$/);
  const contactEdit = activity.filter((a) => a.targetName?.startsWith('contact Adam Access')).at(-1);
  t.equal(contactEdit?.changesText, 'custom.Cost center (removed): changed', 'a contact edit names the field, without the value');
  const fieldEntries = activity.filter((a) => a.target?.kind === 'custom-field').map((a) => [a.targetName, a.changesText]);
  t.match(fieldEntries, [
    [`custom field Cost center (${cost}, removed)`, /label\.en: \(none\) → Cost centre/],
    [`custom field Cost center (${cost}, removed)`, 'label.en: Cost centre → Cost center'],
    [`custom field Cost center (${cost}, removed)`, /label\.en: Cost center → \(none\)/],
  ]);
});

t.test('CSV round trip: contacts and users exported with a column per field, imported into a fresh enterprise with the same values', async (t) => {
  const api = await setup(t);
  const src = await signedInUser(api.ta, 'src-admin', { enterpriseId: 'src' });
  const dst = await signedInUser(api.ta, 'dst-admin', { enterpriseId: 'dst' });
  const define = async (as: Record<string, string>) => {
    for (const f of [
      field('Cost centre', 'number', ['users', 'contacts']),
      field('Start date', 'date', ['users', 'contacts'], { required: true }),
      field('Shift', 'choice', ['contacts'], { options: ['Day', 'Night'] }),
      field('Note', 'text', ['contacts', 'users']),
    ])
      t.equal((await api.call('POST', '/custom-fields', f, as)).status, 201);
  };
  await define(src);
  // The fields are made in another order in the destination: columns are matched by label, values stored by its ids.
  await api.call('POST', '/custom-fields', field('Unrelated', 'text', ['contacts']), dst);
  await define(dst);
  const people = [
    { firstName: 'Ana', lastName: 'Silva', personnelId: 'S-1', custom: { 'Cost centre': 4200.5, 'Start date': '2026-01-31', Shift: 'Night', Note: '=1+1, "quoted"' } },
    { firstName: 'Ben', lastName: 'Okafor', personnelId: 'S-2', custom: { 'Start date': '2025-12-01' } },
  ];
  for (const p of people) t.equal((await api.call('POST', '/contacts', p, src)).status, 201);
  for (const [i, p] of people.entries()) {
    const u = await api.call('POST', '/users', { username: `user${i}`, email: `user${i}@src.test`, firstName: p.firstName, lastName: p.lastName, role: 'operator', custom: { ...p.custom, Shift: undefined } }, src);
    t.equal(u.status, 201, u.text);
  }

  const contactsCsv = await api.call('GET', '/contacts/export', undefined, src);
  t.equal(contactsCsv.text.split('\r\n')[0], 'PersonnelID,FirstName,LastName,Email,Phone,Department,Location,NeedsAccessibility,Notifications,Language,Private,BadgeID,Cost centre,Start date,Shift,Note');
  t.match(contactsCsv.text, /,4200\.5,2026-01-31,Night,"'=1\+1, ""quoted"""\r\n/, 'a formula-looking value is neutralized');
  const usersCsv = await api.call('GET', '/users/export', undefined, src);
  t.match(usersCsv.text.split('\r\n')[0], /,BadgeID,Cost centre,Start date,Note$/);
  t.equal((await api.call('GET', '/users/template', undefined, dst)).text, 'Email,FirstName,LastName,Role,AccessLevel,EmployeeID,Language,BadgeID,Cost centre,Start date,Note\r\n');

  const imported = await api.call('POST', '/contacts/import', contactsCsv.text, dst);
  t.match([imported.status, imported.json], [200, { import: { added: 2 } }], imported.text);
  // E-mails are unique across the cloud: the users leave the source before they join the destination.
  for (const u of api.ta.store.list('users').filter((x) => x.enterpriseId === 'src' && x.email !== undefined)) t.equal((await api.call('DELETE', `/users/${u.id}`, undefined, src)).status, 204);
  const importedUsers = await api.call('POST', '/users/import', usersCsv.text, dst);
  t.match([importedUsers.status, importedUsers.json], [200, { import: { added: 2 } }], importedUsers.text);

  const byLabel = async (path: string, key: string, as: Record<string, string>) =>
    Object.fromEntries(((await api.call('GET', path, undefined, as)).json[key] as Json[]).filter((r) => r['custom'] !== undefined).map((r) => [r['lastName'], r['custom']]));
  const want = { Silva: people[0]!.custom, Okafor: people[1]!.custom };
  t.same(await byLabel('/contacts', 'contacts', dst), want, 'contacts: the same values by label');
  const { Shift: _shift, ...silvaUser } = people[0]!.custom;
  t.same(await byLabel('/users', 'users', dst), { Silva: silvaUser, Okafor: people[1]!.custom }, 'users: the same values by label');
  const again = await api.call('POST', '/contacts/import', (await api.call('GET', '/contacts/export', undefined, dst)).text, dst);
  t.match(again.json, { import: { unchanged: 2, added: 0, updated: 0 } }, "the destination's own export imports back unchanged");
  t.same((await api.call('POST', '/contacts/import', 'PersonnelID,FirstName,LastName,Start date,Floor\r\nS-9,Cy,Three,2026-01-01,2\r\n', dst)).json['problems'], [{ line: 1, column: 'Floor', problem: 'no custom field "Floor" on contacts' }], 'a column naming no field');
  t.match((await api.call('POST', '/contacts/import', 'PersonnelID,FirstName,LastName,Start date\r\nS-9,Cy,Three,31/01/2026\r\n', dst)).json, { problems: [{ line: 2, column: 'Start date', problem: 'must be a date (YYYY-MM-DD)' }] }, 'a bad cell by line and column');
  const old = await api.call('POST', '/contacts/import', 'PersonnelID,FirstName,LastName\r\nS-1,Ana,Silva\r\n', dst);
  t.match(old.json, { import: { unchanged: 1 } }, 'a file of the columns before custom fields still imports; a known contact keeps its values');
});
