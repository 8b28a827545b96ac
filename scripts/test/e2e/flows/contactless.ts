// End to end, contactless sign-in (bank rule `contactless`, changed through the HTTP API): on the whole
// system (cloud + embedded broker + real controller + simulated bank), a code scanned on the kiosk's scanner (the
// sim's virtual serial scanner) signs in from the home page with no typing: the recipient's pickup code (its QR)
// opens their locker, a carrier's code (its QR) signs the carrier in. Without the rule the same scan signs nobody in
// and the kiosk says how to scan. Doors opened, events stored in the cloud and locker statuses are checked.
import { expectCondition } from '../helpers.ts';
import { doorOfLocker, doorsOpen, droppedParcel, kioskWorld, lockerStatus, storedTransactions, txStored, shutAndCheckSchemas, carrierCodeOnKiosk, pickedUp } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

t.test('contactless: a scanned pickup code opens the locker from the home page; a scanned carrier code signs in', async (t) => {
  const w = await kioskWorld(t, { rules: { contactless: true } });
  const kiosk = w.bank.kiosk!;
  t.equal(kiosk.column.controller.link!.desired.desired!.state.rules.contactless, true, 'the rule reached the kiosk controller');
  const pkg = await droppedParcel(t, w, 'E2E-CONTACTLESS-1');
  const door = doorOfLocker(w, pkg.locker);
  await kiosk.expectPage('home');
  t.ok(kiosk.engine.screen.lines.some((l) => l.key === 'home.scanHint'), 'the home page invites to scan');
  await kiosk.scan(pkg.code);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the scan opened the parcel\'s locker, nothing typed');
  const ev = await txStored(w, 'the pickup', (x) => x.kind === 'pickup' && x.reservationIds.includes(pkg.reservationId));
  t.match(ev, { doors: [door], via: 'barcode', actor: { role: 'recipient', id: 'alice' } }, 'stored as a pickup signed in by scan');
  await lockerStatus(w, pkg.locker, 'available');
  t.pass(`locker ${pkg.locker} is available in the API`);
  w.bank.closeAllDoors();
  await kiosk.select('done');
  await kiosk.expectPage('home');

  // A carrier's QR code.
  const { code: carrierCode } = await carrierCodeOnKiosk(t, w);
  await kiosk.scan(carrierCode);
  await kiosk.expectPage('dropoff-tracking');
  t.equal(kiosk.engine.screen.role, 'carrier', 'the carrier is signed in by scan');
  await kiosk.select('sign-out');
  await kiosk.expectPage('home');
  t.same((await w.cloud.journal.read(w.kioskId)).filter((e) => e.event.type === 'login-failure'), [], 'no failed sign-in');
  w.rec.expectSchemasMatched(t);
});

t.test('without contactless, a scan on the home page signs nobody in: the kiosk says how to scan', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  t.equal(kiosk.column.controller.link!.desired.desired!.state.rules.contactless, false);
  const pkg = await droppedParcel(t, w, 'E2E-CONTACTLESS-2');
  const door = doorOfLocker(w, pkg.locker);
  await kiosk.expectPage('home');
  await kiosk.scan(pkg.code);
  await expectCondition(() => kiosk.engine.screen.error?.key === 'error.scanFirst', 3000, 'the scan refused on the home page');
  t.pass('the kiosk says: choose "scan" first');
  t.same(doorsOpen(w.bank), [], 'nothing opened');
  // Through the menu's "scan" page the same code works.
  await kiosk.keypad('enter');
  await kiosk.expectPage('menu');
  await kiosk.select('scan');
  await kiosk.expectPage('scan');
  await kiosk.scan(pkg.code);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'scanned on the scan page: the locker opened');
  await pickedUp(w, pkg.reservationId, pkg.locker);
  t.equal((await storedTransactions(w)).length, 1, 'one transaction');
  shutAndCheckSchemas(t, w);
});
