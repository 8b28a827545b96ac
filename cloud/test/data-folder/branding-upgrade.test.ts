// The previous release's data folder (no branding in its store) takes a logo and colours: set through the API,
// served at the logo's public address, and both read back the same after a restart.
import t from 'tap';
import { z } from 'zod';
import { pngOf } from '../branding/logo-files.ts';
import { copyFixture, readExpected, startOn } from './helpers.ts';

async function signIn(httpUrl: string, user: string, password: string): Promise<string> {
  const login = await fetch(`${httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
  return z.object({ token: z.string() }).parse(await login.json()).token;
}

t.test("branding on the previous release's data folder: stored, served, kept across a restart", async (t) => {
  const expected = await readExpected();
  const { data, secretsKey } = await copyFixture(t);
  const first = await startOn(t, data, secretsKey, expected.now);
  const auth = { authorization: `Bearer ${await signIn(first.httpUrl, expected.admin.user, expected.admin.password)}` };
  const me = z.object({ user: z.object({ enterpriseId: z.string() }) }).or(z.object({ enterpriseId: z.string() })).parse(await (await fetch(`${first.httpUrl}/api/v1/auth/me`, { headers: auth })).json());
  const enterpriseId = 'user' in me ? me.user.enterpriseId : me.enterpriseId;
  const none = await fetch(`${first.httpUrl}/api/v1/enterprises/${enterpriseId}/branding`, { headers: auth });
  t.equal(none.status, 200);
  t.notOk('branding' in ((await none.json()) as object), 'no branding yet: the built-in look');

  const png = pngOf(64, 32);
  const up = await fetch(`${first.httpUrl}/api/v1/enterprises/${enterpriseId}/branding/logos`, { method: 'POST', headers: { ...auth, 'content-type': 'image/png' }, body: png });
  t.equal(up.status, 201);
  const { logo } = z.object({ logo: z.object({ sha256: z.string(), url: z.string() }) }).parse(await up.json());
  t.equal(logo.url, `${first.httpUrl}/branding/${logo.sha256}`, 'the public address on the listening address');
  const colours = { primary: '#1d3557', onPrimary: '#ffffff', background: '#f1faee', text: '#1d3557' };
  const set = await fetch(`${first.httpUrl}/api/v1/enterprises/${enterpriseId}/branding`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ colours, logo: logo.sha256 }) });
  t.equal(set.status, 200);
  await first.stop();

  const second = await startOn(t, data, secretsKey, expected.now);
  const auth2 = { authorization: `Bearer ${await signIn(second.httpUrl, expected.admin.user, expected.admin.password)}` };
  const read = (await (await fetch(`${second.httpUrl}/api/v1/enterprises/${enterpriseId}/branding`, { headers: auth2 })).json()) as { branding?: { colours?: unknown; logo?: { sha256: string } } };
  t.same(read.branding?.colours, colours, 'the colours kept');
  t.equal(read.branding?.logo?.sha256, logo.sha256, 'the logo kept');
  const file = await fetch(`${second.httpUrl}/branding/${logo.sha256}`);
  t.equal(file.status, 200);
  t.ok(Buffer.from(await file.arrayBuffer()).equals(png), 'the file as uploaded');
});
