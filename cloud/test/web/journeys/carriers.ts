// Carriers in the browser: add a carrier, rename it, issue two access codes (each shown once), print the sheet of
// their QR codes and read every QR code back from the rendered page, revoke a code, delete the carrier (each checked
// through the API); axe on the list, a carrier's page (with a code just issued) and the sheet, in English and in French.
import type { Page } from 'playwright-core';
import { decodePng } from '../../http/barcode-decode.ts';
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean } from './steps.ts';

/** The code in clear the page shows once, with its id. */
async function issuedCode(page: Page): Promise<{ id: string; code: string }> {
  const text = (await page.textContent('main .code-once p')) ?? '';
  const m = /New access code (\S+): (\d+)/.exec(text);
  if (!m) throw new Error(`no code shown: ${text}`);
  return { id: m[1]!, code: m[2]! };
}

export const carriersJourney: Journey = {
  name: 'carriers',
  title: 'carriers: add, rename, issue codes shown once, print their QR codes (decoded from the page), revoke, delete (checked through the API); axe in English and French',
  async run(t, w) {
    const admin = await w.adminToken();
    const base = w.cloud.rt.httpUrl;
    const page = await w.page(t);
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/console/settings`);
    await Promise.all([page.waitForURL(/\/console\/carriers$/), page.click('main a:text("Carriers")')]);
    await axeClean(t, w, page, 'the carriers list (en)');

    // Add.
    await page.fill('#name', 'Rapid Parcels');
    await Promise.all([page.waitForURL(/\/console\/carriers\/[^/?]+\?done=created$/), page.click('button:text("Add the carrier")')]);
    t.equal((await page.textContent('main [role=status]'))?.trim(), 'The carrier was added.');
    const carrierId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    t.match((await w.api('GET', `/carriers/${carrierId}`, undefined, admin)).json.carrier, { name: 'Rapid Parcels' }, 'added, as the API says');

    // Rename.
    await page.fill('#name', 'Rapid Parcels Ltd');
    await Promise.all([page.waitForURL(/\?done=saved$/), page.click('button:text("Save the name")')]);
    t.match((await w.api('GET', `/carriers/${carrierId}`, undefined, admin)).json.carrier, { name: 'Rapid Parcels Ltd' }, 'renamed, as the API says');

    // Two codes: six digits for the lobby only, for a month; eight digits for every bank, without end.
    await page.selectOption('#digits', '6');
    await page.check('label:text("Main building – Lobby")');
    await page.fill('#days', '30');
    await Promise.all([page.waitForURL(/\/codes$/), page.click('button:text("Issue the code")')]);
    const first = await issuedCode(page);
    t.match(first.code, /^\d{6}$/, 'six digits, shown once');
    await axeClean(t, w, page, "a carrier's page with a code just issued (en)");
    await page.selectOption('#digits', '8');
    // The same address again: the new answer is told by its new code.
    await page.click('button:text("Issue the code")');
    await page.waitForSelector(`main .code-once:not(:has-text("${first.id}"))`);
    const second = await issuedCode(page);
    t.match(second.code, /^\d{8}$/);
    const codes = (await w.api('GET', `/carriers/${carrierId}/codes`, undefined, admin)).json.carrierCodes as Array<{ id: string; digits: number; bankIds: string[]; expiresAt?: number }>;
    t.match(
      codes.sort((a, b) => a.digits - b.digits),
      [
        { id: first.id, digits: 6, bankIds: ['lobby'] },
        { id: second.id, digits: 8, bankIds: [] },
      ],
      'issued, as the API says',
    );
    t.ok(codes[0]!.expiresAt !== undefined && codes[1]!.expiresAt === undefined, 'one for a month, one without end');

    // The sheet: every QR code read back from the page is a code the API issued, on a label naming carrier and banks.
    await Promise.all([page.waitForURL(/\/sheet$/), page.click('a:text("Printable sheet of QR codes")')]);
    t.equal(await page.textContent('h1'), 'QR codes of Rapid Parcels Ltd');
    await axeClean(t, w, page, 'the sheet of QR codes (en)');
    const labels = page.locator('li.qr-label');
    t.equal(await labels.count(), 2, 'one label per live code');
    const read: Record<string, string> = {};
    for (let i = 0; i < 2; i++) {
      const label = labels.nth(i);
      const id = (await label.getAttribute('data-code-id'))!;
      read[id] = decodePng(await label.locator('img.qr').screenshot()).text;
      t.match(await label.textContent(), /Rapid Parcels Ltd/, 'the carrier named on the label');
    }
    t.same(read, { [first.id]: first.code, [second.id]: second.code }, 'each QR code holds the code the API issued');
    t.match(await labels.nth(0).textContent(), /Opens\s*Main building – Lobby/, 'the banks in words');
    t.match(await labels.nth(1).textContent(), /Opens\s*Every bank/);
    await page.emulateMedia({ media: 'print' });
    t.notOk(await page.isVisible('nav.menu'), 'printed: no menu');
    t.notOk(await page.isVisible('header.top'), 'printed: no header');
    t.ok(await page.isVisible('li.qr-label img.qr >> nth=1'), 'printed: the codes');
    await page.emulateMedia({ media: 'screen' });

    // Revoke the first code, then delete the carrier.
    await Promise.all([page.waitForURL(new RegExp(`/console/carriers/${carrierId}$`)), page.click('a:text("Carrier Rapid Parcels Ltd")')]);
    await page.click(`summary:text("Revoke ${first.id}")`);
    await Promise.all([page.waitForURL(/\?done=revoked$/), page.click(`details:has(summary:text("Revoke ${first.id}")) button`)]);
    const after = (await w.api('GET', `/carriers/${carrierId}/codes`, undefined, admin)).json.carrierCodes as Array<{ id: string; revoked: boolean }>;
    t.same(Object.fromEntries(after.map((c) => [c.id, c.revoked])), { [first.id]: true, [second.id]: false }, 'revoked, as the API says');
    await page.click('summary:text("Delete this carrier")');
    await Promise.all([page.waitForURL(/\/console\/carriers\?done=deleted$/), page.click('button:text("Delete the carrier")')]);
    t.equal((await w.api('GET', `/carriers/${carrierId}`, undefined, admin)).status, 404, 'deleted, as the API says');

    // In French: the list, a carrier's page, a code just issued and the sheet.
    const other = (await w.api('POST', '/carriers', { name: 'Colis Rapides' }, admin)).json.carrier.id as string;
    await Promise.all([page.waitForURL(/\/console\/carriers/), page.click('header button:has-text("Français")')]);
    t.equal(await page.textContent('h1'), 'Transporteurs');
    await axeClean(t, w, page, 'the carriers list (fr)');
    await page.goto(`${base}/console/carriers/${other}`);
    await Promise.all([page.waitForURL(/\/codes$/), page.click('button:text("Créer le code")')]);
    t.match(await page.textContent('main .code-once'), /Nouveau code d’accès/);
    await axeClean(t, w, page, "a carrier's page with a code just issued (fr)");
    await page.goto(`${base}/console/carriers/${other}/sheet`);
    t.equal(await page.locator('li.qr-label').count(), 1);
    await axeClean(t, w, page, 'the sheet of QR codes (fr)');
    await Promise.all([page.waitForURL(/\/sheet/), page.click('header button:has-text("English")')]);
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'back in English for what follows');
    t.equal((await w.api('DELETE', `/carriers/${other}`, undefined, admin)).status, 200, 'the French one removed');
    t.same(w.errors(page), [], 'no refused script or style, no failed request');
  },
};
