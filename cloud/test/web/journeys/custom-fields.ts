// Custom fields in the browser: from the set-up page, add a choice field, edit it and remove it (each checked through
// the API); axe on the list, the new-field form and a field's page in English and in French.
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean, language, submit } from './steps.ts';

export const customFieldsJourney: Journey = {
  name: 'customFields',
  title: 'custom fields: add a choice field, edit it and remove it from the set-up page (checked through the API); axe in English and French',
  async run(t, w) {
    const admin = await w.adminToken();
    const fields = async (): Promise<Array<Record<string, unknown>>> => (await w.api('GET', '/custom-fields?includeRemoved=true', undefined, admin)).json.customFields;
    const base = w.cloud.rt.httpUrl;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.click('nav.menu >> text=Set-up');
    await page.waitForURL(/\/console\/settings$/);
    await Promise.all([page.waitForURL(/\/console\/custom-fields$/), page.click('main a:has-text("Custom fields")')]);
    t.equal(await page.textContent('h1'), 'Custom fields');
    await axeClean(t, w, page, 'the custom fields list (en)');

    // Add: a required choice on users and contacts.
    await Promise.all([page.waitForURL(/\/console\/custom-fields\/new$/), page.click('text=Add a custom field')]);
    await axeClean(t, w, page, 'the new field form (en)');
    await page.fill('#labelEn', 'Parking spot');
    await page.fill('#labelFr', 'Place de parking');
    await page.selectOption('#type', 'choice');
    await page.fill('#options', 'P1\nP2');
    await page.check('#required');
    await page.check('#appliesTo-users');
    await submit(page, /\/console\/custom-fields\/[^/?]+\?done=added$/);
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The custom field was added.');
    const made = (await fields()).find((f) => (f['label'] as Record<string, string>)['en'] === 'Parking spot');
    t.match(made, { label: { en: 'Parking spot', fr: 'Place de parking' }, type: 'choice', options: ['P1', 'P2'], required: true, appliesTo: ['users', 'contacts'] }, 'added, as the API says');
    const id = String(made?.['id']);

    // Edit: a new English label, a third option, no longer required.
    await page.fill('#labelEn', 'Parking space');
    await page.fill('#options', 'P1\nP2\nP3');
    await page.uncheck('#required');
    await submit(page, /\?done=saved$/);
    t.match((await fields()).find((f) => f['id'] === id), { label: { en: 'Parking space' }, options: ['P1', 'P2', 'P3'], required: false }, 'edited, as the API says');
    await axeClean(t, w, page, "a field's page (en)");

    // In French: the field's page, the list and the form.
    await language(page, 'Français', new RegExp(`/console/custom-fields/${id}`));
    t.equal(await page.getAttribute('html', 'lang'), 'fr');
    t.equal(await page.textContent('h1'), 'Champ personnalisé Place de parking');
    await axeClean(t, w, page, "a field's page (fr)");
    await page.goto(`${base}/console/custom-fields`);
    t.match(await page.textContent('main table'), /Choix dans une liste/);
    await axeClean(t, w, page, 'the custom fields list (fr)');
    await page.goto(`${base}/console/custom-fields/new`);
    await axeClean(t, w, page, 'the new field form (fr)');
    await page.goto(`${base}/console/custom-fields/${id}`);
    await language(page, 'English', new RegExp(`/console/custom-fields/${id}`));

    // Remove, behind its disclosure.
    await page.click('summary:has-text("Remove this field")');
    await Promise.all([page.waitForURL(/\/console\/custom-fields\?done=removed$/), page.click('button:has-text("Remove the field")')]);
    t.ok((await fields()).find((f) => f['id'] === id)?.['removedAt'], 'removed, as the API says');
    t.match(await page.textContent('main'), /There are no custom fields yet\./);
    t.same(w.errors(page), [], 'no refused script or style, no failed request');
  },
};
