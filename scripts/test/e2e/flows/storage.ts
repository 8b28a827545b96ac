// End to end, day-use storage at the kiosk (cloud + embedded broker + real controller + simulated bank):
// a person picks a free locker of a size, chooses how long (a chosen number of hours up to the bank's
// `maxStorageH`, the fixed end of the storage day, or no end), sets a PIN at the kiosk; the door opens, the cloud
// stores `storage-start` and shows the locker occupied by a storage reservation; the PIN opens it again
// (`storage-open`), extends it (`storage-extend`: the cloud's reservation end moves) and ends it (`storage-end`: the
// locker is available again). Every message of each run is checked against the published JSON Schemas.
//
// The storage day ends at 22:00 local time on the kiosk (its default): the process runs in a time zone where it is
// mid-morning now, so a chosen time and its extension never run into the end of the day whenever the test runs.
import { api, login, expectCondition } from '../helpers.ts';
import { desiredOf, doorsOpen, kioskWorld, runInMorningTimeZone, kioskWorldOnFakedDate, lockerApi, lockerOfDoor, lockerStatus, spyOnSetTimeout, storedTransactions, txStored, type KioskWorld } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

runInMorningTimeZone();

const PIN = '4321';
const HOUR = 3_600_000;

interface CloudReservation {
  id: string;
  kind: string;
  status: string;
  lockerNumber: number;
  endsAt?: number;
  storageMode?: string;
}

async function liveReservationOn(w: KioskWorld, locker: number): Promise<CloudReservation | undefined> {
  const r = await api(w.cloud, 'GET', `/reservations?bankId=${w.bankId}`, w.token);
  if (r.status !== 200) throw new Error(`reservations: ${r.status} ${JSON.stringify(r.json)}`);
  return (r.json.reservations as CloudReservation[]).find((x) => x.lockerNumber === locker);
}

/** From the home page: menu -> storage -> a size -> `duration`; returns with the PIN page shown. */
async function startStorage(w: KioskWorld, duration: 'fixed' | 'no-end' | { hours: number }): Promise<void> {
  const kiosk = w.bank.kiosk!;
  await kiosk.expectPage('home');
  await kiosk.keypad('enter'); // Enter with nothing typed: the menu
  await kiosk.expectPage('menu');
  await kiosk.select('storage');
  await kiosk.expectPage('storage-size');
  const size = kiosk.engine.screen.options.find((o) => o.id.startsWith('size-'));
  if (!size) throw new Error('no size offered for storage');
  await kiosk.select(size.id);
  await kiosk.expectPage('storage-duration');
  if (typeof duration === 'string') await kiosk.select(duration);
  else {
    await kiosk.select('chosen');
    await kiosk.expectPage('storage-hours');
    await kiosk.type(String(duration.hours));
  }
  await kiosk.expectPage('storage-pin');
}

/** Types and confirms the PIN; waits for the one door that opens; returns it. */
async function setPinAndOpen(w: KioskWorld, pin: string): Promise<number> {
  const kiosk = w.bank.kiosk!;
  await kiosk.type(pin);
  await kiosk.expectPage('storage-pin-confirm');
  await kiosk.type(pin);
  await kiosk.expectPage('storage-open');
  const open = doorsOpen(w.bank);
  if (open.length !== 1) throw new Error(`expected one open door, got ${JSON.stringify(open)}`);
  return Number(open[0]!.split('/')[1]);
}

/** The person shuts the door and touches "done": back home. */
async function closeAndLeave(w: KioskWorld): Promise<void> {
  const kiosk = w.bank.kiosk!;
  w.bank.closeAllDoors();
  await kiosk.select('done');
  await kiosk.expectPage('home');
}

t.test('storage for a chosen time: PIN set at the kiosk -> occupied in the cloud; open again, extend, end', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const max = desiredOf(w).rules.maxStorageH;

  // More than the bank's maximum is refused with the range named; 2 hours is fine.
  await kiosk.expectPage('home');
  await kiosk.keypad('enter');
  await kiosk.select('storage');
  await kiosk.select(kiosk.engine.screen.options.find((o) => o.id.startsWith('size-'))!.id);
  await kiosk.expectPage('storage-duration');
  await kiosk.select('chosen');
  await kiosk.expectPage('storage-hours');
  await kiosk.type(String(max + 1));
  t.equal(kiosk.engine.screen.page, 'storage-hours', `${max + 1} hours is refused (maxStorageH ${max})`);
  t.ok(kiosk.engine.screen.error, 'an error is shown');
  t.same(doorsOpen(w.bank), [], 'nothing opened');
  const before = Date.now();
  await kiosk.type('2');
  await kiosk.expectPage('storage-pin');
  const door = await setPinAndOpen(w, PIN);
  const locker = lockerOfDoor(w, door);
  t.same(doorsOpen(w.bank), [`1/${door}`], `one free locker opened (locker ${locker})`);
  const start = await txStored(w, 'storage-start', (x) => x.kind === 'storage-start');
  t.match(start, { kind: 'storage-start', doors: [door], actor: { role: 'recipient' } });
  // (The kiosk's clock is its estimate of cloud time: within a few seconds of this process's `Date`.)
  t.ok(Math.abs(start.endsAt! - (before + 2 * HOUR)) < 5000, 'the event carries the chosen end (2 h from now)');
  await lockerStatus(w, locker, 'occupied');
  let r = await liveReservationOn(w, locker);
  t.match(r, { kind: 'storage', status: 'occupied', endsAt: start.endsAt }, 'the cloud holds a storage reservation ending at the chosen time');
  t.notOk(JSON.stringify(w.rec.received).includes(`"${PIN}"`), 'the PIN never left the kiosk');
  await closeAndLeave(w);

  // Open again while active.
  await kiosk.type(PIN);
  await kiosk.expectPage('storage-active');
  t.same(kiosk.engine.screen.options.map((o) => o.id), ['open', 'extend', 'end', 'done'], 'open, extend, end offered');
  await kiosk.select('open');
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the same locker opened again');
  await txStored(w, 'storage-open', (x) => x.kind === 'storage-open' && x.doors.includes(door));
  t.equal((await lockerApi(w, locker)).status, 'occupied', 'still occupied after storage-open');
  await closeAndLeave(w);

  // Extend by one hour: the cloud's reservation end moves.
  await kiosk.type(PIN);
  await kiosk.expectPage('storage-active');
  await kiosk.select('extend');
  await kiosk.expectPage('storage-extend');
  await kiosk.type('1');
  await kiosk.expectPage('storage-active');
  t.same(doorsOpen(w.bank), [], 'extending opens nothing');
  const ext = await txStored(w, 'storage-extend', (x) => x.kind === 'storage-extend');
  t.equal(ext.endsAt, start.endsAt! + HOUR, 'storage-extend carries the new end, one hour later');
  await expectCondition(async () => (r = await liveReservationOn(w, locker))?.endsAt === ext.endsAt, 5000, 'the cloud reservation end moved');
  t.pass('the cloud\'s reservation end moved by the hour');
  t.match(r, { status: 'occupied', kind: 'storage' });
  await kiosk.select('done');
  await kiosk.expectPage('home');

  // End: the door opens for the belongings, the locker is available again.
  await kiosk.type(PIN);
  await kiosk.expectPage('storage-active');
  await kiosk.select('end');
  await kiosk.column.expectDoor(door, true);
  await txStored(w, 'storage-end', (x) => x.kind === 'storage-end' && x.doors.includes(door));
  await lockerStatus(w, locker, 'available');
  t.pass(`locker ${locker} is available in the API after storage-end`);
  t.equal(await liveReservationOn(w, locker), undefined, 'no live reservation on it');
  await closeAndLeave(w);
  // The PIN is spent: typing it again opens nothing and is a failed sign-in.
  await kiosk.type(PIN);
  t.same(doorsOpen(w.bank), [], 'the ended storage\'s PIN opens nothing');
  t.same((await storedTransactions(w)).map((x) => x.kind), ['storage-start', 'storage-open', 'storage-extend', 'storage-end'], 'each step stored once, in order');
  w.rec.expectSchemasMatched(t);
});

t.test('storage until the end of the day, and with no end (asked at each opening whether to end)', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  const dayEnd = kiosk.engine.dayEndAfter(Date.now());
  t.equal(new Date(dayEnd).getHours(), 22, 'the storage day ends at 22:00 local time');

  // Fixed end: the end of the day.
  await startStorage(w, 'fixed');
  const fixedDoor = await setPinAndOpen(w, '1111');
  const fixedLocker = lockerOfDoor(w, fixedDoor);
  const fixed = await txStored(w, 'storage-start (fixed)', (x) => x.kind === 'storage-start' && x.doors.includes(fixedDoor));
  t.equal(fixed.endsAt, dayEnd, 'ends at the end of the storage day');
  await lockerStatus(w, fixedLocker, 'occupied');
  t.match(await liveReservationOn(w, fixedLocker), { kind: 'storage', endsAt: dayEnd });
  await closeAndLeave(w);

  // The same PIN cannot be taken twice at the kiosk.
  await startStorage(w, 'no-end');
  await kiosk.type('1111');
  t.equal(kiosk.engine.screen.page, 'storage-pin', 'a PIN in use is refused');
  t.ok(kiosk.engine.screen.error);
  const openDoor = await setPinAndOpen(w, '2222');
  t.not(openDoor, fixedDoor, 'another free locker');
  const openLocker = lockerOfDoor(w, openDoor);
  const noEnd = await txStored(w, 'storage-start (no end)', (x) => x.kind === 'storage-start' && x.doors.includes(openDoor));
  t.equal(noEnd.endsAt, undefined, 'no end time');
  await lockerStatus(w, openLocker, 'occupied');
  t.match(await liveReservationOn(w, openLocker), { kind: 'storage', storageMode: 'open' });
  await closeAndLeave(w);

  // With no end, each opening asks whether to end: keep -> it opens, still occupied.
  await kiosk.type('2222');
  await kiosk.expectPage('storage-active');
  t.same(kiosk.engine.screen.options.map((o) => o.id), ['open', 'end', 'done'], 'no extend without an end time');
  await kiosk.select('open');
  await kiosk.expectPage('storage-ask-end');
  t.same(doorsOpen(w.bank), [], 'asked before opening');
  await kiosk.select('keep');
  await kiosk.column.expectDoor(openDoor, true);
  await txStored(w, 'storage-open', (x) => x.kind === 'storage-open' && x.doors.includes(openDoor));
  t.equal((await lockerApi(w, openLocker)).status, 'occupied', 'kept: still occupied');
  await closeAndLeave(w);
  // ... end -> it opens, and the locker is available.
  await kiosk.type('2222');
  await kiosk.select('open');
  await kiosk.expectPage('storage-ask-end');
  await kiosk.select('end');
  await kiosk.column.expectDoor(openDoor, true);
  await txStored(w, 'storage-end', (x) => x.kind === 'storage-end' && x.doors.includes(openDoor));
  await lockerStatus(w, openLocker, 'available');
  t.pass(`locker ${openLocker} is available after ending the storage`);
  t.equal((await lockerApi(w, fixedLocker)).status, 'occupied', 'the other storage is untouched');
  await closeAndLeave(w);
  w.rec.expectSchemasMatched(t);
});

t.test('at the end of the storage day the kiosk ends a storage by itself: the belongings stay, the cloud must not offer the locker', async (t) => {
  // Date faked before anything starts, jumped to the end of the day.
  const { w, clock, kioskNow } = await kioskWorldOnFakedDate(t);
  const kiosk = w.bank.kiosk!;
  const dayEnd = kiosk.engine.dayEndAfter(Date.now());
  await startStorage(w, 'no-end');
  // The kiosk's end-of-day timer is a real setTimeout of several hours: spied on (calls go through) to run it once
  // the faked clock is past the end of the day.
  const timers = spyOnSetTimeout(t);
  const door = await setPinAndOpen(w, '5555');
  timers.restore();
  const locker = lockerOfDoor(w, door);
  await txStored(w, 'storage-start', (x) => x.kind === 'storage-start');
  await lockerStatus(w, locker, 'occupied');
  await closeAndLeave(w);
  const dayTimer = timers.getCalls().find((c) => typeof c.args[1] === 'number' && Math.abs(c.args[1] - (dayEnd - kioskNow())) < 60_000);
  t.ok(dayTimer, 'the kiosk armed its end-of-day timer');

  for (let k = 0; k < 5 && kioskNow() <= dayEnd; k++) clock.tick(dayEnd - kioskNow() + 1000);
  t.ok(kioskNow() > dayEnd, 'the clock is past the end of the storage day');
  clearTimeout(dayTimer!.returnValue as NodeJS.Timeout);
  (dayTimer!.args[0] as () => void)();
  const end = await txStored(w, 'storage-end', (x) => x.kind === 'storage-end');
  t.match(end, { doors: [door], actor: { role: 'system' } }, 'the kiosk ended the storage by itself (system)');
  t.same(doorsOpen(w.bank), [], 'the door stays shut with the belongings inside');
  await kiosk.type('5555');
  t.same(doorsOpen(w.bank), [], 'the PIN no longer opens it (staff remove expired belongings)');
  // The cloud: the locker still holds the belongings, so it must not be available for a new parcel.
  const token = await login(w.cloud); // the jump outlived the first session token
  const w2: KioskWorld = { ...w, token };
  await expectCondition(async () => (await api(w.cloud, 'GET', `/banks/${w.bankId}/lockers/${locker}`, token)).status === 200, 3000, 'the API answers');
  await sleepUntilApplied(w2);
  const status = (await lockerApi(w2, locker)).status;
  t.not(status, 'available', `locker ${locker} is not offered as available while the belongings are inside (it is ${status})`);
  w.rec.expectSchemasMatched(t);
});

/** Waits until the cloud applied every stored event of the kiosk controller to the domain. */
async function sleepUntilApplied(w: KioskWorld): Promise<void> {
  const last = Math.max(0, ...(await w.cloud.journal.read(w.kioskId)).map((e) => e.seq));
  await expectCondition(() => w.cloud.ingest.appliedUpTo(w.kioskId) >= last, 5000, 'the cloud applied the kiosk\'s events');
}
