// Banks divided between cloud instances on one PostgreSQL through leases: a lone instance owns every bank, a second
// gets its share, no bank is ever owned by both, a dead instance's banks are taken over once its leases expire, a
// stopped one's at once, and a takeover that fails gives its shards back.
import t, { type Test } from 'tap';
import { BANK_SHARDS, BankOwnership, shardOfBank, SoleOwner } from '../../src/sync/bank-ownership.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';

t.test('a lone cloud on its own store owns every bank', async (t) => {
  const sole = new SoleOwner();
  t.ok(sole.owns('any-bank'));
  t.equal(sole.shardOf('bank-1'), shardOfBank('bank-1'));
  const seen = new Set(Array.from({ length: 2000 }, (_, i) => shardOfBank(`bank-${i}`)));
  t.equal(seen.size, BANK_SHARDS, 'banks spread over every shard');
  t.equal(shardOfBank('bank-1'), shardOfBank('bank-1'), 'the same shard every time');
});

t.test('instances on one PostgreSQL', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);
  // Short leases keep the test quick; the waits below are bounded on what the instances tell.
  const TTL = 1200;
  const RENEW = 300;

  async function instance(t: Test, url: string, id: string, takeOver?: (shards: number[]) => Promise<void>): Promise<{ store: PgStore; own: BankOwnership }> {
    const store = await PgStore.open({ url, instanceId: id });
    const own = new BankOwnership({ store, instanceId: id, ttlMs: TTL, renewMs: RENEW, ...(takeOver ? { takeOver } : {}) });
    t.teardown(async () => {
      await own.stop();
      await store.close().catch(() => undefined);
    });
    return { store, own };
  }

  /** Resolves once `cond` holds, checked now and whenever one of `owners` gains or loses shards, within `ms`. */
  function until(what: string, owners: BankOwnership[], cond: () => boolean, ms = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`not within ${ms} ms: ${what}`));
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        for (const o of owners) {
          o.off('gained', check);
          o.off('lost', check);
        }
      };
      for (const o of owners) {
        o.on('gained', check);
        o.on('lost', check);
      }
      check();
    });
  }

  const disjoint = (a: BankOwnership, b: BankOwnership): boolean => {
    const mine = new Set(a.shards());
    return b.shards().every((s) => !mine.has(s));
  };

  t.test('the first instance takes every shard, the second gets half, never one shard in both', async (t) => {
    const url = await server.createDatabase();
    const a = await instance(t, url, 'a');
    await a.own.start();
    t.equal(a.own.shards().length, BANK_SHARDS, 'alone: every shard');
    t.ok(a.own.owns('bank-1'));

    const b = await instance(t, url, 'b');
    let overlap = false;
    const watch = (): void => {
      if (!disjoint(a.own, b.own)) overlap = true;
    };
    a.own.on('gained', watch);
    b.own.on('gained', watch);
    await b.own.start();
    await until('each holds half', [a.own, b.own], () => a.own.shards().length === BANK_SHARDS / 2 && b.own.shards().length === BANK_SHARDS / 2);
    t.notOk(overlap, 'no shard was owned by both at any hand-over');
    t.ok(disjoint(a.own, b.own));
    const bank = Array.from({ length: 100 }, (_, i) => `bank-${i}`);
    t.ok(bank.every((id) => a.own.owns(id) !== b.own.owns(id)), 'every bank has exactly one owner');
  });

  t.test("a dead instance's banks are taken over once its leases expire", async (t) => {
    const url = await server.createDatabase();
    const a = await instance(t, url, 'a');
    const b = await instance(t, url, 'b');
    await a.own.start();
    await b.own.start();
    await until('shares settled', [a.own, b.own], () => a.own.shards().length === BANK_SHARDS / 2 && b.own.shards().length === BANK_SHARDS / 2);
    // Its database connections gone, 'a' renews nothing any more, as after a SIGKILL.
    await a.store.close();
    const gained: number[] = [];
    b.own.on('gained', (s) => gained.push(...s));
    await until('b owns every shard', [b.own], () => b.own.shards().length === BANK_SHARDS);
    t.equal(gained.length, BANK_SHARDS / 2, "told of the dead instance's shards it gained");
    t.ok(b.store.list('leases').filter((l) => l.name.startsWith('bank-shard:')).every((l) => l.holder === 'b'), 'every shard lease is held by b');
  });

  t.test("a stopped instance gives its banks up at once", async (t) => {
    const url = await server.createDatabase();
    const a = await instance(t, url, 'a');
    const b = await instance(t, url, 'b');
    await a.own.start();
    await b.own.start();
    await until('shares settled', [a.own, b.own], () => b.own.shards().length === BANK_SHARDS / 2);
    const lost: number[][] = [];
    a.own.on('lost', (s) => lost.push(s));
    await a.own.stop();
    t.same(lost.flat().sort((x, y) => x - y).length, BANK_SHARDS / 2, 'told it lost its shards before releasing them');
    t.notOk(a.own.owns('bank-1'));
    // Its instance lease went too: b's share is every shard from its next round.
    await b.own.tick();
    t.equal(b.own.shards().length, BANK_SHARDS, 'taken in one round, not after the lease lifetime');
  });

  t.test('a takeover that fails gives the shards back; they count as owned only once it succeeds', async (t) => {
    const url = await server.createDatabase();
    let fail = true;
    let ownedDuringHook = true;
    const a = await instance(t, url, 'a', async () => {
      ownedDuringHook = a.own.owns('bank-1');
      if (fail) throw new Error('journal unreachable');
    });
    await a.own.start();
    t.equal(a.own.shards().length, 0, 'nothing held after the failed takeover');
    t.notOk(a.own.owns('bank-1'));
    t.notOk(ownedDuringHook, 'not owned while the takeover runs');
    t.equal(a.store.list('leases').filter((l) => l.name.startsWith('bank-shard:')).length, 0, 'the leases were released');
    fail = false;
    await a.own.tick();
    t.equal(a.own.shards().length, BANK_SHARDS, 'the next round takes them');
    t.ok(a.own.owns('bank-1'));
  });
});
