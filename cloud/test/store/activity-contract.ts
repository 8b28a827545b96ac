/**
 * The activity query's part of the Store contract, run against every implementation (contract.test.ts): several
 * types, the actor, recipient and bank, a date range and the caller's view combined, each answered page by page in
 * time order (then recording order), the same after reopening a durable store.
 */
import type { Test } from 'tap';
import type { StoreFixture } from '../../src/store/contract.ts';
import { sampleActivity } from '../../src/store/contract.ts';
import type { ActivityEntry, ActivityType } from '../../src/domain/model.ts';
import type { ActivityPageQuery, Store } from '../../src/store/store.ts';

const TYPES: ActivityType[] = ['reservation', 'drop-off', 'pickup', 'expiry', 'admin-change'];
const ACTORS = ['op1', 'op2', 'admin1'];
const N = 150;

/** Entry k: its type, actor, bank (none for an administrative change, which names an enterprise), recipient, time. */
function entry(k: number): ActivityEntry {
  // Two types per batch of six (see the test): a durable store's segments hold some types, not all.
  const type = TYPES[(Math.floor(k / 6) + (k % 2)) % TYPES.length]!;
  // Times go back a step at k = 60 and repeat in pairs: order is by time, then by recording.
  const at = 1000 + (k < 60 ? k : k - 20) - (k % 2);
  const base = sampleActivity(`a${k}`, at, type, k % 3 === 0 ? 'b2' : 'b1');
  const a: ActivityEntry = { ...base, actor: { role: k % 7 === 0 ? 'admin' : 'operator', id: ACTORS[k % ACTORS.length]! }, recipientId: `c${k % 4}` };
  if (type === 'admin-change') {
    delete a.bankId;
    delete a.lockerNumber;
    delete a.recipientId;
    if (k % 2 === 0) a.enterpriseId = k % 4 === 0 ? 'e1' : 'e2';
  }
  return a;
}

/** What a query answers, by the rules of ActivityPageQuery over every entry. */
function expected(all: ActivityEntry[], q: Omit<ActivityPageQuery, 'limit'>): string[] {
  return all
    .filter(
      (a) =>
        (q.type === undefined || a.type === q.type) &&
        (q.types === undefined || q.types.includes(a.type)) &&
        (q.actorId === undefined || a.actor.id === q.actorId) &&
        (q.bankId === undefined || a.bankId === q.bankId) &&
        (q.recipientId === undefined || a.recipientId === q.recipientId) &&
        (q.from === undefined || a.at >= q.from) &&
        (q.to === undefined || a.at < q.to) &&
        (q.within === undefined ||
          (a.bankId !== undefined ? q.within.bankIds.has(a.bankId) : q.within.unbanked && (a.enterpriseId === undefined || a.enterpriseId === q.within.enterpriseId))),
    )
    .map((a) => a.id);
}

export function activityContract(t: Test, makeStore: () => Promise<StoreFixture>): Promise<void> {
  t.test('activity: several types, actor, recipient, bank, date range and view combined, page by page', async (tt) => {
    const f = await makeStore();
    let store = f.store;
    tt.teardown(async () => {
      await store.close().catch(() => {});
      await f.cleanup?.();
    });
    // Recorded in batches of a few entries: a durable store spreads them over several segments.
    const entries = Array.from({ length: N }, (_, k) => entry(k));
    for (let i = 0; i < N; i += 6) await store.commit({ activity: entries.slice(i, i + 6) });
    const inOrder = entries.map((a, k) => ({ a, k })).sort((x, y) => x.a.at - y.a.at || x.k - y.k).map((x) => x.a);

    const queries: [string, Omit<ActivityPageQuery, 'limit'>][] = [
      ['two types', { types: ['pickup', 'expiry'] }],
      ['three types and a bank', { types: ['reservation', 'pickup', 'expiry'], bankId: 'b1' }],
      ['an actor', { actorId: 'op2' }],
      ['an actor and a recipient', { actorId: 'op1', recipientId: 'c2' }],
      ['types, actor, bank and a date range', { types: ['reservation', 'drop-off', 'pickup'], actorId: 'op1', bankId: 'b2', from: 1010, to: 1090 }],
      ['types and a date range', { types: ['drop-off', 'admin-change'], from: 1030, to: 1100 }],
      ['a type that is among the types', { type: 'pickup', types: ['pickup', 'expiry'] }],
      ['a type that is not among the types', { type: 'reservation', types: ['pickup', 'expiry'] }],
      ['an actor nobody is', { actorId: 'nobody' }],
      ['a type nobody did', { types: ['erasure', 'alert'] }],
      ['one bank seen, no unbanked entries', { within: { enterpriseId: 'e1', bankIds: new Set(['b1']), unbanked: false }, types: ['pickup', 'admin-change', 'reservation'] }],
      ['one bank seen with its enterprise\'s unbanked entries', { within: { enterpriseId: 'e1', bankIds: new Set(['b2']), unbanked: true }, actorId: 'op2' }],
      ['the view, a type and a date range', { within: { enterpriseId: 'e2', bankIds: new Set(['b1', 'b2']), unbanked: true }, types: ['admin-change'], from: 1000, to: 1060 }],
    ];
    const check = async (st: Store, when: string): Promise<void> => {
      for (const [name, q] of queries) {
        const want = expected(inOrder, q);
        const got: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await st.queryActivity({ ...q, limit: 4, ...(cursor !== undefined ? { cursor } : {}) });
          got.push(...page.items.map((a) => a.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined && pages < 100);
        tt.same(got, want, `${name} (${when}): every matching entry once, in order`);
        tt.equal(pages, Math.max(1, Math.ceil(want.length / 4)), `${name} (${when}): no empty last page`);
      }
    };
    // The queries must tell entries apart: each one's answer is some of the entries, not all or none (but the two
    // asking for what nobody did).
    const sizes = queries.map(([, q]) => expected(inOrder, q).length);
    tt.same(
      sizes.map((n) => n > 0 && n < N),
      queries.map(([name]) => !/nobody|not among/.test(name)),
      'each query picks some entries out',
    );
    await check(store, 'as recorded');
    if (f.reopen) {
      store = await f.reopen();
      await check(store, 'after reopening');
    }
  });
  return Promise.resolve();
}
