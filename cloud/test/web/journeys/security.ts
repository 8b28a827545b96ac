// The security screen in the browser: idle sign-out and the lock-out threshold changed (after a refused value
// explained at its field) and restored, an API key made (shown once, working on the API) and revoked (then refused),
// single sign-on saved (its secret never shown again) and removed, each checked through the API; axe on the settings,
// single sign-on and API keys pages in English and in French.
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean } from './steps.ts';

// Chromium reports a page answered with an error status as a console error: the refused settings form (400) is one,
// on purpose. Nothing else may appear (a refused script or style, a failed request).
const FORM_400 = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';

/** Submits the page's form `form` and waits for the page it leads to. */
async function submit(page: Page, form: string, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.click(`${form} button[type=submit]`)]);
}

export const securityJourney: Journey = {
  name: 'security',
  title: 'security: sign-in settings changed and restored, an API key made, used and revoked, single sign-on saved and removed (checked through the API); axe in English and French',
  async run(t, w) {
    const admin = await w.adminToken();
    const base = w.cloud.rt.httpUrl;
    const ent = `/enterprises/${w.enterpriseId}`;
    const settings = async () => (await w.api('GET', ent, undefined, admin)).json.enterprise.settings ?? {};
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.click('nav.menu >> text=Set-up');
    await page.waitForURL(/\/console\/settings$/);
    await Promise.all([page.waitForURL(/\/console\/security$/), page.click('main a:has-text("Security")')]);
    await axeClean(t, w, page, 'the security settings (en)');
    t.match(await page.textContent('#idleTimeoutMinutes-hint'), /From 5 to 60 minutes \(default 15\)/, 'the range shown');

    // A value out of its range: refused by the API, explained at the field, reached from the summary.
    await page.fill('#idleTimeoutMinutes', '90');
    await submit(page, 'main form[novalidate]', /\/console\/security$/);
    t.equal((await page.textContent('#idleTimeoutMinutes-error'))?.trim(), 'Enter a whole number from 5 to 60.');
    t.equal(await page.getAttribute('#idleTimeoutMinutes', 'aria-invalid'), 'true');
    await axeClean(t, w, page, 'the settings with a refused value (en)');
    t.equal(await page.getAttribute('.errors a', 'href'), '#idleTimeoutMinutes', 'the summary leads to the field');
    t.equal((await settings()).idleTimeoutMinutes, undefined, 'nothing saved');

    await page.fill('#idleTimeoutMinutes', '30');
    await page.fill('#lockoutThreshold', '7');
    await submit(page, 'main form[novalidate]', /\/console\/security\?done=saved$/);
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The security settings were saved.');
    t.match(await settings(), { idleTimeoutMinutes: 30, lockoutThreshold: 7 }, 'changed, as the API says');
    await page.fill('#idleTimeoutMinutes', '15');
    await page.fill('#lockoutThreshold', '5');
    // The address stays the same: the answer to the post is what to wait for.
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/console/security')), page.click('main form[novalidate] button[type=submit]')]);
    t.match(await settings(), { idleTimeoutMinutes: 15, lockoutThreshold: 5 }, 'restored, as the API says');

    // An API key: shown once, works, revoked, refused.
    await Promise.all([page.waitForURL(/\/console\/security\/api-keys$/), page.click('main a:has-text("API keys")')]);
    await axeClean(t, w, page, 'the API keys (en)');
    await page.fill('#name', 'Journey script');
    await page.selectOption('#role', 'operator');
    await submit(page, 'main form[novalidate]', /\/console\/security\/api-keys$/);
    const key = await page.inputValue('#new-key');
    t.match(key, /^pk_/, 'the new key is shown');
    t.match(await page.textContent('.made-key'), /shown this once/, 'with the warning');
    await axeClean(t, w, page, 'the new key (en)');
    t.equal((await w.api('GET', '/banks', undefined, key)).status, 200, 'the key works on the API');
    await page.goto(`${base}/console/security/api-keys`);
    t.notOk((await page.content()).includes(key), 'never shown again');
    await page.click('summary:has-text("Revoke Journey script")');
    await Promise.all([page.waitForURL(/\?done=revoked$/), page.click('button:has-text("Revoke the key")')]);
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The key was revoked.');
    t.equal((await w.api('GET', '/banks', undefined, key)).status, 401, 'the revoked key no longer works');

    // Single sign-on: saved, the secret never shown again, removed.
    await page.goto(`${base}/console/security/sso`);
    await axeClean(t, w, page, 'single sign-on, not set up (en)');
    await page.fill('#issuer', 'https://id.example.com');
    await page.fill('#clientId', 'portier-console');
    await page.fill('#clientSecret', 'journey-client-secret');
    await submit(page, 'main form[novalidate]', /\/console\/security\/sso\?done=saved$/);
    t.match((await w.api('GET', `${ent}/sso`, undefined, admin)).json.sso, { issuer: 'https://id.example.com', clientId: 'portier-console', hasClientSecret: true, passwordSignIn: true }, 'saved, as the API says');
    t.notOk((await page.content()).includes('journey-client-secret'), 'the secret is never shown again');
    t.equal(await page.inputValue('#clientSecret'), '', 'its field is empty');
    await page.click('summary:has-text("Remove single sign-on")');
    await Promise.all([page.waitForURL(/\?done=removed$/), page.click('details button:has-text("Remove single sign-on")')]);
    t.equal((await w.api('GET', `${ent}/sso`, undefined, admin)).status, 404, 'removed, as the API says');

    // In French: the three pages.
    await Promise.all([page.waitForURL(/\/console\/security\/sso/), page.click('header button:has-text("Français")')]);
    await page.waitForSelector('html[lang=fr]');
    t.equal(await page.textContent('h1'), 'Authentification unique');
    await axeClean(t, w, page, 'single sign-on (fr)');
    await page.goto(`${base}/console/security/api-keys`);
    await axeClean(t, w, page, 'the API keys (fr)');
    await page.goto(`${base}/console/security`);
    t.equal(await page.textContent('h1'), 'Sécurité');
    await axeClean(t, w, page, 'the security settings (fr)');
    await Promise.all([page.waitForURL(/\/console\/security/), page.click('header button:has-text("English")')]);
    await page.waitForSelector('html[lang=en]');
    t.same(w.errors(page), [FORM_400], 'no error in the browser (policy, script, request) but the refused post');
  },
};
