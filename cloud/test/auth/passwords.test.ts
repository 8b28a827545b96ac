// Passwords: each enterprise's policy on every password set (create, edit), argon2id hashes, the scrypt hashes of
// earlier releases upgraded at sign-in, and sign-in by e-mail address.
import t from 'tap';
import { passwordProblem } from '../../src/auth/password-policy.ts';
import { encodePasswordHash, hashNewPassword, hashPassword } from '../../src/auth/passwords.ts';
import type { User } from '../../src/domain/model.ts';
import { call, makeTestApp, PASSWORD, TEST_ARGON2, TEST_SCRYPT, type TestApp } from '../http/helpers.ts';

interface ErrorReply {
  error: { code: string; message: string; field?: string };
}

t.test('the policy: length, the common-password list (any case), not the user name or e-mail', async (t) => {
  const owner = { username: 'ann.archer', email: 'Ann@Acme.test' };
  t.equal(passwordProblem('seven77', undefined, owner), 'at least 8 characters');
  t.equal(passwordProblem('x'.repeat(257), undefined, owner), 'at most 256 characters');
  t.equal(passwordProblem('x'.repeat(256), undefined, owner), undefined);
  t.equal(passwordProblem('PassWord1', undefined, owner), 'is on the list of common passwords');
  t.equal(passwordProblem('qwertyuiop', undefined, owner), 'is on the list of common passwords');
  t.equal(passwordProblem('qwertyuiop', { settings: { passwordCommonCheck: false } }, owner), undefined, 'the check can be turned off');
  t.equal(passwordProblem('ANN.ARCHER', undefined, owner), 'must not be the user name');
  t.equal(passwordProblem('ann@acme.test', undefined, owner), 'must not be the e-mail address');
  t.equal(passwordProblem('eleven char', { settings: { passwordMinLength: 12 } }, owner), 'at least 12 characters');
  t.equal(passwordProblem('twelve chars', { settings: { passwordMinLength: 12 } }, owner), undefined);
  t.equal(passwordProblem('éèêëàâäôö', { settings: { passwordMinLength: 9 } }, owner), undefined, 'characters, not UTF-16 units or bytes');
});

t.test('the API refuses a password the policy forbids on create and on edit, naming the password field', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const create = (payload: Record<string, string>) => call(ta, 'POST', '/users', { role: 'operator', ...payload });
  const common = await create({ username: 'bob', password: 'password123' });
  t.equal(common.statusCode, 422);
  t.same(common.json<ErrorReply>().error, { code: 'VALIDATION', message: 'password: is on the list of common passwords', field: 'body.password' });
  t.equal((await create({ username: 'bob', password: 'bob@acme.test', email: 'BOB@acme.test' })).json<ErrorReply>().error.message, 'password: must not be the e-mail address');
  t.notOk(await ta.auth.findUserByName('bob'), 'nothing was created');

  t.equal((await call(ta, 'PATCH', '/enterprises/ent', { settings: { passwordMinLength: 14 } })).statusCode, 200);
  const short = await create({ username: 'bob', password: 'thirteen char' });
  t.same(short.json<ErrorReply>().error, { code: 'VALIDATION', message: 'password: at least 14 characters', field: 'body.password' });
  t.equal((await create({ username: 'bob', password: 'fourteen chars' })).statusCode, 201);

  const bob = (await ta.auth.findUserByName('bob'))!;
  const before = ta.store.get('users', bob.id)?.passwordHash;
  const edit = await call(ta, 'PATCH', `/users/${bob.id}`, { password: 'PasswordPassword' });
  t.same(edit.json<ErrorReply>().error, { code: 'VALIDATION', message: 'password: is on the list of common passwords', field: 'body.password' });
  const asName = await call(ta, 'PATCH', `/users/${bob.id}`, { password: 'bobbobbobbobbob', email: 'bobbobbobbobbob' });
  t.equal(asName.statusCode, 400, 'a malformed e-mail is the schema\'s');
  const asNewEmail = await call(ta, 'PATCH', `/users/${bob.id}`, { password: 'bob.new@acme.test', email: 'bob.new@acme.test' });
  t.equal(asNewEmail.json<ErrorReply>().error.message, 'password: must not be the e-mail address', 'checked against the e-mail the edit sets');
  t.equal(ta.store.get('users', bob.id)?.passwordHash, before, 'the stored hash did not change');
});

/** A user stored as an earlier release stored them: a scrypt hash of `password`. */
async function legacyUser(ta: TestApp, username: string, password: string, email?: string): Promise<User> {
  const passwordHash = encodePasswordHash(await hashPassword(password, TEST_SCRYPT));
  return ta.service.users.createUser({ enterpriseId: 'ent', username, role: 'operator', passwordHash, ...(email !== undefined ? { email } : {}) }, { role: 'system' });
}

function login(ta: TestApp, payload: Record<string, string>) {
  return ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
}

t.test('a scrypt hash of an earlier release signs in and is replaced by an argon2id hash; so is one of another cost', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const old = await legacyUser(ta, 'olga', 'olgas old password');
  t.match(ta.store.get('users', old.id)?.passwordHash, /^scrypt\$1024\$/);
  t.equal((await login(ta, { username: 'olga', password: 'not her password' })).statusCode, 401);
  t.match(ta.store.get('users', old.id)?.passwordHash, /^scrypt\$/, 'a wrong password changes nothing');
  t.equal((await login(ta, { username: 'olga', password: 'olgas old password' })).statusCode, 200);
  const upgraded = ta.store.get('users', old.id)?.passwordHash ?? '';
  t.match(upgraded, /^\$argon2id\$v=19\$m=64,p=1,t=1\$/, 'argon2id with the configured cost');
  t.equal((await login(ta, { username: 'olga', password: 'olgas old password' })).statusCode, 200, 'the same password signs in');
  t.equal(ta.store.get('users', old.id)?.passwordHash, upgraded, 'a current hash is kept');

  // A hash of another cost (the configuration raised it since) is replaced likewise.
  const weaker = await hashNewPassword('olgas old password', { ...TEST_ARGON2, memoryCost: 32 });
  await ta.service.users.updateUser(old.id, { passwordHash: weaker }, { role: 'system' });
  t.equal((await login(ta, { username: 'olga', password: 'olgas old password' })).statusCode, 200);
  t.match(ta.store.get('users', old.id)?.passwordHash, /^\$argon2id\$v=19\$m=64,p=1,t=1\$/);
});

t.test('sign-in by e-mail address (any case); an address two stored users share signs nobody in', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await ta.auth.createUser({ enterpriseId: 'ent', username: 'ann', email: 'Ann@Acme.test', password: 'anns password 1', role: 'operator' });
  const ok = await login(ta, { email: 'ann@ACME.test', password: 'anns password 1' });
  t.equal(ok.statusCode, 200);
  t.equal(ok.json<{ user: { username: string } }>().user.username, 'ann');
  const wrong = await login(ta, { email: 'ann@acme.test', password: 'not anns password' });
  t.equal(wrong.statusCode, 401);
  t.same(wrong.json(), { error: { code: 'INVALID_CREDENTIALS', message: 'invalid e-mail address or password' } });
  t.same((await login(ta, { email: 'nobody@acme.test', password: 'anns password 1' })).json(), wrong.json(), 'an unknown address: the same answer');
  t.equal((await login(ta, { username: 'ann', password: 'anns password 1' })).statusCode, 200, 'the user name still signs in');
  const both = await login(ta, { username: 'ann', email: 'ann@acme.test', password: 'anns password 1' });
  t.equal(both.statusCode, 400, 'one name or the other');

  // Two users with one address, as a folder of an earlier release may hold them (the rules refuse it today).
  const twin = await legacyUser(ta, 'twin', PASSWORD);
  await ta.store.commit({ put: [{ c: 'users', key: twin.id, value: { ...twin, email: 'ANN@acme.test' } }] });
  const shared = await login(ta, { email: 'ann@acme.test', password: 'anns password 1' });
  t.same(shared.json(), wrong.json(), 'fails like a wrong password');
  t.same((await login(ta, { email: 'ann@acme.test', password: PASSWORD })).json(), wrong.json(), 'for either password');
  t.equal((await login(ta, { username: 'twin', password: PASSWORD })).statusCode, 200, 'each still signs in by user name');
});
