// The bank's policy as the kiosk applies it from the desired state: the day-use storage modes it offers and their
// limits, the delivery quota (offline too), the configured timers, the operator's reopen grace after a drop-off.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DEFAULT_KIOSK_TIMERS, desiredStateHash, type BankRules, type DeliveryQuota } from '@portier/protocol';
import { DesiredStore } from '../../src/store/desired-store.ts';
import { CODES, T0, createKiosk, desiredState, extendStorage, type Kiosk } from './helpers.ts';

const H = 3_600_000;

async function toDurations(k: Kiosk, size = 'size-S'): Promise<void> {
  await k.press('enter');
  await k.engine.select('storage');
  await k.engine.select(size);
}

const optionIds = (k: Kiosk): string[] => k.engine.screen.options.map((o) => o.id);

/** The kiosk runs on a state with this quota (and these rules); `online` false: the broker is away. */
async function withQuota(k: Kiosk, quota: DeliveryQuota, rules: Partial<BankRules> = {}, online = true): Promise<void> {
  k.state.online = online;
  k.state.set({ ...desiredState({ rules }), deliveryQuota: quota });
  await k.engine.settled();
}

t.test('only the storage modes the bank offers are offered', async (t) => {
  t.test('no policy: the three modes, as before', async (t) => {
    const k = createKiosk(t);
    await toDurations(k);
    t.same(optionIds(k), ['fixed', 'chosen', 'no-end', 'back']);
  });
  t.test('flexible only', async (t) => {
    const k = createKiosk(t, { rules: { storageModes: ['flexible'] } });
    await toDurations(k);
    t.same(optionIds(k), ['chosen', 'back']);
    await k.engine.select('no-end');
    t.equal(k.engine.screen.page, 'storage-duration', 'a mode not offered does nothing');
    t.same(k.doors.unlocked, []);
  });
  t.test('none', async (t) => {
    const k = createKiosk(t, { rules: { storageModes: [] } });
    await k.press('enter');
    await k.engine.select('storage');
    t.equal(k.engine.screen.page, 'menu');
    t.match(k.text(), /Day-use storage is not offered at this locker bank/);
  });
});

t.test('fixed durations of the bank: each offered, the storage ends then and is never extended', async (t) => {
  const k = createKiosk(t, { rules: { storageModes: ['fixed', 'no-end'], fixedStorageHours: [4, 2] } });
  await toDurations(k);
  t.same(optionIds(k), ['fixed-2', 'fixed-4', 'no-end', 'back']);
  t.match(k.text(), /For 2 hours\n.*For 4 hours/);
  await k.engine.select('fixed-2');
  await k.type('2468');
  await k.type('2468');
  t.match(k.sink.transactions('storage-start')[0], { doors: [10], endsAt: T0 + 2 * H });
  k.doors.close(10);
  await k.engine.select('done');
  await k.type('2468');
  t.equal(k.engine.screen.page, 'storage-active');
  t.notOk(optionIds(k).includes('extend'), 'a fixed storage is not extended');
  await k.tick(2 * H);
  t.match(k.sink.transactions('storage-end')[0], { doors: [10], actor: { role: 'system' } });
});

t.test('flexible storage: the hours and the extension stay within the bank maximum', async (t) => {
  const k = createKiosk(t, { rules: { flexibleStorageMaxH: 3 } });
  await toDurations(k);
  await k.engine.select('chosen');
  t.match(k.text(), /from 1 to 3/);
  await k.type('4');
  t.match(k.text(), /between 1 and 3 hours/);
  await k.type('2');
  await k.type('1357');
  await k.type('1357');
  t.match(k.sink.transactions('storage-start')[0], { endsAt: T0 + 2 * H });
  await extendStorage(k, '1357', '2');
  t.match(k.text(), /cannot last more than 3 hours/);
  await k.type('1');
  t.match(k.sink.transactions('storage-extend')[0], { endsAt: T0 + 3 * H });
});

t.test('the delivery quota: a size at or below it is not offered for storage, offline too', async (t) => {
  const k = createKiosk(t);
  // Free: S door 10, M door 11, L door 12 (one each).
  await withQuota(k, { S: 1 }, {}, false);
  await k.press('enter');
  await k.engine.select('storage');
  t.same(optionIds(k), ['size-M', 'size-L', 'back'], 'small lockers kept for deliveries');

  await withQuota(k, { S: 1, M: 1, L: 2 }, {}, false);
  await k.engine.back();
  await k.engine.select('storage');
  t.match(k.text(), /No lockers are currently available in selected locker bank/);
  t.same(k.doors.unlocked, []);
});

t.test('the quota reached while the person types the PIN: nothing is opened', async (t) => {
  const k = createKiosk(t);
  k.state.online = false;
  await toDurations(k, 'size-M');
  await k.engine.select('fixed');
  await k.type('2468');
  await withQuota(k, { M: 1 }, {}, false);
  await k.type('2468');
  t.match(k.text(), /No lockers are currently available in selected locker bank/);
  t.same(k.doors.unlocked, []);
  t.same(k.sink.transactions('storage-start'), []);
});

t.test('the configured timers: inactivity and the staff session', async (t) => {
  const k = createKiosk(t, { timers: { returnHomeOnInactivityS: 20, returnHomeAfterPickupS: 5, adminSessionTimeoutS: 45 } });
  await k.press('enter');
  t.equal(k.engine.screen.page, 'menu');
  await k.tick(19_999);
  t.equal(k.engine.screen.page, 'menu');
  await k.tick(1);
  t.equal(k.engine.screen.page, 'home', 'home after the bank inactivity time');

  await k.engine.badge(CODES.operatorBadge);
  t.equal(k.engine.screen.page, 'staff-menu');
  await k.tick(44_999);
  t.equal(k.engine.screen.page, 'staff-menu');
  await k.tick(1);
  t.equal(k.engine.screen.page, 'home', 'the staff session ends after the bank admin timeout');
});

t.test("the operator's reopen grace after a drop-off", async (t) => {
  t.test('no grace set: no reopen offer, as before', async (t) => {
    const k = createKiosk(t, { rules: { addToExistingLocker: false } });
    await k.engine.badge(CODES.operatorBadge);
    await k.engine.select('dropoff');
    await k.engine.scan('TRK-100');
    t.same(k.doors.unlocked, [4]);
    t.notOk(optionIds(k).includes('reopen'));
  });
  t.test('a grace of 30 s', async (t) => {
    const k = createKiosk(t, { rules: { addToExistingLocker: false }, timers: { dropOffReopenGraceS: 30 } });
    await k.engine.badge(CODES.operatorBadge);
    await k.engine.select('dropoff');
    await k.engine.scan('TRK-100');
    t.same(k.doors.unlocked, [4]);
    t.ok(optionIds(k).includes('reopen'), 'reopen offered');
    t.match(k.text(), /Open this locker again/);
    k.doors.close(4);
    await k.tick(10_000);
    await k.engine.select('reopen');
    t.same(k.doors.unlocked, [4, 4], 'the locker just filled opens again');
    t.match(k.sink.transactions('reopen')[0], { doors: [4], reservationIds: ['res-3'], trackingIds: ['TRK-100'], actor: { role: 'operator', id: 'op-1' } });
    k.doors.close(4);
    await k.tick(19_999);
    t.ok(optionIds(k).includes('reopen'), 'still within the grace');
    await k.tick(1);
    t.notOk(optionIds(k).includes('reopen'), 'the offer goes when the grace ends');
    await k.engine.select('reopen');
    t.same(k.doors.unlocked, [4, 4], 'not opened after the grace');
    t.same(k.sink.transactions('reopen').length, 1);
  });
});

t.test('a desired state stored by the previous release (no policy fields) loads and runs the kiosk on the defaults', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-kiosk-policy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(fileURLToPath(new URL('../store/fixtures/previous-release/controller-data/desired.json', import.meta.url)), join(dir, 'desired.json'));
  const store = await DesiredStore.open(dir);
  t.equal(store.reset, undefined, 'not set aside');
  const stored = store.desired!.state;
  t.equal(store.hash, desiredStateHash(stored), 'parsed as written: the hash it was stored with');
  await store.file.flush();

  const k = createKiosk(t);
  // Its one own free locker emptied (the parcel in it picked up), so storage has a locker to offer.
  k.state.set({ ...stored, reservations: [] });
  await k.engine.settled();
  t.same(k.engine.timers, DEFAULT_KIOSK_TIMERS);
  await k.press('enter');
  await k.engine.select('storage');
  const size = optionIds(k).find((id) => id.startsWith('size-'));
  t.ok(size, 'storage offered: no quota');
  await k.engine.select(size!);
  t.same(optionIds(k), ['fixed', 'chosen', 'no-end', 'back'], 'every mode, as before');
});
