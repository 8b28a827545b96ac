import t from 'tap';
import { CODES, createKiosk } from './helpers.ts';

t.test('recipient pickup by keypad code, one locker at a time: personal then departmental package', async (t) => {
  const k = createKiosk(t);
  t.equal(k.engine.screen.page, 'home');
  await k.type(CODES.pickup);
  t.equal(k.engine.screen.page, 'pickup');
  t.same(k.doors.unlocked, [2], 'only the first locker opened');
  t.match(k.text(), /Open now: locker 12, column 2, third door from the top\./);
  t.match(k.text(), /One more locker to open/);
  const tx = k.sink.transactions('pickup');
  t.equal(tx.length, 1);
  t.match(tx[0], { kind: 'pickup', doors: [2], reservationIds: ['res-1'], trackingIds: ['1Z001'], actor: { role: 'recipient', id: 'r-1' }, via: 'pin', offline: false });
  t.ok(k.engine.screen.options.some((o) => o.id === 'next' && o.key === '2'), 'next locker offered on key 2 (1 is "I am done" on this page)');

  await k.press('2');
  t.same(k.doors.unlocked, [2, 3], 'departmental package opened next');
  t.equal(k.sink.transactions('pickup').length, 2);
  t.match(k.sink.transactions('pickup')[1], { doors: [3], reservationIds: ['res-2'], trackingIds: ['1Z002'] });
  t.notOk(k.engine.screen.options.some((o) => o.id === 'next'), 'nothing left to open');

  await k.engine.select('done');
  t.equal(k.engine.screen.page, 'home', 'done returns home');
});

t.test('bank rule "open all at once": every locker opens together, one transaction', async (t) => {
  const k = createKiosk(t, { rules: { openAllAtOnce: true } });
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2, 3]);
  const tx = k.sink.transactions('pickup');
  t.equal(tx.length, 1);
  t.match(tx[0], { doors: [2, 3], reservationIds: ['res-1', 'res-2'], trackingIds: ['1Z001', '1Z002'] });
  t.match(k.text(), /locker 12, column 2, third door from the top/);
  t.match(k.text(), /locker 13, column 2, first door from the top/);
});

t.test('bank rule "department pickup" off: only the personal package', async (t) => {
  const k = createKiosk(t, { rules: { departmentPickup: false, openAllAtOnce: true } });
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2]);
  t.match(k.sink.transactions('pickup')[0], { doors: [2], reservationIds: ['res-1'] });
});

t.test('bank rule "multiple packages per code" off: one package per code', async (t) => {
  const k = createKiosk(t, { rules: { multiplePackagesPerCode: false, openAllAtOnce: true } });
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2]);
  t.equal(k.sink.transactions('pickup').length, 1);
});

t.test('contactless: a scanned QR code signs in from the home page with no typing', async (t) => {
  const k = createKiosk(t, { rules: { contactless: true, openAllAtOnce: true } });
  await k.engine.scan(CODES.qr);
  t.same(k.doors.unlocked, [2, 3]);
  t.match(k.sink.transactions('pickup')[0], { via: 'qr', actor: { role: 'recipient', id: 'r-1' } });
});

t.test('without contactless, the scanner works only after choosing "Scan a code"', async (t) => {
  const k = createKiosk(t, { rules: { contactless: false, openAllAtOnce: true } });
  await k.engine.scan(CODES.qr);
  t.same(k.doors.unlocked, [], 'scan on the home page signs nobody in');
  t.equal(k.engine.screen.page, 'home');
  t.match(k.text(), /first choose "Scan a pickup code"/);
  t.equal(k.sink.ofType('login-failure').length, 0, 'not a failed sign-in');
  await k.press('enter'); // empty entry: services menu
  t.equal(k.engine.screen.page, 'menu');
  await k.engine.select('scan');
  t.equal(k.engine.screen.page, 'scan');
  await k.engine.scan(CODES.qr);
  t.same(k.doors.unlocked, [2, 3]);
});

t.test('a pickup code on a barcode is accepted by the scanner and recorded as barcode', async (t) => {
  const k = createKiosk(t, { rules: { contactless: true, openAllAtOnce: true } });
  await k.engine.scan(CODES.pickup);
  t.same(k.doors.unlocked, [2, 3]);
  t.match(k.sink.transactions('pickup')[0], { via: 'barcode' });
});

t.test('offline: the cached desired state serves the pickup and the event says offline', async (t) => {
  const k = createKiosk(t, { rules: { openAllAtOnce: true } });
  k.state.online = false;
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2, 3]);
  t.equal(k.sink.transactions('pickup')[0]?.offline, true);
});

t.test('a jammed locker is reported on screen and gives no pickup event', async (t) => {
  const k = createKiosk(t, { rules: { openAllAtOnce: true } });
  k.doors.jammed.add(3);
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2, 3]);
  t.match(k.text(), /ERROR Locker 13 could not be opened/);
  const tx = k.sink.transactions('pickup');
  t.equal(tx.length, 1);
  t.same(tx[0]?.doors, [2], 'only the locker that opened');
});

t.test('one-time code: reopen within the grace period, refused as used afterwards', async (t) => {
  const k = createKiosk(t, { rules: { openAllAtOnce: true } });
  await k.type(CODES.pickup);
  k.doors.close(2);
  k.doors.close(3);
  await k.engine.settled();
  t.ok(k.engine.screen.options.some((o) => o.id === 'reopen'), 'reopen offered once the doors are shut');
  await k.engine.select('reopen');
  t.same(k.doors.unlocked, [2, 3, 2, 3]);
  t.match(k.sink.transactions('reopen')[0], { kind: 'reopen', doors: [2, 3], reservationIds: ['res-1', 'res-2'] });
  k.doors.close(2);
  k.doors.close(3);
  await k.engine.select('done');

  // Back at home, the same code again within "Locker Access After Pickup": offered a reopen.
  await k.tick(10_000);
  await k.type(CODES.pickup);
  t.equal(k.engine.screen.page, 'reopen');
  await k.engine.select('reopen');
  t.equal(k.sink.transactions('reopen').length, 2);
  k.doors.close(2);
  k.doors.close(3);
  await k.engine.signOut();

  // After the grace period the one-time code is used up.
  await k.tick(60_000);
  await k.type(CODES.pickup);
  t.match(k.text(), /already been used/);
  t.equal(k.sink.ofType('login-failure').length, 1);
});

t.test('an expired code is refused with its reason and reported as a login failure', async (t) => {
  const k = createKiosk(t);
  await k.type(CODES.expired);
  t.match(k.text(), /This code has expired/);
  t.match(k.sink.ofType('login-failure')[0], { method: 'code', attempts: 1 });
  t.same(k.doors.unlocked, []);
});

t.test('return drop-off and exchange by the recipient', async (t) => {
  const k = createKiosk(t);
  await k.type(CODES.returnCode);
  t.equal(k.engine.screen.page, 'return');
  t.same(k.doors.unlocked, [6]);
  t.match(k.sink.transactions('return')[0], { doors: [6], reservationIds: ['res-ret'], trackingIds: ['RET-1'], actor: { id: 'r-2' } });
  t.match(k.text(), /Put your return in the open locker/);
  await k.engine.select('done');

  await k.type(CODES.exchange);
  t.equal(k.engine.screen.page, 'exchange');
  t.same(k.doors.unlocked, [6, 7]);
  t.match(k.sink.transactions('exchange')[0], { doors: [7], reservationIds: ['res-ex'] });
});

t.test('no desired state yet: out of order, then home once it arrives', async (t) => {
  const k = createKiosk(t, { noState: true });
  t.equal(k.engine.screen.page, 'out-of-order');
  const { desiredState } = await import('./helpers.ts');
  k.state.set(desiredState());
  await k.engine.settled();
  t.equal(k.engine.screen.page, 'home');
});

t.test('a jammed locker does not use up a one-time code', async (t) => {
  const k = createKiosk(t, { rules: { multiplePackagesPerCode: false } });
  k.doors.jammed.add(2);
  await k.type(CODES.pickup);
  t.match(k.text(), /could not be opened/);
  t.equal(k.sink.transactions('pickup').length, 0);
  await k.engine.select('done');
  k.doors.jammed.delete(2);
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2, 2]);
  t.equal(k.sink.transactions('pickup').length, 1, 'the same code works once the locker is fixed');
});

t.test('a desired state issued before the cloud heard of a pickup does not bring the package back', async (t) => {
  const { desiredState } = await import('./helpers.ts');
  const k = createKiosk(t, { rules: { openAllAtOnce: true } });
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2, 3]);
  k.doors.close(2);
  k.doors.close(3);
  await k.engine.select('done');
  await k.tick(120_000); // past the grace period
  k.state.set(desiredState({ rules: { openAllAtOnce: true, contactless: true } })); // still lists res-1 and res-2
  await k.engine.settled();
  await k.engine.scan(CODES.qr);
  t.same(k.doors.unlocked, [2, 3], 'nothing opened again');
  t.match(k.text(), /no packages waiting/);
  await k.engine.select('done');
  // The cloud catches up: res-1 and res-2 are gone; a new package for r-1 arrives in door 3.
  const s = desiredState({ rules: { openAllAtOnce: true, contactless: true } });
  s.reservations = s.reservations.filter((r) => r.id !== 'res-1' && r.id !== 'res-2');
  s.reservations.push({ id: 'res-9', kind: 'package', status: 'occupied', door: 3, trackingIds: ['1Z009'], recipientId: 'r-1' });
  k.state.set(s);
  await k.engine.settled();
  await k.engine.scan(CODES.qr);
  t.same(k.doors.unlocked, [2, 3, 3], 'the new package opens');
  t.match(k.sink.transactions('pickup')[1], { reservationIds: ['res-9'] });
});

t.test('an idle home page follows the bank rules of a new desired state (contactless scan hint on and off)', async (t) => {
  const k = createKiosk(t);
  const hint = () => k.engine.screen.lines.some((l) => l.key === 'home.scanHint');
  t.equal(k.engine.screen.page, 'home');
  t.notOk(hint(), 'no scan hint without contactless');
  const s = k.state.current()!;
  k.state.set({ ...s, rules: { ...s.rules, contactless: true } });
  await k.engine.settled();
  t.ok(hint(), 'the hint appears when the rule arrives');
  // Someone typing is not interrupted by a new state.
  await k.engine.keypad('1');
  k.state.set({ ...s, rules: { ...s.rules, contactless: false } });
  await k.engine.settled();
  t.equal(k.engine.screen.input?.length, 1, 'the digit typed so far is kept');
  t.ok(hint(), 'the page is not redrawn under the person typing');
});
