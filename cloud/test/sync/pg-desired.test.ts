// The last desired state signed per controller in PostgreSQL (PgDesiredStore): put/get/all/delete/refresh, kept across
// a reopen, and two instances: a version one stored is refused to the other (no version signed twice), which then
// goes on above it.
import { generateKeyPairSync } from 'node:crypto';
import { desiredStateHash, signMessage, verifyMessage, type Desired, type DesiredState } from '@portier/protocol';
import pg from 'pg';
import t, { type Test } from 'tap';
import { sampleDesiredState } from '../../../protocol/test/fixtures/samples.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import type { SentDesired } from '../../src/sync/desired-store.ts';
import { PgDesiredStore } from '../../src/sync/pg-desired-store.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';

const server = postgresMissing ? undefined : await startPostgres(t);
/** A database migrated once (as PgStore.open leaves it), copied for each test: migrating each costs more. */
const TEMPLATE = 'migrated';
if (server) {
  const store = await PgStore.open({ url: await server.createDatabase(TEMPLATE), poolSize: 1 });
  await store.close();
}
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

const base = sampleDesiredState();
/** A valid state told apart by `label` (its one reservation's tracking id). */
const state = (label: string): DesiredState => ({ ...base, reservations: base.reservations.map((r) => ({ ...r, trackingIds: [label] })) });

/** A desired state as the link signs it. */
function sent(controllerId: string, version: number, label = `v${version}`, bankId = 'bank-1'): SentDesired {
  const s = state(label);
  const message: Desired = signMessage({ v: 1 as const, bankId, controllerId, version, issuedAt: 1_700_000_000_000 + version, state: s }, privateKey);
  return { message, hash: desiredStateHash(s) };
}

async function database(t: Test): Promise<pg.Pool> {
  const url = await server!.createDatabase(undefined, TEMPLATE);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  t.teardown(() => pool.end());
  return pool;
}

t.test('put, get, all, delete; kept across a reopen, signatures intact', { skip: postgresMissing }, async (t) => {
  const pool = await database(t);
  const store = await PgDesiredStore.open(pool);
  t.same(store.all(), []);
  t.equal(store.get('c1'), undefined);
  await store.put(sent('c1', 1));
  await store.put(sent('c1', 2));
  await store.put(sent('c2', 1, 'other', 'bank-2'));
  t.same(store.get('c1'), sent('c1', 2));
  t.equal(store.all().length, 2);

  const reopened = await PgDesiredStore.open(pool);
  t.same(reopened.get('c1'), sent('c1', 2), 'the last version of each controller');
  t.same(reopened.get('c2'), sent('c2', 1, 'other', 'bank-2'));
  t.ok(verifyMessage(reopened.get('c1')!.message as unknown as Record<string, unknown>, publicKey), 'the message as signed');
  t.same(
    (await pool.query('SELECT controller_id, bank_id, version::int, hash FROM desired_versions ORDER BY controller_id')).rows,
    [
      { controller_id: 'c1', bank_id: 'bank-1', version: 2, hash: sent('c1', 2).hash },
      { controller_id: 'c2', bank_id: 'bank-2', version: 1, hash: sent('c2', 1, 'other').hash },
    ],
  );

  await reopened.delete('c1');
  t.equal(reopened.get('c1'), undefined);
  t.same((await PgDesiredStore.open(pool)).all().map((s) => s.message.controllerId), ['c2'], 'deleted for good');
  await reopened.put(sent('c1', 1));
  t.equal(reopened.get('c1')?.message.version, 1, 'a deleted controller starts again');
});

t.test('a version is never stored twice or lowered: refused with CONFLICT, memory takes the stored one', { skip: postgresMissing }, async (t) => {
  const pool = await database(t);
  const store = await PgDesiredStore.open(pool);
  await store.put(sent('c1', 3));
  await t.rejects(store.put(sent('c1', 3, 'again')), { name: 'DesiredStoreError', code: 'CONFLICT', message: /c1: desired version 3 not stored: another instance stored version 3/ });
  await t.rejects(store.put(sent('c1', 2)), { code: 'CONFLICT' });
  t.same(store.get('c1'), sent('c1', 3));
  await store.put(sent('c1', 3));
  t.pass('the same signed state again (a retry whose first answer was lost) is no conflict');
});

t.test('two instances: the version one signed is refused to the other, which goes on above it after a refresh', { skip: postgresMissing }, async (t) => {
  const pool = await database(t);
  const one = await PgDesiredStore.open(pool);
  const two = await PgDesiredStore.open(pool);
  await one.put(sent('c1', 1));
  await two.refresh(['c1']);
  t.same(two.get('c1'), sent('c1', 1), 'refresh reads the other instance\'s state');

  // The first instance owns the bank and signs 2 and 3; the second still holds 1.
  await one.put(sent('c1', 2));
  await one.put(sent('c1', 3));
  t.equal(two.get('c1')?.message.version, 1);
  await t.rejects(two.put(sent('c1', 2, 'mine')), { code: 'CONFLICT' }, 'version 2 is signed already');
  t.equal(two.get('c1')?.message.version, 3, 'the refusal leaves the stored version in memory');
  await two.refresh(['c1', 'never']);
  t.equal(two.get('never'), undefined);
  await two.put(sent('c1', 4, 'mine'));
  t.same((await PgDesiredStore.open(pool)).get('c1'), sent('c1', 4, 'mine'), 'it goes on above');

  // At once: exactly one of them stores version 5.
  await one.refresh(['c1']);
  const outcomes = await Promise.allSettled([one.put(sent('c1', 5, 'one')), two.put(sent('c1', 5, 'two'))]);
  t.same(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
  const winner = outcomes[0]!.status === 'fulfilled' ? 'one' : 'two';
  t.same((await PgDesiredStore.open(pool)).get('c1'), sent('c1', 5, winner));
  t.same(one.get('c1'), sent('c1', 5, winner), 'both hold the stored version 5');
  t.same(two.get('c1'), sent('c1', 5, winner));

  // A delete by one is seen by the other's refresh.
  await one.delete('c1');
  await two.refresh(['c1']);
  t.equal(two.get('c1'), undefined);
});

t.test('a damaged row is an error naming the controller, never a silent skip', { skip: postgresMissing }, async (t) => {
  const pool = await database(t);
  await pool.query(`INSERT INTO desired_versions (controller_id, bank_id, version, message, hash) VALUES ('c1', 'b', 1, '{"v": 1}', 'h')`);
  await t.rejects(PgDesiredStore.open(pool), { name: 'DesiredStoreError', code: 'CORRUPT', message: /desired_versions row of c1/ });
});
