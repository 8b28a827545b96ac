// The demo's locker bank is one a person could build: every door lies on its column between the plinth and the top,
// doors of a column do not overlap, and each is at least as tall as the parcels of its size.
import t from 'tap';
import { LockerService, MemoryStore } from '@portier/cloud';
import { DEMO_COLUMN, seedDemo } from '../demo/seed.ts';

const MIN_HEIGHT_CM: Record<string, number> = { XS: 8, S: 15, M: 25, L: 30, XL: 40 };

t.test('make demo seeds a physically possible bank', async (t) => {
  const service = new LockerService({ store: new MemoryStore(), codeHashN: 1024 });
  const seeded = await seedDemo(service);
  const lockers = (await service.listLockers(seeded.bankId)).map((v) => v.locker);
  t.equal(lockers.length, seeded.lockerCount);
  t.ok(lockers.some((l) => l.size === 'XL'), 'the bank offers every size, XL included');
  for (const l of lockers) {
    t.ok(l.bottomCm >= DEMO_COLUMN.plinthCm && l.topCm <= DEMO_COLUMN.topCm, `locker ${l.number} (${l.size}) ${l.bottomCm}..${l.topCm} cm lies on its column`);
    t.ok(l.topCm - l.bottomCm >= MIN_HEIGHT_CM[l.size]!, `locker ${l.number} (${l.size}) is ${l.topCm - l.bottomCm} cm tall`);
    const overlapping = lockers.filter((o) => o !== l && o.columnId === l.columnId && o.bottomCm < l.topCm && l.bottomCm < o.topCm);
    t.same(overlapping.map((o) => o.number), [], `locker ${l.number} overlaps no other door of its column`);
  }
});
