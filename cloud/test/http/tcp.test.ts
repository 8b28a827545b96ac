/** Over a real TCP port: the assembled cloud (durable store, token file) and the `portier` admin CLI against it. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runAdmin, type AdminIo } from '../../src/cli/admin.ts';
import { startCloud as startRuntime } from '../../src/runtime/cloud-runtime.ts';
import { loadConfig } from '../../src/config/config.ts';
import { cliIo, seedModel, silent } from './helpers.ts';

function io(env: Record<string, string>, stdin = ''): AdminIo & { stdout: string; stderr: string } {
  const o = cliIo(env);
  o.readStdin = async () => stdin;
  return o;
}

t.test('portier CLI over TCP: login, lockers, reserve, reservations, service, activity CSV; sessions survive a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-tcp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: join(dir, 'data'),
      http: { host: '127.0.0.1', port: 0 },
      auth: { argon2: { memoryCost: 64, timeCost: 1 } },
      admin: { user: 'root', password: 'root-password' },
      expiry: { intervalSeconds: 0 },
    },
  });
  let cloud = await startRuntime({ config, logger: silent, broker: { kind: 'embedded', host: '127.0.0.1', port: 0 } });
  t.teardown(() => cloud.close());
  // The configured admin joined the enterprise the cloud made at its first start: the site goes there.
  await seedModel(cloud.service, (await cloud.service.listEnterprises())[0]!.id);
  t.match(cloud.url, /^http:\/\/127\.0\.0\.1:\d+$/);

  const tokenFile = join(dir, 'home', 'token.json');
  const env = { PORTIER_URL: cloud.url, PORTIER_TOKEN_FILE: tokenFile };

  const bad = io(env, 'wrong-password\n');
  t.equal(await runAdmin(['login', '--user', 'root'], bad), 1);
  t.match(bad.stderr, /INVALID_CREDENTIALS/);

  const login = io(env, 'root-password\n');
  t.equal(await runAdmin(['login', '--user', 'root'], login), 0, login.stderr);
  t.match(login.stdout, /logged in to http:\/\/127\.0\.0\.1:\d+ as root \(admin\)/);
  t.equal(statSync(tokenFile).mode & 0o777, 0o600, 'token file readable by its owner only');

  const reserve = io(env);
  t.equal(await runAdmin(['reserve', '--bank', 'bank', '--recipient', 'contact:c-rec', '--size', 'L', '--tracking', 'TRK-1'], reserve), 0, reserve.stderr);
  t.match(reserve.stdout, /^reserved locker [56] of bank bank: reservation \S+/);

  const lockers = io(env);
  t.equal(await runAdmin(['lockers', '--bank', 'bank'], lockers), 0, lockers.stderr);
  const lines = lockers.stdout.trim().split('\n');
  t.match(lines[0], /^number\s+size\s+status\s+accessible\s+door\s+contents$/);
  t.equal(lines.length, 7, 'a header and six lockers');
  t.ok(lines.some((l) => /reserved .*package for contact:c-rec TRK-1/.test(l)), 'contents shown');

  const saved = JSON.parse(readFileSync(tokenFile, 'utf8')) as { token: string };
  const viaEnv = io({ PORTIER_URL: cloud.url, PORTIER_TOKEN: saved.token, PORTIER_TOKEN_FILE: join(dir, 'none.json') });
  t.equal(await runAdmin(['lockers', '--bank', 'bank', '--json'], viaEnv), 0, 'the token from PORTIER_TOKEN works too');
  t.equal(JSON.parse(viaEnv.stdout).lockers.length, 6);

  const oos = io(env);
  t.equal(await runAdmin(['service', '--bank', 'bank', '--locker', '2', '--state', 'out-of-service', '--reason', 'broken'], oos), 0, oos.stderr);
  t.match(oos.stdout, /locker 2: out-of-service/);

  const badSize = io(env);
  t.equal(await runAdmin(['reserve', '--bank', 'bank', '--recipient', 'contact:c-rec', '--size', 'XXL'], badSize), 1);
  t.match(badSize.stderr, /VALIDATION: .*\(body\.size\)/, 'API errors are shown with their field');

  // Restart on the same data folder: the saved token still works, the reservation is still there.
  await cloud.close();
  cloud = await startRuntime({ config: { ...config, http: { ...config.http, port: 0 }, admin: undefined }, logger: silent, broker: { kind: 'embedded', host: '127.0.0.1', port: 0 } });
  const env2 = { ...env, PORTIER_URL: cloud.url };
  const list = io(env2);
  t.equal(await runAdmin(['reservations', '--bank', 'bank'], list), 0, list.stderr);
  t.match(list.stdout, /reserved\s+contact:c-rec/);

  const csv = io(env2);
  t.equal(await runAdmin(['activity', '--csv'], csv), 0, csv.stderr);
  t.match(csv.stdout.split('\n')[0], /type/, 'CSV header');
  t.match(csv.stdout, /TRK-1/);

  const logout = io(env2);
  t.equal(await runAdmin(['logout'], logout), 0);
  const after = io(env2);
  t.equal(await runAdmin(['lockers', '--bank', 'bank'], after), 1);
  t.match(after.stderr, /UNAUTHORIZED/);
});
