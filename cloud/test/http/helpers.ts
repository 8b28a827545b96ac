import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { PasswordLinks, unsentAccountMail } from '../../src/auth/password-links.ts';
import type { AccountMail } from '../../src/auth/account-mail.ts';

/** The predefined roles: one test user holds each. */
export type Role = 'admin' | 'operator' | 'carrier' | 'recipient';
import { AuthService, domainAuthParts } from '../../src/auth/service.ts';
import { MemoryTokenRepo } from '../../src/auth/users.ts';
import type { AccessLevel } from '../../src/domain/model.ts';
import { LockerService } from '../../src/domain/service.ts';
import { buildServer, type App, type HttpDeps } from '../../src/http/server.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { RemoteOpenService } from '../../src/http/routes/remote-open.ts';
import { COLLECTIONS, type Store } from '../../src/store/store.ts';
import { runAdmin, type AdminIo } from '../../src/cli/admin.ts';
import { seedKioskBank } from '../fixtures/site.ts';

export const silent = pino({ level: 'silent' });
/** Cheap scrypt for tests: the cost parameters are stored with each hash, so nothing else changes. */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1, keyLen: 32 };
/** Cheap argon2id for tests, likewise stored with each hash. */
export const TEST_ARGON2 = { memoryCost: 64, timeCost: 1, parallelism: 1 };
export const PASSWORD = 'correct horse battery';
/** The address the test apps' pages and links are reached at. */
export const TEST_BASE_URL = 'https://lockers.example.com';

export interface TestApp {
  app: App;
  store: Store;
  service: LockerService;
  auth: AuthService;
  tokenRepo: MemoryTokenRepo;
  clock: { now: number };
  /** A bearer token per role (the recipient is linked to contact `c-rec` when the model helper made it). */
  tokens: Record<Role, string>;
  headers(role: Role): Record<string, string>;
}

export async function makeTestApp(
  opts: {
    bodyLimitBytes?: number;
    recipientContactId?: string;
    extend?: (app: App) => void | Promise<void>;
    remoteOpen?: RemoteOpenService;
    store?: MemoryStore;
    sftp?: HttpDeps['sftp'];
    vault?: HttpDeps['vault'];
    /** Where sign-in codes go by e-mail (none offered without it). */
    mail?: AccountMail;
    /** As a cloud sharing its database gives it (HttpDeps.catchUp). */
    catchUp?: () => Promise<void>;
  } = {},
): Promise<TestApp> {
  const clock = { now: Date.UTC(2026, 0, 15, 9, 0, 0) };
  const store = opts.store ?? new MemoryStore();
  const service = new LockerService({ store, clock: () => clock.now, logger: silent, codeHashN: 1024 });
  const tokenRepo = new MemoryTokenRepo();
  const auth = new AuthService({
    ...domainAuthParts(service, silent, opts.mail),
    tokens: tokenRepo,
    store,
    random: service.random,
    now: () => clock.now,
    logger: silent,
    argon2: TEST_ARGON2,
    tokenTtlMs: 3600_000,
    login: { freeAttempts: 3, baseLockMs: 1000, maxLockMs: 60_000, windowMs: 600_000 },
  });
  // The links of welcome and reset e-mails, so their routes answer as on a served cloud (the messages go nowhere).
  const links = new PasswordLinks({
    store,
    users: service.users,
    setPassword: (id, password, actor) => auth.updateUser(id, { password }, actor),
    mail: unsentAccountMail(silent),
    baseUrl: () => TEST_BASE_URL,
    now: () => clock.now,
    newId: () => service.random.id('a'),
    logger: silent,
  });
  const app = await buildServer({
    auth,
    service,
    logger: silent,
    accounts: { links, formKey: randomBytes(32), secureCookies: () => false, baseUrl: () => TEST_BASE_URL },
    bodyLimitBytes: opts.bodyLimitBytes ?? 256 * 1024,
    ...(opts.extend ? { extend: opts.extend } : {}),
    ...(opts.remoteOpen ? { remoteOpen: opts.remoteOpen } : {}),
    ...(opts.sftp ? { sftp: opts.sftp } : {}),
    ...(opts.vault ? { vault: opts.vault } : {}),
    ...(opts.catchUp ? { catchUp: opts.catchUp } : {}),
  });
  const tokens = {} as Record<Role, string>;
  // Every test user belongs to the enterprise `ent` that seedModel fills.
  await service.createEnterprise({ id: 'ent', name: 'Acme' }, { role: 'system' });
  for (const role of ['admin', 'operator', 'carrier', 'recipient'] as const) {
    await auth.createUser({
      enterpriseId: 'ent',
      username: role,
      password: PASSWORD,
      role,
      ...(role === 'admin' ? { platformAdmin: true } : {}),
      ...(role === 'recipient' && opts.recipientContactId ? { contactId: opts.recipientContactId } : {}),
    });
    tokens[role] = (await auth.login(role, PASSWORD, '127.0.0.1')).token;
  }
  return {
    app,
    store,
    service,
    auth,
    tokenRepo,
    clock,
    tokens,
    headers: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
  };
}

/** Everything a store holds, as one comparable value: to prove a refused request changed nothing. */
export async function storeSnapshot(store: Store): Promise<string> {
  const live = Object.fromEntries(COLLECTIONS.map((c) => [c, store.list(c)]));
  return JSON.stringify({
    live,
    history: await store.historySize(),
    activity: (await store.queryActivity({ limit: 100_000 })).items,
    past: (await store.pastReservations({ limit: 100_000 })).items,
  });
}

/** Fills `:param` placeholders of a route URL with plausible values. */
export function sampleUrl(url: string, values: Record<string, string> = {}): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? (name === 'number' ? '1' : `x-${name}`));
}

/**
 * A small site: enterprise `ent` (or the one given) > division `div` > location `loc` > bank `bank` with a kiosk column and six lockers
 * (1-2 S, 3-4 M, 5-6 L; 1 and 3 accessible), contacts `c-rec` (the recipient login's) and `c-ada` (needs accessible
 * lockers), department `dep`, carrier `car`.
 */
export async function seedModel(service: LockerService, enterpriseId = 'ent'): Promise<void> {
  const actor = { role: 'admin' as const, id: 'seed' };
  await seedKioskBank(service, actor, 'col', enterpriseId);
  const sizes = ['S', 'S', 'M', 'M', 'L', 'L'] as const;
  await service.createLockers(
    sizes.map((size, i) => ({
      bankId: 'bank',
      number: i + 1,
      columnId: 'col',
      door: i + 1,
      size,
      // Odd numbers sit in the reach range, even ones too high; each door is 50 cm, tall enough for an L.
      bottomCm: i % 2 === 0 ? 60 : 130,
      topCm: i % 2 === 0 ? 110 : 180,
      loading: 'front' as const,
    })),
    actor,
  );
  await service.createContact({ id: 'c-rec', enterpriseId, name: 'Rita Recipient', email: 'rita@example.com', personnelId: 'P-1' }, actor);
  await service.createContact({ id: 'c-ada', enterpriseId, name: 'Adam Access', needsAccessible: true }, actor);
  await service.createDepartment({ id: 'dep', enterpriseId, name: 'Finance', memberIds: ['c-rec'] }, actor);
  await service.createCarrier({ id: 'car', enterpriseId, name: 'Parcel Co' }, actor);
}

/** The admin CLI's I/O captured: what `runAdmin` printed, with `env` as its environment. */
export function cliIo(env: Record<string, string>): AdminIo & { stdout: string; stderr: string } {
  const o = {
    env,
    stdout: '',
    stderr: '',
    out: (s: string) => void (o.stdout += s),
    err: (s: string) => void (o.stderr += s),
    readStdin: async () => '',
    fetch: globalThis.fetch,
  };
  return o;
}

/** `portier <args>` run in-process with `env`: its exit code and what it printed. */
export async function runCli(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = cliIo(env);
  const code = await runAdmin(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/**
 * A seeded test app listening on a real port, closed at teardown, and the CLI environment of each role: what the
 * admin-CLI tests run `runAdmin` against.
 */
export async function listeningCliApp(t: { teardown(fn: () => unknown): void }): Promise<{ ta: TestApp; env(role: Role): Record<string, string> }> {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  await ta.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = ta.app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return { ta, env: (role) => ({ PORTIER_URL: url, PORTIER_TOKEN: ta.tokens[role] }) };
}

/**
 * A signed-in user made for a test: `role` (a predefined role's id or one of the enterprise's), in `enterpriseId`
 * (default `ent`, made when absent), at `accessLevel` (default the whole enterprise). Answers its request headers.
 */
export async function signedInUser(
  ta: TestApp,
  username: string,
  opts: { role?: string; enterpriseId?: string; accessLevel?: AccessLevel } = {},
): Promise<Record<string, string>> {
  const enterpriseId = opts.enterpriseId ?? 'ent';
  if (!ta.store.get('enterprises', enterpriseId)) await ta.service.createEnterprise({ id: enterpriseId, name: `Enterprise ${enterpriseId}` }, { role: 'system' });
  await ta.auth.createUser({ enterpriseId, username, password: PASSWORD, role: opts.role ?? 'admin', ...(opts.accessLevel ? { accessLevel: opts.accessLevel } : {}) });
  const { token } = await ta.auth.login(username, PASSWORD, '127.0.0.1');
  return { authorization: `Bearer ${token}` };
}

/**
 * A second site beside seedModel's, for scope tests: location `loc-2` (division `div`) with bank `bank-2` (one
 * column, two lockers), and enterprise `other` with its own division, location `loc-o` and bank `bank-o`.
 */
export async function seedSecondSites(service: LockerService): Promise<void> {
  const actor = { role: 'admin' as const, id: 'seed' };
  const lockers = (bankId: string, columnId: string) =>
    [1, 2].map((n) => ({ bankId, number: n, columnId, door: n, size: 'M' as const, bottomCm: 60, topCm: 110, loading: 'front' as const }));
  await service.createLocation({ id: 'loc-2', divisionId: 'div', name: 'Annex' }, actor);
  await service.createBank({ id: 'bank-2', locationId: 'loc-2', name: 'Annex bank' }, actor);
  await service.createColumn({ id: 'col-2', bankId: 'bank-2', position: 1, kind: 'kiosk', controllerId: 'ctl-2' }, actor);
  await service.createLockers(lockers('bank-2', 'col-2'), actor);
  await service.createEnterprise({ id: 'other', name: 'Other Corp' }, actor);
  await service.createDivision({ id: 'div-o', enterpriseId: 'other', name: 'South' }, actor);
  await service.createLocation({ id: 'loc-o', divisionId: 'div-o', name: 'Depot' }, actor);
  await service.createBank({ id: 'bank-o', locationId: 'loc-o', name: 'Depot bank' }, actor);
  await service.createColumn({ id: 'col-o', bankId: 'bank-o', position: 1, kind: 'kiosk', controllerId: 'ctl-o' }, actor);
  await service.createLockers(lockers('bank-o', 'col-o'), actor);
  await service.createContact({ id: 'c-other', enterpriseId: 'other', name: 'Olga Other' }, actor);
  await service.createCarrier({ id: 'car-o', enterpriseId: 'other', name: 'Other Parcels' }, actor);
}

/** The test app on seedModel's site and seedSecondSites' (another location, another enterprise), closed at teardown. */
export async function twoSitesApp(t: { teardown(fn: () => unknown): void }): Promise<TestApp> {
  const ta = await seededApp(t);
  await seedSecondSites(ta.service);
  return ta;
}

/** One API call as `headers` sends it: `url` below /api/v1, a JSON body when given. */
export function apiCall(ta: TestApp, headers: Record<string, string>, method: string, url: string, payload?: unknown) {
  return ta.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
}

/** The API's one error body, as a test reads it. */
export interface ErrorReply {
  error: { code: string; message: string; field?: string };
}

/** The methods the API answers. */
export type Method = 'GET' | 'PATCH' | 'DELETE' | 'POST';

/** One API call by the test user of `role` (the admin unless named): `url` below /api/v1, a JSON body when given. */
export function call(ta: TestApp, method: Method, url: string, payload?: unknown, role: Role = 'admin') {
  return apiCall(ta, ta.headers(role), method, url, payload);
}

/** The test app on seedModel's site, closed at teardown; `opts` as makeTestApp's. */
export async function seededApp(t: { teardown(fn: () => unknown): void }, opts: Parameters<typeof makeTestApp>[0] = {}): Promise<TestApp> {
  const ta = await makeTestApp(opts);
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  return ta;
}
