// The controllers' events journal in PostgreSQL (PgEventJournal): what the file journal guarantees (durable, in
// order, a gap or duplicate refused, group commit, gap and conflict records) and what several instances on one
// database add (a seq stored once whichever instance stores it first, the other's event kept as a conflict when it
// differs, refresh reading what the other stored); a failed statement; the sequence policy running on it; the schema
// moved forward from the previous release's with its data kept.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { knownMigrations } from '../../src/store/pg/migrate.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { fingerprint, FINGERPRINTS_KEPT, type StoredEvent } from '../../src/sync/event-journal.ts';
import { EventSequencer } from '../../src/sync/event-sequence.ts';
import { PgEventJournal } from '../../src/sync/pg-event-journal.ts';
import type { Queryable } from '../../src/sync/pg-link-rows.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';

const server = postgresMissing ? undefined : await startPostgres(t);
/** A database migrated once (as PgStore.open leaves it), copied for each test: migrating each costs more. */
const TEMPLATE = 'migrated';
if (server) {
  const store = await PgStore.open({ url: await server.createDatabase(TEMPLATE), poolSize: 1 });
  await store.close();
}

const rec = (controllerId: string, seq: number, door = 1): StoredEvent => ({
  bankId: 'bank-1',
  controllerId,
  seq,
  at: 1000 + seq,
  storedAt: 2000 + seq,
  event: { type: 'door-forced', door },
});

/** A pool on a new database whose schema is migrated (as PgStore.open leaves it); queries are counted. */
async function database(t: Test): Promise<{ url: string; pool: pg.Pool; counted: Queryable & { statements: string[] } }> {
  const url = await server!.createDatabase(undefined, TEMPLATE);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  t.teardown(() => pool.end());
  const statements: string[] = [];
  const counted = {
    statements,
    query: ((text: string, values?: unknown[]) => {
      statements.push(text);
      return pool.query(text, values);
    }) as Queryable['query'],
  };
  return { url, pool, counted };
}

async function journal(t: Test, db: Queryable): Promise<PgEventJournal> {
  const j = await PgEventJournal.open(db);
  t.teardown(() => j.close());
  return j;
}

t.test('appends are durable: another journal on the database reads them after a refresh; open reads nothing per controller', { skip: postgresMissing }, async (t) => {
  const { pool, counted } = await database(t);
  const j = await journal(t, pool);
  const stored = await j.append([rec('a', 1), rec('a', 2), rec('b', 1)]);
  t.same(stored.map((e) => `${e.controllerId}${e.seq}`), ['a1', 'a2', 'b1'], 'the answer: every record, stored by this call');
  t.equal(j.storedUpTo('a'), 2);
  await j.close();

  const again = await journal(t, counted);
  t.equal(counted.statements.length, 1, 'open: one statement, whatever the journal holds');
  t.equal(again.storedUpTo('a'), 0, 'a controller not refreshed counts from 0');
  t.equal(again.appendedUpTo('a'), 0);
  await again.refresh(['a', 'b', 'c']);
  t.equal(again.storedUpTo('a'), 2);
  t.equal(again.appendedUpTo('a'), 2);
  t.equal(again.storedUpTo('b'), 1);
  t.equal(again.storedUpTo('c'), 0);
  t.equal(again.fingerprintAt('a', 2), fingerprint(rec('a', 2)), 'fingerprints of the recent events loaded');
  t.same((await again.read('a')).map((e) => e.seq), [1, 2]);
  t.same(await again.read('a', 1), [rec('a', 2)], 'after a seq, the records as appended');
  t.same((await again.read()).map((e) => `${e.controllerId}${e.seq}`), ['a1', 'a2', 'b1'], 'every controller, in storing order');
});

t.test('a gap or a duplicate is refused, the whole call', { skip: postgresMissing }, async (t) => {
  const { pool } = await database(t);
  const j = await journal(t, pool);
  await j.append([rec('a', 1)]);
  await t.rejects(j.append([rec('a', 1)]), { code: 'OUT_OF_ORDER' });
  await t.rejects(j.append([rec('a', 3)]), { code: 'OUT_OF_ORDER' });
  await t.rejects(j.append([rec('a', 2), rec('a', 4)]), { code: 'OUT_OF_ORDER' }, 'all or nothing');
  t.equal(j.appendedUpTo('a'), 1, 'nothing of the refused call counted');
  await j.append([rec('a', 2)]);
  t.same((await j.read()).map((e) => e.seq), [1, 2]);
  await j.close();
  await t.rejects(j.append([rec('a', 3)]), { code: 'CLOSED' });
});

t.test('concurrent appends of many controllers are group-committed and resolve in order', { skip: postgresMissing }, async (t) => {
  const { counted } = await database(t);
  const j = await journal(t, counted);
  const order: string[] = [];
  const calls: Promise<unknown>[] = [];
  for (let seq = 1; seq <= 5; seq++)
    for (let c = 0; c < 100; c++) calls.push(j.append([rec(`c${c}`, seq)]).then(() => order.push(`c${c}/${seq}`)));
  await Promise.all(calls);
  const expected: string[] = [];
  for (let seq = 1; seq <= 5; seq++) for (let c = 0; c < 100; c++) expected.push(`c${c}/${seq}`);
  t.same(order, expected, 'resolved in call order');
  const writes = counted.statements.length - 1;
  t.ok(writes <= 3, `500 appends of 100 controllers in ${writes} statements`);
  t.equal(j.writeCount, writes);
  t.equal((await j.read()).length, 500);
  t.equal(j.storedUpTo('c99'), 5);

  // A statement takes up to batchMax records, and one call's records always together.
  const small = await PgEventJournal.open(counted, { batchMax: 3 });
  t.teardown(() => small.close());
  const before = counted.statements.length;
  const answers = await Promise.all([1, 3, 5, 7].map((s) => small.append([rec('s', s), rec('s', s + 1)])));
  t.same(answers.map((a) => a.map((e) => e.seq)), [[1, 2], [3, 4], [5, 6], [7, 8]]);
  t.equal(counted.statements.length - before, 4, 'two records a call, three a statement: one call each');
});

t.test('gap and conflict records: durable, counted on refresh, kept out of the event stream', { skip: postgresMissing }, async (t) => {
  const { pool } = await database(t);
  const j = await journal(t, pool);
  await j.append([rec('a', 1), rec('a', 2)]);
  await t.rejects(j.appendGap({ bankId: 'bank-1', controllerId: 'a', fromSeq: 4, toSeq: 6, storedAt: 1, reason: 'lost' }), { code: 'OUT_OF_ORDER' }, 'a gap starts at the next seq');
  await j.appendGap({ bankId: 'bank-1', controllerId: 'a', fromSeq: 3, toSeq: 6, storedAt: 1, reason: 'lost' });
  t.equal(j.storedUpTo('a'), 6, 'a recorded gap counts as stored');
  await t.rejects(j.appendConflict(rec('a', 9)), { code: 'OUT_OF_ORDER' }, 'a conflict is about a seq already taken');
  await j.appendConflict(rec('a', 2, 7));
  await j.append([rec('a', 7)]);
  await j.close();

  const again = await journal(t, pool);
  await again.refresh(['a']);
  t.equal(again.storedUpTo('a'), 7);
  t.same((await again.read('a')).map((e) => e.seq), [1, 2, 7], 'read gives the stream');
  t.same(await again.gaps('a'), [{ kind: 'gap', bankId: 'bank-1', controllerId: 'a', fromSeq: 3, toSeq: 6, storedAt: 1, reason: 'lost' }]);
  t.same(await again.gaps(), await again.gaps('a'));
  t.same(await again.conflicts('a'), [{ kind: 'conflict', ...rec('a', 2, 7) }]);
  t.equal(again.fingerprintAt('a', 2), fingerprint(rec('a', 2)), 'the seq means the stored event, not the conflict');

  // A controller whose journal is only a gap so far.
  await again.refresh(['g']);
  await again.appendGap({ bankId: 'bank-1', controllerId: 'g', fromSeq: 1, toSeq: 4, storedAt: 1, reason: 'lost' });
  const third = await journal(t, pool);
  await third.refresh(['g']);
  t.equal(third.storedUpTo('g'), 4, 'stored-up-to counts gaps too');
});

t.test('recent fingerprints: the last FINGERPRINTS_KEPT of a controller', { skip: postgresMissing }, async (t) => {
  const { pool } = await database(t);
  const j = await journal(t, pool);
  await j.append(Array.from({ length: FINGERPRINTS_KEPT + 10 }, (_, i) => rec('a', i + 1)));
  const again = await journal(t, pool);
  await again.refresh(['a']);
  t.equal(again.fingerprintAt('a', 10), undefined, 'an old seq: not kept');
  t.equal(again.fingerprintAt('a', 11), fingerprint(rec('a', 11)));
  t.equal(again.fingerprintAt('a', FINGERPRINTS_KEPT + 10), fingerprint(rec('a', FINGERPRINTS_KEPT + 10)));
});

t.test('two instances: a seq is stored once; the other one is left out of the answer, or kept as a conflict', { skip: postgresMissing }, async (t) => {
  const { pool } = await database(t);
  const one = await journal(t, pool);
  const two = await journal(t, pool);
  await one.append([rec('a', 1), rec('a', 2), rec('a', 3)]);

  // The second instance has not refreshed: it appends seqs the first stored, some with other content.
  const answer = await two.append([rec('a', 1), rec('a', 2, 9)]);
  t.same(answer, [], 'nothing stored by this call: both seqs were taken');
  t.equal(two.storedUpTo('a'), 2, 'the seqs count as stored');
  t.same((await two.read('a')).map((e) => [e.seq, e.event]), [1, 2, 3].map((s) => [s, { type: 'door-forced', door: 1 }]), 'each seq once, as the first stored it');
  t.same(await two.conflicts('a'), [{ kind: 'conflict', ...rec('a', 2, 9) }], 'the other content is kept as a conflict record');
  t.equal(two.fingerprintAt('a', 2), fingerprint(rec('a', 2)), 'the seq means the stored event');

  // Both at once, mixed with seqs only one of them stores.
  await two.refresh(['a']);
  t.equal(two.storedUpTo('a'), 3, 'refresh sees the other instance\'s appends');
  const [x, y] = await Promise.all([one.append([rec('a', 4), rec('b', 1)]), two.append([rec('a', 4), rec('a', 5)])]);
  const storedBy = [...x, ...y].map((e) => `${e.controllerId}${e.seq}`).sort();
  t.same(storedBy, ['a4', 'a5', 'b1'], 'every record stored by exactly one of them');
  t.same((await one.read('a')).map((e) => e.seq), [1, 2, 3, 4, 5]);
  t.equal((await one.conflicts()).length, 1, 'the same content under a seq is no conflict');

  await one.refresh(['a', 'b']);
  t.equal(one.storedUpTo('a'), 5);
  t.equal(one.appendedUpTo('a'), 5);
  await one.append([rec('a', 6)]);
  t.equal(one.storedUpTo('a'), 6, 'and goes on from there');

  // The same seqs of many controllers from both, in opposite orders, several rounds at once: no deadlock refuses any.
  const ids = Array.from({ length: 60 }, (_, i) => `d${String(i).padStart(2, '0')}`);
  for (let seq = 1; seq <= 3; seq++) {
    const [p, q] = await Promise.all([one.append(ids.map((id) => rec(id, seq))), two.append([...ids].reverse().map((id) => rec(id, seq)))]);
    t.equal(p.length + q.length, ids.length, `round ${seq}: each stored once`);
  }
});

t.test('a failed statement refuses its appends and those queued behind; the controllers count from what is stored', { skip: postgresMissing }, async (t) => {
  const { pool } = await database(t);
  let failNext = false;
  const flaky: Queryable = {
    query: ((text: string, values?: unknown[]) => {
      if (failNext && text.includes('INSERT')) {
        failNext = false;
        return Promise.reject(new Error('connection terminated'));
      }
      return pool.query(text, values);
    }) as Queryable['query'],
  };
  const j = await journal(t, flaky);
  await j.append([rec('a', 1)]);
  failNext = true;
  const outcomes = await Promise.allSettled([j.append([rec('a', 2)]), j.append([rec('a', 3)]), j.append([rec('b', 1)])]);
  t.same(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected']);
  t.match((outcomes[0] as PromiseRejectedResult).reason, { name: 'JournalError', code: 'UNAVAILABLE', message: /connection terminated/ });
  t.equal(j.appendedUpTo('a'), 1, 'a counts from what is stored');
  t.equal(j.appendedUpTo('b'), 0);
  t.equal(j.fingerprintAt('a', 2), undefined, 'no fingerprint of an event not stored');
  t.same(await j.append([rec('a', 2), rec('a', 3)]), [rec('a', 2), rec('a', 3)], 'sent again, they are taken');
  t.same((await j.read('a')).map((e) => e.seq), [1, 2, 3]);
});

t.test('an event with any string (a NUL) is stored and read back as it came', { skip: postgresMissing }, async (t) => {
  const { pool } = await database(t);
  const j = await journal(t, pool);
  const odd: StoredEvent = { ...rec('a', 1), event: { type: 'door-closed', door: 1, openForMs: 5 } };
  const nul: StoredEvent = { ...rec('a', 2), event: { type: 'lock-fault', door: 2, code: 'E\u00001', message: 'bolt ✓ é' } };
  await j.append([odd]);
  t.same(await j.append([nul]), [nul]);
  t.same((await j.read('a')).map((e) => e.event), [odd.event, nul.event]);
});

t.test('the sequence policy on the PostgreSQL journal: an in-order stream, then a replay', { skip: postgresMissing }, async (t) => {
  const { pool } = await database(t);
  const j = await journal(t, pool);
  await j.refresh(['c1']);
  const stored: number[] = [];
  const acks: number[] = [];
  let ackWait: { n: number; resolve: () => void } | undefined;
  const sequencer = new EventSequencer({
    journal: j,
    logger: pino({ level: 'silent' }),
    now: () => 5000,
    provenUpTo: () => 0,
    askResend: () => Promise.reject(new Error('not expected')),
    evtack: (_b, c) => {
      acks.push(j.storedUpTo(c));
      if (ackWait && acks.length >= ackWait.n) ackWait.resolve();
    },
    stored: (e) => stored.push(e.seq),
    gap: () => t.fail('no gap'),
    conflict: () => t.fail('no conflict'),
    alert: (a) => t.fail(`no alert: ${a.kind}`),
  });
  t.teardown(() => sequencer.stop());
  const acked = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not acked ${n} times within 10 s`)), 10_000);
      ackWait = {
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  const done = acked(20);
  for (let s = 1; s <= 20; s++) sequencer.onEvent(rec('c1', s));
  await done;
  t.same(stored, Array.from({ length: 20 }, (_, i) => i + 1), 'every event stored once, in order');
  t.equal(acks.at(-1), 20, 'acked up to the last');

  // The controller missed the evtacks and sends 15..20 again: acked again, nothing stored twice.
  const again = acked(26);
  for (let s = 15; s <= 20; s++) sequencer.onEvent(rec('c1', s));
  await again;
  t.equal(stored.length, 20, 'nothing applied twice');
  t.same(acks.slice(20), [20, 20, 20, 20, 20, 20]);
  t.equal((await j.read('c1')).length, 20);
  t.same(await j.conflicts(), []);
});

t.test('a database migrated to 0002 by the previous release moves to 0003 with its data kept', { skip: postgresMissing }, async (t) => {
  const url = await server!.createDatabase();
  // The previous release's migrations: those before 0003, run by the tool as migrate.ts runs it.
  const previous = await mkdtemp(join(tmpdir(), 'portier-migrations-'));
  t.teardown(() => rm(previous, { recursive: true, force: true }));
  const dir = fileURLToPath(new URL('../../src/store/pg/migrations', import.meta.url));
  for (const name of ['0001_store.sql', '0002_sessions.sql']) await cp(join(dir, name), join(previous, name));
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  t.teardown(() => sql.end());
  await runner({ dbClient: sql, dir: previous, migrationsTable: 'pgmigrations', direction: 'up', checkOrder: true, singleTransaction: true, log: () => undefined });
  await sql.query(`SELECT portier_commit('old', $1::jsonb)`, [JSON.stringify([{ k: [], g: [], put: [['banks', 'b1', { id: 'b1', name: 'Old bank' }]], del: [] }])]);
  await sql.query(`INSERT INTO sessions (hash, user_id, expires_at, last_seen_at, record) VALUES ('h1', 'u1', 9, 1, '{}')`);

  const store = await PgStore.open({ url });
  t.teardown(() => store.close());
  t.same((await sql.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id')).rows.map((r) => r.name), await knownMigrations());
  t.ok((await knownMigrations()).includes('0003_link'));
  t.match(store.get('banks', 'b1'), { name: 'Old bank' }, 'the live state kept');
  t.equal((await sql.query('SELECT hash FROM sessions')).rowCount, 1, 'the sessions kept');
  const j = await journal(t, store.db);
  await j.refresh(['a']);
  await j.append([rec('a', 1)]);
  t.equal((await j.read()).length, 1, 'the new tables work');
});
