import t from 'tap';
import { CODES, createKiosk } from './helpers.ts';

t.test('operator signs in by PIN and drops off into the reserved locker by typed tracking ID (batch)', async (t) => {
  const k = createKiosk(t, { rules: { addToExistingLocker: false } });
  await k.type(CODES.staffPin);
  t.equal(k.engine.screen.page, 'staff-menu');
  t.equal(k.engine.screen.role, 'operator');
  await k.engine.select('dropoff');
  t.equal(k.engine.screen.page, 'dropoff-tracking');
  await k.engine.enterText('TRK-100');
  t.same(k.doors.unlocked, [4]);
  t.match(k.sink.transactions('drop-off')[0], { kind: 'drop-off', doors: [4], reservationIds: ['res-3'], trackingIds: ['TRK-100'], actor: { role: 'operator', id: 'op-1' } });
  t.ok(k.engine.screen.options.some((o) => o.id === 'next'), 'batch drop-off offers the next package');
  await k.engine.select('next');
  t.equal(k.engine.screen.page, 'dropoff-tracking');
  await k.engine.scan('TRK-200');
  t.same(k.doors.unlocked, [4, 1]);
  t.match(k.sink.transactions('drop-off')[1], { doors: [1], reservationIds: ['res-4'], trackingIds: ['TRK-200'] });
});

t.test('batch drop-off off: no "next package", back to the staff menu', async (t) => {
  const k = createKiosk(t, { rules: { batchDropOff: false, addToExistingLocker: false } });
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('dropoff');
  await k.engine.scan('TRK-100');
  t.notOk(k.engine.screen.options.some((o) => o.id === 'next'));
  await k.engine.select('back');
  t.equal(k.engine.screen.page, 'staff-menu');
});

t.test('add to the recipient\'s existing locker when the bank allows it', async (t) => {
  const k = createKiosk(t, { rules: { addToExistingLocker: true } });
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('dropoff');
  await k.engine.scan('TRK-100'); // r-1 already has a package in door 2 (locker 12)
  t.equal(k.engine.screen.page, 'dropoff-existing');
  t.match(k.text(), /already has packages in locker 12/);
  await k.engine.select('existing');
  t.same(k.doors.unlocked, [2]);
  t.match(k.sink.transactions('drop-off')[0], { doors: [2], reservationIds: ['res-3'], trackingIds: ['TRK-100'] });
  // Locker 14 (door 4) was not used, so it is free again for a drop-off without reservation.
  await k.engine.select('back');
  await k.engine.select('choose-size');
  t.match(k.text(), /large locker, 2 free/);
});

t.test('add to existing forbidden: straight into the reserved locker', async (t) => {
  const k = createKiosk(t, { rules: { addToExistingLocker: false } });
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('dropoff');
  await k.engine.scan('TRK-100');
  t.equal(k.engine.screen.page, 'dropoff-open');
  t.same(k.doors.unlocked, [4]);
});

t.test('unknown tracking ID: no reservation, operator chooses an available locker of a size', async (t) => {
  const k = createKiosk(t);
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('dropoff');
  await k.engine.scan('NEW-999');
  t.match(k.text(), /No reservation was found for tracking ID NEW-999/);
  await k.engine.select('choose-size');
  t.equal(k.engine.screen.page, 'choose-size');
  const labels = k.text();
  t.match(labels, /small locker, 1 free/);
  t.match(labels, /medium locker, 1 free/);
  t.notMatch(labels, /extra large/, 'sizes with no free locker are not offered');
  await k.engine.select('size-M');
  t.same(k.doors.unlocked, [11]);
  t.match(k.sink.transactions('drop-off')[0], { doors: [11], reservationIds: [], trackingIds: ['NEW-999'] });
  // Locker 21 is now occupied: no medium locker left.
  await k.engine.select('back');
  await k.engine.select('choose-size');
  t.notMatch(k.text(), /medium locker/);
});

t.test('package without barcode (bank rule)', async (t) => {
  const k = createKiosk(t);
  await k.engine.badge(CODES.operatorBadge);
  t.ok(k.engine.screen.options.some((o) => o.id === 'no-barcode'));
  await k.engine.select('no-barcode');
  await k.engine.select('size-S');
  t.same(k.doors.unlocked, [10]);
  t.match(k.sink.transactions('drop-off')[0], { doors: [10], trackingIds: [], reservationIds: [] });
});

t.test('package without barcode switched off by the bank', async (t) => {
  const k2 = createKiosk(t, { rules: { noBarcodePackages: false } });
  await k2.engine.badge(CODES.operatorBadge);
  t.notOk(k2.engine.screen.options.some((o) => o.id === 'no-barcode'));
});

t.test('no locker free of a size: the documented error', async (t) => {
  const k = createKiosk(t);
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('no-barcode');
  await k.engine.select('size-S');
  await k.engine.select('back');
  await k.engine.select('no-barcode');
  await k.engine.select('size-M');
  await k.engine.select('back');
  await k.engine.select('no-barcode');
  await k.engine.select('size-L');
  await k.engine.select('back');
  await k.engine.select('no-barcode');
  t.match(k.text(), /No lockers are currently available in selected locker bank/);
});

t.test('rear-loading shelf by shelf barcode', async (t) => {
  const k = createKiosk(t);
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('rear-shelf');
  await k.engine.scan('SHELF-NOPE');
  t.match(k.text(), /shelf barcode is not known/);
  await k.engine.scan('SHELF-15');
  t.same(k.doors.unlocked, [5]);
  t.match(k.sink.transactions('drop-off')[0], { doors: [5], reservationIds: ['res-5'], trackingIds: ['TRK-300'] });
});

t.test('remove expired packages', async (t) => {
  const k = createKiosk(t);
  await k.engine.badge(CODES.adminBadge);
  t.equal(k.engine.screen.role, 'admin');
  await k.engine.select('remove-expired');
  t.match(k.text(), /1 expired packages to remove/);
  t.match(k.text(), /locker 19, column 1, fourth door from the top/);
  await k.engine.select('open-all');
  t.same(k.doors.unlocked, [9]);
  t.match(k.sink.transactions('expired-removal')[0], { doors: [9], reservationIds: ['res-exp'], trackingIds: ['OLD-1'], actor: { role: 'admin' } });
  await k.engine.select('back');
  await k.engine.select('remove-expired');
  t.match(k.text(), /nothing to do/);
});

t.test('locker out of service and back in service', async (t) => {
  const k = createKiosk(t);
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('service');
  await k.type('99');
  t.match(k.text(), /There is no locker 99 here/);
  await k.type('20');
  t.equal(k.engine.screen.page, 'service-locker');
  t.match(k.text(), /Locker 20 is in service/);
  await k.engine.select('set-out');
  t.match(k.sink.ofType('service-changed')[0], { door: 10, state: 'out-of-service', actor: { role: 'operator', id: 'op-1' } });
  t.match(k.text(), /Locker 20 is now out of service/);
  // An out-of-service locker is not offered.
  await k.engine.select('no-barcode');
  t.notMatch(k.text(), /small locker/);
  await k.engine.select('back');
  await k.engine.select('service');
  await k.type('18');
  t.match(k.text(), /Locker 18 is out of service/);
  await k.engine.select('set-in');
  t.match(k.sink.ofType('service-changed')[1], { door: 8, state: 'in-service' });
  t.same(k.doors.unlocked, [], 'service changes open nothing');
});

t.test('carrier direct delivery by access code', async (t) => {
  const k = createKiosk(t, { rules: { addToExistingLocker: false } });
  await k.type(CODES.carrier);
  t.equal(k.engine.screen.page, 'dropoff-tracking');
  t.equal(k.engine.screen.role, 'carrier');
  await k.engine.scan('TRK-200');
  t.same(k.doors.unlocked, [1]);
  t.match(k.sink.transactions('carrier-delivery')[0], { kind: 'carrier-delivery', doors: [1], reservationIds: ['res-4'], actor: { role: 'carrier', id: 'ups' } });
  await k.engine.select('sign-out');
  t.equal(k.engine.screen.page, 'home');
});

t.test('carrier signs in by scanning its QR code (contactless)', async (t) => {
  const k2 = createKiosk(t, { rules: { contactless: true } });
  await k2.engine.scan(CODES.carrier);
  t.equal(k2.engine.screen.role, 'carrier');
});

t.test('carrier codes are six to ten digits; a carrier restricted to some doors cannot use others', async (t) => {
  const k = createKiosk(t);
  await k.type(CODES.carrierLimited);
  t.equal(k.engine.screen.role, 'carrier');
  await k.engine.scan('TRK-200'); // reserved in door 1, but this carrier may only use door 11
  t.match(k.text(), /not allowed/);
  t.same(k.doors.unlocked, []);
  await k.engine.select('choose-size');
  t.match(k.text(), /medium locker, 1 free/);
  t.notMatch(k.text(), /small locker/);
});

t.test('staff sign-in page: PIN or badge; a wrong PIN is a login failure of method pin; back goes to the menu', async (t) => {
  const k = createKiosk(t);
  await k.press('enter');
  await k.engine.select('staff');
  t.equal(k.engine.screen.page, 'staff-signin');
  t.equal(k.engine.screen.input?.masked, true);
  await k.type('1111');
  t.match(k.sink.ofType('login-failure')[0], { method: 'pin', attempts: 1 });
  await k.type(CODES.pickup);
  t.equal(k.engine.screen.page, 'staff-signin', 'a pickup code is not a staff PIN');
  t.same(k.doors.unlocked, []);
  await k.press('back');
  t.equal(k.engine.screen.page, 'menu');
  await k.engine.select('staff');
  await k.engine.badge(CODES.adminBadge);
  t.equal(k.engine.screen.page, 'staff-menu');
  t.equal(k.engine.screen.role, 'admin');
  await k.press('back');
  t.equal(k.engine.screen.page, 'home', 'back on the staff menu signs out');
  t.equal(k.engine.screen.role, undefined);
});

t.test('a parcel the cloud added to the recipient\'s occupied locker: its tracking ID opens that locker for the drop-off', async (t) => {
  const k = createKiosk(t, { rules: { addToExistingLocker: true } });
  // The cloud put TRK-ADD into r-1's occupied reservation res-1 (door 2) instead of holding a new locker.
  const s = k.state.current()!;
  k.state.set({ ...s, reservations: s.reservations.map((r) => (r.id === 'res-1' ? { ...r, trackingIds: [...r.trackingIds, 'TRK-ADD'] } : r)) });
  await k.engine.settled();
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('dropoff');
  await k.engine.scan('TRK-ADD');
  t.equal(k.engine.screen.page, 'dropoff-open', 'not "unknown tracking ID"');
  t.same(k.doors.unlocked, [2], 'the existing locker opened');
  t.match(k.sink.transactions('drop-off')[0], { doors: [2], reservationIds: ['res-1'], trackingIds: ['TRK-ADD'] });
});
