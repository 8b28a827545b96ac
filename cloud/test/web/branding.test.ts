// The console's branding screen as forms and pages (inject): a logo uploaded and colours chosen (picker or text) and
// checked through the API, a low-contrast pair and an SVG with a script refused at their fields, a bank's own
// branding set and removed, the preview and contrast shown, the logo through the public route, and who may open it.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { BAD_SVGS, pngOf } from '../branding/logo-files.ts';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';

let a: ConsoleApp;
let admin: string;
const COLOURS = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };

/** The branding form posted as the browser sends it (multipart), with a file when given. */
async function save(cookie: string, url: string, fields: Record<string, string>, file?: { data: Buffer | string; type: string; name: string }): Promise<LightMyRequestResponse> {
  const form = new FormData();
  form.set('csrf', await a.csrfOf(cookie));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('logo', file ? new Blob([file.data], { type: file.type }) : new Blob([]), file?.name ?? '');
  const r = new Response(form);
  return a.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': r.headers.get('content-type')! }, payload: Buffer.from(await r.arrayBuffer()) });
}

/** The colour fields as the page sent them (`was`) and as changed: text, picker, or both. */
function colourFields(c: Record<string, string>, was = { primary: '#0b4f9c', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' } as Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { colours: 'on' };
  for (const k of Object.keys(c)) Object.assign(out, { [k]: c[k]!, [`${k}Picker`]: was[k]!, [`${k}Was`]: was[k]! });
  return out;
}

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
  await a.api('POST', '/users', { username: 'plain', password: PASSWORD, role: 'operator' });
});

t.test('the page: the form with every control labelled, the banks, no branding yet', async (t) => {
  const page = await a.request(admin, 'GET', '/console/branding');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>Branding – /);
  t.match(page.body, /<form method="post" action="\/console\/branding" enctype="multipart\/form-data"/);
  t.match(page.body, /<label for="logo">New logo file<\/label>/);
  for (const k of ['primary', 'onPrimary', 'background', 'text']) {
    t.match(page.body, new RegExp(`<label for="${k}">`), `${k} labelled`);
    t.match(page.body, new RegExp(`<input type="color" id="${k}Picker" name="${k}Picker" value="#[0-9a-f]{6}" aria-label="`), `${k} has a picker`);
  }
  t.match(page.body, /Contrast \d+\.\d\d:1: enough/, "each pair's contrast");
  t.match(page.body, /<caption>Each bank and the branding it shows<\/caption>/);
  t.match(page.body, /href="\/console\/branding\/banks\/lobby">Branding of Lobby<\/a><\/th><td>The enterprise’s<\/td>/);
  t.notMatch(page.body, /style=/, 'no inline style');
});

t.test('a logo uploaded and colours chosen by text and by picker: saved through the API, shown with its preview', async (t) => {
  const png = pngOf(90, 30);
  const fields = colourFields({ primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' });
  // The text of the page colour left as it was, its picker moved: the picker's value wins.
  fields['textPicker'] = '#222222';
  const r = await save(admin, '/console/branding', fields, { data: png, type: 'image/png', name: 'logo.png' });
  t.equal(r.statusCode, 303, r.body.slice(0, 400));
  t.equal(r.headers.location, '/console/branding?done=saved');
  const saved = (await a.api('GET', '/enterprises/ent/branding')).json['branding'] as { colours: Json; logo: { sha256: string } };
  t.same(saved.colours, { ...COLOURS, text: '#222222' });
  const page = await a.request(admin, 'GET', '/console/branding?done=saved');
  t.match(page.body, /role="status"><p>The branding was saved\./);
  t.match(page.body, new RegExp(`<img class="brand-logo" src="/branding/${saved.logo.sha256}" alt="Current logo">`));
  t.match(page.body, /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="Preview: Text on buttons #ffffff \/ Button colour #004080, Contrast 10\.\d\d:1: enough; /);
  const file = await a.app.inject({ url: `/branding/${saved.logo.sha256}` });
  t.ok(file.rawPayload.equals(png), 'the logo served publicly as uploaded');

  // Saved again without a file: the logo is kept.
  const again = await save(admin, '/console/branding', { ...colourFields(COLOURS, COLOURS), logoWas: saved.logo.sha256 });
  t.equal(again.statusCode, 303);
  t.equal(((await a.api('GET', '/enterprises/ent/branding')).json['branding'] as { logo: { sha256: string } }).logo.sha256, saved.logo.sha256, 'the logo kept');
});

t.test('refusals at their fields: a low-contrast pair, an SVG with a script, a file that is not a logo', async (t) => {
  const before = (await a.api('GET', '/enterprises/ent/branding')).json;
  const low = await save(admin, '/console/branding', colourFields({ ...COLOURS, onPrimary: '#7f9fbf' }, COLOURS));
  t.equal(low.statusCode, 422);
  t.match(low.body, /<a href="#onPrimary">onPrimary #7f9fbf on primary #004080 has a contrast of 3\.72:1; WCAG AA needs at least 4\.5:1<\/a>/, 'in the error summary, linked');
  t.match(low.body, /<p class="field-error" id="onPrimary-error">onPrimary #7f9fbf/, 'at the field');
  t.match(low.body, /id="onPrimary" name="onPrimary" value="#7f9fbf"[^>]*aria-describedby="onPrimary-hint onPrimary-error" aria-invalid="true"/);
  t.match(low.body, /Contrast 3\.72:1: not enough/);

  const [, script] = BAD_SVGS[0]!;
  const svg = await save(admin, '/console/branding', colourFields(COLOURS, COLOURS), { data: script, type: 'image/svg+xml', name: 'evil.svg' });
  t.equal(svg.statusCode, 422);
  t.match(svg.body, /<a href="#logo">the SVG file is refused: the element &lt;script&gt; is not allowed in a logo<\/a>/);
  t.match(svg.body, /<input type="file" id="logo" name="logo"[^>]*aria-invalid="true"/);
  const gif = await save(admin, '/console/branding', colourFields(COLOURS, COLOURS), { data: 'GIF89a', type: 'image/gif', name: 'x.gif' });
  t.equal(gif.statusCode, 415);
  t.match(gif.body, /<a href="#logo">/);
  t.same((await a.api('GET', '/enterprises/ent/branding')).json, before, 'nothing changed');
});

t.test("a bank's own branding: set, shown in the list, removed", async (t) => {
  const dark = { primary: '#ffcc00', onPrimary: '#000000', background: '#101010', text: '#f0f0f0' };
  const page = await a.request(admin, 'GET', '/console/branding/banks/lobby');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>Branding of Lobby – /);
  t.match(page.body, /No logo of its own: the enterprise’s is shown\./);
  const r = await save(admin, '/console/branding/banks/lobby', colourFields(dark, COLOURS));
  t.equal(r.statusCode, 303);
  t.equal(r.headers.location, '/console/branding/banks/lobby?done=bank-saved');
  t.match((await a.api('GET', '/banks/lobby/branding')).json, { override: { colours: dark }, effective: { colours: dark, logo: {} } });
  t.match((await a.request(admin, 'GET', '/console/branding')).body, /Branding of Lobby<\/a><\/th><td>Its own<\/td>/);
  const removed = await a.request(admin, 'POST', '/console/branding/banks/lobby/remove');
  t.equal(removed.statusCode, 303);
  t.notOk('override' in (await a.api('GET', '/banks/lobby/branding')).json, 'the override removed');
});

t.test('the enterprise branding removed; who may open the screen; the anti-forgery token', async (t) => {
  const noToken = await a.request(admin, 'POST', '/console/branding/remove', {}, { csrf: '' });
  t.equal(noToken.statusCode, 403);
  const removed = await a.request(admin, 'POST', '/console/branding/remove');
  t.equal(removed.statusCode, 303);
  t.notOk('branding' in (await a.api('GET', '/enterprises/ent/branding')).json);
  const plain = await a.cookieOf('plain');
  t.equal((await a.request(plain, 'GET', '/console/branding')).statusCode, 403, 'an operator has no settings');
  t.equal((await a.request(plain, 'GET', '/console/branding/banks/lobby')).statusCode, 403);
  const settings = await a.request(admin, 'GET', '/console/settings');
  t.match(settings.body, /<a href="\/console\/branding">Branding<\/a>/, 'on the set-up page');
  const fr = await a.app.inject({ method: 'GET', url: '/console/branding', headers: { cookie: admin, 'accept-language': 'fr' } });
  t.equal(fr.statusCode, 200);
});
