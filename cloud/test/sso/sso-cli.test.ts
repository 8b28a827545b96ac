/** `portier sso show|set|clear` against the API on a real port: the secret from a file, never printed. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo as io, listeningCliApp } from '../http/helpers.ts';

const SECRET = 'cli-client-secret-81d0';

t.test('portier sso set, show and clear', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const dir = await mkdtemp(join(tmpdir(), 'portier-sso-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const secretFile = join(dir, 'secret');
  await writeFile(secretFile, `${SECRET}\n`);

  const missing = io(admin);
  t.equal(await runAdmin(['sso', 'set', '--issuer', 'https://idp.example.org'], missing), 2, 'a usage error');
  t.match(missing.stderr, /single sign-on needs --client-id, --client-secret-file/);

  const set = io(admin);
  t.equal(await runAdmin(['sso', 'set', '--issuer', 'https://idp.example.org', '--client-id', 'portier', '--client-secret-file', secretFile], set), 0, set.stderr);
  t.match(set.stdout, /^set up single sign-on\nissuer: +https:\/\/idp\.example\.org\nclient: +portier \(secret set\)/);
  t.match(set.stdout, /redirect URI: +https:\/\/lockers\.example\.com\/account\/sso\/callback/);
  t.equal(ta.service.sso.clientSecret(ta.store.get('ssoConfigs', 'ent')!), SECRET, 'the line end is not part of the secret');

  const change = io(admin);
  t.equal(await runAdmin(['sso', 'set', '--password-sign-in', 'no', '--create-users', 'yes', '--default-role', 'recipient'], change), 0, change.stderr);
  t.match(change.stdout, /password sign-in: refused: single sign-on only/);
  t.match(change.stdout, /create users: +yes \(role recipient\)/);
  t.equal(ta.service.sso.clientSecret(ta.store.get('ssoConfigs', 'ent')!), SECRET, 'the secret kept');

  const bad = io(admin);
  t.equal(await runAdmin(['sso', 'set', '--issuer', 'http://idp.example.org'], bad), 1);
  t.match(bad.stderr, /body\.issuer/, 'the field named');

  const json = io(admin);
  t.equal(await runAdmin(['--json', 'sso', 'show'], json), 0, json.stderr);
  t.match(JSON.parse(json.stdout), { sso: { issuer: 'https://idp.example.org', hasClientSecret: true, passwordSignIn: false } });
  for (const out of [set, change, json]) t.notOk(out.stdout.includes(SECRET), 'never printed');

  const operator = io(env('operator'));
  t.equal(await runAdmin(['sso', 'show'], operator), 1, 'an operator may not');
  const clear = io(admin);
  t.equal(await runAdmin(['sso', 'clear'], clear), 0, clear.stderr);
  t.match(clear.stdout, /removed single sign-on with https:\/\/idp\.example\.org/);
  t.equal(ta.store.get('ssoConfigs', 'ent'), undefined);
});
