// The runtime's ordered stop leaves every output safe: a lock energised mid-pulse is released at once, the pending
// unlock is settled as `unknown`, and nothing is energised afterwards. Time is fake, so "mid-pulse" and "at once" are
// measured in the simulated lock's own intervals, not in how fast this machine runs.
import t from 'tap';
import { validateRuntimeConfig } from '../../src/runtime/config.ts';
import { startController } from '../../src/runtime/controller-runtime.ts';
import { createGpioFixture } from '../fixtures/gpio-fixture.ts';
import { advance, advanceUntil, fakeClock, settle } from '../contract/harness.ts';

t.test('stop mid-pulse on a GPIO board: lock released at once, unlock settled unknown, outputs stay safe', async (t) => {
  const clock = fakeClock();
  t.teardown(() => clock.restore());
  const f = await createGpioFixture({ doorCount: 3, maxPulseMs: 2000, behaviour: { jammed: true } });
  t.teardown(() => f.cleanup());
  // No link section: a column running its doors alone (commissioning), which the runtime allows.
  const v = await validateRuntimeConfig({
    log: { level: 'silent' },
    hardware: {
      bus: { kind: 'gpio', io: { type: 'firmata', path: '/dev/unused' }, pins: { '1': { lockPin: 2, sensorPin: 3 }, '2': { lockPin: 4, sensorPin: 5 }, '3': { lockPin: 6, sensorPin: 7 } } },
      doors: { maxPulseMs: 2000, pulseMs: 1500, jamWindowMs: 3000, pollMs: 20 },
    },
  });
  if (!v.ok) return t.fail(JSON.stringify(v.problems));
  const rt = await settle(clock, startController({ config: v.config, bus: f.bus }));
  t.equal(rt.link, undefined, 'no link without a link section');
  const unlock = rt.doors.unlock(2);
  const door = f.doors[1]!;
  t.ok(await advanceUntil(clock, () => door.lockEnergised, 2000), 'the pulse started');
  await advance(clock, 100);
  t.ok(door.lockEnergised, 'still energised 100 ms into the 1500 ms pulse');
  const stopAt = Date.now();
  await settle(clock, rt.stop());
  t.notOk(door.lockEnergised, 'released by the stop');
  const last = door.energised.at(-1)!;
  t.ok(last.to !== undefined && last.to - stopAt < 100, `released ${last.to! - stopAt} ms of the lock's time after stop began`);
  t.ok(last.to! - last.from < 1500, `energised ${last.to! - last.from} ms, less than the 1500 ms pulse`);
  const r = await settle(clock, unlock);
  t.equal(r.outcome, 'unknown', 'the pending unlock is not reported as opened');
  // Past the end of the pulse the stop cut short: no timer left behind energises a lock again.
  await advance(clock, 2000, 50);
  t.ok(f.doors.every((d) => !d.lockEnergised), 'every output safe afterwards');
  t.equal(door.energised.length, 1, 'the lock was energised once');
  await settle(clock, rt.stop());
  t.pass('stop is idempotent');
});
