// The console's custom fields screen as forms and pages (inject): the list, a field added, edited and removed (each
// checked through the API), the API's refusals shown at the field they name with what was typed kept, a type that
// cannot change, and who may open the screen.
import t from 'tap';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';


let a: ConsoleApp;
let admin: string;

async function fields(includeRemoved = false): Promise<Json[]> {
  return (await a.api('GET', `/custom-fields${includeRemoved ? '?includeRemoved=true' : ''}`)).json['customFields'] as Json[];
}

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  await a.api('POST', '/users', { username: 'plain', password: PASSWORD, role: 'operator' });
});

t.test('the list: empty at first, then each field with its labels, type, options, required and records', async (t) => {
  const empty = await a.request(admin, 'GET', '/console/custom-fields');
  t.equal(empty.statusCode, 200);
  t.match(empty.body, /<title>Custom fields/);
  t.match(empty.body, /There are no custom fields yet\./);
  t.match(empty.body, /0 of 10 custom fields in use\./, 'the limit, read from the API’s constant');
  await a.api('POST', '/custom-fields', { id: 'shift', label: { en: 'Shift', fr: 'Équipe' }, type: 'choice', options: ['Day', 'Night'], required: true, appliesTo: ['users', 'contacts'] });
  const list = await a.request(admin, 'GET', '/console/custom-fields');
  t.match(list.body, /<th scope="row"><a href="\/console\/custom-fields\/shift">Shift<\/a><\/th><td lang="fr">Équipe<\/td><td>Choice from a list<\/td><td><ul class="plain"><li>Day<\/li><li>Night<\/li><\/ul><\/td><td>Yes<\/td><td>Users, Contacts<\/td>/);
  t.match(list.body, /<caption>Custom fields of the enterprise<\/caption>/);
  await a.api('DELETE', '/custom-fields/shift');
});

t.test('add, edit and remove a field through the forms: each checked through the API', async (t) => {
  const form = await a.request(admin, 'GET', '/console/custom-fields/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, /<select id="type" name="type"[^>]*><option value="text" selected>Text<\/option>/);
  t.match(form.body, /<fieldset aria-describedby="appliesTo-hint"><legend>Appears on<\/legend>/);

  const add = await a.post(admin, '/console/custom-fields/new', [
    ['labelEn', 'Cost centre'],
    ['labelFr', 'Centre de coût'],
    ['type', 'choice'],
    ['options', 'CC-1\r\n\r\n CC-2 \n'],
    ['required', 'on'],
    ['appliesTo', 'contacts'],
    ['appliesTo', 'reservations'],
  ]);
  t.equal(add.statusCode, 303, add.body);
  t.match(add.headers.location, /^\/console\/custom-fields\/[^/?]+\?done=added$/);
  const made = (await fields()).find((f) => (f['label'] as Json)['en'] === 'Cost centre')!;
  t.match(made, { label: { en: 'Cost centre', fr: 'Centre de coût' }, type: 'choice', options: ['CC-1', 'CC-2'], required: true, appliesTo: ['contacts', 'reservations'] }, 'added, as the API says');
  const id = String(made['id']);

  const shown = await a.request(admin, 'GET', String(add.headers.location));
  t.match(shown.body, /role="status"><p>The custom field was added\./);
  t.match(shown.body, /<strong>Type:<\/strong> Choice from a list <span class="muted">\(The type of a field cannot change\.\)<\/span>/, 'the type shown, not offered');
  t.notMatch(shown.body, /<select id="type"/);
  t.match(shown.body, /<textarea id="options" name="options"[^>]*>CC-1\nCC-2<\/textarea>/);

  const edit = await a.post(admin, `/console/custom-fields/${id}`, [
    ['labelEn', 'Cost center'],
    ['labelFr', 'Centre de coût'],
    ['options', 'CC-1\nCC-2\nCC-3'],
    ['appliesTo', 'users'],
  ]);
  t.equal(edit.statusCode, 303, edit.body);
  t.equal(edit.headers.location, `/console/custom-fields/${id}?done=saved`);
  t.match((await fields()).find((f) => f['id'] === id), { label: { en: 'Cost center' }, options: ['CC-1', 'CC-2', 'CC-3'], required: false, appliesTo: ['users'] }, 'edited, as the API says');

  const removed = await a.post(admin, `/console/custom-fields/${id}/delete`, []);
  t.equal(removed.statusCode, 303);
  t.equal(removed.headers.location, '/console/custom-fields?done=removed');
  t.notOk((await fields()).some((f) => f['id'] === id), 'no longer live');
  t.ok((await fields(true)).find((f) => f['id'] === id)?.['removedAt'], 'kept for history, as the API says');
  t.equal((await a.request(admin, 'GET', `/console/custom-fields/${id}`)).statusCode, 404, 'its page is gone');
  t.match((await a.request(admin, 'GET', '/console/custom-fields?done=removed')).body, /role="status"><p>The custom field was removed\./);
});

t.test("the API's refusals at the field they name, what was typed kept", async (t) => {
  const noRecord = await a.post(admin, '/console/custom-fields/new', [
    ['labelEn', 'Badge colour'],
    ['labelFr', 'Couleur du badge'],
    ['type', 'text'],
  ]);
  t.equal(noRecord.statusCode, 400);
  t.match(noRecord.body, /class="errors" role="alert"/);
  t.match(noRecord.body, /<a href="#appliesTo-users">/, 'the summary links to the first box of the group');
  t.match(noRecord.body, /<p class="field-error" id="appliesTo-users-error">[^<]+<\/p><label class="choice" for="appliesTo-users"><input type="checkbox" id="appliesTo-users" name="appliesTo" value="users" aria-describedby="appliesTo-users-error" aria-invalid="true">/);
  t.match(noRecord.body, /id="labelEn" name="labelEn" value="Badge colour"/, 'what was typed kept');

  const optionsOnText = await a.post(admin, '/console/custom-fields/new', [
    ['labelEn', 'Badge colour'],
    ['labelFr', 'Couleur du badge'],
    ['type', 'text'],
    ['options', 'Red'],
    ['appliesTo', 'users'],
  ]);
  t.equal(optionsOnText.statusCode, 400);
  t.match(optionsOnText.body, /<a href="#options">only a choice has options<\/a>/, "the API's words, at the options");

  await a.api('POST', '/custom-fields', { id: 'floor', label: { en: 'Floor', fr: 'Étage' }, type: 'number', appliesTo: ['contacts'] });
  const taken = await a.post(admin, '/console/custom-fields/new', [
    ['labelEn', 'FLOOR'],
    ['labelFr', 'Niveau'],
    ['type', 'text'],
    ['appliesTo', 'contacts'],
  ]);
  t.equal(taken.statusCode, 409);
  t.match(taken.body, /<a href="#labelEn">custom field floor is already labelled &quot;Floor&quot;<\/a>/);
  t.match(taken.body, /id="labelEn-error">custom field floor is already labelled &quot;Floor&quot;<\/p><input type="text" id="labelEn"[^>]*aria-invalid="true"/);

  const fr = await a.cookieOf('admin');
  await a.api('PATCH', '/auth/me', { language: 'fr' });
  const longLabel = await a.post(fr, '/console/custom-fields/floor', [
    ['labelEn', 'x'.repeat(65)],
    ['labelFr', 'Étage'],
    ['appliesTo', 'contacts'],
  ]);
  t.equal(longLabel.statusCode, 400);
  t.match(longLabel.body, /<html lang="fr">/);
  t.match(longLabel.body, /<a href="#labelEn"><span lang="en">[^<]+<\/span><\/a>/, "the API's English words marked as such on a French page");
  t.match((await fields()).find((f) => f['id'] === 'floor'), { label: { en: 'Floor' } }, 'nothing changed');
  await a.api('PATCH', '/auth/me', { language: 'en' });
  await a.api('DELETE', '/custom-fields/floor');
});

t.test('who may: a role without settings is refused every page and post; a post without its token changes nothing', async (t) => {
  await a.api('POST', '/custom-fields', { id: 'desk', label: { en: 'Desk', fr: 'Bureau' }, type: 'text', appliesTo: ['users'] });
  const plain = await a.cookieOf('plain');
  for (const url of ['/console/custom-fields', '/console/custom-fields/new', '/console/custom-fields/desk']) t.equal((await a.request(plain, 'GET', url)).statusCode, 403, url);
  for (const url of ['/console/custom-fields/new', '/console/custom-fields/desk', '/console/custom-fields/desk/delete'])
    t.equal((await a.post(plain, url, [['labelEn', 'Mine'], ['labelFr', 'Le mien'], ['type', 'text'], ['appliesTo', 'users']])).statusCode, 403, `POST ${url}`);
  t.match((await fields()).find((f) => f['id'] === 'desk'), { label: { en: 'Desk' } }, 'nothing changed');
  t.notMatch((await a.request(plain, 'GET', '/console/settings')).body, /\/console\/custom-fields/, 'not offered on the set-up page');
  t.match((await a.request(admin, 'GET', '/console/settings')).body, /<a href="\/console\/custom-fields">Custom fields<\/a>/, 'offered to the administrator');

  const forged = await a.post(admin, '/console/custom-fields/desk/delete', [], 'forged');
  t.equal(forged.statusCode, 403);
  t.match(forged.body, /This form has expired/);
  t.ok((await fields()).some((f) => f['id'] === 'desk'), 'not removed');
  t.equal((await a.request(admin, 'GET', '/console/custom-fields/nope')).statusCode, 404, 'an unknown field');
});
