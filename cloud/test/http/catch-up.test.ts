// Instances sharing a database: a request naming what another instance made a moment ago (not yet in this
// instance's memory) is refused by the API's access scope before any use case runs; it is caught up and run once
// more, and succeeds. A record that exists nowhere is still 404, after one catch-up; a lone instance does not retry.
import t, { type Test } from 'tap';
import type { Bank } from '../../src/domain/model.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { call, makeTestApp, seedModel, type ErrorReply, type TestApp } from './helpers.ts';

const COLUMN = { id: 'col-2', bankId: 'bank', position: 2, kind: 'plain', controllerId: 'ctl-2' };

/** The seeded site, with its bank taken out of memory: made by another instance, its change not read here yet. */
async function behind(t: Test, shared: boolean): Promise<{ ta: TestApp; catchUps: () => number }> {
  const store = new MemoryStore();
  let catchUps = 0;
  let bank: Bank | undefined;
  const catchUp = async (): Promise<void> => {
    catchUps++;
    if (bank && !store.get('banks', 'bank')) await store.commit({ put: [{ c: 'banks', key: 'bank', value: bank }] });
  };
  const ta = await makeTestApp({ store, ...(shared ? { catchUp } : {}) });
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  bank = store.get('banks', 'bank');
  await store.commit({ del: [{ c: 'banks', key: 'bank' }] });
  return { ta, catchUps: () => catchUps };
}

t.test("a bank made on another instance a moment ago: its column is added after one catch-up", async (t) => {
  const { ta, catchUps } = await behind(t, true);
  const r = await call(ta, 'POST', '/columns', COLUMN);
  t.equal(r.statusCode, 201, r.body);
  t.equal(catchUps(), 1, 'caught up once');
  t.equal(ta.store.get('columns', 'col-2')?.bankId, 'bank', 'the column stored');
  t.equal(ta.store.list('columns').filter((c) => c.id === 'col-2').length, 1, 'once');
});

t.test('a bank that exists nowhere: 404 naming it, after one catch-up', async (t) => {
  const { ta, catchUps } = await behind(t, true);
  const r = await call(ta, 'POST', '/columns', { ...COLUMN, bankId: 'nowhere' });
  t.equal(r.statusCode, 404);
  t.match(r.json() as ErrorReply, { error: { code: 'NOT_FOUND', field: 'body.bankId' } });
  t.equal(catchUps(), 1, 'one catch-up, no more');
  t.notOk(ta.store.get('columns', 'col-2'), 'nothing stored');
});

t.test('a lone instance answers 404 at once: its memory is the store', async (t) => {
  const { ta, catchUps } = await behind(t, false);
  const r = await call(ta, 'POST', '/columns', COLUMN);
  t.equal(r.statusCode, 404);
  t.equal(catchUps(), 0);
});
