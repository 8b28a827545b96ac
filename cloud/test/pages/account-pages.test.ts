// The account pages as a browser without JavaScript sees them: headers, language, the token moved into the form,
// anti-forgery, errors tied to their fields, and what a post does.
import { createHash } from 'node:crypto';
import t from 'tap';
import { PASSWORD } from '../http/helpers.ts';
import { accountsApp, type AccountsApp } from './helpers.ts';

interface Reply {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
}

/** The form cookie a page set, as a request sends it back. */
function cookieOf(res: Reply): string {
  const set = res.headers['set-cookie'];
  const first = Array.isArray(set) ? (set[0] ?? '') : String(set ?? '');
  return first.split(';')[0] ?? '';
}
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function welcomed(a: AccountsApp, username: string, extra: Record<string, unknown> = {}): Promise<string> {
  await a.auth.createUser({ enterpriseId: 'ent', username, email: `${username}@example.com`, role: 'operator', ...extra });
  return a.mail.lastToken();
}

t.test('the set-password page: strict headers, the token moved into the form, the policy named', async (t) => {
  const a = await accountsApp(t);
  const token = await welcomed(a, 'pat');
  const res = await a.app.inject({ url: `/account/set-password?token=${token}` });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
  const csp = String(res.headers['content-security-policy']);
  for (const part of ["default-src 'none'", "form-action 'self'", "frame-ancestors 'none'"]) t.ok(csp.includes(part), `CSP has ${part}`);
  const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)?.[1] ?? '';
  t.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), 'the one inline style sheet is allowed by its hash');
  t.notMatch(res.body, /<script/i, 'no script');
  t.equal(res.headers['referrer-policy'], 'no-referrer');
  t.equal(res.headers['cache-control'], 'no-store');
  t.match(res.body, /<form method="post" action="\/account\/set-password" novalidate>/, 'the form posts to the bare path');
  t.equal(field(res.body, 'token'), token, 'the token is a hidden field');
  t.equal(res.body.split(token).length - 1, 1, 'and appears nowhere else on the page');
  t.match(res.body, /<html lang="en">/);
  t.match(res.body, /<label for="password">New password<\/label>/, 'a label tied to the field');
  t.match(res.body, /<p class="hint" id="password-hint">At least 8 characters\. A common or breached password is refused\.<\/p>/, 'the policy, by the field');
  t.match(res.body, /id="password"[^>]*aria-describedby="password-hint"/);
  t.match(String(res.headers['set-cookie']), /^portier_form=[A-Za-z0-9_-]{22}; Path=\/account; HttpOnly; SameSite=Strict$/);
  const patch = await a.app.inject({ method: 'PATCH', url: '/api/v1/enterprises/ent', headers: a.admin, payload: { settings: { passwordMinLength: 12, passwordCommonCheck: false } } });
  t.equal(patch.statusCode, 200, patch.body);
  const after = await a.app.inject({ url: `/account/set-password?token=${token}` });
  t.match(after.body, /id="password-hint">At least 12 characters\.<\/p>/, "the enterprise's own policy");
});

t.test('the language: ?lang first, then Accept-Language, else English', async (t) => {
  const a = await accountsApp(t);
  const page = (url: string, accept?: string) => a.app.inject({ url, headers: accept ? { 'accept-language': accept } : {} });
  const fr = await page('/account/forgot-password?lang=fr', 'en');
  t.match(fr.body, /<html lang="fr">/);
  t.match(fr.body, /<h1>Mot de passe oublié \?<\/h1>/);
  t.match((await page('/account/forgot-password', 'de-DE, fr-CA;q=0.8, en;q=0.5')).body, /<html lang="fr">/, 'the first language the pages speak');
  t.match((await page('/account/forgot-password', 'de')).body, /<html lang="en">/);
  t.match((await page('/account/forgot-password?lang=xx', 'fr')).body, /<html lang="fr">/, 'an unknown lang is ignored');
  t.match((await page('/account/forgot-password')).body, /<h1>Forgot your password\?<\/h1>/);
});

t.test('a post without its anti-forgery field, or with another cookie\'s, is refused and changes nothing', async (t) => {
  const a = await accountsApp(t);
  const token = await welcomed(a, 'cy');
  const get = await a.app.inject({ url: `/account/set-password?token=${token}` });
  const csrf = field(get.body, 'csrf');
  const post = (fields: Record<string, string>, cookie: string) =>
    a.app.inject({ method: 'POST', url: '/account/set-password', headers: { ...FORM, cookie }, payload: form(fields) });
  const good = { token, password: 'forged passphrase', confirm: 'forged passphrase' };
  const none = await post(good, cookieOf(get));
  t.equal(none.statusCode, 403, 'no field');
  t.match(none.body, /<div class="errors" role="alert"[^>]*>.*This form has expired/s, 'announced');
  const other = cookieOf(await a.app.inject({ url: '/account/forgot-password' }));
  t.equal((await post({ ...good, csrf }, other)).statusCode, 403, 'a field of another cookie');
  t.equal((await post({ ...good, csrf }, '')).statusCode, 403, 'no cookie');
  t.equal((await a.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'cy', password: 'forged passphrase' } })).statusCode, 401, 'no password was set');
  t.ok(a.links.peek(token), 'the link still works');
  t.equal((await post({ ...good, csrf }, cookieOf(get))).statusCode, 200, 'with both, the post is taken');
});

t.test('errors are announced and tied to their fields; success signs nobody in; a used link answers a page', async (t) => {
  const a = await accountsApp(t);
  const token = await welcomed(a, 'dee', { language: 'fr' });
  const get = await a.app.inject({ url: `/account/reset-password?token=${token}&lang=fr` });
  const cookie = cookieOf(get);
  const post = (fields: Record<string, string>) =>
    a.app.inject({ method: 'POST', url: '/account/reset-password', headers: { ...FORM, cookie }, payload: form({ token, csrf: field(get.body, 'csrf'), lang: 'fr', ...fields }) });
  const differ = await post({ password: 'one passphrase', confirm: 'another one' });
  t.equal(differ.statusCode, 400);
  t.match(differ.body, /<html lang="fr">/, 'in the language of the form');
  t.match(differ.body, /role="alert"[^>]*><h2 id="errors-heading">Il y a un problème<\/h2><ul><li><a href="#confirm">Les deux mots de passe diffèrent/);
  t.match(differ.body, /id="confirm"[^>]*aria-describedby="confirm-error" aria-invalid="true"/);
  t.notMatch(differ.body, /one passphrase|another one/, 'no password is written back');
  const short = await post({ password: 'short', confirm: 'short' });
  t.equal(short.statusCode, 400);
  t.match(short.body, /id="password"[^>]*aria-describedby="password-hint password-error" aria-invalid="true"/);

  const done = await post({ password: 'a good passphrase', confirm: 'a good passphrase' });
  t.equal(done.statusCode, 200);
  t.match(done.body, /Votre mot de passe est enregistré/);
  t.notOk(done.headers['set-cookie'], 'no session cookie, nor any other');
  t.notMatch(done.body, /Bearer|token/i, 'no token');
  const again = await post({ password: 'a good passphrase', confirm: 'a good passphrase' });
  t.equal(again.statusCode, 410);
  t.match(again.body, /Ce lien n’est plus valable/);
  t.match(again.body, /<a href="\/account\/forgot-password\?lang=fr">Demander un nouveau lien<\/a>/);
  const stale = await a.app.inject({ url: `/account/set-password?token=${token}` });
  t.equal(stale.statusCode, 410, 'the page of a used link');
  t.equal((await a.app.inject({ url: '/account/set-password' })).statusCode, 400, 'and of none');
});

t.test('forgot-password page: the same page for a known and an unknown address, a link only for the known one', async (t) => {
  const a = await accountsApp(t);
  await a.auth.createUser({ enterpriseId: 'ent', username: 'fay', email: 'fay@example.com', role: 'operator', password: PASSWORD });
  const send = async (email: string) => {
    const get = await a.app.inject({ url: '/account/forgot-password' });
    return a.app.inject({ method: 'POST', url: '/account/forgot-password', headers: { ...FORM, cookie: cookieOf(get) }, payload: form({ email, csrf: field(get.body, 'csrf'), lang: 'en' }) });
  };
  const known = await send('fay@example.com');
  const unknown = await send('ghost@example.com');
  t.equal(known.statusCode, 200);
  t.equal(known.body, unknown.body, 'the same page');
  t.match(known.body, /role="status"/);
  await a.links.settled();
  t.same(a.mail.messages.map((m) => [m.kind, m.to]), [['password-reset', 'fay@example.com']]);
  const bad = await send('not an address');
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /id="email"[^>]*value="not an address"[^>]*aria-describedby="email-hint email-error" aria-invalid="true"/);
});

t.test('the pages take form posts only', async (t) => {
  const a = await accountsApp(t);
  const res = await a.app.inject({ method: 'POST', url: '/account/forgot-password', payload: { email: 'x@example.com' } });
  t.equal(res.statusCode, 415);
  t.match(res.headers['content-type'], /^text\/html/, 'answered with a page');
  t.match(res.body, /This request could not be handled/, 'in words for a person');
});
