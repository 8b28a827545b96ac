// The PostgreSQL store with two instances on one database: what each sees of the other's commits and when; changes
// refused for stale rows or guard keys, and memory after; leases; the database stopping; a pruned change feed;
// migrations at once or from a newer release; history through the other instance; large values.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import type { Contact } from '../../src/domain/model.ts';
import { sampleActivity, sampleReservation } from '../../src/store/contract.ts';
import { leaseHolder, releaseLease, takeLease } from '../../src/store/leases.ts';
import { knownMigrations } from '../../src/store/pg/migrate.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import type { Change, Put, Store, StoreError } from '../../src/store/store.ts';
import { postgresMissing, startPostgres } from './pg-server.ts';
import { bank, batchOf, differences, nameOf, nextExternal, outcome, puts, storePairs, unannouncedPut } from './pg-stores.ts';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

t.test('PgStore with several instances on one database', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);
  const pair = storePairs(server);

  // First: it restarts the server the others share, which replays its log from the last checkpoint.
  t.test('the database stops while commits are pending, and comes back', async (t) => {
    const { a, b, sql } = await pair(t);
    await a.commit({ put: [bank('b1')] });
    await b.sync();
    await sql.query('CHECKPOINT');
    const pending = Array.from({ length: 20 }, (_, i) => outcome(a.commit({ put: [bank(`n${i}`)] })));
    const failures: StoreError[] = [];
    const last = a.commit({ put: [bank('last')] }).catch((err: unknown) => void failures.push(err as StoreError));
    await server.stop();
    const outcomes = await Promise.all(pending);
    await last;
    t.same(outcomes.filter((o) => o !== 'ok' && o !== 'WRITE_FAILED'), [], 'each pending commit landed or was told it failed');
    t.equal(failures[0]?.code, 'WRITE_FAILED', 'the last one failed');
    const health = a.health();
    t.equal(health.writable, false, 'health says the store cannot write');
    t.ok(health.problem && failures[0]?.message.includes(health.problem), `with the cause (${health.problem})`);
    t.equal(await outcome(a.commit({ put: [bank('while down')] })), 'WRITE_FAILED', 'a commit while it is down fails too');

    await server.start();
    t.equal(await outcome(a.commit({ put: [bank('after')] })), 'ok', 'the next commit after the restart lands');
    t.same(a.health(), { writable: true });
    t.same(await differences(a, sql), [], 'memory holds what the database has');

    // a's change feed listener reconnected by itself: b's change reaches a without a sync.
    const heard = nextExternal(a, 'b’s change after the restart', (c) => puts(c).includes('from b'));
    t.equal(await outcome(b.commit({ put: [bank('from b')] })), 'ok', 'b commits after the restart');
    await heard;
    t.equal(nameOf(a, 'from b'), 'Bank from b');
    await b.sync();
    t.same(await differences(b, sql), [], 'b agrees with the database');
  });
  t.test('a commit on one instance reaches the other: its listeners first, then memory', async (t) => {
    const { a, b, sql } = await pair(t);
    const told: { change: Change | undefined; before: string | undefined; countBefore: number }[] = [];
    b.onExternalChange((change) => told.push({ change, before: nameOf(b, 'b1'), countBefore: b.count('banks') }));
    const rev = b.revision('banks');
    await a.commit({ put: [bank('b1', 'one')] });
    await a.commit({ put: [bank('b2')] });
    await a.commit({ put: [bank('b3')] });
    await a.commit({ put: [bank('b1', 'renamed')] });
    await a.commit({ del: [{ c: 'banks', key: 'b2' }] });
    await b.sync();

    t.equal(nameOf(b, 'b1'), 'renamed', 'the latest value');
    t.equal(b.get('banks', 'b2'), undefined, 'a deleted row is gone');
    t.equal(b.count('banks'), 2);
    t.same(b.list('banks').map((x) => x.id), ['b1', 'b3'], 'listed in the order first written');
    t.same(b.list('banks').map((x) => x.id), a.list('banks').map((x) => x.id), 'the same order as on the writer');
    t.not(b.revision('banks'), rev, 'the revision moved');
    t.same(await differences(b, sql), [], 'memory agrees with the database');

    t.same(
      told.map((x) => [puts(x.change), (x.change?.del ?? []).map((d) => d.key)]),
      [[['b1'], []], [['b2'], []], [['b3'], []], [['b1'], []], [[], ['b2']]],
      'the listener is told of each change, in order',
    );
    t.same(told.map((x) => x.before), [undefined, 'one', 'one', 'one', 'renamed'], 'it reads the value before the change');
    t.same(told.map((x) => x.countBefore), [0, 1, 2, 3, 3], 'memory had not changed yet when it was told');

    // The listener hears of nothing b commits itself, only of what a commits afterwards.
    told.length = 0;
    await b.commit({ put: [bank('mine')] });
    const heard = nextExternal(b, 'a’s change after b’s own', (c) => puts(c).includes('theirs'));
    await a.commit({ put: [bank('theirs')] });
    await heard;
    await b.sync();
    t.same(told.map((x) => puts(x.change)), [['theirs']], 'never told of its own commit');
    await a.sync();
    t.equal(nameOf(a, 'mine'), 'Bank mine', 'and a sees b’s commit');
  });

  t.test('two instances put one row at once: one commit lands, the other is refused and takes the winner’s value', async (t) => {
    const { a, b, sql } = await pair(t);
    await a.commit({ put: [bank('k', 'first')] });
    await b.sync();
    const before = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM changes')).rows[0]!.n);
    const [ra, rb] = await Promise.all([
      outcome(a.commit({ put: [bank('k', 'from a'), bank('with-a')] })),
      outcome(b.commit({ put: [bank('k', 'from b'), bank('with-b')] })),
    ]);
    t.same([ra, rb].sort(), ['CONFLICT', 'ok'], 'exactly one lands, the other is refused as a conflict');
    const [winner, loser, wanted, lostRow] = ra === 'ok' ? [a, b, 'from a', 'with-b'] : [b, a, 'from b', 'with-a'];
    const stored = await sql.query<{ name: string }>(`SELECT value ->> 'name' AS name FROM live WHERE c = 'banks' AND key = 'k'`);
    t.equal(stored.rows[0]?.name, wanted, 'the database holds the winner’s value');
    t.equal(Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM changes')).rows[0]!.n), before + 1, 'the refused change wrote nothing');
    t.equal(nameOf(loser, 'k'), wanted, 'the refused side holds the winner’s value at once');
    t.equal(nameOf(winner, 'k'), wanted);
    t.equal(loser.get('banks', lostRow), undefined, 'a row only the refused change put left its memory');
    t.equal((await sql.query(`SELECT 1 FROM live WHERE key = $1`, [lostRow])).rowCount, 0, 'and was never stored');
    t.same(await differences(loser, sql), [], 'the refused side agrees with the database');
    await loser.commit({ put: [bank('k', 'retried')] });
    await loser.sync();
    t.equal(nameOf(loser, 'k'), 'retried', 'its retry from the value it holds now lands, and stays after reading the feed');
    t.same(await differences(loser, sql), []);
  });

  t.test('two instances commit under one guard key at once: one is refused, and its guard works again', async (t) => {
    const { a, b, sql } = await pair(t);
    await a.commit({ put: [bank('b1')] });
    await b.sync();
    const ma = a.markGuards(['b1']);
    const mb = b.markGuards(['b1']);
    const res = (id: string): Put => ({ c: 'reservations', key: id, value: sampleReservation(id, T0) });
    const [ra, rb] = await Promise.all([outcome(a.commit({ put: [res('r-a')] }, { guards: [ma] })), outcome(b.commit({ put: [res('r-b')] }, { guards: [mb] }))]);
    t.same([ra, rb].sort(), ['CONFLICT', 'ok'], 'one lands, the other is refused though they wrote different rows');
    const [loser, lost, won] = ra === 'ok' ? [b, 'r-b', 'r-a'] : [a, 'r-a', 'r-b'];
    t.equal(loser.get('reservations', lost), undefined, 'the refused reservation left the refused side’s memory');
    const stored = await sql.query<{ key: string }>(`SELECT key FROM live WHERE c = 'reservations'`);
    t.same(stored.rows.map((r) => r.key), [won], 'and was never stored');
    await loser.sync();
    t.ok(loser.get('reservations', won), 'after sync the refused side sees the winner’s');
    const retry = await outcome(loser.commit({ put: [res(lost)] }, { guards: [loser.markGuards(['b1'])] }));
    t.equal(retry, 'ok', 'a retry under a new mark lands');
    t.same(await differences(loser, sql), []);
  });

  t.test('a change refused for a stale row, made under a guard key nobody committed under yet: that guard still works', async (t) => {
    const { a, b, sql } = await pair(t);
    await a.commit({ put: [bank('k')] });
    await b.sync();
    const [ra, rb] = await Promise.all([
      outcome(a.commit({ put: [bank('k', 'from a')] }, { guards: [a.markGuards(['guard-a'])] })),
      outcome(b.commit({ put: [bank('k', 'from b')] }, { guards: [b.markGuards(['guard-b'])] })),
    ]);
    t.same([ra, rb].sort(), ['CONFLICT', 'ok']);
    const [loser, guard] = ra === 'ok' ? [b, 'guard-b'] : [a, 'guard-a'];
    await loser.sync();
    const retry = await outcome(loser.commit({ put: [bank('other')] }, { guards: [loser.markGuards([guard])] }));
    t.equal(retry, 'ok', 'a change under that guard lands (it is not refused for ever)');
    t.same(await differences(loser, sql), []);
  });

  t.test('a chain of commits on a refused one is refused whole; later commits land, in order', async (t) => {
    const { a, b, sql } = await pair(t);
    await a.commit({ put: [bank('k', 'start'), bank('g')] });
    await b.sync();
    // a marks the guard, then b commits under it: a's change computed under that mark is stale whatever a's feed read.
    const mark = a.markGuards(['g']);
    await b.commit({ put: [bank('g', 'by b')] }, { guards: [b.markGuards(['g'])] });
    const done: string[] = [];
    const track = (name: string, p: Promise<void>): Promise<string> => outcome(p.then(() => void done.push(name)));
    const c1 = track('c1', a.commit({ put: [bank('k', 'c1')] }, { guards: [mark] }));
    const c2 = track('c2', a.commit({ put: [bank('k', 'c2')] }));
    const c3 = track('c3', a.commit({ put: [bank('k', 'c3')], del: [{ c: 'banks', key: 'g' }] }));
    const later = Array.from({ length: 10 }, (_, i) => track(`l${i}`, a.commit({ put: [bank(`later${i}`)] })));
    t.equal(nameOf(a, 'k'), 'c3', 'memory holds the latest local commit while it is unanswered');
    t.same(await Promise.all([c1, c2, c3]), ['CONFLICT', 'CONFLICT', 'CONFLICT'], 'c1 is refused, and so is every commit computed on it');
    t.same(await Promise.all(later), Array(10).fill('ok'), 'commits on other rows made after them land');
    t.same(done, Array.from({ length: 10 }, (_, i) => `l${i}`), 'resolved in the order they were made');
    const order = await sql.query<{ key: string }>(`SELECT key FROM live WHERE key LIKE 'later%' ORDER BY version`);
    t.same(order.rows.map((r) => r.key), Array.from({ length: 10 }, (_, i) => `later${i}`), 'and stored in that order');
    t.equal(nameOf(a, 'k'), 'start', 'the refused row holds the stored value again');
    t.equal(nameOf(a, 'g'), 'by b', 'the row a refused commit deleted is back, with b’s value');
    t.same(await differences(a, sql), []);
    const again = await outcome(a.commit({ put: [bank('k', 'after')] }, { guards: [a.markGuards(['g'])] }));
    t.equal(again, 'ok', 'a new commit under the guard, marked now, lands');
  });

  t.test('a row deleted and created again through the other instance, at once with a change from the old row', async (t) => {
    const { a, b, sql } = await pair(t);
    await a.commit({ put: [bank('k', 'old')] });
    await b.sync();
    // Made together: b's delete and re-creation, and a's change computed from the row b deletes.
    const [del, create, change] = await Promise.all([
      outcome(b.commit({ del: [{ c: 'banks', key: 'k' }] })),
      outcome(b.commit({ put: [bank('k', 'new')] })),
      outcome(a.commit({ put: [bank('k', 'from the old')] })),
    ]);
    const possible = [
      ['ok', 'ok', 'CONFLICT'], // b first: a's change from the old row is refused
      ['CONFLICT', 'CONFLICT', 'ok'], // a first: b's delete is refused, and the re-creation computed on it
    ];
    t.ok(possible.some((p) => isDeepStrictEqual(p, [del, create, change])), `one side wins whole (${del}, ${create}, ${change})`);
    t.equal(nameOf(a, 'k'), change === 'ok' ? 'from the old' : 'new', 'a holds the stored row');
    t.equal(nameOf(b, 'k'), change === 'ok' ? 'from the old' : 'new', 'b holds the stored row');
    t.same(await differences(a, sql), []);
    t.same(await differences(b, sql), []);
  });

  t.test('a row deleted and created again while an instance missed both: its change from the old row is refused', async (t) => {
    const { a, b, sql } = await pair(t);
    await a.commit({ put: [bank('k', 'old')] });
    await b.sync();
    // The same row removed and written again by a third instance whose notifications were lost: b still has 'old'.
    await sql.query(`DELETE FROM live WHERE c = 'banks' AND key = 'k'`);
    await unannouncedPut(sql, bank('k', 'new'));
    t.equal(nameOf(b, 'k'), 'old', 'b has not seen it');
    t.equal(await outcome(b.commit({ put: [bank('k', 'from the old')] })), 'CONFLICT', 'refused');
    t.equal(nameOf(b, 'k'), 'new', 'b holds the stored row');
  });

  t.test('rows taken back after a refusal: an older change read from the feed later never replaces what came since', async (t) => {
    const { a, b, sql } = await pair(t);
    await a.commit({ put: [bank('k', 'v1'), bank('j', 'v1')] });
    await b.sync();
    // Changes of k and j by another instance that b has not read from the feed (their notification was lost).
    await unannouncedPut(sql, bank('k', 'v2'));
    await unannouncedPut(sql, bank('j', 'v2'));
    t.equal(await outcome(b.commit({ put: [bank('k', 'v3'), bank('j', 'v3')] })), 'CONFLICT', 'b’s change from v1 is refused');
    t.same([nameOf(b, 'k'), nameOf(b, 'j')], ['v2', 'v2'], 'b took the stored rows');
    // b writes k and deletes j from what it holds now, and reads the feed meanwhile.
    const done = await Promise.all([outcome(b.commit({ put: [bank('k', 'retried')] })), outcome(b.commit({ del: [{ c: 'banks', key: 'j' }] })), outcome(b.sync())]);
    t.same(done, ['ok', 'ok', 'ok'], 'both land');
    await b.sync();
    t.equal(nameOf(b, 'k'), 'retried', 'the feed’s older change of k does not replace b’s newer one');
    t.equal(b.get('banks', 'j'), undefined, 'nor bring the deleted j back');
    t.same(await differences(b, sql), [], 'memory agrees with the database');
  });

  t.test('hundreds of commits from both instances at once on different rows all land', async (t) => {
    const { a, b, sql } = await pair(t);
    const N = 300;
    const all: Promise<string>[] = [];
    for (let i = 0; i < N; i++) all.push(outcome(a.commit({ put: [bank(`a${i}`)] })), outcome(b.commit({ put: [bank(`b${i}`)] })));
    const outcomes = await Promise.all(all);
    t.same(outcomes.filter((o) => o !== 'ok'), [], 'every commit landed');
    await a.sync();
    await b.sync();
    t.equal(Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM live WHERE c = 'banks'`)).rows[0]!.n), 2 * N, 'every row is stored');
    t.same(await differences(a, sql), [], 'a agrees with the database');
    t.same(await differences(b, sql), [], 'b agrees with the database');
  });

  t.test('leases with two instances: one holder, even when one instance’s memory is stale', async (t) => {
    const { a, b, sql } = await pair(t);
    const stores: Record<'a' | 'b', Store> = { a, b };
    const otherOf = (n: 'a' | 'b'): 'a' | 'b' => (n === 'a' ? 'b' : 'a');
    const take = (n: 'a' | 'b', now: number): Promise<boolean> => takeLease(stores[n], { name: 'job', holder: n, ttlMs: 1000, now });
    const stored = async (): Promise<string | undefined> =>
      (await sql.query<{ holder: string }>(`SELECT value ->> 'holder' AS holder FROM live WHERE c = 'leases' AND key = 'job'`)).rows[0]?.holder;

    const both = await Promise.all([take('a', T0), take('b', T0)]);
    t.equal(both.filter(Boolean).length, 1, 'two takers at once on two instances: one gets it');
    const first = both[0] ? 'a' : 'b';
    t.equal(await stored(), first, 'the database names that one');
    await a.sync();
    await b.sync();
    t.equal(leaseHolder(a, 'job', T0 + 10), first, 'a agrees');
    t.equal(leaseHolder(b, 'job', T0 + 10), first, 'b agrees');

    // The holder renews it; at the same moment the other, whose memory still has it expiring at T0 + 1000, takes it.
    const race = await Promise.all([take(first, T0 + 900), take(otherOf(first), T0 + 1500)]);
    t.equal(race.filter(Boolean).length, 1, 'a renewal and a takeover from stale memory: one holds it');
    const holder = race[0] ? first : otherOf(first);
    t.equal(await stored(), holder);

    // The other tries again at once, without reading the feed first.
    t.equal(await take(otherOf(holder), T0 + 1600), false, 'a taker that did not sync does not get a held lease');
    t.equal(await stored(), holder, 'it is still held by the same');
    await releaseLease(stores[holder], 'job', holder);
    await stores[otherOf(holder)].sync();
    t.equal(await take(otherOf(holder), T0 + 1700), true, 'released: the other takes it');
  });

  t.test('history written by one instance is answered by the other at once', async (t) => {
    const { a, b } = await pair(t);
    const ended = { ...sampleReservation('r1', T0 - 5000), endedAt: T0 - 5000 };
    await a.commit({ activity: [sampleActivity('old', T0 - 5000), sampleActivity('new', T0)], ended: [ended] });
    t.same((await b.queryActivity({ limit: 10 })).items.map((x) => x.id), ['old', 'new'], 'activity, without b syncing');
    t.equal((await b.pastReservation('r1'))?.id, 'r1', 'an ended reservation');
    t.same(await b.historySize(), { ended: 1, activity: 2 });

    const erased = await a.erasePerson({ subjectId: 'c1', replacementId: 'erased-1' });
    t.same(erased, { ended: 1, activity: 2 });
    t.same((await b.queryActivity({ recipientId: 'c1', limit: 10 })).items, [], 'the person is no longer found through b');
    t.same((await b.queryActivity({ recipientId: 'erased-1', limit: 10 })).items.map((x) => x.id), ['old', 'new'], 'the events are kept');
    t.equal((await b.pastReservation('r1'))?.recipient.id, 'erased-1');

    await a.dropHistoryBefore(T0 - 1000);
    t.same((await b.queryActivity({ limit: 10 })).items.map((x) => x.id), ['new'], 'b stops answering dropped entries');
    t.equal(await b.pastReservation('r1'), undefined, 'nor the dropped reservation');
    t.same(await b.historySize(), { ended: 0, activity: 1 });
  });

  t.test('large values: a logo and a change of 20,000 rows reach the other instance', async (t) => {
    const { a, b, sql } = await pair(t);
    const data = randomBytes(200_000).toString('base64');
    const logo = nextExternal(b, 'the logo', (c) => puts(c).includes('logo1'));
    await a.commit({ put: [{ c: 'brandAssets', key: 'logo1', value: { sha256: 'a'.repeat(64), type: 'image/png', bytes: 200_000, data, createdAt: T0 } }] });
    await logo;
    t.equal(b.get('brandAssets', 'logo1')?.data, data, 'the logo arrives whole, without a sync');

    const person = { enterpriseId: 'e1', needsAccessible: false, notifications: 'email', language: 'en', private: false, createdAt: T0 } as const;
    const contact = (i: number): Contact => ({ ...person, id: `c${i}`, firstName: `First${i}`, lastName: `Last${i}` });
    const big = nextExternal(b, 'the import', (c) => (c?.put?.length ?? 0) === 20_000);
    await a.commit({ put: Array.from({ length: 20_000 }, (_, i): Put => ({ c: 'contacts', key: `c${i}`, value: contact(i) })) });
    await big;
    t.equal(b.count('contacts'), 20_000, 'every row arrives');
    t.same(b.get('contacts', 'c19999'), contact(19999));
    t.same(await differences(b, sql), [], 'b agrees with the database');
  });

  t.test('a pruned change feed: an instance behind it loads everything again', async (t) => {
    for (const behind of ['at a position', 'at the start', 'with a commit of its own in flight'] as const)
      await t.test(`behind ${behind}`, async (t) => {
        const { a, b, sql } = await pair(t);
        if (behind !== 'at the start') {
          await a.commit({ put: [bank('b0')] });
          await b.sync();
        }
        const reloads: number[] = [];
        b.onExternalChange((c) => c === undefined && reloads.push(b.count('banks')));
        // Commits wait for the commit lock, which this session holds (it may take it again itself).
        const locker = await sql.connect();
        t.teardown(() => locker.release());
        await locker.query('SELECT pg_advisory_lock(7240424)');
        const own = behind === 'with a commit of its own in flight' ? outcome(b.commit({ put: [bank('mine')] })) : undefined;
        // Three changes of another instance, and the feed pruned below the newest, in one transaction: b is behind them.
        await locker.query('BEGIN');
        for (let i = 1; i <= 3; i++) await locker.query('SELECT portier_commit($1, $2::jsonb)', ['x', batchOf([bank(`x${i}`)])]);
        await locker.query('DELETE FROM changes WHERE seq < (SELECT max(seq) FROM changes)');
        await locker.query('COMMIT');
        await b.sync();
        t.ok(reloads.length >= 1, 'listeners were told everything may have changed');
        t.equal(reloads[0], b.count('banks'), 'after memory was loaded again');
        if (own) t.equal(nameOf(b, 'mine'), 'Bank mine', 'its unanswered commit is still in its memory');
        await locker.query('SELECT pg_advisory_unlock(7240424)');
        if (own) t.equal(await own, 'ok', 'and lands');
        await b.sync();
        t.same(await differences(b, sql), [], 'memory agrees with the database');
        await a.sync();
        t.same(await differences(a, sql), [], 'the other instance too');
      });
  });

  t.test('migrations', async (t) => {
    await t.test('two instances opening a new database at once both start; the schema is applied once', async (t) => {
      const url = await server.createDatabase();
      const [a, b] = await Promise.all([PgStore.open({ url, instanceId: 'a' }), PgStore.open({ url, instanceId: 'b' })]);
      t.teardown(async () => {
        await a.close();
        await b.close();
      });
      const sql = new pg.Client({ connectionString: url });
      await sql.connect();
      t.teardown(() => sql.end());
      t.same((await sql.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id')).rows.map((r) => r.name), await knownMigrations());
      await a.commit({ put: [bank('b1')] });
      await b.sync();
      t.equal(nameOf(b, 'b1'), 'Bank b1', 'both work');
    });

    await t.test('a database migrated by a newer release is refused and left alone', async (t) => {
      const url = await server.createDatabase();
      const first = await PgStore.open({ url });
      await first.commit({ put: [bank('b1')] });
      await first.close();
      const sql = new pg.Client({ connectionString: url });
      await sql.connect();
      t.teardown(() => sql.end());
      await sql.query(`INSERT INTO pgmigrations (name, run_on) VALUES ('9000_from_a_newer_release', now())`);
      const state = async (): Promise<unknown> =>
        (
          await sql.query(
            `SELECT (SELECT json_agg(name ORDER BY id) FROM pgmigrations) AS migrations, (SELECT json_agg(key) FROM live) AS live,
                    (SELECT count(*) FROM changes) AS changes, (SELECT count(*) FROM pg_tables WHERE schemaname = 'public') AS tables`,
          )
        ).rows[0];
      const before = await state();
      await t.rejects(PgStore.open({ url }), { name: 'StoreError', code: 'CORRUPT', message: /newer release.*9000_from_a_newer_release/ });
      t.same(await state(), before, 'nothing was written');
    });

    await t.test('an empty database that names only a newer release’s migration gets no schema', async (t) => {
      const url = await server.createDatabase();
      const sql = new pg.Client({ connectionString: url });
      await sql.connect();
      t.teardown(() => sql.end());
      await sql.query(`CREATE TABLE pgmigrations (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)`);
      await sql.query(`INSERT INTO pgmigrations (name, run_on) VALUES ('9000_from_a_newer_release', now())`);
      await t.rejects(PgStore.open({ url }), { name: 'StoreError', code: 'CORRUPT' });
      t.same((await sql.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows, [{ tablename: 'pgmigrations' }], 'no table was made');
    });
  });

});
