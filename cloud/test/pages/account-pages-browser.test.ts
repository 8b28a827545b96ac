// The account pages of a whole cloud in a real Chromium: axe finds no WCAG 2.2 AA violation in English or French, a
// person with a keyboard alone sets their password from the welcome link, and afterwards neither the data folder nor
// the logs hold any link token (or password) in clear. One browser for the file.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import type { Browser } from 'playwright-core';
import t from 'tap';
import { tokenHash } from '../../src/auth/tokens.ts';
import { PREFERENCES_PATH, preferencesToken } from '../../src/mail/preferences.ts';
import type { CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { axeViolations, launchChromium, skipWithoutChromium as skip, startPagesCloud, type PagesCloud } from './browser.ts';
import { CapturingMail } from './helpers.ts';

const ADMIN_PASSWORD = 'the admin passphrase';
const NEW_PASSWORD = 'typed with keys only';
const MIA_PASSWORD = 'a second factor too';

let browser: Browser | undefined;
let cloud: PagesCloud | undefined;
let rt: CloudRuntime | undefined;
let dir = '';
const mail = new CapturingMail();

t.before(async () => {
  if (skip) return;
  cloud = await startPagesCloud(t, 'portier-pages-', ADMIN_PASSWORD, mail);
  rt = cloud.rt;
  dir = cloud.dir;
  browser = await launchChromium();
});
t.teardown(async () => {
  await browser?.close();
});

const api = (method: string, path: string, body?: unknown, token?: string): Promise<Response> => cloud!.api(method, path, body, token);
async function adminToken(): Promise<string> {
  return ((await (await api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json()) as { token: string }).token;
}

t.test('every page and its error states pass axe (WCAG 2.2 AA) in English and in French', { skip }, async (t) => {
  const admin = await adminToken();
  for (const lang of ['en', 'fr'] as const) {
    const created = await api('POST', '/users', { username: `axe-${lang}`, email: `axe-${lang}@example.com`, role: 'operator', language: lang }, admin);
    t.equal(created.status, 201);
    const link = mail.messages.at(-1)!.link;
    // French from the browser's own language (Accept-Language); English from the link's lang.
    const context = await browser!.newContext({ bypassCSP: true, locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
    t.teardown(() => context.close());
    const page = await context.newPage();
    // axe runs on the states with the most on them: the forms with their errors in both languages (the pages are one
    // template in two languages: a language changes the text and the page's `lang`), the refused link in English.
    // The answers after a post are a heading and a paragraph in the same layout: their language is checked.
    const check = async (what: string, axe: 'both' | 'en' | 'none') => {
      t.equal(await page.getAttribute('html', 'lang'), lang, `${what}: in ${lang}`);
      if (axe === 'both' || (axe === 'en' && lang === 'en')) t.same(await axeViolations(page), [], `${what} (${lang}): no violation`);
    };
    await page.goto(lang === 'fr' ? link.replace(/&lang=fr$/, '') : link);
    await page.fill('#password', 'short');
    await page.fill('#confirm', 'different');
    await page.click('button[type=submit]');
    // The form with its errors holds everything the plain form does, and the announced errors besides.
    await check('set-password form with errors', 'both');
    await page.fill('#password', `a good passphrase ${lang}`);
    await page.fill('#confirm', `a good passphrase ${lang}`);
    await page.click('button[type=submit]');
    await check('password saved', 'none');
    await page.goto(`${rt!.httpUrl}/account/reset-password?token=${'x'.repeat(43)}`);
    await check('the page of a link no longer valid', 'en');
    await page.goto(`${rt!.httpUrl}/account/forgot-password`);
    await page.fill('#email', 'not an address');
    await page.click('button[type=submit]');
    await check('forgot-password form with an error', 'both');
    await page.fill('#email', `axe-${lang}@example.com`);
    await page.click('button[type=submit]');
    await check('forgot-password answer', 'none');
  }
});

t.test("a contact's notification preferences page passes axe in English and in French, and a keyboard saves it", { skip }, async (t) => {
  const actor = { role: 'admin' as const, id: 'test' };
  const context = await browser!.newContext({ bypassCSP: true });
  t.teardown(() => context.close());
  const page = await context.newPage();
  for (const lang of ['en', 'fr'] as const) {
    const id = `c-prefs-${lang}`;
    await rt!.service.createContact({ enterpriseId: rt!.store.list('enterprises')[0]!.id, id, firstName: 'Pat', lastName: lang, email: `${id}@example.com`, language: lang, needsAccessible: false }, actor);
    await page.goto(`${rt!.httpUrl}${PREFERENCES_PATH}/${preferencesToken(rt!.vault, id)}`);
    t.equal(await page.getAttribute('html', 'lang'), lang, `the page is in ${lang}`);
    t.same(await axeViolations(page), [], `preferences page (${lang}): no violation`);
  }
  await page.focus('#n-none');
  await page.keyboard.press('Space');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  t.equal(rt!.store.get('contacts', 'c-prefs-fr')?.notifications, 'none', 'e-mail notices turned off from the keyboard');
});

t.test('with a keyboard alone, a new user sets their password from the welcome link', { skip }, async (t) => {
  const admin = await adminToken();
  t.equal((await api('POST', '/users', { username: 'kay', email: 'kay@example.com', role: 'operator' }, admin)).status, 201);
  const m = mail.messages.at(-1)!;
  t.match(m, { kind: 'welcome', to: 'kay@example.com' });
  t.ok(m.link.startsWith(`${rt!.httpUrl}/account/set-password?token=`), 'without http.publicBaseUrl, the link is on the listening address');
  const context = await browser!.newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(m.link);
  const focused = async () =>
    (await page.evaluate(`({ id: document.activeElement?.id ?? '', outline: document.activeElement ? getComputedStyle(document.activeElement).outlineStyle : '' })`)) as { id: string; outline: string };
  await page.keyboard.press('Tab');
  t.same(await focused(), { id: 'password', outline: 'solid' }, 'the first stop is the password, its focus visible');
  await page.keyboard.type(NEW_PASSWORD);
  await page.keyboard.press('Tab');
  t.equal((await focused()).id, 'confirm');
  await page.keyboard.type(NEW_PASSWORD);
  await page.keyboard.press('Tab');
  t.equal(await page.evaluate('document.activeElement?.tagName'), 'BUTTON');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  t.match(await page.textContent('main'), /Your password is saved/);
  t.equal(page.url(), `${rt!.httpUrl}/account/set-password`, 'the token is no longer in the address');
  const cookies = await context.cookies();
  t.same(cookies.map((c) => c.name), ['portier_form'], 'no session cookie: nobody is signed in');
  t.equal((await api('POST', '/auth/login', { username: 'kay', password: NEW_PASSWORD })).status, 200, 'the password works');
});

t.test('with a keyboard alone, a user whose organisation requires a second factor adds an authenticator and signs in; every sign-in page passes axe in English and in French', { skip }, async (t) => {
  const admin = await adminToken();
  t.equal((await api('POST', '/users', { username: 'mia', email: 'mia@example.com', role: 'operator', password: MIA_PASSWORD }, admin)).status, 201);
  const ent = ((await (await api('GET', '/auth/me', undefined, admin)).json()) as { user: { enterpriseId: string } }).user.enterpriseId;
  t.equal((await api('PATCH', `/enterprises/${ent}`, { settings: { mfaRequired: 'all' } }, admin)).status, 200);
  t.teardown(async () => void (await api('PATCH', `/enterprises/${ent}`, { settings: { mfaRequired: 'off' } }, admin)));
  const context = await browser!.newContext({ locale: 'en-GB', bypassCSP: true });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const focusedId = async () => (await page.evaluate('document.activeElement?.id ?? ""')) as string;
  await page.goto(`${rt!.httpUrl}/account/sign-in`);
  t.same(await axeViolations(page), [], 'the sign-in page');
  await page.keyboard.press('Tab');
  t.equal(await focusedId(), 'login', 'the first stop is the e-mail address or user name');
  await page.keyboard.type('mia@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type(MIA_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  t.equal(new URL(page.url()).pathname, '/account/mfa/enrol', 'the organisation requires a second factor: add an authenticator');
  t.same(await axeViolations(page), [], 'the enrolment page');
  const key = ((await page.textContent('.key')) ?? '').replace(/ /g, '');
  t.match(key, /^[A-Z2-7]{32}$/, 'the key to type into the app, beside its QR code');
  await page.keyboard.press('Tab');
  t.equal(await focusedId(), 'code');
  await page.keyboard.type(generateSync({ secret: key }));
  await page.keyboard.press('Tab');
  t.equal(await focusedId(), 'remember');
  await page.keyboard.press('Space');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  t.match(await page.textContent('h1'), /Keep your recovery codes/);
  t.same(await axeViolations(page), [], 'the recovery codes page');
  const codes = await page.$$eval('.codes li', (items) => items.map((li) => li.textContent ?? ''));
  t.equal(codes.length, 10);
  await page.keyboard.press('Tab');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  t.match(await page.textContent('header'), /Signed in as mia/);
  t.ok((await context.cookies()).some((c) => c.name.startsWith('portier_device_') && c.httpOnly), 'this browser is remembered');
  await context.clearCookies({ name: 'portier_session' });
  await page.goto(`${rt!.httpUrl}/account/sign-in`);
  await page.fill('#login', 'mia');
  await page.fill('#password', MIA_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  t.equal(new URL(page.url()).pathname, '/console/lockers', 'the remembered browser is not asked again');

  const fr = await browser!.newContext({ locale: 'fr-FR', bypassCSP: true });
  t.teardown(() => fr.close());
  const p2 = await fr.newPage();
  await p2.goto(`${rt!.httpUrl}/account/sign-in`);
  t.match(await p2.textContent('h1'), /Connexion/);
  t.same(await axeViolations(p2), [], 'the French sign-in page');
  await p2.fill('#login', 'mia');
  await p2.fill('#password', 'not the password');
  await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit]')]);
  t.match(await p2.textContent('[role=alert]'), /n’est pas correct/);
  t.same(await axeViolations(p2), [], 'a refused sign-in, in French');
  await p2.fill('#password', MIA_PASSWORD);
  await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit]')]);
  t.equal(new URL(p2.url()).pathname, '/account/mfa', 'another browser: the second step');
  t.same(await axeViolations(p2), [], 'the French second step');
  await p2.check('#method-recovery');
  await p2.fill('#code', '000000');
  await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit] >> nth=0')]);
  t.match(await p2.textContent('#code-error'), /Ce code n’est pas correct/);
  t.same(await axeViolations(p2), [], 'a wrong code, in French');
  await p2.check('#method-recovery');
  await p2.fill('#code', codes[0]!);
  await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit] >> nth=0')]);
  t.equal(new URL(p2.url()).pathname, '/console/lockers', 'a recovery code signs in');
});

t.test('after these flows, no link token and no password is in the data folder or the logs', { skip }, async (t) => {
  await rt!.passwordLinks.settled();
  const tokens = mail.messages.map((m) => new URL(m.link).searchParams.get('token') ?? '');
  t.ok(tokens.length >= 5, `${tokens.length} links sent`);
  await rt!.store.close().catch(() => undefined);
  // Every file of the folder: store snapshot, journal and history, tokens, keys.
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  t.ok(files.length > 5, `${files.length} files in the data folder`);
  const clear: string[] = [];
  let hashes = 0;
  for (const f of files) {
    const text = (await readFile(f)).toString('latin1');
    if ([...tokens, NEW_PASSWORD, ADMIN_PASSWORD, MIA_PASSWORD].some((secret) => text.includes(secret))) clear.push(f);
    if (tokens.some((token) => text.includes(tokenHash(token)))) hashes++;
  }
  t.same(clear, [], 'no file holds a token or a password in clear');
  t.ok(hashes > 0, 'the files read are those that hold the links (by the hashes of their tokens)');
  const logs = cloud!.logs();
  t.ok(logs.length > 0, 'the cloud logged');
  for (const secret of [...tokens, NEW_PASSWORD]) t.notOk(logs.includes(secret), 'not in the logs');
});
