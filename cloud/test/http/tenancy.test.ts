// Enterprises are tenants, access levels narrow a user to a division or a location, roles are sets of permissions:
// what lies outside answers 404 in every list, read, change and report; what a role lacks answers 403.
import t from 'tap';
import { PREDEFINED_ROLES } from '../../src/domain/model.ts';
import { signedInUser, storeSnapshot, twoSitesApp, apiCall } from './helpers.ts';

const setup = twoSitesApp;

const call = apiCall;

t.test("another enterprise's objects do not exist for a user: 404 on every read and change, absent from every list", async (t) => {
  const ta = await setup(t);
  const other = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });
  const before = await storeSnapshot(ta.store);
  for (const [method, url, body] of [
    ['GET', '/banks/bank'],
    ['GET', '/banks/bank/lockers'],
    ['GET', '/banks/bank/lockers/1'],
    ['PATCH', '/banks/bank', { name: 'Mine now' }],
    ['PUT', '/banks/bank/lockers/1/service', { state: 'out-of-service' }],
    ['GET', '/contacts/c-rec'],
    ['PATCH', '/contacts/c-rec', { name: 'Renamed' }],
    ['GET', '/carriers/car/codes'],
    ['POST', '/carriers/car/codes', {}],
    ['POST', '/locations', { divisionId: 'div', name: 'Sneaky' }],
    ['POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S' }],
    ['PATCH', '/enterprises/ent/history-retention', { historyRetentionDays: 1 }],
  ] as const) {
    const res = await call(ta, other, method, url, body);
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.equal(res.json<{ error: { code: string } }>().error.code, 'NOT_FOUND', `${method} ${url}: NOT_FOUND`);
  }
  t.equal(await storeSnapshot(ta.store), before, 'nothing changed');
  const lists = {
    enterprises: (await call(ta, other, 'GET', '/enterprises')).json<{ enterprises: { id: string }[] }>().enterprises.map((e) => e.id),
    banks: (await call(ta, other, 'GET', '/banks')).json<{ banks: { id: string }[] }>().banks.map((b) => b.id),
    contacts: (await call(ta, other, 'GET', '/contacts')).json<{ contacts: { id: string }[] }>().contacts.map((c) => c.id),
    carriers: (await call(ta, other, 'GET', '/carriers')).json<{ carriers: { id: string }[] }>().carriers.map((c) => c.id),
    users: (await call(ta, other, 'GET', '/users')).json<{ users: { username: string }[] }>().users.map((u) => u.username),
  };
  t.same(lists, { enterprises: ['other'], banks: ['bank-o'], contacts: ['c-other'], carriers: ['car-o'], users: ['other-admin'] });
  // And the reverse: ent's admin does not see `other`.
  const mine = (await call(ta, { authorization: `Bearer ${ta.tokens.admin}` }, 'GET', '/banks')).json<{ banks: { id: string }[] }>().banks.map((b) => b.id);
  t.same(mine.sort(), ['bank', 'bank-2']);
  const reserve = await call(ta, { authorization: `Bearer ${ta.tokens.admin}` }, 'POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-other' }, size: 'S' });
  t.equal(reserve.statusCode, 404, "a reservation for another enterprise's contact: its contact does not exist");
});

t.test('a location-scoped operator sees only that location in every list and report', async (t) => {
  const ta = await setup(t);
  const admin = { authorization: `Bearer ${ta.tokens.admin}` };
  const annex = await signedInUser(ta, 'annex-op', { role: 'operator', accessLevel: { kind: 'location', id: 'loc-2' } });
  t.equal((await call(ta, admin, 'POST', '/contacts', { id: 'c-annex', name: 'Ann Annex' })).statusCode, 201);
  for (const [bankId, contact] of [['bank', 'c-rec'], ['bank-2', 'c-annex']] as const) {
    const r = await call(ta, admin, 'POST', '/reservations', { bankId, kind: 'package', recipient: { type: 'contact', id: contact }, size: 'S', trackingId: `T-${bankId}` });
    t.equal(r.statusCode, 201, `reserved at ${bankId}`);
  }
  const ids = <T extends { id: string }>(res: { json<J>(): J }, key: string) => (res.json<Record<string, T[]>>()[key] ?? []).map((x) => x.id).sort();
  t.same(ids(await call(ta, annex, 'GET', '/locations'), 'locations'), ['loc-2']);
  t.same(ids(await call(ta, annex, 'GET', '/banks'), 'banks'), ['bank-2']);
  t.same(ids(await call(ta, annex, 'GET', '/divisions'), 'divisions'), [], 'the division is wider than the location');
  const reservations = (await call(ta, annex, 'GET', '/reservations')).json<{ reservations: { bankId: string }[] }>().reservations;
  t.same([...new Set(reservations.map((r) => r.bankId))], ['bank-2'], 'reservations of the annex only');
  const activity = (await call(ta, annex, 'GET', '/activity')).json<{ activity: { bankId?: string }[] }>().activity;
  t.ok(activity.length > 0, 'the annex has activity');
  t.same([...new Set(activity.map((a) => a.bankId))], ['bank-2'], 'activity of the annex only');
  const csv = (await call(ta, annex, 'GET', '/activity?format=csv')).body;
  t.match(csv, /T-bank-2/);
  t.notMatch(csv, /T-bank,|T-bank"/, 'the export holds no other bank');
  t.equal((await call(ta, annex, 'GET', '/banks/bank/lockers')).statusCode, 404, 'the HQ bank does not exist for them');
  t.equal((await call(ta, annex, 'POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S' })).statusCode, 404);
  t.equal((await call(ta, annex, 'GET', '/banks/bank-2/lockers')).statusCode, 200);
  const users = (await call(ta, admin, 'GET', '/users')).json<{ users: { username: string }[] }>().users.map((u) => u.username);
  t.ok(users.includes('annex-op'), 'the enterprise admin sees the scoped user');
});

t.test('roles: a custom role grants exactly its permissions; predefined roles are fixed; a role in use is kept', async (t) => {
  const ta = await setup(t);
  const admin = { authorization: `Bearer ${ta.tokens.admin}` };
  const perms = (await call(ta, admin, 'GET', '/permissions')).json<{ permissions: { id: string; description: string }[] }>().permissions;
  t.ok(perms.some((p) => p.id === 'lockers.open' && p.description.length > 0), 'the catalogue names each permission and what it allows');

  const made = await call(ta, admin, 'POST', '/roles', { name: 'Door desk', permissions: ['lockers.view', 'lockers.contents', 'reports'] });
  t.equal(made.statusCode, 201);
  const roleId = made.json<{ role: { id: string } }>().role.id;
  t.equal((await call(ta, admin, 'POST', '/roles', { name: 'door DESK', permissions: [] })).statusCode, 409, 'names are unique');
  t.equal((await call(ta, admin, 'POST', '/roles', { name: 'Bad', permissions: ['lockers.fly'] })).statusCode, 400, 'an unknown permission is refused');

  const desk = await signedInUser(ta, 'desk-user', { role: roleId });
  t.equal((await call(ta, desk, 'GET', '/banks/bank/lockers')).statusCode, 200, 'lockers.view');
  t.equal((await call(ta, desk, 'GET', '/activity')).statusCode, 200, 'reports');
  t.equal((await call(ta, desk, 'POST', '/banks/bank/lockers/1/open', { reason: 'x' })).statusCode, 403, 'no lockers.open');
  t.equal((await call(ta, desk, 'GET', '/users')).statusCode, 403, 'no users');

  t.equal((await call(ta, admin, 'PATCH', `/roles/${roleId}`, { permissions: ['lockers.view'] })).statusCode, 200);
  t.equal((await call(ta, desk, 'GET', '/activity')).statusCode, 403, "a role's change applies to its users' next request");

  t.equal((await call(ta, admin, 'DELETE', `/roles/${roleId}`)).statusCode, 409, 'a role some user holds is kept');
  t.equal((await call(ta, admin, 'DELETE', '/roles/admin')).statusCode, 409, 'the predefined administrator role cannot be deleted');
  t.equal((await call(ta, admin, 'PATCH', '/roles/admin', { permissions: [] })).statusCode, 409, 'nor emptied');
  const other = await signedInUser(ta, 'other-admin', { enterpriseId: 'other' });
  t.equal((await call(ta, other, 'GET', `/roles/${roleId}`)).statusCode, 404, "another enterprise's role does not exist");
  t.equal((await call(ta, other, 'POST', '/users', { username: 'sneak', password: 'long enough', role: roleId })).statusCode, 404, 'nor can it be given');

  // The seed's contacts, departments and users are audited too: the roles' entries are the ones looked at here.
  const activity = (await call(ta, admin, 'GET', '/activity?type=admin-change')).json<{ activity: { target?: { kind: string } }[] }>().activity.filter((a) => a.target?.kind === 'role');
  t.match(activity, [
    { type: 'admin-change', target: { kind: 'role', id: roleId }, detail: 'role created', enterpriseId: 'ent', changes: [{ field: 'name', to: 'Door desk' }, { field: 'permissions' }] },
    { target: { kind: 'role', id: roleId }, detail: 'role changed', changes: [{ field: 'permissions', from: '["lockers.view","lockers.contents","reports"]', to: '["lockers.view"]' }] },
  ], 'each change is in the activity with its actor and what changed');
});

t.test('users: nobody hands out an access level beyond their own; a location manager sees only its users', async (t) => {
  const ta = await setup(t);
  // A user administrator who holds the operator's rights as well, so may hand out the operator role.
  const userAdminRole = await ta.service.roles.createRole({ enterpriseId: 'ent', name: 'User admin', permissions: [...PREDEFINED_ROLES.operator.permissions, 'users'] }, { role: 'admin' });
  const manager = await signedInUser(ta, 'annex-manager', { role: userAdminRole.id, accessLevel: { kind: 'location', id: 'loc-2' } });
  const wide = await call(ta, manager, 'POST', '/users', { username: 'wide', password: 'long enough', role: 'operator' });
  t.equal(wide.statusCode, 404, 'the enterprise level is beyond a location manager');
  const hq = await call(ta, manager, 'POST', '/users', { username: 'hq', password: 'long enough', role: 'operator', accessLevel: { kind: 'location', id: 'loc' } });
  t.equal(hq.statusCode, 404, 'another location too');
  const ok = await call(ta, manager, 'POST', '/users', { username: 'annex-2', password: 'long enough', role: 'operator', accessLevel: { kind: 'location', id: 'loc-2' } });
  t.equal(ok.statusCode, 201);
  t.match(ok.json(), { user: { enterpriseId: 'ent', accessLevel: { kind: 'location', id: 'loc-2' } } });
  const seen = (await call(ta, manager, 'GET', '/users')).json<{ users: { username: string }[] }>().users.map((u) => u.username).sort();
  t.same(seen, ['annex-2', 'annex-manager']);
  const adminUser = (await ta.auth.findUserByName('admin'))!;
  t.equal((await call(ta, manager, 'PATCH', `/users/${adminUser.id}`, { disabled: true })).statusCode, 404, 'the enterprise admin does not exist for them');
});

t.test('nobody hands out, or takes over, rights they do not hold: roles given, users changed, roles made', async (t) => {
  const ta = await setup(t);
  const userAdminRole = await ta.service.roles.createRole({ enterpriseId: 'ent', name: 'People desk', permissions: ['users', 'roles', 'lockers.view'] }, { role: 'admin' });
  const desk = await signedInUser(ta, 'people-desk', { role: userAdminRole.id });
  const before = await storeSnapshot(ta.store);
  const refused = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, body: unknown, field: string, what: string): Promise<void> => {
    const res = await call(ta, desk, method, url, body);
    t.equal(res.statusCode, 403, what);
    t.match(res.json(), { error: { code: 'FORBIDDEN', field, message: /which you do not hold yourself/ } }, `${what}: names the field and why`);
  };
  const adminUser = (await ta.auth.findUserByName('admin'))!;
  await refused('POST', '/users', { username: 'boss', password: 'long enough', role: 'admin' }, 'body.role', 'no administrator made by a user desk');
  await refused('POST', '/users', { username: 'op', password: 'long enough', role: 'operator' }, 'body.role', 'nor an operator: it opens doors the desk cannot');
  await refused('PATCH', `/users/${adminUser.id}`, { password: 'taken over now' }, 'params.userId', "no administrator's password set");
  await refused('DELETE', `/users/${adminUser.id}`, undefined, 'params.userId', 'no administrator removed');
  await refused('POST', '/roles', { name: 'Everything', permissions: ['users', 'settings'] }, 'body.permissions', 'no role made with a right the desk lacks');
  await refused('PATCH', '/roles/operator', { name: 'Renamed' }, 'params.roleId', 'no role changed that holds more');
  t.equal(await storeSnapshot(ta.store), before, 'nothing changed');
  const pinDesk = await signedInUser(ta, 'pin-desk', { role: (await ta.service.roles.createRole({ enterpriseId: 'ent', name: 'PIN desk', permissions: ['staffCredentials'] }, { role: 'admin' })).id });
  const withDesk = await storeSnapshot(ta.store);
  const pin = await call(ta, pinDesk, 'POST', '/staff-credentials', { role: 'admin', subjectId: adminUser.id, kind: 'staff-pin' });
  t.equal(pin.statusCode, 403, "no kiosk PIN minted, and shown, for an administrator's rights");
  t.match(pin.json(), { error: { code: 'FORBIDDEN', field: 'body.subjectId' } });
  t.equal(await storeSnapshot(ta.store), withDesk, 'no PIN stored');
  // Within its own rights the desk works: a role of its rights, a user with it, that user edited.
  const own = await call(ta, desk, 'POST', '/roles', { name: 'Viewer', permissions: ['lockers.view'] });
  t.equal(own.statusCode, 201);
  const viewer = await call(ta, desk, 'POST', '/users', { username: 'viewer', password: 'long enough', role: own.json<{ role: { id: string } }>().role.id });
  t.equal(viewer.statusCode, 201);
  t.equal((await call(ta, desk, 'PATCH', `/users/${viewer.json<{ user: { id: string } }>().user.id}`, { firstName: 'Vera' })).statusCode, 200);
});
