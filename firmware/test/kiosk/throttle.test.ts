import t from 'tap';
import { LoginThrottle } from '../../src/kiosk/throttle.ts';
import { CODES, createKiosk } from './helpers.ts';

t.test('20 wrong codes in a row get slower, then lock the kiosk; a valid code works after the lock-out', async (t) => {
  const k = createKiosk(t, { timers: { returnHomeOnInactivityS: 600 } });
  const waits: number[] = [];
  let lockedAt = 0;
  for (let i = 1; i <= 20; i++) {
    const screen = k.engine.screen;
    if (screen.page === 'locked-out') {
      // The keypad does nothing while locked: the code is not even checked.
      const before = k.sink.events.length;
      await k.type(`00000${i % 10}`);
      t.equal(k.engine.screen.page, 'locked-out', `attempt ${i} refused while locked out`);
      t.equal(k.sink.events.length, before, `attempt ${i} not checked`);
      continue;
    }
    const wait = Math.max(0, (screen.waitUntil ?? 0) - Date.now());
    waits.push(wait);
    if (wait > 0) await k.tick(wait);
    await k.type(`00000${i % 10}`);
    if (k.engine.screen.page === 'locked-out') lockedAt = i;
  }
  t.same(waits, [0, 0, 0, 0, 1000, 2000, 4000, 8000, 16_000, 30_000], 'each further failure waits longer, capped');
  t.equal(lockedAt, 10, 'locked out at the tenth failure');
  const failures = k.sink.ofType('login-failure');
  t.same(failures.map((f) => f.attempts), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.ok(failures.every((f) => f.method === 'code'));
  t.equal(failures[9]?.lockedOutUntil, Date.now() + 5 * 60_000 - 0, 'the last one carries the end of the lock-out');
  t.match(k.text(), /locked for 5 minutes/);
  t.same(k.doors.unlocked, []);

  await k.tick(5 * 60_000 - 1);
  t.equal(k.engine.screen.page, 'locked-out');
  await k.tick(1);
  t.equal(k.engine.screen.page, 'home', 'the lock-out ended');
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2], 'a valid code works again');
  t.equal(k.engine.throttle.attempts, 0);
});

t.test('the clock corrected past the lock-out (its timer not fired yet): the next key ends it', async (t) => {
  const k = createKiosk(t, { timers: { returnHomeOnInactivityS: 600 } });
  for (let i = 0; i < 10; i++) {
    const wait = Math.max(0, (k.engine.screen.waitUntil ?? 0) - Date.now());
    if (wait > 0) await k.tick(wait);
    await k.type('000000');
  }
  t.equal(k.engine.screen.page, 'locked-out');
  await k.engine.keypad('1');
  t.equal(k.engine.screen.page, 'locked-out', 'a key during the lock-out does nothing');
  // NTP moves the wall clock six minutes on; no timer has fired.
  k.clock.setSystemTime(Date.now() + 6 * 60_000);
  t.equal(k.engine.screen.page, 'locked-out');
  await k.engine.keypad('1');
  t.equal(k.engine.screen.page, 'home', 'the key woke the kiosk: the lock-out is over by the clock');
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2], 'a valid code works');
});

t.test('an attempt during the wait is refused without being checked or counted', async (t) => {
  const k = createKiosk(t);
  for (let i = 0; i < 4; i++) await k.type('123456');
  t.equal(k.sink.ofType('login-failure').length, 4);
  await k.type(CODES.pickup);
  t.match(k.text(), /Please wait 1 seconds/);
  t.same(k.doors.unlocked, [], 'even a valid code waits');
  t.equal(k.sink.ofType('login-failure').length, 4, 'not counted');
  await k.tick(1000);
  await k.type(CODES.pickup);
  t.same(k.doors.unlocked, [2]);
});

t.test('throttling is per kiosk: badges, scans and codes share the count; success resets it', async (t) => {
  const k = createKiosk(t, { rules: { contactless: true } });
  await k.engine.badge('NOT-A-BADGE');
  await k.engine.scan('NOT-A-QR');
  await k.type('999999');
  const f = k.sink.ofType('login-failure');
  t.same(f.map((x) => [x.method, x.attempts]), [['badge', 1], ['qr', 2], ['code', 3]]);
  await k.engine.badge(CODES.operatorBadge);
  t.equal(k.engine.screen.page, 'staff-menu');
  t.equal(k.engine.throttle.attempts, 0);
});

t.test('LoginThrottle arithmetic', async (t) => {
  const th = new LoginThrottle({ freeAttempts: 1, baseDelayMs: 100, maxDelayMs: 250, lockoutAfter: 4, lockoutMs: 1000 });
  t.same(th.fail(0), { attempts: 1 });
  t.same(th.fail(0), { attempts: 2, waitUntil: 100 });
  t.same(th.gate(50), { allowed: false, until: 100, lockedOut: false });
  t.same(th.fail(100), { attempts: 3, waitUntil: 300 });
  t.same(th.fail(300), { attempts: 4, lockedOutUntil: 1300 });
  t.same(th.gate(1299), { allowed: false, until: 1300, lockedOut: true });
  t.same(th.gate(1300), { allowed: true });
  t.equal(th.attempts, 0);
});
