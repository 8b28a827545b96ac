import t from 'tap';
import fc from 'fast-check';
import { isAccessible, reachLimits } from '../../src/domain/accessibility.ts';
import { bankSlots, chooseLocker, fits, lockerDimensions } from '../../src/domain/allocation.ts';
import type { Locker } from '../../src/domain/model.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { StoreError, type Change } from '../../src/store/store.ts';
import { contact, operator, setup } from './helpers.ts';

const SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;
const lockerArb = fc.record({
  size: fc.noBias(fc.constantFrom(...SIZES)),
  // Unbiased: fast-check's default bias toward small values would leave almost no accessible lockers.
  bottomCm: fc.noBias(fc.integer({ min: 0, max: 150 })),
  // How much taller the door is than its compartment: a door is never shorter than what its size holds.
  spareCm: fc.noBias(fc.integer({ min: 0, max: 20 })),
  service: fc.noBias(fc.constantFrom('in-service' as const, 'in-service' as const, 'in-service' as const, 'out-of-service' as const)),
  dedicated: fc.noBias(fc.constantFrom(undefined, undefined, undefined, undefined, 'me', 'other')),
  held: fc.noBias(fc.constantFrom(false, false, true)),
});

t.test('whatever the bank, a chosen locker is free, in service, fits, is accessible when needed and not someone else\'s', async (t) => {
  const reach = reachLimits({ preset: 'default' });
  fc.assert(
    fc.property(
      fc.array(lockerArb, { minLength: 4, maxLength: 30, size: 'large' }),
      fc.constantFrom('XS' as const, 'XS' as const, 'S' as const, 'M' as const, 'L' as const, 'XL' as const),
      fc.noBias(fc.boolean()),
      fc.noBias(fc.constantFrom('package' as const, 'storage' as const)),
      fc.record({ S: fc.integer({ min: 0, max: 3 }) }),
      (specs, size, needsAccessible, kind, quota) => {
        const lockers: Locker[] = specs.map((l, i) => ({
          bankId: 'b1',
          number: i + 1,
          columnId: 'c',
          door: i + 1,
          size: l.size,
          bottomCm: l.bottomCm,
          topCm: l.bottomCm + lockerDimensions(l).heightCm + l.spareCm,
          loading: 'front',
          service: l.service,
          createdAt: 0,
          ...(l.dedicated ? { dedicatedTo: { type: 'contact' as const, id: l.dedicated } } : {}),
        }));
        const held = new Set(specs.flatMap((l, i) => (l.held ? [i + 1] : [])));
        const parcel = lockerDimensions({ size });
        const got = chooseLocker({ kind, parcel, needsAccessible, owners: [{ type: 'contact', id: 'me' }] }, { slots: bankSlots(lockers, reach), isHeld: (n) => held.has(n), quota });
        // The allocation rules, written out plainly as an oracle.
        const isFree = (l: Locker) => l.service === 'in-service' && !held.has(l.number);
        const candidates = lockers.filter((l) => isFree(l) && fits(parcel, lockerDimensions(l)) && (!needsAccessible || isAccessible(l, reach)));
        const vol = (l: Locker) => { const d = lockerDimensions(l); return d.widthCm * d.heightCm * d.depthCm; };
        const smallest = (ls: Locker[]) => [...ls].sort((x, y) => vol(x) - vol(y) || x.number - y.number)[0];
        const mine = candidates.filter((l) => l.dedicatedTo?.id === 'me');
        let expected: Locker | undefined;
        if (mine.length > 0) expected = smallest(mine);
        else {
          let pool = candidates.filter((l) => !l.dedicatedTo);
          if (kind === 'storage') {
            const freeOf = (size: string) => lockers.filter((l) => isFree(l) && !l.dedicatedTo && l.size === size).length;
            pool = pool.filter((l) => freeOf(l.size) > ((quota as Record<string, number>)[l.size] ?? 0));
          }
          const others = pool.filter((l) => !isAccessible(l, reach));
          expected = !needsAccessible && others.length > 0 ? smallest(others) : smallest(pool);
        }
        return got?.number === expected?.number;
      },
    ),
    { numRuns: 500 },
  );
  t.pass('500 random banks');
});

t.test('a store that cannot write turns into STORE_FAILED, not a false success', async (t) => {
  class FailingStore extends MemoryStore {
    failNext = false;
    protected override persist(_c: Change): Promise<void> {
      if (!this.failNext) return Promise.resolve();
      this.failure = new Error('disk full');
      return Promise.reject(new StoreError('WRITE_FAILED', 'disk full'));
    }
  }
  const store = new FailingStore();
  const s = await setup({ store, lockers: [{}, {}] });
  await contact(s, 'ann');
  store.failNext = true;
  await t.rejects(s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S' }, operator), { code: 'STORE_FAILED' });
  await t.rejects(s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'bob' }, size: 'S' }, operator), { code: 'NOT_FOUND' });
  await t.rejects(s.createCarrier({ enterpriseId: 'ent', name: 'UPS' }, operator), { code: 'STORE_FAILED' }, 'and every later write is refused');
});
