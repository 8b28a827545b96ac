// End to end, throttling: 20 wrong codes in a row at the kiosk of a simulated bank (real controller, real
// kiosk engine) on the whole cloud. The first failures are answered at once, then each one makes the kiosk wait
// longer (an attempt during the wait is refused unchecked), the tenth locks the kiosk for 5 minutes (the keypad does
// nothing, not even the right code); every failure is stored in the cloud as a `login-failure` event, the last one
// with `lockedOutUntil`; after the lock-out a valid code opens the right door.
//
// Time: everything runs in this one process (the sim bank runs the controllers in-process), so `Date` is faked for
// cloud and controller alike (sinon, advancing with real time so real I/O and its timeouts keep working) and jumped
// over each wait and over the lock-out. The one timer that must follow the jump is the kiosk's lock-out page timer
// (a real setTimeout of the lock-out's length): `setTimeout` is spied on (calls go through unchanged) to find it, and
// once the clock is past the lock-out it is run at once instead of five real minutes later.
import { expectCondition } from '../helpers.ts';
import { doorsOpen, droppedParcel, kioskWorldOnFakedDate, shutAndCheckSchemas, spyOnSetTimeout, type KioskWorld, pickedUp } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

const LOCKOUT_MS = 5 * 60_000;

interface LoginFailure {
  type: 'login-failure';
  method: string;
  attempts: number;
  lockedOutUntil?: number;
}

async function storedFailures(w: KioskWorld): Promise<LoginFailure[]> {
  return (await w.cloud.journal.read(w.kioskId)).flatMap((e) => (e.event.type === 'login-failure' ? [e.event as LoginFailure] : []));
}

t.test('20 wrong codes in a row: slower and slower, then locked out 5 minutes; a valid code opens after', async (t) => {
  const { w, clock, kioskNow } = await kioskWorldOnFakedDate(t);
  const kiosk = w.bank.kiosk!;
  // A parcel for alice, dropped off through the API; its code is the valid one.
  const { reservationId, locker, door, code } = await droppedParcel(t, w, 'E2E-LOCKOUT-1');
  await kiosk.expectPage('home');

  const timers = spyOnSetTimeout(t);

  const wrong = (i: number): string => {
    const c = `90${String(i).padStart(2, '0')}1357`;
    return c === code ? '99999999' : c;
  };
  const waits: number[] = [];
  let refusedDuringWait = 0;
  let ignoredWhileLocked = 0;
  let refusedThisWait = false;
  let lockedAt = 0;
  let lockStartedAt = 0;
  for (let i = 1; i <= 20; i++) {
    const screen = kiosk.engine.screen;
    const attempts = kiosk.engine.throttle.attempts;
    if (screen.page === 'locked-out') {
      // Locked: the keypad does nothing, the code is not even checked (the last one is the right code).
      await kiosk.type(i === 20 ? code : wrong(i));
      t.equal(kiosk.engine.screen.page, 'locked-out', `code ${i} ignored while locked out`);
      t.equal(kiosk.engine.throttle.attempts, attempts, `code ${i} not counted`);
      ignoredWhileLocked++;
    } else if (screen.waitUntil !== undefined && screen.waitUntil > kioskNow() && !refusedThisWait) {
      // During the wait: refused without being checked or counted.
      await kiosk.type(wrong(i));
      t.equal(kiosk.engine.screen.error?.key, 'error.wait', `code ${i} during the wait is refused: "please wait"`);
      t.equal(kiosk.engine.throttle.attempts, attempts, `code ${i} not counted`);
      refusedThisWait = true;
      refusedDuringWait++;
    } else {
      // The clock jumps over the wait, then the code is checked, fails, and sets the next wait. The kiosk's time is
      // the controller's estimate of cloud time: at least the last cloud timestamp plus the MONOTONIC time since, which
      // runs ahead of the faked Date when the event loop is busy (sinon advances it in fixed steps): jump until past.
      const due = screen.waitUntil ?? 0;
      for (let k = 0; k < 5 && kioskNow() < due; k++) clock.tick(due - kioskNow() + 50);
      if (kioskNow() < due) t.fail(`the kiosk clock did not follow the jump: ${kioskNow()} < ${due}`);
      const at = kioskNow();
      await kiosk.type(wrong(i));
      const next = kiosk.engine.throttle.snapshot().nextAllowedAt;
      waits.push(next > at ? Math.round((next - at) / 100) * 100 : 0);
      t.equal(kiosk.engine.throttle.attempts, waits.length, `code ${i} checked and counted as failure ${waits.length}`, { screen: kiosk.engine.screen, throttle: kiosk.engine.throttle.snapshot(), kioskNow: kioskNow(), now: Date.now() });
      refusedThisWait = false;
      if (kiosk.engine.screen.page === 'locked-out') {
        lockedAt = i;
        lockStartedAt = kioskNow();
      }
    }
  }
  t.same(waits.slice(0, 9), [0, 0, 0, 1000, 2000, 4000, 8000, 16_000, 30_000], 'each failure past the third makes the next attempt wait longer (doubling, capped at 30 s)');
  t.equal(refusedDuringWait, 6, 'a code typed during each of the six waits was refused unchecked');
  t.equal(lockedAt, 10 + refusedDuringWait, 'the tenth counted failure locked the kiosk');
  t.equal(10 + refusedDuringWait + ignoredWhileLocked, 20, '20 wrong codes in a row (the last one was the right code, typed while locked)');
  t.same(doorsOpen(w.bank), [], 'nothing opened, not even for the right code while locked out');
  t.match(kiosk.engine.screen.lines, [{ key: 'error.lockedOut', params: { minutes: 5 } }], 'the kiosk says it is locked for 5 minutes');

  // Stored in the cloud: ten failures, counted in a row, the last with the end of the lock-out.
  let failures: LoginFailure[] = [];
  await expectCondition(async () => (failures = await storedFailures(w)).length >= 10, 8000, 'ten login-failure events stored by the cloud');
  t.same(failures.map((f) => f.attempts), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'each counted failure stored once, in a row');
  t.ok(failures.every((f) => f.method === 'code'), 'typed on the keypad');
  t.ok(failures.slice(0, 9).every((f) => f.lockedOutUntil === undefined), 'no lock-out before the tenth');
  const lockedOutUntil = failures[9]!.lockedOutUntil!;
  t.ok(lockedOutUntil >= lockStartedAt + LOCKOUT_MS - 1000 && lockedOutUntil <= lockStartedAt + LOCKOUT_MS, 'the tenth carries the end of the lock-out: 5 minutes on');

  // The kiosk's lock-out page timer: a real setTimeout of (about) the lock-out's length, armed by the kiosk engine.
  const lockTimer = timers.getCalls().find((c) => typeof c.args[1] === 'number' && c.args[1] > LOCKOUT_MS - 60_000 && c.args[1] <= LOCKOUT_MS);
  t.ok(lockTimer, 'the kiosk armed its lock-out timer');
  timers.restore();

  // Just before the end: still locked.
  clock.tick(Math.max(0, lockedOutUntil - kioskNow() - 2000));
  await kiosk.type(code);
  t.equal(kiosk.engine.screen.page, 'locked-out', 'still locked just before the end');
  t.same(doorsOpen(w.bank), []);
  // Past the end: the lock-out timer fires (run now, as the jumped clock says it is due) and the home page returns.
  for (let k = 0; k < 5 && kioskNow() <= lockedOutUntil; k++) clock.tick(lockedOutUntil - kioskNow() + 50);
  t.ok(kioskNow() > lockedOutUntil, 'the kiosk\'s clock is past the lock-out');
  clearTimeout(lockTimer!.returnValue as NodeJS.Timeout);
  (lockTimer!.args[0] as () => void)();
  await kiosk.expectPage('home');
  t.pass('the lock-out ended: home page');
  await kiosk.type(code);
  await kiosk.column.expectDoor(door, true);
  t.same(doorsOpen(w.bank), [`1/${door}`], 'the valid code opens the right door after the lock-out');
  await pickedUp(w, reservationId, locker);
  t.equal(kiosk.engine.throttle.attempts, 0, 'the count starts again');
  t.equal((await storedFailures(w)).length, 10, 'no further failure stored');
  shutAndCheckSchemas(t, w);
});
