/**
 * A cloud's sign-in parts on real files, under sinon's fake Date: the store (durable in a temp data folder, or in
 * memory), the sessions file, the auth service and the HTTP API, with what they log captured.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { pino, type Logger } from 'pino';
import sinon from 'sinon';
import { AuthService, domainAuthParts } from '../../src/auth/service.ts';
import { FileTokenRepo, SESSIONS_FILE } from '../../src/auth/token-file.ts';
import { LockerService } from '../../src/domain/service.ts';
import { buildServer, type App } from '../../src/http/server.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import { PASSWORD, TEST_ARGON2 } from '../http/helpers.ts';

export { PASSWORD };
/** 2026-03-02 09:00 UTC. */
export const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
export const MIN = 60_000;
export const HOUR = 3600_000;

export interface SessionApp {
  app: App;
  service: LockerService;
  auth: AuthService;
  store: Store;
  tokens: FileTokenRepo;
  /** The data folder: `store/` (when durable) and the sessions file. */
  dir: string;
  clock: sinon.SinonFakeTimers;
  /** A token of `admin`, signed in at the start. */
  admin: string;
  /** Everything logged so far. */
  logs(): string;
  /** Makes a user of `ent` (or `enterpriseId`, made when absent) with the test password; answers its id. */
  user(username: string, opts?: { role?: string; enterpriseId?: string }): Promise<string>;
  /** Signs in through the API; answers the bearer token. */
  login(username: string, opts?: { ip?: string; userAgent?: string }): Promise<string>;
  /** One API call with a bearer token: `url` below /api/v1. */
  call(token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<LightMyRequestResponse>;
}

/**
 * Users `admin` (the enterprise's administrator, signed in) and `operator` exist in enterprise `ent`; time starts at
 * `at` (default T0). `sessionsFrom`: a sessions file the folder starts with.
 */
export async function sessionApp(t: { teardown(fn: () => unknown): void }, opts: { durable?: boolean; at?: number; sessionsFrom?: string } = {}): Promise<SessionApp> {
  const clock = sinon.useFakeTimers({ now: opts.at ?? T0, toFake: ['Date'] });
  const dir = await mkdtemp(join(tmpdir(), 'portier-sessions-'));
  if (opts.sessionsFrom !== undefined) await copyFile(opts.sessionsFrom, join(dir, SESSIONS_FILE));
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logged += chunk.toString('utf8');
      done();
    },
  });
  const logger: Logger = pino({ level: 'debug' }, sink);
  const store: Store = opts.durable ? await DurableStore.open(join(dir, 'store'), { logger }) : new MemoryStore();
  const service = new LockerService({ store, logger, codeHashN: 1024 });
  const tokens = await FileTokenRepo.open(join(dir, SESSIONS_FILE), Date.now());
  const auth = new AuthService({
    ...domainAuthParts(service, logger),
    tokens,
    now: () => Date.now(),
    logger,
    store,
    random: service.random,
    argon2: TEST_ARGON2,
    tokenTtlMs: 24 * HOUR,
    login: { freeAttempts: 50, baseLockMs: 1000, maxLockMs: 60_000, windowMs: 600_000 },
  });
  const app = await buildServer({ auth, service, logger, bodyLimitBytes: 256 * 1024 });
  t.teardown(async () => {
    await app.close();
    await tokens.flush();
    if (store instanceof DurableStore) await store.close();
    await rm(dir, { recursive: true, force: true });
    clock.restore();
  });
  await service.createEnterprise({ id: 'ent', name: 'Acme' }, { role: 'system' });

  const call: SessionApp['call'] = (token, method, url, payload) =>
    app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const sa: SessionApp = {
    app,
    service,
    auth,
    store,
    tokens,
    dir,
    clock,
    admin: '',
    logs: () => logged,
    user: async (username, o = {}) => {
      const enterpriseId = o.enterpriseId ?? 'ent';
      if (!store.get('enterprises', enterpriseId)) await service.createEnterprise({ id: enterpriseId, name: `Enterprise ${enterpriseId}` }, { role: 'system' });
      return (await auth.createUser({ enterpriseId, username, password: PASSWORD, role: o.role ?? 'admin' })).id;
    },
    login: async (username, o = {}) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: PASSWORD },
        remoteAddress: o.ip ?? '127.0.0.1',
        headers: o.userAgent !== undefined ? { 'user-agent': o.userAgent } : {},
      });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return res.json<{ token: string }>().token;
    },
    call,
  };
  await sa.user('admin');
  await sa.user('operator', { role: 'operator' });
  sa.admin = await sa.login('admin');
  return sa;
}
