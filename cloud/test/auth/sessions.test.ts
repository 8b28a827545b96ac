// Sessions through the API under fake time: idle sign-out by the enterprise's period, the absolute maximum, the
// settings' range, sign-out everywhere, an administrator ending a user's sessions, and the list of one's sessions.
import t from 'tap';
import { HOUR, MIN, sessionApp } from './helpers.ts';

const me = '/auth/me';

t.test('idle sign-out: a session unused for the enterprise period ends, not before; each request keeps it alive', async (t) => {
  const sa = await sessionApp(t);
  const token = await sa.login('operator');
  // Default period: 15 minutes. Used at 14 min, then 14 min later: still alive (counted from the last request).
  sa.clock.tick(14 * MIN);
  t.equal((await sa.call(token, 'GET', me)).statusCode, 200, 'used after 14 idle minutes');
  sa.clock.tick(14 * MIN + 59_000);
  t.equal((await sa.call(token, 'GET', me)).statusCode, 200, 'used again 14:59 later: the last request counts, not sign-in');
  sa.clock.tick(15 * MIN);
  const idle = await sa.call(token, 'GET', me);
  t.equal(idle.statusCode, 401, 'unused for 15 minutes: signed out');
  t.equal(idle.json<{ error: { code: string } }>().error.code, 'UNAUTHORIZED');
  const opId = (await sa.auth.findUserByName('operator'))!.id;
  t.same(await sa.tokens.listByUser(opId), [], 'the session is gone, not only late');

  // The administrator sets 30 minutes for every user of the enterprise: sessions open now follow it at once.
  const admin = await sa.login('admin');
  const other = await sa.login('operator');
  const set = await sa.call(admin, 'PATCH', '/enterprises/ent', { settings: { idleTimeoutMinutes: 30 } });
  t.equal(set.statusCode, 200, set.body);
  sa.clock.tick(29 * MIN);
  t.equal((await sa.call(other, 'GET', me)).statusCode, 200, '29 idle minutes with a period of 30');
  sa.clock.tick(30 * MIN);
  t.equal((await sa.call(other, 'GET', me)).statusCode, 401, '30 idle minutes: signed out');
  t.equal((await sa.call(admin, 'GET', me)).statusCode, 401, "the administrator's own session too");
});

t.test('the idle period is 5 to 60 minutes: other values are refused and change nothing', async (t) => {
  const sa = await sessionApp(t);
  const admin = await sa.login('admin');
  for (const v of [4, 61, 0, 15.5]) {
    const res = await sa.call(admin, 'PATCH', '/enterprises/ent', { settings: { idleTimeoutMinutes: v } });
    t.equal(res.statusCode, 400, `${v} refused`);
    t.equal(res.json<{ error: { field: string } }>().error.field, 'body.settings.idleTimeoutMinutes');
  }
  for (const v of [5, 60]) t.equal((await sa.call(admin, 'PATCH', '/enterprises/ent', { settings: { idleTimeoutMinutes: v } })).statusCode, 200, `${v} taken`);
  t.equal(sa.store.get('enterprises', 'ent')?.settings?.idleTimeoutMinutes, 60);
  const operator = await sa.login('operator');
  t.equal((await sa.call(operator, 'PATCH', '/enterprises/ent', { settings: { idleTimeoutMinutes: 5 } })).statusCode, 403, 'an operator may not set it');
});

t.test("the absolute maximum ends a busy session: the enterprise's, capped by the cloud's token lifetime", async (t) => {
  const sa = await sessionApp(t);
  const admin = await sa.login('admin');
  t.equal((await sa.call(admin, 'PATCH', '/enterprises/ent', { settings: { sessionMaxHours: 2 } })).statusCode, 200);
  const token = await sa.login('operator');
  const login = await sa.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: 'correct horse battery' } });
  t.equal(Date.parse(login.json<{ expiresAt: string }>().expiresAt), Date.now() + 2 * HOUR, 'the answer says when it ends at the latest');
  for (let i = 0; i < 11; i++) {
    sa.clock.tick(10 * MIN);
    t.equal((await sa.call(token, 'GET', me)).statusCode, 200, `busy at ${(i + 1) * 10} min`);
  }
  sa.clock.tick(10 * MIN);
  t.equal((await sa.call(token, 'GET', me)).statusCode, 401, 'ended after 2 hours however busy');

  // A maximum above the cloud's cap (24 h here) ends at the cap.
  t.equal((await sa.call(await sa.login('admin'), 'PATCH', '/enterprises/ent', { settings: { sessionMaxHours: 48, idleTimeoutMinutes: 60 } })).statusCode, 200);
  const long = await sa.login('operator');
  let alive = 0;
  for (let i = 0; i < 28; i++) {
    sa.clock.tick(50 * MIN);
    if ((await sa.call(long, 'GET', me)).statusCode === 200) alive++;
  }
  sa.clock.tick(40 * MIN - 1000);
  t.equal((await sa.call(long, 'GET', me)).statusCode, 200, 'busy for 24 hours less a second');
  t.equal(alive, 28);
  sa.clock.tick(1000);
  t.equal((await sa.call(long, 'GET', me)).statusCode, 401, 'ended at the 24 h cap');

  // A shorter maximum applies at once to sessions already open.
  const open = await sa.login('operator');
  sa.clock.tick(50 * MIN);
  t.equal((await sa.call(open, 'GET', me)).statusCode, 200);
  sa.clock.tick(40 * MIN);
  t.equal((await sa.call(open, 'GET', me)).statusCode, 200, 'open 90 minutes, busy');
  t.equal((await sa.call(await sa.login('admin'), 'PATCH', '/enterprises/ent', { settings: { sessionMaxHours: 1 } })).statusCode, 200);
  t.equal((await sa.call(open, 'GET', me)).statusCode, 401, 'open 90 minutes, the maximum lowered to 1 hour: ended');
});

t.test('sign-out ends this session; sign-out everywhere every session of the user, not the sessions of others', async (t) => {
  const sa = await sessionApp(t);
  const [a, b, c] = [await sa.login('operator'), await sa.login('operator'), await sa.login('operator')];
  const admin = await sa.login('admin');
  t.equal((await sa.call(a, 'POST', '/auth/logout')).statusCode, 204);
  t.equal((await sa.call(a, 'GET', me)).statusCode, 401, 'signed out');
  t.equal((await sa.call(b, 'GET', me)).statusCode, 200, 'the other sessions stay');
  t.equal((await sa.call(b, 'POST', '/auth/logout-all')).statusCode, 204);
  t.same((await sa.call(admin, 'GET', '/activity?type=account')).json(), { activity: [] }, "one's own sign-out is not an administrative act: not logged");
  t.equal((await sa.call(b, 'GET', me)).statusCode, 401, 'this session ended');
  t.equal((await sa.call(c, 'GET', me)).statusCode, 401, 'and the other one');
  t.equal((await sa.call(admin, 'GET', me)).statusCode, 200, "another user's session is untouched");
});

t.test('an administrator ends the sessions of a user of theirs; another enterprise, or a user above them, is refused', async (t) => {
  const sa = await sessionApp(t);
  await sa.login('operator');
  sa.clock.tick(16 * MIN);
  const admin = await sa.login('admin');
  const opId = (await sa.auth.findUserByName('operator'))!.id;
  const [x, y] = [await sa.login('operator'), await sa.login('operator')];
  const end = await sa.call(admin, 'POST', `/users/${opId}/sessions/end`);
  t.equal(end.statusCode, 200, end.body);
  t.same(end.json(), { ended: 2 }, 'the two open sessions (one signed out for being idle is not counted)');
  t.equal((await sa.call(x, 'GET', me)).statusCode, 401);
  t.equal((await sa.call(y, 'GET', me)).statusCode, 401);
  t.equal((await sa.call(admin, 'GET', me)).statusCode, 200, "the administrator's own session stays");
  const log = (await sa.call(admin, 'GET', '/activity?type=account')).json<{ activity: unknown[] }>().activity;
  t.match(log, [{ type: 'account', actor: { role: 'admin' }, target: { kind: 'user', id: opId }, detail: 'sessions ended', changes: [{ field: 'sessions', to: '2 ended' }] }], 'in the activity log');

  const foreignId = await sa.user('olga', { enterpriseId: 'other' });
  const foreign = await sa.login('olga');
  const refused = await sa.call(admin, 'POST', `/users/${foreignId}/sessions/end`);
  t.equal(refused.statusCode, 404, "another enterprise's user does not exist for them");
  t.equal(refused.json<{ error: { field: string } }>().error.field, 'params.userId');
  t.equal((await sa.call(foreign, 'GET', me)).statusCode, 200, 'and keeps their session');

  // A user manager (permission 'users' only) may not end an administrator's sessions.
  await sa.service.roles.createRole({ id: 'people-desk', enterpriseId: 'ent', name: 'People desk', permissions: ['users'] }, { role: 'system' });
  await sa.user('desk', { role: 'people-desk' });
  const desk = await sa.login('desk');
  const adminId = (await sa.auth.findUserByName('admin'))!.id;
  t.equal((await sa.call(desk, 'POST', `/users/${adminId}/sessions/end`)).statusCode, 403);
  t.equal((await sa.call(admin, 'GET', me)).statusCode, 200);
  t.equal((await sa.call(await sa.login('operator'), 'POST', `/users/${adminId}/sessions/end`)).statusCode, 403, 'an operator may not');
});

t.test('your sessions: where and when you signed in, which one is this, never a token or a hash', async (t) => {
  const sa = await sessionApp(t);
  const first = await sa.login('operator', { ip: '10.1.2.3', userAgent: 'Firefox/140' });
  sa.clock.tick(2 * MIN);
  const second = await sa.login('operator', { ip: '10.9.9.9', userAgent: 'curl/8.5' });
  await sa.login('admin');
  sa.clock.tick(MIN);
  const res = await sa.call(second, 'GET', '/auth/sessions');
  t.equal(res.statusCode, 200);
  type S = { id: string; createdAt: number; lastSeenAt: number; expiresAt: number; idleExpiresAt: number; ip: string; userAgent: string; current: boolean };
  const list = res.json<{ sessions: S[] }>().sessions;
  t.match(list, [
    { ip: '10.9.9.9', userAgent: 'curl/8.5', current: true, lastSeenAt: Date.now(), idleExpiresAt: Date.now() + 15 * MIN },
    { ip: '10.1.2.3', userAgent: 'Firefox/140', current: false, createdAt: Date.now() - 3 * MIN, idleExpiresAt: Date.now() - 3 * MIN + 15 * MIN },
  ]);
  t.equal(list.length, 2, "only the caller's own");
  t.notMatch(res.body, new RegExp(`${first}|${second}|[0-9a-f]{64}`), 'no token and no hash');
  t.notMatch(res.body, /hash/);
});
