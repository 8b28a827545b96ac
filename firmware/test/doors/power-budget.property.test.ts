// Property: whatever the requests (doors, timing, pulse lengths, budget), the recorded energised
// intervals never exceed maxPulseMs and never overlap beyond maxConcurrentPulses, and every
// request gets an answer.
import fc from 'fast-check';
import t from 'tap';
import { DoorController } from '../../src/doors/index.ts';
import { createGpioFixture } from '../fixtures/gpio-fixture.ts';
import { advance, fakeClock, longestPulse, maxConcurrentEnergised, settle } from '../contract/harness.ts';

t.test('power budget and pulse ceiling hold for any burst of unlocks', async (t) => {
  const MAX = 400;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.record({ door: fc.integer({ min: 1, max: 6 }), delay: fc.integer({ min: 0, max: 300 }), pulse: fc.integer({ min: 1, max: 5000 }) }), {
        minLength: 1,
        maxLength: 12,
      }),
      fc.boolean(),
      async (budget, requests, jammed) => {
        const clock = fakeClock();
        const f = await createGpioFixture({ doorCount: 6, maxPulseMs: MAX, behaviour: { jammed } });
        const ctl = new DoorController({ bus: f.bus, maxPulseMs: MAX, pulseMs: 200, maxConcurrentPulses: budget, pollMs: 50, jamWindowMs: 600 });
        try {
          await settle(clock, ctl.start());
          const pending: Array<Promise<unknown>> = [];
          for (const r of requests) {
            pending.push(ctl.unlock(r.door, { pulseMs: r.pulse }));
            await advance(clock, r.delay, 25);
          }
          const results = await settle(clock, Promise.all(pending), 120_000, 25);
          await advance(clock, MAX + 50, 25);
          const conc = maxConcurrentEnergised(f.doors);
          const longest = longestPulse(f.doors);
          if (conc > budget) throw new Error(`${conc} locks energised at once, budget ${budget}`);
          if (longest > MAX) throw new Error(`a lock energised ${longest} ms > ${MAX}`);
          if (results.length !== requests.length) throw new Error('a request got no answer');
          const energisedCount = f.doors.reduce((n, d) => n + d.energised.length, 0);
          if (energisedCount !== requests.length) throw new Error(`${energisedCount} pulses for ${requests.length} requests`);
        } finally {
          await ctl.stop();
          await f.cleanup();
          clock.restore();
        }
      },
    ),
    { numRuns: 25, seed: 3 },
  );
  t.pass('property held');
});
