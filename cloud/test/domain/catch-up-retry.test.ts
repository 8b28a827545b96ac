// Instances sharing a database: a use case that names what another instance made a moment ago (not yet in this
// instance's memory) is refused NOT_FOUND, caught up and run once more, and then succeeds; other refusals and
// synchronous methods pass through untouched; a record that exists nowhere is still NOT_FOUND, after one catch-up.
import t from 'tap';
import { retryAfterCatchUp } from '../../src/domain/catch-up-retry.ts';
import { LockerService } from '../../src/domain/service.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { admin } from './helpers.ts';

/** A service whose store "catches up" by receiving the division another instance created. */
async function behind() {
  const store = new MemoryStore();
  const service = new LockerService({ store, codeHashN: 1024 });
  await service.createEnterprise({ id: 'ent', name: 'Acme' }, admin);
  // What the other instance wrote, as the feed would bring it.
  const other = { id: 'div', enterpriseId: 'ent', name: 'HQ', createdAt: 1 };
  let syncs = 0;
  const feed = {
    sync: async () => {
      syncs++;
      if (!store.get('divisions', 'div')) await store.commit({ put: [{ c: 'divisions', key: 'div', value: other }] });
    },
  };
  return { store, service, wrapped: retryAfterCatchUp(service, feed), syncs: () => syncs };
}

t.test('a parent made on another instance a moment ago is found after one catch-up', async (t) => {
  const { service, wrapped, syncs, store } = await behind();
  await t.rejects(service.createLocation({ id: 'loc', divisionId: 'div', name: 'Main' }, admin), { code: 'NOT_FOUND' }, 'unwrapped: not in memory yet');
  const loc = await wrapped.createLocation({ id: 'loc', divisionId: 'div', name: 'Main' }, admin);
  t.equal(loc.divisionId, 'div');
  t.equal(syncs(), 1, 'caught up once');
  t.ok(store.get('locations', 'loc'), 'written once');
  t.equal(store.count('locations'), 1);
});

t.test('other refusals, found records and synchronous methods are untouched', async (t) => {
  const { wrapped, syncs } = await behind();
  await t.rejects(wrapped.createEnterprise({ id: 'ent', name: 'Again' }, admin), { code: 'CONFLICT' });
  t.equal(syncs(), 0, 'no catch-up for a refusal other than NOT_FOUND');
  t.equal(typeof wrapped.now(), 'number', 'a synchronous method answers as before');
  t.ok(wrapped instanceof LockerService);
  await t.rejects(wrapped.createLocation({ id: 'loc2', divisionId: 'nowhere', name: 'X' }, admin), { code: 'NOT_FOUND' }, 'still NOT_FOUND when it exists nowhere');
  t.equal(syncs(), 1, 'after one catch-up');
});
