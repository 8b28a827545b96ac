// The guess limits' one rule (LoginThrottle) on both places its counts live: the same table of cases (free attempts,
// doubling, cap, window, a success clearing) on this process's memory under sinon's fake clock and on PostgreSQL with
// a clock the test moves. On PostgreSQL also: two instances failing one key at once lose no failure, the table holds
// an HMAC and never the key, a burst of requests at one instance passes no more than the free ones, old rows are
// deleted, a database refusing or hung is replaced by memory for a while; and with the database stopped a sign-in
// still works, wrong ones being limited in memory, which the log says.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import sinon from 'sinon';
import t, { type Test } from 'tap';
import { MemoryGuessCounts, type GuessCounts, type GuessLimit } from '../../src/auth/guess-counts.ts';
import { GUESS_SWEEP_MS, PgGuessCounts } from '../../src/auth/guess-counts-pg.ts';
import { LoginThrottle, lockTable } from '../../src/auth/rate-limit.ts';
import { AuthError, AuthService, domainAuthParts } from '../../src/auth/service.ts';
import { MemoryTokenRepo } from '../../src/auth/users.ts';
import { LockerService } from '../../src/domain/service.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { PASSWORD, TEST_ARGON2 } from '../http/helpers.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../store/pg-server.ts';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const RULE = { freeAttempts: 3, baseLockMs: 1000, maxLockMs: 8000, windowMs: 60_000 };
const silent = pino({ level: 'silent' });

type Step = ['fail' | 'succeed', ...string[]] | ['wait', number] | ['check', number, ...string[]];
/** Each case: what happens to which keys, and the wait (ms) each check must answer. */
const CASES: Array<{ name: string; steps: Step[] }> = [
  {
    name: 'the first failures are free, the third locks for the base',
    steps: [['fail', 'ip:a'], ['check', 0, 'ip:a'], ['fail', 'ip:a'], ['check', 0, 'ip:a'], ['fail', 'ip:a'], ['check', 1000, 'ip:a'], ['wait', 400], ['check', 600, 'ip:a'], ['wait', 600], ['check', 0, 'ip:a']],
  },
  {
    name: 'each further failure doubles the lock',
    steps: [['fail', 'k'], ['fail', 'k'], ['fail', 'k'], ['wait', 1000], ['fail', 'k'], ['check', 2000, 'k'], ['wait', 2000], ['fail', 'k'], ['check', 4000, 'k']],
  },
  {
    name: 'the lock stops doubling at the cap',
    steps: [['fail', 'k'], ['fail', 'k'], ['fail', 'k'], ['fail', 'k'], ['fail', 'k'], ['check', 4000, 'k'], ['fail', 'k'], ['check', 8000, 'k'], ['fail', 'k'], ['check', 8000, 'k']],
  },
  {
    name: 'failures older than the window are forgotten',
    steps: [['fail', 'k'], ['fail', 'k'], ['wait', 60_001], ['fail', 'k'], ['check', 0, 'k'], ['fail', 'k'], ['check', 0, 'k'], ['fail', 'k'], ['check', 1000, 'k']],
  },
  {
    name: 'a success clears the count',
    steps: [['fail', 'u', 'ip:a'], ['fail', 'u', 'ip:a'], ['succeed', 'u', 'ip:a'], ['fail', 'u', 'ip:a'], ['fail', 'u', 'ip:a'], ['check', 0, 'u', 'ip:a'], ['fail', 'u'], ['check', 1000, 'u', 'ip:a'], ['check', 0, 'ip:a']],
  },
  {
    name: 'each key counts apart, and a check waits for the longest lock of its keys',
    steps: [['fail', 'u', 'ip:a'], ['fail', 'u', 'ip:a'], ['fail', 'u', 'ip:a'], ['fail', 'u'], ['check', 2000, 'u', 'ip:a'], ['check', 1000, 'ip:a'], ['check', 0, 'ip:b']],
  },
];

/** Runs every case on throttles made by `make` (a fresh count per case); `advance` moves the clock. */
async function runCases(t: Test, make: (name: string) => Promise<LoginThrottle>, advance: (ms: number) => Promise<void>): Promise<void> {
  for (const c of CASES) {
    const throttle = await make(c.name);
    const seen: number[] = [];
    const expected: number[] = [];
    for (const [op, ...args] of c.steps) {
      if (op === 'fail') await throttle.fail(args as string[]);
      else if (op === 'succeed') await throttle.succeed(args as string[]);
      else if (op === 'wait') await advance(args[0] as number);
      else {
        expected.push(args[0] as number);
        seen.push(await throttle.retryAfterMs(args.slice(1) as string[]));
      }
    }
    t.same(seen, expected, c.name);
  }
}

t.test('the lock table: free failures, then the base doubling to the cap', async (t) => {
  t.same(lockTable(RULE), [0, 0, 1000, 2000, 4000, 8000]);
  t.same(lockTable({ freeAttempts: 1, baseLockMs: 0, maxLockMs: 0 }), [0], 'no lock at all');
  t.equal(lockTable({ freeAttempts: 2, baseLockMs: 1, maxLockMs: Number.MAX_SAFE_INTEGER }).length, 32, 'the doubling ends after 30 steps');
});

t.test('the rule on counts in memory (fake clock)', async (t) => {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  await runCases(t, async () => new LoginThrottle({ ...RULE, now: () => Date.now() }), async (ms) => void clock.tick(ms));

  const counts = new MemoryGuessCounts({ sweepAbove: 10 });
  const throttle = new LoginThrottle({ ...RULE, now: () => Date.now(), counts });
  for (let i = 0; i < 11; i++) await throttle.fail([`ip:${i}`]);
  clock.tick(RULE.windowMs / 2);
  await throttle.fail(['ip:recent']);
  t.equal(counts.size, 12, 'nothing forgotten yet: every count kept');
  clock.tick(RULE.windowMs / 2 + 1);
  await throttle.fail(['ip:new']);
  t.equal(counts.size, 2, 'past the bound, a failure drops the forgotten counts, not the recent one');
});

t.test('on PostgreSQL', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);
  const url = await server.createDatabase();
  // The schema comes with the store.
  await (await PgStore.open({ url })).close();
  const pools = [new pg.Pool({ connectionString: url, max: 3 }), new pg.Pool({ connectionString: url, max: 3 })] as const;
  t.teardown(() => Promise.all(pools.map((p) => p.end())));
  // The database is stopped at the end: their idle connections then fail.
  for (const p of pools) p.on('error', () => undefined);
  const macKey = randomBytes(32);
  let now = T0;
  const counts = (limit: GuessLimit, db: pg.Pool = pools[0], logger = silent): PgGuessCounts => new PgGuessCounts({ db, limit, macKey, now: () => now, logger });
  const throttle = (c: GuessCounts): LoginThrottle => new LoginThrottle({ ...RULE, now: () => now, counts: c });
  const rows = async (): Promise<Array<{ limit_name: string; key_hash: string; failures: number; text: string }>> =>
    (await pools[0].query('SELECT limit_name, key_hash, failures, row_to_json(g)::text AS text FROM guess_counts g ORDER BY limit_name, key_hash')).rows;

  await t.test('the same cases (a clock the test moves)', async (t) => {
    // Each case its own limit... and its own keys: a fresh table per case.
    await runCases(
      t,
      async () => {
        await pools[0].query('TRUNCATE guess_counts');
        return throttle(counts('sign-in'));
      },
      async (ms) => void (now += ms),
    );
  });

  await t.test('two instances failing one key at once lose no failure', async (t) => {
    await pools[0].query('TRUNCATE guess_counts');
    const a = throttle(counts('pickup-code', pools[0]));
    const b = throttle(counts('pickup-code', pools[1]));
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).fail(['user:u-ann', 'ip:192.0.2.7'])));
    t.same((await rows()).map((r) => r.failures), [20, 20], 'both keys counted 20 times');
    t.equal(await a.retryAfterMs(['ip:192.0.2.7']), 8000, 'and locked as 20 failures on one instance are: the cap');
    t.equal(await b.retryAfterMs(['user:u-ann']), 8000, 'read alike on the other');
    await b.succeed(['user:u-ann']);
    t.equal(await a.retryAfterMs(['user:u-ann']), 0, 'a success on one clears the key for both');
    t.equal(await a.retryAfterMs(['ip:192.0.2.7']), 8000, 'and that key only');
    const text = (await rows()).map((r) => r.text).join('\n');
    t.notMatch(text, /u-ann|192\.0\.2\.7|user:|ip:/, 'the table holds neither the user nor the address');
    t.same((await rows()).map((r) => r.key_hash), [counts('pickup-code').hash('ip:192.0.2.7')], 'but an HMAC of the key');
    t.not(counts('sign-in').hash('ip:192.0.2.7'), counts('pickup-code').hash('ip:192.0.2.7'), 'a key of another limit is another row');
  });

  await t.test('limits count apart', async (t) => {
    await pools[0].query('TRUNCATE guess_counts');
    const signIn = throttle(counts('sign-in'));
    for (let i = 0; i < 3; i++) await signIn.fail(['ip:192.0.2.9']);
    t.equal(await signIn.retryAfterMs(['ip:192.0.2.9']), 1000);
    t.equal(await throttle(counts('password-reset')).retryAfterMs(['ip:192.0.2.9']), 0, 'the same address is free in another limit');
  });

  await t.test('a burst of requests at one instance (admit): only the free ones pass', async (t) => {
    await pools[0].query('TRUNCATE guess_counts');
    const th = throttle(counts('password-reset'));
    const waits = await Promise.all(Array.from({ length: 10 }, () => th.admit(['email:kim@example.com'])));
    t.same(waits, [0, 0, 0, ...Array<number>(7).fill(1000)], 'three counted and let through, the others refused without counting');
    t.same((await rows()).map((r) => r.failures), [3]);
  });

  await t.test('rows of forgotten failures are deleted', async (t) => {
    await pools[0].query('TRUNCATE guess_counts');
    now += GUESS_SWEEP_MS;
    const c = counts('sign-in');
    const th = throttle(c);
    await th.fail(['ip:old']);
    for (let i = 0; i < 6; i++) await th.fail(['ip:locked']);
    t.equal((await rows()).length, 2);
    now += RULE.windowMs + 1;
    await th.fail(['ip:other']);
    t.same((await rows()).map((r) => r.key_hash), [c.hash('ip:other')], 'gone once their window passed and no lock runs');
  });

  await t.test('a database refusing or not answering: counted in memory, said once, used again once it answers', async (t) => {
    await pools[0].query('TRUNCATE guess_counts');
    let mode: 'up' | 'refuse' | 'hang' = 'up';
    const db = {
      query: ((...args: Parameters<pg.Pool['query']>) =>
        mode === 'up' ? pools[0].query(...args) : mode === 'refuse' ? Promise.reject(new Error('connect ECONNREFUSED')) : new Promise(() => undefined)) as pg.Pool['query'],
    };
    const logs: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => done(void logs.push(chunk.toString('utf8'))) }));
    // The bound a hung query is given up after: wide enough that a real query on a busy machine is not taken for one.
    const c = new PgGuessCounts({ db, limit: 'sign-in', macKey, now: () => now, logger, timeoutMs: 1000, retryDbMs: 5000 });
    const th = throttle(c);
    await th.fail(['ip:a']);
    mode = 'hang';
    await th.fail(['ip:a']);
    t.match(logs, [/no answer from the database within 1000 ms.*cannot be reached/], 'a hung database: told');
    await th.fail(['ip:a']);
    t.equal(await th.retryAfterMs(['ip:a']), 0, 'two failures in memory, one in the table: neither is over the limit');
    now += 5000;
    mode = 'refuse';
    await th.fail(['ip:a']);
    t.equal(await th.retryAfterMs(['ip:a']), 1000, 'tried again after a while, refused: the third in memory locks');
    t.equal(logs.length, 1, 'said once for the whole spell');
    mode = 'up';
    now += 5000;
    t.equal(await th.retryAfterMs(['ip:b']), 0, 'the database answers again');
    t.match(logs[1], /reachable again/, 'which the log says');
    await th.fail(['ip:a']);
    t.same((await rows()).map((r) => r.failures), [2], 'failures count in the table again');
  });

  await t.test('the database stopped: sign-in works, wrong ones limited in memory, logged', (t) => databaseStopped(t, server, url, macKey));
});

async function databaseStopped(t: Test, server: TestPostgres, url: string, macKey: Buffer): Promise<void> {
  let logged = '';
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logged += chunk.toString('utf8');
        done();
      },
    }),
  );
  const db = new pg.Pool({ connectionString: url, max: 2 });
  db.on('error', () => undefined);
  t.teardown(() => db.end());
  const now = T0 + 3600_000;
  const store = new MemoryStore();
  const service = new LockerService({ store, logger: silent, clock: () => now, codeHashN: 1024 });
  const auth = new AuthService({
    ...domainAuthParts(service, silent),
    tokens: new MemoryTokenRepo(),
    store,
    random: service.random,
    now: () => now,
    logger: silent,
    argon2: TEST_ARGON2,
    tokenTtlMs: 3600_000,
    login: RULE,
    guesses: (limit) => new PgGuessCounts({ db, limit, macKey, now: () => now, logger }),
  });
  await service.createEnterprise({ id: 'ent', name: 'Acme' }, { role: 'system' });
  await auth.createUser({ enterpriseId: 'ent', username: 'ann', password: PASSWORD, role: 'admin' });
  const signIn = (username: string, password: string, ip: string) =>
    auth.login(username, password, ip).then(
      (r) => 'session' + (r.token ? '' : ' without token'),
      (err: unknown) => (err instanceof AuthError ? `${err.code}${err.retryAfterMs !== undefined ? ` ${err.retryAfterMs}` : ''}` : String(err)),
    );

  t.equal(await signIn('ann', PASSWORD, '192.0.2.1'), 'session', 'with the database up');
  await server.stop();
  t.equal(await signIn('ann', PASSWORD, '192.0.2.1'), 'session', 'with the database stopped, the right password still signs in');
  const tries: string[] = [];
  for (let i = 0; i < 4; i++) tries.push(await signIn(`nobody-${i}`, 'wrong', '192.0.2.66'));
  t.same(tries, ['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS 1000'], 'wrong ones from one address are limited as by the rule');
  t.equal(await signIn('ann', PASSWORD, '192.0.2.66'), 'TOO_MANY_ATTEMPTS 1000', 'even with the right password from that address');
  t.match(logged, /the shared guess counts cannot be reached: counting in this instance's memory/, 'the log says so');
  t.equal(logged.match(/cannot be reached/g)?.length, 1, 'once for the spell');
  t.notMatch(logged, /192\.0\.2|nobody|\bann\b/, 'and names no address nor user');

}
