// Sessions and API keys on real files: the tokens.json of the previous release loads as sessions, a request's time
// reaches the file at most once a minute while the idle check reads the freshest, no token or key is in the data
// folder or the logs in clear, and backups leave the sessions out (a restore drops those of an older backup).
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { z } from 'zod';
import { SESSIONS_FILE } from '../../src/auth/token-file.ts';
import { writeBackup } from '../../src/backup/backup.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import type { DurableStore } from '../../src/store/durable.ts';
import { MIN, sessionApp } from './helpers.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tokens-2026-12');
const Expected = z.object({ now: z.number(), tokens: z.record(z.string(), z.array(z.string())) });
const SessionFile = z.object({ format: z.literal(1), tokens: z.array(z.object({ hash: z.string(), userId: z.string(), createdAt: z.number(), expiresAt: z.number() }).loose()) });

async function readSessions(dir: string) {
  return SessionFile.parse(JSON.parse(await readFile(join(dir, SESSIONS_FILE), 'utf8'))).tokens;
}

/** Every file under `dir`, as text. */
async function folderText(dir: string): Promise<string> {
  let out = '';
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += await readFile(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

t.test("the previous release's tokens.json loads: its tokens are sessions, listed, ended, written back in a shape it still reads", async (t) => {
  const expected = Expected.parse(JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')));
  const before = await readSessions(FIXTURE);
  // The cloud starts on that file 5 minutes after it was written, its users in the store.
  const sa = await sessionApp(t, { sessionsFrom: join(FIXTURE, SESSIONS_FILE), at: expected.now + 5 * MIN });
  const dir = sa.dir;
  for (const id of ['u-alice', 'u-bob']) await sa.service.users.createUser({ id, enterpriseId: 'ent', username: id.slice(2), role: 'operator' }, { role: 'system' });
  const [alice1, alice2] = expected.tokens['u-alice']!;
  const bob = expected.tokens['u-bob']![0]!;
  for (const token of [alice1!, alice2!, bob]) t.equal((await sa.call(token, 'GET', '/auth/me')).statusCode, 200, 'a token of the previous release signs in');

  const list = (await sa.call(alice1!, 'GET', '/auth/sessions')).json<{ sessions: { id: string; createdAt: number; expiresAt: number; current: boolean }[] }>().sessions;
  t.same(
    list.map((s) => ({ createdAt: s.createdAt, expiresAt: s.expiresAt, current: s.current })),
    before
      .filter((s) => s.userId === 'u-alice')
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((s, i) => ({ createdAt: s.createdAt, expiresAt: s.expiresAt, current: i === 1 })),
    "alice's two sessions, with their sign-in times and ends",
  );
  const after = (await readSessions(dir)).filter((s) => ['u-alice', 'u-bob'].includes(s.userId));
  t.same(after.map((s) => ({ hash: s.hash, userId: s.userId, createdAt: s.createdAt, expiresAt: s.expiresAt })), before, 'the fields the previous release reads are unchanged');
  t.same(after.map((s) => s['id']).sort(), list.map((s) => s.id).concat(after.filter((s) => s.userId === 'u-bob').map((s) => s['id'] as string)).sort(), 'each has its id in the file');

  // Unused since the upgrade: the idle period counts from the start, not from the old file's sign-in.
  sa.clock.tick(14 * MIN);
  t.equal((await sa.call(alice2!, 'GET', '/auth/me')).statusCode, 200);
  sa.clock.tick(MIN);
  t.equal((await sa.call(bob, 'GET', '/auth/me')).statusCode, 401, 'an unused session ends after the idle period');
  t.equal((await sa.call(alice2!, 'POST', '/auth/logout-all')).statusCode, 204);
  t.same((await readSessions(dir)).filter((s) => s.userId === 'u-alice'), [], "alice's sessions left the file");
});

t.test("a request's time reaches the file at most once a minute; the idle check reads the freshest one", async (t) => {
  const sa = await sessionApp(t, { durable: true });
  t.equal((await sa.call(sa.admin, 'PATCH', '/enterprises/ent', { settings: { idleTimeoutMinutes: 5 } })).statusCode, 200);
  const token = await sa.login('operator');
  const signedIn = Date.now();
  const opId = (await sa.auth.findUserByName('operator'))!.id;
  const lastSeen = async () => (await readSessions(sa.dir)).find((s) => s.userId === opId)?.['lastSeenAt'];
  t.equal(await lastSeen(), signedIn);
  for (let i = 0; i < 5; i++) {
    sa.clock.tick(10_000);
    t.equal((await sa.call(token, 'GET', '/auth/me')).statusCode, 200);
  }
  t.equal(await lastSeen(), signedIn, 'five requests in 50 s: not one write of the file');
  // 5 minutes after sign-in but 4:10 after the last request (held in memory only): still signed in.
  sa.clock.tick(5 * MIN - 50_000);
  t.equal((await sa.call(token, 'GET', '/auth/me')).statusCode, 200, 'idle measured from the last request, not the last write');
  await sa.tokens.flush();
  t.equal(await lastSeen(), Date.now(), 'written once the minute passed');
});

t.test('no session token nor API key in clear in the data folder, its backup or the logs; backups leave sessions out', async (t) => {
  const sa = await sessionApp(t, { durable: true });
  const token = await sa.login('operator');
  const made = (await sa.call(sa.admin, 'POST', '/api-keys', { name: 'Export', role: 'operator', expiresAt: Date.now() + 30 * 24 * 60 * MIN })).json<{ key: string; apiKey: { id: string } }>();
  t.equal((await sa.call(made.key, 'GET', '/banks')).statusCode, 200);
  t.equal((await sa.call(token, 'GET', '/auth/me')).statusCode, 200);
  sa.clock.tick(2 * MIN);
  t.equal((await sa.call(token, 'GET', '/auth/me')).statusCode, 200);
  await sa.tokens.flush();

  const secret = made.key.slice(-43);
  const onDisk = await folderText(sa.dir);
  t.match(onDisk, made.apiKey.id, 'the key is in the store');
  t.match(onDisk, /"lastSeenAt"/, 'the sessions are in their file');
  for (const [what, s] of [['session token', token], ['admin token', sa.admin], ['API key secret', secret]] as const) {
    t.notMatch(onDisk, s, `no ${what} in the data folder`);
    t.notMatch(sa.logs(), s, `no ${what} in the logs`);
  }

  const out = new PassThrough();
  let backup = '';
  out.on('data', (c: Buffer) => (backup += c.toString('utf8')));
  await writeBackup(out, { dataDir: sa.dir, storeDir: join(sa.dir, 'store'), store: sa.store as DurableStore });
  out.end();
  t.notMatch(backup, `"file":"${SESSIONS_FILE}"`, 'the backup leaves the sessions out');
  t.match(backup, /"file":"store\//, 'and holds the store, API keys included');
  t.notMatch(backup + decodeChunks(backup), secret, 'no API key secret in the backup');

  // A backup of an earlier release holds its sessions: a restore drops them.
  const restored = join(sa.dir, '..', `${sa.dir.split('/').pop()!}-restored`);
  t.teardown(() => rm(restored, { recursive: true, force: true }));
  const file = join(sa.dir, 'old.backup');
  await writeFile(file, oldStyleBackup(backup, await readFile(join(sa.dir, SESSIONS_FILE))));
  await restoreBackup({ from: file, dataDir: restored });
  t.notOk((await readdir(restored)).includes(SESSIONS_FILE), 'the restored folder has no sessions file');
});

/** The bytes of every file in a backup's chunk lines. */
function decodeChunks(backup: string): string {
  return backup
    .split('\n')
    .filter((l) => l.startsWith('{"chunk"'))
    .map((l) => Buffer.from(z.object({ chunk: z.string() }).parse(JSON.parse(l)).chunk, 'base64').toString('utf8'))
    .join('');
}

/** `backup` with the sessions file added before its manifest, as a release that backed it up wrote it. */
function oldStyleBackup(backup: string, sessions: Buffer): string {
  const lines = backup.trimEnd().split('\n');
  const manifest = z.object({ manifest: z.array(z.unknown()) }).parse(JSON.parse(lines.pop()!));
  const sha256 = createHash('sha256').update(sessions).digest('hex');
  lines.push(
    JSON.stringify({ file: SESSIONS_FILE, mode: 0o600 }),
    JSON.stringify({ chunk: sessions.toString('base64') }),
    JSON.stringify({ end: SESSIONS_FILE, bytes: sessions.length, sha256 }),
    JSON.stringify({ manifest: [...manifest.manifest, { path: SESSIONS_FILE, bytes: sessions.length, sha256, mode: 0o600 }] }),
  );
  return `${lines.join('\n')}\n`;
}
