// Bank settings in the browser: a timer out of its range refused at its field (the summary's link leads to it), then
// the door timer, contactless sign-in and a delivery quota changed and restored (each checked through the API); axe
// on the form, and on the form with its refusal, in English and in French.
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean, submit } from './steps.ts';

const FORM_400 = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';
const RULE_422 = 'Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)';


export const bankSettingsJourney: Journey = {
  name: 'bankSettings',
  title: 'bank settings: a value out of range refused at its field, settings changed and restored (checked through the API); axe in English and French',
  async run(t, w) {
    const admin = await w.adminToken();
    const base = w.cloud.rt.httpUrl;
    const bank = async () => (await w.api('GET', '/banks/annex-bank', undefined, admin)).json.bank as { rules: Record<string, unknown>; timers?: Record<string, number>; deliveryQuota: Record<string, number> };
    const start = await bank();
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/console/settings`);
    await Promise.all([page.waitForURL(/\/console\/bank-settings$/), page.click('main a:text("Bank settings")')]);
    await page.selectOption('#bank', 'annex-bank');
    await Promise.all([page.waitForURL(/bank=annex-bank$/), page.click('button:text("Show")')]);
    t.equal(await page.inputValue('#timers-doorLeftOpenS'), '120', "the bank's value");
    t.match(await page.textContent('#timers-doorLeftOpenS-hint'), /From 10 to 3600 seconds\./, 'its allowed range');
    await axeClean(t, w, page, 'the bank settings (en)');

    // Out of range: refused at the field, the rest kept as typed.
    await page.fill('#timers-doorLeftOpenS', '5');
    await page.check('#rules-contactless');
    await Promise.all([page.waitForSelector('.errors'), page.click('main form[novalidate] button[type=submit]')]);
    t.equal(await page.getAttribute('#timers-doorLeftOpenS', 'aria-invalid'), 'true');
    t.equal(await page.textContent('#timers-doorLeftOpenS-error'), 'Door left open: this value is not allowed. From 10 to 3600 seconds.', 'why, at the field');
    t.ok(await page.isChecked('#rules-contactless'), 'what was ticked is kept');
    await axeClean(t, w, page, 'the bank settings with a refusal (en)');
    await page.click('.errors a');
    t.equal(await page.evaluate('document.activeElement?.id'), 'timers-doorLeftOpenS', 'the summary leads to the field');
    t.notOk((await bank()).rules['contactless'], 'nothing stored');

    // Changed: the door timer, contactless sign-in, a quota for size M.
    await page.fill('#timers-doorLeftOpenS', '90');
    await page.fill('#quota-M', '1');
    await submit(page, /done=saved$/);
    t.match(await page.textContent('main [role=status]'), /The settings were saved/);
    const changed = await bank();
    t.equal(changed.timers?.['doorLeftOpenS'], 90, 'the door timer, as the API says');
    t.equal(changed.rules['contactless'], true, 'contactless sign-in, as the API says');
    t.same(changed.deliveryQuota, { M: 1 }, 'the quota, as the API says');

    // Restored.
    await page.fill('#timers-doorLeftOpenS', '120');
    await page.uncheck('#rules-contactless');
    await page.fill('#quota-M', '0');
    // The address after this save is the one the page has (done=saved): the new page is what to wait for.
    await Promise.all([page.waitForNavigation({ url: /done=saved$/ }), page.click('main form[novalidate] button[type=submit]')]);
    const restored = await bank();
    t.equal(restored.timers?.['doorLeftOpenS'] ?? 120, 120);
    t.same({ rules: restored.rules, deliveryQuota: restored.deliveryQuota }, { rules: start.rules, deliveryQuota: start.deliveryQuota }, 'restored, as the API says');

    // In French: the form, and the form with a refusal.
    await Promise.all([page.waitForURL(/\/console\/bank-settings/), page.click('header button:has-text("Français")')]);
    t.equal(await page.textContent('h1'), 'Paramètres des blocs');
    await axeClean(t, w, page, 'the bank settings (fr)');
    await page.fill('#rules-fixedStorageHours', '48');
    await Promise.all([page.waitForSelector('.errors'), page.click('main form[novalidate] button[type=submit]')]);
    t.equal(await page.getAttribute('#rules-fixedStorageHours-error span', 'lang'), 'en', "a rule between settings: the API's words, marked as English");
    await axeClean(t, w, page, 'the bank settings with a refusal (fr)');
    await page.goto(`${base}/console/bank-settings?bank=annex-bank`);
    await Promise.all([page.waitForURL(/\/console\/bank-settings/), page.click('header button:has-text("English")')]);
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'back in English for what follows');
    t.same(w.errors(page), [FORM_400, RULE_422], 'no refused script or style, no failed request but the two refused posts');
  },
};
