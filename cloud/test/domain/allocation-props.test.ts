import t from 'tap';
import fc from 'fast-check';
import { isAccessible, reachLimits } from '../../src/domain/accessibility.ts';
import { chooseLocker, fits, lockerDimensions } from '../../src/domain/allocation.ts';
import type { Locker } from '../../src/domain/model.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { StoreError, type Change } from '../../src/store/store.ts';
import { contact, operator, setup } from './helpers.ts';

const SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;
const lockerArb = fc.record({
  size: fc.constantFrom(...SIZES),
  bottomCm: fc.integer({ min: 0, max: 150 }),
  height: fc.integer({ min: 10, max: 70 }),
  service: fc.constantFrom('in-service' as const, 'in-service' as const, 'out-of-service' as const),
  dedicated: fc.option(fc.constantFrom('me', 'other'), { nil: undefined }),
  held: fc.boolean(),
});

t.test('whatever the bank, a chosen locker is free, in service, fits, is accessible when needed and not someone else\'s', async (t) => {
  const reach = reachLimits({ preset: 'default' });
  fc.assert(
    fc.property(
      fc.array(lockerArb, { maxLength: 30 }),
      fc.constantFrom(...SIZES),
      fc.boolean(),
      fc.constantFrom('package' as const, 'storage' as const),
      fc.record({ S: fc.integer({ min: 0, max: 3 }) }),
      (specs, size, needsAccessible, kind, quota) => {
        const lockers: Locker[] = specs.map((l, i) => ({
          bankId: 'b1',
          number: i + 1,
          columnId: 'c',
          door: i + 1,
          size: l.size,
          bottomCm: l.bottomCm,
          topCm: l.bottomCm + l.height,
          loading: 'front',
          service: l.service,
          createdAt: 0,
          ...(l.dedicated ? { dedicatedTo: { type: 'contact' as const, id: l.dedicated } } : {}),
        }));
        const held = new Set(specs.flatMap((l, i) => (l.held ? [i + 1] : [])));
        const parcel = lockerDimensions({ size });
        const got = chooseLocker({ kind, parcel, needsAccessible, owners: [{ type: 'contact', id: 'me' }] }, { lockers, isHeld: (n) => held.has(n), reach, quota });
        const candidates = lockers.filter(
          (l) => l.service === 'in-service' && !held.has(l.number) && fits(parcel, lockerDimensions(l)) && (!needsAccessible || isAccessible(l, reach)) && l.dedicatedTo?.id !== 'other',
        );
        if (!got) return kind === 'storage' || candidates.length === 0;
        if (!candidates.includes(got)) return false;
        // A dedicated locker of mine wins over general ones.
        if (candidates.some((l) => l.dedicatedTo?.id === 'me') && got.dedicatedTo?.id !== 'me') return false;
        return true;
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
  await t.rejects(s.createCarrier({ name: 'UPS' }, operator), { code: 'STORE_FAILED' }, 'and every later write is refused');
});
