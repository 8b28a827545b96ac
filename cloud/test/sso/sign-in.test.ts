// Single sign-on end to end against a real OpenID provider (oidc-provider on 127.0.0.1): the browser's walk through
// /account/sso, the provider's forms and the callback, then the session on the pages and the API; every refusal.
import sinon from 'sinon';
import t from 'tap';
import { BrowserSession } from '../../src/http/pages/browser-session.ts';
import { makeTestApp, PASSWORD, TEST_BASE_URL } from '../http/helpers.ts';
import { CLIENT_ID, CLIENT_SECRET, signInAtProvider, startProvider } from './provider.ts';

const REDIRECT = `${TEST_BASE_URL}/account/sso/callback`;
const ta = await makeTestApp();
const idp = await startProvider(REDIRECT, {
  ann: { email: 'Ann@Example.com', email_verified: true },
  newbie: { email: 'new.person@example.com', email_verified: true },
  dis: { email: 'dis@example.com' },
  eve: { email: 'eve@example.com', email_verified: false },
  bob: { email: 'bob@example.com', email_verified: true },
});
t.teardown(async () => {
  await ta.app.close();
  await idp.close();
});

await ta.service.createEnterprise({ id: 'ent2', name: 'Other' }, { role: 'system' });
const ann = await ta.auth.createUser({ enterpriseId: 'ent', username: 'ann', email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', role: 'operator' });
const dis = await ta.auth.createUser({ enterpriseId: 'ent', username: 'dis', email: 'dis@example.com', role: 'operator' });
await ta.auth.updateUser(dis.id, { disabled: true });
await ta.auth.createUser({ enterpriseId: 'ent2', username: 'bob', email: 'bob@example.com', role: 'admin' });

type Reply = Awaited<ReturnType<typeof ta.app.inject>>;
const setCookies = (res: Reply): string[] => {
  const v = res.headers['set-cookie'];
  return Array.isArray(v) ? v : v === undefined ? [] : [String(v)];
};
const cookie = (res: Reply, name: string): string | undefined => setCookies(res).find((c) => c.startsWith(`${name}=`));
const cookieValue = (res: Reply, name: string): string => cookie(res, name)?.split(';')[0]?.slice(name.length + 1) ?? '';
const config = (body: Record<string, unknown>) => ta.app.inject({ method: 'PUT', url: '/api/v1/enterprises/ent/sso', headers: ta.headers('admin'), payload: body });

/** Starts a sign-in of enterprise `ent`: the provider's address and the sealed state's cookie. */
async function start(): Promise<{ location: string; flow: string; res: Reply }> {
  const res = await ta.app.inject({ url: '/account/sso/ent' });
  return { location: String(res.headers['location'] ?? ''), flow: cookieValue(res, 'portier_sso'), res };
}
const callback = (back: URL, flow: string | undefined, headers: Record<string, string> = {}) =>
  ta.app.inject({ url: `${back.pathname}${back.search}`, headers: { ...headers, ...(flow !== undefined ? { cookie: `portier_sso=${flow}` } : {}) } });
async function signIn(login: string): Promise<{ back: URL; flow: string; res: Reply }> {
  const s = await start();
  const back = await signInAtProvider(s.location, login, REDIRECT);
  return { back, flow: s.flow, res: await callback(back, s.flow) };
}
const apiMe = (token: string) => ta.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
const passwordLogin = (username: string) => ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
async function accountEntries(detail: RegExp): Promise<number> {
  const entries = (await ta.store.queryActivity({ type: 'account', limit: 500 })).items;
  return entries.filter((e) => detail.test(e.detail ?? '')).length;
}

const setUp = await config({ issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
t.equal(setUp.statusCode, 200, setUp.body);

t.test('sign-in end to end: the session cookie opens /account, its token the API; sign-out ends it', async (t) => {
  const s = await start();
  t.equal(s.res.statusCode, 302);
  const auth = new URL(s.location);
  t.equal(`${auth.origin}${auth.pathname}`, `${idp.issuer}/auth`, 'to the provider');
  t.equal(auth.searchParams.get('code_challenge_method'), 'S256', 'PKCE');
  t.equal(auth.searchParams.get('redirect_uri'), REDIRECT);
  t.ok(auth.searchParams.get('state') && auth.searchParams.get('nonce'), 'state and nonce');
  t.match(cookie(s.res, 'portier_sso'), /^portier_sso=v1\.[^;]+; Path=\/account\/sso; Max-Age=600; HttpOnly; SameSite=Lax$/, 'the sealed state for 10 minutes');
  t.notOk(s.flow.includes(auth.searchParams.get('state')!), 'the state is sealed, not in clear');

  const back = await signInAtProvider(s.location, 'ann', REDIRECT);
  const res = await callback(back, s.flow);
  t.equal(res.statusCode, 303, res.body);
  t.equal(res.headers['location'], '/console');
  t.match(cookie(res, 'portier_session'), /^portier_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax$/);
  t.match(cookie(res, 'portier_sso'), /^portier_sso=; Path=\/account\/sso; Max-Age=0;/, 'the sign-in state is gone');
  const token = cookieValue(res, 'portier_session');

  const page = await ta.app.inject({ url: '/account', headers: { cookie: `portier_session=${token}` } });
  t.equal(page.statusCode, 200);
  t.match(page.body, /Signed in as Ann Lee\./);
  t.match(page.body, /Organisation: Acme\./);
  t.match(page.body, /<form method="post" action="\/account\/sign-out">/);
  const me = await apiMe(token);
  t.equal(me.statusCode, 200);
  t.equal(me.json<{ user: { id: string } }>().user.id, ann.id, 'the same token on the API');
  t.equal(await accountEntries(/^signed in with single sign-on$/), 1, 'in the activity log');

  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const form = cookieValue(page, 'portier_form');
  const cookies = `portier_session=${token}; portier_form=${form}`;
  const forged = await ta.app.inject({ method: 'POST', url: '/account/sign-out', headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'lang=en' });
  t.equal(forged.statusCode, 403, 'a post without its anti-forgery field is refused');
  t.equal((await apiMe(token)).statusCode, 200, 'and the session goes on');
  const out = await ta.app.inject({ method: 'POST', url: '/account/sign-out', headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ csrf, lang: 'en' }).toString() });
  t.equal(out.statusCode, 200);
  t.match(out.body, /You are signed out/);
  t.match(cookie(out, 'portier_session'), /^portier_session=; Path=\/; Max-Age=0;/);
  t.equal((await apiMe(token)).statusCode, 401, 'the token no longer works on the API');
  const after = await ta.app.inject({ url: '/account?lang=fr', headers: { cookie: `portier_session=${token}` } });
  t.equal(after.statusCode, 303);
  t.equal(after.headers['location'], '/account/sign-in?lang=fr', 'to the sign-in page');
  t.match((await ta.app.inject({ url: '/account/sign-in?lang=fr' })).body, /<h1>Connexion<\/h1>[\s\S]*Se connecter avec Acme/, 'its button of the enterprise’s single sign-on');
});

t.test('a wrong or missing state, or no sign-in started in this browser, is refused before any exchange', async (t) => {
  const { back, flow } = await (async () => {
    const s = await start();
    return { back: await signInAtProvider(s.location, 'ann', REDIRECT), flow: s.flow };
  })();
  const before = await accountEntries(/^single sign-on refused: the state does not match/);
  const wrong = new URL(back);
  wrong.searchParams.set('state', 'another-state');
  const res = await callback(wrong, flow);
  t.equal(res.statusCode, 400);
  t.match(res.body, /does not belong to the sign-in this browser started/);
  t.equal(cookie(res, 'portier_session'), undefined, 'no session');
  const missing = new URL(back);
  missing.searchParams.delete('state');
  t.equal((await callback(missing, flow)).statusCode, 400, 'no state');
  t.equal(await accountEntries(/^single sign-on refused: the state does not match/), before + 2, 'each in the activity log');
  const none = await callback(back, undefined, { 'accept-language': 'fr' });
  t.equal(none.statusCode, 400);
  t.match(none.body, /<html lang="fr">/);
  t.match(none.body, /Cette connexion a expiré ou a été commencée dans un autre navigateur/);
  t.equal((await callback(back, 'v1.forged.value')).statusCode, 400, 'a forged state cookie');
  // The code was never exchanged: the right state still signs in.
  t.equal((await callback(back, flow)).statusCode, 303);
});

t.test('a replayed code is refused by the provider, and said so', async (t) => {
  const first = await signIn('ann');
  t.equal(first.res.statusCode, 303);
  const again = await callback(first.back, first.flow);
  t.equal(again.statusCode, 400);
  t.match(again.body, /its code was already used or has expired/);
  t.match(again.body, /<a href="\/account\/sso\/ent\?lang=en">Start the sign-in again<\/a>/);
  t.equal(cookie(again, 'portier_session'), undefined);
  t.ok(await accountEntries(/^single sign-on refused: the identity provider refused the exchange: invalid_grant/) >= 1);
});

t.test('an expired code is refused; a sign-in started over 10 minutes ago too', async (t) => {
  const s = await start();
  const back = await signInAtProvider(s.location, 'ann', REDIRECT);
  // The provider's codes live 60 s: its clock (this process's Date) moves past that.
  const clock = sinon.useFakeTimers({ now: Date.now() + 61_000, toFake: ['Date'] });
  try {
    const res = await callback(back, s.flow);
    t.equal(res.statusCode, 400);
    t.match(res.body, /its code was already used or has expired/);
  } finally {
    clock.restore();
  }
  const late = await start();
  const lateBack = await signInAtProvider(late.location, 'ann', REDIRECT);
  ta.clock.now += 10 * 60_000 + 1;
  const res = await callback(lateBack, late.flow);
  t.equal(res.statusCode, 400);
  t.match(res.body, /This sign-in has expired or was started in another browser/);
});

t.test('an unknown e-mail: refused without just-in-time creation, created with the default role with it', async (t) => {
  const users = () => ta.store.list('users').length;
  const n = users();
  const refused = await signIn('newbie');
  t.equal(refused.res.statusCode, 403);
  t.match(refused.res.body, /There is no Portier account for your e-mail address in this organisation/);
  t.equal(users(), n, 'nobody created');
  const other = await signIn('bob');
  t.equal(other.res.statusCode, 403, "a user of another enterprise is not this enterprise's");

  const on = await config({ issuer: idp.issuer, clientId: CLIENT_ID, createUsers: true, defaultRole: 'recipient' });
  t.equal(on.statusCode, 200, 'the stored secret kept when left out');
  const created = await signIn('newbie');
  t.equal(created.res.statusCode, 303, created.res.body);
  const u = ta.store.list('users').find((x) => x.email === 'new.person@example.com');
  t.equal(u?.enterpriseId, 'ent');
  t.equal(u?.role, 'recipient', 'the default role');
  t.equal(u?.passwordHash, undefined, 'no password');
  const me = await apiMe(cookieValue(created.res, 'portier_session'));
  t.equal(me.json<{ user: { email: string } }>().user.email, 'new.person@example.com', 'signed in as the new user');
  const again = await signIn('newbie');
  t.equal(again.res.statusCode, 303);
  t.equal(ta.store.list('users').length, n + 1, 'created once');
});

t.test('a disabled user and an unverified e-mail are refused', async (t) => {
  const disabled = await signIn('dis');
  t.equal(disabled.res.statusCode, 403);
  t.match(disabled.res.body, /Your Portier account is disabled/);
  t.equal(cookie(disabled.res, 'portier_session'), undefined);
  t.ok(await accountEntries(/^single sign-on refused: the account is disabled$/) >= 1);
  const unverified = await signIn('eve');
  t.equal(unverified.res.statusCode, 403);
  t.match(unverified.res.body, /not verified/);
});

t.test('password sign-in: allowed while passwordSignIn is true, refused (403 SSO_REQUIRED) when false, allowed once SSO is off', async (t) => {
  t.equal((await passwordLogin('operator')).statusCode, 200, 'passwordSignIn true');
  t.equal((await config({ issuer: idp.issuer, clientId: CLIENT_ID, passwordSignIn: false })).statusCode, 200);
  const refused = await passwordLogin('operator');
  t.equal(refused.statusCode, 403);
  t.same(refused.json<{ error: { code: string } }>().error.code, 'SSO_REQUIRED');
  t.match(refused.json<{ error: { message: string } }>().error.message, /single sign-on link instead of a password/);
  const wrong = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: 'not the password' } });
  t.equal(wrong.statusCode, 403, 'whatever the password');
  t.equal((await signIn('ann')).res.statusCode, 303, 'single sign-on still works');
  t.equal((await config({ issuer: idp.issuer, clientId: CLIENT_ID, passwordSignIn: false, enabled: false })).statusCode, 200);
  t.equal((await passwordLogin('operator')).statusCode, 200, 'SSO disabled: passwords again');
  const off = await start();
  t.equal(off.res.statusCode, 404, 'and no SSO sign-in starts');
  t.match(off.res.body, /This organisation has no single sign-on here/);
});

t.test('the session cookie is Secure when the pages are reached over https', async (t) => {
  const sent: string[] = [];
  const reply = { header: (_name: string, value: string) => sent.push(value) } as unknown as Parameters<BrowserSession['set']>[0];
  let https = true;
  const session = new BrowserSession(() => https, () => 1_000);
  session.set(reply, 'x'.repeat(43), 61_000);
  https = false;
  session.set(reply, 'x'.repeat(43), 61_000);
  t.same(sent, [`portier_session=${'x'.repeat(43)}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure`, `portier_session=${'x'.repeat(43)}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax`]);
});

t.test('a client secret that no longer opens (another secrets key) refuses the sign-in with a page, not a 500', async (t) => {
  t.equal((await config({ issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).statusCode, 200);
  const stored = ta.store.get('ssoConfigs', 'ent')!;
  await ta.store.commit({ put: [{ c: 'ssoConfigs', key: 'ent', value: { ...stored, clientSecret: ta.service.sso.seal('another purpose', CLIENT_SECRET) } }] });
  const res = await ta.app.inject({ url: '/account/sso/ent' });
  t.equal(res.statusCode, 404);
  t.match(res.body, /This organisation has no single sign-on here/);
  t.ok(await accountEntries(/^single sign-on refused: the stored client secret cannot be opened/) >= 1, 'in the activity log for the administrators');
});
