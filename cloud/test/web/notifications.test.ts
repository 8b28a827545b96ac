// The console's notifications screen as forms and pages (inject): the kinds of e-mail with the words each language
// uses, words saved, previewed (shown as text, never as the e-mail's markup) and reset (each checked through the API),
// the API's refusal of a placeholder at the subject or body it names, who is told of each event changed and restored,
// and who may open the screen.
import t from 'tap';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';


let a: ConsoleApp;
let admin: string;

/** The enterprise's words of a kind and language, as the API answers them. */
async function words(kind: string, language: 'en' | 'fr'): Promise<Json> {
  const kinds = (await a.api('GET', '/notification-templates')).json['templates'] as Json[];
  return (kinds.find((k) => k['kind'] === kind)!['languages'] as Json)[language] as Json;
}

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  await a.api('POST', '/users', { username: 'plain', password: PASSWORD, role: 'operator' });
});

t.test('the list: every kind with the words each language uses, and who is told of each event', async (t) => {
  await a.api('PUT', '/notification-templates/reminder/fr', { subject: 'Toujours là : {{item}}', body: 'Bonjour {{recipientName}}.' });
  const page = await a.request(admin, 'GET', '/console/notifications');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>Notifications/);
  t.match(page.body, /<caption>Kinds of e-mail and the words they use in each language<\/caption>/);
  t.match(page.body, /<th scope="row">Reminder<p class="hint">[^<]+<\/p><\/th><td><a href="\/console\/notifications\/reminder\/en">Edit<span class="visually-hidden"> the English words of “Reminder”<\/span><\/a> <span class="muted">Built-in words<\/span><\/td><td><a href="\/console\/notifications\/reminder\/fr">Edit<span class="visually-hidden"> the French words of “Reminder”<\/span><\/a> <span class="tag own">Your own words<\/span><\/td>/);
  t.equal((page.body.match(/<tr><th scope="row">/g) ?? []).length, 11, 'every kind of e-mail');
  t.match(page.body, /<fieldset><legend>Parcel ready<\/legend><label class="choice" for="rule-parcel-ready-recipient"><input type="checkbox" id="rule-parcel-ready-recipient" name="rule-parcel-ready" value="recipient" checked>/, 'the recipient by default');
  t.notMatch(page.body, /id="rule-parcel-ready-keyContact"[^>]*checked/);
  await a.api('DELETE', '/notification-templates/reminder/fr');
});

t.test('words: saved, previewed as text, reset; each checked through the API', async (t) => {
  const form = await a.request(admin, 'GET', '/console/notifications/parcel-ready/en');
  t.equal(form.statusCode, 200);
  t.match(form.body, /<title>E-mail “Parcel ready” in English/);
  t.match(form.body, /<p>These e-mails use the built-in words\.<\/p>/);
  t.match(form.body, /<input type="text" id="subject" name="subject" value="Your \{\{item\}\} is ready for pickup at \{\{bank\}\}"/, 'the current words in the form');
  t.match(form.body, /<th scope="row"><code>\{\{pickupCode\}\}<\/code><\/th><td>The pickup code <strong>Not in the subject\.<\/strong><\/td>/, 'the placeholders explained');
  t.notMatch(form.body, /Use the built-in words again/, 'nothing to reset yet');

  const subject = 'Parcel for {{recipientName}} at {{bank}}';
  const body = 'Hello {{recipientName}},\n\nYour <b>{{item}}</b> waits in locker {{lockerNumber}}. Code: {{pickupCode}}';
  const preview = await a.post(admin, '/console/notifications/parcel-ready/en', [['subject', subject], ['body', body], ['intent', 'preview']]);
  t.equal(preview.statusCode, 200);
  t.match(preview.body, /<section id="preview" class="panel setup-panel"/);
  t.match(preview.body, /<dd lang="en">Parcel for Ada Lovelace at Lobby<\/dd>/, 'the subject with made-up content');
  t.match(preview.body, /<pre class="mail-preview" lang="en">Hello Ada Lovelace,\n\nYour &lt;b&gt;parcel&lt;\/b&gt; waits in locker 12\. Code: 482913/, 'the text part, escaped');
  t.match(preview.body, /<details><summary>HTML source of the e-mail<\/summary><pre class="mail-preview" lang="en">&lt;!DOCTYPE html&gt;/, 'the HTML part as source, never as markup');
  t.notMatch(preview.body, /<b>parcel<\/b>/, 'no markup of the e-mail in the page');
  t.match(preview.body, /value="Parcel for \{\{recipientName\}\} at \{\{bank\}\}"/, 'what was typed kept');
  t.notOk((await words('parcel-ready', 'en'))['own'], 'a preview saves nothing');

  const save = await a.post(admin, '/console/notifications/parcel-ready/en', [['subject', subject], ['body', body], ['intent', 'save']]);
  t.equal(save.statusCode, 303);
  t.equal(save.headers.location, '/console/notifications/parcel-ready/en?done=saved');
  t.match((await words('parcel-ready', 'en'))['own'], { subject, body }, 'saved, as the API says');
  const saved = await a.request(admin, 'GET', String(save.headers.location));
  t.match(saved.body, /role="status"><p>The words were saved: the next e-mails use them\./);
  t.match(saved.body, /<span class="tag own">Your own words<\/span> These e-mails use your own words\./);

  const reset = await a.post(admin, '/console/notifications/parcel-ready/en/reset', []);
  t.equal(reset.statusCode, 303);
  t.equal(reset.headers.location, '/console/notifications/parcel-ready/en?done=reset');
  t.notOk((await words('parcel-ready', 'en'))['own'], 'back to the built-in words, as the API says');
});

t.test("the API's refusal at the field it names: a code in the subject, an unknown placeholder in the body", async (t) => {
  const inSubject = await a.post(admin, '/console/notifications/parcel-ready/fr', [['subject', 'Code {{pickupCode}}'], ['body', 'Bonjour'], ['intent', 'save']]);
  t.equal(inSubject.statusCode, 400);
  t.match(inSubject.body, /<a href="#subject">\{\{pickupCode\}\} cannot be in a subject/);
  t.match(inSubject.body, /id="subject-error">\{\{pickupCode\}\} cannot be in a subject[^<]*<\/p><input type="text" id="subject" name="subject" value="Code \{\{pickupCode\}\}"[^>]*aria-invalid="true"/);
  const unknown = await a.post(admin, '/console/notifications/parcel-ready/fr', [['subject', 'Colis'], ['body', 'Bonjour {{nom}}'], ['intent', 'preview']]);
  t.equal(unknown.statusCode, 400, 'a preview is refused the same way');
  t.match(unknown.body, /<a href="#body">unknown placeholder \{\{nom\}\}/);
  t.match(unknown.body, /<textarea id="body" name="body"[^>]*aria-describedby="body-hint body-error" aria-invalid="true">Bonjour \{\{nom\}\}<\/textarea>/);
  t.notOk((await words('parcel-ready', 'fr'))['own'], 'nothing saved');
  t.equal((await a.request(admin, 'GET', '/console/notifications/nothing/en')).statusCode, 404, 'an unknown kind');
  t.equal((await a.request(admin, 'GET', '/console/notifications/welcome/de')).statusCode, 404, 'an unknown language');
});

t.test('who is told: changed and restored through the form, checked through the API', async (t) => {
  const change = await a.post(admin, '/console/notifications/rules', [
    ['rule-parcel-ready', 'recipient'],
    ['rule-parcel-ready', 'keyContact'],
    ['rule-reminder', 'reservedBy'],
    ['rule-expiring-soon', 'recipient'],
    ['rule-picked-up', 'recipient'],
  ]);
  t.equal(change.statusCode, 303);
  t.equal(change.headers.location, '/console/notifications?done=rules-saved');
  t.same((await a.api('GET', '/notification-rules')).json['rules'], { 'parcel-ready': ['recipient', 'keyContact'], reminder: ['reservedBy'], 'expiring-soon': ['recipient'], expired: [], 'picked-up': ['recipient'] }, 'an event with no box ticked tells nobody');
  const shown = await a.request(admin, 'GET', '/console/notifications?done=rules-saved');
  t.match(shown.body, /role="status"><p>Who is told was saved\./);
  t.match(shown.body, /id="rule-parcel-ready-keyContact" name="rule-parcel-ready" value="keyContact" checked>/);
  const forged = await a.post(admin, '/console/notifications/rules', [['rule-expired', 'everyone']]);
  t.equal(forged.statusCode, 400, 'an audience the form never offers');
  const restore = await a.post(admin, '/console/notifications/rules', ['parcel-ready', 'reminder', 'expiring-soon', 'expired', 'picked-up'].map((e) => [`rule-${e}`, 'recipient'] as [string, string]));
  t.equal(restore.statusCode, 303);
  t.same(Object.values((await a.api('GET', '/notification-rules')).json['rules'] as Json), [['recipient'], ['recipient'], ['recipient'], ['recipient'], ['recipient']], 'restored');
});

t.test('who may: a role without settings is refused; a post without its token changes nothing', async (t) => {
  const plain = await a.cookieOf('plain');
  for (const url of ['/console/notifications', '/console/notifications/welcome/en']) t.equal((await a.request(plain, 'GET', url)).statusCode, 403, url);
  for (const url of ['/console/notifications/rules', '/console/notifications/welcome/en', '/console/notifications/welcome/en/reset'])
    t.equal((await a.post(plain, url, [['subject', 'Hi'], ['body', 'Set it: {{link}}'], ['intent', 'save']])).statusCode, 403, `POST ${url}`);
  t.notOk((await words('welcome', 'en'))['own'], 'nothing saved by them');
  t.match((await a.request(admin, 'GET', '/console/settings')).body, /<a href="\/console\/notifications">Notifications<\/a>/);
  const forged = await a.post(admin, '/console/notifications/welcome/en', [['subject', 'Hi'], ['body', 'Set it: {{link}}'], ['intent', 'save']], 'forged');
  t.equal(forged.statusCode, 403);
  t.notOk((await words('welcome', 'en'))['own'], 'nothing saved');
});
