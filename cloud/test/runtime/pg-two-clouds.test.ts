// Two whole clouds running at once on one PostgreSQL, as two instances behind a load balancer: a sign-in on one is good
// on the other and a sign-out on one ends it on both; reservations made at once through both for a bank's last free
// lockers give each locker once and every other call the exact no-locker answer; one pickup code used through both at
// once is accepted once; and both answer the same reservations afterwards.
import t from 'tap';
import { NO_LOCKER_MESSAGE } from '../../src/domain/errors.ts';
import type { CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import type { Teardownable } from '../mqtt/helpers/env.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';
import { api, startTestCloud, type Reply } from './helpers.ts';

const ADMIN = { user: 'admin', password: 'admin-password-1' };
const LOCKERS = 12;

function startPgCloud(t: Teardownable, url: string, instanceId: string): Promise<CloudRuntime> {
  return startTestCloud(t, { admin: ADMIN, prefix: `portier-${instanceId}-`, store: { kind: 'postgres', url, poolSize: 4, instanceId } });
}

const reservationIds = (r: Reply): string[] => (r.json.reservations as { id: string }[]).map((x) => x.id).sort();

t.test('two clouds on one PostgreSQL serve as one', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);
  const url = await server.createDatabase();
  // One after the other: the second finds the configured admin the first made.
  const a = await startPgCloud(t, url, 'cloud-a');
  const b = await startPgCloud(t, url, 'cloud-b');

  const signIn = await api(a, 'POST', '/auth/login', undefined, { username: ADMIN.user, password: ADMIN.password });
  t.equal(signIn.status, 200, signIn.text);
  const token = signIn.json.token as string;
  t.equal((await api(b, 'GET', '/enterprises', token)).status, 200, 'a sign-in on one instance is good on the other');

  const enterpriseId = ((await api(b, 'GET', '/enterprises', token)).json.enterprises as { id: string }[])[0]!.id;
  const setup: Array<[CloudRuntime, string, unknown]> = [
    [a, '/divisions', { id: 'div', enterpriseId, name: 'North' }],
    [b, '/locations', { id: 'loc', divisionId: 'div', name: 'HQ' }],
    [a, '/banks', { id: 'bank', locationId: 'loc', name: 'Lobby' }],
    [b, '/columns', { id: 'col', bankId: 'bank', position: 1, kind: 'kiosk', controllerId: 'ctl-1' }],
  ];
  for (const [rt, path, body] of setup) {
    const r = await api(rt, 'POST', path, token, body);
    t.equal(r.status, 201, `${path} (made on one instance, its parent on the other): ${r.text}`);
  }
  for (let n = 1; n <= LOCKERS; n++) {
    const r = await api(n % 2 ? a : b, 'POST', '/lockers', token, { bankId: 'bank', number: n, columnId: 'col', door: n, size: 'S', bottomCm: 50, topCm: 80, loading: 'front' });
    t.equal(r.status, 201, r.text);
  }
  for (let i = 0; i < 30; i++) {
    const r = await api(i % 2 ? a : b, 'POST', '/contacts', token, { id: `c${i}`, name: `Person ${i}` });
    t.equal(r.status, 201, r.text);
  }

  // 30 reservations at once, alternating instances, for 12 free lockers.
  const replies = await Promise.all(
    Array.from({ length: 30 }, (_, i) => api(i % 2 ? a : b, 'POST', '/reservations', token, { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: `c${i}` }, size: 'S' })),
  );
  const given = replies.filter((r) => r.status === 201).map((r) => (r.json.reservation as { lockerNumber: number }).lockerNumber);
  const refused = replies.filter((r) => r.status !== 201);
  t.equal(given.length, LOCKERS, 'every free locker was given');
  t.equal(new Set(given).size, LOCKERS, 'each locker once');
  t.same(
    refused.filter((r) => r.status !== 409 || r.json.error?.code !== 'NO_LOCKER_AVAILABLE' || r.json.error.message !== NO_LOCKER_MESSAGE).map((r) => `${r.status} ${r.text}`),
    [],
    'every other call got the exact no-locker answer, none a conflict or a server error',
  );
  const onA = await api(a, 'GET', '/reservations?bankId=bank', token);
  const onB = await api(b, 'GET', '/reservations?bankId=bank', token);
  t.equal(reservationIds(onA).length, LOCKERS, 'the store holds as many reservations as were acknowledged');
  t.same(reservationIds(onB), reservationIds(onA), 'both instances answer the same reservations');

  // A drop-off through one, the code used through both at once.
  const first = (onA.json.reservations as { id: string }[])[0]!.id;
  const drop = await api(b, 'POST', `/reservations/${first}/drop-off`, token, {});
  t.equal(drop.status, 200, drop.text);
  const code = drop.json.pickupCode as string;
  const pickups = await Promise.all([a, b].map((rt) => api(rt, 'POST', '/pickups', token, { bankId: 'bank', code })));
  t.same(pickups.map((p) => p.status).sort(), [200, 403], 'the code is accepted once');
  t.equal(pickups.find((p) => p.status !== 200)?.json.error?.code, 'INVALID_CODE', 'the other use is refused as an invalid code');

  t.equal((await api(b, 'POST', '/auth/logout', token)).status < 300, true, 'signed out on the second instance');
  t.equal((await api(a, 'GET', '/enterprises', token)).status, 401, 'and the token is refused on the first at once');
});
