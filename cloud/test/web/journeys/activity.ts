// Activity and reports in the browser: filter the activity by type, bank and a recipient found as you type, export the
// filtered CSV by clicking its link and check its rows against the API, read the reports; axe in English and French.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';

interface Entry {
  at: number;
  type: string;
  bankId?: string;
  lockerNumber?: number;
  recipientId?: string;
}

const key = (e: { time: string; type: string; bankId: string; lockerNumber: string; recipientId: string }) => [e.time, e.type, e.bankId, e.lockerNumber, e.recipientId].join('|');
const fromApi = (a: Entry) => key({ time: new Date(a.at).toISOString(), type: a.type, bankId: a.bankId ?? '', lockerNumber: a.lockerNumber === undefined ? '' : String(a.lockerNumber), recipientId: a.recipientId ?? '' });

export const activityJourney: Journey = {
  name: 'activity',
  title: 'activity and reports: filter by type, bank and recipient, export the filtered CSV and check it against the API, read the occupancy and dwell reports; axe in English and French',
  async run(t, w) {
    // A session of its own: journeys before this one move the clock past the idle time of the world's cached token.
    const admin = (await w.api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json.token as string;
    // A parcel for Bea in the lobby, dropped off and picked up; one for Cy in the annex, dropped off.
    for (const [bankId, contact] of [['lobby', 'bea'], ['annex-bank', 'cy']] as const) {
      const r = await w.api('POST', '/reservations', { bankId, kind: 'package', recipient: { type: 'contact', id: contact }, size: 'M' }, admin);
      t.equal(r.status, 201, `reserved for ${contact}`);
      const d = await w.api('POST', `/reservations/${r.json.reservation.id}/drop-off`, {}, admin);
      t.equal(d.status, 200, `dropped off for ${contact}`);
      if (contact === 'bea') t.equal((await w.api('POST', '/pickups', { bankId, code: d.json.pickupCode }, admin)).status, 200, 'Bea picked it up');
    }

    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(/\/console\/activity/), page.getByRole('link', { name: 'Activity' }).click()]);
    t.same(await w.axe(page), [], 'axe: the activity page in English');

    await page.selectOption('#type', 'drop-off');
    await page.selectOption('#bank', 'lobby');
    await Promise.all([page.waitForURL(/type=drop-off/), page.getByRole('button', { name: 'Show', exact: true }).click()]);
    const shown = await page.locator('#activity-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    const dropOffs = (await w.api('GET', '/activity?type=drop-off&bankId=lobby', undefined, admin)).json.activity as Entry[];
    t.ok(shown.length > 0, 'drop-offs of the lobby are listed');
    t.equal(shown.length, Math.min(50, dropOffs.length), 'as many rows as the API has entries');
    t.ok(shown.every((x) => x === 'drop-off'), 'drop-offs only');
    t.ok((await page.locator('#activity-table tbody td:nth-child(3)').allTextContents()).every((x) => x.startsWith('Lobby')), 'of the lobby only');

    // The recipient, found as you type.
    await page.fill('#rq', 'Brown');
    await page.locator('#recipient-choices input[value=bea]').check();
    await Promise.all([page.waitForURL(/recipient=bea/), page.getByRole('button', { name: 'Show', exact: true }).click()]);
    const beas = (await w.api('GET', '/activity?type=drop-off&bankId=lobby&recipientId=bea', undefined, admin)).json.activity as Entry[];
    t.ok(beas.length > 0);
    t.equal(await page.locator('#activity-table tbody tr').count(), beas.length, "Bea's drop-offs in the lobby, as the API has them");
    t.ok((await page.locator('#activity-table tbody td:nth-child(4)').allTextContents()).every((x) => x === 'Bea Brown'), 'hers only');

    // The export: every entry of the filters, checked against the API's own answer for them.
    await page.selectOption('#type', '');
    await page.locator('#recipient-choices input[value=""]').check();
    await Promise.all([page.waitForURL((u) => !u.search.includes('type=drop-off')), page.getByRole('button', { name: 'Show', exact: true }).click()]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    t.equal(download.suggestedFilename(), 'activity.csv');
    const rows = parse(await readFile((await download.path())!, 'utf8'), { columns: true }) as { time: string; type: string; bankId: string; lockerNumber: string; recipientId: string }[];
    const lobby = (await w.api('GET', '/activity?bankId=lobby&limit=100000', undefined, admin)).json.activity as Entry[];
    t.ok(rows.length > 2, `${rows.length} rows exported`);
    t.same(rows.map(key), lobby.map(fromApi), "the file's rows are the API's entries of the lobby, in order");

    await Promise.all([page.waitForURL(/\/console\/reports/), page.getByRole('link', { name: 'Reports' }).click()]);
    t.ok(await page.locator('table[data-bank=lobby]').isVisible(), "the lobby's occupancy");
    t.match(await page.locator('#dwell tr[data-bank=lobby]').textContent(), 'Lobby', 'its dwell time');
    t.same(await w.axe(page), [], 'axe: the reports page in English');

    await Promise.all([page.waitForURL(/\/console\/reports/), page.getByRole('button', { name: 'Français' }).click()]);
    await page.waitForSelector('html[lang=fr]');
    t.match(await page.locator('h1').textContent(), 'Rapports');
    t.same(await w.axe(page), [], 'axe: the reports page in French');
    await Promise.all([page.waitForURL(/\/console\/activity/), page.getByRole('link', { name: 'Activité' }).click()]);
    t.match(await page.locator('h1').textContent(), 'Activité');
    t.same(await w.axe(page), [], 'axe: the activity page in French');
    // Back to English for the journeys after this one.
    await Promise.all([page.waitForURL(/\/console\/activity/), page.getByRole('button', { name: 'English' }).click()]);
    await page.waitForSelector('html[lang=en]');
    t.same(w.errors(page), [], 'no script, style or request refused');
  },
};
