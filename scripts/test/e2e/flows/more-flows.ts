// End to end, the kiosk flows the other files do not cover, each on the whole system (cloud + embedded
// broker + real controllers + simulated bank) and each checking the doors that opened (simulator), the events the
// cloud stored (journal) and the locker statuses after (API):
// 1. operator drop-off into a rear-loading locker by scanning its shelf barcode;
// 2. carrier delivery signed in by scanning the carrier code's QR code (the menu's scan page, no typing);
// 3. recipient pickup of several packages with one code, all lockers at once (`openAllAtOnce`) or one at a time,
//    a department's parcel picked up with the department's code, and a member's own code collecting their parcel and
//    their department's together (`departmentPickup`);
// 4. batch drop-off by an operator: several parcels in one session (`batchDropOff`), and no "next" without the rule;
// 5. a second parcel for a recipient added to their existing locker (`addToExistingLocker`) or put in a new one.
import type { Test } from 'tap';
import { api, expectCondition } from '../helpers.ts';
import {
  doorOfLocker,
  doorsOpen,
  droppedParcel,
  kioskState,
  kioskWorld,
  lockerApi,
  lockerStatus,
  operatorKioskWorld,
  reserveParcel,
  signInWithPin,
  storedTransactions,
  txStored,
  type KioskWorld,
  carrierCodeOnKiosk,
} from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

/** Reserves a package through the API; waits until the kiosk controller holds the reservation. */
async function reserve(t: Test, w: KioskWorld, recipient: string, trackingId: string, size = 'S'): Promise<{ reservationId: string; locker: number; addedToExisting: boolean }> {
  const { reservationId, locker, reply } = await reserveParcel(t, w, { recipient: { type: 'contact', id: recipient }, size, trackingId }, `${trackingId} reserved through the API`);
  await expectCondition(() => kioskState(w)?.reservations.some((r) => r.id === reservationId && r.trackingIds.includes(trackingId)) ?? false, 5000, `${trackingId} reaches the kiosk controller`);
  return { reservationId, locker, addedToExisting: reply.addedToExisting === true };
}

const openDoorNumbers = (w: KioskWorld): number[] => doorsOpen(w.bank).map((d) => Number(d.split('/')[1]));

async function closeAll(w: KioskWorld): Promise<void> {
  w.bank.closeAllDoors();
  await expectCondition(() => doorsOpen(w.bank).length === 0, 3000, 'every door closed');
}

t.test('1. rear-loading shelf: the operator scans the shelf barcode, the rear locker opens for its reserved parcel', async (t) => {
  const SHELF = 'SHELF-C1-D6';
  const w = await operatorKioskWorld(t, {
    before: async ({ cloud, token, bankId, p }) => {
      // The demo bank has no rear-loading locker: a sixth door of the kiosk column, loaded from the back room.
      const r = await api(cloud, 'POST', '/lockers', token, { bankId, number: 13, columnId: `${bankId}-c1`, door: 6, size: 'XS', bottomCm: 170, topCm: 180, loading: 'rear', shelfBarcode: SHELF });
      if (r.status !== 201) throw new Error(`rear locker: ${r.status} ${JSON.stringify(r.json)}`);
      p.seeded.columns[0]!.doors = 6; // the simulated column gets the sixth door
    },
  });
  const kiosk = w.bank.kiosk!;
  t.match(kioskState(w)!.doors.find((d) => d.locker === 13), { door: 6, rearShelfBarcode: SHELF }, 'the shelf barcode reached the kiosk');
  const res = await reserve(t, w, 'alice', 'REAR-1', 'XS');
  t.equal(res.locker, 13, 'the XS parcel is held in the rear locker 13');

  await signInWithPin(w);
  await kiosk.select('rear-shelf');
  await kiosk.expectPage('rear-shelf');
  await kiosk.scan('SHELF-UNKNOWN');
  await expectCondition(() => kiosk.engine.screen.error?.key === 'error.shelfUnknown', 3000, 'an unknown shelf refused');
  t.same(doorsOpen(w.bank), [], 'an unknown shelf barcode opens nothing');
  await kiosk.scan(SHELF);
  await kiosk.expectPage('dropoff-open');
  await kiosk.column.expectDoor(6, true);
  t.same(doorsOpen(w.bank), ['1/6'], 'only the rear locker opened');
  const tx = await txStored(w, 'the rear drop-off', (x) => x.kind === 'drop-off');
  t.match(tx, { doors: [6], reservationIds: [res.reservationId], trackingIds: ['REAR-1'], actor: { role: 'operator', id: w.operatorId } });
  await lockerStatus(w, 13, 'occupied');
  t.match((await api(w.cloud, 'GET', `/reservations/${res.reservationId}`, w.token)).json.reservation, { status: 'occupied', lockerNumber: 13 });
  await closeAll(w);
  await kiosk.select('back');
  await kiosk.select('sign-out');
  await kiosk.expectPage('home');
  w.rec.expectSchemasMatched(t);
});

t.test('2. carrier delivery signed in by scanning the carrier code\'s QR code (no typing, contactless off)', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const { code: carrierCode } = await carrierCodeOnKiosk(t, w);
  const held = await reserve(t, w, 'alice', 'CARRIER-QR-1');

  await kiosk.expectPage('home');
  await kiosk.keypad('enter');
  await kiosk.expectPage('menu');
  await kiosk.select('scan');
  await kiosk.expectPage('scan');
  await kiosk.scan(carrierCode);
  await kiosk.expectPage('dropoff-tracking');
  t.equal(kiosk.engine.screen.role, 'carrier', 'the QR code signed the carrier in');
  // The carrier scans the parcel's label: its held locker opens.
  await kiosk.scan('CARRIER-QR-1');
  await kiosk.expectPage('dropoff-open');
  const door = doorOfLocker(w, held.locker);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], `the held locker ${held.locker} opened`);
  const tx = await txStored(w, 'the carrier delivery', (x) => x.kind === 'carrier-delivery');
  t.match(tx, { doors: [door], reservationIds: [held.reservationId], trackingIds: ['CARRIER-QR-1'], actor: { role: 'carrier', id: 'demo-carrier' } });
  await lockerStatus(w, held.locker, 'occupied');
  t.pass(`locker ${held.locker} is occupied in the API`);
  t.same((await w.cloud.journal.read(w.kioskId)).filter((e) => e.event.type === 'login-failure'), [], 'no failed sign-in');
  await closeAll(w);
  await kiosk.select('sign-out');
  await kiosk.expectPage('home');
  w.rec.expectSchemasMatched(t);
});

t.test('3a. several packages, openAllAtOnce: one code opens all the recipient\'s lockers at once', async (t) => {
  const w = await kioskWorld(t, { rules: { openAllAtOnce: true, addToExistingLocker: false } });
  const kiosk = w.bank.kiosk!;
  const a = await droppedParcel(t, w, 'MULTI-A');
  const b = await droppedParcel(t, w, 'MULTI-B');
  t.not(a.locker, b.locker, 'two lockers');
  await kiosk.expectPage('home');
  await kiosk.type(a.code);
  await kiosk.expectPage('pickup');
  await expectCondition(() => doorsOpen(w.bank).length === 2, 3000, 'both doors open');
  t.same(openDoorNumbers(w).sort(), [a.door, b.door].sort(), 'both of alice\'s lockers opened at once');
  t.notOk(kiosk.engine.screen.options.some((o) => o.id === 'next'), 'nothing left to open one by one');
  const tx = await txStored(w, 'the pickup', (x) => x.kind === 'pickup');
  t.same([...tx.doors].sort(), [a.door, b.door].sort(), 'one pickup transaction for both doors');
  t.same([...tx.reservationIds].sort(), [a.reservationId, b.reservationId].sort());
  await lockerStatus(w, a.locker, 'available');
  await lockerStatus(w, b.locker, 'available');
  t.pass('both lockers available in the API');
  await closeAll(w);
  await kiosk.select('done');
  await kiosk.expectPage('home');
  w.rec.expectSchemasMatched(t);
});

t.test('3b. several packages one at a time (openAllAtOnce false): the kiosk offers the next; a department parcel with the department code', async (t) => {
  const w = await kioskWorld(t, { rules: { openAllAtOnce: false, addToExistingLocker: false, departmentPickup: true } });
  const kiosk = w.bank.kiosk!;
  const a = await droppedParcel(t, w, 'ONE-A');
  const b = await droppedParcel(t, w, 'ONE-B');
  await kiosk.expectPage('home');
  await kiosk.type(b.code);
  await kiosk.expectPage('pickup');
  const first = Math.min(a.door, b.door);
  const second = Math.max(a.door, b.door);
  await kiosk.column.expectDoor(first, true);
  t.same(openDoorNumbers(w), [first], 'only the first locker opened');
  t.ok(kiosk.engine.screen.options.some((o) => o.id === 'next'), 'the kiosk offers the next locker');
  await txStored(w, 'the first pickup', (x) => x.kind === 'pickup' && x.doors.length === 1 && x.doors[0] === first);
  await kiosk.select('next');
  await kiosk.column.expectDoor(second, true);
  t.same(openDoorNumbers(w).sort(), [first, second], 'then the second');
  await txStored(w, 'the second pickup', (x) => x.kind === 'pickup' && x.doors.length === 1 && x.doors[0] === second);
  t.notOk(kiosk.engine.screen.options.some((o) => o.id === 'next'), 'nothing more to open');
  t.equal((await storedTransactions(w)).filter((x) => x.kind === 'pickup').length, 2, 'two pickup transactions, one per locker');
  await lockerStatus(w, a.locker, 'available');
  await lockerStatus(w, b.locker, 'available');
  await closeAll(w);
  await kiosk.select('done');
  await kiosk.expectPage('home');

  // A parcel for alice's department, collected with the department's code.
  const dep = await api(w.cloud, 'POST', '/departments', w.token, { id: 'finance', name: 'Finance', memberIds: ['alice'] });
  t.equal(dep.status, 201, 'department created through the API');
  const res = await api(w.cloud, 'POST', '/reservations', w.token, { bankId: w.bankId, kind: 'package', recipient: { type: 'department', id: 'finance' }, size: 'S', trackingId: 'DEPT-1' });
  t.equal(res.status, 201);
  const depId = res.json.reservation.id as string;
  const depLocker = res.json.reservation.lockerNumber as number;
  const drop = await api(w.cloud, 'POST', `/reservations/${depId}/drop-off`, w.token, { trackingIds: ['DEPT-1'] });
  t.equal(drop.status, 200);
  await expectCondition(() => kioskState(w)?.credentials.some((c) => (c.reservationIds ?? []).includes(depId)) ?? false, 5000, 'the department code reaches the kiosk');
  t.match(kioskState(w)!.reservations.find((r) => r.id === depId), { departmentId: 'finance' });
  await kiosk.type(drop.json.pickupCode as string);
  const depDoor = doorOfLocker(w, depLocker);
  await kiosk.column.expectDoor(depDoor, true);
  t.same(openDoorNumbers(w), [depDoor], 'the department\'s locker opened');
  await txStored(w, 'the department pickup', (x) => x.kind === 'pickup' && x.reservationIds.includes(depId));
  await lockerStatus(w, depLocker, 'available');
  await closeAll(w);
  w.rec.expectSchemasMatched(t);
});

t.test('3c. personal and departmental packages with one code: alice collects her parcel and her department\'s (departmentPickup)', async (t) => {
  const w = await kioskWorld(t, {
    rules: { openAllAtOnce: true, addToExistingLocker: false, departmentPickup: true },
    before: async ({ cloud, token }) => {
      const dep = await api(cloud, 'POST', '/departments', token, { id: 'finance', name: 'Finance', memberIds: ['alice'] });
      if (dep.status !== 201) throw new Error(`department: ${dep.status} ${JSON.stringify(dep.json)}`);
    },
  });
  const kiosk = w.bank.kiosk!;
  const own = await droppedParcel(t, w, 'MINE-1');
  const res = await api(w.cloud, 'POST', '/reservations', w.token, { bankId: w.bankId, kind: 'package', recipient: { type: 'department', id: 'finance' }, size: 'S', trackingId: 'FIN-1' });
  t.equal(res.status, 201, 'a parcel for alice\'s department');
  const depId = res.json.reservation.id as string;
  const depLocker = res.json.reservation.lockerNumber as number;
  t.equal((await api(w.cloud, 'POST', `/reservations/${depId}/drop-off`, w.token, { trackingIds: ['FIN-1'] })).status, 200);
  await expectCondition(() => kioskState(w)?.credentials.some((c) => c.subjectId === 'alice' && (c.reservationIds ?? []).includes(depId)) ?? false, 5000, 'alice\'s code lists the department parcel on the kiosk');
  const depDoor = doorOfLocker(w, depLocker);
  await kiosk.expectPage('home');
  await kiosk.type(own.code);
  await kiosk.expectPage('pickup');
  await expectCondition(() => doorsOpen(w.bank).length === 2, 3000, 'both doors open');
  t.same(openDoorNumbers(w).sort(), [own.door, depDoor].sort(), 'her locker and the department\'s opened');
  const tx = await txStored(w, 'the pickup', (x) => x.kind === 'pickup');
  t.same([...tx.reservationIds].sort(), [own.reservationId, depId].sort(), 'one pickup of both');
  t.match(tx, { actor: { role: 'recipient', id: 'alice' } });
  await lockerStatus(w, own.locker, 'available');
  await lockerStatus(w, depLocker, 'available');
  t.pass('both lockers available in the API');
  await closeAll(w);
  await kiosk.select('done');
  await kiosk.expectPage('home');
  w.rec.expectSchemasMatched(t);
});

t.test('4. batch drop-off: an operator drops several parcels in one session; without the rule, no "next"', async (t) => {
  const w = await operatorKioskWorld(t, { rules: { batchDropOff: true, addToExistingLocker: false } });
  const kiosk = w.bank.kiosk!;
  const a = await reserve(t, w, 'alice', 'BATCH-1');
  const b = await reserve(t, w, 'bob', 'BATCH-2');
  const c = await reserve(t, w, 'alice', 'BATCH-3');
  const parcels = [
    { ...a, tracking: 'BATCH-1' },
    { ...b, tracking: 'BATCH-2' },
    { ...c, tracking: 'BATCH-3' },
  ];
  t.equal(new Set(parcels.map((x) => x.locker)).size, 3, 'three lockers');
  await signInWithPin(w);
  await kiosk.select('dropoff');
  for (const [i, x] of parcels.entries()) {
    await kiosk.expectPage('dropoff-tracking');
    await kiosk.scan(x.tracking);
    await kiosk.expectPage('dropoff-open');
    await kiosk.column.expectDoor(doorOfLocker(w, x.locker), true);
    t.ok(kiosk.engine.screen.options.some((o) => o.id === 'next'), `parcel ${i + 1}: the kiosk offers the next parcel`);
    await closeAll(w);
    if (i < parcels.length - 1) await kiosk.select('next');
  }
  t.equal(kiosk.engine.screen.role, 'operator', 'still the same session');
  for (const x of parcels) {
    const tx = await txStored(w, `the drop-off of ${x.tracking}`, (e) => e.kind === 'drop-off' && e.reservationIds.includes(x.reservationId));
    t.match(tx, { doors: [doorOfLocker(w, x.locker)], trackingIds: [x.tracking], actor: { role: 'operator', id: w.operatorId } });
    await lockerStatus(w, x.locker, 'occupied');
  }
  t.pass('three drop-offs stored, three lockers occupied');
  await kiosk.select('back');
  await kiosk.select('sign-out');
  await kiosk.expectPage('home');

  // The bank forbids batch drop-off: after one parcel the session offers only "done".
  const patched = await api(w.cloud, 'PATCH', `/banks/${w.bankId}`, w.token, { rules: { batchDropOff: false } });
  t.equal(patched.status, 200);
  await expectCondition(() => kioskState(w)?.rules.batchDropOff === false, 5000, 'the rule reaches the kiosk');
  const d = await reserve(t, w, 'alice', 'BATCH-4', 'M');
  await signInWithPin(w);
  await kiosk.select('dropoff');
  await kiosk.expectPage('dropoff-tracking');
  await kiosk.scan('BATCH-4');
  await kiosk.expectPage('dropoff-open');
  await kiosk.column.expectDoor(doorOfLocker(w, d.locker), true);
  t.notOk(kiosk.engine.screen.options.some((o) => o.id === 'next'), 'no "next parcel" without batch drop-off');
  await lockerStatus(w, d.locker, 'occupied');
  await closeAll(w);
  await kiosk.select('back');
  await kiosk.select('sign-out');
  w.rec.expectSchemasMatched(t);
});

t.test('5a. addToExistingLocker false: the second parcel goes to a new locker', async (t) => {
  const w = await operatorKioskWorld(t, { rules: { addToExistingLocker: false } });
  const kiosk = w.bank.kiosk!;
  const first = await droppedParcel(t, w, 'EXIST-1');
  const second = await reserve(t, w, 'alice', 'EXIST-2');
  t.notOk(second.addedToExisting);
  t.not(second.locker, first.locker, 'a new locker is held for the second parcel');
  await signInWithPin(w);
  await kiosk.select('dropoff');
  await kiosk.expectPage('dropoff-tracking');
  await kiosk.scan('EXIST-2');
  await kiosk.expectPage('dropoff-open');
  const door = doorOfLocker(w, second.locker);
  await kiosk.column.expectDoor(door, true);
  t.same(openDoorNumbers(w), [door], 'the new locker opened, not alice\'s existing one');
  await txStored(w, 'the drop-off', (x) => x.kind === 'drop-off' && x.reservationIds.includes(second.reservationId));
  await lockerStatus(w, second.locker, 'occupied');
  t.equal((await lockerApi(w, first.locker)).status, 'occupied', 'the first locker still holds the first parcel');
  await closeAll(w);
  w.rec.expectSchemasMatched(t);
});

t.test('5b. addToExistingLocker true: the second parcel is added to the recipient\'s existing locker', async (t) => {
  const w = await operatorKioskWorld(t, { rules: { addToExistingLocker: true } });
  const kiosk = w.bank.kiosk!;
  const first = await droppedParcel(t, w, 'EXIST-1');
  const second = await reserve(t, w, 'alice', 'EXIST-2');
  t.ok(second.addedToExisting, 'the cloud added it to alice\'s reservation');
  t.equal(second.locker, first.locker, 'the same locker');
  await signInWithPin(w);
  await kiosk.select('dropoff');
  await kiosk.expectPage('dropoff-tracking');
  await kiosk.scan('EXIST-2');
  await kiosk.expectPage('dropoff-open');
  await kiosk.column.expectDoor(first.door, true);
  t.same(openDoorNumbers(w), [first.door], 'alice\'s existing locker opened');
  const tx = await txStored(w, 'the drop-off', (x) => x.kind === 'drop-off');
  t.match(tx, { doors: [first.door], trackingIds: ['EXIST-2'] });
  await lockerStatus(w, first.locker, 'occupied');
  const r = (await api(w.cloud, 'GET', `/reservations/${first.reservationId}`, w.token)).json.reservation;
  t.same(r.packages.map((x: { trackingId?: string }) => x.trackingId), ['EXIST-1', 'EXIST-2'], 'both parcels in the one reservation');
  await closeAll(w);
  w.rec.expectSchemasMatched(t);
});

t.test('5c. a parcel held in a new locker, then the bank allows adding to existing lockers: the operator adds it to the recipient\'s locker', async (t) => {
  const w = await operatorKioskWorld(t, { rules: { addToExistingLocker: false } });
  const kiosk = w.bank.kiosk!;
  const first = await droppedParcel(t, w, 'EXIST-1');
  const second = await reserve(t, w, 'alice', 'EXIST-2');
  t.not(second.locker, first.locker, 'held in a new locker while the rule was off');
  const patched = await api(w.cloud, 'PATCH', `/banks/${w.bankId}`, w.token, { rules: { addToExistingLocker: true } });
  t.equal(patched.status, 200);
  await expectCondition(() => kioskState(w)?.rules.addToExistingLocker === true, 5000, 'the rule reaches the kiosk');
  await signInWithPin(w);
  await kiosk.select('dropoff');
  await kiosk.expectPage('dropoff-tracking');
  await kiosk.scan('EXIST-2');
  await kiosk.expectPage('dropoff-existing');
  t.ok(kiosk.engine.screen.options.some((o) => o.id === 'reserved'), 'the held locker is offered too');
  await kiosk.select('existing');
  await kiosk.expectPage('dropoff-open');
  await kiosk.column.expectDoor(first.door, true);
  t.same(openDoorNumbers(w), [first.door], 'alice\'s existing locker opened, not the held one');
  const tx = await txStored(w, 'the drop-off', (x) => x.kind === 'drop-off');
  t.match(tx, { doors: [first.door], trackingIds: ['EXIST-2'] });
  await lockerStatus(w, first.locker, 'occupied');
  // The cloud follows where the parcel physically is: in the existing locker; the held one is free again.
  await lockerStatus(w, second.locker, 'available');
  t.pass(`locker ${second.locker} is available again`);
  const live = w.cloud.service.store.list('reservations').filter((r) => r.recipient.id === 'alice');
  t.same(live.map((r) => r.lockerNumber), [first.locker], 'alice\'s parcels are all in her existing locker');
  t.same(live[0]!.packages.map((x) => x.trackingId).sort(), ['EXIST-1', 'EXIST-2']);
  await closeAll(w);
  w.rec.expectSchemasMatched(t);
});
