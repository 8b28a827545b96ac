// KR-CU16 boards in the field differ: the status query is 0x30 or 0x32, and an unlock is answered by a status
// frame or a short acknowledgement. One column can mix them; the bus detects each board's dialect at start (or
// takes it from the config), shows it in the console's status, and opens and reads doors on every one.
import t from 'tap';
import { KerongCu16Bus, type KerongCu16BusOptions } from '../../../src/hal/kerong-cu16/bus.ts';
import { DoorController } from '../../../src/doors/door-controller.ts';
import { ControllerBackend } from '../../../src/console/controller-backend.ts';
import { renderStatus } from '../../../src/console/render.ts';
import { VirtualDoor, VirtualCu16BoardSet, createMockCu16Transport } from '@portier/sim';
import { CU16_DIALECTS, fakeClock, settle } from '../../contract/harness.ts';

/** Four boards, one per dialect: board 0 = 0x30 status, 1 = 0x32 status, 2 = 0x30 ack, 3 = 0x32 ack. */
async function mixedColumn(t: { teardown(fn: () => unknown): void }, busOpts: Partial<KerongCu16BusOptions> = {}) {
  const clock = fakeClock();
  const doors = Array.from({ length: 64 }, (_, i) => new VirtualDoor(i + 1, { springDelayMs: 20 }));
  const boards = new VirtualCu16BoardSet({
    boards: CU16_DIALECTS.map((dialect, address) => ({ address, locks: doors.slice(address * 16, address * 16 + 16), pulseMs: 300, dialect })),
    replyDelayMs: 1,
  });
  const transport = createMockCu16Transport(boards);
  const bus = new KerongCu16Bus({ openPort: () => transport.openPort(), doorCount: 64, maxPulseMs: 1000, replyTimeoutMs: 50, ...busOpts });
  const ctl = new DoorController({ bus, maxPulseMs: 1000, pulseMs: 300, pollMs: 100 });
  const backend = new ControllerBackend({
    doors: ctl,
    config: { read: async () => ({}), show: async () => ({ entries: [] }), set: async () => Promise.reject(new Error('not in this test')) },
    firmwareVersion: '1.0.0',
  });
  const wire: Array<{ board: number; cmd: number }> = [];
  boards.on('command', (c) => wire.push({ board: c.board, cmd: c.frame.cmd }));
  t.teardown(async () => {
    backend.dispose();
    await ctl.stop();
    await bus.close();
    await transport.close();
    boards.dispose();
    for (const d of doors) d.dispose();
    clock.restore();
  });
  await settle(clock, ctl.start());
  return { clock, doors, boards, bus, ctl, backend, wire };
}

t.test('KR-CU16 dialects: each board detected at start, shown in the console status, and every door opens and reads on a column mixing all four', async (t) => {
  const { clock, doors, bus, ctl, backend } = await mixedColumn(t);
  t.same(
    bus.health().boards?.map((b) => [b.address, b.state, b.dialect]),
    [
      [0, 'ok', '0x30 reply ?'],
      [1, 'ok', '0x32 reply ?'],
      [2, 'ok', '0x30 reply ?'],
      [3, 'ok', '0x32 reply ?'],
    ],
    'status query of every board found at start, every board healthy',
  );
  for (const door of [5, 21, 37, 53]) {
    t.same(await settle(clock, ctl.unlock(door)), { door, outcome: 'opened', pulseMs: 300 }, `door ${door} opened`);
    t.ok(doors[door - 1]!.open, `virtual door ${door} is open`);
  }
  t.equal(doors.filter((d) => d.open).length, 4, 'no other door opened');
  const readings = await settle(clock, bus.readDoors());
  t.same(readings.filter((r) => r.open).map((r) => r.door), [5, 21, 37, 53], 'every board read');
  const status = renderStatus(await backend.status(), Date.now());
  t.match(status, /boards 0:ok \(0x30 status\) 1:ok \(0x32 status\) 2:ok \(0x30 ack\) 3:ok \(0x32 ack\)/, 'the console shows what each board speaks');
  t.equal(bus.health().state, 'ok');
  // Already open, over both kinds of unlock answer.
  t.equal((await settle(clock, ctl.unlock(21))).outcome, 'already_open');
  t.equal((await settle(clock, ctl.unlock(53))).outcome, 'already_open');
});

t.test('a dialect set in the config is used as is: no query the board does not know is sent', async (t) => {
  const { bus, wire, backend } = await mixedColumn(t, {
    dialect: { statusQuery: 0x30 },
    boardDialects: { 1: { statusQuery: 0x32, unlockReply: 'status' }, 3: { statusQuery: 0x32, unlockReply: 'ack' } },
  });
  t.same(
    wire.filter((w) => w.cmd === 0x30 || w.cmd === 0x32).map((w) => [w.board, w.cmd]),
    [
      [0, 0x30],
      [1, 0x32],
      [2, 0x30],
      [3, 0x32],
    ],
    'one status query per board, each in its configured dialect',
  );
  t.same(bus.health().boards?.map((b) => b.dialect), ['0x30 reply ?', '0x32 status', '0x30 reply ?', '0x32 ack']);
  t.match(renderStatus(await backend.status(), Date.now()), /1:ok \(0x32 status\)/);
});
