// A door too short for its size is refused only for new lockers: a store folder written by the previous release,
// whose locker 3 is an L (48 cm inside) behind a 40 cm door (50..90 cm), still loads and its locker is still used.
import t from 'tap';
import { cp } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LockerService } from '../../src/domain/service.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { upgradeStoreAt } from '../../src/data-folder/store-upgrades.ts';
import { tempDir } from './helpers.ts';

const PREVIOUS = fileURLToPath(new URL('./fixtures/previous-release/', import.meta.url));
const admin = { role: 'admin' as const, id: 'admin1' };
const operator = { role: 'operator' as const, id: 'op1' };

t.test("the previous release's store with an L locker behind a 40 cm door loads; only a new such locker is refused", async (t) => {
  const dir = await tempDir(t);
  await cp(PREVIOUS, dir, { recursive: true });
  // As the data folder's migration does at start: the previous release's people join its enterprise.
  await upgradeStoreAt(dir);
  const store = await DurableStore.open(dir);
  const s = new LockerService({ store, codeHashN: 1024 });
  const three = (await s.listLockers('b1')).find((v) => v.locker.number === 3);
  t.match(three?.locker, { size: 'L', bottomCm: 50, topCm: 90 }, 'the stored locker is there as it was written');

  const r = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'L', trackingId: 'OLD-DOOR-1' }, operator);
  t.equal(r.reservation.lockerNumber, 3, 'and takes an L parcel as before');
  await s.setServiceState('b1', 3, { state: 'out-of-service', reason: 'door to be replaced' }, admin);

  const again = { bankId: 'b1', number: 4, columnId: 'col1', door: 4, size: 'L' as const, bottomCm: 50, topCm: 90, loading: 'front' as const };
  await t.rejects(s.createLocker(again, admin), { code: 'VALIDATION', field: 'topCm', message: /40 cm tall, shorter than a size L compartment \(48 cm high inside\)/ }, 'a new one is refused');
  await store.close();

  const reopened = await DurableStore.open(dir);
  t.teardown(() => reopened.close());
  t.match(reopened.get('lockers', 'b1/3'), { size: 'L', topCm: 90, service: 'out-of-service' }, 'the folder loads again after the writes');
  t.equal(reopened.count('lockers'), 3);
});
