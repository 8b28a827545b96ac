/**
 * The Store contract (aedes-persistence style): one suite, run against every implementation.
 * `makeStore` gives a fresh empty store; `reopen`, when the store is durable, closes it and opens it again
 * on the same data, so the suite can check that everything acknowledged is still there.
 */
import { DEFAULT_BANK_RULES } from '@portier/protocol';
import type { Test } from 'tap';
import type { ActivityEntry, Bank, Reservation, StaffCredential } from '../domain/model.ts';
import { StoreError, type Page, type Store } from './store.ts';

export interface StoreFixture {
  store: Store;
  /** Closes `store` and opens a new one on the same data (durable stores only). */
  reopen?: () => Promise<Store>;
  cleanup?: () => Promise<void>;
}

const actor = { role: 'operator' as const, id: 'op1' };

export function sampleBank(id: string): Bank {
  return {
    id,
    locationId: 'loc1',
    name: `Bank ${id}`,
    rules: { ...DEFAULT_BANK_RULES },
    deliveryQuota: {},
    credentialHash: { alg: 'scrypt', salt: 'c2FsdHNhbHRzYWx0c2FsdA', N: 1024, r: 8, p: 1, keyLen: 32 },
    createdAt: 1,
  };
}

export function sampleReservation(id: string, at: number, bankId = 'b1', recipientId = 'c1'): Reservation {
  return {
    id,
    bankId,
    lockerNumber: 1,
    kind: 'package',
    status: 'reserved',
    recipient: { type: 'contact', id: recipientId },
    packages: [{ trackingId: `T-${id}`, addedAt: at }],
    createdAt: at,
    createdBy: actor,
  };
}

export function sampleActivity(id: string, at: number, type: ActivityEntry['type'] = 'reservation', bankId = 'b1'): ActivityEntry {
  return { id, at, type, actor, bankId, lockerNumber: 1, recipientId: 'c1', trackingId: `T-${id}`, reservationId: `r-${id}` };
}

export function sampleStaffCredential(id: string, at: number): StaffCredential {
  const code = { hash: 'aGFzaGhhc2hoYXNoaGFzaGhhc2g', params: sampleBank('b1').credentialHash };
  return { id, role: 'operator', subjectId: 'u-op', kind: 'staff-pin', bankIds: [], code, bankHashes: { b1: code }, createdAt: at };
}

export function storeContract(t: Test, makeStore: () => Promise<StoreFixture>): Promise<void> {
  async function fixture(tt: Test): Promise<StoreFixture & { current: () => Store; reopened: () => Promise<Store> }> {
    const f = await makeStore();
    let current = f.store;
    tt.teardown(async () => {
      await current.close().catch(() => {});
      await f.cleanup?.();
    });
    return {
      ...f,
      current: () => current,
      reopened: async () => {
        if (f.reopen) current = await f.reopen();
        return current;
      },
    };
  }

  t.test('put, get, list, count and delete', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    tt.equal(s.get('banks', 'b1'), undefined, 'empty store has nothing');
    await s.commit({ put: [{ c: 'banks', key: 'b1', value: sampleBank('b1') }, { c: 'banks', key: 'b2', value: sampleBank('b2') }] });
    tt.equal(s.get('banks', 'b1')?.name, 'Bank b1');
    tt.same(s.list('banks').map((b) => b.id), ['b1', 'b2'], 'insertion order');
    tt.equal(s.count('banks'), 2);
    tt.equal(s.count('lockers'), 0, 'collections are separate');
    await s.commit({ del: [{ c: 'banks', key: 'b1' }], put: [{ c: 'banks', key: 'b2', value: { ...sampleBank('b2'), name: 'renamed' } }] });
    tt.equal(s.get('banks', 'b1'), undefined, 'deleted');
    tt.equal(s.get('banks', 'b2')?.name, 'renamed', 'replaced');
    const r = await f.reopened();
    tt.same(r.list('banks').map((b) => [b.id, b.name]), [['b2', 'renamed']], 'the same after reopening');
  });

  t.test('revision: changes with every commit that puts or deletes in a collection, and only then', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    const banks0 = s.revision('banks');
    const lockers0 = s.revision('lockers');
    await s.commit({ put: [{ c: 'banks', key: 'b1', value: sampleBank('b1') }] });
    const banks1 = s.revision('banks');
    tt.not(banks1, banks0, 'a put changes it');
    tt.equal(s.revision('lockers'), lockers0, 'another collection keeps its revision');
    await s.commit({ activity: [] });
    tt.equal(s.revision('banks'), banks1, 'a commit without puts or deletes there keeps it');
    await s.commit({ del: [{ c: 'banks', key: 'b1' }] });
    tt.not(s.revision('banks'), banks1, 'a delete changes it');
    const r = await f.reopened();
    tt.equal(r.list('banks').length, 0);
    tt.type(r.revision('banks'), 'number', 'a reopened store has one too');
  });

  t.test('staff credentials: put, revoke, list, and the same after reopening', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    await s.commit({ put: [{ c: 'staffCredentials', key: 'sc1', value: sampleStaffCredential('sc1', 1) }, { c: 'staffCredentials', key: 'sc2', value: sampleStaffCredential('sc2', 2) }] });
    await s.commit({ put: [{ c: 'staffCredentials', key: 'sc1', value: { ...sampleStaffCredential('sc1', 1), revokedAt: 5 } }] });
    tt.equal(s.count('staffCredentials'), 2);
    tt.equal(s.count('carrierCodes'), 0, 'a collection of its own');
    const r = await f.reopened();
    tt.same(r.list('staffCredentials').map((c) => [c.id, c.revokedAt]), [['sc1', 5], ['sc2', undefined]], 'revocation kept, insertion order');
    tt.same(r.get('staffCredentials', 'sc2')?.bankHashes, sampleStaffCredential('sc2', 2).bankHashes, 'bank hashes kept');
  });

  t.test('ingest marks: put per controller, overwritten, and the same after reopening', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    await s.commit({ put: [{ c: 'ingestMarks', key: 'ctl-1', value: { controllerId: 'ctl-1', appliedUpTo: 1, at: 10 } }] });
    await s.commit({ put: [{ c: 'ingestMarks', key: 'ctl-2', value: { controllerId: 'ctl-2', appliedUpTo: 7, at: 11, applying: { seq: 8, at: 11 } } }] });
    await s.commit({ put: [{ c: 'ingestMarks', key: 'ctl-1', value: { controllerId: 'ctl-1', appliedUpTo: 2, at: 12 } }] });
    tt.equal(s.count('ingestMarks'), 2);
    tt.equal(s.count('users'), 0, 'a collection of its own');
    const r = await f.reopened();
    tt.same(r.list('ingestMarks'), [{ controllerId: 'ctl-1', appliedUpTo: 2, at: 12 }, { controllerId: 'ctl-2', appliedUpTo: 7, at: 11, applying: { seq: 8, at: 11 } }], 'latest mark per controller, insertion order');
  });

  t.test('branding and logo files: put, replace, delete, and the same after reopening', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    // A logo file is held as base64 in its record: every byte must come back as it went in.
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
    const asset = (sha256: string) => ({ sha256, type: 'image/png' as const, bytes: bytes.length, data: bytes.toString('base64'), createdAt: 1 });
    const a1 = 'a'.repeat(64);
    const a2 = 'b'.repeat(64);
    const colours = { primary: '#004080', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };
    await s.commit({
      put: [
        { c: 'brandAssets', key: a1, value: asset(a1) },
        { c: 'brandAssets', key: a2, value: asset(a2) },
        { c: 'brandings', key: 'ent', value: { enterpriseId: 'ent', colours, logo: { sha256: a1, type: 'image/png', bytes: bytes.length }, createdAt: 1 } },
        { c: 'brandings', key: 'ent/b1', value: { enterpriseId: 'ent', bankId: 'b1', logo: { sha256: a2, type: 'image/png', bytes: bytes.length }, createdAt: 2 } },
      ],
    });
    await s.commit({ del: [{ c: 'brandings', key: 'ent/b1' }, { c: 'brandAssets', key: a2 }] });
    tt.equal(s.count('enterprises'), 0, 'collections of their own');
    const r = await f.reopened();
    tt.same(r.list('brandings').map((b) => [b.enterpriseId, b.bankId, b.logo?.sha256]), [['ent', undefined, a1]], 'the override deleted, the enterprise kept');
    tt.same(r.get('brandings', 'ent')?.colours, colours);
    tt.same(r.list('brandAssets').map((a) => a.sha256), [a1], 'the file no longer named deleted');
    tt.ok(Buffer.from(r.get('brandAssets', a1)!.data, 'base64').equals(bytes), 'the bytes intact');
  });

  t.test('a commit is visible before it resolves (read your own write under a lock)', async (tt) => {
    const f = await fixture(tt);
    const p = f.store.commit({ put: [{ c: 'reservations', key: 'r1', value: sampleReservation('r1', 5) }] });
    tt.equal(f.store.get('reservations', 'r1')?.id, 'r1');
    await p;
  });

  t.test('ended reservations and activity: history queries', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    await s.commit({ put: [{ c: 'reservations', key: 'r1', value: sampleReservation('r1', 10) }], activity: [sampleActivity('a1', 10)] });
    await s.commit({
      del: [{ c: 'reservations', key: 'r1' }],
      ended: [{ ...sampleReservation('r1', 10), status: 'ended', endedAt: 20, endReason: 'picked-up' }],
      activity: [sampleActivity('a2', 20, 'pickup')],
    });
    await s.commit({
      ended: [sampleReservation('r2', 30, 'b2', 'c2'), sampleReservation('r3', 40, 'b1', 'c2')],
      activity: [sampleActivity('a3', 30, 'reservation', 'b2'), sampleActivity('a4', 40, 'expiry')],
    });
    const check = async (st: Store): Promise<void> => {
      const ids = async <T extends { id: string }>(p: Promise<Page<T>>): Promise<string[]> => (await p).items.map((x) => x.id);
      tt.equal(st.get('reservations', 'r1'), undefined, 'ended reservation left the live state');
      tt.same(await st.historySize(), { ended: 3, activity: 4 });
      tt.same(await ids(st.pastReservations({ limit: 10 })), ['r3', 'r2', 'r1'], 'newest first');
      tt.same(await ids(st.pastReservations({ limit: 10, bankId: 'b1' })), ['r3', 'r1']);
      tt.same(await ids(st.pastReservations({ limit: 10, recipientId: 'c2' })), ['r3', 'r2']);
      tt.same(await ids(st.pastReservations({ limit: 1 })), ['r3'], 'limit');
      tt.equal((await st.pastReservation('r1'))?.endReason, 'picked-up', 'found by id');
      tt.equal(await st.pastReservation('nope'), undefined);
      tt.same(await ids(st.queryActivity({ limit: 100 })), ['a1', 'a2', 'a3', 'a4'], 'oldest first');
      tt.same(await ids(st.queryActivity({ type: 'pickup', limit: 100 })), ['a2'], 'by type');
      tt.same(await ids(st.queryActivity({ from: 20, to: 40, limit: 100 })), ['a2', 'a3'], 'from inclusive, to exclusive');
      tt.same(await ids(st.queryActivity({ bankId: 'b2', limit: 100 })), ['a3'], 'by bank');
      tt.same(await ids(st.queryActivity({ limit: 2 })), ['a1', 'a2'], 'limit');
    };
    await check(s);
    await check(await f.reopened());
  });

  t.test('paged history: every entry once, in order, across pages, filters and reopening', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    const n = 230;
    for (let i = 0; i < n; i += 10) {
      const batch = Array.from({ length: 10 }, (_, j) => i + j);
      await s.commit({
        ended: batch.map((k) => ({ ...sampleReservation(`r${k}`, 1000 + k, k % 3 === 0 ? 'b2' : 'b1', `c${k % 4}`), status: 'ended' as const, endedAt: 2000 + k })),
        // A clock step back at 100: entries are answered by time, then in the order they were recorded.
        activity: batch.map((k) => sampleActivity(`a${k}`, k < 100 ? 1000 + k : 900 + k, k % 5 === 0 ? 'pickup' : 'reservation', k % 3 === 0 ? 'b2' : 'b1')),
      });
    }
    const expectedActivity = Array.from({ length: n }, (_, k) => k)
      .sort((x, y) => (x < 100 ? 1000 + x : 900 + x) - (y < 100 ? 1000 + y : 900 + y) || x - y)
      .map((k) => `a${k}`);
    const all = async <T extends { id: string }>(next: (cursor: string | undefined) => Promise<Page<T>>): Promise<{ ids: string[]; pages: number }> => {
      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const p = await next(cursor);
        ids.push(...p.items.map((x) => x.id));
        cursor = p.nextCursor;
        pages++;
      } while (cursor !== undefined && pages < 1000);
      return { ids, pages };
    };
    const check = async (st: Store): Promise<void> => {
      const act = await all((cursor) => st.queryActivity({ limit: 17, ...(cursor ? { cursor } : {}) }));
      tt.same(act.ids, expectedActivity, 'activity: every entry once, by time then recording order');
      tt.equal(act.pages, Math.ceil(n / 17), 'no empty last page');
      const b2Pickups = await all((cursor) => st.queryActivity({ limit: 4, bankId: 'b2', type: 'pickup', from: 1000, to: 1200, ...(cursor ? { cursor } : {}) }));
      tt.same(
        b2Pickups.ids,
        expectedActivity.filter((id) => {
          const k = Number(id.slice(1));
          const at = k < 100 ? 1000 + k : 900 + k;
          return k % 3 === 0 && k % 5 === 0 && at >= 1000 && at < 1200;
        }),
        'filters and a date range hold across pages',
      );
      const ended = await all((cursor) => st.pastReservations({ limit: 25, ...(cursor ? { cursor } : {}) }));
      tt.same(ended.ids, Array.from({ length: n }, (_, k) => `r${n - 1 - k}`), 'ended: newest first, every one once');
      const c1 = await all((cursor) => st.pastReservations({ limit: 7, recipientId: 'c1', bankId: 'b1', ...(cursor ? { cursor } : {}) }));
      tt.same(c1.ids, Array.from({ length: n }, (_, k) => n - 1 - k).filter((k) => k % 4 === 1 && k % 3 !== 0).map((k) => `r${k}`), 'by recipient and bank');
      tt.equal((await st.pastReservation('r7'))?.id, 'r7', 'an old one by id');
      tt.equal((await st.pastReservation('r229'))?.id, 'r229', 'the newest by id');
    };
    await check(s);
    await check(await f.reopened());
    await tt.rejects(f.current().queryActivity({ limit: 5, cursor: 'not-a-cursor' }), /cursor/, 'a made-up cursor is refused');
  });

  t.test('retention: history before the cutoff is no longer answered, also after reopening', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    for (let i = 0; i < 40; i++) {
      await s.commit({
        ended: [{ ...sampleReservation(`r${i}`, i * 10), status: 'ended', endedAt: i * 10 }],
        activity: [sampleActivity(`a${i}`, i * 10)],
      });
    }
    const before = await s.historySize();
    await s.dropHistoryBefore(200);
    const check = async (st: Store): Promise<void> => {
      const act = (await st.queryActivity({ limit: 1000 })).items.map((a) => a.id);
      tt.same(act, Array.from({ length: 20 }, (_, k) => `a${k + 20}`), 'activity from the cutoff on');
      tt.same((await st.pastReservations({ limit: 1000 })).items.map((r) => r.id), Array.from({ length: 20 }, (_, k) => `r${39 - k}`), 'ended from the cutoff on');
      tt.equal(await st.pastReservation('r3'), undefined, 'an old one is not found by id');
      tt.equal((await st.pastReservation('r30'))?.id, 'r30');
      const size = await st.historySize();
      tt.ok(size.activity <= before.activity && size.ended <= before.ended, 'nothing grew');
    };
    await check(s);
    const r = await f.reopened();
    await check(r);
    await r.dropHistoryBefore(100);
    tt.equal((await r.queryActivity({ limit: 1000 })).items.length, 20, 'a cutoff never moves back');
    await r.commit({ activity: [sampleActivity('late', 50)] });
    tt.equal((await r.queryActivity({ limit: 1000 })).items.some((a) => a.id === 'late'), false, 'an entry recorded with an older time is out of retention too');
  });

  t.test('erasure: a person is unlinked from history, the events are kept', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    for (let i = 0; i < 30; i++) {
      const who = i % 3 === 0 ? 'c-erase' : 'c-keep';
      await s.commit({
        ended: [{ ...sampleReservation(`r${i}`, i, 'b1', who), status: 'ended', endedAt: i, note: `for ${who}` }],
        activity: [{ ...sampleActivity(`a${i}`, i), recipientId: who }],
      });
    }
    const counted = await s.erasePerson({ subjectId: 'c-erase', replacementId: 'erased-1' });
    tt.same(counted, { ended: 10, activity: 10 }, 'what it changed');
    const check = async (st: Store): Promise<void> => {
      tt.same((await st.pastReservations({ limit: 100, recipientId: 'c-erase' })).items, [], 'no reservation links the person');
      tt.same((await st.queryActivity({ limit: 100, recipientId: 'c-erase' })).items, [], 'no activity links the person');
      const kept = (await st.pastReservations({ limit: 100, recipientId: 'erased-1' })).items;
      tt.equal(kept.length, 10, 'their reservations are kept under the replacement id');
      tt.ok(kept.every((r) => r.note === undefined), 'their notes are gone');
      tt.equal((await st.pastReservation('r3'))?.recipient.id, 'erased-1', 'by id too');
      tt.equal((await st.pastReservation('r4'))?.note, 'for c-keep', 'others untouched');
      tt.equal((await st.queryActivity({ limit: 100, recipientId: 'erased-1' })).items.length, 10, 'their activity is kept');
      tt.same(await st.historySize(), { ended: 30, activity: 30 }, 'no event dropped');
    };
    await check(s);
    await check(await f.reopened());
  });

  t.test('many concurrent commits all land, in order', async (tt) => {
    const f = await fixture(tt);
    const s = f.store;
    const n = 200;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        s.commit({ put: [{ c: 'reservations', key: `r${i}`, value: sampleReservation(`r${i}`, i) }], activity: [sampleActivity(`a${i}`, i)] }),
      ),
    );
    // The last write of a key wins, also across reopen.
    await Promise.all([
      s.commit({ put: [{ c: 'reservations', key: 'r0', value: { ...sampleReservation('r0', 0), status: 'occupied' } }] }),
      s.commit({ put: [{ c: 'reservations', key: 'r0', value: { ...sampleReservation('r0', 0), status: 'expired' } }] }),
    ]);
    const r = await f.reopened();
    tt.equal(r.count('reservations'), n);
    tt.equal(r.get('reservations', 'r0')?.status, 'expired');
    tt.same((await r.queryActivity({ limit: 1000 })).items.map((a) => a.id), Array.from({ length: n }, (_, i) => `a${i}`));
  });

  t.test('a closed store refuses writes with a coded error', async (tt) => {
    const f = await fixture(tt);
    await f.store.close();
    await tt.rejects(f.store.commit({ put: [{ c: 'banks', key: 'b1', value: sampleBank('b1') }] }), { code: 'CLOSED' });
    tt.ok(new StoreError('CLOSED', 'x') instanceof Error);
  });

  return Promise.resolve();
}
