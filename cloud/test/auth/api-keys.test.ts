// API keys through the API under fake time: shown once and stored hashed, used as a bearer token, never signed out
// for being idle, refused after revocation and expiry, never beyond what their maker may do, audited.
import t from 'tap';
import { tokenHash } from '../../src/auth/tokens.ts';
import { HOUR, PASSWORD, sessionApp, type SessionApp } from './helpers.ts';

const DAY = 24 * HOUR;

interface Made {
  key: string;
  apiKey: { id: string; name: string; role: string; status: string; expiresAt: number; createdBy: string; lastUsedAt?: number };
}

async function makeKey(sa: SessionApp, token: string, body: Record<string, unknown>): Promise<Made> {
  const res = await sa.call(token, 'POST', '/api-keys', { name: 'Nightly export', role: 'operator', expiresAt: Date.now() + 90 * DAY, ...body });
  if (res.statusCode !== 201) throw new Error(`POST /api-keys: ${res.statusCode} ${res.body}`);
  return res.json<Made>();
}

t.test('a key is shown once, stored as a hash, works as a bearer token with its role, and is never signed out for being idle', async (t) => {
  const sa = await sessionApp(t);
  const admin = await sa.login('admin');
  const adminId = (await sa.auth.findUserByName('admin'))!.id;
  const made = await makeKey(sa, admin, {});
  t.match(made.key, /^pk_k-[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/, 'pk_<id>_<32 random bytes>');
  t.match(made.apiKey, { name: 'Nightly export', role: 'operator', status: 'active', createdBy: adminId, expiresAt: Date.now() + 90 * DAY });
  t.notOk('secretHash' in made.apiKey, 'the answer holds no hash');

  const stored = sa.store.get('apiKeys', made.apiKey.id)!;
  t.equal(stored.secretHash, tokenHash(made.key.split('_').slice(2).join('_')), 'the store keeps the hash of the secret');
  t.notMatch(JSON.stringify(sa.store.list('apiKeys')), made.key.slice(-43), 'and never the secret');
  const list = await sa.call(admin, 'GET', '/api-keys');
  t.equal(list.statusCode, 200);
  t.notMatch(list.body, new RegExp(`${made.key.slice(-43)}|secretHash|[0-9a-f]{64}`), 'listed without the key or its hash');
  t.match(list.json(), { apiKeys: [{ id: made.apiKey.id, name: 'Nightly export', role: 'operator', status: 'active' }] });

  // The operator role: it sees banks, it may not manage users.
  t.equal((await sa.call(made.key, 'GET', '/banks')).statusCode, 200, 'the key works');
  t.equal((await sa.call(made.key, 'GET', '/users')).statusCode, 403, 'within its role only');
  // Days without a request: a session would have ended after 15 minutes, the key goes on.
  sa.clock.tick(3 * DAY);
  t.equal((await sa.call(made.key, 'GET', '/banks')).statusCode, 200, 'no idle sign-out');
  t.equal((await sa.call(admin, 'GET', '/banks')).statusCode, 401, "while the administrator's idle session ended");
  const again = await sa.login('admin');
  t.equal((await sa.call(again, 'GET', `/api-keys/${made.apiKey.id}`)).json<Made>().apiKey.lastUsedAt, Date.now(), 'its last use is shown');
  t.equal((await sa.call(made.key, 'GET', '/auth/sessions')).statusCode, 403, 'a key has no sessions to list');
  t.equal((await sa.call(made.key, 'POST', '/auth/logout-all')).statusCode, 403, 'nor to end');
  t.equal((await sa.call(made.key, 'POST', '/auth/logout')).statusCode, 403, 'signing out with a key is refused: it is revoked instead');
  t.equal((await sa.call(made.key, 'GET', '/banks')).statusCode, 200, 'and it still works');
});

t.test('a revoked key and an expired key are refused; both are in the activity log', async (t) => {
  const sa = await sessionApp(t);
  const admin = await sa.login('admin');
  const revoked = await makeKey(sa, admin, { name: 'Old script' });
  const expiring = await makeKey(sa, admin, { name: 'Short', expiresAt: Date.now() + 2 * HOUR });
  t.equal((await sa.call(revoked.key, 'GET', '/banks')).statusCode, 200);
  const res = await sa.call(admin, 'POST', `/api-keys/${revoked.apiKey.id}/revoke`);
  t.equal(res.statusCode, 200);
  t.match(res.json(), { apiKey: { status: 'revoked', revokedAt: Date.now() } });
  t.equal((await sa.call(revoked.key, 'GET', '/banks')).statusCode, 401, 'refused at once after revocation');

  sa.clock.tick(2 * HOUR - 1000);
  t.equal((await sa.call(expiring.key, 'GET', '/banks')).statusCode, 200, 'a second before its expiry');
  sa.clock.tick(1000);
  t.equal((await sa.call(expiring.key, 'GET', '/banks')).statusCode, 401, 'refused at its expiry');
  const fresh = await sa.login('admin');
  t.match((await sa.call(fresh, 'GET', `/api-keys/${expiring.apiKey.id}`)).json(), { apiKey: { status: 'expired' } });

  const log = await sa.call(fresh, 'GET', '/activity?type=account');
  t.equal(log.statusCode, 200, log.body);
  const adminId = (await sa.auth.findUserByName('admin'))!.id;
  t.match(log.json(), {
    activity: [
      { type: 'account', actor: { id: adminId }, target: { kind: 'api-key', id: revoked.apiKey.id }, detail: 'API key created' },
      { type: 'account', target: { kind: 'api-key', id: expiring.apiKey.id }, detail: 'API key created' },
      { type: 'account', actor: { id: adminId }, target: { kind: 'api-key', id: revoked.apiKey.id }, detail: 'API key revoked' },
    ],
  });
  t.match(log.json(), { activity: [{ actorName: 'admin', targetName: `api-key Old script (${revoked.apiKey.id})` }] }, 'the key named by its name');
  // What a key does is logged with the key as its actor.
  t.equal((await sa.call(expiring.key, 'GET', '/banks')).statusCode, 401);
  const live = await makeKey(sa, fresh, { name: 'Desk robot', role: 'admin' });
  t.equal((await sa.call(live.key, 'POST', '/divisions', { enterpriseId: 'ent', name: 'South' })).statusCode, 201);
  const made = await sa.call(fresh, 'GET', '/activity?type=admin-change');
  const division = made.json<{ activity: { target?: { kind: string } }[] }>().activity.find((a) => a.target?.kind === 'division');
  t.match(division, { actor: { id: live.apiKey.id }, actorName: 'API key Desk robot' });
  t.notMatch(log.body, new RegExp(`${revoked.key.slice(-43)}|${expiring.key.slice(-43)}`), 'no key in the log');
});

t.test("a key never exceeds its maker's permissions: at creation, after the maker is demoted, once the maker is disabled", async (t) => {
  const sa = await sessionApp(t);
  const admin = await sa.login('admin');
  // A user manager holding 'users' and 'lockers.view' only.
  await sa.service.roles.createRole({ id: 'people-desk', enterpriseId: 'ent', name: 'People desk', permissions: ['users', 'lockers.view'] }, { role: 'system' });
  await sa.service.roles.createRole({ id: 'viewer', enterpriseId: 'ent', name: 'Viewer', permissions: ['lockers.view'] }, { role: 'system' });
  const deskId = await sa.user('desk', { role: 'people-desk' });
  const desk = await sa.login('desk');
  for (const role of ['admin', 'operator']) {
    const res = await sa.call(desk, 'POST', '/api-keys', { name: 'Too much', role, expiresAt: Date.now() + DAY });
    t.equal(res.statusCode, 403, `role ${role} refused to a maker without its rights`);
    t.equal(res.json<{ error: { field: string } }>().error.field, 'body.role');
  }
  const own = await makeKey(sa, desk, { role: 'viewer' });
  t.equal((await sa.call(own.key, 'GET', '/banks')).statusCode, 200, 'a role inside the maker’s rights is made and works');

  // A role edited later to grant more than its maker holds: the key gets only what the maker holds.
  const adminKey = await makeKey(sa, desk, { role: 'people-desk' });
  t.equal((await sa.call(adminKey.key, 'GET', '/users')).statusCode, 200);
  t.equal((await sa.call(admin, 'PATCH', `/users/${deskId}`, { role: 'viewer' })).statusCode, 200, 'the maker is demoted');
  t.equal((await sa.call(adminKey.key, 'GET', '/users')).statusCode, 403, "the key lost the right its maker lost");
  t.equal((await sa.call(adminKey.key, 'GET', '/banks')).statusCode, 200, 'and keeps what the maker still holds');

  t.equal((await sa.call(admin, 'PATCH', `/users/${deskId}`, { disabled: true })).statusCode, 200, 'the maker is disabled');
  t.equal((await sa.call(own.key, 'GET', '/banks')).statusCode, 401, "the maker's keys stop working");

  // Keys do not make keys; an expiry is required, in the future, at most 730 days ahead.
  const adminMade = await makeKey(sa, admin, { role: 'admin' });
  t.equal((await sa.call(adminMade.key, 'POST', '/api-keys', { name: 'Child', role: 'viewer', expiresAt: Date.now() + DAY })).statusCode, 403, 'a key cannot make a key');
  for (const [expiresAt, what] of [[undefined, 'missing'], [Date.now() - 1, 'past'], [Date.now() + 731 * DAY, 'over 730 days']] as const) {
    const res = await sa.call(admin, 'POST', '/api-keys', { name: 'Bad expiry', role: 'viewer', ...(expiresAt !== undefined ? { expiresAt } : {}) });
    t.ok(res.statusCode === 400 || res.statusCode === 422, `expiry ${what} refused (${res.statusCode})`);
    t.match(res.json<{ error: { field: string } }>().error.field, /expiresAt$/);
  }
  t.equal((await sa.call(admin, 'POST', '/api-keys', { name: 'Unknown role', role: 'no-such-role', expiresAt: Date.now() + DAY })).statusCode, 404);
  t.equal((await sa.call(await sa.login('operator'), 'GET', '/api-keys')).statusCode, 403, 'an operator may not see keys');
});

t.test("another enterprise's keys do not exist for an administrator; a location manager sees the keys of their location only", async (t) => {
  const sa = await sessionApp(t);
  const admin = await sa.login('admin');
  await sa.user('olga', { enterpriseId: 'other' });
  const olga = await sa.login('olga');
  const theirs = await makeKey(sa, olga, { name: 'Theirs' });
  const res = await sa.call(admin, 'POST', `/api-keys/${theirs.apiKey.id}/revoke`);
  t.equal(res.statusCode, 404);
  t.equal(res.json<{ error: { field: string } }>().error.field, 'params.apiKeyId');
  t.equal((await sa.call(admin, 'GET', `/api-keys/${theirs.apiKey.id}`)).statusCode, 404);
  t.same((await sa.call(admin, 'GET', '/api-keys')).json(), { apiKeys: [] });
  t.equal((await sa.call(theirs.key, 'GET', '/banks')).statusCode, 200, 'their key still works');

  const system = { role: 'system' as const };
  await sa.service.createDivision({ id: 'div', enterpriseId: 'ent', name: 'North' }, system);
  await sa.service.createLocation({ id: 'loc', divisionId: 'div', name: 'HQ' }, system);
  await sa.service.createLocation({ id: 'loc-2', divisionId: 'div', name: 'Annex' }, system);
  const atLoc = await makeKey(sa, admin, { name: 'HQ robot', accessLevel: { kind: 'location', id: 'loc' } });
  const wide = await makeKey(sa, admin, { name: 'Everywhere' });
  await sa.auth.createUser({ enterpriseId: 'ent', username: 'hq-admin', password: PASSWORD, role: 'admin', accessLevel: { kind: 'location', id: 'loc' } });
  const hq = await sa.login('hq-admin');
  t.same((await sa.call(hq, 'GET', '/api-keys')).json<{ apiKeys: { id: string }[] }>().apiKeys.map((k) => k.id), [atLoc.apiKey.id], "the location's keys only");
  t.equal((await sa.call(hq, 'POST', `/api-keys/${wide.apiKey.id}/revoke`)).statusCode, 404, 'an enterprise-wide key does not exist for them');
  for (const accessLevel of [{ kind: 'enterprise' }, { kind: 'location', id: 'loc-2' }]) {
    const res = await sa.call(hq, 'POST', '/api-keys', { name: 'Wider', role: 'operator', accessLevel, expiresAt: Date.now() + DAY });
    t.equal(res.statusCode, 404, `no key at ${JSON.stringify(accessLevel)} beyond their level`);
    t.equal(res.json<{ error: { field: string } }>().error.field, 'body.accessLevel');
  }
  const own = await makeKey(sa, hq, { name: 'HQ only', accessLevel: { kind: 'location', id: 'loc' } });
  t.same((await sa.call(own.key, 'GET', '/locations')).json<{ locations: { id: string }[] }>().locations.map((l) => l.id), ['loc'], 'the key sees its level only');
});
