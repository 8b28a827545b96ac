// Leases in the store: one holder at a time, renewed by its holder, taken over once expired, released only by the
// holder, and the same after the file store reopens.
import t from 'tap';
import { DurableStore } from '../../src/store/durable.ts';
import { leaseHolder, releaseLease, takeLease } from '../../src/store/leases.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { tempDir } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const take = (store: MemoryStore | DurableStore, holder: string, now: number) => takeLease(store, { name: 'job', holder, ttlMs: 1000, now });

t.test('one holder at a time; renewed by it; taken over once it expired; released only by its holder', async (t) => {
  const s = new MemoryStore();
  t.equal(await take(s, 'a', T0), true, 'a free lease is taken');
  t.equal(await take(s, 'b', T0 + 500), false, 'not while another holds it');
  t.equal(await take(s, 'a', T0 + 900), true, 'the holder renews it');
  t.equal(await take(s, 'b', T0 + 1800), false, 'renewed: still held');
  t.equal(leaseHolder(s, 'job', T0 + 1899), 'a');
  t.equal(leaseHolder(s, 'job', T0 + 1900), undefined, 'expired');
  t.equal(await take(s, 'b', T0 + 1900), true, 'an expired lease is taken over');
  await releaseLease(s, 'job', 'a');
  t.equal(leaseHolder(s, 'job', T0 + 1900), 'b', 'a former holder cannot release it');
  await releaseLease(s, 'job', 'b');
  t.equal(s.get('leases', 'job'), undefined, 'released by its holder');
  const both = await Promise.all([take(s, 'c', T0 + 2000), take(s, 'd', T0 + 2000)]);
  t.same(both, [true, false], 'two takers at once: one gets it');
});

t.test('a lease held in the file store is still held after it reopens', async (t) => {
  const dir = await tempDir(t, 'portier-leases-');
  const s = await DurableStore.open(dir);
  t.equal(await take(s, 'a', T0), true);
  await s.close();
  const again = await DurableStore.open(dir);
  t.teardown(() => again.close());
  t.equal(await take(again, 'b', T0 + 10), false, 'another instance on the reopened store does not get it');
  t.equal(leaseHolder(again, 'job', T0 + 10), 'a');
});
