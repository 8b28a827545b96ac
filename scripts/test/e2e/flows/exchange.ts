// End to end, exchange (take one, leave one) and the reopen of a locker after signing in again within the
// grace period ("Locker Access After Pickup"), on the whole system: cloud + embedded broker + real controller +
// simulated bank. An exchange is reserved through the HTTP API: the person bringing the item gets a drop-off code;
// at the kiosk it opens the reserved locker (take the item there, leave yours), the cloud stores the `exchange`
// transaction and sees the locker occupied, with a new pickup code for the party collecting what was left; that
// code opens the same locker, and the cloud sees it available. Every message is checked against the JSON Schemas.
import { hashCredential } from '@portier/protocol';
import type { IssuedPickupCode } from '@portier/cloud';
import { api, expectCondition } from '../helpers.ts';
import { KIOSK_COLUMN_LOCKERS, codeOnKiosk, desiredOf, doorOfLocker, doorsOpen, droppedParcel, kioskWorld, lockerApi, lockerStatus, reserveParcel, storedTransactions, txStored, kioskKey, shutAndCheckSchemas, pickedUp } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

t.test('exchange: drop-off code -> the reserved locker opens -> occupied; the collector\'s new code -> available', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const issued: IssuedPickupCode[] = [];
  w.cloud.ingest.on('pickup-code', (c) => issued.push(c));

  const { reservationId, locker, reply } = await reserveParcel(
    t,
    w,
    { kind: 'exchange', dropOffParty: { type: 'contact', id: 'alice' }, pickupParty: { type: 'contact', id: 'bob' }, trackingId: 'E2E-EXCHANGE-1' },
    'exchange reserved through the API',
  );
  t.ok(KIOSK_COLUMN_LOCKERS.includes(locker), `locker ${locker} is in the kiosk column`);
  const dropOffCode = reply.dropOffCode as string;
  t.match(dropOffCode, /^\d{4,10}$/, 'a drop-off code for the person bringing the item');
  t.equal((await lockerApi(w, locker)).status, 'reserved');
  await codeOnKiosk(w, reservationId, 'the drop-off code\'s hash reaches the kiosk controller');
  const door = doorOfLocker(w, locker);
  const state = desiredOf(w);
  t.match(state.reservations.find((r) => r.id === reservationId), { kind: 'exchange', status: 'reserved', door });
  t.equal(state.credentials.find((c) => (c.reservationIds ?? []).includes(reservationId))!.hash, hashCredential('pickup-code', dropOffCode, state.credentialHash, kioskKey(w)));

  // The person takes the item in the locker and leaves theirs.
  await kiosk.expectPage('home');
  await kiosk.type(dropOffCode);
  await kiosk.expectPage('exchange');
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the reserved locker opened, and only it');
  t.ok(kiosk.engine.screen.lines.some((l) => l.key === 'exchange.prompt'), 'the kiosk says: take the item, leave yours');
  const first = await txStored(w, 'the exchange', (x) => x.kind === 'exchange' && x.reservationIds.includes(reservationId));
  t.match(first, { doors: [door], actor: { role: 'recipient', id: 'alice' }, trackingIds: ['E2E-EXCHANGE-1'] });
  await lockerStatus(w, locker, 'occupied');
  t.pass(`locker ${locker} is occupied in the API: the item left is waiting for its collector`);
  w.bank.closeAllDoors();
  await kiosk.select('done');
  await kiosk.expectPage('home');

  // The cloud issued a new code for the collector; its hash reaches the kiosk; the drop-off code is spent.
  await expectCondition(() => issued.some((c) => c.reservationId === reservationId), 5000, 'a pickup code issued for the collector');
  const collect = issued.find((c) => c.reservationId === reservationId)!;
  t.match(collect, { lockerNumber: locker });
  t.not(collect.code, dropOffCode);
  await expectCondition(
    () => desiredOf(w).credentials.some((c) => (c.reservationIds ?? []).includes(reservationId) && c.hash === hashCredential('pickup-code', collect.code, desiredOf(w).credentialHash, kioskKey(w))),
    5000,
    'the collector\'s code reaches the kiosk controller',
  );
  t.match(desiredOf(w).reservations.find((r) => r.id === reservationId), { status: 'occupied' });
  await kiosk.type(dropOffCode);
  t.same(doorsOpen(w.bank), [], 'the drop-off code opens nothing any more');
  t.equal(kiosk.engine.screen.page, 'home', 'still on the home page, with an error');
  await kiosk.type(collect.code);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the collector\'s code opens the same locker');
  await expectCondition(async () => (await storedTransactions(w)).filter((x) => x.kind === 'exchange').length === 2, 8000, 'the second exchange stored');
  await lockerStatus(w, locker, 'available');
  t.pass(`locker ${locker} is available after the collection`);
  const r = await api(w.cloud, 'GET', `/reservations/${reservationId}`, w.token);
  t.match(r.json.reservation, { status: 'ended', endReason: 'picked-up' }, 'the exchange reservation ended: picked up');
  w.bank.closeAllDoors();
  t.same((await storedTransactions(w)).map((x) => x.kind), ['exchange', 'exchange'], 'two exchange transactions, each stored once');
  w.rec.expectSchemasMatched(t);
});

t.test('reopen by signing in again with the same code within the grace period', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const { reservationId, locker, door, code } = await droppedParcel(t, w, 'E2E-REOPEN-1');
  await kiosk.expectPage('home');
  await kiosk.type(code);
  await kiosk.column.expectDoor(door, true);
  await pickedUp(w, reservationId, locker);
  // The recipient shuts the door and leaves: the session ends.
  w.bank.closeAllDoors();
  await kiosk.select('done');
  await kiosk.expectPage('home');
  // Forgot something: the same (used) code within the grace period offers to open the locker again.
  await kiosk.type(code);
  await kiosk.expectPage('reopen');
  t.same(doorsOpen(w.bank), [], 'nothing opens before the person confirms');
  await kiosk.select('reopen');
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the same locker opened again');
  const reopen = await txStored(w, 'the reopen', (x) => x.kind === 'reopen');
  t.match(reopen, { doors: [door], reservationIds: [reservationId], actor: { role: 'recipient', id: 'alice' } });
  t.equal((await lockerApi(w, locker)).status, 'available', 'a reopen does not change the locker\'s status');
  const failures = (await w.cloud.journal.read(w.kioskId)).filter((e) => e.event.type === 'login-failure');
  t.same(failures, [], 'signing in again within the grace period is no failed sign-in');
  shutAndCheckSchemas(t, w);
});
