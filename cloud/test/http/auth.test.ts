import t from 'tap';
import { tokenHash } from '../../src/auth/tokens.ts';
import { makeTestApp, PASSWORD } from './helpers.ts';

t.test('login answers a bearer token that works, and only its hash is stored', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: PASSWORD } });
  t.equal(res.statusCode, 200);
  const body = res.json<{ token: string; tokenType: string; expiresAt: string; user: Record<string, unknown> }>();
  t.equal(body.tokenType, 'Bearer');
  t.match(body.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  t.equal(Date.parse(body.expiresAt), ta.clock.now + 3600_000);
  t.equal(body.user.role, 'operator');
  t.notOk('passwordHash' in body.user, 'no hash in the answer');

  const me = await ta.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.token}` } });
  t.equal(me.statusCode, 200);
  t.equal(me.json<{ user: { username: string } }>().user.username, 'operator');

  // RFC 7235: the auth scheme is case-insensitive; the token is not.
  for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
    const res = await ta.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `${scheme} ${body.token}` } });
    t.equal(res.statusCode, 200, `scheme written ${scheme}`);
  }
  const swapped = body.token.replace(/[a-z]/, (c) => c.toUpperCase());
  if (swapped !== body.token) {
    t.equal((await ta.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `bearer ${swapped}` } })).statusCode, 401, 'the token keeps its case');
  }

  t.ok(await ta.tokenRepo.get(tokenHash(body.token)), 'token stored by hash');
  const dump = JSON.stringify([...ta.tokenRepo.tokens.values()]) + JSON.stringify(ta.store.list('users'));
  t.notOk(dump.includes(body.token), 'the token itself is stored nowhere');
  t.notOk(dump.includes(PASSWORD), 'the password itself is stored nowhere');
  t.match(ta.store.list('users')[0]?.passwordHash ?? '', /^\$argon2id\$v=19\$m=64,p=1,t=1\$/, 'argon2id hash with its parameters');
});

t.test('wrong password, unknown user, and malformed bodies are refused without a token', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const wrong = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: 'nope-nope' } });
  t.equal(wrong.statusCode, 401);
  t.same(wrong.json(), { error: { code: 'INVALID_CREDENTIALS', message: 'invalid user name or password' } });
  const unknown = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ghost', password: 'nope-nope' } });
  t.equal(unknown.statusCode, 401);
  t.same(unknown.json(), wrong.json(), 'same answer: no user enumeration');
  const extra = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: PASSWORD, admin: true } });
  t.equal(extra.statusCode, 400);
  t.equal(extra.json<{ error: { field: string } }>().error.field, 'body.admin');
  const typed = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 42, password: PASSWORD } });
  t.equal(typed.statusCode, 400);
  t.equal(typed.json<{ error: { field: string } }>().error.field, 'body.username');
});

t.test('failed logins are throttled per client address, with a growing lock-out; accounts are not (they lock)', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const attempt = (username: string, password: string, ip = '10.0.0.1') =>
    ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: ip });
  // Three users, one wrong password each, from one address: guessing across accounts.
  for (const u of ['carrier', 'operator', 'recipient']) t.equal((await attempt(u, 'wrong-wrong')).statusCode, 401, `failure for ${u}`);
  const throttled = await attempt('admin', PASSWORD);
  t.equal(throttled.statusCode, 429, 'even the right password is refused from that address');
  t.equal(throttled.json<{ error: { code: string } }>().error.code, 'TOO_MANY_ATTEMPTS');
  t.equal(throttled.headers['retry-after'], '1');
  t.equal((await attempt('admin', PASSWORD, '10.0.0.2')).statusCode, 200, 'another address is not throttled');

  ta.clock.now += 1001;
  t.equal((await attempt('carrier', 'wrong-again')).statusCode, 401, 'throttle over: one more try allowed');
  const longer = await attempt('carrier', PASSWORD);
  t.equal(longer.statusCode, 429);
  t.equal(longer.headers['retry-after'], '2', 'the throttle doubled');
  ta.clock.now += 2001;
  t.equal((await attempt('carrier', PASSWORD)).statusCode, 200, 'a success after the throttle');
  t.equal((await attempt('carrier', 'wrong-wrong')).statusCode, 401, 'and the counter was reset');
  t.equal((await attempt('carrier', PASSWORD)).statusCode, 200);
});

t.test('tokens expire, logout revokes, a disabled user or a password change ends sessions', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const me = (token: string) => ta.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });

  const out = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: ta.headers('carrier') });
  t.equal(out.statusCode, 204);
  t.equal((await me(ta.tokens.carrier)).statusCode, 401, 'logged out');

  const op = await ta.auth.findUserByName('operator');
  const patch = await ta.app.inject({ method: 'PATCH', url: `/api/v1/users/${op!.id}`, headers: ta.headers('admin'), payload: { disabled: true } });
  t.equal(patch.statusCode, 200);
  t.equal((await me(ta.tokens.operator)).statusCode, 401, 'disabled');
  const relog = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: PASSWORD } });
  t.equal(relog.statusCode, 401, 'a disabled user cannot log in');

  const rec = await ta.auth.findUserByName('recipient');
  await ta.app.inject({ method: 'PATCH', url: `/api/v1/users/${rec!.id}`, headers: ta.headers('admin'), payload: { password: 'a new password' } });
  t.equal((await me(ta.tokens.recipient)).statusCode, 401, 'password changed');
  const fresh = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'recipient', password: 'a new password' } });
  t.equal(fresh.statusCode, 200);

  t.equal((await me(ta.tokens.admin)).statusCode, 200);
  ta.clock.now += 3600_000;
  const expired = await me(ta.tokens.admin);
  t.equal(expired.statusCode, 401, 'expired');
  t.equal(expired.headers['www-authenticate'], 'Bearer');
});

t.test('users: admins manage them; the last admin cannot be removed; names are unique', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const h = ta.headers('admin');
  const createUser = (payload: { username: string; password: string; role: string }) => ta.app.inject({ method: 'POST', url: '/api/v1/users', headers: h, payload });
  const created = await createUser({ username: 'mailroom2', password: 'long enough', role: 'operator' });
  t.equal(created.statusCode, 201);
  const dup = await createUser({ username: 'MAILROOM2', password: 'long enough', role: 'operator' });
  t.equal(dup.statusCode, 409);
  t.equal(dup.json<{ error: { field: string } }>().error.field, 'body.username');
  const short = await createUser({ username: 'x', password: 'short', role: 'operator' });
  t.equal(short.statusCode, 400);
  t.equal(short.json<{ error: { field: string } }>().error.field, 'body.password');
  const badRole = await createUser({ username: 'y', password: 'long enough', role: 'root' });
  t.equal(badRole.json<{ error: { field: string } }>().error.field, 'body.role');

  const list = await ta.app.inject({ url: '/api/v1/users', headers: h });
  t.same(
    list.json<{ users: { username: string }[] }>().users.map((u) => u.username),
    ['admin', 'carrier', 'mailroom2', 'operator', 'recipient'],
  );
  t.notOk(list.body.includes('scrypt$'), 'no password hashes listed');

  const admin = await ta.auth.findUserByName('admin');
  const del = await ta.app.inject({ method: 'DELETE', url: `/api/v1/users/${admin!.id}`, headers: h });
  t.equal(del.statusCode, 409);
  t.equal(del.json<{ error: { code: string } }>().error.code, 'LAST_ADMIN');
  const missing = await ta.app.inject({ method: 'DELETE', url: '/api/v1/users/usr_nope', headers: h });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json<{ error: { field: string } }>().error.field, 'params.userId');
});
