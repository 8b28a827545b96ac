// Notifications in the browser: who is told of a pickup changed and restored, the English words of the reminder
// previewed, saved and reset to the built-in words (each checked through the API); axe on the list, the words page and
// its preview in English and in French.
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean, language } from './steps.ts';

export const notificationsJourney: Journey = {
  name: 'notifications',
  title: 'notifications: who is told of a pickup changed and restored, e-mail words previewed, saved and reset (checked through the API); axe in English and French',
  async run(t, w) {
    const admin = await w.adminToken();
    const rules = async () => (await w.api('GET', '/notification-rules', undefined, admin)).json.rules;
    const reminderEn = async () => {
      const kinds = (await w.api('GET', '/notification-templates', undefined, admin)).json.templates as Array<{ kind: string; languages: { en: { own?: unknown } } }>;
      return kinds.find((k) => k.kind === 'reminder')!.languages.en;
    };
    const base = w.cloud.rt.httpUrl;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/console/settings`);
    await Promise.all([page.waitForURL(/\/console\/notifications$/), page.click('main a:has-text("Notifications")')]);
    await axeClean(t, w, page, 'the notifications page (en)');

    // Who is told: the key contact too when a parcel is picked up, then back.
    await page.check('#rule-picked-up-keyContact');
    await Promise.all([page.waitForURL(/\?done=rules-saved$/), page.click('button:has-text("Save who is told")')]);
    t.same((await rules())['picked-up'], ['recipient', 'keyContact'], 'changed, as the API says');
    t.ok(await page.isChecked('#rule-picked-up-keyContact'), 'the page shows it');
    await page.uncheck('#rule-picked-up-keyContact');
    // The address stays the same this time: the answer to the post is what is waited for.
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'GET' && r.url().endsWith('?done=rules-saved')),
      page.click('button:has-text("Save who is told")'),
    ]);
    t.same((await rules())['picked-up'], ['recipient'], 'restored, as the API says');

    // The reminder's English words: previewed, saved, then back to the built-in words.
    await Promise.all([page.waitForURL(/\/console\/notifications\/reminder\/en$/), page.click('a[href="/console/notifications/reminder/en"]')]);
    await axeClean(t, w, page, 'the words page (en)');
    await page.fill('#subject', 'Still waiting for you at {{bank}}');
    await page.fill('#body', 'Hello {{recipientName}},\n\nYour {{item}} has waited since {{waitingSince}}. Code: {{pickupCode}}');
    await Promise.all([page.waitForSelector('#preview'), page.click('button:has-text("Preview")')]);
    t.match(await page.textContent('#preview pre.mail-preview'), /^Hello Ada Lovelace,\n\nYour parcel has waited since .+\. Code: 482913/, 'the preview, as text');
    t.equal(await page.inputValue('#subject'), 'Still waiting for you at {{bank}}', 'what was typed kept');
    t.notOk((await reminderEn()).own, 'a preview saves nothing');
    await axeClean(t, w, page, 'the words page with its preview (en)');
    await Promise.all([page.waitForURL(/\?done=saved$/), page.click('button:has-text("Save the words")')]);
    t.match((await reminderEn()).own, { subject: 'Still waiting for you at {{bank}}' }, 'saved, as the API says');

    // In French: the words page (with its reset), a preview, and the list.
    await language(page, 'Français', /\/console\/notifications\/reminder\/en/);
    t.equal(await page.getAttribute('html', 'lang'), 'fr');
    await axeClean(t, w, page, 'the words page (fr)');
    await Promise.all([page.waitForSelector('#preview'), page.click('button:has-text("Aperçu")')]);
    await axeClean(t, w, page, 'the words page with its preview (fr)');
    await page.goto(`${base}/console/notifications`);
    t.match(await page.textContent('main table'), /Votre texte/);
    await axeClean(t, w, page, 'the notifications page (fr)');
    await page.goto(`${base}/console/notifications/reminder/en`);
    await language(page, 'English', /\/console\/notifications\/reminder\/en/);

    await page.click('summary:has-text("Use the built-in words again")');
    await Promise.all([page.waitForURL(/\?done=reset$/), page.click('button:has-text("Use the built-in words")')]);
    t.notOk((await reminderEn()).own, 'reset, as the API says');
    t.same(w.errors(page), [], 'no refused script or style, no failed request');
  },
};
