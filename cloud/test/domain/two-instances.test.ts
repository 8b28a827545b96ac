// Two cloud instances (two domain services, each on its own PgStore) on one PostgreSQL: concurrent reservations for a
// bank's last free lockers and one pickup code used through both at once. Every locker is given at most once, every
// refused call gets the proper error, the database agrees with the answers, and no caller sees a conflict.
import t, { type Test } from 'tap';
import { CodeVault } from '../../src/domain/code-vault.ts';
import { LockerService, NO_LOCKER_MESSAGE, type ReserveResult } from '../../src/domain/service.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';
import { carrier, contact, operator, setup } from './helpers.ts';

const vault = CodeVault.ephemeral();

t.test('two instances on one PostgreSQL', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);

  async function twoInstances(t: Test, lockers: number): Promise<{ a: LockerService; b: LockerService; url: string }> {
    const url = await server.createDatabase();
    const sa = await PgStore.open({ url, instanceId: 'a' });
    const sb = await PgStore.open({ url, instanceId: 'b' });
    t.teardown(async () => {
      await sa.close();
      await sb.close();
    });
    const a = await setup({ store: sa, lockers: Array.from({ length: lockers }, () => ({ size: 'S' as const })), service: { vault } });
    const b = new LockerService({ store: sb, codeHashN: 1024, vault });
    await sb.sync();
    return { a, b, url };
  }

  t.test('40 concurrent reservations through both for 20 free lockers: each locker given once', async (t) => {
    const { a, b, url } = await twoInstances(t, 24);
    for (let i = 0; i < 44; i++) await contact(a, `p${i}`);
    for (let i = 0; i < 4; i++) await a.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: `p${40 + i}` }, size: 'S' }, operator);
    await b.store.sync();
    t.equal(b.store.count('reservations'), 4, 'the second instance sees the first one’s reservations');

    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: `p${i}` }, size: 'S' }, operator)),
    );
    const ok = results.filter((r): r is PromiseFulfilledResult<ReserveResult> => r.status === 'fulfilled').map((r) => r.value.reservation);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error & { code?: string });
    t.equal(ok.length, 20, 'every free locker was given');
    t.equal(failed.length, 20);
    t.same(
      failed.filter((e) => e.code !== 'NO_LOCKER_AVAILABLE' || e.message !== NO_LOCKER_MESSAGE).map((e) => `${e.code}: ${e.message}`),
      [],
      'every other call got the exact no-locker error (no conflict shown)',
    );
    const numbers = ok.map((r) => r.lockerNumber);
    t.equal(new Set(numbers).size, 20, 'no locker twice among the answers');

    // What a third instance loads from the database agrees with the answers.
    const fresh = await PgStore.open({ url, instanceId: 'c' });
    t.teardown(() => fresh.close());
    const live = fresh.list('reservations');
    t.equal(live.length, 24);
    t.equal(new Set(live.map((r) => (r.lockerNumber ?? 0))).size, 24, 'no locker holds two live reservations in the store');
    t.same(
      ok.map((r) => r.id).filter((id) => !fresh.get('reservations', id)),
      [],
      'every acknowledged reservation is stored',
    );
    await a.store.sync();
    await b.store.sync();
    t.same((await a.listReservations({ bankId: 'b1' })).map((r) => r.id).sort(), live.map((r) => r.id).sort(), 'the first instance agrees');
    t.same((await b.listReservations({ bankId: 'b1' })).map((r) => r.id).sort(), live.map((r) => r.id).sort(), 'the second instance agrees');
  });

  t.test('one pickup code used through both instances at once opens one door', async (t) => {
    const { a, b } = await twoInstances(t, 3);
    await contact(a, 'ann');
    const { reservation } = await a.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S' }, operator);
    const drop = await a.dropOff({ reservationId: reservation.id }, carrier);
    await b.store.sync();
    const results = await Promise.allSettled([
      a.pickUp({ bankId: 'b1', code: drop.pickupCode! }, { role: 'recipient' }),
      b.pickUp({ bankId: 'b1', code: drop.pickupCode! }, { role: 'recipient' }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as { code?: string }).code);
    t.equal(ok.length, 1, 'the code is accepted once');
    t.same(refused, ['INVALID_CODE'], 'the other use is refused as an invalid code');
    await a.store.sync();
    await b.store.sync();
    t.equal(a.store.get('reservations', reservation.id), undefined, 'the reservation ended, as the first instance sees it');
    t.equal(b.store.get('reservations', reservation.id), undefined, 'and as the second sees it');
    t.equal((await a.store.pastReservation(reservation.id))?.endReason, 'picked-up', 'it ended picked up, once');
  });

  t.test('a use case that begins while a refused one catches up reads the other instance’s change: no locker twice', async (t) => {
    // Instance A hears of B's change only when it catches up itself (as when the notification is still on its way).
    // A's first reservation is refused by B's; before A has caught up, a second reservation begins on A. It must not
    // take the locker B just gave.
    const { a, b, url } = await twoInstances(t, 3);
    for (const p of ['p1', 'p2', 'p3']) await contact(a, p);
    await b.store.sync();
    const feed = (a.store as unknown as { feed: { stop(): Promise<void> } }).feed;
    await feed.stop();
    const byB = await b.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'p1' }, size: 'S' }, operator);
    let second: Promise<ReserveResult> | undefined;
    const sync = a.store.sync.bind(a.store);
    a.store.sync = async () => {
      second ??= a.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'p3' }, size: 'S' }, operator);
      await second;
      return sync();
    };
    const first = await a.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'p2' }, size: 'S' }, operator);
    t.ok(second, 'A’s first reservation was refused once and retried');
    const numbers = [byB, first, await second!].map((r) => r.reservation.lockerNumber);
    t.equal(new Set(numbers).size, 3, `three lockers for three reservations (${numbers.join(', ')})`);
    const fresh = await PgStore.open({ url, instanceId: 'check' });
    t.teardown(() => fresh.close());
    const stored = fresh.list('reservations').map((r) => r.lockerNumber);
    t.equal(new Set(stored).size, 3, 'and the database holds each locker once');
  });
});
