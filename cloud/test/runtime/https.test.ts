// The console and the API over TLS: a cloud given a key and certificate answers https only, with HSTS, and its
// sign-in cookie is Secure; plain HTTP is refused anywhere but on loopback or behind a named proxy.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { startCloud } from '../../src/runtime/cloud-runtime.ts';
import { tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';
import { testCloudConfig } from './helpers.ts';

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

t.test('plain HTTP only on loopback or behind a named proxy', async (t) => {
  const parseConfig = (overrides: Record<string, unknown>) => loadConfig({ env: {}, overrides });
  const base = { dataDir: '/tmp/x' };
  t.throws(() => parseConfig({ ...base, http: { host: '0.0.0.0' } }), ConfigError);
  try {
    parseConfig({ ...base, http: { host: '192.0.2.10' } });
  } catch (err) {
    t.match((err as Error).message, /http\.host: plain HTTP is served on loopback only .* not on 192\.0\.2\.10: give http\.tls/);
  }
  t.ok(parseConfig({ ...base, http: { host: '0.0.0.0', trustedProxies: ['10.0.0.1'] } }), 'behind a proxy that terminates TLS');
  t.ok(parseConfig({ ...base, http: { host: '0.0.0.0', tls: { keyFile: 'k.pem', certFile: 'c.pem' } } }), 'with a certificate');
  t.ok(parseConfig({ ...base, http: { host: '::1' } }), 'loopback');
});

t.test('a cloud with a certificate serves https with HSTS, and its session cookie is Secure', { skip: opensslAvailable() ? false : 'no openssl' }, async (t) => {
  const dir = await tempDir(t, 'portier-https-');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const missing = startCloud({ config: { ...testCloudConfig(join(dir, 'bad')), http: { host: '127.0.0.1', port: 0, tls: { keyFile: join(dir, 'nope.pem'), certFile } } }, logger: pino({ level: 'silent' }), broker: { kind: 'embedded', host: '127.0.0.1', port: 0 } });
  await t.rejects(missing, { code: 'CONFIG_INVALID', message: /http\.tls\.keyFile: cannot read .*nope\.pem: ENOENT/ }, 'a key that cannot be read stops the start, naming it');
  const rt = await startCloud({
    config: { ...testCloudConfig(join(dir, 'cloud')), http: { host: '127.0.0.1', port: 0, tls: { keyFile, certFile } }, admin: { user: 'admin', password: 'https admin password' } },
    logger: pino({ level: 'silent' }),
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
  });
  t.teardown(() => rt.stop());
  t.match(rt.httpUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  const ca = readFileSync(certFile);
  const get = (path: string, o: { method?: string; body?: string; type?: string; cookie?: string } = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = request(`${rt.httpUrl}${path}`, { method: o.method ?? 'GET', ca, headers: { ...(o.type ? { 'content-type': o.type } : {}), ...(o.cookie ? { cookie: o.cookie } : {}) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(o.body);
    });
  const health = await get('/api/v1/health');
  t.equal(health.status, 200, 'the API over https, the certificate checked');
  t.equal(health.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  const form = await get('/account/sign-in');
  t.match(String(form.headers['set-cookie']), /; Secure/, 'the anti-forgery cookie is Secure');
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const cookie = String(form.headers['set-cookie']).split(';')[0]!;
  const signIn = await get('/account/sign-in', { method: 'POST', type: 'application/x-www-form-urlencoded', cookie, body: new URLSearchParams({ csrf, lang: 'en', login: 'admin', password: 'https admin password' }).toString() });
  t.equal(signIn.status, 303);
  t.match(String(signIn.headers['set-cookie']), /portier_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure/, 'the session cookie is Secure');
  const session = String(signIn.headers['set-cookie']).split(';')[0]!;
  const lockers = await get('/console/lockers', { cookie: session });
  t.equal(lockers.status, 200, 'the console over https');
  t.match(lockers.headers['strict-transport-security'], /max-age=31536000/);
});
