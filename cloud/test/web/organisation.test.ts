// The console's organisation and departments screens as forms and pages (inject): who may open them, the tree, the
// enterprise renamed, a division, a location (postal fields and reach range), a bank, a column and lockers (one and a
// batch) added, edited and deleted, each checked through the API; the API's refusals shown at their field, a delete
// refused while something depends on the record shown with the API's reason; the locations' CSV files; departments
// with members and a key contact; the anti-forgery token.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';

const seed = { role: 'admin' as const, id: 'seed' };
const ORG = '/console/organisation';
const HEADER = 'DivisionID,LocationID,Name,Company,Phone,AddressLine1,AddressLine2,AddressLine3,CityTownArea,StateProvinceRegion,CountryCode,PostalCode';

let a: ConsoleApp;
let admin: string;

async function upload(cookie: string, csv: string): Promise<LightMyRequestResponse> {
  const form = new FormData();
  form.set('csrf', await a.csrfOf(cookie));
  form.set('file', new Blob([csv], { type: 'text/csv' }), 'locations.csv');
  const r = new Response(form);
  return a.app.inject({ method: 'POST', url: `${ORG}/locations/import`, headers: { cookie, 'content-type': r.headers.get('content-type')! }, payload: Buffer.from(await r.arrayBuffer()) });
}

/** The text of the page's main region, tags dropped. */
const mainText = (r: LightMyRequestResponse) => (/<main[^>]*>([\s\S]*)<\/main>/.exec(r.body)?.[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const idAfter = (r: LightMyRequestResponse, prefix: string) => decodeURIComponent(String(r.headers.location).slice(prefix.length).split('?')[0]!);

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  await a.api('POST', '/users', { username: 'plain', password: PASSWORD, role: 'operator' });
  const role = await a.api('POST', '/roles', { name: 'Builder', permissions: ['lockers.manage', 'lockers.view'] });
  await a.api('POST', '/users', { username: 'builder', password: PASSWORD, role: (role.json['role'] as Json)['id'] });
  const maker = await a.api('POST', '/roles', { name: 'Maker', permissions: ['lockers.manage'] });
  await a.api('POST', '/users', { username: 'maker', password: PASSWORD, role: (maker.json['role'] as Json)['id'] });
  await a.service.createContact({ id: 'alex', enterpriseId: 'ent', firstName: 'Alex', lastName: 'Access', email: 'alex@example.com', language: 'en', needsAccessible: true }, seed);
  await a.service.createContact({ id: 'bea', enterpriseId: 'ent', firstName: 'Bea', lastName: 'Brown', email: 'bea@example.com', language: 'fr', needsAccessible: false }, seed);
});

t.test('who may open the screens: organisation with lockers.manage; departments with the address book, else 404', async (t) => {
  const plain = await a.cookieOf('plain');
  t.equal((await a.request(plain, 'GET', ORG)).statusCode, 403, 'an operator does not manage the organisation');
  t.equal((await a.request(plain, 'GET', '/console/departments')).statusCode, 200, 'an operator keeps the address book');
  const builder = await a.cookieOf('builder');
  t.equal((await a.request(builder, 'GET', ORG)).statusCode, 200);
  t.equal((await a.request(builder, 'GET', '/console/departments')).statusCode, 404, 'hidden like the API');
  const bank = await a.request(builder, 'GET', `${ORG}/banks/lobby`);
  t.notMatch(bank.body, /bank-settings\?bank=lobby/, 'no bank settings (nor rename) without the settings permission');
  t.notMatch(bank.body, /action="\/console\/organisation\/banks\/lobby" class="toolbar"/);
  t.equal((await a.post(builder, `${ORG}/banks/lobby`, [['name', 'X']])).statusCode, 403, 'renaming a bank needs settings');
  const maker = await a.cookieOf('maker');
  const unseen = await a.request(maker, 'GET', `${ORG}/banks/lobby`);
  t.equal(unseen.statusCode, 200, 'a role that manages lockers without seeing them still has the bank page');
  t.match(mainText(unseen), /Your role does not see the bank’s lockers\./);
  const settings = await a.request(admin, 'GET', '/console/settings');
  t.match(settings.body, /href="\/console\/organisation"/, 'listed on the set-up page');
  t.match(settings.body, /href="\/console\/departments"/);
});

t.test('the tree: divisions > locations > banks, each a link; the enterprise renamed; a refused name at its field', async (t) => {
  const page = await a.request(admin, 'GET', ORG);
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>Organisation/);
  t.match(page.body, /<a href="\/console\/organisation\/divisions\/div">HQ<\/a>[\s\S]*<a href="\/console\/organisation\/locations\/loc">Main<\/a>[\s\S]*<a href="\/console\/organisation\/banks\/lobby">Lobby<\/a>/);
  const bad = await a.request(admin, 'POST', `${ORG}/enterprise`, { name: ' ' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /<a href="#name">/, 'the summary links to the field');
  t.match(bad.body, /id="name" name="name" value=" "[^>]*aria-describedby="name-error" aria-invalid="true"/);
  const ok = await a.request(admin, 'POST', `${ORG}/enterprise`, { name: 'Acme Corp' });
  t.equal(ok.statusCode, 303);
  t.equal(((await a.api('GET', '/enterprises/ent')).json['enterprise'] as Json)['name'], 'Acme Corp');
  t.match(mainText(await a.request(admin, 'GET', String(ok.headers.location))), /The name was changed\./);
});

t.test('a division: added, renamed, its delete refused while it has locations, then deleted', async (t) => {
  const add = await a.request(admin, 'POST', `${ORG}/divisions/new`, { name: 'West' });
  t.equal(add.statusCode, 303);
  const id = idAfter(add, `${ORG}/divisions/`);
  t.match((await a.api('GET', `/divisions/${id}`)).json['division'], { name: 'West', enterpriseId: 'ent' });
  t.equal((await a.request(admin, 'POST', `${ORG}/divisions/${id}`, { name: 'West wing' })).statusCode, 303);
  t.match((await a.api('GET', `/divisions/${id}`)).json['division'], { name: 'West wing' });
  const refused = await a.request(admin, 'POST', `${ORG}/divisions/div/delete`, {});
  t.equal(refused.statusCode, 409);
  t.match(mainText(refused), /It was not deleted: division div cannot be deleted: it still has 2 locations \(loc, loc2\)/, 'the API says what depends on it');
  const del = await a.request(admin, 'POST', `${ORG}/divisions/${id}/delete`, {});
  t.equal(del.statusCode, 303);
  t.equal((await a.api('GET', `/divisions/${id}`)).status, 404);
});

t.test('a location: every postal field and a custom reach range, a bad country code at its field, edited, deleted', async (t) => {
  const fields = { divisionId: 'div', name: 'North', company: 'Acme', phone: '5551234', addressLine1: '1 Main St', addressLine2: 'Floor 2', addressLine3: 'Door B', city: 'Lyon', stateProvince: 'Rhône', postalCode: '69001', preset: 'custom', minCm: '40', maxCm: '110.5' };
  const bad = await a.request(admin, 'POST', `${ORG}/locations/new`, { ...fields, countryCode: 'XX' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /<a href="#countryCode">/);
  t.match(bad.body, /id="countryCode-error"/);
  t.match(bad.body, /id="city" name="city" value="Lyon"/, 'what was typed is kept');
  const add = await a.request(admin, 'POST', `${ORG}/locations/new`, { ...fields, countryCode: 'FR' });
  t.equal(add.statusCode, 303);
  const id = idAfter(add, `${ORG}/locations/`);
  t.match((await a.api('GET', `/locations/${id}`)).json['location'], { ...fields, preset: undefined, minCm: undefined, maxCm: undefined, countryCode: 'FR', reach: { preset: 'custom', minCm: 40, maxCm: 110.5 } });
  const page = await a.request(admin, 'GET', `${ORG}/locations/${id}`);
  t.match(mainText(page), /Accessible between 40 and 110.5 cm from the floor\./);
  t.match(page.body, /<option value="ada-2010">2010 ADA Standards \(38.1 to 121.9 cm\)<\/option>/, 'the presets with the API’s ranges');
  const upside = await a.request(admin, 'POST', `${ORG}/locations/${id}`, { ...fields, countryCode: 'FR', minCm: '120' });
  t.equal(upside.statusCode, 400, 'a range upside down is the API’s refusal');
  t.match(upside.body, /<a href="#maxCm">must be above minCm/);
  const edit = await a.request(admin, 'POST', `${ORG}/locations/${id}`, { ...fields, name: 'North gate', addressLine3: '', countryCode: 'FR', preset: 'ada-2010' });
  t.equal(edit.statusCode, 303);
  const after = (await a.api('GET', `/locations/${id}`)).json['location'] as Json;
  t.match(after, { name: 'North gate', reach: { preset: 'ada-2010' } });
  t.equal(after['addressLine3'], undefined, 'an emptied field is removed');
  t.equal((await a.request(admin, 'POST', `${ORG}/locations/${id}/delete`, {})).statusCode, 303);
  t.equal((await a.api('GET', `/locations/${id}`)).status, 404);
  const refused = await a.request(admin, 'POST', `${ORG}/locations/loc/delete`, {});
  t.equal(refused.statusCode, 409);
  t.match(mainText(refused), /it still has 1 bank \(lobby\)/);
});

t.test('locations as CSV: the template and the export downloaded, an import with its report, a bad file with every problem', async (t) => {
  const template = await a.request(admin, 'GET', `${ORG}/locations/template`);
  t.equal(template.statusCode, 200);
  t.match(template.headers['content-disposition'], /attachment; filename="locations-template.csv"/);
  t.match(template.body, /DivisionID,LocationID,Name/);
  const good = await upload(admin, `${HEADER}\r\ndiv,,Depot,Acme,123,2 Rue,,,Paris,IDF,FR,75001\r\ndiv,,Dock,Acme,456,3 Rue,,,Paris,IDF,FR,75002\r\n`);
  t.equal(good.statusCode, 200);
  t.match(mainText(good), /Imported 2 rows: 2 added, 0 updated, 0 unchanged\./);
  const names = ((await a.api('GET', '/locations?divisionId=div')).json['locations'] as Json[]).map((l) => l['name']);
  t.ok(names.includes('Depot') && names.includes('Dock'), 'both locations exist');
  const exported = await a.request(admin, 'GET', `${ORG}/locations/export`);
  t.match(exported.body, /div,[^,]+,Depot,Acme,123,2 Rue/);
  const bad = await upload(admin, `${HEADER}\r\nnope,,Depot,Acme,123,2 Rue,,,Paris,IDF,FR,75001\r\n`);
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /<td class="num">2<\/td><td>DivisionID<\/td>/, 'line 2, its column');
  const none = await a.request(admin, 'POST', `${ORG}/locations/import`, {});
  t.equal(none.statusCode, 400);
  t.match(none.body, /<a href="#file">Choose a CSV file to import\.<\/a>/);
});

t.test('a bank, a column and lockers: added, edited and deleted through the pages, as the API says', async (t) => {
  const add = await a.request(admin, 'POST', `${ORG}/banks/new`, { locationId: 'loc2', name: 'Mail room' });
  t.equal(add.statusCode, 303);
  const bankId = idAfter(add, `${ORG}/banks/`);
  t.equal((await a.request(admin, 'POST', `${ORG}/banks/${bankId}`, { name: 'Mail room B' })).statusCode, 303);
  t.match((await a.api('GET', `/banks/${bankId}`)).json['bank'], { name: 'Mail room B', locationId: 'loc2' });
  t.match((await a.request(admin, 'GET', `${ORG}/banks/${bankId}`)).body, new RegExp(`href="/console/bank-settings\\?bank=${bankId}"`), 'the link to its bank settings');

  const col = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/columns/new`, { position: '1', kind: 'kiosk', controllerId: 'mr-ctl-1' });
  t.equal(col.statusCode, 303);
  const columnId = idAfter(col, `${ORG}/columns/`);
  const second = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/columns/new`, { position: '2', kind: 'kiosk', controllerId: 'mr-ctl-2' });
  t.equal(second.statusCode, 409, 'a second kiosk column is refused');
  t.match(second.body, /<a href="#kind">[^<]*already has its kiosk column/);

  // One locker within the reach range, then a batch of three stacked above it.
  const one = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/lockers/new`, { number: '1', columnId, door: '1', size: 'S', bottomCm: '40', topCm: '58', loading: 'front', recipient: 'none' });
  t.equal(one.statusCode, 303);
  t.match((await a.api('GET', `/banks/${bankId}/lockers/1`)).json, { locker: { size: 'S', bottomCm: 40, topCm: 58, door: 1 }, accessible: true });
  const short = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/lockers/new`, { number: '9', columnId, door: '9', size: 'L', bottomCm: '40', topCm: '50', loading: 'front' });
  t.equal(short.statusCode, 400);
  t.match(short.body, /<a href="#topCm">/, 'a door too short for its size, at the top edge');
  const batch = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/lockers/batch`, { number: '2', count: '3', columnId, door: '2', size: 'M', bottomCm: '60', topCm: '93' });
  t.equal(batch.statusCode, 303);
  const lockers = ((await a.api('GET', `/banks/${bankId}/lockers`)).json['lockers'] as Array<{ locker: Json; accessible: boolean }>).map((l) => [l.locker['number'], l.locker['door'], l.locker['bottomCm'], l.locker['topCm'], l.accessible]);
  t.same(lockers, [[1, 1, 40, 58, true], [2, 2, 60, 93, true], [3, 3, 93, 126, false], [4, 4, 126, 159, false]], 'stacked upwards; accessible as the API judges');
  const table = mainText(await a.request(admin, 'GET', String(batch.headers.location)));
  t.match(table, /3 lockers were added\./);
  t.match(table, /Locker 3 1 3 M 93–126 cm Front \(the recipient’s door\) ✗ Not accessible/, 'the table says which are accessible');
  t.equal((await a.request(admin, 'POST', `${ORG}/banks/${bankId}/lockers/batch`, { number: '5', count: '0', columnId, door: '5', size: 'M', bottomCm: '1', topCm: '40' })).statusCode, 400);

  // Edit: custom dimensions, rear loading (its shelf barcode generated), dedicated to a contact.
  const edit = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/lockers/2`, { size: 'custom', widthCm: '30', heightCm: '25', depthCm: '45', bottomCm: '60', topCm: '90', loading: 'rear', shelfBarcode: '', recipient: 'contact:alex' });
  t.equal(edit.statusCode, 303);
  const edited = (await a.api('GET', `/banks/${bankId}/lockers/2`)).json['locker'] as Json;
  t.match(edited, { size: 'custom', dimensions: { widthCm: 30, heightCm: 25, depthCm: 45 }, bottomCm: 60, topCm: 90, loading: 'rear', dedicatedTo: { type: 'contact', id: 'alex' } });
  t.type(edited['shelfBarcode'], 'string', 'a shelf barcode was generated');
  const form = await a.request(admin, 'GET', `${ORG}/banks/${bankId}/lockers/2`);
  t.match(form.body, /value="contact:alex" checked> Alex Access \(as now\)/, 'the dedication by name');
  const find = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/lockers/2`, { size: 'custom', bottomCm: '60', topCm: '90', loading: 'rear', recipient: 'none', q: 'bea', action: 'find' });
  t.equal(find.statusCode, 200, 'Find shows the matches without saving');
  t.match(find.body, /value="contact:bea"/);
  const cleared = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/lockers/2`, { size: 'M', bottomCm: '60', topCm: '93', loading: 'front', recipient: 'none' });
  t.equal(cleared.statusCode, 303);
  const after = (await a.api('GET', `/banks/${bankId}/lockers/2`)).json['locker'] as Json;
  t.equal(after['dedicatedTo'], undefined, 'no longer dedicated');
  t.equal(after['shelfBarcode'], undefined, 'front loading: no shelf barcode');

  // Deletes: refused while something depends on it, with the API's reason; done once nothing does.
  const bankRefused = await a.request(admin, 'POST', `${ORG}/banks/${bankId}/delete`, {});
  t.equal(bankRefused.statusCode, 409);
  t.match(mainText(bankRefused), /It was not deleted: bank \S+ cannot be deleted: it still has 1 column \(\S+\) and 4 lockers \(1, 2, 3, 4\)/);
  t.equal((await a.request(admin, 'POST', `${ORG}/columns/${columnId}/delete`, {})).statusCode, 409, 'a column with lockers');
  for (const n of [1, 2, 3, 4]) t.equal((await a.request(admin, 'POST', `${ORG}/banks/${bankId}/lockers/${n}/delete`, {})).statusCode, 303);
  t.equal((await a.api('GET', `/banks/${bankId}/lockers`)).json['lockers'] instanceof Array && ((await a.api('GET', `/banks/${bankId}/lockers`)).json['lockers'] as unknown[]).length, 0);
  t.equal((await a.request(admin, 'POST', `${ORG}/columns/${columnId}`, { kind: 'plain' })).statusCode, 303);
  t.match((await a.api('GET', `/columns/${columnId}`)).json['column'], { kind: 'plain' });
  t.equal((await a.request(admin, 'POST', `${ORG}/columns/${columnId}/delete`, {})).statusCode, 303);
  t.equal((await a.request(admin, 'POST', `${ORG}/banks/${bankId}/delete`, {})).statusCode, 303);
  t.equal((await a.api('GET', `/banks/${bankId}`)).status, 404);
});

t.test('departments: added with a member and a key contact, edited, its delete refused while a locker is dedicated to it, deleted', async (t) => {
  const list = await a.request(admin, 'GET', '/console/departments');
  t.match(list.body, /There are no departments yet\./);
  const search = await a.request(admin, 'GET', '/console/departments/contacts?q=alex', undefined, { htmx: true });
  t.notMatch(search.body, /<html/);
  t.match(search.body, /name="member" value="alex"/);
  const kept = await a.request(admin, 'GET', '/console/departments/contacts?q=brown&member=alex', undefined, { htmx: true });
  t.match(kept.body, /Alex Access[\s\S]*name="member" value="alex" checked[\s\S]*1 contact found\.[\s\S]*name="member" value="bea"/, 'who was ticked stays ticked, among the people');
  const find = await a.post(admin, '/console/departments/new', [['name', 'Finance'], ['q', 'brown'], ['action', 'find']]);
  t.equal(find.statusCode, 200, 'Find without JavaScript');
  t.match(find.body, /name="member" value="bea"/);
  const add = await a.post(admin, '/console/departments/new', [['name', 'Finance'], ['member', 'alex'], ['keyContact', 'bea'], ['action', 'save']]);
  t.equal(add.statusCode, 303);
  const id = idAfter(add, '/console/departments/');
  t.match((await a.api('GET', `/departments/${id}`)).json['department'], { name: 'Finance', memberIds: ['alex'], keyContactId: 'bea' });
  const page = await a.request(admin, 'GET', `/console/departments/${id}`);
  t.match(page.body, /Alex Access[\s\S]*name="member" value="alex" checked/);
  t.match(page.body, /name="keyContact" value="bea" checked/);
  t.match(mainText(await a.request(admin, 'GET', '/console/departments')), /Finance 1 member Bea Brown/);
  const empty = await a.post(admin, `/console/departments/${id}`, [['name', ''], ['member', 'alex'], ['keyContact', 'bea']]);
  t.equal(empty.statusCode, 400);
  t.match(empty.body, /<a href="#name">/);
  const edit = await a.post(admin, `/console/departments/${id}`, [['name', 'Finance and legal'], ['member', 'alex'], ['member', 'bea'], ['keyContact', '']]);
  t.equal(edit.statusCode, 303);
  const edited = (await a.api('GET', `/departments/${id}`)).json['department'] as Json;
  t.match(edited, { name: 'Finance and legal', memberIds: ['alex', 'bea'] });
  t.equal(edited['keyContactId'], undefined, 'no key contact');
  await a.api('PATCH', '/banks/annex/lockers/1', { dedicatedTo: { type: 'department', id } });
  const refused = await a.request(admin, 'POST', `/console/departments/${id}/delete`, {});
  t.equal(refused.statusCode, 409);
  t.match(mainText(refused), /It was not deleted: .*locker/);
  t.match(mainText(await a.request(admin, 'GET', `${ORG}/banks/annex`)), /Finance and legal/, 'the bank shows to whom a locker is dedicated');
  await a.api('PATCH', '/banks/annex/lockers/1', { dedicatedTo: null });
  t.equal((await a.request(admin, 'POST', `/console/departments/${id}/delete`, {})).statusCode, 303);
  t.equal((await a.api('GET', `/departments/${id}`)).status, 404);
});

t.test('a post without the anti-forgery token changes nothing', async (t) => {
  const r = await a.request(admin, 'POST', `${ORG}/divisions/new`, { name: 'Forged' }, { csrf: '' });
  t.equal(r.statusCode, 403);
  const names = ((await a.api('GET', '/divisions')).json['divisions'] as Json[]).map((d) => d['name']);
  t.notOk(names.includes('Forged'));
  t.equal((await a.request(admin, 'POST', '/console/departments/new', { name: 'Forged' }, { csrf: 'x' })).statusCode, 403);
});
