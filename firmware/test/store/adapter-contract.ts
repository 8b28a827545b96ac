// The contract every lowdb adapter of the firmware must keep (STYLE.md: a contract suite run against every store).
import type { Test } from 'tap';
import type { Adapter } from 'lowdb';

export interface Doc {
  n: number;
  items: string[];
}

export function adapterContract(t: Test, name: string, build: () => Promise<{ adapter: Adapter<Doc>; reopen: () => Promise<Adapter<Doc>> }>): void {
  t.test(`${name}: a fresh store reads as empty (null)`, async (t) => {
    const { adapter } = await build();
    t.equal(await adapter.read(), null);
  });

  t.test(`${name}: what was written is read back, also by a new instance`, async (t) => {
    const { adapter, reopen } = await build();
    await adapter.write({ n: 1, items: ['a', 'é', '🚪'] });
    t.same(await adapter.read(), { n: 1, items: ['a', 'é', '🚪'] });
    t.same(await (await reopen()).read(), { n: 1, items: ['a', 'é', '🚪'] });
  });

  t.test(`${name}: concurrent writes all resolve and the last one wins`, async (t) => {
    const { adapter, reopen } = await build();
    await Promise.all(Array.from({ length: 50 }, (_, i) => adapter.write({ n: i, items: [String(i)] })));
    t.same(await (await reopen()).read(), { n: 49, items: ['49'] });
  });

  t.test(`${name}: a write resolves only once its data is readable by a new instance`, async (t) => {
    const { adapter, reopen } = await build();
    for (let i = 0; i < 5; i++) {
      await adapter.write({ n: i, items: [] });
      t.equal((await (await reopen()).read())?.n, i);
    }
  });
}
