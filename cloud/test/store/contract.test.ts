import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract, type StoreFixture } from '../../src/store/contract.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { activityContract } from './activity-contract.ts';
import { postgresMissing, startPostgres, type TestPostgres } from './pg-server.ts';

/** A durable store in a fresh folder, reopened on the same folder with the same options. */
function durable(opts?: Parameters<typeof DurableStore.open>[1]): () => Promise<StoreFixture> {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portier-store-'));
    let store = await DurableStore.open(dir, opts);
    return {
      store,
      reopen: async () => {
        await store.close();
        store = await DurableStore.open(dir, opts);
        return store;
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  };
}

const stores: [string, () => Promise<StoreFixture>][] = [
  ['MemoryStore', async () => ({ store: new MemoryStore() })],
  ['DurableStore', durable()],
  ['DurableStore with a checkpoint after every few bytes', durable({ checkpointBytes: 200 })],
  // History moved into many small segment files: a query must read every one that may hold what it asks for.
  ['DurableStore with small segments', durable({ checkpointBytes: 200, segmentEntries: 6 })],
];

for (const [name, make] of stores)
  t.test(name, async (tt) => {
    await storeContract(tt, make);
    await activityContract(tt, make);
  });

// The same contract on PostgreSQL: one server for the file, a new database for each fixture.
t.test('PgStore', { skip: postgresMissing }, async (tt) => {
  const server: TestPostgres = await startPostgres(tt);
  const make = async (): Promise<StoreFixture> => {
    const url = await server.createDatabase();
    let store = await PgStore.open({ url, pollMs: 60_000 });
    return {
      store,
      reopen: async () => {
        await store.close();
        store = await PgStore.open({ url, pollMs: 60_000 });
        return store;
      },
    };
  };
  await storeContract(tt, make);
  await activityContract(tt, make);
});
