// Branding through the API: colours checked for contrast (the field and the ratio named), logo files checked (PNG by
// structure, SVG strictly), set / override / clear, the public route's headers, the permission and the tenancy, and
// the kiosks told (bank-changed) of every change.
import t from 'tap';
import { makeTestApp, seedModel } from '../http/helpers.ts';
import { BAD_SVGS, GOOD_SVG, pngOf } from './logo-files.ts';

const ta = await makeTestApp();
t.teardown(() => ta.app.close());
await seedModel(ta.service);
const admin = ta.headers('admin');
type ErrorJson = { error: { code: string; field?: string; message: string } };
const GOOD = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };
const upload = (body: Buffer | string, type: string, headers = admin) =>
  ta.app.inject({ method: 'POST', url: '/api/v1/enterprises/ent/branding/logos', headers: { ...headers, 'content-type': type }, payload: body });
const put = (payload: unknown, url = '/api/v1/enterprises/ent/branding') => ta.app.inject({ method: 'PUT', url, headers: admin, payload: payload as object });
const banksChanged: string[] = [];
ta.service.on('bank-changed', (e) => banksChanged.push(e.bank.id));

t.test('a colour pair below 4.5:1 is refused naming the field and the ratio; nothing stored', async (t) => {
  const low = await put({ colours: { ...GOOD, onPrimary: '#7f9fbf' } });
  t.equal(low.statusCode, 422, low.body);
  const e = low.json<ErrorJson>().error;
  t.equal(e.field, 'body.colours.onPrimary');
  t.match(e.message, /onPrimary #7f9fbf on primary #004080 has a contrast of 3\.\d\d:1; WCAG AA needs at least 4\.5:1/);
  const text = await put({ colours: { ...GOOD, text: '#777777' } });
  t.equal(text.json<ErrorJson>().error.field, 'body.colours.text', '#777 on white is 4.478:1: refused');
  t.match(text.json<ErrorJson>().error.message, /4\.47:1/, 'the ratio rounded down, never shown as passing');
  const hex = await put({ colours: { ...GOOD, primary: 'blue' } });
  t.equal(hex.statusCode, 400);
  t.equal(hex.json<ErrorJson>().error.field, 'body.colours.primary');
  t.equal(ta.store.count('brandings'), 0);
});

t.test('logo files: PNG by its structure, SVG strictly; refused ones named and not stored', async (t) => {
  const png = pngOf(200, 80);
  const ok = await upload(png, 'image/png');
  t.equal(ok.statusCode, 201, ok.body);
  const logo = ok.json<{ logo: { sha256: string; type: string; bytes: number; url: string } }>().logo;
  t.match(logo, { type: 'image/png', bytes: png.length, url: `https://lockers.example.com/branding/${logo.sha256}` });
  t.match(logo.sha256, /^[0-9a-f]{64}$/);
  const again = await upload(png, 'image/png');
  t.equal(again.json<{ logo: { sha256: string } }>().logo.sha256, logo.sha256, 'the same file, the same hash');
  t.equal(ta.store.count('brandAssets'), 1, 'stored once');

  const refusals: [string, Buffer | string, string, RegExp][] = [
    ['a PNG that is not one', Buffer.from('GIF89a not a png at all, padded to look long enough........'), 'image/png', /not a PNG/],
    ['a PNG too large in pixels', pngOf(5000, 10), 'image/png', /5000 × 10 pixels/],
    ['a truncated PNG', png.subarray(0, png.length - 6), 'image/png', /truncated/],
    ['a file over the size limit', Buffer.concat([png, Buffer.alloc(300 * 1024)]), 'image/png', /at most 256 kB/],
    ['an empty file', Buffer.alloc(0), 'image/svg+xml', /empty/],
    ...BAD_SVGS.map(([what, svg, msg]): [string, string, string, RegExp] => [`an SVG with ${what}`, svg, 'image/svg+xml', msg]),
  ];
  for (const [what, body, type, message] of refusals) {
    const res = await upload(body, type);
    t.equal(res.statusCode, 422, `${what}: ${res.body}`);
    t.match(res.json<ErrorJson>().error, { field: 'body', message }, what);
  }
  const json = await ta.app.inject({ method: 'POST', url: '/api/v1/enterprises/ent/branding/logos', headers: admin, payload: { logo: 'x' } });
  t.equal(json.statusCode, 415, 'JSON is not a logo');
  t.equal(json.json<ErrorJson>().error.field, 'headers.content-type');
  const gif = await upload(Buffer.from('GIF89a'), 'image/gif');
  t.equal(gif.statusCode, 415, 'another image type');
  t.equal(ta.store.count('brandAssets'), 1, 'nothing else stored');
});

t.test('an SVG is stored as re-written from what was checked, and served sandboxed', async (t) => {
  const res = await upload(GOOD_SVG, 'image/svg+xml; charset=utf-8');
  t.equal(res.statusCode, 201, res.body);
  const logo = res.json<{ logo: { sha256: string; bytes: number } }>().logo;
  const got = await ta.app.inject({ url: `/branding/${logo.sha256}` });
  t.equal(got.statusCode, 200);
  t.equal(got.headers['content-type'], 'image/svg+xml');
  t.equal(got.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.equal(got.headers['x-content-type-options'], 'nosniff');
  t.equal(got.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  t.equal(got.body.length, logo.bytes);
  t.notMatch(got.body, /<\?xml|<!--/, 'the declaration and comments are not kept');
  t.match(got.body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 120 40"/);
  t.match(got.body, /<title>Acme &amp; Co<\/title>/, 'text escaped again');
  const missing = await ta.app.inject({ url: `/branding/${'0'.repeat(64)}` });
  t.equal(missing.statusCode, 404);
  t.equal((await ta.app.inject({ url: '/branding/not-a-hash' })).statusCode, 400);
});

t.test('set, override per bank, read, clear; kiosks told; audited', async (t) => {
  const png = (await upload(pngOf(100, 100), 'image/png')).json<{ logo: { sha256: string } }>().logo.sha256;
  t.equal((await put({ colours: GOOD, logo: 'f'.repeat(64) })).json<ErrorJson>().error.field, 'body.logo', 'an unknown logo is named');
  banksChanged.length = 0;
  const set = await put({ colours: GOOD, logo: png });
  t.equal(set.statusCode, 200, set.body);
  t.match(set.json(), { enterpriseId: 'ent', branding: { colours: GOOD, logo: { sha256: png, type: 'image/png' } }, banks: [{ bankId: 'bank' }] });
  t.same(banksChanged, ['bank'], "the enterprise's bank is told");

  const dark = { primary: '#ffcc00', onPrimary: '#000000', background: '#101010', text: '#f0f0f0' };
  const over = await put({ colours: dark }, '/api/v1/banks/bank/branding');
  t.equal(over.statusCode, 200, over.body);
  t.match(over.json(), { bankId: 'bank', override: { colours: dark }, effective: { colours: dark, logo: { sha256: png } } }, 'the logo comes from the enterprise');
  t.notOk('logo' in over.json<{ override: object }>().override);
  const read = await ta.app.inject({ url: '/api/v1/enterprises/ent/branding', headers: admin });
  t.match(read.json(), { banks: [{ bankId: 'bank', name: 'Lobby', override: { colours: dark } }] });

  const cleared = await ta.app.inject({ method: 'DELETE', url: '/api/v1/banks/bank/branding', headers: admin });
  t.same(cleared.json<{ effective: { colours: unknown } }>().effective.colours, GOOD, 'back to the enterprise');
  t.equal((await ta.app.inject({ method: 'DELETE', url: '/api/v1/banks/bank/branding', headers: admin })).statusCode, 404, 'nothing left to remove');
  const gone = await ta.app.inject({ method: 'DELETE', url: '/api/v1/enterprises/ent/branding', headers: admin });
  t.equal(gone.statusCode, 200);
  t.notOk('branding' in gone.json<object>());
  const audit = (await ta.store.queryActivity({ limit: 100, type: 'admin-change' })).items.map((a) => a.detail);
  t.ok(['logo uploaded', 'branding set', 'branding removed'].every((d) => audit.includes(d)), 'audited');
});

t.test('unused logo files go a day after their upload, named ones stay', async (t) => {
  const kept = (await upload(pngOf(10, 10, [1, 2, 3]), 'image/png')).json<{ logo: { sha256: string } }>().logo.sha256;
  await put({ logo: kept });
  const n = ta.store.count('brandAssets');
  // Through the service: the API's sessions would have expired a day later.
  ta.clock.now += 25 * 3600_000;
  t.teardown(() => void (ta.clock.now -= 25 * 3600_000));
  await ta.service.branding.setEnterprise('ent', { logo: kept, colours: GOOD }, { role: 'admin', id: 'u' });
  t.equal(ta.store.count('brandAssets'), 1, `the ${n - 1} unused files dropped: ${ta.store.list('brandAssets').map((a) => a.sha256.slice(0, 6))}`);
  t.ok(ta.store.get('brandAssets', kept), 'the named one kept');
});

t.test('permission and tenancy', async (t) => {
  const op = ta.headers('operator');
  const r = await ta.app.inject({ url: '/api/v1/enterprises/ent/branding', headers: op });
  t.equal(r.statusCode, 403, r.body);
  t.equal((await upload(pngOf(2, 2), 'image/png', op)).statusCode, 403, 'an upload is refused before its body is read');
  await ta.service.createEnterprise({ id: 'other', name: 'Other' }, { role: 'system' });
  t.equal((await ta.app.inject({ url: '/api/v1/enterprises/other/branding', headers: admin })).statusCode, 404, "another enterprise's branding does not exist");
  t.equal((await ta.app.inject({ url: '/api/v1/banks/bank/branding' })).statusCode, 401);
});

t.test("a deleted bank's own branding goes with it", async (t) => {
  await ta.service.createBank({ id: 'spare', locationId: 'loc', name: 'Spare' }, { role: 'admin', id: 'u' });
  t.equal((await put({ colours: GOOD }, '/api/v1/banks/spare/branding')).statusCode, 200);
  t.ok(ta.store.get('brandings', 'ent/spare'));
  const del = await ta.app.inject({ method: 'DELETE', url: '/api/v1/banks/spare', headers: admin });
  t.equal(del.statusCode, 200, del.body);
  t.equal(ta.store.get('brandings', 'ent/spare'), undefined, 'removed with the bank');
});
