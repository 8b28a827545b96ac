// Single sign-on of a whole running cloud in a real Chromium, through a real OpenID provider on loopback: the person
// types at the provider's form and lands on the signed-in page; that page, a refused sign-in and the signed-out page
// pass axe (WCAG 2.2 AA) in English and French; sign-out from the keyboard; afterwards no client secret or session
// token is in clear in the data folder or the logs. One browser and one cloud for the file.
import type { Browser } from 'playwright-core';
import t from 'tap';
import { secretsInClear } from '../mail/helpers.ts';
import { axeViolations, launchChromium, skipWithoutChromium as skip, startPagesCloud, type PagesCloud } from '../pages/browser.ts';
import { CapturingMail } from '../pages/helpers.ts';
import { CLIENT_ID, CLIENT_SECRET, startProvider, type TestProvider } from './provider.ts';

const ADMIN_PASSWORD = 'the admin passphrase';

let browser: Browser | undefined;
let cloud: PagesCloud | undefined;
let idp: TestProvider | undefined;
let enterpriseId = '';

t.before(async () => {
  if (skip) return;
  cloud = await startPagesCloud(t, 'portier-sso-', ADMIN_PASSWORD, new CapturingMail());
  idp = await startProvider(`${cloud.rt.httpUrl}/account/sso/callback`, { ann: { email: 'ann@example.com', email_verified: true } });
  browser = await launchChromium();
  const admin = await cloud.api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  const token = ((await admin.json()) as { token: string }).token;
  enterpriseId = cloud.rt.store.list('enterprises')[0]!.id;
  const user = await cloud.api('POST', '/users', { username: 'ann', email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', role: 'operator' }, token);
  if (user.status !== 201) throw new Error(`user not created: ${await user.text()}`);
  const sso = await cloud.api('PUT', `/enterprises/${enterpriseId}/sso`, { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, token);
  if (sso.status !== 200) throw new Error(`sso not set up: ${await sso.text()}`);
});
t.teardown(async () => {
  await browser?.close();
  await idp?.close();
});

t.test('a person signs in at the provider, lands signed in, and signs out with the keyboard; every page passes axe', { skip }, async (t) => {
  const context = await browser!.newContext({ bypassCSP: true, locale: 'fr-FR' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${cloud!.rt.httpUrl}/account/sso/callback`);
  t.equal(await page.getAttribute('html', 'lang'), 'fr', 'a refused sign-in, in the browser’s language');
  t.match(await page.textContent('main'), /Cette connexion a expiré/);
  t.same(await axeViolations(page), [], 'refused sign-in (fr): no violation');

  await page.goto(`${cloud!.rt.httpUrl}/account/sso/${enterpriseId}`);
  t.ok(page.url().startsWith(idp!.issuer), 'at the provider');
  await page.fill('input[name=login]', 'ann');
  await page.fill('input[name=password]', 'any');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await Promise.all([page.waitForURL(`${cloud!.rt.httpUrl}/console/lockers`), page.click('button[type=submit]')]);
  t.match(await page.textContent('header'), /Connecté en tant que Ann Lee/, 'signed in, in the console');
  const session = (await context.cookies()).find((c) => c.name === 'portier_session');
  t.match(session, { httpOnly: true, sameSite: 'Lax', path: '/' }, 'the session cookie');
  t.same(await axeViolations(page), [], 'the console (fr): no violation');
  await page.goto(`${cloud!.rt.httpUrl}/account?lang=en`);
  t.match(await page.textContent('main'), /Signed in as Ann Lee\./);
  t.same(await axeViolations(page), [], 'signed-in page (en): no violation');
  const me = await cloud!.api('GET', '/auth/me', undefined, session!.value);
  t.equal(me.status, 200, 'the same token on the API');

  await page.keyboard.press('Tab');
  t.equal(await page.evaluate('document.activeElement?.tagName'), 'BUTTON', 'the sign-out button is the first stop');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  t.match(await page.textContent('main'), /Your session has ended/);
  t.same(await axeViolations(page), [], 'signed-out page (en): no violation');
  t.equal((await context.cookies()).find((c) => c.name === 'portier_session'), undefined, 'the cookie is gone');
  t.equal((await cloud!.api('GET', '/auth/me', undefined, session!.value)).status, 401, 'the session is over');
  await page.goto(`${cloud!.rt.httpUrl}/account`);
  t.equal(new URL(page.url()).pathname, '/account/sign-in', 'signed out: the sign-in page');

  await cloud!.rt.store.close().catch(() => undefined);
  t.same(await secretsInClear(cloud!.dir, cloud!.logs(), [CLIENT_SECRET, session!.value]), [], 'no client secret or session token in clear in the data folder or the logs');
  t.match(cloud!.logs(), /sso sign-in/, 'the sign-in logged');
});
