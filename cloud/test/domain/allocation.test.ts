import t from 'tap';
import { NO_LOCKER_MESSAGE } from '../../src/domain/service.ts';
import { admin, contact, HIGH, LOW, operator, setup } from './helpers.ts';

const pkg = (recipient: string, size: 'XS' | 'S' | 'M' | 'L' | 'XL' = 'S', trackingId?: string) => ({
  bankId: 'b1',
  kind: 'package' as const,
  recipient: { type: 'contact' as const, id: recipient },
  size,
  ...(trackingId ? { trackingId } : {}),
});

t.test('the smallest free locker that fits', async (t) => {
  const s = await setup({ bank: { rules: { addToExistingLocker: false } }, lockers: [{ size: 'L' }, { size: 'XS' }, { size: 'M' }, { size: 'S' }] });
  await contact(s, 'ann');
  t.equal((await s.reserve(pkg('ann', 'M'), operator)).reservation.lockerNumber, 3, 'M goes to the M locker, not the L');
  t.equal((await s.reserve(pkg('ann', 'M'), operator)).reservation.lockerNumber, 1, 'next M goes to the L');
  await t.rejects(s.reserve(pkg('ann', 'M'), operator), { code: 'NO_LOCKER_AVAILABLE', message: NO_LOCKER_MESSAGE }, 'no M or bigger left');
  t.equal((await s.reserve(pkg('ann', 'XS'), operator)).reservation.lockerNumber, 2, 'XS fits the XS locker');
  const byDims = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, dimensions: { widthCm: 45, heightCm: 12, depthCm: 30 } }, operator);
  t.equal(byDims.reservation.lockerNumber, 4, 'a 45x12x30 box fits an S locker turned on its side');
});

t.test('a custom locker fits by its dimensions', async (t) => {
  const s = await setup({ lockers: [{ size: 'XL' }, { size: 'custom', dimensions: { widthCm: 100, heightCm: 20, depthCm: 40 } }] });
  await contact(s, 'ann');
  const r = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, dimensions: { widthCm: 90, heightCm: 10, depthCm: 10 } }, operator);
  t.equal(r.reservation.lockerNumber, 2, 'a long thin parcel goes to the long custom locker');
});

t.test('a dedicated locker (person or department) first; never someone else\'s', async (t) => {
  const s = await setup({ bank: { rules: { addToExistingLocker: false } } });
  await s.createDepartment({ enterpriseId: 'ent', id: 'legal', name: 'Legal' }, admin);
  await contact(s, 'ann', { departmentId: 'legal' });
  await contact(s, 'bob');
  const { addLockers } = await import('./helpers.ts');
  await addLockers(s, [{ size: 'S' }, { size: 'M' }, { size: 'S', dedicatedTo: { type: 'department', id: 'legal' } }, { size: 'XS', dedicatedTo: { type: 'contact', id: 'bob' } }]);
  t.equal((await s.reserve(pkg('ann', 'S'), operator)).reservation.lockerNumber, 3, 'Ann (Legal) gets the Legal locker before the free general S');
  t.equal((await s.reserve(pkg('bob', 'XS'), operator)).reservation.lockerNumber, 4, 'Bob gets his own locker');
  t.equal((await s.reserve(pkg('bob', 'S'), operator)).reservation.lockerNumber, 1, 'then general lockers');
  t.equal((await s.reserve(pkg('bob', 'S'), operator)).reservation.lockerNumber, 2);
  await contact(s, 'cy');
  await t.rejects(s.reserve(pkg('cy', 'XS'), operator), { message: NO_LOCKER_MESSAGE }, 'nobody else gets a dedicated locker');
  await addLockers(s, [{ size: 'M', dedicatedTo: { type: 'department', id: 'legal' } }], 5);
  const dep = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'department', id: 'legal' }, size: 'XS' }, operator);
  t.equal(dep.reservation.lockerNumber, 5, 'a reservation for the department itself uses its dedicated locker');
});

t.test('recipients needing accessible lockers only get accessible ones, else the exact error', async (t) => {
  const s = await setup({ bank: { rules: { addToExistingLocker: false } }, lockers: [{ size: 'S', ...HIGH }, { size: 'S', bottomCm: 10, topCm: 34 }, { size: 'L', ...LOW }] });
  await contact(s, 'wheel', { needsAccessible: true });
  await contact(s, 'wheel2', { needsAccessible: true });
  const r = await s.reserve(pkg('wheel', 'S'), operator);
  t.equal(r.reservation.lockerNumber, 3, 'the bigger accessible locker rather than a small one out of reach');
  const err = await s.reserve(pkg('wheel2', 'S'), operator).catch((e: unknown) => e);
  t.match(err, { code: 'NO_LOCKER_AVAILABLE', message: 'No lockers are currently available in selected locker bank' });
  const lockers = await s.listLockers('b1');
  t.same(lockers.map((l) => l.status), ['available', 'available', 'reserved'], 'two lockers are free, but out of reach');
});

t.test('the reach range comes from the location: ADA 2010 is stricter than the default', async (t) => {
  const edge = { bottomCm: 36, topCm: 122 };
  const d = await setup({ lockers: [{ size: 'S', ...edge }] });
  t.equal((await d.listLockers('b1'))[0]?.accessible, true, '36..122 cm is inside 35..123 cm');
  const ada = await setup({ reach: { preset: 'ada-2010' }, lockers: [{ size: 'S', ...edge }] });
  t.equal((await ada.listLockers('b1'))[0]?.accessible, false, 'but not inside 38.1..121.9 cm');
  await contact(ada, 'wheel', { needsAccessible: true });
  await t.rejects(ada.reserve(pkg('wheel'), operator), { message: NO_LOCKER_MESSAGE });
  const custom = await setup({ reach: { preset: 'custom', minCm: 30, maxCm: 140 }, lockers: [{ size: 'S', bottomCm: 31, topCm: 139 }] });
  t.equal((await custom.listLockers('b1'))[0]?.accessible, true);
});

t.test('accessible lockers are kept for those who need them while others are free', async (t) => {
  const s = await setup({ bank: { rules: { addToExistingLocker: false } }, lockers: [{ size: 'S', ...LOW }, { size: 'M', ...HIGH }, { size: 'S', ...HIGH }] });
  await contact(s, 'ann');
  await contact(s, 'wheel', { needsAccessible: true });
  t.equal((await s.reserve(pkg('ann', 'S'), operator)).reservation.lockerNumber, 3, 'high S before the accessible S');
  t.equal((await s.reserve(pkg('ann', 'S'), operator)).reservation.lockerNumber, 2, 'even a bigger high locker before the accessible S');
  t.equal((await s.reserve(pkg('ann', 'S'), operator)).reservation.lockerNumber, 1, 'when nothing else is free, the accessible one');
  await t.rejects(s.reserve(pkg('wheel', 'S'), operator), { message: NO_LOCKER_MESSAGE });
});

t.test('day-use storage leaves the per-size delivery quota free', async (t) => {
  const s = await setup({ bank: { deliveryQuota: { S: 1 } }, lockers: [{ size: 'S' }, { size: 'S' }, { size: 'S' }] });
  for (const id of ['a', 'b', 'c', 'd']) await contact(s, id);
  const store = (id: string) => s.reserve({ bankId: 'b1', kind: 'storage', recipient: { type: 'contact', id }, size: 'S', storage: { mode: 'fixed', minutes: 60 } }, operator);
  await store('a');
  await store('b');
  await t.rejects(store('c'), { code: 'NO_LOCKER_AVAILABLE', message: NO_LOCKER_MESSAGE }, 'the last S is kept for deliveries');
  const delivery = await s.reserve(pkg('d', 'S'), operator);
  t.equal(delivery.reservation.lockerNumber, 3, 'a delivery still gets it');
  const check = await s.checkBankConfig('b1');
  t.notOk(check.warnings.some((w) => w.code === 'QUOTA_BLOCKS_STORAGE'), 'a quota below the count is fine');
});

t.test('add to the recipient\'s existing locker, unless the bank disables it', async (t) => {
  const on = await setup({ lockers: [{ size: 'M' }, { size: 'M' }] });
  await contact(on, 'ann');
  const first = await on.reserve(pkg('ann', 'S', 'T1'), operator);
  const second = await on.reserve(pkg('ann', 'S', 'T2'), operator);
  t.equal(second.addedToExisting, true);
  t.equal(second.reservation.id, first.reservation.id, 'same reservation');
  t.same(second.reservation.packages.map((p) => p.trackingId), ['T1', 'T2']);
  const big = await on.reserve(pkg('ann', 'XL', 'T3'), operator).catch((e: unknown) => e);
  t.match(big, { code: 'NO_LOCKER_AVAILABLE' }, 'a parcel that does not fit the existing locker needs its own');
  const view = (await on.listLockers('b1'))[0]!;
  t.same(view.contents?.trackingIds, ['T1', 'T2'], 'the contents summary lists both');

  const off = await setup({ bank: { rules: { addToExistingLocker: false } }, lockers: [{ size: 'M' }, { size: 'M' }] });
  await contact(off, 'ann');
  const a = await off.reserve(pkg('ann', 'S', 'T1'), operator);
  const b = await off.reserve(pkg('ann', 'S', 'T2'), operator);
  t.equal(b.addedToExisting, false);
  t.not(b.reservation.lockerNumber, a.reservation.lockerNumber, 'a second locker');
});

t.test('bad input is refused with the field named, and unknown ids with NOT_FOUND', async (t) => {
  const s = await setup({ lockers: [{}] });
  await contact(s, 'ann');
  // The site's and ann's creations are logged; what follows may log only what succeeds.
  const logged = (await s.queryActivity({})).length;
  await t.rejects(s.reserve({ ...pkg('ann'), colour: 'red' } as never, operator), { code: 'VALIDATION', field: 'colour' });
  await t.rejects(s.reserve({ ...pkg('ann'), size: 'XXL' } as never, operator), { code: 'VALIDATION', field: 'size' });
  await t.rejects(s.reserve({ ...pkg('ann'), bankId: 'nope' }, operator), { code: 'NOT_FOUND', field: 'bankId' });
  await t.rejects(s.reserve(pkg('ghost'), operator), { code: 'NOT_FOUND', field: 'recipient.id' });
  await t.rejects(s.reserve({ bankId: 'b1', kind: 'return', recipient: { type: 'contact', id: 'ann' }, size: 'S' }, operator), { code: 'VALIDATION', field: 'dropOffParty' });
  await t.rejects(s.reserve({ bankId: 'b1', kind: 'storage', recipient: { type: 'contact', id: 'ann' }, storage: { mode: 'fixed', minutes: 60 * 24 } }, operator), {
    code: 'VALIDATION',
    field: 'storage.minutes',
  }, 'longer than the bank maximum (12 h)');
  await t.rejects(s.createContact({ enterpriseId: 'ent', id: 'bob', name: 'Bob', personnelId: 'P1' }, admin).then(() => s.createContact({ enterpriseId: 'ent', name: 'Bo', personnelId: 'P1' }, admin)), {
    code: 'CONFLICT',
    field: 'personnelId',
  });
  const locker = { bankId: 'b1', number: 7, columnId: 'col1', door: 1, size: 'S' as const, bottomCm: 50, topCm: 90, loading: 'front' as const };
  await t.rejects(s.createLocker(locker, admin), { code: 'CONFLICT', field: 'door' }, 'door 1 of col1 is locker 1 already');
  await t.rejects(s.createLocker({ ...locker, number: 1, door: 9 }, admin), { code: 'CONFLICT', field: 'number' });
  await t.rejects(s.createLockers([{ ...locker, door: 9 }, { ...locker, number: 8, door: 9 }], admin), { code: 'CONFLICT', field: 'lockers.1.door' }, 'within one batch too');
  await t.rejects(s.createLocker({ ...locker, door: 9, topCm: 40 }, admin), { code: 'VALIDATION', field: 'topCm' });
  await t.rejects(s.createLocker({ ...locker, door: 9, loading: 'rear' }, admin), { code: 'VALIDATION', field: 'shelfBarcode' });
  t.equal((await s.listLockers('b1')).length, 1, 'no locker was added by the failures');
  t.equal((await s.listReservations({})).length, 0, 'nothing was reserved by the failures');
  t.same(
    (await s.queryActivity({})).slice(logged).map((a) => `${a.type} ${a.target?.kind}:${a.target?.id}`),
    ['admin-change contact:bob'],
    'nor logged (only the contact added)',
  );
});

t.test('the configuration check warns when fewer than 5 % (at least one) lockers are accessible', async (t) => {
  const specs = Array.from({ length: 40 }, (_, i) => (i < 1 ? LOW : HIGH));
  const s = await setup({ lockers: specs });
  const c = await s.checkBankConfig('b1');
  t.equal(c.lockers, 40);
  t.equal(c.accessible, 1);
  t.match(c.warnings, [{ code: 'FEW_ACCESSIBLE' }], '1 of 40 is under 5 %');
  const ok = await setup({ lockers: Array.from({ length: 40 }, (_, i) => (i < 2 ? LOW : HIGH)) });
  t.notOk((await ok.checkBankConfig('b1')).warnings.some((w) => w.code === 'FEW_ACCESSIBLE'), '2 of 40 is 5 %');
  const small = await setup({ lockers: [HIGH, HIGH, HIGH] });
  t.ok((await small.checkBankConfig('b1')).warnings.some((w) => w.code === 'FEW_ACCESSIBLE'), 'a small bank still needs one');
  t.same(c.reach, { minCm: 35, maxCm: 123 });
});
