// The console's labels screen (inject): a bank's rear shelves and their barcodes as the API holds them, new barcodes
// generated for every rear-loading locker or the ones chosen (checked through the API), the API's refusal shown, the
// shelf labels' images the API's own, the locker labels with number and position, and who may open the screen.
import t from 'tap';
import { consoleApp, PASSWORD, type ConsoleApp } from './helpers.ts';


let a: ConsoleApp;
let admin: string;

/** The shelf barcode of each rear-loading locker of the lobby, as the API holds them. */
async function barcodes(): Promise<Record<number, string>> {
  const lockers = (await a.api('GET', '/banks/lobby/lockers')).json['lockers'] as Array<{ locker: { number: number; loading: string; shelfBarcode?: string } }>;
  return Object.fromEntries(lockers.filter((l) => l.locker.loading === 'rear').map((l) => [l.locker.number, l.locker.shelfBarcode!]));
}

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  // Lockers 5 and 6 (column 2) load from the rear: the API gives each a shelf barcode.
  for (const n of [5, 6]) await a.api('PATCH', `/banks/lobby/lockers/${n}`, { loading: 'rear' });
  await a.api('POST', '/users', { username: 'op', password: PASSWORD, role: 'operator' });
});

t.test("a bank's rear shelves with their barcodes, and the ways to its sheets", async (t) => {
  const page = await a.request(admin, 'GET', '/console/labels?bank=lobby');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>Labels – /);
  t.match(page.body, /<option value="lobby" selected>Main – Lobby<\/option>/, 'the bank picked, named with its location');
  const held = await barcodes();
  t.same(Object.keys(held), ['5', '6']);
  for (const [n, code] of Object.entries(held)) t.match(page.body, new RegExp(`<tr><th scope="row">${n}</th><td>Column 2 · Door \\d · [^<]+</td><td><code>${code}</code></td></tr>`), `locker ${n}`);
  t.match(page.body, /href="\/console\/labels\/lobby\/shelves"/);
  t.match(page.body, /href="\/console\/labels\/lobby\/lockers"/);
  const annex = await a.request(admin, 'GET', '/console/labels?bank=annex');
  t.match(annex.body, /This bank has no rear-loading locker\./);
  t.notMatch(annex.body, /\/console\/labels\/annex\/shelves/);
});

t.test('new barcodes: for every rear-loading locker, then for the one chosen; the API refuses a front-loading one', async (t) => {
  const before = await barcodes();
  const all = await a.request(admin, 'POST', '/console/labels/lobby/shelf-barcodes');
  t.equal(all.statusCode, 303);
  t.equal(all.headers.location, '/console/labels?bank=lobby&generated=2');
  const after = await barcodes();
  t.not(after[5], before[5], 'locker 5 has a new one');
  t.not(after[6], before[6], 'locker 6 has a new one');
  t.match((await a.request(admin, 'GET', String(all.headers.location))).body, /role="status"><p>2 lockers have new shelf barcodes/);

  const one = await a.request(admin, 'POST', '/console/labels/lobby/shelf-barcodes', { numbers: '6' });
  t.equal(one.headers.location, '/console/labels?bank=lobby&generated=1');
  const last = await barcodes();
  t.equal(last[5], after[5], 'locker 5 kept its barcode');
  t.not(last[6], after[6], 'locker 6 has a new one');

  const front = await a.request(admin, 'POST', '/console/labels/lobby/shelf-barcodes', { numbers: '1' });
  t.equal(front.statusCode, 422);
  t.match(front.body, /class="notice bad" role="alert"><p>[^<]*front-loading/, "the API's reason");
  t.same(await barcodes(), last, 'nothing changed');
});

t.test("the shelf labels: one per rear shelf, each image the API's own drawing of its barcode", async (t) => {
  const held = await barcodes();
  const sheet = await a.request(admin, 'GET', '/console/labels/lobby/shelves');
  t.equal(sheet.statusCode, 200);
  t.match(sheet.body, /<title>Shelf labels of Main – Lobby – /);
  const labels = [...sheet.body.matchAll(/<li class="label shelf-label" data-locker="(\d+)">[\s\S]*?<img class="barcode" src="data:image\/svg\+xml;base64,([^"]+)" alt="([^"]+)">\s*<p class="label-text"><code>([^<]+)<\/code>/g)];
  t.same(labels.map((l) => Number(l[1])), [5, 6]);
  for (const [, n, b64, alt, text] of labels) {
    t.equal(text, held[Number(n)], `locker ${n!}: its barcode in words`);
    t.equal(alt, `Barcode ${held[Number(n)]!} of the shelf of locker ${n!}`);
    t.equal(Buffer.from(b64!, 'base64').toString('utf8'), (await a.api('GET', `/banks/lobby/lockers/${n!}/barcode.svg`)).body, `locker ${n!}: the API's image`);
  }
  t.match(sheet.body, /<p class="no-print">Print this page with your browser/);
});

t.test('the locker labels: number and position of every door', async (t) => {
  const sheet = await a.request(admin, 'GET', '/console/labels/lobby/lockers');
  t.equal(sheet.statusCode, 200);
  const labels = [...sheet.body.matchAll(/<li class="label locker-label" data-locker="(\d+)">[\s\S]*?<\/ul>/g)];
  t.same(labels.map((l) => Number(l[1])), [1, 2, 3, 4, 5, 6, 7, 8], 'every locker, in order');
  t.match(labels[0]![0], /<p class="label-big"><span class="visually-hidden">Locker <\/span>1<\/p>/);
  t.match(labels[0]![0], /<li>Column 1 \(kiosk\)<\/li><li>Door 1<\/li><li>20 cm to 38 cm from the floor<\/li><li>Front-loading<\/li><li>Size S<\/li><\/ul>/, 'below the reach range: not accessible');
  t.match(labels[1]![0], /<li>40 cm to 58 cm from the floor<\/li><li>Front-loading<\/li><li>Size S<\/li><li>Within reach \(accessible\)<\/li><\/ul>/, 'within it: accessible, in words');
  t.match(labels[5]![0], /<li>Column 2<\/li><li>Door 2<\/li><li>40 cm to 58 cm from the floor<\/li><li>Rear-loading<\/li>/);
});

t.test('who may open the screen; anti-forgery', async (t) => {
  const op = await a.cookieOf('op');
  for (const url of ['/console/labels', '/console/labels/lobby/shelves', '/console/labels/lobby/lockers']) t.equal((await a.request(op, 'GET', url)).statusCode, 403, url);
  t.equal((await a.request(op, 'POST', '/console/labels/lobby/shelf-barcodes')).statusCode, 403);
  const before = await barcodes();
  t.equal((await a.request(admin, 'POST', '/console/labels/lobby/shelf-barcodes', {}, { csrf: '' })).statusCode, 403);
  t.same(await barcodes(), before, 'nothing changed without the token');
  t.equal((await a.request(admin, 'GET', '/console/labels/nowhere/lockers')).statusCode, 404);
  t.equal((await a.request(admin, 'GET', '/console/labels/lobby/shelf-barcodes')).headers.location, '/console/labels?bank=lobby', 'the address of the post leads to its page');
  t.notMatch((await a.request(op, 'GET', '/console/settings')).body, /href="\/console\/labels"/, 'not offered to whoever may not open it');
});
