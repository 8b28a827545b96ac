// Reservations in the browser: find the accessible recipient Alex Access by typing in the picker, reserve, see the
// accessible locker the service chose and the reservation's timeline; axe on the list, the form and the reservation's
// page in English and French.
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean } from './steps.ts';

export const reservationsJourney: Journey = {
  name: 'reservations',
  title: 'reservations: reserve for the accessible recipient through the search-as-you-type picker, the accessible locker, the timeline; axe in English and French',
  async run(t, w) {
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    const base = w.cloud.rt.httpUrl;
    // A token of its own: a journey before this one may have moved the clock past the idle end of the shared one.
    const token = (await w.api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json.token as string;

    await page.goto(`${base}/console/reservations/new?bank=lobby`);
    await axeClean(t, w, page, 'the new reservation form');
    await page.getByRole('radio', { name: 'Package' }).check();
    await page.getByLabel('Parcel size').selectOption('M');
    await page.getByLabel('Tracking ID').fill('ADA-7');
    await page.getByLabel('Find the recipient').pressSequentially('Ale');
    const alex = page.getByRole('radio', { name: /Alex Access/ });
    await alex.waitFor({ timeout: 5000 });
    t.match(await page.locator('#recipient-results').innerText(), /Alex Access[\s\S]*Needs an accessible locker/, 'the match says Alex needs an accessible locker');
    t.notMatch(await page.locator('#recipient-results').innerText(), /Bea Brown/, 'only the people who match');
    await alex.check();
    await Promise.all([page.waitForURL(/\/console\/reservations\/new$/), page.getByRole('button', { name: 'Reserve' }).click()]);

    const notice = await page.getByRole('status').first().innerText();
    const m = /Reserved\. Locker (\d+): accessible/.exec(notice);
    t.ok(m, `the page says the locker is accessible (${notice})`);
    const list = await w.api('GET', '/reservations?bankId=lobby&q=ADA-7', undefined, token);
    const r = list.json.reservations[0];
    t.match(r, { recipient: { type: 'contact', id: 'alex' }, lockerNumber: Number(m?.[1]) }, 'the API has the reservation for Alex in that locker');
    const locker = await w.api('GET', `/banks/lobby/lockers/${r.lockerNumber}`, undefined, token);
    t.equal(locker.json.accessible, true, 'an accessible locker, by the API');
    t.match(await page.locator('ol.timeline').innerText(), /Reserved \(ADA-7 · by admin\)/, 'the timeline starts with the reservation');

    await page.goto(`${base}/console/reservations/${r.id}`);
    await axeClean(t, w, page, "the reservation's page");
    await page.goto(`${base}/console/reservations`);
    await page.getByLabel('Search').pressSequentially('ADA');
    await page.locator('#results').getByText('1 reservation').waitFor({ timeout: 5000 });
    t.match(await page.locator('#results').innerText(), /Alex Access/, 'the list searched as you type');
    await axeClean(t, w, page, 'the list');

    await Promise.all([page.waitForURL(/\/console\/reservations/), page.getByRole('button', { name: 'Français' }).click()]);
    await page.getByRole('heading', { level: 1, name: 'Réservations' }).waitFor();
    await axeClean(t, w, page, 'la liste');
    await page.goto(`${base}/console/reservations/new?bank=lobby`);
    await axeClean(t, w, page, 'le formulaire');
    await page.goto(`${base}/console/reservations/${r.id}`);
    t.match(await page.locator('ol.timeline').innerText(), /Réservé/, 'the timeline in French');
    await axeClean(t, w, page, 'la réservation');
    // Back to English for the journeys after this one.
    await Promise.all([page.waitForURL(/\/console\/reservations\//), page.getByRole('button', { name: 'English' }).click()]);
    await page.getByRole('heading', { level: 2, name: 'Timeline' }).waitFor();
    t.same(w.errors(page), [], 'no script or style refused, no failed request');
  },
};
