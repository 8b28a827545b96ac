import { readFileSync } from 'node:fs';
import { predefinedRole } from '../../src/domain/model.ts';
import t from 'tap';
import { PREDEFINED_ROLES, type Permission } from '../../src/domain/model.ts';
import { allows, type Access } from '../../src/auth/roles.ts';
import type { Principal } from '../../src/auth/service.ts';

const ROLES = ['admin', 'operator', 'carrier', 'recipient'] as const;

/** Whether the test user of a predefined role passes an access rule (the test admin is also a platform admin). */
function roleAllows(role: (typeof ROLES)[number], access: Exclude<Access, 'public'>): boolean {
  const p: Principal = {
    userId: role,
    username: role,
    role,
    enterpriseId: 'ent',
    accessLevel: { kind: 'enterprise' },
    permissions: new Set<Permission>(PREDEFINED_ROLES[role].permissions),
    platformAdmin: role === 'admin',
  };
  return allows(p, access);
}
import type { RemoteOpenRequest } from '../../src/sync/remote-open.ts';
import { accessKey, ROUTE_ACCESS } from '../../src/http/access.ts';
import { makeTestApp, sampleUrl, seedModel, storeSnapshot } from './helpers.ts';

const PUBLIC = new Set([
  'POST /api/v1/auth/login',
  'GET /api/v1/openapi.json',
  'GET /api/v1/health',
  'POST /api/v1/auth/forgot-password',
  'POST /api/v1/auth/reset-password',
  // The second step of a sign-in: the challenge token is the credential.
  ...['verify', 'email', 'enrol', 'enrol/confirm'].map((p) => `POST /api/v1/auth/mfa/${p}`),
  // The preferences page's credential is the sealed token in its address (mail/preferences.ts).
  'GET /preferences/:token',
  'POST /preferences/:token',
  ...['set-password', 'reset-password', 'forgot-password'].flatMap((p) => [`GET /account/${p}`, `POST /account/${p}`]),
  // The browser's single sign-on and its session: the sealed sign-in state and the session cookie are the keys.
  'GET /account/sso/:enterpriseId',
  'GET /account/sso/callback',
  'GET /account',
  'GET /account/sign-in',
  // Signing in with a password and a second factor: the challenge cookie is the key.
  ...['sign-in', 'mfa', 'mfa/email', 'mfa/enrol'].map((p) => `POST /account/${p}`),
  'GET /account/mfa',
  'GET /account/mfa/enrol',
  'POST /account/sign-out',
  // The server's address leads to the console (which sends whoever has no session to sign in); the console's
  // script and style sheet are the same for everyone.
  'GET /',
  'GET /console/assets/:file',
  'GET /favicon.ico',
  // A logo file by its SHA-256: kiosks and e-mails fetch it; logos are not secret.
  'GET /branding/:sha256',
]);

t.test('the access table and the registered routes are the same set', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const registered = new Set([...ta.app.apiRoutes, ...ta.app.pageRoutes].map((r) => accessKey(r.method, r.url)));
  t.ok(registered.size >= 40, `${registered.size} routes registered`);
  for (const key of Object.keys(ROUTE_ACCESS)) t.ok(registered.has(key), `${key} is registered`);
  t.same(
    Object.entries(ROUTE_ACCESS)
      .filter(([, e]) => e.access === 'public')
      .map(([k]) => k)
      .sort(),
    [...PUBLIC].sort(),
    'only login, openapi, health, the password links (API and pages), the sign-in pages, the preferences page and the way into the console are public',
  );
});

t.test('every registered route: no token or a bad token is 401, a wrong role is 403, and nothing changes', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const before = await storeSnapshot(ta.store);
  for (const { method, url } of ta.app.apiRoutes) {
    const key = accessKey(method, url);
    const entry = ROUTE_ACCESS[key]!;
    const target = sampleUrl(url);
    const payload = method === 'GET' || method === 'DELETE' ? undefined : { size: 'M' };
    const inject = (headers: Record<string, string>) =>
      ta.app.inject({ method: method as 'GET', url: target, headers, ...(payload ? { payload } : {}) });
    if (PUBLIC.has(key)) {
      const res = await inject({});
      t.not(res.statusCode, 401, `${key} is public`);
      continue;
    }
    const anon = await inject({});
    t.equal(anon.statusCode, 401, `${key} without a token`);
    t.same(anon.json(), { error: { code: 'UNAUTHORIZED', message: 'missing or malformed bearer token', field: 'headers.authorization' } });
    const bad = await inject({ authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    t.equal(bad.statusCode, 401, `${key} with an unknown token`);
    const basic = await inject({ authorization: 'Basic YWRtaW46YWRtaW4=' });
    t.equal(basic.statusCode, 401, `${key} with basic auth`);
    for (const role of ROLES) {
      if (entry.access !== 'public' && roleAllows(role, entry.access)) continue;
      const res = await inject(ta.headers(role));
      // A hidden route (the address book) answers as if it did not exist to a role without its permission.
      const hidden = entry.hidden !== undefined && !predefinedRole(role)!.permissions.includes(entry.hidden);
      t.equal(res.statusCode, hidden ? 404 : 403, `${key} as ${role}`);
      t.equal(res.json<{ error: { code: string } }>().error.code, hidden ? 'NOT_FOUND' : 'FORBIDDEN');
    }
  }
  t.equal(await storeSnapshot(ta.store), before, 'no refused request changed the store');
});

t.test('an unknown route is a 404 in the API error format', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  const res = await ta.app.inject({ url: '/api/v1/nothing-here' });
  t.equal(res.statusCode, 404);
  t.same(res.json(), { error: { code: 'NOT_FOUND', message: 'no route GET /api/v1/nothing-here' } });
});

t.test('remote open: operators and admins (mailroom staff) may open a door, carriers and recipients may not', async (t) => {
  const calls: RemoteOpenRequest[] = [];
  const ta = await makeTestApp({
    remoteOpen: {
      open: async (req) => {
        calls.push(req);
        return { commandId: `cmd-${calls.length}`, outcome: 'opened', controllerId: 'col-1', door: req.lockerNumber };
      },
    },
  });
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const url = '/api/v1/banks/bank/lockers/1/open';
  const open = (headers: Record<string, string>) => ta.app.inject({ method: 'POST', url, headers, payload: { reason: 'jammed parcel' } });
  t.equal((await open({})).statusCode, 401, 'nobody signed in');
  const allowed = ROLES.filter((role) => {
    const access = ROUTE_ACCESS[accessKey('POST', '/api/v1/banks/:bankId/lockers/:number/open')]!.access;
    return access !== 'public' && roleAllows(role, access);
  });
  t.same([...allowed].sort(), ['admin', 'operator'], 'the access table says: admins and operators');
  for (const role of ROLES) {
    const res = await open(ta.headers(role));
    if (allowed.includes(role)) {
      t.equal(res.statusCode, 200, `${role} opens`);
      t.match(calls.at(-1), { bankId: 'bank', lockerNumber: 1, reason: 'jammed parcel', actor: { role } }, `the open is on record as the ${role}'s`);
    } else {
      t.equal(res.statusCode, 403, `${role} may not open`);
    }
  }
  t.equal(calls.length, 2, 'only the allowed roles reached the door');
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  t.match(readme, /operators and admins\) open doors remotely/, 'the README says the same');
});

t.test('an API-only server (no MQTT link) documents the remote-open route and answers 503', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/banks/bank/lockers/1/open', headers: ta.headers('admin'), payload: { reason: 'x' } });
  t.equal(res.statusCode, 503);
  t.match(res.json(), { error: { code: 'UNAVAILABLE' } });
});

t.test('routes added by other parts of the cloud need a table entry', async (t) => {
  await t.rejects(
    makeTestApp({
      extend: (app) => {
        app.get('/api/v1/secret-backdoor', async () => ({}));
      },
    }),
    /GET \/api\/v1\/secret-backdoor has no entry in ROUTE_ACCESS/,
    'a route without an access rule stops the server from starting',
  );
});
