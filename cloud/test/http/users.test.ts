// The users API: add, edit, delete, search, with the rules the domain keeps (unique e-mail and employee ID, the
// last administrator) and the audit of every change; what lies outside the caller's scope answers 404.
import t from 'tap';
import type { PublicUser } from '../../src/auth/users.ts';
import { signedInUser, storeSnapshot, twoSitesApp, apiCall } from './helpers.ts';

type Json = Record<string, unknown>;
/** A user as the API answers it. */
type UserJson = PublicUser;

const setup = twoSitesApp;

const call = apiCall;

const ANN = { username: 'ann', password: 'ann-password-1', firstName: 'Ann', lastName: 'Archer', email: 'ann@acme.test', language: 'fr', employeeId: 'E-100', badgeId: 'B-7', role: 'operator' };

t.test('add, read, edit (null clears), search and delete a user; each change is audited without the password', async (t) => {
  const ta = await setup(t);
  const admin = { authorization: `Bearer ${ta.tokens.admin}` };
  const add = await call(ta, admin, 'POST', '/users', ANN);
  t.equal(add.statusCode, 201);
  const ann = add.json<{ user: UserJson }>().user;
  t.match(ann, { username: 'ann', firstName: 'Ann', lastName: 'Archer', email: 'ann@acme.test', language: 'fr', employeeId: 'E-100', badgeId: 'B-7', role: 'operator', hasPassword: true });
  t.notOk('passwordHash' in ann, 'no hash in the answer');
  t.equal((await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ann', password: ANN.password } })).statusCode, 200, 'ann signs in');

  await call(ta, admin, 'POST', '/users', { username: 'bob', firstName: 'Bob', lastName: 'Annand', email: 'bob@acme.test', employeeId: 'X-2', role: 'recipient' });
  await call(ta, admin, 'POST', '/users', { username: 'cy', firstName: 'Cy', lastName: 'Stone', employeeId: 'E-1000', role: 'recipient' });
  const search = async (q: string) => (await call(ta, admin, 'GET', `/users?q=${encodeURIComponent(q)}`)).json<{ users: UserJson[] }>().users.map((u) => u.username);
  t.same(await search('ann'), ['ann', 'bob'], 'a prefix of a name first, then a name holding it');
  t.same(await search('ANN ARCH'), ['ann'], 'first and last name together, any case');
  t.same(await search('e-10'), ['ann', 'cy'], 'employee ID');
  t.same(await search('bob@acme'), ['bob'], 'e-mail');
  t.same(await search('nobody'), []);

  const edit = await call(ta, admin, 'PATCH', `/users/${ann.id}`, { lastName: 'Archer-Smith', badgeId: null, language: 'en', role: 'admin' });
  t.equal(edit.statusCode, 200);
  const edited = edit.json<{ user: UserJson }>().user;
  t.match(edited, { lastName: 'Archer-Smith', language: 'en', role: 'admin', employeeId: 'E-100' });
  t.notOk('badgeId' in edited, 'null cleared the badge');
  t.same((await call(ta, admin, 'GET', `/users/${ann.id}`)).json<{ user: UserJson }>().user, { ...edited, mfa: { totp: false } }, 'read back as edited, with the account state');

  t.equal((await call(ta, admin, 'PATCH', `/users/${ann.id}`, { password: 'a-new-password' })).statusCode, 200);
  t.equal((await call(ta, admin, 'DELETE', `/users/${ann.id}`)).statusCode, 204);
  t.equal((await call(ta, admin, 'GET', `/users/${ann.id}`)).statusCode, 404, 'gone');

  const activity = (await call(ta, admin, 'GET', '/activity?type=admin-change')).json<{ activity: Json[] }>().activity.filter(
    (a) => (a['target'] as { id: string } | undefined)?.id === ann.id,
  );
  t.match(activity, [
    { detail: 'user created', actor: { role: 'admin' }, changes: [{ field: 'username', to: 'ann' }, { field: 'firstName', to: 'Ann' }] },
    { detail: 'user changed', changes: [{ field: 'lastName', from: 'Archer', to: 'Archer-Smith' }, { field: 'language', from: 'fr', to: 'en' }, { field: 'badgeId', from: 'B-7' }, { field: 'role', from: 'operator', to: 'admin' }] },
    { detail: 'user changed', changes: [{ field: 'passwordHash' }] },
    { detail: 'user deleted' },
  ]);
  t.notOk(JSON.stringify(activity).includes('scrypt'), 'no hash in the activity');
  t.notOk(JSON.stringify(activity).includes('a-new-password'), 'nor a password');
  const hashChange = (activity[2]!['changes'] as Json[])[0]!;
  t.same(Object.keys(hashChange), ['field'], 'a password change is recorded as changed, without values');
});

t.test('a user made without a password cannot sign in until an administrator sets one', async (t) => {
  const ta = await setup(t);
  const admin = { authorization: `Bearer ${ta.tokens.admin}` };
  const res = await call(ta, admin, 'POST', '/users', { username: 'nopass', email: 'np@acme.test', role: 'operator' });
  t.equal(res.statusCode, 201);
  const u = res.json<{ user: UserJson }>().user;
  t.equal(u.hasPassword, false);
  const login = (password: string) => ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nopass', password } });
  t.equal((await login('anything-at-all')).statusCode, 401);
  await call(ta, admin, 'PATCH', `/users/${u.id}`, { password: 'now-it-has-one' });
  t.equal((await login('now-it-has-one')).statusCode, 200);
});

t.test('conflicts: a taken user name, e-mail or employee ID, and the last administrator', async (t) => {
  const ta = await setup(t);
  const admin = { authorization: `Bearer ${ta.tokens.admin}` };
  t.equal((await call(ta, admin, 'POST', '/users', ANN)).statusCode, 201);
  const before = await storeSnapshot(ta.store);
  for (const [body, field] of [
    [{ ...ANN, email: 'other@acme.test', employeeId: 'E-2' }, 'username'],
    [{ ...ANN, username: 'ann2', email: 'ANN@acme.test', employeeId: 'E-2' }, 'email'],
    [{ ...ANN, username: 'ann3', email: 'a3@acme.test' }, 'employeeId'],
  ] as const) {
    const res = await call(ta, admin, 'POST', '/users', body);
    t.equal(res.statusCode, 409, `duplicate ${field}`);
    t.match(res.json(), { error: { code: 'CONFLICT', field: `body.${field}`, message: /./ } });
  }
  t.equal(await storeSnapshot(ta.store), before, 'nothing stored');

  // The seeded `admin` is the enterprise's only administrator.
  const adminId = ta.store.list('users').find((u) => u.username === 'admin')!.id;
  for (const [method, body] of [
    ['DELETE', undefined],
    ['PATCH', { disabled: true }],
    ['PATCH', { role: 'operator' }],
  ] as const) {
    const res = await call(ta, admin, method, `/users/${adminId}`, body);
    t.equal(res.statusCode, 409, `${method} ${JSON.stringify(body)}`);
    t.match(res.json(), { error: { code: 'LAST_ADMIN' } });
  }
  t.equal(await storeSnapshot(ta.store), before, 'still nothing changed');
  // With a second administrator the first may go.
  const ann = ta.store.list('users').find((u) => u.username === 'ann')!;
  t.equal((await call(ta, admin, 'PATCH', `/users/${ann.id}`, { role: 'admin' })).statusCode, 200);
  t.equal((await call(ta, admin, 'PATCH', `/users/${adminId}`, { role: 'operator' })).statusCode, 200);
});

t.test('refused: without the users permission 403; outside the access level, another enterprise, unknown 404; bad input 4xx naming the field', async (t) => {
  const ta = await setup(t);
  const admin = { authorization: `Bearer ${ta.tokens.admin}` };
  const annId = (await call(ta, admin, 'POST', '/users', { ...ANN, accessLevel: { kind: 'location', id: 'loc-2' } })).json<{ user: UserJson }>().user.id;
  const before = await storeSnapshot(ta.store);

  const operator = { authorization: `Bearer ${ta.tokens.operator}` };
  for (const [method, url, body] of [
    ['GET', '/users'],
    ['GET', '/users?q=ann'],
    ['POST', '/users', { username: 'x', role: 'operator' }],
    ['PATCH', `/users/${annId}`, { firstName: 'X' }],
    ['DELETE', `/users/${annId}`],
  ] as const) {
    t.equal((await call(ta, operator, method, url, body)).statusCode, 403, `operator ${method} ${url}`);
  }

  const locAdmin = await signedInUser(ta, 'loc-admin', { accessLevel: { kind: 'location', id: 'loc' } });
  const other = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });
  const after = await storeSnapshot(ta.store);
  for (const who of [locAdmin, other]) {
    t.equal((await call(ta, who, 'GET', `/users/${annId}`)).statusCode, 404);
    t.equal((await call(ta, who, 'PATCH', `/users/${annId}`, { firstName: 'X' })).statusCode, 404);
    t.equal((await call(ta, who, 'DELETE', `/users/${annId}`)).statusCode, 404);
    t.notOk((await call(ta, who, 'GET', '/users?q=ann')).json<{ users: UserJson[] }>().users.some((u) => u.id === annId), 'not in a search');
  }
  t.equal((await call(ta, admin, 'GET', '/users/u-nobody')).statusCode, 404);
  t.equal((await call(ta, admin, 'PATCH', '/users/u-nobody', { firstName: 'X' })).statusCode, 404);
  t.equal((await call(ta, admin, 'POST', '/users', { username: 'z', role: 'operator', accessLevel: { kind: 'location', id: 'loc-o' } })).statusCode, 404, "another enterprise's location");

  for (const [body, field] of [
    [{ username: 'z', role: 'operator', email: 'not-an-email' }, 'body.email'],
    [{ username: 'z', role: 'operator', language: 'de' }, 'body.language'],
    [{ username: 'z', role: 'operator', firstName: 'x'.repeat(101) }, 'body.firstName'],
    [{ username: 'z', role: 'operator', employeeId: 42 }, 'body.employeeId'],
    [{ username: 'z', role: 'operator', shoeSize: 44 }, 'body.shoeSize'],
    [{ username: 'z', role: 'no-such-role' }, 'role'],
  ] as const) {
    const res = await call(ta, admin, 'POST', '/users', body);
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${field}: ${res.statusCode}`);
    t.match(res.json(), { error: { code: /./, message: /./, field } }, field);
  }
  t.equal((await call(ta, admin, 'GET', `/users?q=${'x'.repeat(201)}`)).statusCode, 400, 'an over-long query');
  t.equal(await storeSnapshot(ta.store), after, 'nothing stored');
  t.not(after, before, 'only the two signed-in users were added');
});
