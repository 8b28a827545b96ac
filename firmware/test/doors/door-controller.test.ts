// Door-controller acceptance tests, run over every lock-bus adapter on the simulator.
import t, { type Test } from 'tap';
import { DoorController, type DoorControllerOptions, type UnlockResult } from '../../src/doors/index.ts';
import type { BusFixture, BusFixtureOptions } from '../fixtures/types.ts';
import {
  FlakyBus,
  advance,
  advanceUntil,
  allFixtures,
  fakeClock,
  longestPulse,
  maxConcurrentEnergised,
  record,
  settle,
  type MakeFixture,
} from '../contract/harness.ts';

const EVENTS = [
  'door-opened',
  'door-closed',
  'door-forced',
  'door-left-open',
  'door-jammed',
  'sensor-flapping',
  'sensor-settled',
  'door-unknown',
  'lock-fault',
] as const;

const BASE = {
  maxPulseMs: 600,
  pulseMs: 300,
  pollMs: 50,
  jamWindowMs: 1000,
  leftOpenMs: 3000,
  flapChanges: 6,
  flapWindowMs: 2000,
  unknownAfterFailures: 3,
} satisfies Omit<DoorControllerOptions, 'bus'>;

for (const fx of await allFixtures()) {
  t.test(`door controller over ${fx.name}`, async (t) => {
    let clock: ReturnType<typeof fakeClock>;
    t.beforeEach(() => {
      clock = fakeClock();
    });
    t.afterEach(() => {
      clock.restore();
    });

    /** Builds fixture + controller, started; torn down at the end of the test. */
    async function setup(
      t: Test,
      fo: Partial<BusFixtureOptions> = {},
      co: Partial<DoorControllerOptions> = {},
      wrap?: (f: BusFixture) => FlakyBus,
    ) {
      const f = await (fx.make as MakeFixture)({ doorCount: 4, maxPulseMs: BASE.maxPulseMs, ...fo });
      const flaky = wrap?.(f);
      const ctl = new DoorController({ ...BASE, ...co, bus: flaky ?? f.bus });
      const events = record(ctl, [...EVENTS]);
      t.teardown(async () => {
        await ctl.stop();
        await f.cleanup();
      });
      await settle(clock, ctl.start());
      const named = (name: string) => events.filter((e) => e.name === name);
      return { f, ctl, events, named, flaky };
    }

    t.test('unlock opens the virtual door: opened (cause unlock) then closed', async (t) => {
      const { f, ctl, events } = await setup(t);
      const door2 = f.doors[1]!;
      const res = await settle(clock, ctl.unlock(2));
      t.same(res, { door: 2, outcome: 'opened', pulseMs: 300 });
      t.ok(door2.open, 'the virtual door is open');
      t.equal(ctl.status(2).state, 'open');
      await advance(clock, 500);
      door2.close();
      t.ok(await advanceUntil(clock, () => ctl.status(2).state === 'closed', 500), 'seen closed');
      t.same(
        events.map((e) => e.name),
        ['door-opened', 'door-closed'],
      );
      t.match(events[0]!.arg, { door: 2, cause: 'unlock' });
      t.match(events[1]!.arg, { door: 2 });
      t.ok(longestPulse(f.doors) <= BASE.maxPulseMs, `energised at most ${BASE.maxPulseMs} ms (${longestPulse(f.doors)})`);
    });

    t.test('a jammed lock: outcome jammed, door-jammed once, never opened', async (t) => {
      const { f, ctl, events, named } = await setup(t);
      f.doors[0]!.setBehaviour({ jammed: true });
      const res = await settle(clock, ctl.unlock(1));
      t.equal(res.outcome, 'jammed');
      await advance(clock, 3000);
      t.equal(named('door-jammed').length, 1, 'door-jammed once');
      t.equal(named('door-opened').length, 0, 'never reported opened');
      t.ok(f.doors[0]!.energised.length >= 1, 'the lock was pulsed');
      t.equal(ctl.status(1).state, 'closed');
      t.same(events.map((e) => e.name), ['door-jammed']);
    });

    t.test('a forced door: door-forced once, opened with cause forced', async (t) => {
      const { f, ctl, named } = await setup(t);
      f.doors[2]!.force();
      await advance(clock, 1000);
      t.equal(named('door-forced').length, 1, 'door-forced once');
      t.same(named('door-opened').map((e) => e.arg), [{ door: 3, cause: 'forced', at: (named('door-opened')[0]?.arg as { at: number }).at }]);
      t.equal(ctl.status(3).state, 'open');
      t.equal(f.doors[2]!.energised.length, 0, 'no lock was energised');
    });

    t.test('left open: reported once per opening', async (t) => {
      const { f, ctl, named } = await setup(t);
      await settle(clock, ctl.unlock(4));
      await advance(clock, 3 * BASE.leftOpenMs);
      t.equal(named('door-left-open').length, 1, 'once for the first opening');
      t.ok((named('door-left-open')[0]!.arg as { openMs: number }).openMs >= BASE.leftOpenMs);
      f.doors[3]!.close();
      await advance(clock, 200);
      await settle(clock, ctl.unlock(4));
      await advance(clock, BASE.leftOpenMs - 500);
      t.equal(named('door-left-open').length, 1, 'not before leftOpenMs');
      await advance(clock, 1000);
      t.equal(named('door-left-open').length, 2, 'once more for the second opening');
    });

    t.test('a flapping sensor: sensor-flapping once until it settles', async (t) => {
      const { f, named } = await setup(t);
      const door = f.doors[0]!;
      // A loose sensor wire: the contact comes and goes every 150 ms for 3 s.
      for (let i = 0; i < 20; i++) {
        door.setBehaviour({ sensorCut: !door.behaviour.sensorCut });
        await advance(clock, 150);
      }
      door.setBehaviour({ sensorCut: false });
      t.equal(named('sensor-flapping').length, 1, 'reported once');
      t.match(named('sensor-flapping')[0]!.arg, { door: 1 });
      await advance(clock, BASE.flapWindowMs + 500);
      t.equal(named('sensor-settled').length, 1, 'settled once it is quiet');
      // Before the pattern is recognised each open reading looks like a forced door (at most
      // flapChanges / 2 of them); after it, door events are held back until the sensor settles.
      t.ok(named('door-forced').length <= BASE.flapChanges / 2, `not a stream of forced doors (${named('door-forced').length})`);
    });

    t.test('already open: still pulsed (a cut sensor wire looks open), reported already_open', async (t) => {
      const { f, ctl, named } = await setup(t);
      const door = f.doors[1]!;
      door.setBehaviour({ sensorCut: true });
      await advance(clock, 200);
      const res = await settle(clock, ctl.unlock(2));
      t.equal(res.outcome, 'already_open');
      t.equal(door.energised.length, 1, 'the lock was pulsed anyway');
      t.ok(await advanceUntil(clock, () => door.open, 500), 'and the door (sensor cut) really opened');
      t.equal(named('door-jammed').length, 0);
    });

    t.test('a door forced open just before an unlock, with no poll between: already_open, then reported forced', async (t) => {
      // A long idle poll: nothing but the unlock itself can tell the controller what the door was.
      const { f, ctl, named } = await setup(t, {}, { pollMs: 5000, attemptPollMs: 10 });
      const door = f.doors[2]!;
      door.force();
      await advance(clock, 40); // GPIO inputs are sampled; a CU16 board reads its hooks when asked
      const res = await settle(clock, ctl.unlock(3));
      t.equal(res.outcome, 'already_open', 'the door was open before the pulse');
      t.equal(door.energised.length, 1, 'the lock was pulsed anyway');
      t.ok(await advanceUntil(clock, () => named('door-forced').length === 1, 6000), 'the open is reported as forced, not as this unlock');
      t.same(
        named('door-opened').map((e) => (e.arg as { cause: string }).cause),
        ['forced'],
        'no door-opened of cause unlock',
      );
    });

    t.test('a door shut since the last poll: the close is recorded, then the unlock opens it', async (t) => {
      const { f, ctl, named } = await setup(t, {}, { pollMs: 5000, attemptPollMs: 10 });
      const door = f.doors[0]!;
      t.equal((await settle(clock, ctl.unlock(1))).outcome, 'opened');
      door.close(); // shut again; the next idle poll is seconds away
      await advance(clock, 40);
      const res = await settle(clock, ctl.unlock(1));
      t.equal(res.outcome, 'opened', 'not already_open: it was shut when the pulse came');
      t.same(
        named('door-opened').map((e) => (e.arg as { cause: string }).cause),
        ['unlock', 'unlock'],
      );
      t.equal(named('door-closed').length, 1, 'the close in between is on record');
      t.equal(named('door-forced').length, 0);
    });

    t.test('unknown only after K failed reads in a row, not on one lost frame', async (t) => {
      const { ctl, named, flaky } = await setup(t, {}, {}, (f) => new FlakyBus(f.bus));
      flaky!.failReads = 2;
      await advance(clock, 10 * BASE.pollMs);
      t.equal(named('door-unknown').length, 0, 'two lost reads: nothing unknown');
      t.equal(ctl.status(1).state, 'closed');
      flaky!.failReads = 3;
      await advance(clock, 10 * BASE.pollMs);
      t.same(named('door-unknown').map((e) => (e.arg as { door: number }).door), [1, 2, 3, 4], 'three in a row: every door unknown, once');
      t.equal(ctl.status(1).state, 'closed', 'known again after a good read');
      flaky!.failAllReads = true;
      await advance(clock, 20 * BASE.pollMs);
      t.equal(named('door-unknown').length, 8, 'once more per door, not once per poll');
      t.equal(ctl.status(3).state, 'unknown');
    });

    t.test('a bus that does not answer the unlock: outcome unknown and a lock-fault', async (t) => {
      const { ctl, named, flaky } = await setup(t, {}, {}, (f) => new FlakyBus(f.bus));
      flaky!.failUnlocks = true;
      const res = await settle(clock, ctl.unlock(3));
      t.same(res, { door: 3, outcome: 'unknown', reason: 'BUS_TIMEOUT', pulseMs: 300 });
      t.match(named('lock-fault')[0]?.arg, { door: 3, code: 'BUS_TIMEOUT' });
      t.equal(named('door-opened').length, 0);
    });

    t.test('a bus silent after the pulse: unknown, never jammed or opened', async (t) => {
      const { ctl, named, flaky, f } = await setup(t, {}, {}, (f) => new FlakyBus(f.bus));
      f.doors[0]!.setBehaviour({ jammed: true });
      flaky!.failAllReads = true;
      const res = await settle(clock, ctl.unlock(1));
      t.equal(res.outcome, 'unknown');
      t.equal(res.reason, 'BUS_SILENT');
      t.equal(named('door-jammed').length, 0);
    });

    t.test('power budget: many unlocks at once never exceed maxConcurrentPulses or maxPulseMs', async (t) => {
      const { f, ctl } = await setup(t, { doorCount: 8 }, { maxConcurrentPulses: 2, pulseMs: 250 });
      const order: number[] = [];
      for (const d of f.doors) d.on('lock', (e) => e.energised && order.push(e.door));
      const all = Promise.all(f.doors.map((d) => ctl.unlock(d.number, { pulseMs: 5000 })));
      const results = await settle(clock, all, 30_000);
      t.same(results.map((r: UnlockResult) => r.outcome), Array(8).fill('opened'), 'every door opened');
      t.ok(results.every((r) => r.pulseMs === BASE.maxPulseMs), 'a 5000 ms request is clamped to maxPulseMs');
      await advance(clock, 1000);
      const conc = maxConcurrentEnergised(f.doors);
      t.ok(conc <= 2 && conc >= 1, `at most 2 locks energised at once (saw ${conc})`);
      t.ok(longestPulse(f.doors) <= BASE.maxPulseMs, `no lock energised over ${BASE.maxPulseMs} ms (longest ${longestPulse(f.doors)})`);
      t.same(order, [1, 2, 3, 4, 5, 6, 7, 8], 'queued requests served first come, first served');
    });

    t.test('unlocks of an unknown door and of a stopped controller reject with a code', async (t) => {
      const { ctl } = await setup(t);
      await t.rejects(ctl.unlock(42), { code: 'UNKNOWN_DOOR' });
      await ctl.stop();
      await t.rejects(ctl.unlock(1), { code: 'STOPPED' });
    });

    t.test('stop() mid-pulse drives the lock safe at once', async (t) => {
      const { f, ctl } = await setup(t, {}, { pulseMs: 600 });
      f.doors[0]!.setBehaviour({ jammed: true });
      const p = ctl.unlock(1);
      t.ok(await advanceUntil(clock, () => f.doors[0]!.lockEnergised, 200), 'energised');
      if (!fx.name.startsWith('kerong-cu16')) {
        await ctl.stop();
        // In-process board: at once; Firmata: as soon as the bytes are across.
        t.ok(await advanceUntil(clock, () => !f.doors[0]!.lockEnergised, 20), 'released by stop()');
      } else {
        // CU16 boards time the pulse themselves: nothing to release, the board ends it.
        await ctl.stop();
        t.ok(await advanceUntil(clock, () => !f.doors[0]!.lockEnergised, 700), 'released by the board');
      }
      t.equal((await settle(clock, p)).outcome, 'unknown');
    });
  });
}

t.test('over KR-CU16 an unlock costs no status query before the pulse: the unlock reply tells what the door was', async (t) => {
  const { createCu16Fixture } = await import('../fixtures/cu16-fixture.ts');
  const clock = fakeClock();
  t.teardown(() => clock.restore());
  // Configured (or once learned from a first unlock): this board answers an unlock with its status.
  const f = await createCu16Fixture({ doorCount: 4, maxPulseMs: BASE.maxPulseMs, configuredDialect: { unlockReply: 'status' } });
  const ctl = new DoorController({ ...BASE, pollMs: 5000, attemptPollMs: 10, bus: f.bus });
  t.teardown(async () => {
    await ctl.stop();
    await f.cleanup();
  });
  await settle(clock, ctl.start());
  const wire: number[] = [];
  f.boards.on('command', (c: { frame: { cmd: number } }) => wire.push(c.frame.cmd));
  const res = await settle(clock, ctl.unlock(2));
  t.equal(res.outcome, 'opened');
  // 0x37 sets the board's pulse time (first unlock only), 0x31 unlocks, 0x30 asks for the status.
  const commands = wire.filter((c) => c !== 0x37);
  t.equal(commands[0], 0x31, 'the first command on the wire is the unlock: no status query before it');
  t.same(commands.slice(0, 2), [0x31, 0x30], 'then one status query sees the door open');
});

t.test('KR-CU16 boards that acknowledge an unlock: the controller polls status before and after the pulse to tell opened from already open', async (t) => {
  const { createCu16Fixture } = await import('../fixtures/cu16-fixture.ts');
  const clock = fakeClock();
  t.teardown(() => clock.restore());
  const f = await createCu16Fixture({ doorCount: 4, maxPulseMs: BASE.maxPulseMs, dialect: { statusQuery: 0x32, unlockReply: 'ack' } });
  const ctl = new DoorController({ ...BASE, pollMs: 5000, attemptPollMs: 10, bus: f.bus });
  t.teardown(async () => {
    await ctl.stop();
    await f.cleanup();
  });
  await settle(clock, ctl.start());
  t.match(f.bus.health().boards, [{ address: 0, dialect: '0x32 reply ?' }], 'query detected at start; the unlock reply is not known before an unlock');
  const wire: number[] = [];
  f.boards.on('command', (c: { frame: { cmd: number } }) => wire.push(c.frame.cmd));
  t.same(await settle(clock, ctl.unlock(2)), { door: 2, outcome: 'opened', pulseMs: 300 });
  t.same(wire.filter((c) => c !== 0x37).slice(0, 3), [0x32, 0x31, 0x32], 'a fresh status before the unlock, then status polls learn the outcome');
  t.match(f.bus.health().boards, [{ address: 0, dialect: '0x32 ack' }], 'the acknowledgement was recognised');
  // The door is open now: the ack says nothing about it, the fresh status before the pulse does.
  f.doors[3]!.force();
  t.equal((await settle(clock, ctl.unlock(4))).outcome, 'already_open');
  f.doors[0]!.setBehaviour({ jammed: true });
  t.equal((await settle(clock, ctl.unlock(1))).outcome, 'jammed');
  f.boards.board(0).setFaults({ silent: true });
  t.equal((await settle(clock, ctl.unlock(3))).outcome, 'unknown');
});
