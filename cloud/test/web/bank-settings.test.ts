// The console's bank settings screen (inject): every setting of the API's bank change has its field with its allowed
// range, a change is sent as the form holds it and read back through the API, nothing changed makes no change, each
// refusal (a range, a rule between settings, a value that is no number) is shown at its field with what was typed
// kept, in English and in French; who may open the screen.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { consoleApp, PASSWORD, type ConsoleApp } from './helpers.ts';

type Json = Record<string, unknown>;

let a: ConsoleApp;
let admin: string;

async function api(method: 'GET' | 'PATCH', url: string, payload?: unknown): Promise<Json> {
  const r = await a.app.inject({ method, url: `/api/v1${url}`, headers: a.admin, ...(payload !== undefined ? { payload: payload as Json } : {}) });
  return JSON.parse(r.body) as Json;
}
const bank = async (id: string) => (await api('GET', `/banks/${id}`))['bank'] as { name: string; rules: Json; timers?: Json; deliveryQuota: Json };

/** What the browser would send of the page's settings form: its text fields and its ticked boxes. */
function formFields(page: string): Array<[string, string]> {
  const form = /<form method="post" action="\/console\/bank-settings\/[^"]+" novalidate>([\s\S]*?)<\/form>/.exec(page)![1]!;
  const out: Array<[string, string]> = [];
  for (const [tag] of form.matchAll(/<input [^>]*>/g)) {
    const attr = (n: string) => new RegExp(` ${n}="([^"]*)"`).exec(tag)?.[1];
    const type = attr('type');
    if (type === 'checkbox' && !/ checked[ >]/.test(tag)) continue;
    out.push([attr('name')!, (attr('value') ?? '').replace(/&amp;/g, '&')]);
  }
  return out;
}

/** Posts the form of `page` with `changes` (a field's new value; `null` unticks a box). */
async function post(cookie: string, page: LightMyRequestResponse, bankId: string, changes: Record<string, string | string[] | null>): Promise<LightMyRequestResponse> {
  const fields = formFields(page.body).filter(([k]) => !(k in changes));
  for (const [k, v] of Object.entries(changes)) if (v !== null) for (const x of [v].flat()) fields.push([k, x]);
  const body = new URLSearchParams(fields);
  return a.app.inject({ method: 'POST', url: `/console/bank-settings/${bankId}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
}

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  await a.app.inject({ method: 'POST', url: '/api/v1/users', headers: a.admin, payload: { username: 'op', password: PASSWORD, role: 'operator' } });
  await a.app.inject({ method: 'POST', url: '/api/v1/users', headers: a.admin, payload: { username: 'claire', password: PASSWORD, role: 'admin', language: 'fr' } });
});

t.test('every setting has its field, its allowed range from the schemas, and the bank’s value', async (t) => {
  const page = await a.request(admin, 'GET', '/console/bank-settings?bank=annex');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>Bank settings – /);
  t.match(page.body, /<option value="annex" selected>Annex – Annex bank<\/option>/, 'the bank asked for, preselected');
  const ids = [...page.body.matchAll(/<input [^>]*id="([^"]+)"/g)].map((m) => m[1]);
  const rules = ['contactless', 'batchDropOff', 'noBarcodePackages', 'multiplePackagesPerCode', 'departmentPickup', 'pickupPinExpiryH', 'addToExistingLocker', 'openAllAtOnce', 'maxStorageH', 'storageModes', 'fixedStorageHours', 'flexibleStorageMaxH'];
  const timers = ['lockerAccessAfterPickupS', 'returnHomeAfterPickupS', 'returnHomeOnInactivityS', 'adminSessionTimeoutS', 'doorLeftOpenS', 'dropOffReopenGraceS'];
  t.same(
    ids.filter((x) => x !== 'name' && !/^rules-storageModes-/.test(x!)).sort(),
    [...rules.map((r) => `rules-${r}`), ...timers.map((k) => `timers-${k}`), ...['XS', 'S', 'M', 'L', 'XL'].map((s) => `quota-${s}`)].sort(),
    'every rule, timer and size',
  );
  t.match(page.body, /<p class="hint" id="timers-doorLeftOpenS-hint">[^<]*From 10 to 3600 seconds\.<\/p><input type="text" inputmode="numeric" class="short" id="timers-doorLeftOpenS" name="timers-doorLeftOpenS" value="120"/, 'a timer: range and default');
  t.match(page.body, /id="timers-dropOffReopenGraceS-hint">[^<]*From 0 to 600 seconds\.<\/p><input[^>]*value="0"/, 'the reopen grace');
  t.match(page.body, /id="rules-maxStorageH-hint">[^<]*From 1 to 720 hours\.<\/p><input[^>]*value="12"/);
  t.match(page.body, /id="rules-fixedStorageHours-hint">[^<]*Up to 6 durations, each from 1 to 720 hours\./);
  t.match(page.body, /id="quota-M-hint">From 0 to 9999 lockers\.<\/p>/);
  t.match(page.body, /<input type="checkbox" id="rules-storageModes" name="rules-storageModes" value="fixed" checked/, 'every storage mode offered by default');
  t.match(page.body, /<input type="checkbox" id="rules-contactless" name="rules-contactless" value="on" aria-describedby="rules-contactless-hint">/, 'contactless sign-in off by default');
});

t.test('a change of many settings, read back through the API; nothing changed is no change', async (t) => {
  const page = await a.request(admin, 'GET', '/console/bank-settings?bank=lobby');
  const r = await post(admin, page, 'lobby', {
    name: 'Lobby east',
    'timers-doorLeftOpenS': '90',
    'timers-dropOffReopenGraceS': '30',
    'rules-contactless': 'on',
    'rules-openAllAtOnce': 'on',
    'rules-batchDropOff': null,
    'rules-pickupPinExpiryH': '48',
    'rules-storageModes': ['fixed', 'flexible'],
    'rules-fixedStorageHours': '2, 4',
    'rules-flexibleStorageMaxH': '6',
    'quota-S': '2',
  });
  t.equal(r.statusCode, 303);
  t.equal(r.headers.location, '/console/bank-settings?bank=lobby&done=saved');
  const b = await bank('lobby');
  t.equal(b.name, 'Lobby east');
  t.match(b.timers, { doorLeftOpenS: 90, dropOffReopenGraceS: 30, returnHomeOnInactivityS: 60 });
  t.match(b.rules, { contactless: true, openAllAtOnce: true, batchDropOff: false, pickupPinExpiryH: 48, storageModes: ['fixed', 'flexible'], fixedStorageHours: [2, 4], flexibleStorageMaxH: 6 });
  t.same(b.deliveryQuota, { S: 2 });
  const shown = await a.request(admin, 'GET', String(r.headers.location));
  t.match(shown.body, /role="status"><p>The settings were saved/);
  t.match(shown.body, /id="rules-fixedStorageHours" name="rules-fixedStorageHours" value="2, 4"/, 'the saved values shown');

  const count = async () => (await a.service.store.queryActivity({ bankId: 'lobby', limit: 1000 })).items.length;
  const before = await count();
  const same = await post(admin, shown, 'lobby', {});
  t.equal(same.headers.location, '/console/bank-settings?bank=lobby&done=unchanged');
  t.equal(await count(), before, 'nothing recorded');
  t.match((await a.request(admin, 'GET', String(same.headers.location))).body, /Nothing was changed\./);
});

t.test('refusals at their field, what was typed kept', async (t) => {
  const page = await a.request(admin, 'GET', '/console/bank-settings?bank=annex');
  const before = await bank('annex');
  const range = await post(admin, page, 'annex', { 'timers-doorLeftOpenS': '5', 'rules-maxStorageH': '10' });
  t.equal(range.statusCode, 400);
  t.match(range.body, /<a href="#timers-doorLeftOpenS">Door left open: this value is not allowed\. From 10 to 3600 seconds\.<\/a>/, 'the summary names the field and what it allows');
  t.match(range.body, /<p class="field-error" id="timers-doorLeftOpenS-error">Door left open: this value is not allowed\. From 10 to 3600 seconds\.<\/p><input [^>]*id="timers-doorLeftOpenS" name="timers-doorLeftOpenS" value="5" maxlength="40" autocomplete="off" aria-describedby="timers-doorLeftOpenS-hint timers-doorLeftOpenS-error" aria-invalid="true">/);
  t.match(range.body, /id="rules-maxStorageH" name="rules-maxStorageH" value="10"/, 'the other values as typed');

  const rule = await post(admin, page, 'annex', { 'rules-fixedStorageHours': '2, 48' });
  t.equal(rule.statusCode, 422, "a rule between settings: the API's");
  t.match(rule.body, /id="rules-fixedStorageHours-error">every duration must be at most maxStorageH \(12\)<\/p>/);
  const timers = await post(admin, page, 'annex', { 'timers-returnHomeAfterPickupS': '100' });
  t.match(timers.body, /<a href="#timers-returnHomeAfterPickupS">must not be longer than returnHomeOnInactivityS<\/a>/, "a rule between settings: the API's words, without its name of the field");
  const word = await post(admin, page, 'annex', { 'quota-M': 'two' });
  t.equal(word.statusCode, 400);
  t.match(word.body, /id="quota-M-error">Size M: this value is not allowed\. From 0 to 9999 lockers\.<\/p><input [^>]*value="two"[^>]*aria-invalid="true"/);
  const modes = await post(admin, page, 'annex', { 'rules-storageModes': ['fixed', 'fixed'] });
  t.equal(modes.statusCode, 303, 'a mode ticked twice is one mode');
  t.same((await bank('annex')).rules['storageModes'], ['fixed']);
  await api('PATCH', '/banks/annex', { rules: { storageModes: ['fixed', 'flexible', 'no-end'] } });
  t.same({ ...(await bank('annex')), rules: before.rules }, before, 'no refused change stored');
});

t.test('in French: the words, ranges and refusals in French, the API’s words marked as English', async (t) => {
  const claire = await a.cookieOf('claire');
  const page = await a.request(claire, 'GET', '/console/bank-settings?bank=annex');
  t.match(page.body, /<html lang="fr">/);
  t.match(page.body, /<title>Paramètres des blocs – /);
  t.match(page.body, /id="timers-doorLeftOpenS-hint">[^<]*De 10 à 3600 secondes\.<\/p>/);
  t.match(page.body, /<label for="rules-contactless">Connexion sans contact<\/label>/);
  const r = await post(claire, page, 'annex', { 'rules-pickupPinExpiryH': '0' });
  t.equal(r.statusCode, 400);
  t.match(r.body, /id="rules-pickupPinExpiryH-error">Validité du code de retrait : cette valeur n’est pas permise\. De 1 à 2160 heures\.<\/p>/, 'out of range: in French');
  t.match(r.body, /<a href="#rules-pickupPinExpiryH">Validité du code de retrait : /);
  const rule = await post(claire, page, 'annex', { 'rules-fixedStorageHours': '48' });
  t.equal(rule.statusCode, 422);
  t.match(rule.body, /id="rules-fixedStorageHours-error"><span lang="en">every duration must be at most maxStorageH \(12\)<\/span><\/p>/, "a rule between settings: the API's words, marked as English");
  t.match(rule.body, /<a href="#rules-fixedStorageHours"><span lang="en">every duration/);
});

t.test('who may open the screen; anti-forgery', async (t) => {
  const op = await a.cookieOf('op');
  t.equal((await a.request(op, 'GET', '/console/bank-settings')).statusCode, 403);
  t.equal((await a.request(op, 'POST', '/console/bank-settings/lobby', { name: 'Mine' })).statusCode, 403);
  t.equal((await a.request(admin, 'POST', '/console/bank-settings/lobby', { name: 'Forged' }, { csrf: '' })).statusCode, 403);
  t.not((await bank('lobby')).name, 'Forged');
  t.equal((await a.request(admin, 'POST', '/console/bank-settings/nowhere', { name: 'X' })).statusCode, 404);
  t.equal((await a.request(admin, 'GET', '/console/bank-settings/annex')).headers.location, '/console/bank-settings?bank=annex', 'the address of the post leads to its page');
  t.match((await a.request(admin, 'GET', '/console/settings')).body, /href="\/console\/bank-settings">Bank settings</);
});
