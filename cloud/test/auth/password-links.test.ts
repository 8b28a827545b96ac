// Welcome and reset links through the API: single use, expiry, the same answer for a known and an unknown e-mail,
// other sessions ended, nobody signed in. Time is sinon's (Date only: the HTTP injection runs on real timers).
import sinon from 'sinon';
import t, { type Test } from 'tap';
import { ACCOUNT_LOCKED_MESSAGE } from '../../src/auth/lockout.ts';
import { FORGOT_ANSWER, LINK_INVALID_MESSAGE } from '../../src/auth/password-links.ts';
import { tokenHash } from '../../src/auth/tokens.ts';
import { PASSWORD } from '../http/helpers.ts';
import { accountsApp, BASE_URL, type AccountsApp } from '../pages/helpers.ts';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const NEW_PASSWORD = 'a brand new passphrase';

function fakeTime(t: Test): sinon.SinonFakeTimers {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  return clock;
}

async function newUser(a: AccountsApp, body: Record<string, unknown>): Promise<string> {
  const res = await a.app.inject({ method: 'POST', url: '/api/v1/users', headers: a.admin, payload: { role: 'operator', ...body } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json<{ user: { id: string } }>().user.id;
}

const reset = (a: AccountsApp, token: string, password = NEW_PASSWORD) =>
  a.app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, password } });
const forgot = (a: AccountsApp, email: string, ip = '10.0.0.1') =>
  a.app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email }, remoteAddress: ip });
const signIn = (a: AccountsApp, username: string, password: string) =>
  a.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });

async function accountActivity(a: AccountsApp): Promise<string> {
  return JSON.stringify((await a.store.queryActivity({ type: 'account', limit: 1000 })).items);
}

t.test('a new user with an e-mail and no password is welcomed; the link sets a password once', async (t) => {
  fakeTime(t);
  const a = await accountsApp(t);
  const id = await newUser(a, { username: 'wendy', email: 'wendy@example.com', firstName: 'Wendy', lastName: 'Welcome', language: 'fr' });
  await newUser(a, { username: 'paula', email: 'paula@example.com', password: PASSWORD });
  await newUser(a, { username: 'nomail' });
  t.equal(a.mail.messages.length, 1, 'only the user with an e-mail and without a password is welcomed');
  const m = a.mail.messages[0]!;
  t.match(m, { kind: 'welcome', enterpriseId: 'ent', userId: id, to: 'wendy@example.com', name: 'Wendy Welcome', language: 'fr', expiresAt: T0 + 72 * 3600_000 });
  t.match(m.link, new RegExp(`^${BASE_URL}/account/set-password\\?token=[A-Za-z0-9_-]{43}&lang=fr$`), 'the link opens the set-password page');
  const token = a.mail.lastToken();
  t.ok(a.store.get('passwordLinks', tokenHash(token)), 'the link is stored by the hash of its token');
  t.notOk(JSON.stringify(a.store.list('passwordLinks')).includes(token), 'never the token itself');

  const ok = await reset(a, token);
  t.equal(ok.statusCode, 200);
  t.same(Object.keys(ok.json()), ['message'], 'no bearer token: nobody is signed in');
  t.notOk(ok.headers['set-cookie'], 'and no cookie');
  t.equal((await signIn(a, 'wendy', NEW_PASSWORD)).statusCode, 200, 'the user signs in with the password the link set');

  const again = await reset(a, token, 'yet another passphrase');
  t.equal(again.statusCode, 422, 'a second use is refused');
  t.same(again.json(), { error: { code: 'VALIDATION', message: LINK_INVALID_MESSAGE, field: 'body.token' } });
  t.equal((await signIn(a, 'wendy', 'yet another passphrase')).statusCode, 401, 'and changed nothing');
  const log = await accountActivity(a);
  t.match(log, /welcome link sent/, 'the link issued is in the activity log');
  t.match(log, /password set with a welcome link/, 'and its use');
  t.notOk(log.includes(token), 'never its token');
});

t.test('an expired welcome link is refused; a resend ends the older link and works', async (t) => {
  const clock = fakeTime(t);
  const a = await accountsApp(t);
  const id = await newUser(a, { username: 'eve', email: 'eve@example.com' });
  const first = a.mail.lastToken();
  clock.tick(72 * 3600_000);
  const late = await reset(a, first);
  t.equal(late.statusCode, 422, 'refused once its welcomeLinkHours are over');
  t.equal(late.json<{ error: { message: string } }>().error.message, LINK_INVALID_MESSAGE);

  // The administrator's session of three days ago is over: a new one.
  const admin = { authorization: `Bearer ${(await a.auth.login('admin', PASSWORD, '127.0.0.1')).token}` };
  const resend = await a.app.inject({ method: 'POST', url: `/api/v1/users/${id}/welcome`, headers: admin });
  t.equal(resend.statusCode, 202);
  t.equal(resend.json<{ expiresAt: string }>().expiresAt, new Date(Date.now() + 72 * 3600_000).toISOString());
  const second = a.mail.lastToken();
  t.equal(a.mail.messages.length, 2);
  t.equal(a.mail.messages[1]!.kind, 'welcome');
  const third = await a.app.inject({ method: 'POST', url: `/api/v1/users/${id}/welcome`, headers: admin });
  t.equal(third.statusCode, 202);
  t.equal((await reset(a, second)).statusCode, 422, 'a newer welcome ends the older link');
  t.equal((await reset(a, a.mail.lastToken())).statusCode, 200, 'the newest works');
  const set = await a.app.inject({ method: 'POST', url: `/api/v1/users/${id}/welcome`, headers: admin });
  t.equal(set.statusCode, 409, 'no welcome for a user who has set a password');
});

t.test('a resend is refused for a user without e-mail, and another enterprise\'s user is not found', async (t) => {
  fakeTime(t);
  const a = await accountsApp(t);
  const noMail = await newUser(a, { username: 'quiet' });
  const res = await a.app.inject({ method: 'POST', url: `/api/v1/users/${noMail}/welcome`, headers: a.admin });
  t.equal(res.statusCode, 409);
  t.match(res.json(), { error: { code: 'INVALID_STATE', message: /no e-mail/ } });
  await a.service.createEnterprise({ id: 'other', name: 'Other' }, { role: 'system' });
  const stranger = await a.auth.createUser({ enterpriseId: 'other', username: 'olga', email: 'olga@example.com', role: 'operator' });
  const before = a.mail.messages.length;
  const hidden = await a.app.inject({ method: 'POST', url: `/api/v1/users/${stranger.id}/welcome`, headers: a.admin });
  t.equal(hidden.statusCode, 404);
  t.match(hidden.json(), { error: { code: 'NOT_FOUND', field: 'params.userId' } });
  t.equal(a.mail.messages.length, before, 'nothing sent');
});

t.test('users added by a CSV import are welcomed', async (t) => {
  fakeTime(t);
  const a = await accountsApp(t);
  const csv = 'Email,FirstName,LastName,Role\nana@example.com,Ana,Import,operator\nbob@example.com,Bob,Import,operator\n';
  const res = await a.app.inject({ method: 'POST', url: '/api/v1/users/import', headers: { ...a.admin, 'content-type': 'text/csv' }, payload: csv });
  t.equal(res.statusCode, 200, res.body);
  t.notOk('created' in res.json<Record<string, unknown>>(), 'the answer is the import report only');
  t.same(a.mail.messages.map((m) => [m.kind, m.to]), [['welcome', 'ana@example.com'], ['welcome', 'bob@example.com']]);
  const again = await a.app.inject({ method: 'POST', url: '/api/v1/users/import', headers: { ...a.admin, 'content-type': 'text/csv' }, payload: csv });
  t.equal(again.statusCode, 200);
  t.equal(a.mail.messages.length, 2, 'users updated by a later import are not welcomed again');
});

t.test('forgot-password: the same answer for a known and an unknown e-mail; a link only for the known one', async (t) => {
  const clock = fakeTime(t);
  const a = await accountsApp(t);
  const id = await newUser(a, { username: 'kim', email: 'kim@example.com', password: PASSWORD });
  const known = await forgot(a, 'KIM@example.com');
  const unknown = await forgot(a, 'nobody@example.com');
  t.equal(known.statusCode, 202);
  t.equal(unknown.statusCode, 202);
  t.equal(known.body, unknown.body, 'the same body');
  t.same(known.json(), { message: FORGOT_ANSWER });
  await a.links.settled();
  t.equal(a.mail.messages.length, 1, 'one message, for the known address');
  t.match(a.mail.messages[0], { kind: 'password-reset', userId: id, to: 'kim@example.com', expiresAt: T0 + 30 * 60_000 });
  t.match(a.mail.messages[0]!.link, new RegExp(`^${BASE_URL}/account/reset-password\\?token=`));
  t.match(await accountActivity(a), /password reset link sent/);

  // A token signed in before the reset.
  const before = (await signIn(a, 'kim', PASSWORD)).json<{ token: string }>().token;
  const me = () => a.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${before}` } });
  t.equal((await me()).statusCode, 200);
  clock.tick(30 * 60_000 - 1);
  const used = await reset(a, a.mail.lastToken());
  t.equal(used.statusCode, 200, 'the link works for 30 minutes');
  t.equal((await me()).statusCode, 401, "the user's other sessions ended");
  t.equal((await signIn(a, 'kim', PASSWORD)).statusCode, 401, 'the old password is gone');
  t.equal((await signIn(a, 'kim', NEW_PASSWORD)).statusCode, 200);
  t.match(await accountActivity(a), /password reset with a reset link/);

  await forgot(a, 'kim@example.com', '10.0.0.2');
  await a.links.settled();
  clock.tick(30 * 60_000);
  t.equal((await reset(a, a.mail.lastToken())).statusCode, 422, 'a reset link is refused after 30 minutes');
});

t.test('a password the policy refuses keeps the link usable; a disabled or deleted user\'s link is refused', async (t) => {
  fakeTime(t);
  const a = await accountsApp(t);
  await newUser(a, { username: 'lou', email: 'lou@example.com' });
  const token = a.mail.lastToken();
  const short = await reset(a, token, 'short');
  t.equal(short.statusCode, 400);
  t.equal(short.json<{ error: { field: string } }>().error.field, 'body.password', 'the error names the field');
  t.equal((await reset(a, token)).statusCode, 200, 'the link still works after a refused password');

  const dis = await newUser(a, { username: 'dis', email: 'dis@example.com' });
  const disToken = a.mail.lastToken();
  await a.auth.updateUser(dis, { disabled: true });
  t.equal((await reset(a, disToken)).statusCode, 422, "a disabled user's link is refused");
  const del = await newUser(a, { username: 'del', email: 'del@example.com' });
  const delToken = a.mail.lastToken();
  await a.auth.deleteUser(del);
  t.equal((await reset(a, delToken)).statusCode, 422, "a deleted user's link is refused");
  await forgot(a, 'dis@example.com');
  await a.links.settled();
  t.equal(a.mail.messages.at(-1)!.userId, del, 'no reset link for a disabled user (the last message is the welcome before)');
});

t.test('two uses of one link at once: one sets the password, the other is refused', async (t) => {
  fakeTime(t);
  const a = await accountsApp(t);
  await newUser(a, { username: 'twin', email: 'twin@example.com' });
  const token = a.mail.lastToken();
  const [x, y] = await Promise.all([reset(a, token, 'first of the two'), reset(a, token, 'second of the two')]);
  t.same([x.statusCode, y.statusCode].sort(), [200, 422]);
});

t.test('forgot-password is limited per e-mail address and per client address', async (t) => {
  fakeTime(t);
  const a = await accountsApp(t);
  for (let i = 0; i < 5; i++) t.equal((await forgot(a, 'many@example.com', `10.0.1.${i}`)).statusCode, 202);
  const limited = await forgot(a, 'many@example.com', '10.0.2.1');
  t.equal(limited.statusCode, 429, 'the sixth request for one address within the hour');
  t.ok(Number(limited.headers['retry-after']) > 0);
  for (let i = 0; i < 5; i++) t.equal((await forgot(a, `other${i}@example.com`, '10.0.3.1')).statusCode, 202);
  t.equal((await forgot(a, 'fresh@example.com', '10.0.3.1')).statusCode, 429, 'the sixth request from one client address');
});

t.test('a reset ends a lock-out: the new password signs in at once', async (t) => {
  fakeTime(t);
  const a = await accountsApp(t);
  await newUser(a, { username: 'lee', email: 'lee@example.com', password: PASSWORD });
  // Each failure from another address: the account locks, not the per-address throttle.
  const attempt = (password: string, i: number) =>
    a.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'lee', password }, remoteAddress: `10.9.0.${i}` });
  for (let i = 0; i < 5; i++) await attempt('not the password', i);
  const locked = await attempt(PASSWORD, 10);
  t.equal(locked.json<{ error: { message: string } }>().error.message, ACCOUNT_LOCKED_MESSAGE, 'locked after five failures');
  await forgot(a, 'lee@example.com');
  await a.links.settled();
  t.equal((await reset(a, a.mail.lastToken())).statusCode, 200);
  t.equal((await attempt(NEW_PASSWORD, 11)).statusCode, 200, 'the reset unlocked the account');
});
