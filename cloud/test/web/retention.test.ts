// The console's retention and erasure screen (inject): the history retention period set and kept for ever again, a
// refused value explained at its field; a person found in the address book, the erasure confirmed on a page that says
// what goes and that it cannot be undone, then checked through the API and in the activity (of this enterprise only);
// who sees which section.
import t from 'tap';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';

const seed = { role: 'admin' as const, id: 'seed' };

let a: ConsoleApp;
let admin: string;

const retentionOf = async () => ((await a.api('GET', '/enterprises/ent')).json['enterprise'] as Json)['historyRetentionDays'];

async function userWithRole(username: string, name: string, permissions: string[]): Promise<string> {
  const role = await a.api('POST', '/roles', { name, permissions });
  await a.api('POST', '/users', { username, password: PASSWORD, role: (role.json['role'] as Json)['id'] });
  return a.cookieOf(username);
}

const csrfIn = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)![1]!;

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  await a.service.createContact({ id: 'bea', enterpriseId: 'ent', firstName: 'Bea', lastName: 'Brown', email: 'bea@example.com', personnelId: 'P-2', phone: '5550100' }, seed);
  await a.service.createContact({ id: 'ben', enterpriseId: 'ent', firstName: 'Ben', lastName: 'Black', email: 'ben@example.com' }, seed);
});

t.test('the retention period: kept for ever, set to a number of days and back, checked through the API', async (t) => {
  const page = await a.request(admin, 'GET', '/console/retention');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<h1>Retention and erasure<\/h1>/);
  t.match(page.body, /History is now kept for ever\./);
  t.match(page.body, /<input type="radio" id="keep" name="keep" value="forever" checked>/);
  t.match(page.body, /id="days-hint">From 1 to 36500 days/, 'the range from the API’s schema');

  const asked = await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: '90' });
  t.equal(asked.statusCode, 200, 'a shorter period is asked again first');
  t.match(asked.body, /<h1>Keep history for 90 days\?<\/h1>/);
  t.match(asked.body, /older than 90 days, from before [^,]+, are deleted at once\. Deleted history cannot be got back\./);
  t.match(asked.body, /<input type="hidden" name="confirmed" value="yes">/);
  t.equal(await retentionOf(), undefined, 'nothing changed yet');
  const set = await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: '90', confirmed: 'yes' });
  t.equal(set.statusCode, 303);
  t.equal(set.headers.location, '/console/retention?done=saved');
  t.equal(await retentionOf(), 90, 'as the API says');
  const after = await a.request(admin, 'GET', '/console/retention?done=saved');
  t.match(after.body, /role="status"><p>The retention period was saved\.<\/p>/);
  t.match(after.body, /History is now kept for 90 days\./);
  t.match(after.body, /value="days" checked/);

  const longer = await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: '120' });
  t.equal(longer.statusCode, 303, 'a longer period deletes nothing: saved at once');
  t.equal(await retentionOf(), 120);
  const shorter = await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: '90' });
  t.match(shorter.body, /Keep history for 90 days\?/, 'shorter than the current one: asked');
  t.equal(await retentionOf(), 120);
  await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: '90', confirmed: 'yes' });

  const zero = await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: '0' });
  t.equal(zero.statusCode, 400, 'the API refused it');
  t.match(zero.body, /<a href="#days">Enter a whole number of days from 1 to 36500\.<\/a>/);
  t.match(zero.body, /<input type="number" id="days" name="days" value="0"[^>]*aria-describedby="days-hint days-error" aria-invalid="true">/);
  const words = await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: 'a year' });
  t.equal(words.statusCode, 400);
  t.match(words.body, /<a href="#days">Enter a whole number of days\.<\/a>/);
  t.equal(await retentionOf(), 90, 'unchanged');

  const forever = await a.request(admin, 'POST', '/console/retention', { keep: 'forever', days: '90' });
  t.equal(forever.statusCode, 303);
  t.equal(await retentionOf(), undefined, 'kept for ever again');
  t.equal((await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: '5' }, { csrf: 'forged' })).statusCode, 403, 'no post without its token');
  t.equal(await retentionOf(), undefined);
});

t.test('erase a person: found, confirmed on a page saying what goes, checked through the API and the activity', async (t) => {
  const none = await a.request(admin, 'GET', '/console/retention');
  t.match(none.body, /Type a name, an e-mail or a personnel ID/);
  t.match(none.body, /hx-get="\/console\/retention\/people" hx-trigger="input changed delay:300ms, search"/, 'search as one types');
  t.match(none.body, /People with a sign-in account are deleted on the users screen[^<]*<a href="\/console\/users">Users<\/a>/);
  const found = await a.request(admin, 'GET', '/console/retention?q=bea');
  t.match(found.body, /<th scope="row">Bea Brown<\/th><td>P-2<\/td><td>bea@example.com<\/td><td><a href="\/console\/retention\/erase\/bea">Erase personal data/);
  t.notMatch(found.body, /Ben Black/, 'only who matches');
  const fragment = await a.request(admin, 'GET', '/console/retention/people?q=b', undefined, { htmx: true });
  t.notMatch(fragment.body, /<html/, 'a fragment');
  t.match(fragment.body, /2 people match\./);
  const plain = await a.request(admin, 'GET', '/console/retention/people?q=bea');
  t.equal(plain.statusCode, 303, 'without a script: the page itself');
  t.equal(plain.headers.location, '/console/retention?q=bea');

  const confirm = await a.request(admin, 'GET', '/console/retention/erase/bea');
  t.equal(confirm.statusCode, 200);
  t.match(confirm.body, /<h1>Erase the personal data of Bea Brown<\/h1>/);
  t.match(confirm.body, /e-mail address, phone, personnel ID, badge and custom field values/);
  t.match(confirm.body, /<strong>This cannot be undone\.<\/strong>/);
  t.match(confirm.body, /<form method="post" action="\/console\/retention\/erase\/bea"/);
  t.equal(((await a.api('GET', '/contacts/bea')).json['contact'] as Json)['email'], 'bea@example.com', 'asking erases nothing');

  const erased = await a.request(admin, 'POST', '/console/retention/erase/bea', {});
  t.equal(erased.statusCode, 303);
  t.equal(erased.headers.location, '/console/retention?done=erased');
  const contact = (await a.api('GET', '/contacts/bea')).json['contact'] as Json;
  t.equal(contact['lastName'], 'Erased person', 'the name replaced, as the API says');
  t.equal(contact['firstName'], '');
  t.notOk('email' in contact || 'personnelId' in contact || 'phone' in contact, 'the contact details gone');
  const done = await a.request(admin, 'GET', '/console/retention?done=erased');
  t.match(done.body, /role="status"><p>The personal data was erased\. The activity records the erasure\.<\/p>/);
  t.match(done.body, /href="\/console\/activity\?type=erasure"/);

  const entries = (await a.api('GET', '/activity?type=erasure')).json['activity'] as Json[];
  t.equal(entries.length, 1, 'the activity records the erasure');
  t.match(entries[0], { type: 'erasure', enterpriseId: 'ent', actor: { role: 'admin' }, detail: /personal data erased/ });
  t.notOk(JSON.stringify(entries).includes('Bea'), 'without the person');

  const again = await a.request(admin, 'POST', '/console/retention/erase/bea', {});
  t.equal(again.statusCode, 409, 'erased already: the API’s reason on the page');
  t.match(again.body, /was erased already/);

  // Another enterprise of the same cloud never sees the erasure.
  await a.service.createEnterprise({ id: 'ent2', name: 'Other' }, seed);
  await a.auth.createUser({ enterpriseId: 'ent2', username: 'other', password: PASSWORD, role: 'admin' });
  const token = (await a.auth.login('other', PASSWORD, '127.0.0.1')).token;
  t.same((await a.api('GET', '/activity?type=erasure', undefined, { authorization: `Bearer ${token}` })).json['activity'], [], 'not in another enterprise’s activity');
});

t.test('who may open what', async (t) => {
  const desk = await userWithRole('desk', 'Desk', ['lockers.view', 'addressBook', 'addressBook.erase']);
  t.equal((await a.request(desk, 'GET', '/console/retention')).statusCode, 403, 'the screen asks for settings');
  const setter = await userWithRole('setter', 'Setter', ['settings']);
  const page = await a.request(setter, 'GET', '/console/retention');
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, /Erase one person/, 'no erasure without the address book and its erasure');
  t.equal((await a.request(setter, 'GET', '/console/retention/erase/ben')).statusCode, 404, 'hidden like the address book');
  t.equal((await a.request(setter, 'POST', '/console/retention/erase/ben', {}, { csrf: csrfIn(page.body) })).statusCode, 404);
  t.equal(((await a.api('GET', '/contacts/ben')).json['contact'] as Json)['lastName'], 'Black', 'nothing erased');
  const reader = await userWithRole('reader', 'Reader', ['settings', 'addressBook']);
  const noErase = await a.request(reader, 'GET', '/console/retention');
  t.notMatch(noErase.body, /Erase one person/, 'reading the address book is not erasing');
  t.equal((await a.request(reader, 'GET', '/console/retention/erase/ben')).statusCode, 403);
});

t.test('the API: only someone whose access level is the whole enterprise changes its retention', async (t) => {
  await a.api('POST', '/users', { username: 'divadmin', password: PASSWORD, role: 'admin', accessLevel: { kind: 'division', id: 'div' } });
  const token = (await a.auth.login('divadmin', PASSWORD, '127.0.0.1')).token;
  const r = await a.api('PATCH', '/enterprises/ent/history-retention', { historyRetentionDays: 1 }, { authorization: `Bearer ${token}` });
  t.equal(r.status, 404, 'as for the enterprise itself');
  t.equal(await retentionOf(), undefined, 'unchanged');
  const page = await a.request(await a.cookieOf('divadmin'), 'GET', '/console/retention');
  t.match(page.body, /Only someone whose access level is the whole enterprise changes how long its history is kept\./);
  t.notMatch(page.body, /id="days"/);
});

t.test('in French', async (t) => {
  t.equal((await a.request(admin, 'POST', '/console/language', { lang: 'fr', back: '/console/retention' })).statusCode, 303);
  t.teardown(() => a.request(admin, 'POST', '/console/language', { lang: 'en', back: '/console/retention' }));
  const page = await a.request(admin, 'GET', '/console/retention');
  t.match(page.body, /<h1>Conservation et effacement<\/h1>/);
  t.match(page.body, /L’historique est actuellement conservé sans limite\./);
  const bad = await a.request(admin, 'POST', '/console/retention', { keep: 'days', days: '40000' });
  t.match(bad.body, /<a href="#days">Saisissez un nombre entier de jours de 1 à 36500\.<\/a>/);
  t.match((await a.request(admin, 'GET', '/console/retention/erase/ben')).body, /Cette action est définitive\./);
});
