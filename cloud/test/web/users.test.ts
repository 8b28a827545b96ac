// The console's users and roles screens as forms and pages (inject): search, the user form and the API's refusals
// shown, the actions on an account (unlock, reset the second factor, resend the welcome, delete) checked by their
// effect, the CSV import's report, roles made, changed and deleted, a predefined role read-only, and who may see what.
import { generateSync } from 'otplib';
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';


let a: ConsoleApp;
let admin: string;

/** A multipart post of a CSV file, as the browser sends the import form. */
async function upload(cookie: string, csv: string): Promise<LightMyRequestResponse> {
  const form = new FormData();
  form.set('csrf', await a.csrfOf(cookie));
  form.set('file', new Blob([csv], { type: 'text/csv' }), 'users.csv');
  const r = new Response(form);
  return a.app.inject({ method: 'POST', url: '/console/users/import', headers: { cookie, 'content-type': r.headers.get('content-type')! }, payload: Buffer.from(await r.arrayBuffer()) });
}

async function userNamed(username: string): Promise<Json> {
  const users = (await a.api('GET', `/users?q=${encodeURIComponent(username)}`)).json['users'] as Json[];
  return users.find((u) => u['username'] === username)!;
}

const idFrom = (r: LightMyRequestResponse, prefix: string) => String(r.headers.location).slice(prefix.length).split('?')[0]!;

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  // A manager of users who holds few rights (users and seeing lockers), and an operator (neither users nor roles).
  const role = await a.api('POST', '/roles', { name: 'User desk', permissions: ['users', 'lockers.view'] });
  await a.api('POST', '/users', { username: 'manager', password: PASSWORD, firstName: 'Mia', lastName: 'Manager', role: (role.json['role'] as Json)['id'] });
  await a.api('POST', '/users', { username: 'plain', password: PASSWORD, role: 'operator' });
  await a.api('POST', '/users', { username: 'ann', firstName: 'Ann', lastName: 'Archer', email: 'ann@acme.test', role: 'operator' });
  await a.api('POST', '/users', { username: 'bob', firstName: 'Bob', lastName: 'Baker', email: 'bob@acme.test', role: 'operator', accessLevel: { kind: 'location', id: 'loc2' } });
});

t.test('search: the list as a page, and as the fragment htmx swaps in as the person types', async (t) => {
  const page = await a.request(admin, 'GET', '/console/users?q=archer');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>Users/);
  t.match(page.body, /hx-get="\/console\/users" hx-trigger="input changed delay:300ms, search" hx-target="#user-results"/, 'the search box asks as one types');
  t.match(page.body, />Ann Archer</);
  t.notMatch(page.body, />Bob Baker</, 'only who matches');
  t.match(page.body, /<li class="tag">No password yet<\/li>/, 'the state in words');
  t.match(page.body, /<li class="tag">No authenticator<\/li>/);
  const fragment = await a.request(admin, 'GET', '/console/users?q=bob', undefined, { htmx: true });
  t.equal(fragment.statusCode, 200);
  t.notMatch(fragment.body, /<html/, 'a fragment, not a page');
  t.match(fragment.body, />Bob Baker</);
  t.match(fragment.body, /Location: Annex/, 'the access level by name');
  t.notMatch(fragment.body, />Ann Archer</);
});

t.test('add a user, then edit them: checked through the API; the welcome e-mail goes out', async (t) => {
  const form = await a.request(admin, 'GET', '/console/users/new');
  t.match(form.body, /<option value="admin">Administrator<\/option>/, 'an administrator may hand out every role');
  t.match(form.body, /<option value="location:loc">Location: Main<\/option>/);
  const before = a.mail.messages.length;
  const add = await a.request(admin, 'POST', '/console/users/new', { firstName: 'Cleo', lastName: 'Clark', username: 'cleo', email: 'cleo@acme.test', language: 'fr', role: 'operator', accessLevel: 'location:loc' });
  t.equal(add.statusCode, 303);
  t.match(add.headers.location, /^\/console\/users\/[^/?]+\?done=created$/);
  const id = idFrom(add, '/console/users/');
  t.match((await a.api('GET', `/users/${id}`)).json['user'], { username: 'cleo', firstName: 'Cleo', lastName: 'Clark', email: 'cleo@acme.test', language: 'fr', role: 'operator', accessLevel: { kind: 'location', id: 'loc' }, disabled: false });
  await a.links.settled();
  t.match(a.mail.messages.slice(before), [{ kind: 'welcome', to: 'cleo@acme.test' }], 'welcomed');
  const shown = await a.request(admin, 'GET', String(add.headers.location));
  t.match(shown.body, /role="status"><p>The user was added\./);
  t.match(shown.body, /<input type="text" id="lastName" name="lastName" value="Clark"/);

  const edit = await a.request(admin, 'POST', `/console/users/${id}`, { firstName: 'Cleo', lastName: 'Clarke', email: 'cleo@acme.test', language: '', role: 'admin', accessLevel: 'enterprise', disabled: 'on' });
  t.equal(edit.statusCode, 303);
  const edited = (await a.api('GET', `/users/${id}`)).json['user'] as Json;
  t.match(edited, { lastName: 'Clarke', role: 'admin', accessLevel: { kind: 'enterprise' }, disabled: true });
  t.notOk('language' in edited, 'the language cleared');

  const bad = await a.request(admin, 'POST', '/console/users/new', { username: 'cleo', email: 'not an address', role: 'operator', accessLevel: 'enterprise' });
  t.equal(bad.statusCode, 400, "the API's refusal");
  t.match(bad.body, /class="errors" role="alert"/, 'an error summary');
  t.match(bad.body, /<a href="#email">/, 'linking to the field at fault');
  t.match(bad.body, /id="email-error">Invalid email address<\/p><input type="email" id="email" name="email" value="not an address"[^>]*aria-describedby="email-hint email-error" aria-invalid="true"/, 'the field marked, what was typed kept');
});

t.test("the roles offered are those one may hand out; the API's refusal of another is shown", async (t) => {
  const manager = await a.cookieOf('manager');
  const form = await a.request(manager, 'GET', '/console/users/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, />User desk<\/option>/, 'a role within their rights');
  t.notMatch(form.body, /<option value="admin"/, 'not the administrator role');
  const forged = await a.request(manager, 'POST', '/console/users/new', { username: 'eve', email: 'eve@acme.test', role: 'admin', accessLevel: 'enterprise' });
  t.equal(forged.statusCode, 403);
  t.match(forged.body, /role &quot;admin&quot; grants [^<]*which you do not hold yourself/, "the API's own words");
  t.match(forged.body, /<a href="#role">/);
  t.notOk(await userNamed('eve'), 'nobody was added');
});

t.test('unlock, reset the second factor and resend the welcome: each has its effect', async (t) => {
  const ann = await userNamed('ann');
  const annId = String(ann['id']);
  // Ann sets a password and an authenticator, then is locked out by wrong passwords.
  await a.api('PATCH', `/users/${annId}`, { password: PASSWORD });
  const annToken = (await a.auth.login('ann', PASSWORD, '10.9.0.1')).token;
  const annAuth = { authorization: `Bearer ${annToken}` };
  const secret = String((await a.api('POST', '/auth/mfa/totp', undefined, annAuth)).json['secret']);
  t.equal((await a.api('POST', '/auth/mfa/totp/confirm', { code: generateSync({ secret, epoch: Math.floor(Date.now() / 1000) }) }, annAuth)).status, 200);
  await a.api('PATCH', '/enterprises/ent', { settings: { lockoutThreshold: 1 } });
  await a.auth.login('ann', 'not her password', '10.9.1.1').catch(() => undefined);
  await a.api('PATCH', '/enterprises/ent', { settings: { lockoutThreshold: 5 } });
  t.ok(((await a.api('GET', `/users/${annId}`)).json['user'] as Json)['lockedUntil'], 'locked');

  const page = await a.request(admin, 'GET', `/console/users/${annId}`);
  t.match(page.body, /<li class="tag bad">Locked until [^<]+<\/li>/, 'the state on the user page');
  t.match(page.body, /<li class="tag">Authenticator on<\/li>/);
  t.match(page.body, /<details class="confirm"><summary>Unlock the account…<\/summary><form method="post" action="\/console\/users\/[^"]+\/unlock">/, 'unlock behind a disclosure');
  t.match(page.body, /<summary>Reset the second factor…<\/summary>/);
  t.notMatch(page.body, /Resend the welcome e-mail/, 'no welcome for someone with a password');

  const unlock = await a.request(admin, 'POST', `/console/users/${annId}/unlock`);
  t.equal(unlock.headers.location, `/console/users/${annId}?done=unlocked`);
  t.notOk('lockedUntil' in ((await a.api('GET', `/users/${annId}`)).json['user'] as Json), 'unlocked');
  const reset = await a.request(admin, 'POST', `/console/users/${annId}/mfa-reset`);
  t.equal(reset.headers.location, `/console/users/${annId}?done=mfa-reset`);
  t.notOk(a.store.get('mfaFactors', annId), 'the factor is gone');
  t.same(((await a.api('GET', `/users/${annId}`)).json['user'] as Json)['mfa'], { totp: false });
  t.match((await a.request(admin, 'GET', String(reset.headers.location))).body, /The second factor was reset\./);

  const bob = await userNamed('bob');
  const before = a.mail.messages.length;
  const welcome = await a.request(admin, 'POST', `/console/users/${String(bob['id'])}/welcome`);
  t.equal(welcome.headers.location, `/console/users/${String(bob['id'])}?done=welcomed`);
  await a.links.settled();
  t.match(a.mail.messages.slice(before), [{ kind: 'welcome', to: 'bob@acme.test' }], 'a welcome e-mail queued');
  const refused = await a.request(admin, 'POST', `/console/users/${annId}/welcome`);
  t.equal(refused.statusCode, 409, 'Ann has a password: the API refuses');
  t.match(refused.body, /role="alert"><p>the user has already set a password/, "and the page says the API's reason");

  const gone = await a.request(admin, 'POST', `/console/users/${String(bob['id'])}/delete`);
  t.equal(gone.headers.location, '/console/users?done=deleted');
  t.equal((await a.api('GET', `/users/${String(bob['id'])}`)).status, 404, 'deleted');
});

t.test('CSV: a bad row shows the report and imports nothing; a good file is imported; export and template download', async (t) => {
  const header = 'Email,FirstName,LastName,Role,AccessLevel\n';
  const bad = await upload(admin, `${header}dan@acme.test,Dan,Dale,operator,enterprise\nnot-an-email,Eve,East,no-such-role,enterprise\n`);
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /<caption>Problems in the file \(nothing was imported\)<\/caption>/);
  t.match(bad.body, /<tr><td class="num">3<\/td>/, 'the bad line by number');
  t.notOk(await userNamed('dan@acme.test'), 'nothing imported');
  const good = await upload(admin, `${header}dan@acme.test,Dan,Dale,operator,loc\n`);
  t.equal(good.statusCode, 200);
  t.match(good.body, /Imported 1 row: 1 added, 0 updated, 0 unchanged\./);
  t.match(await userNamed('dan@acme.test'), { firstName: 'Dan', accessLevel: { kind: 'location', id: 'loc' } });
  const none = await a.app.inject({ method: 'POST', url: '/console/users/import', headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: `csrf=${encodeURIComponent(await a.csrfOf(admin))}` });
  t.equal(none.statusCode, 400);
  t.match(none.body, /Choose a CSV file to import\./);

  const out = await a.request(admin, 'GET', '/console/users/export');
  t.equal(out.statusCode, 200);
  t.match(out.headers['content-type'], /^text\/csv/);
  t.match(out.headers['content-disposition'], /attachment; filename="users\.csv"/);
  t.match(out.body, /dan@acme\.test,Dan,Dale/);
  const template = await a.request(admin, 'GET', '/console/users/template');
  t.match(template.body, /^\uFEFF?Email,FirstName,LastName,Role,AccessLevel/);
});

t.test('roles: made, changed and deleted through the form (checked through the API); a predefined role is read-only', async (t) => {
  const list = await a.request(admin, 'GET', '/console/roles');
  t.match(list.body, /<a href="\/console\/roles\/operator">Operator<\/a><\/th><td>Predefined \(read-only\)<\/td>/);
  t.match(list.body, /<li>Open a locker door remotely <code>lockers\.open<\/code><\/li>/, 'permissions in words');
  const form = await a.request(admin, 'GET', '/console/roles/new');
  t.match(form.body, /<fieldset id="permissions"[^>]*><legend>Permissions<\/legend>/);
  const add = await a.post(admin, '/console/roles/new', [['name', 'Front desk'], ['permissions', 'lockers.view'], ['permissions', 'lockers.open']]);
  t.equal(add.statusCode, 303);
  const id = idFrom(add, '/console/roles/');
  t.match((await a.api('GET', `/roles/${id}`)).json['role'], { name: 'Front desk', permissions: ['lockers.view', 'lockers.open'] });
  const edit = await a.post(admin, `/console/roles/${id}`, [['name', 'Desk'], ['permissions', 'lockers.view']]);
  t.equal(edit.headers.location, `/console/roles/${id}?done=saved`);
  t.same(((await a.api('GET', `/roles/${id}`)).json['role'] as Json)['permissions'], ['lockers.view']);
  t.match((await a.api('GET', `/roles/${id}`)).json['role'], { name: 'Desk' });
  const page = await a.request(admin, 'GET', `/console/roles/${id}`);
  t.match(page.body, /<input type="checkbox" id="perm-0" name="permissions" value="lockers.view" checked>/);
  t.match(page.body, /<input type="checkbox" id="perm-4" name="permissions" value="lockers.open">/);
  const del = await a.request(admin, 'POST', `/console/roles/${id}/delete`);
  t.equal(del.headers.location, '/console/roles?done=deleted');
  t.equal((await a.api('GET', `/roles/${id}`)).status, 404, 'deleted');

  const operator = await a.request(admin, 'GET', '/console/roles/operator');
  t.equal(operator.statusCode, 200);
  t.match(operator.body, /A predefined role cannot be changed or deleted/);
  t.notMatch(operator.body, /<form method="post" action="\/console\/roles\/operator/, 'no form');
  const forged = await a.post(admin, '/console/roles/operator', [['name', 'Boss'], ['permissions', 'users']]);
  t.equal(forged.statusCode, 409);
  t.match(forged.body, /role="alert"><p>the predefined role &quot;operator&quot; cannot be changed/);
  t.match((await a.api('GET', '/roles/operator')).json['role'], { name: 'Operator', permissions: ['lockers.view', 'lockers.contents', 'lockers.service', 'lockers.open', 'reservations.manage', 'addressBook', 'reports', 'carrierCodes'] });

  await a.api('PATCH', '/auth/me', { language: 'fr' }, a.admin);
  const fr = await a.request(admin, 'GET', '/console/roles');
  const frRefused = await a.post(admin, '/console/roles/operator', [['name', 'Chef']]);
  await a.api('PATCH', '/auth/me', { language: 'en' }, a.admin);
  t.match(frRefused.body, /role="alert"><p><span lang="en">the predefined role/, "the API's English words marked as such on a French page");
  t.match(fr.body, /<li>Voir et modifier les rôles <code>roles<\/code><\/li>/, 'the permissions in French');
  t.match(fr.body, />Opérateur<\/a>/);
});

t.test('a role without users or roles sees neither menu entry and is refused; a post without its token is refused', async (t) => {
  const plain = await a.cookieOf('plain');
  const lockers = await a.request(plain, 'GET', '/console/lockers');
  t.equal(lockers.statusCode, 200);
  t.notMatch(lockers.body, /href="\/console\/users"/, 'no users entry');
  t.notMatch(lockers.body, /href="\/console\/roles"/, 'no roles entry');
  t.match((await a.request(admin, 'GET', '/console/lockers')).body, /href="\/console\/users"[\s\S]*href="\/console\/roles"/, 'the administrator has both');
  for (const url of ['/console/users', '/console/users/new', '/console/roles', '/console/roles/operator']) t.equal((await a.request(plain, 'GET', url)).statusCode, 403, url);
  t.equal((await a.request(plain, 'POST', '/console/roles/new', { name: 'Mine', permissions: 'lockers.view' })).statusCode, 403);
  const manager = await a.cookieOf('manager');
  t.equal((await a.request(manager, 'GET', '/console/roles')).statusCode, 403, 'users without roles: no roles screen');

  const noToken = await a.request(admin, 'POST', '/console/users/new', { username: 'mallory', role: 'admin', accessLevel: 'enterprise' }, { csrf: '' });
  t.equal(noToken.statusCode, 403);
  t.match(noToken.body, /This form has expired/);
  const wrongToken = await a.request(admin, 'POST', '/console/roles/new', { name: 'Forged', permissions: 'users' }, { csrf: 'forged' });
  t.equal(wrongToken.statusCode, 403);
  t.notOk(await userNamed('mallory'), 'nobody added');
  t.notOk(((await a.api('GET', '/roles')).json['roles'] as Json[]).some((r) => r['name'] === 'Forged'), 'no role made');
});
