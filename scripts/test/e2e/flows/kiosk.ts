// End to end, the flows the whole system supports today: a parcel reserved and dropped off through the
// HTTP API, picked up at the kiosk column of a simulated bank (real controller, real kiosk engine) online and
// offline, by a blind user by ear in French, and wrong codes throttled and reported to the cloud. Every message of
// each run is checked against the published JSON Schemas.
import type { Test } from 'tap';
import { acrossBrokerMs, api, expectCondition } from '../helpers.ts';
import { KIOSK_COLUMN_LOCKERS, backOnline, codeOnKiosk, doorOfLocker, doorsOpen, dropOffParcel, kioskWorld, lockerApi, lockerStatus, outage, pickupStored, reserveParcel, storedTransactions, txStored, type KioskWorld, shutAndCheckSchemas } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

/** Reserve + drop off through the API; waits until the kiosk controller holds the reservation. */
async function parcel(t: Test, w: KioskWorld, trackingId: string): Promise<{ reservationId: string; locker: number; door: number; code: string }> {
  const { reservationId, locker } = await reserveParcel(t, w, { trackingId });
  t.ok(KIOSK_COLUMN_LOCKERS.includes(locker), `locker ${locker} is in the kiosk column`);
  const code = await dropOffParcel(t, w, reservationId, trackingId);
  t.match(code, /^\d{4,10}$/, 'a pickup code is returned');
  const again = await api(w.cloud, 'GET', `/reservations/${reservationId}`, w.token);
  t.equal(again.status, 200);
  t.notOk(JSON.stringify(again.json).includes(`"${code}"`), 'the pickup code is returned once: not readable afterwards');
  t.equal((await lockerApi(w, locker)).status, 'occupied');
  // The drop-off's version carries the pickup code's hash (the reservation alone may arrive a version earlier).
  await codeOnKiosk(w, reservationId, 'the pickup code\'s hash reaches the kiosk controller');
  return { reservationId, locker, door: doorOfLocker(w, locker), code };
}

t.test('pickup at the kiosk: code typed -> the right door opens -> transaction pickup stored -> locker available', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const pkg = await parcel(t, w, 'E2E-PICKUP-1');
  await kiosk.expectPage('home');
  await kiosk.type(pkg.code);
  await kiosk.column.expectDoor(pkg.door, true);
  t.same(doorsOpen(w.bank), [`1/${pkg.door}`], 'only the parcel\'s door opened');
  const ev = await pickupStored(w, pkg.reservationId);
  t.match(ev, { kind: 'pickup', doors: [pkg.door], offline: false, actor: { role: 'recipient', id: 'alice' } });
  await lockerStatus(w, pkg.locker, 'available');
  t.pass(`locker ${pkg.locker} is available in the API`);
  // Reopen within the grace period ("Locker Access After Pickup"): the door shut, the kiosk offers to open it again.
  w.bank.closeAllDoors();
  await expectCondition(() => kiosk.engine.screen.options.some((o) => o.id === 'reopen'), 3000, 'the reopen offer');
  await kiosk.select('reopen');
  await kiosk.column.expectDoor(pkg.door, true);
  t.same(doorsOpen(w.bank), [`1/${pkg.door}`], 'the same door opened again');
  await txStored(w, 'the reopen', (x) => x.kind === 'reopen' && x.doors.includes(pkg.door), acrossBrokerMs(5000));
  t.pass('a transaction reopen reached the cloud');
  t.equal((await lockerApi(w, pkg.locker)).status, 'available', 'a reopen does not change the locker\'s status');
  w.bank.closeAllDoors();
  const activity = await w.cloud.service.queryActivity({ type: 'pickup' });
  t.ok(activity.some((a) => a.reservationId === pkg.reservationId), 'the pickup is in the activity log');
  w.rec.expectSchemasMatched(t);
});

t.test('offline pickup: cloud stopped, served from the cached desired state; the cloud matches after restart', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const pkg = await parcel(t, w, 'E2E-OFFLINE-1');
  await kiosk.expectPage('home');
  await outage(w);
  await kiosk.type(pkg.code);
  await kiosk.column.expectDoor(pkg.door, true);
  t.same(doorsOpen(w.bank), [`1/${pkg.door}`], 'the door opened with the cloud away');
  w.bank.closeAllDoors();
  const local = await kiosk.column.expectEvent((e) => e.body.type === 'transaction' && e.body.kind === 'pickup');
  t.match(local.body, { offline: true }, 'the kiosk recorded an offline pickup');

  // The cloud comes back on the same data folder and the same broker ports; the controller replays its outbox.
  const w2 = await backOnline(t, w);
  const ev = await pickupStored(w2, pkg.reservationId);
  t.match(ev, { kind: 'pickup', doors: [pkg.door], offline: true });
  await lockerStatus(w2, pkg.locker, 'available');
  t.pass(`locker ${pkg.locker} is available in the API after reconnection`);
  const stored = await storedTransactions(w2);
  t.equal(stored.length, 1, 'the pickup is stored once');
  w.rec.expectSchemasMatched(t);
});

t.test('a blind user in French: headphones, keypad only, every step spoken, digits as tones', async (t) => {
  const w = await kioskWorld(t, { language: 'fr' });
  const kiosk = w.bank.kiosk!;
  const pkg = await parcel(t, w, 'E2E-AUDIO-1');
  await kiosk.expectPage('home');
  kiosk.headphones.plug();
  await kiosk.engine.settled();
  await expectCondition(() => kiosk.audio.spoken('fr').some((s) => /mode audio est activé/i.test(s)), 3000, 'audio mode announced in French');
  const spokenBefore = kiosk.audio.spoken().length;
  const tonesBefore = kiosk.audio.tones().length;
  for (const d of pkg.code) await kiosk.keypad(d as '1');
  t.ok(kiosk.audio.tones().length - tonesBefore >= pkg.code.length, 'a tone per digit');
  await kiosk.keypad('enter');
  await kiosk.column.expectDoor(pkg.door, true);
  t.notOk(kiosk.audio.spoken().some((s) => s.includes(pkg.code)), 'the code was never spoken');
  await expectCondition(() => kiosk.audio.spoken('fr').some((s) => s.includes(`casier ${pkg.locker}, colonne 1,`)), 3000, 'the open locker spoken in French');
  const fr = kiosk.audio.spoken('fr');
  t.ok(fr.some((s) => /Tapez votre code de retrait/.test(s)), 'the prompt for the code was spoken');
  t.ok(fr.some((s) => /Ouvert : casier \d+, colonne 1, \S+ porte en partant du haut/.test(s)), 'the open locker described by number and position');
  t.ok(fr.some((s) => /Prenez votre colis et refermez la porte/.test(s)), 'what to do next was spoken');
  // The user takes the parcel, shuts the door and ends by keypad ("Appuyez sur 1 pour J'ai terminé").
  w.bank.closeAllDoors();
  await kiosk.keypad('1');
  await expectCondition(() => kiosk.audio.spoken('fr').some((s) => /Merci\. Au revoir\./.test(s)), 3000, 'goodbye spoken');
  t.pass('the session ended by keypad with a spoken goodbye');
  t.ok(kiosk.audio.spoken().length > spokenBefore, 'steps after sign-in were spoken');
  t.equal(kiosk.audio.spoken('en').length, 0, 'nothing was spoken in English');
  t.equal(kiosk.audio.spoken().length, kiosk.audio.spoken('fr').length, 'everything was spoken in French');
  const ev = await pickupStored(w, pkg.reservationId);
  t.match(ev, { kind: 'pickup', doors: [pkg.door] });
  await lockerStatus(w, pkg.locker, 'available');
  w.rec.expectSchemasMatched(t);
});

t.test('wrong codes are throttled and stored in the cloud as login-failure events; the right code works after', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const pkg = await parcel(t, w, 'E2E-THROTTLE-1');
  await kiosk.expectPage('home');
  const wrong = pkg.code === '00000000' ? '11111111' : '00000000';
  // The first failures are free, the next one makes the kiosk wait: an attempt during the wait is not even checked.
  for (let i = 0; i < 4; i++) await kiosk.type(wrong);
  await kiosk.type(pkg.code);
  t.same(doorsOpen(w.bank), [], 'the right code typed during the wait does not open anything');
  const evs = async () => (await w.cloud.journal.read(w.kioskId)).filter((e) => e.event.type === 'login-failure');
  await expectCondition(async () => (await evs()).length >= 4, acrossBrokerMs(5000), 'login-failure events stored');
  const failures = await evs();
  t.same(failures.map((e) => (e.event as { attempts: number }).attempts), [1, 2, 3, 4], 'each failure stored once, counted in a row');
  t.ok(failures.every((e) => (e.event as { method: string }).method === 'pin' || (e.event as { method: string }).method === 'code'), 'typed on the keypad');
  // After the wait (1 s by default), the right code works.
  const ctl = kiosk.column.controller;
  await expectCondition(() => (kiosk.engine.screen.waitUntil ?? 0) <= ctl.link!.cloudNow(), 3000, "the kiosk's wait over");
  await kiosk.type(pkg.code);
  await kiosk.column.expectDoor(pkg.door, true);
  await pickupStored(w, pkg.reservationId);
  shutAndCheckSchemas(t, w);
});
