// The demo's locker bank is one a person could build: every door lies on its column between the plinth and the top,
// doors of a column do not overlap, and each door's opening is at least as tall as its compartment inside.
import t from 'tap';
import { LockerService, MemoryStore, lockerDimensions } from '@portier/cloud';
import { DEMO_COLUMN, seedDemo } from '../demo/seed.ts';

t.test('make demo seeds a physically possible bank', async (t) => {
  const service = new LockerService({ store: new MemoryStore(), codeHashN: 1024 });
  const seeded = await seedDemo(service);
  const views = await service.listLockers(seeded.bankId);
  const lockers = views.map((v) => v.locker);
  t.equal(lockers.length, seeded.lockerCount);
  t.ok(lockers.some((l) => l.size === 'XL'), 'the bank offers every size, XL included');
  t.same(views.filter((v) => v.accessible).map((v) => v.locker.number), [4, 11], 'one accessible locker in each column (the M of the kiosk column first)');
  for (const l of lockers) {
    t.ok(l.bottomCm >= DEMO_COLUMN.plinthCm && l.topCm <= DEMO_COLUMN.topCm, `locker ${l.number} (${l.size}) ${l.bottomCm}..${l.topCm} cm lies on its column`);
    const inside = lockerDimensions(l).heightCm;
    t.ok(l.topCm - l.bottomCm >= inside, `locker ${l.number} (${l.size}): its ${l.topCm - l.bottomCm} cm door holds a ${inside} cm compartment`);
    const overlapping = lockers.filter((o) => o !== l && o.columnId === l.columnId && o.bottomCm < l.topCm && l.bottomCm < o.topCm);
    t.same(overlapping.map((o) => o.number), [], `locker ${l.number} overlaps no other door of its column`);
  }
});
