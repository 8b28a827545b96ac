// Sessions in PostgreSQL, shared by two cloud instances: a sign-in on one is good on the other, a sign-out or the end
// of every session of a user on one ends them on the other at once, a request's time made on one reaches the other's
// idle check within seconds, and the database holds only the token's hash.
import t from 'tap';
import sinon from 'sinon';
import pg from 'pg';
import { Sessions, type SessionSettings } from '../../src/auth/sessions.ts';
import { PgTokenRepo, SEEN_WRITE_DELAY_MS } from '../../src/auth/token-pg.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const MIN = 60_000;
const settings: SessionSettings = { idleTimeoutMinutes: 15, sessionMaxHours: 12 };
const user = { id: 'u-ann', enterpriseId: 'ent' };

t.test('sessions shared by two instances through PostgreSQL', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);
  const url = await server.createDatabase();
  // The schema comes with the store.
  await (await PgStore.open({ url })).close();
  const pools = [new pg.Pool({ connectionString: url, max: 2 }), new pg.Pool({ connectionString: url, max: 2 })];
  t.teardown(() => Promise.all(pools.map((p) => p.end())));
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  t.teardown(() => clock.restore());
  const problems: string[] = [];
  const repos = pools.map((p) => new PgTokenRepo(p, (m) => problems.push(m)));
  const [a, b] = repos.map((tokens) => new Sessions({ tokens, now: () => Date.now(), tokenTtlMs: 24 * 60 * MIN, settings: () => settings })) as [Sessions, Sessions];

  const { token } = await a.open(user, { ip: '192.0.2.7', userAgent: 'Firefox' });
  const onB = await b.find(token);
  t.equal(onB?.userId, 'u-ann', 'a sign-in on one instance is good on the other');
  t.equal(await b.admit(onB!, 'ent'), true);
  t.same((await b.list(user)).map((s) => s.ip), ['192.0.2.7'], 'and listed there');

  const stored = await pools[0]!.query<{ text: string }>('SELECT row_to_json(s)::text AS text FROM sessions s');
  t.notOk(stored.rows[0]!.text.includes(token), 'the database holds the hash, never the token');

  // Ann works on instance B for 14 minutes; instance A must not find her idle at minute 16 (15 minutes after sign-in).
  await clock.tickAsync(14 * MIN);
  t.equal(await b.admit((await b.find(token))!, 'ent'), true, 'a request on B at minute 14');
  await clock.tickAsync(SEEN_WRITE_DELAY_MS);
  await repos[1]!.flush();
  await clock.tickAsync(2 * MIN - SEEN_WRITE_DELAY_MS);
  const onA = await a.find(token);
  t.equal(await a.admit(onA!, 'ent'), true, 'A reads the request made on B: not idle at minute 16');

  await b.end(token);
  t.equal(await a.find(token), undefined, 'a sign-out on B ends the session on A at once');

  const two = [await a.open(user, {}), await a.open(user, {})];
  t.equal(await b.endAll(user), 2, 'B ends every session of the user');
  for (const s of two) t.equal(await a.find(s.token), undefined, 'and A finds none of them');

  await pools[0]!.query(`INSERT INTO sessions (hash, user_id, expires_at, last_seen_at, record) VALUES ('x', 'u-ann', $1, 0, '{"hash":"x"}')`, [T0 + 60 * MIN]);
  t.same(await repos[1]!.listByUser('u-ann'), [], 'a malformed row is no session');
  t.match(problems, [/malformed session/], 'and is told');
});
