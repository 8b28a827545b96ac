// Retention and erasure in the browser: history kept for a number of days (asked again first, being shorter) and for
// ever again, a person found as one types and their personal data erased after a page that says what goes and that
// it cannot be undone, each checked through the API and the activity; axe on the screen and the confirmation pages in
// English and in French.
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean } from './steps.ts';

export const retentionJourney: Journey = {
  name: 'retention',
  title: 'retention and erasure: history kept for days and for ever again, a person found and erased after confirmation (checked through the API and the activity); axe in English and French',
  async run(t, w) {
    const admin = await w.adminToken();
    const base = w.cloud.rt.httpUrl;
    const retention = async () => (await w.api('GET', `/enterprises/${w.enterpriseId}`, undefined, admin)).json.enterprise.historyRetentionDays;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/console/settings`);
    await Promise.all([page.waitForURL(/\/console\/retention$/), page.click('main a:has-text("Retention and erasure")')]);
    await axeClean(t, w, page, 'retention and erasure (en)');

    // The retention period: a number of days, then for ever again.
    await page.check('#keep-days');
    await page.fill('#days', '400');
    await page.click('main form[novalidate] button[type=submit]');
    await page.waitForSelector('h1:has-text("Keep history for 400 days?")');
    t.match(await page.textContent('main'), /Deleted history cannot be got back\./, 'a shorter period is asked again first');
    await axeClean(t, w, page, 'the shorter period’s confirmation (en)');
    t.equal(await retention(), undefined, 'nothing changed yet');
    await Promise.all([page.waitForURL(/\?done=saved$/), page.click('main button.danger')]);
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The retention period was saved.');
    t.equal(await retention(), 400, 'kept for 400 days, as the API says');
    await page.check('#keep');
    // The address stays the same: the answer to the post is what to wait for.
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/console/retention')), page.click('main form[novalidate] button[type=submit]')]);
    t.equal(await retention(), undefined, 'kept for ever again, as the API says');
    await page.waitForSelector('main p:has-text("History is now kept for ever.")');

    // Find the person as one types, then erase after the confirmation page.
    await page.focus('#q');
    await page.keyboard.type('Chen');
    await page.waitForSelector('#erase-results table');
    t.same(await page.locator('#erase-results tbody th').allTextContents(), ['Cy Chen'], 'only who matches');
    await Promise.all([page.waitForURL(/\/console\/retention\/erase\/cy$/), page.click('#erase-results a')]);
    t.equal(await page.textContent('h1'), 'Erase the personal data of Cy Chen');
    t.match(await page.textContent('main'), /This cannot be undone\./);
    await axeClean(t, w, page, 'the erasure’s confirmation (en)');
    await Promise.all([page.waitForURL(/\/console\/retention\?done=erased$/), page.click('main button.danger')]);
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The personal data was erased. The activity records the erasure.');
    const cy = (await w.api('GET', '/contacts/cy', undefined, admin)).json.contact;
    t.match(cy, { firstName: '', lastName: 'Erased person' }, 'the name replaced, as the API says');
    t.notOk('email' in cy, 'the e-mail address gone');
    const erasures = (await w.api('GET', '/activity?type=erasure', undefined, admin)).json.activity as Array<Record<string, unknown>>;
    t.match(erasures, [{ type: 'erasure', enterpriseId: w.enterpriseId, detail: /personal data erased/ }], 'the activity records the erasure');

    // In French: the screen and the confirmation page (of someone else, not erased).
    await Promise.all([page.waitForURL(/\/console\/retention/), page.click('header button:has-text("Français")')]);
    await page.waitForSelector('html[lang=fr]');
    t.equal(await page.textContent('h1'), 'Conservation et effacement');
    await axeClean(t, w, page, 'retention and erasure (fr)');
    await page.goto(`${base}/console/retention/erase/bea`);
    t.match(await page.textContent('main'), /Cette action est définitive\./);
    await axeClean(t, w, page, 'the erasure’s confirmation (fr)');
    t.equal((await w.api('GET', '/contacts/bea', undefined, admin)).json.contact.lastName, 'Brown', 'asking erases nothing');
    await Promise.all([page.waitForURL(/\/console\/retention/), page.click('header button:has-text("English")')]);
    await page.waitForSelector('html[lang=en]');
    t.same(w.errors(page), [], 'no refused script or style, no failed request');
  },
};
