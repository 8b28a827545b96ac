// `portier-cloud migrate-store` as an operator runs it: a file store filled by a running cloud (organisation, people,
// live and ended reservations, activity in segment files and in the journal, a retention cutoff) is refused while that
// cloud holds its folder, then moved into an empty PostgreSQL database with the counts printed; a cloud started on the
// database serves the same answers as the file store did; the file store is left as it was; a second move into the
// now filled database is refused with exit 2. The controllers' events journal (one of a previous release: plain JSON
// lines) and desired states move with it, into the tables the PostgreSQL journal and desired store read; a damaged
// journal moves nothing.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import type { ActivityEntry } from '../../src/domain/model.ts';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { importIntoEmpty } from '../../src/store/pg/import.ts';
import { desiredStateHash, signMessage, type Desired } from '@portier/protocol';
import { sampleDesiredState } from '../../../protocol/test/fixtures/samples.ts';
import { DesiredStore } from '../../src/sync/desired-store.ts';
import { EventJournal, JOURNAL_FILE, type StoredEvent } from '../../src/sync/event-journal.ts';
import { PgDesiredStore } from '../../src/sync/pg-desired-store.ts';
import { PgEventJournal } from '../../src/sync/pg-event-journal.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { CliError } from '../../src/cli/errors.ts';
import { buildProgram } from '../../src/main.ts';
import { runPortierCloud } from '../fixtures/portier-cloud.ts';
import { tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';
import { seedBank, seededEnterprise, startTestCloud, testCloudConfig } from '../runtime/helpers.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';

/** One PostgreSQL for the file, a database per test. */
const server = postgresMissing ? undefined : await startPostgres(t);
const ADMIN = { user: 'admin', password: 'admin-password-1' };
const actor = { role: 'admin' as const, id: 'seed' };
const CONTACTS = 40;
/** More than two segment files of 512 entries, and more after the compaction (in the journal). */
const SYNTHETIC = 1400;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
async function get(rt: CloudRuntime, path: string, token: string): Promise<any> {
  const res = await fetch(`${rt.httpUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
async function post(rt: CloudRuntime, path: string, token: string, body: unknown): Promise<any> {
  const res = await fetch(`${rt.httpUrl}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const ev = (controllerId: string, seq: number, door = 1): StoredEvent => ({ bankId: 'bank', controllerId, seq, at: 1000 + seq, storedAt: 2000 + seq, event: { type: 'door-forced', door } });
const byController = (a: { message: Desired }, b: { message: Desired }): number => a.message.controllerId.localeCompare(b.message.controllerId);

/** The store folder's files and their hashes (the lock file aside): what "left as it was" compares. */
function storeFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else if (name !== 'LOCK') out[`${rel}${name}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

/** What a person sees of the data through the API, every page of it, up to `to` (later entries: the test's own). */
async function answers(rt: CloudRuntime, token: string, to: number, endedId: string): Promise<unknown> {
  const activity: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = await get(rt, `/activity?limit=250&to=${to}${cursor ? `&cursor=${cursor}` : ''}`, token);
    activity.push(page);
    cursor = page.nextCursor;
  } while (cursor);
  return {
    reservations: await get(rt, '/reservations?bankId=bank&includeEnded=true', token),
    live: await get(rt, '/reservations?bankId=bank', token),
    ended: await get(rt, `/reservations/${endedId}`, token),
    contacts: await get(rt, '/contacts', token),
    lockers: await get(rt, '/banks/bank/lockers', token),
    activity,
    bankActivity: await get(rt, `/activity?bankId=bank&type=reservation&limit=5&to=${to}`, token),
  };
}

/** The CliError `migrate-store ARGS` is refused with, run in this process (refusals come before any work). */
async function refused(t: Test, args: string[]): Promise<CliError> {
  const err = await buildProgram()
    .parseAsync(['node', 'portier-cloud', 'migrate-store', ...args])
    .then(() => undefined, (e: unknown) => e);
  t.type(err, CliError, args.join(' '));
  return err as CliError;
}

t.test('--help tells the command; a missing or bad database URL and a folder without a file store are refused', async (t) => {
  const dir = await tempDir(t, 'portier-migrate-usage-');
  const help = buildProgram().commands.find((c) => c.name() === 'migrate-store')!.helpInformation();
  t.match(help, /--to <url>/);
  t.match(help, /--to-env +read the database URL from the environment variable\s+PORTIER_DATABASE_URL/);
  t.match(help, /empty PostgreSQL database/);
  const refusal = (args: string[]): Promise<CliError> => refused(t, args);
  const neither = await refusal(['--data', dir]);
  t.equal(neither.exitCode, 2);
  t.match(neither.message, /give the database with --to <url> or --to-env/);
  const bad = await refusal(['--data', dir, '--to', 'mysql://u:Secr3t@h/db']);
  t.equal(bad.exitCode, 2);
  t.match(bad.message, /--to: expected postgres:\/\/user:password@host:5432\/database/);
  t.notMatch(bad.message, /Secr3t/);
  const noStore = await refusal(['--data', join(dir, 'nothing'), '--to', 'postgres://h/db']);
  t.equal(noStore.exitCode, 1);
  t.match(noStore.message, /no file store at .*nothing\/store/);
});

t.test('migrate-store moves a file store into PostgreSQL; a cloud on the database answers as the file store did', { skip: postgresMissing }, async (t) => {
  const url = (await server!.createDatabase()).replace('postgres@', 'postgres:Migr4te-pw@');
  const file = await startTestCloud(t, { admin: ADMIN, prefix: 'portier-migrate-' });
  const dir = file.dir;
  const config = join(await tempDir(t, 'portier-migrate-config-'), 'cloud.json');
  writeFileSync(config, JSON.stringify({ dataDir: dir, log: { level: 'warn' } }));

  // Organisation, lockers, people through the domain; reservations through the API, some ended.
  const s = file.service;
  await seedBank(s, 'bank', [{ id: 'col1', kind: 'kiosk', controllerId: 'ctl-1' }]);
  const lockers = Array.from({ length: 8 }, (_, i) => ({ bankId: 'bank', number: i + 1, columnId: 'col1', door: i + 1, size: 'S' as const, bottomCm: 50, topCm: 80, loading: 'front' as const }));
  await s.createLockers(lockers, actor);
  for (let i = 0; i < CONTACTS; i++) await s.createContact({ enterpriseId: seededEnterprise(s), id: `c${i}`, name: `Person ${i}` }, actor);
  const token = ((await (await fetch(`${file.httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: ADMIN.user, password: ADMIN.password }) })).json()) as { token: string }).token;
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await post(file, '/reservations', token, { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: `c${i}` }, size: 'S', trackingId: `TRK-${i}` })).reservation.id);
  for (const id of ids.slice(0, 3)) await post(file, `/reservations/${id}/end`, token, { reason: 'cancelled', note: 'not coming' });

  // Many more history entries, some out of retention, most compacted into segment files, some left in the journal.
  const store = file.store as DurableStore;
  const base = Date.now() - 3_600_000;
  const synthetic = (i: number): ActivityEntry => ({ id: `a-syn-${i}`, at: base + i * 1000, type: 'alert', actor: { role: 'system', id: 'test' }, bankId: 'bank', detail: `synthetic ${i}` });
  for (let i = 0; i < SYNTHETIC; i += 200) await store.commit({ activity: Array.from({ length: 200 }, (_, j) => synthetic(i + j)) });
  await store.dropHistoryBefore(base + 100_000);
  await store.compact();
  await store.commit({ activity: [synthetic(SYNTHETIC), synthetic(SYNTHETIC + 1)] });
  await post(file, `/reservations/${ids[3]}/end`, token, { reason: 'removed' });
  const to = Date.now() + 1;
  const before = (await answers(file, token, to, ids[0]!)) as { activity: unknown[]; ended: { reservation: { status: string } } };
  t.ok(before.activity.length >= 6, 'several pages of activity');
  t.match(before.ended.reservation, { id: ids[0], status: 'ended' });
  const history = await store.historySize();

  // Refused while the cloud holds the folder (in this process, as the cloud: the lock names this pid).
  const busy = await refused(t, ['--config', config, '--to', url]);
  t.equal(busy.exitCode, 1);
  t.match(busy.message, /is in use by a running cloud .*stop it before moving its store/);
  await file.stop();
  // The events journal of a previous release (plain JSON lines: events, a gap, a conflict) with a torn last line.
  const journalFile = join(dir, 'sync', 'events', JOURNAL_FILE);
  const journalBefore = existsSync(journalFile) ? readFileSync(journalFile) : undefined;
  const old = [ev('ctl-1', 1), ev('ctl-1', 2), ev('ctl-2', 1), ev('ctl-1', 3)];
  const oldGap = { kind: 'gap', bankId: 'bank', controllerId: 'ctl-1', fromSeq: 4, toSeq: 5, storedAt: 7, reason: 'lost' };
  const oldConflict = { kind: 'conflict', ...ev('ctl-1', 2, 7) };
  mkdirSync(join(dir, 'sync', 'events'), { recursive: true });
  writeFileSync(journalFile, [...old, oldGap, ev('ctl-1', 6), oldConflict].map((l) => `${JSON.stringify(l)}\n`).join('') + JSON.stringify(ev('ctl-1', 7)).slice(0, 30));
  // Desired states signed for two controllers, in the folder's files.
  const desiredDir = await DesiredStore.open(join(dir, 'sync', 'desired'), (d) => desiredStateHash(d.state));
  const key = generateKeyPairSync('ed25519').privateKey;
  for (const [controllerId, version] of [['ctl-1', 4], ['ctl-2', 1]] as const) {
    const state = sampleDesiredState();
    await desiredDir.put({ message: signMessage({ v: 1 as const, bankId: 'bank', controllerId, version, issuedAt: 1_700_000_000_000, state }, key), hash: desiredStateHash(state) });
  }
  const desiredFiles = (await DesiredStore.open(join(dir, 'sync', 'desired'), (d) => desiredStateHash(d.state))).all();
  t.equal(desiredFiles.length, 2);
  const filesBefore = storeFiles(join(dir, 'store'));
  const syncBefore = storeFiles(join(dir, 'sync'));

  const moved = await runPortierCloud(['migrate-store', '--config', config, '--to-env'], { env: { PORTIER_DATABASE_URL: url } });
  t.equal(moved.code, 0, moved.stderr);
  t.match(moved.stdout, /moving the file store .* into postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\w+\n/);
  t.match(moved.stdout, new RegExp(`\\n  contacts +${CONTACTS}\\n`));
  t.match(moved.stdout, /\n {2}lockers +8\n/);
  t.match(moved.stdout, /\n {2}enterprises +1\n {2}divisions +1\n {2}locations +1\n {2}banks +1\n {2}columns +1\n/);
  t.match(moved.stdout, /\n {2}users +1\n/);
  t.match(moved.stdout, /\n {2}reservations +2\n/, 'the live ones');
  t.match(moved.stdout, /\n {2}ended reservations +4\n/);
  // Entries before the cutoff are not moved: 100 of the synthetic ones.
  const activity = Number(/\n {2}activity +(\d+)\n/.exec(moved.stdout)?.[1]);
  t.ok(activity > SYNTHETIC - 100, `activity moved: ${activity}`);
  t.match(moved.stdout, /history before .* is out of retention: not moved/);
  t.match(moved.stdout, /checked: every collection/);
  t.match(moved.stdout, /sign-in sessions\s+[1-9]/, 'the open sessions moved too');
  t.match(moved.stdout, /\n {2}controller events +5\n {2}controller event gaps +1\n {2}controller event conflicts +1\n/, 'the torn last line left out');
  t.match(moved.stdout, /\n {2}desired states +2\n/);
  t.match(moved.stdout, /so are the controller events .* and every desired state/);
  t.notMatch(moved.stdout + moved.stderr, /Migr4te-pw/, 'the password is never printed');
  t.same(storeFiles(join(dir, 'store')), filesBefore, 'the file store is left as it was');
  t.same(storeFiles(join(dir, 'sync')), syncBefore, 'so is the sync state');

  // What the PostgreSQL journal and desired store read of the moved sync state.
  const db = new pg.Pool({ connectionString: url, max: 1 });
  t.teardown(() => db.end());
  const journal = await PgEventJournal.open(db);
  await journal.refresh(['ctl-1', 'ctl-2']);
  t.equal(journal.storedUpTo('ctl-1'), 6, 'events and the gap count as stored');
  t.equal(journal.storedUpTo('ctl-2'), 1);
  t.same(await journal.read(), [...old, ev('ctl-1', 6)], 'the events in the order they were stored');
  t.same(await journal.gaps(), [oldGap]);
  t.same(await journal.conflicts(), [oldConflict]);
  t.same((await PgDesiredStore.open(db)).all().sort(byController), desiredFiles.sort(byController), 'every desired state as signed');
  if (journalBefore) writeFileSync(journalFile, journalBefore);
  else writeFileSync(journalFile, '');

  const again = await refused(t, ['--config', config, '--to', url]);
  t.equal(again.exitCode, 2);
  t.match(
    again.message,
    /already holds a store \(\d+ live records, 4 ended reservations, \d+ activity entries, a retention cutoff, 7 controller event records, 2 desired states\): a store is moved only into an empty database/,
  );
  t.notMatch(again.message, /Migr4te-pw/);

  // The same data folder (keys) with the store in the database: the session opened on the file store still works.
  const onPg = await startCloud({
    config: { ...testCloudConfig(dir), store: { kind: 'postgres', url } },
    logger: pino({ level: 'silent' }),
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    desired: { debounceMs: 10, refreshMs: 0 },
  });
  t.teardown(() => onPg.stop());
  t.same(await answers(onPg, token, to, ids[0]!), before, 'the same reservations, contacts, lockers and activity pages (cursors too)');
  t.same(await onPg.store.historySize(), { ended: history.ended, activity: history.activity - 100 }, 'history in retention');
});

t.test('a database a cloud instance is attached to is refused, even empty: that instance would never see the moved rows', { skip: postgresMissing }, async (t) => {
  const url = await server!.createDatabase();
  const attached = await PgStore.open({ url });
  t.teardown(() => attached.close());
  const source = await DurableStore.open(join(await tempDir(t, 'portier-migrate-src-'), 'store'));
  t.teardown(() => source.close());
  await source.commit({ put: [{ c: 'enterprises', key: 'e', value: { id: 'e', name: 'E', createdAt: 1 } }] });
  await t.rejects(importIntoEmpty(url, source), { name: 'ImportError', code: 'IN_USE', message: /1 cloud instance\(s\) are connected to the database/ });
  t.equal(attached.count('enterprises'), 0);
  await attached.close();
  const report = await importIntoEmpty(url, source);
  t.equal(report.collections.enterprises, 1, 'moved once the instance stopped');
});

t.test('the events journal moves as the journal wrote it; a damaged one moves nothing', { skip: postgresMissing }, async (t) => {
  const src = await tempDir(t, 'portier-migrate-link-');
  const source = await DurableStore.open(join(src, 'store'));
  t.teardown(() => source.close());
  await source.commit({ put: [{ c: 'enterprises', key: 'e', value: { id: 'e', name: 'E', createdAt: 1 } }] });
  // This release's journal: framed lines, any string in an event.
  const written = await EventJournal.open(join(src, 'events'));
  const odd: StoredEvent = { ...ev('ctl-1', 2), event: { type: 'lock-fault', door: 2, code: 'E\u00001', message: 'bolt ✓' } };
  await written.append([ev('ctl-1', 1), odd, ev('ctl-2', 1)]);
  await written.appendGap({ bankId: 'bank', controllerId: 'ctl-2', fromSeq: 2, toSeq: 9, storedAt: 5, reason: 'lost' });
  await written.close();
  const journalFile = join(src, 'events', JOURNAL_FILE);

  // A line out of order in the middle: refused, and the database keeps nothing of the move.
  const good = readFileSync(journalFile, 'utf8');
  writeFileSync(journalFile, `${good}${JSON.stringify(ev('ctl-1', 5))}\n${JSON.stringify(ev('ctl-1', 6))}\n`);
  const url = await server!.createDatabase();
  await t.rejects(importIntoEmpty(url, source, { link: { journalFile } }), { name: 'ImportError', code: 'CORRUPT', message: /events\.jsonl:5: ctl-1 seq 5 follows 2: nothing was moved/ });
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  t.teardown(() => sql.end());
  t.same((await sql.query(`SELECT (SELECT count(*)::int FROM live) AS live, (SELECT count(*)::int FROM link_events) AS events`)).rows, [{ live: 0, events: 0 }]);

  writeFileSync(journalFile, good);
  const report = await importIntoEmpty(url, source, { link: { journalFile, desired: [] } });
  t.same(report.link, { events: 3, gaps: 1, conflicts: 0, controllers: 2, desired: 0 });
  const journal = await PgEventJournal.open(sql);
  await journal.refresh(['ctl-1', 'ctl-2']);
  t.equal(journal.storedUpTo('ctl-2'), 9);
  t.same(await journal.read('ctl-1'), [ev('ctl-1', 1), odd], 'the event with a NUL as it was stored');
  t.same(await importIntoEmpty(await server!.createDatabase(), source, { link: { journalFile: join(src, 'none', JOURNAL_FILE) } }).then((r) => r.link.events), 0, 'no journal: nothing to move');
});
