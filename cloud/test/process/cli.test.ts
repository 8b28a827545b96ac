/** `portier-cloud` as a program: --help, init-admin, config errors, and a clean exit on SIGTERM/SIGINT. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FAST_CLOUD_ENV, runPortierCloud, type Ran, type RunOptions } from '../fixtures/portier-cloud.ts';

const FAST = FAST_CLOUD_ENV;
const run = (args: string[], opts: RunOptions = {}): Promise<Ran> => runPortierCloud(args, { ...opts, env: { ...FAST, ...opts.env } });

t.test('--help on the program and each sub-command; an invalid configuration lists every problem, exit 2', async (t) => {
  const [top, serve, init, bad] = await Promise.all([
    run(['--help']),
    run(['serve', '--help']),
    run(['init-admin', '--help']),
    run(['serve', '--data', '/nonexistent/x', '--http', 'nope', '--log-level', 'loud'], { env: { PORTIER_CLOUD__HTTP__BODY_LIMIT_BYTES: '"big"' } }),
  ]);
  t.equal(top.code, 0);
  t.match(top.stdout, /serve/);
  t.match(top.stdout, /init-admin/);
  t.equal(serve.code, 0);
  t.match(serve.stdout, /--http <host:port>/);
  t.equal(init.code, 0);
  t.match(init.stdout, /--user <name>/);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--http/);
  t.match(bad.stderr, /log\.level/);
  t.match(bad.stderr, /http\.bodyLimitBytes/);
});

t.test('serve refuses a data folder whose secrets key is missing, naming the option, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A folder whose codes were sealed under a key that is not there (moved, or not given).
  mkdirSync(join(dir, 'data', 'keys'), { recursive: true });
  writeFileSync(join(dir, 'data', 'keys', 'secrets-key.id'), 'c2VjcmV0c2tleWlkMTIzNA\n');
  const r = await run(['serve', '--data', join(dir, 'data'), '--http', '127.0.0.1:0', '--mqtt', '127.0.0.1:0', '--secrets-key', join(dir, 'elsewhere.key')]);
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /elsewhere\.key does not exist: give the key file with --secrets-key/);
  t.notOk(existsSync(join(dir, 'elsewhere.key')), 'no new key made in its place');
});

t.test('init-admin with a password on stdin, then with a generated one; a second admin of that name is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = await run(['init-admin', '--user', 'root', '--data', dir], { stdin: 'a good password\n' });
  t.equal(a.code, 0, a.stderr);
  t.match(a.stdout, /^created admin root \(u-[\w-]+\)\n$/);
  t.notMatch(a.stdout, /password/, 'a given password is not echoed');
  const b = await run(['init-admin', '--user', 'second', '--data', dir]);
  t.equal(b.code, 0, b.stderr);
  t.match(b.stdout, /password: [A-Za-z0-9_-]{24}\n/, 'a generated password is printed once');
  const c = await run(['init-admin', '--user', 'root', '--data', dir], { stdin: 'another password\n' });
  t.equal(c.code, 1);
  t.match(c.stderr, /already exists/);
  // Both at once: the short one is refused before the folder is opened.
  const [d, e] = await Promise.all([
    run(['init-admin', '--user', 'x', '--data', dir], { stdin: 'short\n' }),
    run(['init-admin', '--user', 'y', '--data', dir], { stdin: 'Password123\n' }),
  ]);
  t.equal(d.code, 2);
  t.match(d.stderr, /password: at least 8 characters/);
  t.equal(e.code, 2, 'the password policy: a usage error');
  t.equal(e.stderr, 'portier-cloud: password: is on the list of common passwords\n');
});

t.test('SIGTERM and SIGINT: the server closes, the store is flushed and unlocked, exit 0', async (t) => {
  // Both at once: each start-up costs most of a second of CPU.
  await Promise.all(
    (['SIGTERM', 'SIGINT'] as const).map(async (signal) => {
      const dir = mkdtempSync(join(tmpdir(), 'portier-sig-'));
      // The secrets key is kept beside the data folder.
      t.teardown(() => [dir, `${dir}.secrets.key`].forEach((p) => rmSync(p, { recursive: true, force: true })));
      let sent = false;
      const r = await run(['serve', '--data', dir, '--http', '127.0.0.1:0', '--mqtt', '127.0.0.1:0', '--log-level', 'warn'], {
        onStdout: (out, kill) => {
          if (!sent && /listening on/.test(out)) {
            sent = true;
            kill(signal);
          }
        },
      });
      t.equal(r.code, 0, `${signal}: exit 0 ${r.stderr}`);
      t.equal(r.signal, null, `${signal}: not killed by it`);
      t.notOk(existsSync(join(dir, 'store', 'LOCK')), `${signal}: store lock released`);
      t.ok(existsSync(join(dir, 'store', 'journal.jsonl')), `${signal}: store files there`);
    }),
  );
});
