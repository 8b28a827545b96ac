import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

t.test('defaults give a runnable configuration', async (t) => {
  const c = loadConfig({ env: {} });
  t.equal(c.dataDir, './var/cloud');
  t.same(c.http, { host: '127.0.0.1', port: 8080, bodyLimitBytes: 256 * 1024, trustedProxies: [] });
  t.same(c.auth.argon2, { memoryCost: 19456, timeCost: 2, parallelism: 1 }, "OWASP's argon2id minimum");
  t.equal(c.auth.scrypt.N, 32768, 'the scrypt section of earlier releases still loads');
  t.equal(c.auth.login.freeAttempts, 20);
  t.equal(c.admin, undefined);
});

t.test('file, then environment, then flags; every problem listed at once with its path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cloud.yaml');
  writeFileSync(file, 'dataDir: /srv/portier\nhttp:\n  port: 9000\n  host: 0.0.0.0\n  trustedProxies: [10.0.0.1]\nauth:\n  tokenTtlSeconds: 600\n');
  const c = loadConfig({
    file,
    env: { PORTIER_CLOUD__HTTP__PORT: '9100', PORTIER_CLOUD__AUTH__LOGIN__FREE_ATTEMPTS: '2', OTHER: 'x' },
    overrides: { dataDir: '/tmp/flag' },
  });
  t.equal(c.dataDir, '/tmp/flag', 'flag wins');
  t.equal(c.http.port, 9100, 'env beats the file');
  t.equal(c.http.host, '0.0.0.0', 'file beats the default');
  t.equal(c.auth.tokenTtlSeconds, 600);
  t.equal(c.auth.login.freeAttempts, 2, 'snake case env names map to camelCase keys');

  writeFileSync(file, 'http:\n  port: 70000\n  bodyLimit: 5\nauth:\n  scrypt: { N: 1000 }\nadmin: { user: root, password: short }\n');
  const problems = problemsOf(() =>
    loadConfig({ file, env: { PORTIER_CLOUD__LOG__LEVEL: 'loud' }, problems: [{ path: '--http', message: 'bad flag' }] }),
  );
  const paths = problems.map((p) => p.path).sort();
  t.same(paths, ['--http', 'admin.password', 'auth.scrypt.N', 'http.bodyLimit', 'http.port', 'log.level'], 'all problems at once');
  t.match(new ConfigError(problems).message, /http\.port/);

  const proxies = loadConfig({ env: { PORTIER_CLOUD__HTTP__TRUSTED_PROXIES: '["10.0.0.1","192.0.2.0/24","fd00::/8"]' } });
  t.same(proxies.http.trustedProxies, ['10.0.0.1', '192.0.2.0/24', 'fd00::/8']);
  const badProxies = problemsOf(() => loadConfig({ env: { PORTIER_CLOUD__HTTP__TRUSTED_PROXIES: '["proxy.local","10.0.0.0/33","10.0.0.1"]' } }));
  t.same(badProxies.map((p) => p.path), ['http.trustedProxies.0', 'http.trustedProxies.1'], 'each address that is not one, by its place');
  t.match(badProxies[0]?.message, /an IP address or a CIDR block/);

  t.same(problemsOf(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} })).map((p) => p.path), [join(dir, 'missing.yaml')]);
  writeFileSync(file, '- a\n- b\n');
  t.match(problemsOf(() => loadConfig({ file, env: {} }))[0]?.message ?? '', /mapping/);
});
