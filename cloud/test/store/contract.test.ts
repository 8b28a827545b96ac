import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../../src/store/contract.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { MemoryStore } from '../../src/store/memory.ts';

t.test('MemoryStore', (tt) =>
  storeContract(tt, async () => ({ store: new MemoryStore() })),
);

t.test('DurableStore', (tt) =>
  storeContract(tt, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portier-store-'));
    let store = await DurableStore.open(dir);
    return {
      store,
      reopen: async () => {
        await store.close();
        store = await DurableStore.open(dir);
        return store;
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  }),
);

t.test('DurableStore with a checkpoint after every few bytes', (tt) =>
  storeContract(tt, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portier-store-'));
    let store = await DurableStore.open(dir, { checkpointBytes: 200 });
    return {
      store,
      reopen: async () => {
        await store.close();
        store = await DurableStore.open(dir, { checkpointBytes: 200 });
        return store;
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  }),
);
