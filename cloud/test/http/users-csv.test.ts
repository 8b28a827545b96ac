// Users CSV over HTTP with real files: template, import (merge by e-mail) checked whole through the users' one path,
// every problem reported by line and column and nothing written, the byte limit, the export (formula cells escaped)
// re-imported to the same data, scope and permissions; the enterprise's employee-ID setting; a user's kiosk
// credentials.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { apiCall, PASSWORD, signedInUser, storeSnapshot, twoSitesApp, type TestApp } from './helpers.ts';

const HEADER = 'Email,FirstName,LastName,Role,AccessLevel,EmployeeID,Language,BadgeID';

interface ImportJson {
  import: { rows: number; added: number; updated: number; unchanged: number };
}
interface RejectedJson {
  error: { code: string; message: string; field: string };
  problems: { line: number; column?: string; problem: string }[];
}
interface UserJson {
  id: string;
  username: string;
  email?: string;
  role: string;
  employeeId?: string;
  hasPassword: boolean;
  accessLevel: { kind: string; id?: string };
}

async function setup(t: Test): Promise<TestApp & { file: (name: string, content: string | Buffer) => Promise<Buffer>; admin: Record<string, string> }> {
  const ta = await twoSitesApp(t);
  const dir = await mkdtemp(join(tmpdir(), 'portier-users-csv-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = async (name: string, content: string | Buffer): Promise<Buffer> => {
    await writeFile(join(dir, name), content);
    return readFile(join(dir, name));
  };
  return Object.assign(ta, { file, admin: ta.headers('admin') });
}

function upload(ta: TestApp, headers: Record<string, string>, body: Buffer) {
  return ta.app.inject({ method: 'POST', url: '/api/v1/users/import', headers: { ...headers, 'content-type': 'text/csv' }, payload: body });
}

const usersByEmail = (ta: TestApp) => new Map(ta.store.list('users').flatMap((u) => (u.email !== undefined ? [[u.email, u] as const] : [])));

t.test('the template is the header row; a file with a BOM, semicolons and a quoted line break imports in one audited commit', async (t) => {
  const ta = await setup(t);
  const tpl = await apiCall(ta, ta.admin, 'GET', '/users/template');
  t.equal(tpl.statusCode, 200);
  t.match(tpl.headers['content-type'], /^text\/csv/);
  t.equal(tpl.body, `${HEADER}\r\n`);
  await ta.service.roles.createRole({ id: 'role-desk', enterpriseId: 'ent', name: 'Front desk', permissions: ['lockers.view'] }, { role: 'admin' });
  const csv = `\uFEFF${HEADER.replaceAll(',', ';')}\r\nana@acme.test;Ana;"Silva\r\nCosta";operator;loc;E-1;FR;B-1\r\nbo@acme.test;Bo;Berg;front desk;;;;\r\n`;
  const res = await upload(ta, ta.admin, await ta.file('bom-semicolons.csv', csv));
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json<ImportJson>().import, { ok: true, rows: 2, added: 2, updated: 0, unchanged: 0 });
  const ana = usersByEmail(ta).get('ana@acme.test')!;
  t.match(ana, { username: 'ana@acme.test', firstName: 'Ana', lastName: 'Silva\r\nCosta', role: 'operator', accessLevel: { kind: 'location', id: 'loc' }, employeeId: 'E-1', language: 'fr', badgeId: 'B-1' });
  t.notOk(ana.passwordHash, 'an imported user has no password');
  t.match(usersByEmail(ta).get('bo@acme.test'), { role: 'role-desk', accessLevel: { kind: 'enterprise' } }, 'a role by its name, any case; empty access level: the enterprise');
  const imports = (await ta.service.queryActivity({ type: 'admin-change' })).filter((a) => a.target?.kind === 'import');
  t.match(imports, [{ detail: 'users imported: 2 rows, 2 added, 0 updated, 0 unchanged' }], 'the import is one entry of the activity');

  // Signing in: none until an administrator sets a password, then with the e-mail.
  const login = () => ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ana@acme.test', password: PASSWORD } });
  t.equal((await login()).statusCode, 401, 'no password yet');
  t.equal((await apiCall(ta, ta.admin, 'PATCH', `/users/${ana.id}`, { password: PASSWORD })).statusCode, 200);
  const signedIn = await login();
  t.equal(signedIn.statusCode, 200, 'signs in once a password is set');
  const anaHeaders = { authorization: `Bearer ${signedIn.json<{ token: string }>().token}` };
  t.equal((await apiCall(ta, anaHeaders, 'GET', '/auth/me')).statusCode, 200);

  // Merge by e-mail, any case: updates that user; a column left out keeps its values, an empty cell clears.
  const merge = await upload(ta, ta.admin, await ta.file('merge.csv', 'email,firstname,lastname,role,badgeid\nANA@ACME.TEST,Ana,Silva,admin,\n'));
  t.equal(merge.statusCode, 200, merge.body);
  t.same(merge.json<ImportJson>().import, { ok: true, rows: 1, added: 0, updated: 1, unchanged: 0 });
  const merged = ta.store.get('users', ana.id)!;
  t.match(merged, { email: 'ana@acme.test', lastName: 'Silva', role: 'admin', employeeId: 'E-1', accessLevel: { kind: 'location', id: 'loc' } });
  t.notOk(merged.badgeId, 'an empty cell clears');
  t.ok(merged.passwordHash, 'the password stays');
  t.equal((await apiCall(ta, anaHeaders, 'GET', '/auth/me')).statusCode, 401, 'a new role ends her sessions, as an edit does');
});

t.test('a bad row in the middle of a large file, duplicates, unknown role and access level: every problem by line, nothing imported', async (t) => {
  const ta = await setup(t);
  const lines = [HEADER];
  for (let i = 0; i < 5_000; i++) {
    if (i === 2_500) lines.push(`bad-${i}@acme.test,"Multi\nline",Bad,operator,,,de,`);
    else lines.push(`u${i}@acme.test,First${i},Last${i},recipient,loc,E-${i},en,`);
  }
  lines.push(
    'U42@acme.test,Again,Twice,recipient,,,,',
    'x1@acme.test,No,Role,janitor,,,,',
    'x2@acme.test,Far,Away,operator,loc-o,,,',
    'x3@acme.test,Same,Id,operator,,E-7,,',
    'admin@acme.test,Ad,Min,recipient,,,,',
  );
  await ta.auth.updateUser((await ta.auth.findUserByName('admin'))!.id, { email: 'admin@acme.test' });
  const before = await storeSnapshot(ta.store);
  const res = await upload(ta, ta.admin, await ta.file('bad-middle.csv', lines.join('\n')));
  t.equal(res.statusCode, 422, 'refused whole');
  const body = res.json<RejectedJson>();
  t.same(body.error, { code: 'IMPORT_REJECTED', message: '6 lines have problems; no users were imported', field: 'body' });
  t.match(body.problems, [
    { line: 2502, column: 'Language', problem: /Invalid option/ },
    { line: 5003, column: 'Email', problem: 'Duplicate e-mail (also on line 44)' },
    { line: 5004, column: 'Role', problem: 'no role "janitor"' },
    { line: 5005, column: 'AccessLevel', problem: 'no access level "loc-o" inside yours' },
    { line: 5006, column: 'EmployeeID', problem: 'Duplicate employee ID (also on line 9)' },
    { line: 5007, column: 'Role', problem: "the enterprise's last active administrator cannot be removed, disabled or demoted" },
  ]);
  t.equal(body.problems.length, 6);
  t.equal(await storeSnapshot(ta.store), before, 'nothing imported');
});

t.test('export escapes formula cells and re-imports to the same data', async (t) => {
  const ta = await setup(t);
  await ta.auth.createUser({ enterpriseId: 'ent', username: 'f', email: 'f@acme.test', firstName: '=HYPERLINK("http://x")', lastName: '+Plus', employeeId: '-1', role: 'operator', accessLevel: { kind: 'division', id: 'div' } });
  await ta.auth.createUser({ enterpriseId: 'other', username: 'o', email: 'o@other.test', firstName: 'Olga', lastName: 'Other', role: 'operator' });
  // The test app's users have no e-mail and no names (optional through the API). The file is keyed by e-mail: a user
  // without one has no row; one without names has empty name cells, which read back as they are.
  const bare = await apiCall(ta, ta.admin, 'GET', '/users/export');
  t.same(bare.body.split('\r\n').slice(1, -1).map((l) => l.split(',')[0]), ['f@acme.test'], 'only the user with an e-mail');
  for (const role of ['admin', 'operator', 'carrier']) {
    const u = (await ta.auth.findUserByName(role))!;
    await ta.auth.updateUser(u.id, { email: `${role}@acme.test`, firstName: role, lastName: 'Test', language: 'en' });
  }
  const recipient = (await ta.auth.findUserByName('recipient'))!;
  await ta.auth.updateUser(recipient.id, { email: 'recipient@acme.test' });
  const exp = await apiCall(ta, ta.admin, 'GET', '/users/export');
  t.equal(exp.statusCode, 200);
  t.match(exp.headers['content-disposition'], /attachment; filename="users.csv"/);
  t.match(exp.body, new RegExp(`^${HEADER}\r\n`));
  t.match(exp.body, /\r\nf@acme\.test,"'=HYPERLINK\(""http:\/\/x""\)","'\+Plus",operator,div,"'-1",,\r\n/, 'formula cells start with a quote');
  t.notMatch(exp.body, /o@other\.test/, "another enterprise's users are not exported");
  const users = JSON.stringify(ta.store.list('users'));
  const again = await upload(ta, ta.admin, await ta.file('export.csv', exp.body));
  t.equal(again.statusCode, 200, again.body);
  t.same(again.json<ImportJson>().import, { ok: true, rows: 5, added: 0, updated: 0, unchanged: 5 });
  t.equal(JSON.stringify(ta.store.list('users')), users, 'the same data');
  const noNames = await upload(ta, ta.admin, await ta.file('no-names.csv', `${HEADER}\nnew@acme.test,,,operator,,,,\nf@acme.test,,+Plus,operator,div,-1,,\n`));
  t.same(noNames.json<RejectedJson>().problems, [
    { line: 2, column: 'FirstName', problem: 'required' },
    { line: 2, column: 'LastName', problem: 'required' },
    { line: 3, column: 'FirstName', problem: 'required' },
  ], 'a new user needs names, and a name a user has cannot be emptied');
});

t.test('a file over 1 MB is refused before it is read', async (t) => {
  const ta = await setup(t);
  const row = 'some.body@acme.test,Some,Body,recipient,,,,\n';
  const big = await ta.file('big.csv', HEADER + '\n' + row.repeat(Math.ceil((1024 * 1024) / row.length) + 10));
  const before = await storeSnapshot(ta.store);
  const res = await upload(ta, ta.admin, big);
  t.equal(res.statusCode, 413);
  t.same(res.json(), { error: { code: 'PAYLOAD_TOO_LARGE', message: `the users file is ${big.byteLength} bytes, over the limit of 1048576 bytes (1 MB)`, field: 'body' } });
  t.equal(await storeSnapshot(ta.store), before);
});

t.test('permission refused; a location-scoped administrator sees and imports only inside their location; another enterprise', async (t) => {
  const ta = await setup(t);
  for (const [method, url] of [['GET', '/users/export'], ['GET', '/users/template'], ['POST', '/users/import']] as const) {
    const res = await ta.app.inject({ method, url: `/api/v1${url}`, headers: { ...ta.headers('operator'), 'content-type': 'text/csv' }, ...(method === 'POST' ? { payload: `${HEADER}\n` } : {}) });
    t.equal(res.statusCode, 403, `${method} ${url}: operator refused`);
  }
  await ta.auth.createUser({ enterpriseId: 'ent', username: 'at-loc2', email: 'l2@acme.test', role: 'operator', accessLevel: { kind: 'location', id: 'loc-2' } });
  await ta.auth.createUser({ enterpriseId: 'ent', username: 'at-loc', email: 'l1@acme.test', role: 'operator', accessLevel: { kind: 'location', id: 'loc' } });
  await ta.auth.createUser({ enterpriseId: 'other', username: 'o', email: 'o@other.test', role: 'operator' });
  const local = await signedInUser(ta, 'local-admin', { role: 'admin', accessLevel: { kind: 'location', id: 'loc' } });
  const exp = await apiCall(ta, local, 'GET', '/users/export');
  t.equal(exp.statusCode, 200);
  t.same(exp.body.split('\r\n').slice(1, -1).map((l) => l.split(',')[0]), ['l1@acme.test'], 'only the users of their location (not themselves: no e-mail, no row)');

  const before = await storeSnapshot(ta.store);
  const csv = `${HEADER}\nl2@acme.test,Lou,Two,operator,loc,,,\nnew@acme.test,New,Body,operator,,,,\nn2@acme.test,New,Two,operator,loc-2,,,\no@other.test,Olga,Other,operator,loc,,,\n`;
  const res = await upload(ta, local, await ta.file('scoped.csv', csv));
  t.equal(res.statusCode, 422);
  t.same(res.json<RejectedJson>().problems, [
    { line: 2, column: 'Email', problem: 'e-mail "l2@acme.test" is used by another user' },
    { line: 3, column: 'AccessLevel', problem: 'no access level "enterprise" inside yours' },
    { line: 4, column: 'AccessLevel', problem: 'no access level "loc-2" inside yours' },
    { line: 5, column: 'Email', problem: 'e-mail "o@other.test" is used by another user' },
  ]);
  t.equal(await storeSnapshot(ta.store), before, 'nothing imported');

  const ok = await upload(ta, local, await ta.file('ok.csv', `${HEADER}\nl1@acme.test,Lea,One,operator,loc,,,\nn3@acme.test,Ned,Three,recipient,loc,,,\n`));
  t.equal(ok.statusCode, 200, ok.body);
  t.same(ok.json<ImportJson>().import, { ok: true, rows: 2, added: 1, updated: 1, unchanged: 0 });
});

t.test('an import neither gives a role with rights the importer lacks nor changes a user who holds them', async (t) => {
  const ta = await setup(t);
  const deskRole = await ta.service.roles.createRole({ enterpriseId: 'ent', name: 'People desk', permissions: ['users', 'lockers.view'] }, { role: 'admin' });
  const desk = await signedInUser(ta, 'people-desk', { role: deskRole.id });
  await ta.auth.createUser({ enterpriseId: 'ent', username: 'boss', email: 'boss@acme.test', role: 'admin' });
  const before = await storeSnapshot(ta.store);
  const csv = `${HEADER}\nnew@acme.test,New,Admin,admin,,,,\nboss@acme.test,Boss,Demoted,People desk,,,,\nfine@acme.test,Fine,Viewer,People desk,,,,\n`;
  const res = await upload(ta, desk, await ta.file('escalate.csv', csv));
  t.equal(res.statusCode, 422);
  t.match(res.json<RejectedJson>().problems, [
    { line: 2, column: 'Role', problem: /^role "admin" grants .*settings.*, which you do not hold yourself$/ },
    { line: 3, column: 'Email', problem: /^the user of "boss@acme.test" holds rights you do not hold yourself/ },
  ]);
  t.equal(res.json<RejectedJson>().problems.length, 2, 'the row within the desk\'s rights is good');
  t.equal(await storeSnapshot(ta.store), before, 'nothing imported');
});

t.test('the enterprise setting employeeIdRequired: set with "settings", shown, audited; create, edit and import refused without an ID', async (t) => {
  const ta = await setup(t);
  const patch = (headers: Record<string, string>, body: unknown) => apiCall(ta, headers, 'PATCH', '/enterprises/ent', body);
  t.equal((await patch(ta.headers('operator'), { settings: { employeeIdRequired: true } })).statusCode, 403, 'an operator may not');
  const limited = await signedInUser(ta, 'org-only', { role: (await ta.service.roles.createRole({ enterpriseId: 'ent', name: 'Org', permissions: ['lockers.manage'] }, { role: 'admin' })).id });
  t.equal((await patch(limited, { settings: { employeeIdRequired: true } })).statusCode, 403, "'lockers.manage' renames, it does not change settings");
  t.equal((await patch(limited, { name: 'Acme Two' })).statusCode, 200, 'but it renames');
  t.equal((await patch(ta.admin, {})).statusCode, 400, 'an empty change is refused');
  const set = await patch(ta.admin, { settings: { employeeIdRequired: true } });
  t.equal(set.statusCode, 200, set.body);
  t.match(set.json(), { enterprise: { id: 'ent', name: 'Acme Two', settings: { employeeIdRequired: true } } });
  t.match((await apiCall(ta, ta.admin, 'GET', '/enterprises/ent')).json(), { enterprise: { settings: { employeeIdRequired: true } } }, 'shown');
  const audit = (await ta.service.queryActivity({ type: 'admin-change' })).filter((a) => a.target?.kind === 'enterprise');
  t.match(audit.at(-1), { detail: 'enterprise changed', changes: [{ field: 'employeeIdRequired', from: 'false', to: 'true' }] });

  const add = await apiCall(ta, ta.admin, 'POST', '/users', { username: 'noid', firstName: 'No', lastName: 'Id', role: 'operator' });
  t.equal(add.statusCode, 422);
  t.match(add.json(), { error: { code: 'VALIDATION', field: 'body.employeeId' } });
  const withId = await apiCall(ta, ta.admin, 'POST', '/users', { username: 'hasid', firstName: 'Has', lastName: 'Id', role: 'operator', employeeId: 'E-9' });
  t.equal(withId.statusCode, 201);
  const id = withId.json<{ user: UserJson }>().user.id;
  const clear = await apiCall(ta, ta.admin, 'PATCH', `/users/${id}`, { employeeId: null });
  t.equal(clear.statusCode, 422);
  t.match(clear.json(), { error: { field: 'body.employeeId' } });
  const opId = (await ta.auth.findUserByName('operator'))!.id;
  t.equal((await apiCall(ta, ta.admin, 'PATCH', `/users/${opId}`, { firstName: 'Op' })).statusCode, 422, 'editing a user stored without one asks for it');
  t.equal((await apiCall(ta, ta.admin, 'PATCH', `/users/${opId}`, { disabled: true })).statusCode, 200, 'disabling them still works');

  const before = await storeSnapshot(ta.store);
  const res = await upload(ta, ta.admin, await ta.file('noid.csv', `${HEADER}\nz1@acme.test,Zed,One,operator,,E-10,,\nz2@acme.test,Zed,Two,operator,,,,\n`));
  t.equal(res.statusCode, 422);
  t.same(res.json<RejectedJson>().problems, [{ line: 3, column: 'EmployeeID', problem: 'employeeId: the enterprise requires an employee ID of every user' }]);
  t.equal(await storeSnapshot(ta.store), before);

  t.equal((await patch(ta.admin, { settings: { employeeIdRequired: false } })).statusCode, 200);
  t.equal((await apiCall(ta, ta.admin, 'POST', '/users', { username: 'noid', role: 'operator' })).statusCode, 201, 'optional again');
});

t.test("a user's kiosk PINs and badges: listed without codes; 404 outside the caller's scope", async (t) => {
  const ta = await setup(t);
  const opId = (await ta.auth.findUserByName('operator'))!.id;
  const pin = await apiCall(ta, ta.admin, 'POST', '/staff-credentials', { role: 'operator', subjectId: opId, kind: 'staff-pin', expiresAt: ta.clock.now + 3_600_000 });
  t.equal(pin.statusCode, 201);
  const code = pin.json<{ code: string }>().code;
  await apiCall(ta, ta.admin, 'POST', '/staff-credentials', { role: 'operator', subjectId: opId, kind: 'badge', code: 'BADGE-77' });
  await apiCall(ta, ta.admin, 'POST', '/staff-credentials', { role: 'carrier', subjectId: 'car', kind: 'badge', code: 'BADGE-88' });
  const res = await apiCall(ta, ta.admin, 'GET', `/users/${opId}/staff-credentials`);
  t.equal(res.statusCode, 200);
  const list = res.json<{ staffCredentials: { subjectId: string; kind: string; expiresAt?: number }[] }>().staffCredentials;
  t.match(list.map((c) => c.kind).sort(), ['badge', 'staff-pin']);
  t.ok(list.every((c) => c.subjectId === opId), "only this user's");
  t.notMatch(res.body, new RegExp(`${code}|BADGE-77|"code"|hash|sealed`), 'never a code or a hash');

  t.equal((await apiCall(ta, ta.headers('operator'), 'GET', `/users/${opId}/staff-credentials`)).statusCode, 403, 'an operator may not');
  const atLoc2 = await ta.auth.createUser({ enterpriseId: 'ent', username: 'at-loc2', role: 'operator', accessLevel: { kind: 'location', id: 'loc-2' } });
  const local = await signedInUser(ta, 'local-admin', { role: 'admin', accessLevel: { kind: 'location', id: 'loc' } });
  t.equal((await apiCall(ta, local, 'GET', `/users/${atLoc2.id}/staff-credentials`)).statusCode, 404, 'a user outside the access level');
  const other = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });
  t.equal((await apiCall(ta, other, 'GET', `/users/${opId}/staff-credentials`)).statusCode, 404, "another enterprise's user");
  t.equal((await apiCall(ta, ta.admin, 'GET', '/users/u-nobody/staff-credentials')).statusCode, 404, 'no such user');
});
