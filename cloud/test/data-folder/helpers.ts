// The whole-cloud fixture written by the previous release (cloud/test/fixtures/data-2026-12, by
// scripts/fixtures/write-cloud-data.ts): copied to a temp folder, started, and asked what a user would ask.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { z } from 'zod';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';

export const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'data-2026-12');
export const LOW_HASH = { N: 1024, r: 8, p: 1, keyLen: 32 };

const ExpectedSchema = z.object({
  now: z.number(),
  admin: z.object({ user: z.string(), password: z.string() }),
  answers: z.record(z.string(), z.unknown()),
});
export type Expected = z.infer<typeof ExpectedSchema>;

export async function readExpected(): Promise<Expected> {
  return ExpectedSchema.parse(JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')));
}

export interface Teardownable {
  teardown(fn: () => unknown): void;
}

export async function tempDir(t: Teardownable, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the fixture: `{ data, secretsKey }` in a fresh temp folder. */
export async function copyFixture(t: Teardownable): Promise<{ root: string; data: string; secretsKey: string }> {
  const root = await tempDir(t, 'portier-fixture-');
  await cp(join(FIXTURE, 'data'), join(root, 'data'), { recursive: true });
  await cp(join(FIXTURE, 'secrets.key'), join(root, 'secrets.key'));
  return { root, data: join(root, 'data'), secretsKey: join(root, 'secrets.key') };
}

/** The cloud in-process on `data`, at the fixture's instant, HTTP and embedded broker on free ports. */
export async function startOn(t: Teardownable, data: string, secretsKey: string, now: number): Promise<CloudRuntime> {
  const rt = await startCloud({
    config: {
      dataDir: data,
      secretsKeyFile: secretsKey,
      http: { host: '127.0.0.1', port: 0 },
      auth: { argon2: { memoryCost: 64, timeCost: 1 } },
      expiry: { intervalSeconds: 0 },
      log: { level: 'silent' },
    },
    logger: pino({ level: 'silent' }),
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    now: () => now,
    codeHashN: 1024,
    identityHashParams: LOW_HASH,
    desired: { debounceMs: 0, refreshMs: 0 },
  });
  t.teardown(() => rt.stop());
  return rt;
}

/** GETs every path of `expected.answers` as the fixture's admin and returns the answers by path. */
export async function askAll(httpUrl: string, expected: Expected): Promise<Record<string, unknown>> {
  const login = await fetch(`${httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: expected.admin.user, password: expected.admin.password }),
  });
  const { token } = z.object({ token: z.string() }).parse(await login.json());
  const out: Record<string, unknown> = {};
  for (const path of Object.keys(expected.answers)) {
    const r = await fetch(`${httpUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    out[path] = { status: r.status, body: (await r.json()) as unknown };
  }
  return out;
}

/** What `askAll` must return: every recorded answer, with status 200. */
export function answersOf(expected: Expected): Record<string, unknown> {
  return Object.fromEntries(Object.entries(expected.answers).map(([p, body]) => [p, { status: 200, body }]));
}
