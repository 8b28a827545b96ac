// End to end, recipients' badges and day-use storage reserved ahead (cloud + embedded broker + real controller +
// simulated bank): a contact's badge ID, set through the API, reaches the kiosk controller (hashed) once a parcel for
// them is dropped off; presented on the sim's badge reader it opens their locker, the cloud ends the reservation and
// its history shows a pickup by that contact with a badge (never the number); the badge then leaves the kiosk's state.
// A badge of someone with nothing in the bank is a failed sign-in. Storage reserved through the API: its code
// opens the held locker at the kiosk to fill it, then opens it again to empty it, ending the storage.
import { hashCredential } from '@portier/protocol';
import t from 'tap';
import { api, expectCondition } from './helpers.ts';
import { doorOfLocker, doorsOpen, dropOffParcel, eventStored, kioskKey, kioskState, kioskWorld, lockerStatus, pickedUp, reserveParcel, shutAndCheckSchemas, txStored } from './kiosk-world.ts';

const BADGE = 'ALICE-CARD-0001';

const recipientBadgeOnKiosk = (w: Parameters<typeof kioskState>[0]) => kioskState(w)?.credentials.find((c) => c.kind === 'badge' && c.role === 'recipient');

t.test('a recipient signs in with a badge and collects a parcel; the history shows the badge was used', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const set = await api(w.cloud, 'PATCH', '/contacts/alice', w.token, { badgeId: BADGE });
  t.equal(set.status, 200, 'badge ID set on the contact through the API');
  t.equal(recipientBadgeOnKiosk(w), undefined, 'with nothing in the bank, the badge is not on the kiosk');

  const { reservationId, locker } = await reserveParcel(t, w, { trackingId: 'E2E-BADGE-1' });
  await dropOffParcel(t, w, reservationId, 'E2E-BADGE-1');
  await expectCondition(() => recipientBadgeOnKiosk(w) !== undefined, 5000, "alice's badge reaches the kiosk controller with her parcel");
  const state = kioskState(w)!;
  const cred = recipientBadgeOnKiosk(w)!;
  t.equal(cred.hash, hashCredential('badge', BADGE, state.credentialHash, kioskKey(w)), 'hashed under the kiosk key');
  t.match(cred, { subjectId: 'alice', oneTime: false, reservationIds: [reservationId] });
  t.notOk(JSON.stringify(state).includes(BADGE), 'the badge number is not in the desired state');
  const door = doorOfLocker(w, locker);

  await kiosk.expectPage('home');
  await kiosk.badge(BADGE);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], "the badge opened alice's locker");
  const tx = await pickedUp(w, reservationId, locker);
  t.match(tx, { kind: 'pickup', doors: [door], via: 'badge', actor: { role: 'recipient', id: 'alice' } }, 'stored as a pickup by alice with her badge');
  t.pass(`locker ${locker} is available in the API: the reservation ended`);
  const history = await api(w.cloud, 'GET', `/activity?type=pickup&bankId=${w.bankId}`, w.token);
  t.equal(history.status, 200);
  const entry = (history.json.activity as Array<Record<string, unknown>>).find((e) => e.reservationId === reservationId);
  t.match(entry, { recipientId: 'alice', actor: { role: 'recipient', id: 'alice' }, actorName: 'Alice Martin', detail: 'package, with a badge' }, 'the history shows the pickup by alice with a badge');
  t.notOk(JSON.stringify(history.json).includes(BADGE), 'never the badge number');
  await expectCondition(() => recipientBadgeOnKiosk(w) === undefined, 5000, 'the badge leaves the kiosk with her last parcel');
  shutAndCheckSchemas(t, w);
});

t.test('a badge of a recipient with nothing in the bank is refused; a staff badge equal to it cannot be issued', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  t.equal((await api(w.cloud, 'PATCH', '/contacts/bob', w.token, { badgeId: 'BOB-CARD-7' })).status, 200);
  // Alice has a parcel (her pickup code and no badge); bob has nothing here.
  const { reservationId } = await reserveParcel(t, w, { trackingId: 'E2E-BADGE-2' });
  await dropOffParcel(t, w, reservationId, 'E2E-BADGE-2');
  await expectCondition(() => kioskState(w)?.credentials.some((c) => c.reservationIds.includes(reservationId)) ?? false, 5000, 'the parcel reaches the kiosk');
  t.equal(recipientBadgeOnKiosk(w), undefined, "bob's badge is not on the kiosk");
  await kiosk.expectPage('home');
  await kiosk.badge('BOB-CARD-7');
  await eventStored(w, 'a failed badge sign-in', (e) => e.type === 'login-failure' && e.method === 'badge');
  t.equal(kiosk.engine.screen.page, 'home');
  t.same(doorsOpen(w.bank), [], 'nothing opened');

  const users = await api(w.cloud, 'POST', '/users', w.token, { username: 'olga', password: 'olga-mailroom-1', role: 'operator' });
  const issued = await api(w.cloud, 'POST', '/staff-credentials', w.token, { role: 'operator', subjectId: users.json.user.id, kind: 'badge', code: 'BOB-CARD-7' });
  t.match(issued, { status: 409, json: { error: { field: 'code' } } }, "a staff badge equal to bob's is refused");
  shutAndCheckSchemas(t, w);
});

t.test('day-use storage reserved through the API: its code fills the held locker at the kiosk, then empties it', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const { reservationId, locker, reply } = await reserveParcel(t, w, { kind: 'storage', storage: { mode: 'open' } }, 'storage reserved through the API');
  const code = reply.dropOffCode as string;
  t.match(code, /^\d{4,12}$/, 'the holder is given a code');
  await expectCondition(() => kioskState(w)?.credentials.some((c) => c.kind === 'pickup-code' && c.reservationIds.includes(reservationId)) ?? false, 5000, 'its code reaches the kiosk');
  const door = doorOfLocker(w, locker);

  // Drop-off: the code opens the held locker.
  await kiosk.expectPage('home');
  await kiosk.type(code);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the held locker opened');
  const start = await txStored(w, 'the storage drop-off', (x) => x.kind === 'storage-start' && x.reservationIds.includes(reservationId));
  t.match(start, { doors: [door], actor: { role: 'recipient', id: 'alice' } });
  await lockerStatus(w, locker, 'occupied');
  t.pass(`locker ${locker} is occupied in the API`);
  w.bank.closeAllDoors();
  await kiosk.select('done');
  await kiosk.expectPage('home');

  // Pickup: the same code opens it again and ends the storage.
  await kiosk.type(code);
  await kiosk.column.expectDoor(door, true);
  await pickedUp(w, reservationId, locker);
  t.pass('the storage ended: the locker is available in the API');
  t.same((await w.cloud.journal.read(w.kioskId)).filter((e) => e.event.type === 'login-failure'), [], 'no failed sign-in');
  shutAndCheckSchemas(t, w);
});
