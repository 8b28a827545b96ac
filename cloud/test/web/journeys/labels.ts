// Labels in the browser: two lockers of the lobby load from the rear; new shelf barcodes generated for them through
// the page (checked through the API), every barcode of the printable shelf labels read back from the rendered page
// and equal to the API's, the locker labels with number and position, the print view; axe on the screen and both
// sheets in English and in French. The lockers load from the front again at the end.
import { decodePng } from '../../http/barcode-decode.ts';
import { ADMIN_PASSWORD } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean } from './steps.ts';

const REAR = [11, 12];

export const labelsJourney: Journey = {
  name: 'labels',
  title: 'labels: new shelf barcodes (checked through the API), the shelf labels decoded from the page, locker labels with their position; axe in English and French',
  async run(t, w) {
    const admin = await w.adminToken();
    const base = w.cloud.rt.httpUrl;
    for (const n of REAR) t.equal((await w.api('PATCH', `/banks/lobby/lockers/${n}`, { loading: 'rear' }, admin)).status, 200, `locker ${n} loads from the rear`);
    const barcodes = async () => {
      const lockers = (await w.api('GET', '/banks/lobby/lockers', undefined, admin)).json.lockers as Array<{ locker: { number: number; shelfBarcode?: string } }>;
      return Object.fromEntries(lockers.filter((l) => REAR.includes(l.locker.number)).map((l) => [String(l.locker.number), l.locker.shelfBarcode!]));
    };
    const before = await barcodes();

    // A wider picture than the screen's, as a printer's: every bar of a Code 128 several pixels wide.
    const context = await w.browser.newContext({ locale: 'en-GB', deviceScaleFactor: 2 });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await w.signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/console/settings`);
    await Promise.all([page.waitForURL(/\/console\/labels$/), page.click('main a:text("Labels")')]);
    await page.selectOption('#bank', 'lobby');
    await Promise.all([page.waitForURL(/\/console\/labels\?bank=lobby$/), page.click('button:text("Show")')]);
    await axeClean(t, w, page, 'the labels screen (en)');

    // New barcodes for every rear-loading locker, behind the disclosure that says what happens to old labels.
    await page.click('summary:text("Generate new shelf barcodes")');
    await Promise.all([page.waitForURL(/generated=2$/), page.click('button:text("Generate new barcodes")')]);
    t.match(await page.textContent('main [role=status]'), /2 lockers have new shelf barcodes/);
    const held = await barcodes();
    for (const n of REAR) t.not(held[n], before[n], `locker ${n}: a new barcode, as the API says`);

    // The shelf labels: each barcode read from the page is the locker's, as the API holds it.
    await Promise.all([page.waitForURL(/\/console\/labels\/lobby\/shelves$/), page.click('a:text("Printable shelf labels")')]);
    await axeClean(t, w, page, 'the shelf labels (en)');
    const labels = page.locator('li.shelf-label');
    t.equal(await labels.count(), 2, 'one label per rear shelf');
    const read: Record<string, string> = {};
    for (let i = 0; i < 2; i++) {
      const label = labels.nth(i);
      const n = (await label.getAttribute('data-locker'))!;
      const decoded = decodePng(await label.locator('img.barcode').screenshot());
      t.equal(decoded.format, 'code128');
      read[n] = decoded.text;
      t.match(await label.textContent(), new RegExp(`Main building – Lobby\\s*Locker ${n}`), 'the bank and the locker named');
    }
    t.same(read, held, 'every barcode printed is the one the API holds');
    await page.emulateMedia({ media: 'print' });
    t.notOk(await page.isVisible('nav.menu'), 'printed: no menu');
    t.ok(await page.isVisible('li.shelf-label img.barcode >> nth=1'), 'printed: the labels');
    await page.emulateMedia({ media: 'screen' });

    // The locker labels: every door with its number and position.
    await page.goto(`${base}/console/labels?bank=lobby`);
    await Promise.all([page.waitForURL(/\/console\/labels\/lobby\/lockers$/), page.click('a:text("Printable locker labels")')]);
    await axeClean(t, w, page, 'the locker labels (en)');
    t.equal(await page.locator('li.locker-label').count(), 12, 'one label per locker');
    t.match(await page.textContent('li.locker-label[data-locker="12"]'), /Main building – Lobby\s*Locker 12\s*Column 2\s*Door 6\s*0 cm to 49 cm from the floor\s*Rear-loading\s*Size L/, 'number and position in words');

    // In French: the screen and both sheets.
    await Promise.all([page.waitForURL(/\/lockers/), page.click('header button:has-text("Français")')]);
    t.equal(await page.getAttribute('html', 'lang'), 'fr');
    await axeClean(t, w, page, 'the locker labels (fr)');
    await page.goto(`${base}/console/labels/lobby/shelves`);
    await axeClean(t, w, page, 'the shelf labels (fr)');
    await page.goto(`${base}/console/labels?bank=lobby`);
    t.equal(await page.textContent('h1'), 'Étiquettes');
    await axeClean(t, w, page, 'the labels screen (fr)');
    await Promise.all([page.waitForURL(/\/console\/labels/), page.click('header button:has-text("English")')]);
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'back in English for what follows');
    for (const n of REAR) t.equal((await w.api('PATCH', `/banks/lobby/lockers/${n}`, { loading: 'front' }, admin)).status, 200, `locker ${n} loads from the front again`);
    t.same(errors, [], 'no refused script or style, no failed request');
  },
};
