import { desiredStateSchema, hashCredential } from '@portier/protocol';
import t from 'tap';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { DesiredPublisher } from '../../src/bridge/desired-publisher.ts';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import { kioskAliases, MAX_DESIRED_DOORS } from '../../src/bridge/bank-layout.ts';
import { lockerRows } from '../fixtures/site.ts';
import { admin, bankModel, CTL_KEY, FakeLink, FIXED_FORMS, FORM, operator, roster } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 9);

/** A package for c1 dropped into locker `number` (a locker of the plain column when 11 or 12). */
async function parcelIn(s: Awaited<ReturnType<typeof bankModel>>, number: number) {
  // Every other locker of the bank out of service for the allocation, so it has to pick `number`.
  const others = [1, 2, 3, 4, 11, 12].filter((n) => n !== number);
  for (const n of others) await s.setServiceState('b1', n, { state: 'out-of-service' }, admin);
  const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M', trackingId: `TRK-${number}` }, operator);
  for (const n of others) await s.setServiceState('b1', n, { state: 'in-service' }, admin);
  if (reservation.lockerNumber !== number) throw new Error(`allocated ${reservation.lockerNumber}, wanted ${number}`);
  const drop = await s.dropOff({ reservationId: reservation.id }, operator);
  return { reservation, code: drop.pickupCode! };
}

t.test('the kiosk column sees the plain column as alias doors after its own; the plain column sees only itself', async (t) => {
  const s = await bankModel();
  const kiosk = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  t.equal(desiredStateSchema.safeParse(kiosk).success, true, 'valid by the protocol schema');
  t.same(
    kiosk.doors.map((d) => [d.door, d.locker, d.column, d.fromTop, d.remote ?? null]),
    [
      [1, 1, 1, 1, null],
      [2, 2, 1, 2, null],
      [3, 3, 1, 3, null],
      [4, 4, 1, 4, null],
      [5, 11, 2, 1, { controllerId: 'ctl-2', door: 1 }],
      [6, 12, 2, 2, { controllerId: 'ctl-2', door: 2 }],
    ],
  );
  const plain = buildDesiredState(s.store, { bankId: 'b1', column: 2, now: NOW, form: FORM }).state;
  t.same(plain.doors.map((d) => d.door), [1, 2]);
  t.notOk(plain.doors.some((d) => d.remote), 'no remote door outside the kiosk');
  const b2 = buildDesiredState(s.store, { bankId: 'b2', column: 1, now: NOW, form: FORM }).state;
  t.same(b2.doors.map((d) => d.locker), [1], 'a kiosk bank of one column: nothing added');
});

t.test('aliases are deterministic: columns by position then door, whatever the order they were created in', async (t) => {
  const s = await bankModel();
  // A third column whose id sorts first: positions decide, not ids or creation order.
  await s.createColumn({ id: 'col0', bankId: 'b1', position: 3, kind: 'plain', controllerId: 'ctl-3' }, admin);
  await s.createLockers(
    [
      { bankId: 'b1', number: 22, columnId: 'col0', door: 2, size: 'S', bottomCm: 50, topCm: 80, loading: 'front' },
      { bankId: 'b1', number: 21, columnId: 'col0', door: 1, size: 'S', bottomCm: 90, topCm: 120, loading: 'front' },
    ],
    admin,
  );
  const a = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  const b = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW + 1000, form: FORM }).state;
  t.same(a, b, 'identical state twice');
  t.same(
    a.doors.filter((d) => d.remote).map((d) => [d.door, d.remote!.controllerId, d.remote!.door, d.locker]),
    [
      [5, 'ctl-2', 1, 11],
      [6, 'ctl-2', 2, 12],
      [7, 'ctl-3', 1, 21],
      [8, 'ctl-3', 2, 22],
    ],
  );
  const doors = a.doors.map((d) => d.door);
  t.equal(new Set(doors).size, doors.length, 'every door number unique in the document');
});

t.test("another column's pickup code reaches the kiosk with the alias door; its reservation too", async (t) => {
  const s = await bankModel();
  const { reservation, code } = await parcelIn(s, 12);
  const kiosk = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  const cred = kiosk.credentials.find((c) => c.reservationIds.includes(reservation.id));
  t.ok(cred, 'the code is in the kiosk state');
  t.same(cred!.doors, [6], 'alias of locker 12');
  t.equal(cred!.hash, hashCredential('pickup-code', code, kiosk.credentialHash, CTL_KEY), 'the hash of the clear code');
  t.match(kiosk.reservations, [{ id: reservation.id, door: 6, status: 'occupied', trackingIds: ['TRK-12'] }]);
  const plain = buildDesiredState(s.store, { bankId: 'b1', column: 2, now: NOW, form: FORM }).state;
  t.same(plain.credentials.find((c) => c.id === cred!.id)?.doors, [2], 'the plain column keeps it on its real door');
  t.equal(desiredStateSchema.safeParse(kiosk).success, true);
});

t.test('carrier codes are not doubled in the kiosk view', async (t) => {
  const s = await bankModel();
  await s.issueCarrierCode('car', { bankIds: ['b1'] }, admin);
  await parcelIn(s, 11);
  const kiosk = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  const ids = kiosk.credentials.map((c) => c.id);
  t.equal(kiosk.credentials.filter((c) => c.kind === 'carrier-code').length, 1, 'one carrier code');
  t.equal(new Set(ids).size, ids.length, 'credential ids unique');
});

t.test('a bank of more than 160 doors: the kiosk view stops at 160', async (t) => {
  const s = await bankModel();
  for (let c = 0; c < 5; c++) {
    await s.createColumn({ id: `big${c}`, bankId: 'b1', position: 10 + c, kind: 'plain', controllerId: `ctl-big${c}` }, admin);
    // Ten rows of four doors side by side, each door as tall as an S compartment.
    await s.createLockers(lockerRows({ bankId: 'b1', columnId: `big${c}`, first: 1000 + c * 100, count: 40, size: 'S', perRow: 4, bottomCm: 20, rowCm: 16 }), admin);
  }
  const kiosk = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  t.equal(kiosk.doors.length, MAX_DESIRED_DOORS);
  t.equal(kiosk.doors.at(-1)!.door, 160);
  t.equal(desiredStateSchema.safeParse(kiosk).success, true, 'still a valid document');
  const kioskCol = s.store.get('columns', 'col1')!;
  t.equal(kioskAliases(s.store, 'b1', kioskCol).length, 156);
});

t.test('the kiosk is republished when a reservation of the plain column changes', async (t) => {
  const s = await bankModel();
  const link = new FakeLink();
  const pub = new DesiredPublisher({ src: s.store, events: s, link, doors: new DomainDoorMap(s.store, roster()), forms: FIXED_FORMS, debounceMs: 5, refreshMs: 0 });
  t.teardown(() => pub.stop());
  await pub.start();
  link.sent.length = 0;
  const { reservation } = await parcelIn(s, 11);
  await pub.flush();
  const kiosk = link.of('ctl-1').at(-1);
  t.ok(kiosk, 'the kiosk got a new version');
  t.match(kiosk!.state.reservations, [{ id: reservation.id, door: 5 }]);
  t.ok(kiosk!.state.credentials.some((c) => c.reservationIds.includes(reservation.id) && c.doors[0] === 5), 'with the code on the alias');
  t.ok(link.of('ctl-2').length > 0, 'and the plain column too');
});

t.test('door map: lockerAt(kiosk, alias) is the remote locker; own doors and plain columns unchanged', async (t) => {
  const s = await bankModel();
  const map = new DomainDoorMap(s.store, roster());
  t.same(map.lockerAt('ctl-1', 2), { bankId: 'b1', lockerNumber: 2 });
  t.same(map.lockerAt('ctl-1', 5), { bankId: 'b1', lockerNumber: 11 });
  t.same(map.lockerAt('ctl-1', 6), { bankId: 'b1', lockerNumber: 12 });
  t.equal(map.lockerAt('ctl-1', 7), undefined);
  t.same(map.lockerAt('ctl-2', 1), { bankId: 'b1', lockerNumber: 11 });
  t.equal(map.lockerAt('ctl-2', 5), undefined, 'aliases only on the kiosk');
  t.same(map.lookup('b1', 12), { controllerId: 'ctl-2', door: 2 }, 'lookup still gives the real door');
});
