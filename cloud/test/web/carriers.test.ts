// The console's carriers screen as forms and pages (inject): carriers added, renamed and deleted (checked through the
// API), the API's refusals shown at their field, access codes issued (the digits shown in that answer only), revoked,
// and printed on a sheet whose QR images are the API's own; who may see and do what.
import t from 'tap';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';


let a: ConsoleApp;
let admin: string;

const codesOf = async (carrierId: string) => (await a.api('GET', `/carriers/${carrierId}/codes`)).json['carrierCodes'] as Json[];

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  const desk = await a.api('POST', '/roles', { name: 'Carrier desk', permissions: ['carriers'] });
  await a.api('POST', '/users', { username: 'desk', password: PASSWORD, role: (desk.json['role'] as Json)['id'] });
  await a.api('POST', '/users', { username: 'op', password: PASSWORD, role: 'operator' });
  await a.api('POST', '/users', { username: 'rec', password: PASSWORD, role: 'recipient' });
});

t.test('add, rename and delete a carrier: each checked through the API', async (t) => {
  const list = await a.request(admin, 'GET', '/console/carriers');
  t.equal(list.statusCode, 200);
  t.match(list.body, /<title>Carriers – /);
  t.match(list.body, /No carrier yet\./);
  t.match(list.body, /<form method="post" action="\/console\/carriers\/new"/, 'the add form');

  const add = await a.request(admin, 'POST', '/console/carriers/new', { name: ' Parcel Express ' });
  t.equal(add.statusCode, 303);
  t.match(add.headers.location, /^\/console\/carriers\/[^/?]+\?done=created$/);
  const id = String(add.headers.location).split('/')[3]!.split('?')[0]!;
  t.match((await a.api('GET', `/carriers/${id}`)).json['carrier'], { name: 'Parcel Express' });
  const shown = await a.request(admin, 'GET', String(add.headers.location));
  t.match(shown.body, /role="status"><p>The carrier was added\./);
  t.match(shown.body, /id="name" name="name" value="Parcel Express"/);

  const listed = await a.request(admin, 'GET', '/console/carriers');
  t.match(listed.body, /<th scope="row"><a href="\/console\/carriers\/[^"]+">Parcel Express<\/a><\/th><td>[^<]+<\/td><td class="num">0<\/td>/, 'listed with its live codes');

  const rename = await a.request(admin, 'POST', `/console/carriers/${id}`, { name: 'Parcel Express Ltd' });
  t.equal(rename.statusCode, 303);
  t.match((await a.api('GET', `/carriers/${id}`)).json['carrier'], { name: 'Parcel Express Ltd' });

  const empty = await a.request(admin, 'POST', `/console/carriers/${id}`, { name: '' });
  t.equal(empty.statusCode, 400, "the API's refusal");
  t.match(empty.body, /class="errors" role="alert"/);
  t.match(empty.body, /<a href="#name">Enter a name of 1 to 200 characters\.<\/a>/, 'the summary links to the field, saying what is allowed');
  t.match(empty.body, /id="name-error">Enter a name of 1 to 200 characters\.<\/p><input type="text" id="name" name="name" value=""[^>]*aria-invalid="true"/);
  t.match((await a.api('GET', `/carriers/${id}`)).json['carrier'], { name: 'Parcel Express Ltd' }, 'unchanged');

  const del = await a.request(admin, 'POST', `/console/carriers/${id}/delete`);
  t.equal(del.statusCode, 303);
  t.equal(del.headers.location, '/console/carriers?done=deleted');
  t.equal((await a.api('GET', `/carriers/${id}`)).status, 404, 'deleted, as the API says');
});

t.test("a carrier with a login cannot be deleted: the API's reason is shown", async (t) => {
  const c = (await a.api('POST', '/carriers', { name: 'Held' })).json['carrier'] as Json;
  await a.api('POST', '/users', { username: 'driver', password: PASSWORD, role: 'carrier', carrierId: c['id'] });
  const del = await a.request(admin, 'POST', `/console/carriers/${String(c['id'])}/delete`);
  t.equal(del.statusCode, 409);
  t.match(del.body, /class="notice bad" role="alert"><p>[^<]*login/);
  t.equal((await a.api('GET', `/carriers/${String(c['id'])}`)).status, 200, 'still there');
});

t.test('issue a code: its digits in that answer only; revoke it; the sheet prints the live ones with the API’s images', async (t) => {
  const c = (await a.api('POST', '/carriers', { name: 'Swift Post' })).json['carrier'] as Json;
  const id = String(c['id']);
  const path = `/console/carriers/${id}`;
  const page = await a.request(admin, 'GET', path);
  t.match(page.body, /This carrier has no access code yet\./);
  t.match(page.body, /<select id="digits" name="digits"[^>]*>(<option value="\d+"( selected)?>\d+<\/option>){5}<\/select>/, 'lengths from 6 to 10');
  t.match(page.body, /<option value="8" selected>8<\/option>/, "the API's default length");

  const before = Date.now();
  const issued = await a.request(admin, 'POST', `${path}/codes`, { digits: '6', bankIds: 'lobby', days: '30' });
  t.equal(issued.statusCode, 200, 'the page itself, not a redirect: the code is in no address');
  t.equal(issued.headers['cache-control'], 'no-store');
  const m = /New access code <code>([^<]+)<\/code>: <strong class="code">(\d+)<\/strong>/.exec(issued.body);
  t.ok(m, 'the code shown');
  const [, codeId, digits] = m!;
  t.equal(digits!.length, 6);
  const codes = await codesOf(id);
  t.match(codes, [{ id: codeId, digits: 6, bankIds: ['lobby'], revoked: false }], 'issued, as the API says');
  t.ok(Number(codes[0]!['expiresAt']) >= before + 30 * 86_400_000 && Number(codes[0]!['expiresAt']) <= Date.now() + 30 * 86_400_000, 'for thirty days');
  t.match(issued.body, new RegExp(`href="${path}/sheet\\?code=${codeId}"`), 'a way to print just this one');

  const again = await a.request(admin, 'GET', path);
  t.notMatch(again.body, /class="code"/, 'no code shown again');
  t.notMatch(again.body, new RegExp(`[>:"\\s]${digits!}[<"\\s]`), 'the digits are never shown again');
  t.match(again.body, new RegExp(`<code>${codeId}</code></th><td class="num">6</td><td>Main – Lobby</td><td>[^<]+</td><td><span class="tag">Live</span>`), 'listed with its banks by name');

  // A second code for every bank, then the sheet of both: each image is the API's own QR image of the code.
  const second = await a.request(admin, 'POST', `${path}/codes`, { digits: '8', days: '' });
  const secondId = /New access code <code>([^<]+)<\/code>/.exec(second.body)![1]!;
  const sheet = await a.request(admin, 'GET', `${path}/sheet`);
  t.equal(sheet.statusCode, 200);
  t.match(sheet.body, /<title>QR codes of Swift Post – /);
  const images = [...sheet.body.matchAll(/<li class="label qr-label" data-code-id="([^"]+)">[\s\S]*?<img class="qr" src="data:image\/svg\+xml;base64,([^"]+)" alt="([^"]+)">/g)];
  t.same(images.map((x) => x[1]).sort(), [codeId, secondId].sort(), 'one label per live code');
  for (const [, cid, b64, alt] of images) {
    t.equal(Buffer.from(b64!, 'base64').toString('utf8'), (await a.api('GET', `/carrier-codes/${cid!}/qr.svg`)).body, `the API's image of ${cid!}`);
    t.equal(alt, `QR code of access code ${cid!} of Swift Post`, 'named in words, never by its digits');
  }
  t.notMatch(sheet.body, new RegExp(`>${digits!}<`), 'no digits in words');
  t.match(sheet.body, /<dt>Opens<\/dt><dd>Every bank<\/dd>/);
  t.match(sheet.body, /<dt>Opens<\/dt><dd>Main – Lobby<\/dd>/);
  const printed = (await a.service.store.queryActivity({ limit: 1000 })).items.filter((x) => /QR code of carrier code .* printed/.test(x.detail ?? ''));
  t.ok(printed.length >= 2, 'each print is in the activity');
  const one = await a.request(admin, 'GET', `${path}/sheet?code=${secondId}`);
  t.equal([...one.body.matchAll(/<li class="label qr-label"/g)].length, 1, 'only the code asked for');
  t.match(one.body, /Show every live code/);

  const revoke = await a.request(admin, 'POST', `${path}/codes/${codeId}/revoke`);
  t.equal(revoke.statusCode, 303);
  const states = Object.fromEntries((await codesOf(id)).map((c) => [String(c['id']), c['revoked']]));
  t.same(states, { [codeId!]: true, [secondId]: false }, 'revoked, as the API says');
  t.match((await a.request(admin, 'GET', String(revoke.headers.location))).body, new RegExp(`<code>${codeId}</code>[\\s\\S]*?<span class="tag bad">Revoked</span>`), 'revoked, in words');
  const after = await a.request(admin, 'GET', `${path}/sheet`);
  t.same([...after.body.matchAll(/data-code-id="([^"]+)"/g)].map((x) => x[1]), [secondId], 'a revoked code is not printed');
});

t.test('a code kept only as a hash (issued by an older release) is listed on the sheet as not printable, with why', async (t) => {
  const c = (await a.api('POST', '/carriers', { name: 'Old Post' })).json['carrier'] as Json;
  const path = `/console/carriers/${String(c['id'])}`;
  const issued = await a.request(admin, 'POST', `${path}/codes`, { digits: '8' });
  const id = /New access code <code>([^<]+)<\/code>/.exec(issued.body)![1]!;
  const cc = a.service.store.get('carrierCodes', id)!;
  await a.service.store.commit({ put: [{ c: 'carrierCodes', key: id, value: { ...cc, code: { hash: 'x'.repeat(43), params: a.service.store.get('banks', 'lobby')!.credentialHash } } }] });
  const sheet = await a.request(admin, 'GET', `${path}/sheet`);
  t.equal(sheet.statusCode, 200);
  t.notMatch(sheet.body, /<img class="qr"/, 'no image');
  t.match(sheet.body, new RegExp(`data-code-id="${id}">[\\s\\S]*?<p class="field-error">Not printable: <span lang="en">[^<]*older release[^<]*issue a new code`), "the API's reason");
});

t.test("issuing: a bad number of days at its field in the page's words; the API's refusal at its field", async (t) => {
  const c = (await a.api('POST', '/carriers', { name: 'Refused' })).json['carrier'] as Json;
  const path = `/console/carriers/${String(c['id'])}`;
  const days = await a.request(admin, 'POST', `${path}/codes`, { digits: '8', days: 'soon' });
  t.equal(days.statusCode, 400);
  t.match(days.body, /<a href="#days">Enter a whole number of days/);
  t.match(days.body, /id="days-error">Enter a whole number of days[^<]*<\/p><input type="text" id="days" name="days" value="soon"[^>]*aria-invalid="true"/);
  const fr = await a.cookieOf('op');
  await a.app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${(await a.auth.login('op', PASSWORD, '127.0.0.1')).token}` }, payload: { language: 'fr' } });
  const daysFr = await a.request(fr, 'POST', `${path}/codes`, { digits: '8', days: '0' });
  t.match(daysFr.body, /id="days-error">Saisissez un nombre entier de jours/, "in the page's language, not marked as English");
  const digits = await a.request(admin, 'POST', `${path}/codes`, { digits: '5' });
  t.equal(digits.statusCode, 400);
  t.match(digits.body, /<a href="#digits">/);
  t.match(digits.body, /id="digits-error">[^<]+<\/p><select id="digits" name="digits" aria-describedby="digits-hint digits-error" aria-invalid="true"/);
  const bank = await a.request(admin, 'POST', `${path}/codes`, { digits: '8', bankIds: 'nowhere' });
  t.equal(bank.statusCode, 404);
  t.match(bank.body, /<a href="#bankIds">/);
  t.same(await codesOf(String(c['id'])), [], 'nothing issued');
});

t.test('who may see and do what', async (t) => {
  const c = (await a.api('POST', '/carriers', { name: 'Access Co' })).json['carrier'] as Json;
  const path = `/console/carriers/${String(c['id'])}`;
  // An operator issues codes (carrierCodes) but does not manage carriers.
  const op = await a.cookieOf('op');
  await a.app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${(await a.auth.login('op', PASSWORD, '127.0.0.1')).token}` }, payload: { language: 'en' } });
  const opList = await a.request(op, 'GET', '/console/carriers');
  t.equal(opList.statusCode, 200);
  t.notMatch(opList.body, /action="\/console\/carriers\/new"/, 'no add form');
  const opPage = await a.request(op, 'GET', path);
  t.notMatch(opPage.body, /id="name"/, 'no rename form');
  t.notMatch(opPage.body, /Delete this carrier/);
  t.match(opPage.body, /Issue an access code/);
  t.equal((await a.request(op, 'POST', '/console/carriers/new', { name: 'Sneaky' })).statusCode, 403);
  t.equal((await a.request(op, 'POST', `${path}/delete`)).statusCode, 403);
  // A carrier desk manages carriers, not their codes.
  const desk = await a.cookieOf('desk');
  const deskPage = await a.request(desk, 'GET', path);
  t.equal(deskPage.statusCode, 200);
  const deskCsrf = /name="csrf" value="([^"]+)"/.exec(deskPage.body)![1]!;
  t.match(deskPage.body, /id="name"/);
  t.notMatch(deskPage.body, /Access codes/, 'no codes');
  t.equal((await a.request(desk, 'GET', `${path}/sheet`)).statusCode, 403);
  t.equal((await a.request(desk, 'POST', `${path}/codes`, { digits: '8' }, { csrf: deskCsrf })).statusCode, 403);
  // A recipient has no carriers screen; the set-up page names it only to who may open it.
  const rec = await a.cookieOf('rec');
  t.equal((await a.request(rec, 'GET', '/console/carriers')).statusCode, 403);
  t.match((await a.request(op, 'GET', '/console/settings')).body, /href="\/console\/carriers">Carriers</);
  // Anti-forgery: a post without the page's token changes nothing.
  const forged = await a.request(admin, 'POST', '/console/carriers/new', { name: 'Forged' }, { csrf: '' });
  t.equal(forged.statusCode, 403);
  t.notOk(((await a.api('GET', '/carriers')).json['carriers'] as Json[]).some((x) => x['name'] === 'Forged'));
  t.equal((await a.request(admin, 'GET', '/console/carriers/nobody')).statusCode, 404, 'an unknown carrier');
  // The address of a post asked for again (a reload after htmx showed its answer) leads to its page, no code in it.
  const codes = await a.request(admin, 'GET', `${path}/codes`);
  t.equal(codes.statusCode, 303);
  t.equal(codes.headers.location, path);
  t.equal((await a.request(admin, 'GET', '/console/carriers/new')).headers.location, '/console/carriers');
});
