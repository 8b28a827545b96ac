// The LockBus contract, written once and run against every adapter on the simulator
// (STYLE.md: contracts tested once, run against every implementation).
import type { Test } from 'tap';
import { HalError } from '@portier/firmware/hal';
import type { BusFixture } from '../fixtures/types.ts';
import { advance, advanceUntil, fakeClock, longestPulse, settle, type MakeFixture } from './harness.ts';

async function rejectsWithCode(t: Test, p: Promise<unknown>, code: string, what: string): Promise<void> {
  try {
    await p;
    t.fail(`${what}: expected ${code}, it resolved`);
  } catch (err) {
    t.ok(err instanceof HalError, `${what}: a HalError`);
    t.equal((err as HalError).code, code, `${what}: code ${code}`);
  }
}

export function lockBusContract(t: Test, makeFixture: MakeFixture): void {
  const MAX = 400;
  let f: BusFixture;
  let clock: ReturnType<typeof fakeClock>;

  t.beforeEach(async () => {
    clock = fakeClock();
    f = await makeFixture({ doorCount: 4, maxPulseMs: MAX });
  });
  t.afterEach(async () => {
    await f.cleanup();
    clock.restore();
  });

  t.test('lists its doors ascending, 1..N', async (t) => {
    t.same([...f.bus.doors], [1, 2, 3, 4]);
  });

  t.test('calls before open() and after close() reject with BUS_CLOSED', async (t) => {
    await rejectsWithCode(t, f.bus.unlock(1, 100), 'BUS_CLOSED', 'unlock before open');
    await settle(clock, f.bus.open());
    await settle(clock, f.bus.close());
    await rejectsWithCode(t, f.bus.unlock(1, 100), 'BUS_CLOSED', 'unlock after close');
    await rejectsWithCode(t, f.bus.readDoors(), 'BUS_CLOSED', 'read after close');
    await f.bus.close(); // idempotent
  });

  t.test('open() leaves every lock de-energised and reads every door closed', async (t) => {
    await settle(clock, f.bus.open());
    t.equal(f.bus.health().state, 'ok');
    t.ok(f.doors.every((d) => !d.lockEnergised), 'no lock energised');
    const readings = await settle(clock, f.bus.readDoors());
    t.same(readings.map((r) => [r.door, r.open]), [[1, false], [2, false], [3, false], [4, false]]);
  });

  t.test('unlock energises exactly that lock, at most maxPulseMs, and the door opens', async (t) => {
    await settle(clock, f.bus.open());
    await settle(clock, f.bus.unlock(3, 200));
    const door3 = f.doors[2]!;
    t.ok(door3.energised.length >= 1, 'door 3 lock was energised');
    t.equal(f.doors.filter((d) => d.energised.length > 0).length, 1, 'no other lock energised');
    t.ok(await advanceUntil(clock, () => !door3.lockEnergised, MAX + 50), 'lock released');
    t.ok(longestPulse(f.doors) <= MAX, `energised ${longestPulse(f.doors)} ms <= ${MAX}`);
    t.ok(await advanceUntil(clock, () => door3.open, 500), 'door 3 sprang open');
    let seenOpen = false;
    for (let i = 0; i < 40 && !seenOpen; i++) {
      await advance(clock, 20);
      const r = await settle(clock, f.bus.readDoors());
      seenOpen = r.find((x) => x.door === 3)?.open === true;
    }
    t.ok(seenOpen, 'readDoors reports door 3 open');
  });

  t.test('refuses a pulse longer than maxPulseMs and an unknown door, energising nothing', async (t) => {
    await settle(clock, f.bus.open());
    await rejectsWithCode(t, f.bus.unlock(1, MAX + 1), 'PULSE_TOO_LONG', 'too long');
    await rejectsWithCode(t, f.bus.unlock(99, 100), 'UNKNOWN_DOOR', 'door 99');
    await advance(clock, 50);
    t.ok(f.doors.every((d) => d.energised.length === 0), 'nothing energised');
  });

  t.test('safe() and close() never throw and leave outputs de-energised', async (t) => {
    await settle(clock, f.bus.open());
    await f.bus.safe();
    await settle(clock, f.bus.close());
    await f.bus.safe();
    t.ok(f.doors.every((d) => !d.lockEnergised));
  });

  t.test('a bouncing sensor is read as its settled value', async (t) => {
    await f.cleanup();
    f = await makeFixture({ doorCount: 2, maxPulseMs: MAX, behaviour: { bounces: 3, bounceIntervalMs: 2 } });
    await settle(clock, f.bus.open());
    f.doors[1]!.force();
    await advance(clock, 150);
    const r = await settle(clock, f.bus.readDoors());
    t.same(r.map((x) => x.open), [false, true]);
  });
}
