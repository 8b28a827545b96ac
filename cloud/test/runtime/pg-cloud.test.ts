// The cloud on PostgreSQL: the config's `store` section (parsed, refused naming the field, the URL from the
// environment), a whole cloud serving the API from the database and a second one finding its data, the password never
// in the logs, and the online backup of such a cloud.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import t, { type Test } from 'tap';
import { buildProgram } from '../../src/main.ts';
import { ConfigError, loadConfig, maskDatabaseUrl, validateConfig } from '../../src/config/config.ts';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { tempDir, TEST_HASH, type Teardownable } from '../mqtt/helpers/env.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../store/pg-server.ts';
import { api, testCloudConfig } from './helpers.ts';

type Tap = Test;

const ADMIN = { user: 'admin', password: 'admin-password-1' };

function problems(input: unknown): string[] {
  const r = validateConfig(input);
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
}

t.test('the store section: file by default, postgres with its defaults; bad ones refused naming the field, never echoing the URL', async (t) => {
  t.same(validateConfig({}).ok && (validateConfig({}) as { config: { store: unknown } }).config.store, { kind: 'file' });
  const pg = validateConfig({ store: { kind: 'postgres', url: 'postgresql://portier:pw@db.internal:5433/portier' } });
  t.ok(pg.ok);
  if (pg.ok) t.same(pg.config.store, { kind: 'postgres', url: 'postgresql://portier:pw@db.internal:5433/portier', poolSize: 6 });
  t.ok(validateConfig({ store: { kind: 'postgres', url: 'postgres:///portier?host=/run/postgresql', poolSize: 20, instanceId: 'cloud-a' } }).ok, 'a Unix socket');

  t.same(problems({ store: { kind: 'postgres', url: 'mysql://portier:hunter22@db/portier' } }), [
    'store.url: expected postgres://user:password@host:5432/database (scheme postgres: or postgresql:)',
  ]);
  t.same(problems({ store: { kind: 'postgres', url: 'db.internal:5432/portier' } }), ['store.url: expected postgres://user:password@host:5432/database (scheme postgres: or postgresql:)']);
  t.same(problems({ store: { kind: 'postgres', url: 'postgres://' } }), ['store.url: names no host: expected postgres://user:password@host:5432/database']);
  t.same(problems({ store: { kind: 'postgres' } }), ['store.url: missing: give store.url, or set the environment variable PORTIER_DATABASE_URL']);
  t.match(problems({ store: { kind: 'postgres', url: 'postgres://h/db', poolSize: 0 } }), [/^store\.poolSize: /]);
  t.match(problems({ store: { kind: 'postgres', url: 'postgres://h/db', poolSize: 101 } }), [/^store\.poolSize: /]);
  t.match(problems({ store: { kind: 'postgres', url: 'postgres://h/db', instanceId: 'a b' } }), [/^store\.instanceId: /]);
  t.match(problems({ store: { kind: 'sqlite' } }), [/^store\.kind: /]);
  t.match(problems({ store: { kind: 'file', url: 'postgres://h/db' } }), [/^store\.url: |^store: .*url/]);

  t.equal(maskDatabaseUrl('postgres://portier:s3cret@db:5432/portier'), 'postgres://portier:***@db:5432/portier');
  t.equal(maskDatabaseUrl('postgresql://portier@db/portier'), 'postgresql://portier@db/portier', 'no password: nothing to hide');
  t.equal(maskDatabaseUrl('postgres://portier:p@ss:w0rd@db/portier'), 'postgres://portier:***@db/portier', 'an @ in the password');
  t.equal(maskDatabaseUrl('postgres://db/portier?user=portier&password=s3cret&sslmode=require'), 'postgres://db/portier?user=portier&password=***&sslmode=require');
});

t.test('PORTIER_DATABASE_URL gives the URL when the file says postgres without one; a file URL wins; a file store ignores it', async (t) => {
  const dir = await tempDir(t, 'portier-pgconf-');
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const env = { PORTIER_DATABASE_URL: 'postgres://portier:from-env@db/portier' };
  const fromEnv = loadConfig({ file: file('a.yaml', 'store:\n  kind: postgres\n  poolSize: 3\n'), env });
  t.same(fromEnv.store, { kind: 'postgres', url: env.PORTIER_DATABASE_URL, poolSize: 3 });
  const inFile = loadConfig({ file: file('b.yaml', 'store:\n  kind: postgres\n  url: postgres://p@file-db/x\n'), env });
  t.match(inFile.store, { url: 'postgres://p@file-db/x' });
  t.same(loadConfig({ file: file('c.yaml', 'dataDir: ./x\n'), env }).store, { kind: 'file' });
  const missing = (() => {
    try {
      loadConfig({ file: join(dir, 'a.yaml'), env: {} });
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  t.type(missing, ConfigError);
  t.match((missing as ConfigError).message, /store\.url: missing: give store\.url, or set the environment variable PORTIER_DATABASE_URL/);
  const bad = (() => {
    try {
      loadConfig({ file: join(dir, 'a.yaml'), env: { PORTIER_DATABASE_URL: 'http://portier:leaked-pw@db/x' } });
    } catch (err) {
      return err as Error;
    }
    return undefined;
  })();
  t.match(bad?.message, /store\.url: expected postgres:\/\//);
  t.notMatch(bad?.message, /leaked-pw/, 'the refused value is not repeated');
});

// ---------------------------------------------------------------------------------------------- a cloud on PostgreSQL

/** Every log line the cloud writes, as text. */
function capture(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), text: () => chunks.join('') };
}

/** What `run` writes to stdout, with `env` set meanwhile. */
async function printed(run: () => Promise<unknown>, env: Record<string, string> = {}): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return chunks.join('');
}

async function startPgCloud(t: Teardownable, dataDir: string, url: string, logger: Logger = pino({ level: 'silent' })): Promise<CloudRuntime> {
  const rt = await startCloud({
    config: { ...testCloudConfig(dataDir), admin: ADMIN, store: { kind: 'postgres', url, poolSize: 3 } },
    logger,
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    desired: { debounceMs: 10, refreshMs: 0 },
    brokerWaitMs: 2000,
  });
  t.teardown(() => rt.stop());
  return rt;
}

async function login(rt: CloudRuntime): Promise<string> {
  const r = await api(rt, 'POST', '/auth/login', undefined, { username: ADMIN.user, password: ADMIN.password });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${r.text}`);
  return r.json.token as string;
}

/** An organisation down to one bank with two lockers, a contact, and a reservation, all through the API. */
async function fill(t: Tap, rt: CloudRuntime, token: string): Promise<string> {
  const enterpriseId = (await api(rt, 'GET', '/enterprises', token)).json.enterprises[0].id as string;
  const steps: Array<[string, unknown]> = [
    ['/divisions', { id: 'div', enterpriseId, name: 'North' }],
    ['/locations', { id: 'loc', divisionId: 'div', name: 'HQ' }],
    ['/banks', { id: 'bank', locationId: 'loc', name: 'Lobby' }],
    ['/columns', { id: 'col', bankId: 'bank', position: 1, kind: 'kiosk', controllerId: 'ctl-1' }],
    ['/lockers', { bankId: 'bank', number: 1, columnId: 'col', door: 1, size: 'S', bottomCm: 50, topCm: 80, loading: 'front' }],
    ['/lockers', { bankId: 'bank', number: 2, columnId: 'col', door: 2, size: 'S', bottomCm: 90, topCm: 120, loading: 'front' }],
    ['/contacts', { id: 'c1', name: 'Rita Moreno' }],
  ];
  for (const [path, body] of steps) t.equal((await api(rt, 'POST', path, token, body)).status, 201, path);
  const res = await api(rt, 'POST', '/reservations', token, { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S', trackingId: 'TRK-PG' });
  t.equal(res.status, 201, res.text);
  return res.json.reservation.id as string;
}

t.test('a cloud on PostgreSQL serves the API; another cloud on the same database finds what it stored', { skip: postgresMissing }, async (t) => {
  const server: TestPostgres = await startPostgres(t);
  // The test server trusts every local connection: the password is accepted whatever it is, and must never be logged.
  const plainUrl = await server.createDatabase();
  const url = plainUrl.replace('postgres@', 'postgres:Sup3r-s3cret-pw@');
  const logs = capture();
  const firstDir = await tempDir(t, 'portier-pg1-');
  const first = await startPgCloud(t, firstDir, url, logs.logger);
  // A file store left in the folder (moved to the database by migrate-store): not the cloud's data any more.
  mkdirSync(join(firstDir, 'store'));
  writeFileSync(join(firstDir, 'store', 'journal.jsonl'), '{"q":1}\n');
  const token = await login(first);
  const reservationId = await fill(t, first, token);
  const health = await api(first, 'GET', '/health');
  t.equal(health.status, 200);
  t.same(health.json, { status: 'ok' }, 'the store writes');

  const backup = await api(first, 'GET', '/backup', token);
  t.equal(backup.status, 200);
  t.equal(backup.headers.get('x-portier-store'), 'postgres', 'the backup says the store is not in it');
  t.notMatch(backup.text, /"file":"store\//, 'no file store in the data folder backup');
  t.match(backup.text, /"file":"keys\//, 'the data folder is');
  t.match(backup.text, /"manifest"/);
  // What the operator reads from `portier-cloud backup` and `restore` (in this process: the program's own code).
  const out = join(await tempDir(t, 'portier-pg-backup-'), 'cloud.backup');
  const said = await printed(() => buildProgram().parseAsync(['node', 'portier-cloud', 'backup', '--out', out, '--url', first.httpUrl]), { PORTIER_TOKEN: token });
  t.match(said, /backup written: /);
  t.match(said, /the store \(organisation, people, reservations, history\) is in PostgreSQL and not in this file: back the database up with pg_dump/);
  const restored = await printed(() => buildProgram().parseAsync(['node', 'portier-cloud', 'restore', '--from', out, '--data', join(out, '..', 'restored')]));
  t.match(restored, /the backup holds no store \(its cloud kept it in PostgreSQL\): restore the database from its pg_dump/);
  await first.stop();

  // Another instance, another data folder: the state is the database's.
  const second = await startPgCloud(t, await tempDir(t, 'portier-pg2-'), url, logs.logger);
  const token2 = await login(second);
  const got = await api(second, 'GET', `/reservations/${reservationId}`, token2);
  t.equal(got.status, 200, got.text);
  t.match(got.json.reservation, { id: reservationId, bankId: 'bank', status: 'reserved', packages: [{ trackingId: 'TRK-PG' }] });
  const list = await api(second, 'GET', '/reservations?bankId=bank', token2);
  t.same(list.json.reservations.map((r: { id: string }) => r.id), [reservationId]);
  t.match((await api(second, 'GET', '/contacts/c1', token2)).json, { contact: { id: 'c1', firstName: 'Rita', lastName: 'Moreno' } });
  await second.stop();

  const text = logs.text();
  t.match(text, /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/, 'the log names the database, password masked');
  t.notMatch(text, /Sup3r-s3cret-pw/, 'the password is in no log line');
});
