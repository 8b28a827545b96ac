// The sign-in pages as a browser meets them (forms, cookies, redirects), without a browser: the password form, the
// second step with a code of the authenticator, "do not challenge me on this device again", adding an authenticator
// where the enterprise requires one, and a sign-in left too long. Codes are computed by otplib; time is the app's clock.
import { generateSync } from 'otplib';
import t from 'tap';
import { call, makeTestApp, PASSWORD, type TestApp } from '../http/helpers.ts';

interface Jar {
  cookies: Map<string, string>;
}

/** A request of the browser `jar`: its cookies sent, the cookies answered kept (a Max-Age of 0 removes one). */
async function visit(ta: TestApp, jar: Jar, method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
  const res = await ta.app.inject({
    method,
    url,
    headers: {
      cookie: [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
  });
  for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
    if (c.maxAge === 0) jar.cookies.delete(c.name);
    else jar.cookies.set(c.name, c.value);
  }
  return res;
}

/** The anti-forgery field of the form of `html` posting to `action`. */
function csrfOf(html: string, action: string): string {
  const form = html.slice(html.indexOf(`action="${action}"`));
  return /name="csrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
}

async function postForm(ta: TestApp, jar: Jar, page: string, action: string, fields: Record<string, string>) {
  const shown = await visit(ta, jar, 'GET', page);
  return visit(ta, jar, 'POST', action, { ...fields, csrf: csrfOf(shown.body, action) });
}

const signIn = (ta: TestApp, jar: Jar, login: string) => postForm(ta, jar, '/account/sign-in', '/account/sign-in', { login, password: PASSWORD });
const totp = (secret: string, at: number) => generateSync({ secret, epoch: Math.floor(at / 1000) });

t.test('password, then a code of the authenticator; a remembered browser is spared the second step', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const jar: Jar = { cookies: new Map() };
  const form = await visit(ta, jar, 'GET', '/account/sign-in');
  t.equal(form.statusCode, 200);
  t.match(form.body, /<label for="login">E-mail address or user name<\/label>/);
  t.match(form.body, /autocomplete="current-password"/);
  const wrong = await postForm(ta, jar, '/account/sign-in', '/account/sign-in', { login: 'operator', password: 'not it' });
  t.equal(wrong.statusCode, 401);
  t.match(wrong.body, /role="alert"[\s\S]*The e-mail address, user name or password is not right\./);
  const plain = await signIn(ta, jar, 'operator');
  t.equal(plain.statusCode, 303, 'no second factor: signed in');
  t.equal(plain.headers.location, '/console?lang=en');
  t.match(plain.headers['set-cookie'], /portier_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax/);
  t.match((await visit(ta, jar, 'GET', '/account')).body, /Signed in as operator/);

  const begin = await call(ta, 'POST', '/auth/mfa/totp');
  const { secret } = begin.json<{ secret: string }>();
  await call(ta, 'POST', '/auth/mfa/totp/confirm', { code: totp(secret, ta.clock.now) });
  ta.clock.now += 30_000;
  const browser: Jar = { cookies: new Map() };
  const first = await signIn(ta, browser, 'admin');
  t.equal(first.headers.location, '/account/mfa?lang=en', 'the password is right: the second step');
  t.match(first.headers['set-cookie'], /portier_mfa=[A-Za-z0-9_-]{43}; Path=\/account\/mfa; Max-Age=600; HttpOnly/);
  t.notOk(browser.cookies.has('portier_session'), 'no session yet');
  const step = await visit(ta, browser, 'GET', '/account/mfa');
  t.match(step.body, /<legend>How do you confirm\?<\/legend>/);
  t.match(step.body, /Do not challenge me on this device again for 30 days/);
  t.notMatch(step.body, /Send me a code by e-mail/, 'no e-mail codes without a mail outbox');
  const bad = await visit(ta, browser, 'POST', '/account/mfa', { csrf: csrfOf(step.body, '/account/mfa'), method: 'totp', code: '000000' });
  t.equal(bad.statusCode, 401);
  t.match(bad.body, /id="code-error">That code is not right/);
  const good = await visit(ta, browser, 'POST', '/account/mfa', { csrf: csrfOf(bad.body, '/account/mfa'), method: 'totp', code: totp(secret, ta.clock.now), remember: 'yes' });
  t.equal(good.statusCode, 303);
  t.equal(good.headers.location, '/console?lang=en');
  const device = [...browser.cookies.keys()].find((k) => k.startsWith('portier_device_'));
  t.ok(device, 'the browser is remembered');
  t.match(String(good.headers['set-cookie']), /portier_device_[A-Za-z0-9_-]{16}=[^;]+; Path=\/account\/sign-in; Max-Age=2592000; HttpOnly/);
  t.notOk(browser.cookies.has('portier_mfa'), 'the challenge cookie is gone');

  browser.cookies.delete('portier_session');
  const again = await signIn(ta, browser, 'admin');
  t.equal(again.headers.location, '/console?lang=en', 'the remembered browser signs in with the password alone');
  const other: Jar = { cookies: new Map() };
  t.equal((await signIn(ta, other, 'admin')).headers.location, '/account/mfa?lang=en', 'another browser gets the second step');
  ta.clock.now += 11 * 60_000;
  const late = await visit(ta, other, 'GET', '/account/mfa');
  t.equal(late.statusCode, 401);
  t.match(late.body, /This sign-in has expired or was already used\. Sign in again\./);
});

t.test('an enterprise requiring a second factor: the authenticator is added within the sign-in, in French too', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await call(ta, 'PATCH', '/enterprises/ent', { settings: { mfaRequired: 'all' } });
  const jar: Jar = { cookies: new Map() };
  const first = await postForm(ta, jar, '/account/sign-in?lang=fr', '/account/sign-in', { login: 'operator', password: PASSWORD, lang: 'fr' });
  t.equal(first.headers.location, '/account/mfa/enrol?lang=fr');
  const page = await visit(ta, jar, 'GET', '/account/mfa/enrol?lang=fr');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<h1>Ajouter une application d’authentification<\/h1>/);
  t.match(page.body, /<div class="qr" role="img" aria-label="Code QR à scanner avec votre application d’authentification"><svg/);
  const secret = /<p class="key">([A-Z2-7 ]+)<\/p>/.exec(page.body)![1]!.replace(/ /g, '');
  const wrong = await visit(ta, jar, 'POST', '/account/mfa/enrol', { csrf: csrfOf(page.body, '/account/mfa/enrol'), lang: 'fr', code: '000000' });
  t.equal(wrong.statusCode, 401);
  t.match(wrong.body, new RegExp(secret.replace(/(.{4})/g, '$1 ').trim()), 'the same key again after a wrong code');
  const done = await visit(ta, jar, 'POST', '/account/mfa/enrol', { csrf: csrfOf(wrong.body, '/account/mfa/enrol'), lang: 'fr', code: totp(secret, ta.clock.now) });
  t.equal(done.statusCode, 200);
  t.match(done.body, /<h1>Conservez vos codes de secours<\/h1>/);
  t.equal((done.body.match(/<li>[a-z2-7]{5}-[a-z2-7]{5}<\/li>/g) ?? []).length, 10, 'ten recovery codes');
  t.ok(jar.cookies.has('portier_session'), 'signed in');
  t.match((await visit(ta, jar, 'GET', '/account?lang=fr')).body, /operator/);
});

t.test('signed in again, a person comes back to the console page they asked for, through the second step too; never to another site', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const jar: Jar = { cookies: new Map() };
  const asked = await visit(ta, jar, 'GET', '/console/lockers?bank=annex');
  t.equal(asked.headers.location, `/account/sign-in?lang=en&next=${encodeURIComponent('/console/lockers?bank=annex')}`, 'no session: to sign-in, with the page');
  await visit(ta, jar, 'GET', asked.headers.location as string);
  const back = await postForm(ta, jar, '/account/sign-in', '/account/sign-in', { login: 'operator', password: PASSWORD });
  t.equal(back.headers.location, '/console/lockers?bank=annex', 'back to it');
  t.notOk(jar.cookies.has('portier_next'), 'once');

  const begin = await call(ta, 'POST', '/auth/mfa/totp');
  const { secret } = begin.json<{ secret: string }>();
  await call(ta, 'POST', '/auth/mfa/totp/confirm', { code: totp(secret, ta.clock.now) });
  ta.clock.now += 30_000;
  const second: Jar = { cookies: new Map() };
  await visit(ta, second, 'GET', `/account/sign-in?next=${encodeURIComponent('/console/users')}`);
  t.equal((await postForm(ta, second, '/account/sign-in', '/account/sign-in', { login: 'admin', password: PASSWORD })).headers.location, '/account/mfa?lang=en');
  const step = await visit(ta, second, 'GET', '/account/mfa');
  const done = await visit(ta, second, 'POST', '/account/mfa', { csrf: csrfOf(step.body, '/account/mfa'), method: 'totp', code: totp(secret, ta.clock.now) });
  t.equal(done.headers.location, '/console/users', 'after the second step, the page asked for');

  for (const evil of ['https://evil.example/console', '//evil.example/console', '/account/sso/x', '/console//evil.example']) {
    const other: Jar = { cookies: new Map() };
    await visit(ta, other, 'GET', `/account/sign-in?next=${encodeURIComponent(evil)}`);
    t.notOk(other.cookies.has('portier_next'), `${evil}: not kept`);
    t.equal((await postForm(ta, other, '/account/sign-in', '/account/sign-in', { login: 'operator', password: PASSWORD })).headers.location, '/console?lang=en', `${evil}: the console's start`);
  }
});
