// The organisation in the browser: a division, a location (every postal field and a custom reach range), a bank, a
// column and a locker each added, edited and deleted through the pages and checked through the API; two locations
// imported from a CSV file through the page's upload with its report, and the export downloaded; axe on the tree, a
// location form, a bank page and a locker form in English and in French.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean } from './steps.ts';

const HEADER = 'DivisionID,LocationID,Name,Company,Phone,AddressLine1,AddressLine2,AddressLine3,CityTownArea,StateProvinceRegion,CountryCode,PostalCode';

/** Submits the page's main form and waits for the page it leads to. */
async function submit(page: Page, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.click('main form[novalidate] button[type=submit][value=save]:not([hidden]), main form[novalidate] button[type=submit]:not([value])')]);
}

/** Opens the delete disclosure and confirms it. */
async function confirmDelete(page: Page, summary: string, url: RegExp): Promise<void> {
  await page.click(`summary:has-text("${summary}")`);
  await Promise.all([page.waitForURL(url), page.click('details[open] button.danger')]);
}

/** The id at the end of the page's path. */
const lastId = (page: Page) => decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);

export const organisationJourney: Journey = {
  name: 'organisation',
  title: 'organisation: a division, a location (and a CSV import and export), a bank, a column and a locker added, edited and deleted (checked through the API); axe in English and French',
  async run(t, w) {
    const admin = (await w.api('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).json.token as string;
    const get = async (path: string) => (await w.api('GET', path, undefined, admin)).json;
    const status = async (path: string) => (await w.api('GET', path, undefined, admin)).status;
    const base = w.cloud.rt.httpUrl;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.click('nav.menu >> text=Set-up');
    await page.click('main a:text-is("Organisation")');
    await page.waitForURL(/\/console\/organisation$/);
    t.same(await page.locator('.org-tree a').allTextContents(), ['HQ', 'Main building', 'Lobby', 'Annex', 'Annex entrance'], 'divisions > locations > banks');
    await axeClean(t, w, page, 'the tree (en)');

    // A division: added and renamed.
    // The page before has a name field too: the new form's is filled once it is there.
    await Promise.all([page.waitForURL(/\/divisions\/new/), page.click('text=Add a division')]);
    await page.fill('#name', 'East');
    await submit(page, /\/divisions\/[^/?]+\?done=added$/);
    const divisionId = lastId(page);
    t.match((await get(`/divisions/${divisionId}`)).division, { name: 'East' }, 'added, as the API says');
    await page.fill('#name', 'East wing');
    await submit(page, /\?done=saved$/);
    t.match((await get(`/divisions/${divisionId}`)).division, { name: 'East wing' }, 'renamed');

    // A location in it: every postal field and a custom reach range; then edited.
    await page.click('text=Add a location');
    await page.waitForURL(/\/locations\/new\?division=/);
    await axeClean(t, w, page, 'the location form (en)');
    const fields: Record<string, string> = { name: 'Dock', company: 'Acme', phone: '5550100', addressLine1: '1 Quay', addressLine2: 'Gate 3', addressLine3: 'Bay 2', city: 'Nantes', stateProvince: 'Pays de la Loire', countryCode: 'FR', postalCode: '44000' };
    for (const [k, v] of Object.entries(fields)) await page.fill(`#${k}`, v);
    await page.selectOption('#preset', 'custom');
    await page.fill('#minCm', '40');
    await page.fill('#maxCm', '115');
    await submit(page, /\/locations\/[^/?]+\?done=added$/);
    const locationId = lastId(page);
    t.match((await get(`/locations/${locationId}`)).location, { ...fields, divisionId, reach: { preset: 'custom', minCm: 40, maxCm: 115 } }, 'added, as the API says');
    await page.fill('#name', 'Dock south');
    await page.fill('#addressLine3', '');
    await page.selectOption('#preset', 'ada-2010');
    await submit(page, /\?done=saved$/);
    const edited = (await get(`/locations/${locationId}`)).location;
    t.match(edited, { name: 'Dock south', reach: { preset: 'ada-2010' } }, 'edited');
    t.equal(edited.addressLine3, undefined, 'the emptied line removed');

    // Two locations imported through the page's upload, the report read; the export downloaded.
    await page.goto(`${base}/console/organisation/locations/import`);
    const csv = `${HEADER}\r\n${divisionId},,Yard,Acme,5550101,2 Quay,,,Nantes,Pays de la Loire,FR,44000\r\n${divisionId},,Shed,Acme,5550102,3 Quay,,,Nantes,Pays de la Loire,FR,44000\r\n`;
    await page.setInputFiles('#file', { name: 'locations.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await Promise.all([page.waitForSelector('#import-report [role=status]'), page.click('form[enctype] button[type=submit]')]);
    t.match(await page.textContent('#import-report'), /Imported 2 rows: 2 added, 0 updated, 0 unchanged\./, 'the report');
    const imported = ((await get(`/locations?divisionId=${divisionId}`)).locations as Array<{ id: string; name: string }>).filter((l) => l.name === 'Yard' || l.name === 'Shed');
    t.equal(imported.length, 2, 'both imported, as the API says');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('main a:text-is("Export divisions and locations")')]);
    const exported = await readFile((await download.path())!, 'utf8');
    t.match(exported, new RegExp(`${divisionId},${locationId},Dock south,Acme,5550100,1 Quay,Gate 3,,Nantes`), 'the export holds the location');
    t.match(exported, /,Yard,Acme/);

    // A bank at the location, renamed.
    await page.goto(`${base}/console/organisation/locations/${locationId}`);
    await Promise.all([page.waitForURL(/\/banks\/new/), page.click('text=Add a bank')]);
    await page.fill('#name', 'Dock bank');
    await submit(page, /\/banks\/[^/?]+\?done=added$/);
    const bankId = lastId(page);
    t.match((await get(`/banks/${bankId}`)).bank, { name: 'Dock bank', locationId }, 'added, as the API says');
    t.ok(await page.isVisible(`a[href="/console/bank-settings?bank=${bankId}"]`), 'the link to its settings');
    await page.fill('#name', 'Dock lockers');
    await Promise.all([page.waitForURL(/\?done=renamed$/), page.click('button:text-is("Rename")')]);
    t.match((await get(`/banks/${bankId}`)).bank, { name: 'Dock lockers' }, 'renamed');

    // A column: added as the kiosk, made plain.
    await page.click('text=Add a column');
    await page.fill('#controllerId', 'dock-ctl-1');
    await page.selectOption('#kind', 'kiosk');
    await submit(page, /\/columns\/[^/?]+\?done=added$/);
    const columnId = lastId(page);
    t.match((await get(`/columns/${columnId}`)).column, { bankId, position: 1, kind: 'kiosk', controllerId: 'dock-ctl-1' }, 'added, as the API says');
    await page.selectOption('#kind', 'plain');
    await submit(page, /\?done=saved$/);
    t.match((await get(`/columns/${columnId}`)).column, { kind: 'plain' }, 'edited');

    // A locker: added within the reach range, then made larger, rear-loading and dedicated to a contact.
    await page.click(`a:has-text("Bank Dock lockers")`);
    await page.click('text=Add a locker');
    await page.waitForURL(/\/lockers\/new$/);
    await page.selectOption('#size', 'S');
    await page.fill('#bottomCm', '50');
    await page.fill('#topCm', '70');
    await axeClean(t, w, page, 'the locker form (en)');
    await submit(page, /\/lockers\/1\?done=added$/);
    t.match(await get(`/banks/${bankId}/lockers/1`), { locker: { columnId, door: 1, size: 'S', bottomCm: 50, topCm: 70, loading: 'front' }, accessible: true }, 'added, as the API says');
    t.match(await page.textContent('main dl.facts'), /Accessible\s*✓ Accessible/, 'accessible, as the API judges');
    await page.selectOption('#size', 'L');
    await page.fill('#topCm', '130');
    await page.check('#loading-rear');
    await page.fill('#shelfBarcode', 'DOCK-SHELF-1');
    await page.focus('#q');
    await page.keyboard.type('Bea');
    await page.check('label:has-text("Bea Brown")');
    await submit(page, /\/lockers\/1\?done=saved$/);
    t.match((await get(`/banks/${bankId}/lockers/1`)).locker, { size: 'L', bottomCm: 50, topCm: 130, loading: 'rear', shelfBarcode: 'DOCK-SHELF-1', dedicatedTo: { type: 'contact', id: 'bea' } }, 'edited, as the API says');
    t.match(await page.textContent('main dl.facts'), /✗ Not accessible/, 'beyond the ADA range now');
    await page.click(`a:has-text("Bank Dock lockers")`);
    await axeClean(t, w, page, 'the bank page (en)');
    t.match(await page.textContent('main table:has(caption:text("Lockers of the bank")) tbody'), /Bea Brown/, 'the dedication by name');

    // Everything deleted again, from the locker up; the imported locations through the API.
    await page.click('a:text-is("Locker 1")');
    await confirmDelete(page, 'Delete this locker', /\/banks\/[^/]+\?done=deleted$/);
    t.equal(await status(`/banks/${bankId}/lockers/1`), 404, 'the locker is deleted');
    await page.click('main a:text-is("Column 1")');
    await confirmDelete(page, 'Delete this column', /\/banks\/[^/]+\?done=deleted$/);
    t.equal(await status(`/columns/${columnId}`), 404, 'the column is deleted');
    await confirmDelete(page, 'Delete this bank', /\/locations\/[^/]+\?done=deleted$/);
    t.equal(await status(`/banks/${bankId}`), 404, 'the bank is deleted');
    await confirmDelete(page, 'Delete this location', /\/organisation\?done=deleted$/);
    t.equal(await status(`/locations/${locationId}`), 404, 'the location is deleted');
    for (const l of imported) await w.api('DELETE', `/locations/${l.id}`, undefined, admin);
    await page.click(`.org-tree a:text-is("East wing")`);
    await confirmDelete(page, 'Delete this division', /\/organisation\?done=deleted$/);
    t.equal(await status(`/divisions/${divisionId}`), 404, 'the division is deleted');
    t.same(w.errors(page), [], 'no refused script or style, no failed request');

    // In French: the tree, a location form, a bank page and a locker form.
    await Promise.all([page.waitForURL(/\/console\/organisation/), page.click('header button:has-text("Français")')]);
    try {
      await page.waitForSelector('html[lang=fr]');
      await axeClean(t, w, page, 'the tree (fr)');
      await page.goto(`${base}/console/organisation/locations/main`);
      t.match(await page.textContent('main'), /Zone d’atteinte/);
      await axeClean(t, w, page, 'the location form (fr)');
      await page.goto(`${base}/console/organisation/banks/lobby`);
      await axeClean(t, w, page, 'the bank page (fr)');
      await page.goto(`${base}/console/organisation/banks/lobby/lockers/1`);
      await axeClean(t, w, page, 'the locker form (fr)');
      t.same(w.errors(page), [], 'nor in French');
    } finally {
      await w.api('PATCH', '/auth/me', { language: 'en' }, admin);
    }
  },
};
