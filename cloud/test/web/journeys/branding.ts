// Branding in the browser: a PNG logo uploaded and colours set through the page (checked through the API, the logo
// shown through the console's own policy), a low-contrast pair and an SVG with a script refused at their fields, a
// bank's own colours set and removed, the enterprise's branding removed and restored; axe in English and French.
import type { Page } from 'playwright-core';
import { pngOf } from '../../branding/logo-files.ts';
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean, confirm } from './steps.ts';

const COLOURS = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };
const DARK = { primary: '#ffcc00', onPrimary: '#000000', background: '#101010', text: '#f0f0f0' };

async function fillColours(page: Page, c: Record<string, string>): Promise<void> {
  await page.check('#colours');
  for (const [k, v] of Object.entries(c)) await page.fill(`#${k}`, v);
}

/** Saves the form; resolves with the status of the answer (a refusal stays on the page). */
async function save(page: Page): Promise<number> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && /\/console\/branding/.test(r.url())), page.click('button:has-text("Save branding")')]);
  await page.waitForLoadState('load');
  return res.status();
}

export const brandingJourney: Journey = {
  name: 'branding',
  title: "branding: a PNG logo and colours set through the page (checked through the API), a low-contrast pair and an SVG with a script refused at their fields, a bank's own colours, removed and restored; axe in English and French",
  async run(t, w) {
    const admin = (await w.api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json.token as string;
    const branding = async () => (await w.api('GET', `/enterprises/${w.enterpriseId}/branding`, undefined, admin)).json as { branding?: { colours?: unknown; logo?: { sha256: string; type: string } } };
    const base = w.cloud.rt.httpUrl;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/console/settings`);
    await Promise.all([page.waitForURL(/\/console\/branding$/), page.click('main a:has-text("Branding")')]);
    await axeClean(t, w, page, 'the branding page (en)');

    // A PNG logo and the colours, through the page.
    await page.setInputFiles('#logo', { name: 'acme.png', mimeType: 'image/png', buffer: pngOf(150, 50) });
    await fillColours(page, COLOURS);
    t.equal(await save(page), 303);
    t.match(page.url(), /\?done=saved$/);
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The branding was saved.');
    const saved = await branding();
    t.same(saved.branding?.colours, COLOURS, 'the colours, as the API says');
    t.equal(saved.branding?.logo?.type, 'image/png', 'the logo, as the API says');
    t.ok(await page.$eval('img.brand-logo', (img) => (img as unknown as { naturalWidth: number }).naturalWidth === 150), 'the logo shown through the console’s own policy');
    t.match(await page.getAttribute('.brand-preview img', 'alt'), /Contrast 10\.\d\d:1: enough/, 'the preview says each contrast');
    await axeClean(t, w, page, 'the branding page with a logo and colours (en)');

    // A low-contrast pair: refused at its field, with the ratio.
    await page.fill('#onPrimary', '#7f9fbf');
    t.equal(await save(page), 422);
    t.equal(await page.getAttribute('#onPrimary', 'aria-invalid'), 'true');
    t.match(await page.textContent('#onPrimary-error'), /3\.72:1; WCAG AA needs at least 4\.5:1/);
    t.match(await page.textContent('.errors'), /onPrimary #7f9fbf on primary #004080/, 'in the error summary');
    await axeClean(t, w, page, 'a refused pair (en)');

    // An SVG with a script: refused at the file field, nothing changed.
    await page.fill('#onPrimary', '#ffffff');
    await page.setInputFiles('#logo', { name: 'evil.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') });
    t.equal(await save(page), 422);
    t.equal(await page.getAttribute('#logo', 'aria-invalid'), 'true');
    t.match(await page.textContent('#logo-error'), /the element <script> is not allowed/);
    t.same(await branding(), saved, 'nothing changed, as the API says');

    // A bank's own colours, then back to the enterprise's.
    await page.goto(`${base}/console/branding`);
    await Promise.all([page.waitForURL(/\/console\/branding\/banks\/lobby$/), page.click('a:has-text("Branding of Lobby")')]);
    await axeClean(t, w, page, "a bank's branding (en)");
    await fillColours(page, DARK);
    t.equal(await save(page), 303);
    t.match((await w.api('GET', '/banks/lobby/branding', undefined, admin)).json, { override: { colours: DARK }, effective: { colours: DARK, logo: { sha256: saved.branding!.logo!.sha256 } } }, "the bank's own colours under the enterprise's logo");
    await confirm(page, 'Remove this bank’s own branding', 'Remove its own branding', /\?done=bank-removed$/);
    t.notOk('override' in (await w.api('GET', '/banks/lobby/branding', undefined, admin)).json, 'removed, as the API says');

    // The enterprise's branding removed, then restored.
    await page.goto(`${base}/console/branding`);
    await confirm(page, 'Remove the enterprise branding', 'Remove the branding', /\?done=removed$/);
    t.notOk('branding' in (await branding()), 'removed, as the API says');
    await page.setInputFiles('#logo', { name: 'acme.png', mimeType: 'image/png', buffer: pngOf(150, 50) });
    await fillColours(page, COLOURS);
    t.equal(await save(page), 303);
    t.same(await branding(), saved, 'restored, as the API says');

    // In French.
    await Promise.all([page.waitForURL(/\/console\/branding/), page.click('header button:has-text("Français")')]);
    t.equal(await page.textContent('h1'), 'Image de marque');
    await axeClean(t, w, page, 'the branding page (fr)');
    await page.goto(`${base}/console/branding/banks/lobby`);
    await axeClean(t, w, page, "a bank's branding (fr)");
    await Promise.all([page.waitForURL(/\/console\/branding/), page.click('header button:has-text("English")')]);
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'back in English for what follows');
    // The two refused saves are answered 422 on purpose (the page says why); nothing else may fail.
    const errors = w.errors(page);
    t.equal(errors.filter((e) => /status of 422/.test(e)).length, 2, 'the two refusals');
    t.same(errors.filter((e) => !/status of 422/.test(e)), [], 'no refused script or style, no other failed request');
  },
};
