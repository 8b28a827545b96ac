// End to end, a door left open at the kiosk: a blind user (headphones plugged, audio mode) picks up a parcel
// and walks away without shutting the door. When the door has been open for the door supervision time (120 s by
// default), the kiosk shows and speaks a warning naming the locker, and the controller reports `door-left-open`,
// which the cloud stores and raises as an alert; shutting the door clears the warning. Whole system: cloud +
// embedded broker + real controller + simulated bank.
//
// Time: `Date` is faked for cloud and controller alike before anything starts (sinon, advancing with real time so
// real I/O keeps working) and jumped over the two minutes; the door controller judges "open for how long" from
// `Date.now()` at each poll of the virtual lock board, so its next poll sees the door left open.
import { expectCondition, expectEvent } from '../helpers.ts';
import { doorsOpen, droppedParcel, kioskWorldOnFakedDate, pickedUp } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

t.test('a door left open after a pickup: warned on screen and by voice, reported, stored; shutting it clears the warning', async (t) => {
  const { w, clock } = await kioskWorldOnFakedDate(t);
  const kiosk = w.bank.kiosk!;
  const ctl = kiosk.column.controller;
  const leftOpenS = ctl.link!.desired.desired!.state.timers.doorLeftOpenS;
  const { reservationId, locker, door, code } = await droppedParcel(t, w, 'E2E-LEFT-OPEN-1');

  await kiosk.expectPage('home');
  kiosk.headphones.plug();
  await expectCondition(() => kiosk.engine.screen.audio, 3000, 'audio mode on');
  await kiosk.type(code);
  await kiosk.column.expectDoor(door, true);
  await pickedUp(w, reservationId, locker);
  t.equal(kiosk.engine.screen.warning, undefined, 'no warning while the door has just opened');
  const spokenBefore = kiosk.audio.spoken().length;

  // Two minutes pass with the door open (the person walked away).
  clock.tick(leftOpenS * 1000 - 5000);
  // The door controller judges at each poll of the lock board: three polls after the jump, it has judged.
  for (let i = 0; i < 3; i++) await expectEvent(kiosk.column.boards, 'command', 3000, { description: 'a poll of the lock board' });
  t.notOk(kiosk.column.events.some((e) => e.body.type === 'door-left-open'), `not reported ${leftOpenS - 5} s after opening`);
  clock.tick(5000 + 100);
  const local = await kiosk.column.expectEvent((e) => e.body.type === 'door-left-open' && (e.body as { door: number }).door === door, 3000);
  t.ok((local.body as { openForMs: number }).openForMs >= leftOpenS * 1000, `the controller reported the door open for ${(local.body as { openForMs: number }).openForMs} ms`);
  await expectCondition(() => kiosk.engine.screen.warning?.key === 'warning.doorLeftOpen', 3000, 'the warning on screen');
  t.match(kiosk.engine.screen.warning, { key: 'warning.doorLeftOpen' }, 'the screen warns to close the locker');
  await expectCondition(() => kiosk.audio.spoken('en').slice(spokenBefore).some((s) => s.startsWith('Please close') && s.includes(`locker ${locker}`)), 3000, 'the warning spoken');
  t.pass('the warning was spoken, naming the locker');

  // The cloud stores the event (once) and raises an alert.
  let stored: Array<{ door: number; openForMs: number }> = [];
  await expectCondition(
    async () => (stored = (await w.cloud.journal.read(w.kioskId)).flatMap((e) => (e.event.type === 'door-left-open' ? [e.event as { door: number; openForMs: number }] : []))).length > 0,
    5000,
    'door-left-open stored by the cloud',
  );
  t.match(stored, [{ door }], 'door-left-open stored once for that door');
  await expectCondition(() => w.cloud.ingest.alerts(w.bankId).some((a) => a.kind === 'door-left-open'), 3000, 'an alert raised');
  t.match(w.cloud.ingest.alerts(w.bankId).find((a) => a.kind === 'door-left-open'), { lockerNumber: locker, door, controllerId: w.kioskId });

  // Shutting the door clears the warning.
  kiosk.column.door(door).close();
  await kiosk.column.expectDoor(door, false);
  await expectCondition(() => kiosk.engine.screen.warning === undefined, 3000, 'the warning cleared');
  t.pass('the warning is gone once the door is shut');
  t.same(doorsOpen(w.bank), []);
  w.rec.expectSchemasMatched(t);
});
