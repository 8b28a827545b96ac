// A board whose answer to the first status query comes late (a busy controller, a slow line) can have that late
// answer taken for the answer to the second query, so the bus learns the wrong dialect. A learned status query that
// the board stops answering is asked again from the start: the column comes back by itself, as it does after a
// reopen; a configured one is kept (the technician said so).
import t from 'tap';
import { DoorController } from '../../../src/doors/door-controller.ts';
import { createCu16Fixture } from '../../fixtures/cu16-fixture.ts';
import { advanceUntil, fakeClock, settle } from '../../contract/harness.ts';

async function column(t: { teardown(fn: () => unknown): void }, configured?: { statusQuery: 0x30 | 0x32 }) {
  const clock = fakeClock();
  const { bus, doors, boards, cleanup } = await createCu16Fixture({
    doorCount: 16,
    behaviour: { springDelayMs: 20 },
    ...(configured ? { configuredDialect: configured } : {}),
  });
  // The first answers arrive after the bus stopped waiting: the answer to 0x30 arrives while the bus waits for 0x32.
  boards.board(0).setFaults({ extraDelayMs: 70 });
  const ctl = new DoorController({ bus, maxPulseMs: 1000, pulseMs: 300, pollMs: 100 });
  t.teardown(async () => {
    await ctl.stop();
    await cleanup();
    clock.restore();
  });
  await settle(clock, ctl.start().catch(() => undefined));
  return { clock, doors, boards, bus, ctl };
}

t.test('a wrongly learned status query is forgotten when the board stops answering it, and the doors read again', async (t) => {
  const { clock, doors, boards, bus, ctl } = await column(t);
  await advanceUntil(clock, () => bus.health().boards?.[0]?.dialect?.startsWith('0x32') === true, 2000);
  t.match(bus.health().boards?.[0]?.dialect, /^0x32/, 'the late answer made the bus learn 0x32 (the board speaks 0x30)');

  boards.board(0).setFaults({ extraDelayMs: 0 });
  const relearned = await advanceUntil(clock, () => bus.health().boards?.[0]?.dialect?.startsWith('0x30') === true, 5000);
  t.ok(relearned, `the bus asks both queries again and learns 0x30 (now: ${bus.health().boards?.[0]?.dialect})`);
  t.ok(await advanceUntil(clock, () => bus.health().state === 'ok', 3000), 'the column is healthy again');
  doors[3]!.force();
  t.ok(await advanceUntil(clock, () => ctl.status(4).state === 'open', 3000), 'door 4 is read open');
  t.same(await settle(clock, ctl.unlock(9)), { door: 9, outcome: 'opened', pulseMs: 300 }, 'and door 9 opens');
});

t.test('a configured status query is kept even when the board does not answer it', async (t) => {
  const { clock, boards, bus } = await column(t, { statusQuery: 0x32 });
  boards.board(0).setFaults({ extraDelayMs: 0 });
  t.ok(await advanceUntil(clock, () => bus.health().state === 'down', 3000), 'a 0x30 board asked 0x32 only goes down');
  t.match(bus.health().boards?.[0]?.dialect, /^0x32/, 'the configured query stays: the technician decides');
});
