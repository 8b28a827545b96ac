// Departments in the browser: one added with a member and a key contact chosen by searching the address book as one
// types, edited (renamed, a member added, no key contact) and deleted, each checked through the API; axe on the list
// and the form in English and in French.
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean } from './steps.ts';

/** Types `text` in the search and waits until the matches list `name`. */
async function find(page: Page, text: string, name: string): Promise<void> {
  await page.fill('#q', '');
  await page.focus('#q');
  await page.keyboard.type(text);
  await page.waitForSelector(`#department-people table:has(caption:text-is("Contacts found")) th:has-text("${name}")`);
}

async function save(page: Page, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.click('main form[novalidate] button[value=save]:not([hidden])')]);
}

export const departmentsJourney: Journey = {
  name: 'departments',
  title: 'departments: add one with a member and a key contact found as one types, edit and delete it (checked through the API); axe in English and French',
  async run(t, w) {
    const admin = (await w.api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json.token as string;
    const base = w.cloud.rt.httpUrl;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.click('nav.menu >> text=Set-up');
    await page.click('main a:text-is("Departments")');
    await page.waitForURL(/\/console\/departments$/);
    await axeClean(t, w, page, 'the list (en)');

    // Add: a member found as one types, kept ticked through the next search, which finds the key contact.
    await page.click('text=Add a department');
    await page.waitForURL(/\/console\/departments\/new$/);
    await page.fill('#name', 'Facilities');
    await find(page, 'Access', 'Alex Access');
    await page.check('#department-people input[name=member][value=alex]');
    await find(page, 'Brown', 'Bea Brown');
    t.ok(await page.isChecked('#department-people table:has(caption:text-is("People of the department")) input[name=member][value=alex]'), 'the member stays ticked, among the people');
    await page.check('#department-people input[name=keyContact][value=bea]');
    await axeClean(t, w, page, 'the form with matches (en)');
    await save(page, /\/console\/departments\/[^/?]+\?done=added$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    t.match((await w.api('GET', `/departments/${id}`, undefined, admin)).json.department, { name: 'Facilities', memberIds: ['alex'], keyContactId: 'bea' }, 'added, as the API says');
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The department was added.');

    // Edit: renamed, Bea a member too, no key contact.
    await page.fill('#name', 'Facilities and security');
    await page.check('#department-people input[name=member][value=bea]');
    await page.check('#keyContact');
    // Enter in a field saves (the form's default button), though the search's Find comes before Save.
    await Promise.all([page.waitForURL(/\?done=saved$/), page.press('#name', 'Enter')]);
    const edited = (await w.api('GET', `/departments/${id}`, undefined, admin)).json.department;
    t.match(edited, { name: 'Facilities and security', memberIds: ['alex', 'bea'] }, 'edited, as the API says');
    t.equal(edited.keyContactId, undefined, 'no key contact');
    await axeClean(t, w, page, 'the edit form (en)');

    // Delete, behind its disclosure.
    await page.click('summary:has-text("Delete this department")');
    await Promise.all([page.waitForURL(/\/console\/departments\?done=deleted$/), page.click('details[open] button.danger')]);
    t.equal((await w.api('GET', `/departments/${id}`, undefined, admin)).status, 404, 'deleted, as the API says');
    t.same(w.errors(page), [], 'no refused script or style, no failed request');

    // In French: the list and the form with matches.
    await Promise.all([page.waitForURL(/\/console\/departments/), page.click('header button:has-text("Français")')]);
    try {
      await page.waitForSelector('html[lang=fr]');
      t.equal(await page.textContent('h1'), 'Services');
      await axeClean(t, w, page, 'the list (fr)');
      await page.goto(`${base}/console/departments/new`);
      await page.focus('#q');
      await page.keyboard.type('Chen');
      await page.waitForSelector('#department-people th:has-text("Cy Chen")');
      await axeClean(t, w, page, 'the form with matches (fr)');
      t.same(w.errors(page), [], 'nor in French');
    } finally {
      await w.api('PATCH', '/auth/me', { language: 'en' }, admin);
    }
  },
};
