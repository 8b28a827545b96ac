// Account lock-out through the API: the exact message after the enterprise's number of wrong passwords, the right
// password refused while locked, and each way a lock ends (its period, an administrator, a new password), each in the
// activity log. Time is the test app's clock.
import t, { type Test } from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { buildServer } from '../../src/http/server.ts';
import { apiCall, call, cliIo, listeningCliApp, makeTestApp, PASSWORD, signedInUser, silent, type TestApp } from '../http/helpers.ts';

const LOCKED = { error: { code: 'ACCOUNT_LOCKED', message: 'This user account is locked. Too many unsuccessful login attempts.' } };
let address = 0;

/** A sign-in through the API, each from a new client address (the per-address throttle is another test's). */
function login(ta: TestApp, payload: Record<string, string>) {
  address += 1;
  return ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload, remoteAddress: `10.1.${address >> 8}.${address & 255}` });
}

async function failTimes(t: Test, ta: TestApp, username: string, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) t.equal((await login(ta, { username, password: `wrong password ${i}` })).statusCode, 401, `wrong password ${i}`);
}

/** Five wrong passwords (the default threshold): the last one answers the lock. */
async function lockOut(t: Test, ta: TestApp, username: string): Promise<void> {
  await failTimes(t, ta, username, 4);
  t.same((await login(ta, { username, password: 'wrong password 5' })).json(), LOCKED, `${username} locked`);
}

/** The account entries of the activity log as the enterprise's administrator reads them. */
async function accountLog(ta: TestApp): Promise<Record<string, unknown>[]> {
  const r = await call(ta, 'GET', '/activity?type=account');
  return r.json<{ activity: Record<string, unknown>[] }>().activity;
}

async function settings(ta: TestApp, s: Record<string, number>): Promise<void> {
  const r = await call(ta, 'PATCH', '/enterprises/ent', { settings: s });
  if (r.statusCode !== 200) throw new Error(r.body);
}

t.test('after the threshold of wrong passwords the account is locked with the exact message, right password or not, until its period ends', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await failTimes(t, ta, 'operator', 4);
  const fifth = await login(ta, { username: 'operator', password: 'wrong password 5' });
  t.equal(fifth.statusCode, 423, 'the default threshold is 5');
  t.same(fifth.json(), LOCKED);
  const right = await login(ta, { username: 'operator', password: PASSWORD });
  t.equal(right.statusCode, 423);
  t.same(right.json(), LOCKED, 'the right password gets the same answer');
  t.notOk(right.headers['retry-after'], 'nothing tells how long');
  t.same((await login(ta, { username: 'carrier', password: PASSWORD })).statusCode, 200, 'other accounts are not locked');

  const log = await accountLog(ta);
  t.equal(log.length, 1);
  t.match(log[0], { type: 'account', actorName: 'system', targetName: /^user operator /, enterpriseId: 'ent', detail: /^locked after 5 unsuccessful sign-ins in a row, until / });

  // The default period is 30 minutes.
  ta.clock.now += 30 * 60_000 - 1;
  t.equal((await login(ta, { username: 'operator', password: PASSWORD })).statusCode, 423, 'still locked a moment before the end');
  ta.clock.now += 1;
  t.equal((await login(ta, { username: 'operator', password: PASSWORD })).statusCode, 200, 'the period is over');
  // The success cleared the count: four more failures do not lock.
  await failTimes(t, ta, 'operator', 4);
  t.equal((await login(ta, { username: 'operator', password: PASSWORD })).statusCode, 200);
});

t.test("the enterprise's threshold and period; a lock that ran out gives the full allowance again", async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await settings(ta, { lockoutThreshold: 2, lockoutMinutes: 5 });
  await failTimes(t, ta, 'carrier', 1);
  t.same((await login(ta, { username: 'carrier', password: 'nope nope' })).json(), LOCKED);
  ta.clock.now += 5 * 60_000;
  await failTimes(t, ta, 'carrier', 1);
  t.same((await login(ta, { username: 'carrier', password: 'nope nope' })).json(), LOCKED, 'two more after the period');
  // A lock is in the store: another server on the same store (another instance, or after a restart) sees it.
  const other = await buildServer({ auth: ta.auth, service: ta.service, logger: silent });
  t.teardown(() => other.close());
  const there = await other.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'carrier', password: PASSWORD } });
  t.same(there.json(), LOCKED);
  t.ok(ta.store.get('loginFailures', (await ta.auth.findUserByName('carrier'))!.id)?.lockedUntil, 'the lock is a store record');
});

t.test('an administrator unlocks through the API (in scope only) or the CLI; a new password unlocks too', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const operator = (await ta.auth.findUserByName('operator'))!;
  await lockOut(t, ta, 'operator');

  // Another enterprise's administrator does not see the user; a user without the users permission may not call it.
  const outsider = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });
  t.equal((await apiCall(ta, outsider, 'POST', `/users/${operator.id}/unlock`)).statusCode, 404);
  t.equal((await call(ta, 'POST', `/users/${operator.id}/unlock`, undefined, 'operator')).statusCode, 403);

  const shown = async () => (await call(ta, 'GET', `/users/${operator.id}`)).json<{ user: { lockedUntil?: number } }>().user;
  t.ok((await shown()).lockedUntil! > ta.clock.now, 'the user view says until when the account is locked');
  t.ok((await call(ta, 'GET', '/users')).json<{ users: { id: string; lockedUntil?: number }[] }>().users.find((u) => u.id === operator.id)?.lockedUntil, 'and so does the list');
  const unlocked = await call(ta, 'POST', `/users/${operator.id}/unlock`);
  t.equal(unlocked.statusCode, 200);
  t.notOk('lockedUntil' in (await shown()), 'unlocked: no lock shown');
  t.match(unlocked.json(), { unlocked: true, user: { id: operator.id, username: 'operator' } });
  t.equal((await login(ta, { username: 'operator', password: PASSWORD })).statusCode, 200, 'signs in again');
  t.match((await call(ta, 'POST', `/users/${operator.id}/unlock`)).json(), { unlocked: false }, 'nothing to unlock');

  // The CLI, by user name.
  await lockOut(t, ta, 'operator');
  const io = cliIo(env('admin'));
  t.equal(await runAdmin(['users', 'unlock', 'OPERATOR'], io), 0, io.stderr);
  t.equal(io.stdout, 'user operator unlocked\n');
  t.equal((await login(ta, { username: 'operator', password: PASSWORD })).statusCode, 200);

  // A new password set by an administrator (as a reset sets it) ends the lock.
  await lockOut(t, ta, 'operator');
  t.equal((await call(ta, 'PATCH', `/users/${operator.id}`, { password: 'a brand new secret' })).statusCode, 200);
  t.equal((await login(ta, { username: 'operator', password: 'a brand new secret' })).statusCode, 200);

  const log = await accountLog(ta);
  t.same(
    log.map((a) => [a.actorName, a.targetName, String(a.detail).replace(/, until .*/, '')]),
    [
      ['system', `user operator (${operator.id})`, 'locked after 5 unsuccessful sign-ins in a row'],
      ['admin', `user operator (${operator.id})`, 'unlocked by an administrator'],
      ['system', `user operator (${operator.id})`, 'locked after 5 unsuccessful sign-ins in a row'],
      ['admin', `user operator (${operator.id})`, 'unlocked by an administrator'],
      ['system', `user operator (${operator.id})`, 'locked after 5 unsuccessful sign-ins in a row'],
      ['admin', `user operator (${operator.id})`, 'unlocked: a new password was set'],
    ],
    'every lock and unlock, with who did it',
  );
});

t.test('the per-address throttle reads X-Forwarded-For only from a trusted proxy', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const behindProxy = await buildServer({ auth: ta.auth, service: ta.service, logger: silent, trustedProxies: ['192.0.2.0/24'] });
  t.teardown(() => behindProxy.close());
  const attempt = (app: typeof behindProxy, from: string, forwardedFor: string, username: string, password: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: from, headers: { 'x-forwarded-for': forwardedFor } });
  const users = ['admin', 'carrier', 'recipient'];

  // Through the proxy: three failures from one client (the helper's throttle allows three), then that client waits...
  for (const u of users) t.equal((await attempt(behindProxy, '192.0.2.10', '203.0.113.7', u, 'wrong-wrong')).statusCode, 401);
  t.equal((await attempt(behindProxy, '192.0.2.10', '203.0.113.7', 'operator', PASSWORD)).statusCode, 429, 'the client behind the proxy is throttled');
  // ...while another client through the same proxy does not.
  t.equal((await attempt(behindProxy, '192.0.2.10', '203.0.113.8', 'operator', PASSWORD)).statusCode, 200, 'another client through the same proxy is not');

  // A caller that is not a trusted proxy cannot pick its address: the header is ignored, its own address counts.
  for (const [i, u] of users.entries()) t.equal((await attempt(behindProxy, '198.51.100.5', `203.0.113.${100 + i}`, u, 'wrong-wrong')).statusCode, 401);
  t.equal((await attempt(behindProxy, '198.51.100.5', '203.0.113.200', 'operator', PASSWORD)).statusCode, 429, 'a forged header does not escape the throttle');
  // And a server with no trusted proxy ignores the header from anyone.
  for (const u of users) t.equal((await attempt(ta.app, '192.0.2.10', '203.0.113.50', u, 'wrong-wrong')).statusCode, 401);
  t.equal((await attempt(ta.app, '192.0.2.10', '203.0.113.51', 'operator', PASSWORD)).statusCode, 429);
});
