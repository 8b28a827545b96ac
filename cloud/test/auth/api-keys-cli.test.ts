// `portier api-keys create|list|revoke`, `portier sessions [end]` and `portier logout --everywhere` against the API
// on a real port.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { expiryArg } from '../../src/cli/commands/api-keys.ts';
import { listeningCliApp, runCli, PASSWORD } from '../http/helpers.ts';


t.test('portier api-keys: made and shown once, listed without the key, used, revoked', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  // The test server's clock is 2026-01-15: an expiry as a date, not days from the real clock.
  const made = await runCli(admin, ['api-keys', 'create', '-n', 'Nightly export', '-r', 'operator', '--expires', '2026-06-30', '--access-level', 'location:loc']);
  t.equal(made.code, 0, made.stderr);
  const key = /^(pk_\S+)$/m.exec(made.stdout)?.[1];
  t.ok(key, 'the key is printed on a line of its own');
  t.match(made.stdout, /made, valid until 2026-06-30T00:00:00.000Z\.\nKey, shown this once/);
  const id = /API key (k-\S+)/.exec(made.stdout)![1]!;

  const list = await runCli(admin, ['api-keys', 'list']);
  t.match(list.stdout, /^id\s+name\s+role\s+access\s+status\s+expires\s+lastUsed\s+createdBy\n/);
  t.match(list.stdout, new RegExp(`${id}\\s+Nightly export\\s+operator\\s+location:loc\\s+active\\s+2026-06-30T00:00:00.000Z`));
  t.notMatch(list.stdout, key!, 'never the key again');

  const used = await ta.app.inject({ url: '/api/v1/banks', headers: { authorization: `Bearer ${key}` } });
  t.equal(used.statusCode, 200, 'the key works');
  const revoke = await runCli(admin, ['--json', 'api-keys', 'revoke', id]);
  t.equal(revoke.code, 0, revoke.stderr);
  t.match(JSON.parse(revoke.stdout), { apiKey: { id, status: 'revoked' } });
  t.equal((await ta.app.inject({ url: '/api/v1/banks', headers: { authorization: `Bearer ${key}` } })).statusCode, 401, 'refused once revoked');

  const tooMuch = await runCli(env('operator'), ['api-keys', 'create', '-n', 'x', '-r', 'admin', '--expires', '30d']);
  t.equal(tooMuch.code, 1);
  t.match(tooMuch.stderr, /FORBIDDEN/);
  const badExpiry = await runCli(admin, ['api-keys', 'create', '-n', 'x', '-r', 'operator', '--expires', 'soon']);
  t.equal(badExpiry.code, 1, 'refused before any request');
  t.match(badExpiry.stderr, /days \(90d\) or a date/);
  t.equal(expiryArg(() => 1000)('90d'), 1000 + 90 * 86_400_000, '90d: 90 days ahead');
});

t.test('portier sessions, sessions end --user, logout --everywhere', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const dir = await mkdtemp(join(tmpdir(), 'portier-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const operator = { ...env('operator'), PORTIER_TOKEN_FILE: join(dir, 'token.json') };
  const other = (await ta.auth.login('operator', PASSWORD, '10.0.0.7')).token;

  const mine = await runCli(operator, ['sessions']);
  t.equal(mine.code, 0, mine.stderr);
  t.match(mine.stdout, /^id\s+this\s+signedIn\s+lastSeen\s+endsBy\s+ip\s+userAgent\n/);
  t.equal(mine.stdout.trim().split('\n').length, 3, 'two sessions');
  t.match(mine.stdout, /10\.0\.0\.7/);

  const opId = (await ta.auth.findUserByName('operator'))!.id;
  t.equal((await runCli(operator, ['sessions', 'end', '--user', opId])).code, 1, 'an operator may not end sessions');
  const out = await runCli(operator, ['logout', '--everywhere']);
  t.equal(out.code, 0, out.stderr);
  t.match(out.stdout, 'logged out everywhere');
  const again = await runCli(operator, ['sessions']);
  t.equal(again.code, 1);
  t.match(again.stderr, /UNAUTHORIZED/);
  t.equal((await ta.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${other}` } })).statusCode, 401, 'the other session ended too');

  const carrierId = (await ta.auth.findUserByName('carrier'))!.id;
  const ended = await runCli(env('admin'), ['sessions', 'end', '--user', carrierId]);
  t.equal(ended.code, 0, ended.stderr);
  t.match(ended.stdout, `1 session of user ${carrierId} ended`);
  t.equal((await ta.app.inject({ url: '/api/v1/auth/me', headers: ta.headers('carrier') })).statusCode, 401);
});
