// The address book in the browser: search as you type, import a CSV with a duplicate personnel ID and read the
// report, add (after the API refused a bad e-mail), edit and delete a contact, each checked through the API; axe on
// the list, the form and the import report in English and in French.
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean } from './steps.ts';

const HEADER = 'PersonnelID,FirstName,LastName,Email,Phone,Department,Location,NeedsAccessibility,Notifications,Language,Private,BadgeID';
const DUPLICATE = `${HEADER}\r\nP-200,Dana,Diaz,dana@example.com,,,,no,,,,\r\nP-201,Eli,Evans,,,,,,,,,\r\nP-200,Dana,Again,,,,,,,,,\r\n`;

// Chromium reports a page answered with an error status as a console error: the import report (422) and the form
// with its error (400) are such answers, on purpose. Nothing else may appear (a refused script or style, a request).
const REPORT_422 = 'Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)';
const FORM_400 = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';

/** The rows of the contacts table: each contact's name. */
async function names(page: Page): Promise<string[]> {
  return page.locator('#contact-results tbody th[scope=row] a').allTextContents();
}

async function importDuplicate(page: Page): Promise<void> {
  await page.setInputFiles('#file', { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(DUPLICATE) });
  await Promise.all([page.waitForURL(/\/console\/contacts\/import$/), page.waitForSelector('#problems'), page.click('form[enctype] button[type=submit]')]);
}

export const contactsJourney: Journey = {
  name: 'contacts',
  title: 'address book: search as you type, a CSV import with a duplicate personnel ID and its report, add, edit and delete a contact; axe in English and French',
  async run(t, w) {
    // A token of its own: an earlier journey may have moved the clock past the shared one's idle time.
    const admin = (await w.api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json.token as string;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.click('nav.menu >> text=Address book');
    await page.waitForURL(/\/console\/contacts$/);
    t.same(await names(page), ['Alex Access', 'Bea Brown', 'Cy Chen']);
    t.equal(await page.locator('#contact-results tr', { hasText: 'Alex Access' }).locator('td').nth(4).textContent(), 'Needs accessible lockers', 'the flag in words');
    await axeClean(t, w, page, 'the list (en)');

    // Search as you type: the results and the count change without a new page.
    await page.focus('#q');
    await page.keyboard.type('chen');
    await page.waitForSelector('#contact-results tbody tr:nth-child(2)', { state: 'detached' });
    t.same(await names(page), ['Cy Chen'], 'the search narrowed the list');
    t.equal(await page.textContent('#contact-count'), '1 contact found.', 'the live region says how many');
    t.match(page.url(), /\?q=chen$/, 'the address keeps the search');

    // The import of a file with a duplicate personnel ID: every problem listed, nothing written.
    await page.click('text=Import from a CSV file');
    await page.waitForURL(/\/console\/contacts\/import$/);
    await page.check('#mode-merge');
    await importDuplicate(page);
    const problems = await page.locator('#problems tbody tr').allInnerTexts();
    t.equal(problems.length, 1);
    t.match(problems[0], /^4\s+PersonnelID\s+Duplicate Personnel ID/, 'line 4, its column and the problem');
    t.match(await page.textContent('.errors'), /The file has problems: nothing was imported.*no contacts were imported/);
    const listed = await w.api('GET', '/contacts?q=Dana', undefined, admin);
    t.equal(listed.json.total, 0, 'nothing was imported');
    await axeClean(t, w, page, 'the import report (en)');

    // Add: a bad e-mail first (the API's words at the field, what was typed kept), then a good one.
    await page.goto(`${w.cloud.rt.httpUrl}/console/contacts`);
    await page.click('text=Add a contact');
    await page.waitForURL(/\/console\/contacts\/new$/);
    await page.fill('#firstName', 'Gus');
    await page.fill('#lastName', 'Green');
    await page.fill('#email', 'gus-at-example');
    await page.fill('#personnelId', 'P-300');
    await page.check('#needsAccessible');
    await Promise.all([page.waitForSelector('#email-error'), page.click('form[novalidate] button[type=submit]')]);
    t.equal(await page.inputValue('#firstName'), 'Gus', 'what was typed is kept');
    t.ok(await page.isChecked('#needsAccessible'));
    t.equal(await page.getAttribute('.errors a', 'href'), '#email', 'the summary leads to the field');
    await axeClean(t, w, page, 'the form with an error (en)');
    await page.fill('#email', 'gus@example.com');
    await Promise.all([page.waitForURL(/done=added/), page.click('form[novalidate] button[type=submit]')]);
    const gus = (await w.api('GET', '/contacts?q=P-300', undefined, admin)).json.contacts[0];
    t.match(gus, { firstName: 'Gus', lastName: 'Green', email: 'gus@example.com', needsAccessible: true }, 'added, as the API shows');

    // Edit from the list.
    await page.click('#contact-results a:text-is("Gus Green")');
    await page.waitForURL(new RegExp(`/console/contacts/${gus.id}$`));
    await page.fill('#lastName', 'Gray');
    await page.uncheck('#needsAccessible');
    await Promise.all([page.waitForURL(/done=saved/), page.click('form[novalidate] button[type=submit]')]);
    t.match((await w.api('GET', `/contacts/${gus.id}`, undefined, admin)).json.contact, { lastName: 'Gray', needsAccessible: false }, 'edited');

    // Delete, after the confirmation page.
    await page.click('#contact-results a:text-is("Gus Gray")');
    await page.click('a.button:has-text("Delete")');
    await page.waitForURL(/\/delete$/);
    await Promise.all([page.waitForURL(/done=deleted/), page.click('button.danger')]);
    t.equal((await w.api('GET', `/contacts/${gus.id}`, undefined, admin)).status, 404, 'deleted');
    t.same(w.errors(page), [REPORT_422, FORM_400], 'no error in the browser (policy, script, request) but the two refused posts');

    // In French: the same screens pass axe.
    await Promise.all([page.waitForURL(/\/console\/contacts/), page.click('button:text-is("Français")')]);
    try {
      await page.waitForSelector('html[lang=fr]');
      await axeClean(t, w, page, 'the list (fr)');
      await page.goto(`${w.cloud.rt.httpUrl}/console/contacts/new`);
      await page.fill('#firstName', 'Hugo');
      await page.fill('#lastName', 'Hubert');
      await page.fill('#email', 'hugo-at-example');
      await Promise.all([page.waitForSelector('#email-error'), page.click('form[novalidate] button[type=submit]')]);
      await axeClean(t, w, page, 'the form with errors (fr)');
      await page.goto(`${w.cloud.rt.httpUrl}/console/contacts/import`);
      await importDuplicate(page);
      t.equal(await page.textContent('#problems caption'), 'Problèmes du fichier, par ligne');
      await axeClean(t, w, page, 'the import report (fr)');
      t.same(w.errors(page), [REPORT_422, FORM_400, FORM_400, REPORT_422], 'nor in French');
    } finally {
      // The administrator's language is theirs across the journeys: back to English.
      await w.api('PATCH', '/auth/me', { language: 'en' }, admin);
    }
  },
};
