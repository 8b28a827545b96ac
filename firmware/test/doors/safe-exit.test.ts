import { EventEmitter } from 'node:events';
import t from 'tap';
import { installSafeExit } from '../../src/doors/index.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { createGpioFixture } from '../fixtures/gpio-fixture.ts';
import { advanceUntil, fakeClock, settle } from '../contract/harness.ts';

for (const [event, arg, code] of [
  ['SIGTERM', undefined, 0],
  ['SIGINT', undefined, 0],
  ['uncaughtException', new Error('boom'), 1],
  ['unhandledRejection', new Error('rejected'), 1],
] as const) {
  t.test(`${event} mid-pulse: outputs safe, bus closed, exit ${code}`, async (t) => {
    const clock = fakeClock();
    t.teardown(() => clock.restore());
    const f = await createGpioFixture({ doorCount: 2, maxPulseMs: 1500, behaviour: { jammed: true } });
    t.teardown(() => f.cleanup());
    await settle(clock, f.bus.open());
    const proc = new EventEmitter();
    const exits: number[] = [];
    const uninstall = installSafeExit(f.bus, silentLogger, { proc, exit: (c) => exits.push(c) });
    t.teardown(uninstall);
    void f.bus.unlock(1, 1500);
    await advanceUntil(clock, () => f.doors[0]!.lockEnergised, 50);
    t.ok(f.doors[0]!.lockEnergised, 'pulse running');
    proc.emit(event, arg);
    t.ok(await advanceUntil(clock, () => exits.length > 0, 500), 'exited');
    t.same(exits, [code]);
    t.notOk(f.doors[0]!.lockEnergised, 'lock released');
    t.ok(f.doors[0]!.maxEnergisedMs() < 100, `pulse cut short (${f.doors[0]!.maxEnergisedMs()} ms)`);
    await t.rejects(f.bus.readDoors(), { code: 'BUS_CLOSED' }, 'bus closed');
  });
}

t.test('a shutdown that hangs still exits after the bound, outputs already safe', async (t) => {
  const clock = fakeClock();
  t.teardown(() => clock.restore());
  const f = await createGpioFixture({ doorCount: 1, maxPulseMs: 1500 });
  t.teardown(() => f.cleanup());
  await settle(clock, f.bus.open());
  const proc = new EventEmitter();
  const exits: number[] = [];
  const uninstall = installSafeExit(f.bus, silentLogger, {
    proc,
    exit: (c) => exits.push(c),
    timeoutMs: 300,
    onShutdown: () => new Promise(() => undefined),
  });
  t.teardown(uninstall);
  proc.emit('SIGTERM');
  t.ok(await advanceUntil(clock, () => exits.length > 0, 1000));
  t.same(exits, [1], 'exit 1: shutdown did not complete');
  t.notOk(f.doors[0]!.lockEnergised);
});
