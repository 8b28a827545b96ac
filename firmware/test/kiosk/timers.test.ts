import t from 'tap';
import { DEFAULT_KIOSK_TIMERS } from '@portier/protocol';
import { KioskError } from '../../src/kiosk/errors.ts';
import { parseKioskTimers, validateKioskTimers } from '../../src/kiosk/timers.ts';
import sinon from 'sinon';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import { KioskEngine } from '../../src/kiosk/engine.ts';
import type { KeypadKey } from '../../src/kiosk/view.ts';
import { CODES, CREDENTIAL_KEY, FakeDoors, FakeState, RecordingSink, T0, createKiosk, desiredState } from './helpers.ts';

t.test('timer validation: defaults, ranges and combinations, with the field named', async (t) => {
  t.same(validateKioskTimers({}), { ok: true, timers: DEFAULT_KIOSK_TIMERS }, 'missing fields take the defaults');
  const cases: Array<[object, string]> = [
    [{ lockerAccessAfterPickupS: -1 }, 'lockerAccessAfterPickupS'],
    [{ returnHomeAfterPickupS: 2 }, 'returnHomeAfterPickupS'],
    [{ returnHomeOnInactivityS: 601 }, 'returnHomeOnInactivityS'],
    [{ adminSessionTimeoutS: 29 }, 'adminSessionTimeoutS'],
    [{ doorLeftOpenS: 5 }, 'doorLeftOpenS'],
    [{ returnHomeOnInactivityS: 1.5 }, 'returnHomeOnInactivityS'],
    [{ returnHomeAfterPickupS: 90, returnHomeOnInactivityS: 60 }, 'returnHomeAfterPickupS'],
    [{ adminSessionTimeoutS: 60, returnHomeOnInactivityS: 120 }, 'adminSessionTimeoutS'],
    [{ lockerAccessAfterPickupS: 10, returnHomeAfterPickupS: 15 }, 'lockerAccessAfterPickupS'],
  ];
  for (const [input, field] of cases) {
    const r = validateKioskTimers(input);
    t.equal(r.ok, false, `${JSON.stringify(input)} refused`);
    if (!r.ok) t.equal(r.problems[0]?.field, field, `names ${field}`);
  }
  t.equal(validateKioskTimers({ lockerAccessAfterPickupS: 0 }).ok, true, '0 turns the grace reopen off');
  const several = validateKioskTimers({ returnHomeAfterPickupS: 1, doorLeftOpenS: 1 });
  t.same(!several.ok && several.problems.map((p) => p.field).sort(), ['doorLeftOpenS', 'returnHomeAfterPickupS'], 'every problem at once');
  t.equal(validateKioskTimers({ surprise: 1 }).ok, false, 'unknown fields refused');
  try {
    parseKioskTimers({ adminSessionTimeoutS: 10 });
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof KioskError);
    t.match(err, { code: 'INVALID_TIMERS', field: 'adminSessionTimeoutS' });
  }
});

t.test('"Return to Home on Inactivity" fires exactly at its setting, and activity restarts it', async (t) => {
  const k = createKiosk(t, { timers: { returnHomeOnInactivityS: 20, returnHomeAfterPickupS: 5 } });
  await k.press('enter');
  t.equal(k.engine.screen.page, 'menu');
  await k.tick(19_999);
  t.equal(k.engine.screen.page, 'menu');
  await k.tick(1);
  t.equal(k.engine.screen.page, 'home');

  await k.press('enter');
  await k.tick(15_000);
  await k.press('repeat'); // any key is activity
  await k.tick(19_999);
  t.equal(k.engine.screen.page, 'menu', 'restarted by the key');
  await k.tick(1);
  t.equal(k.engine.screen.page, 'home');
});

t.test('half-typed code and a chosen language are dropped on inactivity', async (t) => {
  const k = createKiosk(t, { timers: { returnHomeOnInactivityS: 30 } });
  await k.engine.setLanguage('fr');
  await k.type('48', false);
  t.equal(k.engine.screen.input?.length, 2);
  await k.tick(30_000);
  t.equal(k.engine.screen.input?.length, 0);
  t.equal(k.engine.screen.lang, 'en');
});

t.test('"Return to Home After Pickup" fires exactly at its setting, even with the door still open', async (t) => {
  const k = createKiosk(t, { timers: { returnHomeAfterPickupS: 7 } });
  const ended: string[] = [];
  k.engine.on('session-ended', (e) => ended.push(e.reason));
  await k.type(CODES.pickup);
  t.equal(k.engine.screen.page, 'pickup');
  await k.press('repeat'); // does not extend it: the timer runs from the opening
  await k.tick(6_999);
  t.equal(k.engine.screen.page, 'pickup');
  await k.tick(1);
  t.equal(k.engine.screen.page, 'home');
  t.same(ended, ['done']);
  t.ok(k.doors.open.has(2), 'the door is still open: the session did not wait for it');
});

t.test('"Admin Session Timeout" signs staff out exactly at its setting', async (t) => {
  const k = createKiosk(t, { timers: { adminSessionTimeoutS: 90, returnHomeOnInactivityS: 60 } });
  const ended: string[] = [];
  k.engine.on('session-ended', (e) => ended.push(e.reason));
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('dropoff');
  await k.tick(60_000);
  t.equal(k.engine.screen.page, 'dropoff-tracking', 'staff are not sent home by the public inactivity timer');
  await k.tick(29_999);
  t.equal(k.engine.screen.page, 'dropoff-tracking');
  await k.tick(1);
  t.equal(k.engine.screen.page, 'home');
  t.equal(k.engine.screen.role, undefined, 'signed out');
  t.same(ended, ['timeout']);
});

t.test('"Locker Access After Pickup": reopen allowed until exactly its setting', async (t) => {
  t.test('one millisecond before', async (t) => {
    const k = createKiosk(t, { timers: { lockerAccessAfterPickupS: 30, returnHomeAfterPickupS: 5 }, rules: { openAllAtOnce: true } });
    await k.type(CODES.pickup);
    k.doors.close(2);
    k.doors.close(3);
    await k.tick(29_999);
    t.equal(k.engine.screen.page, 'home');
    await k.type(CODES.pickup);
    t.equal(k.engine.screen.page, 'reopen');
    await k.engine.select('reopen');
    t.same(k.doors.unlocked, [2, 3, 2, 3]);
  });
  t.test('at the setting', async (t) => {
    const k = createKiosk(t, { timers: { lockerAccessAfterPickupS: 30, returnHomeAfterPickupS: 5 }, rules: { openAllAtOnce: true } });
    await k.type(CODES.pickup);
    k.doors.close(2);
    k.doors.close(3);
    await k.tick(30_000);
    await k.type(CODES.pickup);
    t.not(k.engine.screen.page, 'reopen');
    t.match(k.text(), /already been used/);
    t.same(k.doors.unlocked, [2, 3]);
  });
  t.test('the reopen option on the pickup page disappears at the setting', async (t) => {
    const k = createKiosk(t, { timers: { lockerAccessAfterPickupS: 20, returnHomeAfterPickupS: 20, returnHomeOnInactivityS: 60 } });
    await k.type(CODES.pickup);
    k.doors.close(2);
    await k.engine.settled();
    t.ok(k.engine.screen.options.some((o) => o.id === 'reopen'));
    await k.tick(19_999);
    await k.engine.select('reopen');
    t.same(k.doors.unlocked, [2, 2]);
  });
});

t.test('desired timers breaking a kiosk rule are refused: the kiosk keeps its last good timers', async (t) => {
  const k = createKiosk(t, { timers: { returnHomeOnInactivityS: 40 } });
  k.state.set(desiredState({ timers: { returnHomeOnInactivityS: 300, adminSessionTimeoutS: 60 } }));
  await k.engine.settled();
  t.equal(k.engine.timers.returnHomeOnInactivityS, 40);
  await k.press('enter');
  await k.tick(40_000);
  t.equal(k.engine.screen.page, 'home');
});

t.test('a door left open is warned about, reported once, and the warning clears when it shuts', async (t) => {
  const k = createKiosk(t, { timers: { doorLeftOpenS: 45, returnHomeAfterPickupS: 10 } });
  const warnings: number[] = [];
  k.engine.on('warning', (w) => warnings.push(w.door));
  await k.type(CODES.pickup);
  await k.tick(10_000);
  t.equal(k.engine.screen.page, 'home', 'the session went home meanwhile');
  await k.tick(34_999);
  t.same(warnings, []);
  t.same(k.sink.ofType('door-left-open'), []);
  await k.tick(1);
  t.same(warnings, [2]);
  t.same(k.sink.ofType('door-left-open'), [{ type: 'door-left-open', door: 2, openForMs: 45_000 }]);
  t.match(k.text(), /WARNING Please close locker 12, column 2, third door from the top/);
  await k.tick(100_000);
  t.equal(k.sink.ofType('door-left-open').length, 1, 'reported once per opening');
  k.doors.close(2);
  await k.engine.settled();
  t.notMatch(k.text(), /WARNING/);
});

t.test('left-open from the door controller: warned, not reported twice', async (t) => {
  const k = createKiosk(t, { engine: { reportDoorLeftOpen: false }, timers: { doorLeftOpenS: 45 } });
  await k.type(CODES.pickup);
  k.doors.emitEvent({ type: 'door-left-open', door: 2, openForMs: 30_000 });
  await k.engine.settled();
  t.match(k.text(), /WARNING Please close locker 12/);
  await k.tick(60_000);
  t.same(k.sink.ofType('door-left-open'), [], 'the door controller reports it, not the kiosk');
});

t.test('the timers come through the timer port: a test passes its sinon clock and the process timers stay real', async (t) => {
  // Only Date is faked globally: a kiosk that used the global setTimeout would never see this clock's ticks.
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const doors = new FakeDoors();
  const state = new FakeState(desiredState({ rules: { openAllAtOnce: true }, timers: { returnHomeOnInactivityS: 20, doorLeftOpenS: 30, returnHomeAfterPickupS: 10 } }));
  const sink = new RecordingSink();
  const engine = new KioskEngine({ doors, state, sink, credentials: new DesiredStateCredentials(state, CREDENTIAL_KEY), clock: { now: () => clock.now }, timers: clock });
  engine.start();
  t.teardown(() => engine.stop());
  const tick = async (ms: number): Promise<void> => {
    await clock.tickAsync(ms);
    await engine.settled();
  };

  await engine.keypad('enter');
  t.equal(engine.screen.page, 'menu');
  await tick(19_999);
  t.equal(engine.screen.page, 'menu');
  await tick(1);
  t.equal(engine.screen.page, 'home', 'inactivity timer on the passed clock');

  for (const d of CODES.pickup) await engine.keypad(d as KeypadKey);
  await engine.keypad('enter');
  t.same(doors.unlocked, [2, 3]);
  await tick(30_000);
  t.equal(sink.ofType('door-left-open').length, 2, 'left-open supervision on the passed clock');
});
