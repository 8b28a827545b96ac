// A GPIO board that drops off under a running controller: the health change is forwarded and
// every door turns unknown after K failed polls, once.
import t from 'tap';
import { DoorController } from '../../src/doors/index.ts';
import type { BusHealth } from '@portier/firmware/hal';
import { createGpioFixture } from '../fixtures/gpio-fixture.ts';
import { advance, fakeClock, settle } from '../contract/harness.ts';

t.test('board unplugged: bus-health down, doors unknown once, unlock reports unknown', async (t) => {
  const clock = fakeClock();
  t.teardown(() => clock.restore());
  const f = await createGpioFixture({ doorCount: 3, maxPulseMs: 500 });
  const ctl = new DoorController({ bus: f.bus, maxPulseMs: 500, pulseMs: 200, pollMs: 50, unknownAfterFailures: 3 });
  t.teardown(async () => {
    await ctl.stop();
    await f.cleanup();
  });
  const health: BusHealth[] = [];
  const unknown: number[] = [];
  const faults: string[] = [];
  ctl.on('bus-health', (h) => health.push(h));
  ctl.on('door-unknown', (e) => unknown.push(e.door));
  ctl.on('lock-fault', (e) => faults.push(e.code));
  await settle(clock, ctl.start());
  f.board.unplug();
  t.equal(health.at(-1)?.state, 'down', 'bus-health forwarded');
  await advance(clock, 2 * 50);
  t.same(unknown, [], 'not after two failed polls');
  await advance(clock, 50);
  t.same(unknown, [1, 2, 3], 'after the third');
  await advance(clock, 1000);
  t.same(unknown, [1, 2, 3], 'once, not once per poll');
  t.equal(ctl.status(2).state, 'unknown');
  const res = await settle(clock, ctl.unlock(2));
  t.same(res, { door: 2, outcome: 'unknown', reason: 'BUS_TIMEOUT', pulseMs: 200 });
  t.same(faults, ['BUS_TIMEOUT']);
  t.equal(f.doors[1]!.energised.length, 0);
});

t.test('an unlock while the door is unknown: seen open afterwards counts as opened', async (t) => {
  const clock = fakeClock();
  t.teardown(() => clock.restore());
  const { FlakyBus } = await import('../contract/harness.ts');
  const f = await createGpioFixture({ doorCount: 2, maxPulseMs: 500 });
  const flaky = new FlakyBus(f.bus);
  const ctl = new DoorController({ bus: flaky, maxPulseMs: 500, pulseMs: 200, pollMs: 50, unknownAfterFailures: 3 });
  t.teardown(async () => {
    await ctl.stop();
    await f.cleanup();
  });
  const opened: unknown[] = [];
  ctl.on('door-opened', (e) => opened.push(e));
  await settle(clock, ctl.start());
  flaky.failAllReads = true;
  await advance(clock, 300);
  t.equal(ctl.status(1).state, 'unknown');
  const p = ctl.unlock(1);
  await advance(clock, 300); // pulse sent, door sprang open, reads still failing
  flaky.failAllReads = false;
  const res = await settle(clock, p);
  t.equal(res.outcome, 'opened');
  t.match(opened, [{ door: 1, cause: 'unlock' }]);
});
