// The address book's pages as a browser meets them, without a browser: search (a page and the fragment htmx swaps
// in), add with the API's error next to its field and the values kept, edit, delete and erase after a confirmation,
// the CSV import's per-row report with nothing written, the export as the API's; a location-scoped operator sees
// nothing of another location; a role without the address book has neither the pages nor the menu entry.
import t from 'tap';
import { PASSWORD, consoleApp, type ConsoleApp } from './helpers.ts';

const seed = { role: 'admin' as const, id: 'seed' };
const HEADER = 'PersonnelID,FirstName,LastName,Email,Phone,Department,Location,NeedsAccessibility,Notifications,Language,Private,BadgeID';

async function setup(tt: { teardown(fn: () => unknown): void }): Promise<ConsoleApp & { boss: string }> {
  const a = await consoleApp(tt);
  const s = a.service;
  await s.createDepartment({ id: 'mail', enterpriseId: 'ent', name: 'Mailroom', memberIds: [] }, seed);
  await s.createContact({ id: 'alex', enterpriseId: 'ent', firstName: 'Alex', lastName: 'Access', email: 'alex@example.com', needsAccessible: true, personnelId: 'P-1', departmentId: 'mail', locationId: 'loc' }, seed);
  await s.createContact({ id: 'bea', enterpriseId: 'ent', firstName: 'Bea', lastName: 'Brown', email: 'bea@example.com', personnelId: 'P-2' }, seed);
  await s.createContact({ id: 'cy', enterpriseId: 'ent', firstName: 'Cy', lastName: 'Chen', email: 'cy@example.com', personnelId: 'P-3', locationId: 'loc2' }, seed);
  await a.auth.createUser({ enterpriseId: 'ent', username: 'op', password: PASSWORD, role: 'operator', accessLevel: { kind: 'location', id: 'loc' } });
  await a.auth.createUser({ enterpriseId: 'ent', username: 'courier', password: PASSWORD, role: 'carrier' });
  return Object.assign(a, { boss: await a.cookieOf('admin') });
}

/** A multipart post of the import form (what the browser sends), with the page's anti-forgery token. */
async function importFile(a: ConsoleApp, cookie: string, csv: string, mode = 'merge') {
  const fd = new FormData();
  fd.set('csrf', await a.csrfOf(cookie));
  fd.set('mode', mode);
  fd.set('file', new Blob([csv], { type: 'text/csv' }), 'contacts.csv');
  const r = new Request('http://console.test/', { method: 'POST', body: fd });
  return a.app.inject({ method: 'POST', url: '/console/contacts/import', headers: { cookie, 'content-type': r.headers.get('content-type')! }, payload: Buffer.from(await r.arrayBuffer()) });
}

const rowNames = (body: string) => [...body.matchAll(/<th scope="row"><a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);

t.test('the list, and a search as you type: the results and the count for htmx, the whole page otherwise', async (t) => {
  const a = await setup(t);
  const page = await a.request(a.boss, 'GET', '/console/contacts');
  t.equal(page.statusCode, 200);
  t.same(rowNames(page.body), ['Alex Access', 'Bea Brown', 'Cy Chen'], 'every contact, in name order');
  t.match(page.body, /<td>Needs accessible lockers<\/td>/, 'the accessibility flag in words');
  t.match(page.body, /<td>P-1<\/td><td>Mailroom<\/td>\s*<td>Main<\/td>/, 'personnel ID, department and location by name');
  t.match(page.body, /hx-get="\/console\/contacts" hx-trigger="input changed delay:300ms, search"/, 'the search box asks as the person types');

  const found = await a.request(a.boss, 'GET', '/console/contacts?q=bro', undefined, { htmx: true });
  t.equal(found.statusCode, 200);
  t.notMatch(found.body, /<html/, 'a fragment');
  t.same(rowNames(found.body), ['Bea Brown']);
  t.match(found.body, /<p id="contact-count" hx-swap-oob="innerHTML">1 contact found\.<\/p>/, 'the count for the live region');
  const none = await a.request(a.boss, 'GET', '/console/contacts?q=zzz', undefined, { htmx: true });
  t.match(none.body, /No contact matches this search\./);

  const full = await a.request(a.boss, 'GET', '/console/contacts?q=P-3');
  t.same(rowNames(full.body), ['Cy Chen'], 'without htmx the search is a page');
  t.match(full.body, /id="q" name="q" value="P-3"/, 'keeping what was searched');
});

t.test('the list is paged as the API pages', async (t) => {
  const a = await setup(t);
  for (let i = 0; i < 26; i++) await a.service.createContact({ enterpriseId: 'ent', firstName: 'Zed', lastName: `Z${String(i).padStart(2, '0')}` }, seed);
  const first = await a.request(a.boss, 'GET', '/console/contacts');
  t.equal(rowNames(first.body).length, 25);
  t.match(first.body, /Page 1 of 2/);
  t.match(first.body, /href="\/console\/contacts\?offset=25">Next page/);
  const second = await a.request(a.boss, 'GET', '/console/contacts?offset=25');
  t.same(rowNames(second.body), ['Zed Z22', 'Zed Z23', 'Zed Z24', 'Zed Z25']);
});

t.test('add: a bad e-mail shows the API message at the field and in the summary, keeping what was typed; then added', async (t) => {
  const a = await setup(t);
  const form = await a.request(a.boss, 'GET', '/console/contacts/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, /<label class="choice" for="needsAccessible">.*Needs Accessibility Accommodations for Locker Use<\/label>/);
  t.match(form.body, /<option value="mail">Mailroom<\/option>/, 'the departments');
  t.match(form.body, /<option value="loc2">Annex<\/option>/, 'the locations in scope');

  const fields = { firstName: 'Zoe', lastName: 'Zeta', email: 'not-an-address', phone: '+33 1 23', personnelId: 'P-9', departmentId: 'mail', locationId: 'loc', needsAccessible: 'yes', notifications: 'none', language: 'fr' };
  const bad = await a.request(a.boss, 'POST', '/console/contacts/new', fields);
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /<div class="errors" role="alert"[^>]*><h2 id="errors-h">There is a problem<\/h2><ul><li><a href="#email">[^<]*email[^<]*<\/a>/i, 'the summary links to the field');
  t.match(bad.body, /<p class="field-error" id="email-error">[^<]+<\/p><input type="email" id="email" name="email" value="not-an-address" maxlength="254" autocomplete="off" aria-describedby="email-error" aria-invalid="true">/, 'the message at the field, tied to it');
  t.match(bad.body, /id="firstName" name="firstName" value="Zoe"/, 'what was typed is kept');
  t.match(bad.body, /<option value="mail" selected>/);
  t.match(bad.body, /id="needsAccessible" name="needsAccessible" value="on" checked/);
  t.match(bad.body, /<option value="fr" selected>French/);
  t.equal((await a.service.addressBook.contacts.search({ q: 'Zoe', offset: 0, limit: 5 })).total, 0, 'nothing added');

  const good = await a.request(a.boss, 'POST', '/console/contacts/new', { ...fields, email: 'zoe@example.com' });
  t.equal(good.statusCode, 303);
  t.equal(good.headers.location, '/console/contacts?done=added');
  const zoe = (await a.service.addressBook.contacts.search({ q: 'Zoe', offset: 0, limit: 5 })).contacts[0];
  t.match(zoe, { firstName: 'Zoe', lastName: 'Zeta', email: 'zoe@example.com', phone: '+33 1 23', personnelId: 'P-9', departmentId: 'mail', locationId: 'loc', needsAccessible: true, notifications: 'none', language: 'fr', private: false });
  const list = await a.request(a.boss, 'GET', '/console/contacts?done=added');
  t.match(list.body, /role="status"><p>The contact was added\./);

  const dup = await a.request(a.boss, 'POST', '/console/contacts/new', { ...fields, email: 'z2@example.com' });
  t.equal(dup.statusCode, 409, 'a personnel ID already taken');
  t.match(dup.body, /<a href="#personnelId">/);
});

t.test('edit: the form shows the contact; a change is saved, an emptied field cleared; an error keeps the edit', async (t) => {
  const a = await setup(t);
  const form = await a.request(a.boss, 'GET', '/console/contacts/alex');
  t.equal(form.statusCode, 200);
  t.match(form.body, /<title>Contact: Alex Access/);
  t.match(form.body, /id="email" name="email" value="alex@example.com"/);
  t.match(form.body, /id="needsAccessible" name="needsAccessible" value="on" checked/);
  t.match(form.body, /href="\/console\/contacts\/alex\/erase"/, 'an administrator may erase');

  const fields = { firstName: 'Alexa', lastName: 'Access', email: '', personnelId: 'P-1', departmentId: '', locationId: 'loc', notifications: 'email', language: 'en' };
  const bad = await a.request(a.boss, 'POST', '/console/contacts/alex', { ...fields, phone: 'call me' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /id="phone-error"/);
  t.match(bad.body, /id="firstName" name="firstName" value="Alexa"/);
  t.equal((await a.service.getContact('alex')).firstName, 'Alex', 'nothing saved');

  const saved = await a.request(a.boss, 'POST', '/console/contacts/alex', fields);
  t.equal(saved.statusCode, 303);
  const alex = await a.service.getContact('alex');
  t.match(alex, { firstName: 'Alexa', needsAccessible: false, locationId: 'loc' });
  t.equal(alex.email, undefined, 'the e-mail cleared');
  t.equal(alex.departmentId, undefined, 'the department cleared');
});

t.test("the enterprise's custom fields on contacts: asked in the form, the API's problem at the field", async (t) => {
  const a = await setup(t);
  await a.service.customFields.create('ent', { id: 'floor', label: { en: 'Floor', fr: 'Étage' }, type: 'choice', options: ['Ground', 'First'], appliesTo: ['contacts'] }, seed);
  await a.service.customFields.create('ent', { id: 'desk', label: { en: 'Desk', fr: 'Bureau' }, type: 'number', appliesTo: ['contacts'] }, seed);
  await a.service.customFields.create('ent', { id: 'badge', label: { en: 'Badge colour', fr: 'Couleur du badge' }, type: 'text', appliesTo: ['users'] }, seed);
  const form = await a.request(a.boss, 'GET', '/console/contacts/bea');
  t.match(form.body, /<label for="custom-floor">Floor<\/label><select id="custom-floor" name="custom-floor">/);
  t.match(form.body, /<label for="custom-desk">Desk<\/label>/);
  t.notMatch(form.body, /custom-badge/, 'a field of users only is not asked');
  const fields = { firstName: 'Bea', lastName: 'Brown', email: 'bea@example.com', personnelId: 'P-2', notifications: 'email', language: 'en', 'custom-floor': 'First' };
  const bad = await a.request(a.boss, 'POST', '/console/contacts/bea', { ...fields, 'custom-desk': 'by the window' });
  t.equal(bad.statusCode, 422, "the API's status");
  t.match(bad.body, /<a href="#custom-desk">must be a number<\/a>/, 'the problem leads to the field');
  t.match(bad.body, /id="custom-desk-error">must be a number</);
  t.match(bad.body, /<option value="First" selected>/, 'the choice kept');
  const saved = await a.request(a.boss, 'POST', '/console/contacts/bea', { ...fields, 'custom-desk': '12' });
  t.equal(saved.statusCode, 303);
  t.same((await a.service.getContact('bea')).customValues, { floor: 'First', desk: 12 });
});

t.test('delete and erase after a confirmation page; erase only for whoever may erase', async (t) => {
  const a = await setup(t);
  const ask = await a.request(a.boss, 'GET', '/console/contacts/bea/delete');
  t.equal(ask.statusCode, 200);
  t.match(ask.body, /Delete Bea Brown from the address book\?/);
  t.match(ask.body, /<form method="post" action="\/console\/contacts\/bea\/delete"/);
  t.ok(await a.service.getContact('bea'), 'asking deletes nothing');
  const gone = await a.request(a.boss, 'POST', '/console/contacts/bea/delete');
  t.equal(gone.statusCode, 303);
  t.equal(gone.headers.location, '/console/contacts?done=deleted');
  t.equal((await a.request(a.boss, 'GET', '/console/contacts/bea')).statusCode, 404);

  const op = await a.cookieOf('op');
  const opForm = await a.request(op, 'GET', '/console/contacts/alex');
  t.notMatch(opForm.body, /\/erase"/, 'an operator is not offered erase');
  t.equal((await a.request(op, 'GET', '/console/contacts/alex/erase')).statusCode, 403);
  t.equal((await a.request(op, 'POST', '/console/contacts/alex/erase')).statusCode, 403);
  const erased = await a.request(a.boss, 'POST', '/console/contacts/alex/erase');
  t.equal(erased.statusCode, 303);
  t.not((await a.service.getContact('alex')).lastName, 'Access', 'the name replaced');
});

t.test('import: a duplicate personnel ID shows every problem by line and writes nothing; a good file says what changed', async (t) => {
  const a = await setup(t);
  const before = (await a.service.addressBook.contacts.search({ offset: 0, limit: 100 })).total;
  const csv = `${HEADER}\r\nN-1,Nina,New,nina@example.com,,,,yes,,,,\r\nN-2,Noah,New,,,,,,,,,\r\nN-1,Nina,Again,,,,,,,,,\r\n`;
  const bad = await importFile(a, a.boss, csv);
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /<caption>Problems in the file, by line<\/caption>/);
  t.match(bad.body, /<tr><td>4<\/td><td>PersonnelID<\/td><td>Duplicate Personnel ID[^<]*<\/td><\/tr>/, 'the duplicate, by line and column');
  t.match(bad.body, /no contacts were imported/);
  t.equal((await a.service.addressBook.contacts.search({ offset: 0, limit: 100 })).total, before, 'nothing written');

  const good = await importFile(a, a.boss, `${HEADER}\r\nN-1,Nina,New,nina@example.com,,,,yes,,,,\r\nP-2,Bea,Brown,bea@example.org,,,,,,,,\r\n`);
  t.equal(good.statusCode, 200);
  t.match(good.body, /2 rows: 1 added, 1 updated, 0 unchanged, 0 deleted\./);
  t.equal((await a.service.getContact('bea')).email, 'bea@example.org');

  const empty = await a.request(a.boss, 'POST', '/console/contacts/import', { mode: 'merge' });
  t.equal(empty.statusCode, 400, 'no file chosen');
  t.match(empty.body, /<a href="#file">Choose a CSV file to import\.<\/a>/);
});

t.test('the export and the template are the API files', async (t) => {
  const a = await setup(t);
  for (const file of ['export', 'template']) {
    const page = await a.request(a.boss, 'GET', `/console/contacts/${file}`);
    const api = await a.app.inject({ url: `/api/v1/contacts/${file}`, headers: a.admin });
    t.equal(page.statusCode, 200);
    t.equal(page.body, api.body, `the ${file} as the API gives it`);
    t.match(page.headers['content-type'], /^text\/csv/);
    t.equal(page.headers['content-disposition'], api.headers['content-disposition']);
  }
});

t.test('a location-scoped operator sees nothing of another location: list, search, export', async (t) => {
  const a = await setup(t);
  const op = await a.cookieOf('op');
  const list = await a.request(op, 'GET', '/console/contacts');
  t.same(rowNames(list.body), ['Alex Access', 'Bea Brown'], 'Cy (of loc2) is not listed');
  const search = await a.request(op, 'GET', '/console/contacts?q=Chen', undefined, { htmx: true });
  t.same(rowNames(search.body), []);
  t.match(search.body, /No contact matches this search\./);
  const csv = await a.request(op, 'GET', '/console/contacts/export');
  t.match(csv.body, /Alex/);
  t.notMatch(csv.body, /Chen|P-3/, 'nor exported');
  t.equal((await a.request(op, 'GET', '/console/contacts/cy')).statusCode, 404, 'nor opened');
  const form = await a.request(op, 'GET', '/console/contacts/new');
  t.notMatch(form.body, /value="loc2"/, 'nor offered as a location');
});

t.test('a role without the address book: no menu entry, and every route answers 404', async (t) => {
  const a = await setup(t);
  const courier = await a.cookieOf('courier');
  const lockers = await a.request(courier, 'GET', '/console/lockers');
  t.equal(lockers.statusCode, 200);
  t.notMatch(lockers.body, /\/console\/contacts/, 'no menu entry');
  t.match((await a.request(a.boss, 'GET', '/console/lockers')).body, /<a href="\/console\/contacts">Address book<\/a>/, 'the administrator has it');
  for (const url of ['/console/contacts', '/console/contacts/new', '/console/contacts/alex', '/console/contacts/export', '/console/contacts/import', '/console/contacts/alex/delete'])
    t.equal((await a.request(courier, 'GET', url)).statusCode, 404, `GET ${url}`);
  t.equal((await a.request(courier, 'POST', '/console/contacts/new', { firstName: 'X', lastName: 'Y' })).statusCode, 404);
  t.equal((await a.request(courier, 'POST', '/console/contacts/alex/delete')).statusCode, 404);
});

t.test('a post without its anti-forgery token, or with another session’s, is refused and changes nothing', async (t) => {
  const a = await setup(t);
  const none = await a.request(a.boss, 'POST', '/console/contacts/bea/delete', {}, { csrf: '' });
  t.equal(none.statusCode, 403);
  const other = await a.request(a.boss, 'POST', '/console/contacts/new', { firstName: 'Forged', lastName: 'Post' }, { csrf: await a.csrfOf(await a.cookieOf('op')) });
  t.equal(other.statusCode, 403);
  t.ok(await a.service.getContact('bea'), 'not deleted');
  t.equal((await a.service.addressBook.contacts.search({ q: 'Forged', offset: 0, limit: 5 })).total, 0, 'not added');
});
