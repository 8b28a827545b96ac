// An enterprise's single-sign-on configuration through the API: validation naming the field, the client secret
// write-only and sealed in the data folder, audited without its value, the permission and the tenancy.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DurableStore } from '../../src/store/durable.ts';
import { makeTestApp, silent, signedInUser } from '../http/helpers.ts';
import { secretsInClear } from '../mail/helpers.ts';

const SECRET = 'the-idp-client-secret-5b2c9e';
const dir = await mkdtemp(join(tmpdir(), 'portier-sso-'));
const store = await DurableStore.open(dir, { logger: silent });
const ta = await makeTestApp({ store });
let open = true;
t.teardown(async () => {
  if (open) {
    await ta.app.close();
    await store.close();
  }
  await rm(dir, { recursive: true, force: true });
});
const url = '/api/v1/enterprises/ent/sso';
const put = (payload: unknown, headers = ta.headers('admin')) => ta.app.inject({ method: 'PUT', url, headers, payload: payload as object });
const GOOD = { issuer: 'https://idp.example.org/realms/acme', clientId: 'portier', clientSecret: SECRET };
type ErrorJson = { error: { code: string; field?: string; message: string } };

t.test('validation errors name the field', async (t) => {
  const cases: [unknown, number, string, RegExp?][] = [
    [{ ...GOOD, issuer: 'ftp://idp.example.org' }, 400, 'body.issuer'],
    [{ ...GOOD, issuer: 'http://idp.example.org' }, 400, 'body.issuer', /https/],
    [{ ...GOOD, issuer: 'https://idp.example.org/?tenant=1' }, 400, 'body.issuer', /no query/],
    [{ ...GOOD, clientId: '' }, 400, 'body.clientId'],
    [{ ...GOOD, emailClaim: 'e mail' }, 400, 'body.emailClaim'],
    [{ ...GOOD, createUsers: true }, 400, 'body.defaultRole', /role of the users created/],
    [{ ...GOOD, createUsers: 'yes' }, 400, 'body.createUsers'],
    [{ ...GOOD, surprise: 1 }, 400, 'body.surprise'],
    [{ issuer: GOOD.issuer, clientId: 'portier' }, 422, 'body.clientSecret', /client secret/],
    [{ ...GOOD, defaultRole: 'no-such-role' }, 404, 'body.defaultRole'],
  ];
  for (const [body, status, field, message] of cases) {
    const res = await put(body);
    t.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
    const e = res.json<ErrorJson>().error;
    t.equal(e.field, field, `names ${field}`);
    if (message) t.match(e.message, message);
  }
  t.equal(ta.store.get('ssoConfigs', 'ent'), undefined, 'nothing stored');
  const local = await put({ ...GOOD, issuer: 'http://127.0.0.1:8080/idp' });
  t.equal(local.statusCode, 200, 'plain http for an issuer on this machine');
});

t.test('the client secret is write-only, sealed at rest, and audited without its value', async (t) => {
  const set = await put({ ...GOOD, createUsers: true, defaultRole: 'recipient', passwordSignIn: false });
  t.equal(set.statusCode, 200, set.body);
  t.match(set.json(), { sso: { issuer: GOOD.issuer, clientId: 'portier', hasClientSecret: true, emailClaim: 'email', createUsers: true, defaultRole: 'recipient', passwordSignIn: false, enabled: true, redirectUri: 'https://lockers.example.com/account/sso/callback', signInUrl: 'https://lockers.example.com/account/sso/ent' } });
  const got = await ta.app.inject({ url, headers: ta.headers('admin') });
  t.equal(got.statusCode, 200);
  for (const res of [set, got]) t.notOk(res.body.includes(SECRET), 'never answered');
  t.notOk(JSON.stringify(ta.store.get('ssoConfigs', 'ent')).includes(SECRET), 'sealed in the store');
  const kept = await put({ ...GOOD, clientSecret: undefined, clientId: 'portier-2' });
  t.equal(kept.statusCode, 200, 'the secret left out is kept');
  t.equal(ta.service.sso.clientSecret(ta.store.get('ssoConfigs', 'ent')!), SECRET);
  t.same(await secretsInClear(dir, '', [SECRET]), [], 'nowhere in the data folder');
  const audit = (await ta.store.queryActivity({ type: 'admin-change', limit: 100 })).items.filter((e) => /single sign-on/.test(e.detail ?? ''));
  t.same(audit.map((e) => e.detail).sort(), ['single sign-on changed', 'single sign-on changed', 'single sign-on set up'], 'every change audited');
  const changes = audit.flatMap((e) => e.changes ?? []);
  t.ok(changes.some((c) => c.field === 'secret' && c.from === undefined && c.to === undefined), 'the secret recorded as changed, no value');
  t.notOk(JSON.stringify(audit).includes(SECRET));
  t.ok(changes.some((c) => c.field === 'clientId' && c.from === 'portier' && c.to === 'portier-2'));
});

t.test('the sso permission and an enterprise-wide level are needed; another enterprise answers 404', async (t) => {
  t.equal((await ta.app.inject({ url, headers: ta.headers('operator') })).statusCode, 403, 'an operator');
  const other = await signedInUser(ta, 'other-admin', { enterpriseId: 'ent2' });
  const res = await ta.app.inject({ url, headers: other });
  t.equal(res.statusCode, 404, "another enterprise's administrator");
  t.equal(res.json<ErrorJson>().error.field, 'params.enterpriseId');
  t.equal((await put(GOOD, other)).statusCode, 404);
  const settingsOnly = await ta.app.inject({ method: 'POST', url: '/api/v1/roles', headers: ta.headers('admin'), payload: { name: 'Settings', permissions: ['settings', 'users'] } });
  const role = settingsOnly.json<{ role: { id: string } }>().role.id;
  const settings = await signedInUser(ta, 'settings-person', { role });
  t.equal((await ta.app.inject({ url, headers: settings })).statusCode, 403, "the settings permission is not enough: the provider signs in anyone");
  const perms = await ta.app.inject({ url: '/api/v1/permissions', headers: ta.headers('admin') });
  t.match(perms.body, /"sso"/, 'in the catalogue');
});

t.test('removed: answered without its secret, then gone', async (t) => {
  const del = await ta.app.inject({ method: 'DELETE', url, headers: ta.headers('admin') });
  t.equal(del.statusCode, 200);
  t.notOk(del.body.includes(SECRET));
  t.equal(ta.store.get('ssoConfigs', 'ent'), undefined);
  t.equal((await ta.app.inject({ url, headers: ta.headers('admin') })).statusCode, 404);
  const audit = (await ta.store.queryActivity({ type: 'admin-change', limit: 100 })).items.filter((e) => e.detail === 'single sign-on removed');
  t.equal(audit.length, 1);
});

t.test('the stored configuration outlives a restart', async (t) => {
  t.equal((await put(GOOD)).statusCode, 200);
  const before = ta.store.get('ssoConfigs', 'ent');
  open = false;
  await ta.app.close();
  await store.close();
  const reopened = await DurableStore.open(dir, { logger: silent });
  t.same(reopened.get('ssoConfigs', 'ent'), before);
  await reopened.close();
});
