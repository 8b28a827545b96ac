// Users and roles in the browser: search as you type, add, edit and delete a user and a role (each checked through
// the API); axe on the users list, the user form, the roles list and the role form in English and in French.
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean, confirm, submit } from './steps.ts';

export const usersJourney: Journey = {
  name: 'users',
  title: 'users and roles: search as you type, add, edit and delete a user and a role (checked through the API); axe in English and French',
  async run(t, w) {
    // A token of its own: an earlier journey may have moved the clock past the shared one's idle time.
    const admin = (await w.api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json.token as string;
    const base = w.cloud.rt.httpUrl;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.click('nav.menu >> text=Users');
    await page.waitForURL(/\/console\/users$/);
    await axeClean(t, w, page, 'the users list (en)');

    // Search as you type: the region changes without a new page.
    await page.focus('#q');
    await page.keyboard.type('nobody');
    await page.waitForSelector('#user-results table', { state: 'detached' });
    t.equal(await page.textContent('#user-results p'), '0 users', 'nobody matches');
    await page.fill('#q', '');
    await page.keyboard.type('adm');
    await page.waitForSelector('#user-results table');
    t.same(await page.locator('#user-results tbody td:nth-child(2)').allTextContents(), ['admin']);

    // Add a user.
    await page.click('text=Add a user');
    await page.waitForURL(/\/console\/users\/new$/);
    await axeClean(t, w, page, 'the user form (en)');
    await page.fill('#firstName', 'Jules');
    await page.fill('#lastName', 'Janvier');
    await page.fill('#username', 'jules');
    await page.fill('#email', 'jules@example.com');
    await page.selectOption('#language', 'fr');
    await page.selectOption('#role', 'operator');
    await page.selectOption('#accessLevel', 'location:main');
    await submit(page, /\/console\/users\/[^/?]+\?done=created$/);
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The user was added.');
    const found = (await w.api('GET', '/users?q=jules', undefined, admin)).json.users as Array<Record<string, unknown>>;
    t.match(found, [{ username: 'jules', firstName: 'Jules', lastName: 'Janvier', email: 'jules@example.com', language: 'fr', role: 'operator', accessLevel: { kind: 'location', id: 'main' } }], 'added, as the API says');
    const id = String(found[0]!['id']);

    // Edit: a new last name, disabled.
    await page.fill('#lastName', 'Février');
    await page.check('#disabled');
    await submit(page, /\?done=saved$/);
    t.match((await w.api('GET', `/users/${id}`, undefined, admin)).json.user, { lastName: 'Février', disabled: true }, 'edited, as the API says');
    t.match(await page.textContent('main .tags'), /Disabled/, 'the state in words');

    // Delete, behind its disclosure.
    await confirm(page, 'Delete this user', 'Delete the user', /\/console\/users\?done=deleted$/);
    t.equal((await w.api('GET', `/users/${id}`, undefined, admin)).status, 404, 'deleted, as the API says');

    // Roles: add one with two permissions, change it, delete it.
    await page.click('nav.menu >> text=Roles');
    await page.waitForURL(/\/console\/roles$/);
    await axeClean(t, w, page, 'the roles list (en)');
    await page.click('text=Add a role');
    await page.waitForURL(/\/console\/roles\/new$/);
    await axeClean(t, w, page, 'the role form (en)');
    await page.fill('#name', 'Night desk');
    await page.check('label:has-text("Open a locker door remotely")');
    await page.check('label:has-text("See banks and lockers")');
    await submit(page, /\/console\/roles\/[^/?]+\?done=created$/);
    const roleId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    t.match((await w.api('GET', `/roles/${roleId}`, undefined, admin)).json.role, { name: 'Night desk', permissions: ['lockers.view', 'lockers.open'] }, 'made, as the API says');
    await page.fill('#name', 'Late desk');
    await page.uncheck('label:has-text("Open a locker door remotely")');
    await submit(page, /\?done=saved$/);
    t.match((await w.api('GET', `/roles/${roleId}`, undefined, admin)).json.role, { name: 'Late desk', permissions: ['lockers.view'] }, 'changed, as the API says');
    await confirm(page, 'Delete this role', 'Delete the role', /\/console\/roles\?done=deleted$/);
    t.equal((await w.api('GET', `/roles/${roleId}`, undefined, admin)).status, 404, 'deleted, as the API says');

    // In French: the same four pages.
    await Promise.all([page.waitForURL(/\/console\/roles/), page.click('header button:has-text("Français")')]);
    t.equal(await page.getAttribute('html', 'lang'), 'fr');
    t.match(await page.textContent('main'), /Voir et modifier les rôles/, 'the permissions in French');
    await axeClean(t, w, page, 'the roles list (fr)');
    await page.goto(`${base}/console/roles/new`);
    await axeClean(t, w, page, 'the role form (fr)');
    await page.goto(`${base}/console/users`);
    t.equal(await page.textContent('h1'), 'Utilisateurs');
    await axeClean(t, w, page, 'the users list (fr)');
    await page.goto(`${base}/console/users/new`);
    await axeClean(t, w, page, 'the user form (fr)');
    await Promise.all([page.waitForURL(/\/console\/users\/new/), page.click('header button:has-text("English")')]);
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'back in English for what follows');
    t.same(w.errors(page), [], 'no refused script or style, no failed request');
  },
};
