import t from 'tap';
import { GpioBus } from '../../../src/hal/gpio/index.ts';
import { HalError } from '@portier/firmware/hal';
import { VirtualDoor, MODES, VirtualGpioBoard, VirtualPinError } from '@portier/sim';
import { advance, fakeClock, settle } from '../../contract/harness.ts';

function rig(opts: { activeLow?: boolean; behaviour?: ConstructorParameters<typeof VirtualDoor>[1] } = {}) {
  const doors = [new VirtualDoor(1, opts.behaviour), new VirtualDoor(2, opts.behaviour)];
  const wiring = doors.map((door, i) => ({ door, lockPin: 2 + 2 * i, sensorPin: 3 + 2 * i, activeLow: opts.activeLow ?? false }));
  const board = new VirtualGpioBoard({ wiring, pinCount: 8 });
  const bus = new GpioBus({
    io: board,
    doors: wiring.map((w) => ({ door: w.door.number, lockPin: w.lockPin, sensorPin: w.sensorPin, activeLow: w.activeLow })),
    maxPulseMs: 500,
    debounceMs: 20,
  });
  return { doors, board, bus, wiring };
}

t.test('open() releases a lock a previous process left energised', async (t) => {
  for (const activeLow of [false, true]) {
    const clock = fakeClock();
    const { doors, board, bus } = rig({ activeLow });
    // What a killed process leaves behind: lock 1 driven to its active level.
    board.bank.setMode(2, MODES.OUTPUT);
    board.bank.write(2, activeLow ? 0 : 1);
    t.ok(doors[0]!.lockEnergised, `${activeLow ? 'active-low' : 'active-high'}: energised before start`);
    await advance(clock, 30);
    await settle(clock, bus.open());
    t.notOk(doors[0]!.lockEnergised, 'released by open()');
    t.equal(doors[1]!.energised.length, 0, 'switching lock 2 to an output never energised it (no glitch)');
    await bus.close();
    clock.restore();
  }
});

t.test('the virtual board is as strict as hardware', async (t) => {
  const { board } = rig();
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'no error';
    } catch (err) {
      return err instanceof VirtualPinError ? err.code : String(err);
    }
  };
  t.equal(code(() => board.pinMode(42, MODES.OUTPUT)), 'UNKNOWN_PIN');
  t.equal(code(() => board.digitalWrite(99, 1)), 'UNKNOWN_PIN');
  t.equal(code(() => board.pinMode(3, MODES.OUTPUT)), 'UNSUPPORTED_MODE', 'a sensor pin cannot be an output');
  t.equal(code(() => board.pinMode(2, MODES.INPUT)), 'UNSUPPORTED_MODE', 'a lock pin cannot be an input');
  board.pinMode(3, MODES.INPUT);
  t.equal(code(() => board.digitalWrite(3, 1)), 'WRITE_TO_INPUT');
  board.pinMode(2, MODES.OUTPUT);
  t.equal(code(() => board.digitalRead(2, () => undefined)), 'READ_FROM_OUTPUT');
  board.unplug();
  t.equal(code(() => board.digitalWrite(2, 0)), 'BOARD_OFFLINE');
});

t.test('johnny-five is kept from owning the process', async (t) => {
  const clock = fakeClock();
  const before = process.listenerCount('SIGINT');
  const { bus } = rig();
  await settle(clock, bus.open());
  t.equal(process.listenerCount('SIGINT'), before, 'no SIGINT handler installed by the library');
  await bus.close();
  clock.restore();
});

t.test('the sensor is debounced: bounces do not show, the settled level does', async (t) => {
  const clock = fakeClock();
  const { doors, bus } = rig({ behaviour: { bounces: 4, bounceIntervalMs: 3 } });
  await settle(clock, bus.open());
  const seen: boolean[] = [];
  doors[0]!.force();
  for (let i = 0; i < 20; i++) {
    const r = await bus.readDoors();
    seen.push(r[0]!.open!);
    await advance(clock, 3, 1);
  }
  const flips = seen.filter((v, i) => i > 0 && v !== seen[i - 1]).length;
  t.equal(flips, 1, `one clean change, no bounces (${seen.map(Number).join('')})`);
  t.equal(seen.at(-1), true);
  await bus.close();
  clock.restore();
});

t.test('two unlocks of one door run one after the other', async (t) => {
  const clock = fakeClock();
  const { doors, bus } = rig({ behaviour: { jammed: true } });
  await settle(clock, bus.open());
  await settle(clock, Promise.all([bus.unlock(1, 200), bus.unlock(1, 200)]));
  const [a, b] = doors[0]!.energised;
  t.ok(a && b && a.to! <= b.from, 'the second pulse starts after the first ended');
  t.equal(a!.to! - a!.from, 200);
  await bus.close();
  clock.restore();
});

t.test('a board that drops off: health down, calls reject, safe() still does not throw', async (t) => {
  const clock = fakeClock();
  const { board, bus } = rig();
  await settle(clock, bus.open());
  const health: string[] = [];
  bus.on('health', (h) => health.push(h.state));
  bus.on('error', () => undefined);
  board.unplug();
  t.same(health.at(-1), 'down');
  await t.rejects(bus.readDoors(), { code: 'BUS_TIMEOUT' });
  await t.rejects(bus.unlock(1, 100), { code: 'BUS_TIMEOUT' });
  await bus.safe();
  await bus.close();
  clock.restore();
});

t.test('construction rejects a door map that reuses a pin', async (t) => {
  const board = new VirtualGpioBoard({ wiring: [], pinCount: 8 });
  t.throws(
    () => new GpioBus({ io: board, doors: [{ door: 1, lockPin: 2, sensorPin: 3 }, { door: 2, lockPin: 3, sensorPin: 4 }], maxPulseMs: 100 }),
    HalError,
  );
});

t.test('a board that fails or never answers: open() rejects with a code', async (t) => {
  const failing = new VirtualGpioBoard({ wiring: [], pinCount: 4 });
  failing.isReady = false;
  const bus1 = new GpioBus({ io: failing, doors: [{ door: 1, lockPin: 0, sensorPin: 1 }], maxPulseMs: 100 });
  const p1 = bus1.open();
  setImmediate(() => failing.emit('error', new Error('No such file or directory, cannot open /dev/ttyACM0')));
  await t.rejects(p1, { code: 'TRANSPORT_ERROR' }, 'transport error before ready');
  await bus1.close();

  const clock = fakeClock();
  t.teardown(() => clock.restore());
  const silent = new VirtualGpioBoard({ wiring: [], pinCount: 4 });
  silent.isReady = false;
  const bus2 = new GpioBus({ io: silent, doors: [{ door: 1, lockPin: 0, sensorPin: 1 }], maxPulseMs: 100, readyTimeoutMs: 2000 });
  const p2 = bus2.open();
  const caught = p2.catch((e: unknown) => e);
  await advance(clock, 2100, 50);
  t.match(await caught, { code: 'BUS_TIMEOUT' }, 'never ready');
  await bus2.close();
});
