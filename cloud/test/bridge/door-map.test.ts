import t from 'tap';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import { IdentityRegistry } from '../../src/mqtt/identities.ts';
import { admin, bankModel, roster, tempDir } from './helpers.ts';

const fastHash = { N: 1024, r: 8, p: 1, keyLen: 32 };

t.test('door map: a locker added after the first lookups is found at once, both ways', async (t) => {
  const s = await bankModel();
  const map = new DomainDoorMap(s.store, roster());
  t.same(map.lockerAt('ctl-2', 2), { bankId: 'b1', lockerNumber: 12 });
  t.equal(map.lockerAt('ctl-2', 3), undefined, 'no locker on door 3 of column 2 yet');
  t.equal(map.lookup('b1', 13), undefined);
  await s.createLockers([{ bankId: 'b1', number: 13, columnId: 'col2', door: 3, size: 'M', bottomCm: 10, topCm: 45, loading: 'front' }], admin);
  t.same(map.lockerAt('ctl-2', 3), { bankId: 'b1', lockerNumber: 13 }, 'the new locker is on the door');
  t.same(map.lookup('b1', 13), { controllerId: 'ctl-2', door: 3 });
  t.same(map.lockerAt('ctl-2', 2), { bankId: 'b1', lockerNumber: 12 }, 'the others are unchanged');
  t.same(map.lockerAt('ctl-x', 1), { bankId: 'b2', lockerNumber: 1 }, 'the same door number in another bank is that bank’s locker');
});

t.test('door map: a column added later is found; an unknown controller has no lockers', async (t) => {
  const s = await bankModel();
  const dir = await tempDir(t);
  const reg = await IdentityRegistry.open(dir, { hashParams: fastHash });
  await reg.createControllers([
    { controllerId: 'ctl-1', bankId: 'b1', column: 1 },
    { controllerId: 'ctl-3', bankId: 'b1', column: 3 },
  ]);
  const map = new DomainDoorMap(s.store, reg);
  t.equal(map.lockerAt('ctl-3', 1), undefined, 'no column 3 in the domain yet');
  t.equal(map.lockerAt('nobody', 1), undefined);
  await s.createColumn({ id: 'col3', bankId: 'b1', position: 3, kind: 'plain', controllerId: 'ctl-3' }, admin);
  await s.createLockers([{ bankId: 'b1', number: 21, columnId: 'col3', door: 1, size: 'S', bottomCm: 90, topCm: 120, loading: 'front' }], admin);
  t.same(map.lockerAt('ctl-3', 1), { bankId: 'b1', lockerNumber: 21 });
  t.same(map.lookup('b1', 21), { controllerId: 'ctl-3', door: 1 });
});

t.test('door map: remote open goes to the column’s active identity; after a revocation, to none of its own', async (t) => {
  const s = await bankModel();
  const dir = await tempDir(t);
  const reg = await IdentityRegistry.open(dir, { hashParams: fastHash });
  await reg.createControllers([
    { controllerId: 'board-a', bankId: 'b1', column: 2 },
    { controllerId: 'board-x', bankId: 'b2', column: 1 },
  ]);
  const map = new DomainDoorMap(s.store, reg);
  t.same(map.lookup('b1', 11), { controllerId: 'board-a', door: 1 }, 'the provisioned identity of column 2');
  t.same(map.controllersOf('b1').map((c) => c.controllerId), ['board-a']);
  await reg.revoke('board-a');
  t.same(map.lookup('b1', 11), { controllerId: 'ctl-2', door: 1 }, 'revoked: the column record’s board (not provisioned, so sending fails)');
  t.same(map.controllersOf('b1'), [], 'no active controller in b1');
  await reg.createControllers([{ controllerId: 'board-b', bankId: 'b1', column: 2 }]);
  t.same(map.lookup('b1', 11), { controllerId: 'board-b', door: 1 }, 'the replacement board');
  t.same(map.lockerAt('board-b', 2), { bankId: 'b1', lockerNumber: 12 });
  t.equal(map.lockerAt('board-a', 2)?.lockerNumber, 12, 'a revoked id still names its column (its broker session is refused elsewhere)');
});

t.test('door map: a kiosk alias is a remote locker for transactions, and no locker for a hardware report', async (t) => {
  const s = await bankModel();
  const map = new DomainDoorMap(s.store, roster());
  t.same(map.lockerAt('ctl-1', 5), { bankId: 'b1', lockerNumber: 11 }, 'door 5 of the kiosk view is locker 11');
  t.equal(map.lockerAt('ctl-1', 5, { physical: true }), undefined, 'the kiosk board’s own door 5 has no locker');
  t.same(map.lockerAt('ctl-1', 2, { physical: true }), { bankId: 'b1', lockerNumber: 2 }, 'its own doors are its lockers');
  t.same(map.lockerAt('ctl-2', 1, { physical: true }), { bankId: 'b1', lockerNumber: 11 });
});
