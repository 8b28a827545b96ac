/**
 * The Store contract (aedes-persistence style): one suite, run against every implementation.
 * `makeStore` gives a fresh empty store; `reopen`, when the store is durable, closes it and opens it again
 * on the same data, so the suite can check that everything acknowledged is still there.
 */
import type { Test } from 'tap';
import type { ActivityEntry, Bank, Reservation, StaffCredential } from '../domain/model.ts';
import { StoreError, type Store } from './store.ts';

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
    rules: {
      contactless: false,
      batchDropOff: true,
      noBarcodePackages: true,
      multiplePackagesPerCode: true,
      departmentPickup: true,
      pickupPinExpiryH: 72,
      addToExistingLocker: true,
      openAllAtOnce: false,
      maxStorageH: 12,
    },
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
    const check = (st: Store): void => {
      tt.equal(st.get('reservations', 'r1'), undefined, 'ended reservation left the live state');
      tt.same(st.historySize(), { ended: 3, activity: 4 });
      tt.same(st.pastReservations({ limit: 10 }).map((r) => r.id), ['r3', 'r2', 'r1'], 'newest first');
      tt.same(st.pastReservations({ limit: 10, bankId: 'b1' }).map((r) => r.id), ['r3', 'r1']);
      tt.same(st.pastReservations({ limit: 10, recipientId: 'c2' }).map((r) => r.id), ['r3', 'r2']);
      tt.same(st.pastReservations({ limit: 1 }).map((r) => r.id), ['r3'], 'limit');
      tt.equal(st.pastReservation('r1')?.endReason, 'picked-up', 'found by id');
      tt.equal(st.pastReservation('nope'), undefined);
      tt.same(st.queryActivity({ limit: 100 }).map((a) => a.id), ['a1', 'a2', 'a3', 'a4'], 'oldest first');
      tt.same(st.queryActivity({ type: 'pickup', limit: 100 }).map((a) => a.id), ['a2'], 'by type');
      tt.same(st.queryActivity({ from: 20, to: 40, limit: 100 }).map((a) => a.id), ['a2', 'a3'], 'from inclusive, to exclusive');
      tt.same(st.queryActivity({ bankId: 'b2', limit: 100 }).map((a) => a.id), ['a3'], 'by bank');
      tt.same(st.queryActivity({ limit: 2 }).map((a) => a.id), ['a1', 'a2'], 'limit');
    };
    check(s);
    check(await f.reopened());
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
    tt.same(r.queryActivity({ limit: 1000 }).map((a) => a.id), Array.from({ length: n }, (_, i) => `a${i}`));
  });

  t.test('a closed store refuses writes with a coded error', async (tt) => {
    const f = await fixture(tt);
    await f.store.close();
    await tt.rejects(f.store.commit({ put: [{ c: 'banks', key: 'b1', value: sampleBank('b1') }] }), { code: 'CLOSED' });
    tt.ok(new StoreError('CLOSED', 'x') instanceof Error);
  });

  return Promise.resolve();
}
