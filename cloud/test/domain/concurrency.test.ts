import t, { type Test } from 'tap';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_LOCKER_MESSAGE, type ReserveResult } from '../../src/domain/service.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import { admin, contact, operator, setup } from './helpers.ts';
import { CodeVault } from '../../src/domain/code-vault.ts';

async function durable(t: Tap): Promise<DurableStore> {
  const dir = await mkdtemp(join(tmpdir(), 'portier-conc-'));
  const store = await DurableStore.open(dir);
  t.teardown(async () => {
    await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}
type Tap = Test;

for (const [name, make] of [
  ['memory store', async () => new MemoryStore()],
  ['durable store', durable],
] as [string, (t: Tap) => Promise<Store>][]) {
  t.test(`32 concurrent reservations for 20 free lockers (${name}): no double booking`, async (t) => {
    const store = await make(t);
    // 24 lockers, 4 already taken: 20 free for 32 requests, each from a different person (no add-to-existing).
    const s = await setup({ store, lockers: Array.from({ length: 24 }, (_, i) => ({ size: (['S', 'M', 'L'] as const)[i % 3] })) });
    for (let i = 0; i < 36; i++) await contact(s, `p${i}`);
    for (let i = 0; i < 4; i++) await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: `p${32 + i}` }, size: 'S' }, operator);

    const results = await Promise.allSettled(
      Array.from({ length: 32 }, (_, i) =>
        s.reserve({ bankId: 'b1', kind: i % 4 === 0 ? 'storage' : 'package', recipient: { type: 'contact', id: `p${i}` }, size: 'S', ...(i % 4 === 0 ? { storage: { mode: 'open' as const } } : {}) }, operator),
      ),
    );
    const ok = results.filter((r): r is PromiseFulfilledResult<ReserveResult> => r.status === 'fulfilled').map((r) => r.value.reservation);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error & { code?: string });
    t.equal(ok.length, 20, 'every free locker was given');
    t.equal(failed.length, 12);
    t.ok(failed.every((e) => e.code === 'NO_LOCKER_AVAILABLE' && e.message === NO_LOCKER_MESSAGE), 'every other request got the exact error');
    const numbers = ok.map((r) => r.lockerNumber);
    t.equal(new Set(numbers).size, numbers.length, 'no locker twice among the answers');
    const live = await s.listReservations({ bankId: 'b1' });
    t.equal(live.length, 24);
    t.equal(new Set(live.map((r) => r.lockerNumber)).size, 24, 'no locker holds two live reservations in the store');
    t.equal((await s.listLockers('b1')).filter((l) => l.status === 'available').length, 0);
  });
}

t.test('pickup and carrier codes are never stored in plain text', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portier-codes-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let store = await DurableStore.open(dir);
  const vault = CodeVault.ephemeral();
  const s = await setup({ store, lockers: [{}, {}, {}], service: { vault } });
  for (const p of ['p0', 'p1', 'p2']) await contact(s, p);
  await s.createCarrier({ enterpriseId: 'ent', id: 'ups', name: 'UPS' }, admin);
  const cc = await s.issueCarrierCode('ups', { digits: 10 }, admin);
  t.match(cc.code, /^\d{10}$/);
  t.notOk(JSON.stringify(cc.carrierCode).includes(cc.code), 'the stored record has only the hash');
  t.equal((await s.verifyCarrierCode('b1', cc.code))?.carrierId, 'ups', 'the code verifies');
  t.equal(await s.verifyCarrierCode('b1', cc.code.replace(/.$/, (d) => String((Number(d) + 1) % 10))), undefined, 'a near miss does not');
  await t.rejects(s.issueCarrierCode('ups', { digits: 5 }, admin), { code: 'VALIDATION', field: 'digits' }, 'at least six digits');
  const other = await s.issueCarrierCode('ups', { digits: 6, bankIds: ['b1'] }, admin);
  t.equal((await s.listCarrierCodes('ups')).length, 2);
  await s.revokeCarrierCode(other.carrierCode.id, admin);
  t.equal(await s.verifyCarrierCode('b1', other.code), undefined, 'a revoked code opens nothing');

  const codes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: `p${i}` }, size: 'S', trackingId: `T${i}` }, operator);
    const d = await s.dropOff({ reservationId: r.reservation.id }, { role: 'carrier', id: 'ups' });
    codes.push(d.pickupCode!);
    t.ok(d.reservation.pickupCode && 'sealed' in d.reservation.pickupCode.code, 'kept sealed');
  }
  t.equal(new Set(codes).size, codes.length, 'distinct codes');
  await store.close();
  // Every file of the store, history segments included.
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const name = join(e.parentPath, e.name);
    const text = await readFile(name, 'utf8');
    for (const c of [...codes, cc.code]) t.notOk(text.includes(`"${c}"`) || text.includes(`:${c},`), `${name} does not hold ${c}`);
  }
  store = await DurableStore.open(dir);
  t.teardown(() => store.close());
  const again = new (s.constructor as typeof import('../../src/domain/service.ts').LockerService)({ store, codeHashN: 1024, vault });
  t.equal((await again.pickUp({ bankId: 'b1', code: codes[1]! }, { role: 'recipient' })).reservations[0]?.packages[0]?.trackingId, 'T1', 'the lookup hash under the same secrets key verifies after a restart');
});
