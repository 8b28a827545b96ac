/** Staff credentials over HTTP: admins issue, list and revoke kiosk PINs and badges; nobody ever sees a hash. */
import t, { type Test } from 'tap';
import { hashCredential } from '@portier/protocol';
import { makeTestApp, seedModel, storeSnapshot, type TestApp } from './helpers.ts';

interface ErrorJson {
  error: { code: string; message: string; field?: string };
}
interface Cred {
  id: string;
  role: string;
  subjectId: string;
  kind: string;
  bankIds: string[];
  label?: string;
  expiresAt?: number;
  revokedAt?: number;
}

async function setup(t: Test): Promise<{ ta: TestApp; opId: string; post: (body: unknown, role?: 'admin' | 'operator') => Promise<Awaited<ReturnType<TestApp['app']['inject']>>> }> {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const opId = (await ta.auth.findUserByName('operator'))!.id;
  const post = (body: unknown, role: 'admin' | 'operator' = 'admin') =>
    ta.app.inject({ method: 'POST', url: '/api/v1/staff-credentials', headers: ta.headers(role), payload: body as Record<string, unknown> });
  return { ta, opId, post };
}

/** No stored hash of any staff credential appears in `text`. */
function noHash(t: Test, ta: TestApp, text: string, what: string): void {
  const hashes = ta.store.list('staffCredentials').flatMap((c) => [...('sealed' in c.code ? [c.code.lookup, c.code.sealed] : [c.code.hash]), ...Object.values(c.bankHashes).map((h) => h.hash)]);
  t.ok(hashes.length > 0 && hashes.every((h) => !text.includes(h)), `${what}: no hash`);
  t.notMatch(text, /bankHashes|"params"|scrypt|"lookup"|"sealed"/, `${what}: no hash fields`);
}

t.test('issue a PIN (shown once), list, revoke: the revoked one is no longer live', async (t) => {
  const { ta, opId, post } = await setup(t);
  const res = await post({ role: 'operator', subjectId: opId, kind: 'staff-pin', label: 'Olga, morning shift', bankIds: ['bank'] });
  t.equal(res.statusCode, 201);
  t.equal(res.headers['cache-control'], 'no-store');
  const body = res.json<{ staffCredential: Cred; code: string }>();
  t.match(body.code, /^\d{6}$/, 'the PIN in clear, once');
  t.match(body.staffCredential, { role: 'operator', subjectId: opId, kind: 'staff-pin', bankIds: ['bank'], label: 'Olga, morning shift' });
  noHash(t, ta, res.body, 'issue reply');
  const stored = ta.store.get('staffCredentials', body.staffCredential.id)!;
  t.ok('sealed' in stored.code && !stored.code.sealed.includes(body.code), 'kept sealed');
  t.not('lookup' in stored.code && stored.code.lookup, hashCredential('staff-pin', body.code, ta.store.get('banks', 'bank')!.credentialHash), 'not the bank-salt hash');

  const badge = await post({ role: 'operator', subjectId: opId, kind: 'badge', code: '04A29F11' });
  t.equal(badge.statusCode, 201);
  t.equal(badge.json<{ code: string }>().code, '04A29F11');

  const list = await ta.app.inject({ url: '/api/v1/staff-credentials', headers: ta.headers('admin') });
  t.equal(list.statusCode, 200);
  t.equal(list.json<{ staffCredentials: Cred[] }>().staffCredentials.length, 2);
  t.notOk(list.body.includes(body.code), 'the list never shows the PIN');
  noHash(t, ta, list.body, 'list');

  const del = await ta.app.inject({ method: 'DELETE', url: `/api/v1/staff-credentials/${body.staffCredential.id}`, headers: ta.headers('admin') });
  t.equal(del.statusCode, 200);
  t.type(del.json<{ staffCredential: Cred }>().staffCredential.revokedAt, 'number');
  noHash(t, ta, del.body, 'revoke reply');
  const after = (await ta.app.inject({ url: '/api/v1/staff-credentials', headers: ta.headers('admin') })).json<{ staffCredentials: Cred[] }>().staffCredentials;
  const live = after.filter((c) => c.revokedAt === undefined);
  t.same(live.map((c) => c.kind), ['badge'], 'the revoked PIN is not live');
  t.equal(after.find((c) => c.id === body.staffCredential.id)?.revokedAt, ta.clock.now, 'revoked, with the time');

  const again = await post({ role: 'operator', subjectId: opId, kind: 'badge', code: '04A29F11' });
  t.equal(again.statusCode, 409, 'a badge live for another credential is refused');
  t.match(again.json<ErrorJson>().error, { code: 'CONFLICT', field: 'body.code', message: /already in use/ });

  const activity = await ta.app.inject({ url: '/api/v1/activity?type=staff-credential', headers: ta.headers('admin') });
  t.equal(activity.json<{ activity: unknown[] }>().activity.length, 3, 'issues and revocation in the activity log');
  t.notOk(activity.body.includes(body.code), 'the activity log never shows the PIN');
});

t.test('bad input on each field is a 4xx naming it, and stores nothing', async (t) => {
  const { ta, opId, post } = await setup(t);
  const base = { role: 'operator', subjectId: opId, kind: 'staff-pin' };
  const before = await storeSnapshot(ta.store);
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{ ...base, role: 'recipient' }, 400, 'body.role'],
    [{ ...base, role: undefined }, 400, 'body.role'],
    [{ ...base, subjectId: 'bad id!' }, 400, 'body.subjectId'],
    [{ ...base, subjectId: 'nobody' }, 404, 'body.subjectId'],
    [{ ...base, kind: 'pickup-code' }, 400, 'body.kind'],
    [{ ...base, code: '12' }, 400, 'body.code'],
    [{ ...base, code: 123456 }, 400, 'body.code'],
    [{ ...base, kind: 'badge' }, 400, 'body.code'],
    [{ ...base, kind: 'badge', code: 'has space' }, 400, 'body.code'],
    [{ ...base, bankIds: 'bank' }, 400, 'body.bankIds'],
    [{ ...base, bankIds: ['no-bank'] }, 404, 'body.bankIds.0'],
    [{ ...base, expiresAt: 'tomorrow' }, 400, 'body.expiresAt'],
    [{ ...base, expiresAt: 5 }, 422, 'body.expiresAt'],
    [{ ...base, label: '' }, 400, 'body.label'],
    [{ ...base, extra: true }, 400, 'body.extra'],
  ];
  for (const [payload, status, field] of cases) {
    const res = await post(payload);
    t.equal(res.statusCode, status, `${JSON.stringify(payload)} -> ${status}`);
    t.equal(res.json<ErrorJson>().error.field, field, `names ${field}`);
  }
  const del = await ta.app.inject({ method: 'DELETE', url: '/api/v1/staff-credentials/sc-none', headers: ta.headers('admin') });
  t.equal(del.statusCode, 404);
  t.equal(del.json<ErrorJson>().error.field, 'params.staffCredentialId');
  t.equal(await storeSnapshot(ta.store), before, 'nothing stored');
});

t.test('only admins: operators, carriers and recipients get 403, nobody signed in 401', async (t) => {
  const { ta, opId, post } = await setup(t);
  const made = (await post({ role: 'operator', subjectId: opId, kind: 'staff-pin', code: '2468' })).json<{ staffCredential: Cred }>();
  const before = await storeSnapshot(ta.store);
  for (const role of ['operator', 'carrier', 'recipient'] as const) {
    const calls = [
      { method: 'POST' as const, url: '/api/v1/staff-credentials', payload: { role: 'operator', subjectId: opId, kind: 'staff-pin' } },
      { method: 'GET' as const, url: '/api/v1/staff-credentials' },
      { method: 'DELETE' as const, url: `/api/v1/staff-credentials/${made.staffCredential.id}` },
    ];
    for (const c of calls) {
      const res = await ta.app.inject({ ...c, headers: ta.headers(role) });
      t.equal(res.statusCode, 403, `${role}: ${c.method} ${c.url}`);
      t.equal(res.json<ErrorJson>().error.code, 'FORBIDDEN');
    }
  }
  t.equal((await ta.app.inject({ url: '/api/v1/staff-credentials' })).statusCode, 401);
  t.equal(await storeSnapshot(ta.store), before, 'refused calls change nothing');
});

t.test('in the OpenAPI document', async (t) => {
  const { ta } = await setup(t);
  const doc = (await ta.app.inject({ url: '/api/v1/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
  t.ok(doc.paths['/api/v1/staff-credentials']?.post, 'POST');
  t.ok(doc.paths['/api/v1/staff-credentials']?.get, 'GET');
  t.ok(doc.paths['/api/v1/staff-credentials/{staffCredentialId}']?.delete, 'DELETE');
});
