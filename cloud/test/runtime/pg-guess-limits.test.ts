// The guess limits of two whole clouds on one PostgreSQL, as two instances behind a load balancer: wrong pickup codes,
// failed sign-ins and password-reset requests from one client address, alternated over both instances, are refused
// after exactly as many as on one instance, with the same answer; a right code on one clears the count on both; and
// the shared table holds no user name, user id, client address or code in clear.
import { copyFile } from 'node:fs/promises';
import { request } from 'node:http';
import pg from 'pg';
import t, { type Test } from 'tap';
import type { CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { tempDir } from '../mqtt/helpers/env.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';
import { api, startTestCloud } from './helpers.ts';

const ADMIN = { user: 'admin', password: 'admin-password-1' };

interface Answer {
  status: number;
  code: string | undefined;
  retryAfter: string | undefined;
}

/** One API call from client address `ip` (a loopback address the request is sent from: what the cloud counts by). */
function from(ip: string, rt: CloudRuntime, path: string, body: unknown, token?: string): Promise<Answer> {
  const url = new URL(`${rt.httpUrl}/api/v1${path}`);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: ip,
        agent: false,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => {
          const json = text ? (JSON.parse(text) as { error?: { code?: string } }) : {};
          const retry = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, code: json.error?.code, retryAfter: typeof retry === 'string' ? retry : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Calls `attempt` (the i-th, on instance `at(i)`) until it is refused with 429, at most `max` times: the answers. */
async function untilRefused(at: (i: number) => CloudRuntime, attempt: (rt: CloudRuntime, i: number) => Promise<Answer>, max: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < max; i++) {
    const a = await attempt(at(i), i);
    answers.push(a);
    if (a.status === 429) break;
  }
  return answers;
}

const summary = (answers: Answer[]): string[] => answers.map((a) => `${a.status} ${a.code ?? ''}${a.retryAfter !== undefined ? ` retry-after ${a.retryAfter}` : ''}`.trim());

t.test('guess limits shared by two clouds on one PostgreSQL', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);
  const url = await server.createDatabase();
  const store = (instanceId: string) => ({ kind: 'postgres' as const, url, poolSize: 4, instanceId });
  const a = await startTestCloud(t, { admin: ADMIN, prefix: 'portier-guess-a-', store: store('cloud-a') });
  // Instances share the secrets key (DEPLOY.md), which keys the table's rows.
  const dirB = await tempDir(t, 'portier-guess-b-');
  await copyFile(`${a.dir}.secrets.key`, `${dirB}.secrets.key`);
  const b = await startTestCloud(t, { admin: ADMIN, dataDir: dirB, store: store('cloud-b') });
  const one = (): CloudRuntime => a;
  const alternate = (i: number): CloudRuntime => (i % 2 ? b : a);

  const admin = (await api(a, 'POST', '/auth/login', undefined, { username: ADMIN.user, password: ADMIN.password })).json.token as string;
  const enterpriseId = ((await api(a, 'GET', '/enterprises', admin)).json.enterprises as { id: string }[])[0]!.id;
  const setup: Array<[string, unknown]> = [
    ['/divisions', { id: 'div', enterpriseId, name: 'North' }],
    ['/locations', { id: 'loc', divisionId: 'div', name: 'HQ' }],
    ['/banks', { id: 'bank', locationId: 'loc', name: 'Lobby' }],
    ['/columns', { id: 'col', bankId: 'bank', position: 1, kind: 'kiosk', controllerId: 'ctl-1' }],
    ['/lockers', { bankId: 'bank', number: 1, columnId: 'col', door: 1, size: 'S', bottomCm: 50, topCm: 80, loading: 'front' }],
    ['/contacts', { id: 'c1', name: 'Kim Park' }],
  ];
  for (const [path, body] of setup) t.equal((await api(a, 'POST', path, admin, body)).status, 201, path);
  const clerks: Record<string, { id: string; token: string }> = {};
  for (const name of ['clerk-one', 'clerk-both', 'clerk-right']) {
    const user = await b.auth.createUser({ enterpriseId, username: name, password: ADMIN.password, role: 'admin', email: `${name}@example.com` });
    clerks[name] = { id: user.id, token: (await api(b, 'POST', '/auth/login', undefined, { username: name, password: ADMIN.password })).json.token as string };
  }

  const wrongCode = (i: number): string => String(864_200 + i);
  const triedCodes: string[] = [];
  const pickup = (ip: string, clerk: string) => (rt: CloudRuntime, i: number) => {
    triedCodes.push(wrongCode(i));
    return from(ip, rt, '/pickups', { bankId: 'bank', code: wrongCode(i) }, clerks[clerk]!.token);
  };

  await t.test('wrong pickup codes', async (t) => {
    const onOne = await untilRefused(one, pickup('127.0.0.2', 'clerk-one'), 20);
    const overBoth = await untilRefused(alternate, pickup('127.0.0.3', 'clerk-both'), 20);
    t.same(summary(onOne), [...Array<string>(5).fill('403 INVALID_CODE'), '429 TOO_MANY_ATTEMPTS retry-after 2'], 'on one instance: five wrong codes, then a wait');
    t.same(summary(overBoth), summary(onOne), 'alternated over both: refused after the same number, with the same answer');

    // A right code on one instance clears the count of that user and address on both.
    const reservation = await api(a, 'POST', '/reservations', admin, { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S' });
    t.equal(reservation.status, 201, reservation.text);
    const drop = await api(b, 'POST', `/reservations/${reservation.json.reservation.id as string}/drop-off`, admin, {});
    t.equal(drop.status, 200, drop.text);
    const code = drop.json.pickupCode as string;
    triedCodes.push(code);
    const wrong = pickup('127.0.0.4', 'clerk-right');
    for (let i = 0; i < 4; i++) t.equal((await wrong(alternate(i), 100 + i)).status, 403, 'a wrong code, not yet over the limit');
    const right = await from('127.0.0.4', b, '/pickups', { bankId: 'bank', code }, clerks['clerk-right']!.token);
    t.equal(right.status, 200, 'the right code, on the other instance');
    const after = await untilRefused(alternate, (rt, i) => wrong(rt, 200 + i), 20);
    t.equal(after.length, 6, 'the count started again on both: five more wrong codes before the wait');
  });

  await t.test('failed sign-ins from one address', async (t) => {
    const signIn = (ip: string) => (rt: CloudRuntime, i: number) => from(ip, rt, '/auth/login', { username: `nobody-${i}`, password: 'not the password' });
    const onOne = await untilRefused(one, signIn('127.0.0.5'), 40);
    const overBoth = await untilRefused(alternate, signIn('127.0.0.6'), 40);
    t.same(summary(onOne), [...Array<string>(20).fill('401 INVALID_CREDENTIALS'), '429 TOO_MANY_ATTEMPTS retry-after 1'], 'on one instance: the configured twenty, then a wait');
    t.same(summary(overBoth), summary(onOne), 'alternated over both: the same');
  });

  await t.test('password-reset requests', async (t) => {
    const forgot = (ip: string) => (rt: CloudRuntime) => from(ip, rt, '/auth/forgot-password', { email: 'kim@example.com' });
    const onOne = await untilRefused(one, forgot('127.0.0.7'), 20);
    const overBoth = await untilRefused(alternate, forgot('127.0.0.8'), 20);
    t.same(summary(onOne), [...Array<string>(5).fill('202'), '429 TOO_MANY_ATTEMPTS retry-after 60'], 'on one instance: five requests, then a wait');
    t.same(summary(overBoth.slice(0, 1)), ['429 TOO_MANY_ATTEMPTS retry-after 60'], 'the same e-mail address from another address: already over, whichever instance');
    const other = await untilRefused(alternate, (rt, i) => from('127.0.0.9', rt, '/auth/forgot-password', { email: `other-${i}@example.com` }), 20);
    t.same(summary(other), summary(onOne), 'one address asking for several e-mail addresses, alternated: the same as on one instance');
  });

  await t.test('the shared table holds hashes only', (t) => tableHoldsNoKey(t, url, [...Object.entries(clerks).flatMap(([name, c]) => [name, c.id]), ADMIN.user, 'nobody-', 'kim@example.com', 'other-0@example.com', '127.0.0', ...triedCodes]));
});

async function tableHoldsNoKey(t: Test, url: string, secrets: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  t.teardown(() => c.end());
  const rows = (await c.query<{ limit_name: string; text: string }>('SELECT limit_name, row_to_json(g)::text AS text FROM guess_counts g')).rows;
  t.same([...new Set(rows.map((r) => r.limit_name))].sort(), ['password-reset', 'pickup-code', 'sign-in'], 'each limit counted in the table');
  const text = rows.map((r) => r.text).join('\n');
  t.same(
    secrets.filter((s) => text.includes(s)),
    [],
    'no user name, user id, address or code in any row',
  );
}
