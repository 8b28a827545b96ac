import t from 'tap';
// @ts-expect-error plain JavaScript launcher helper without types
import { configArg, safeBytes } from '../../bin/early-safe.mjs';

const arg = configArg as (a: string[]) => string | undefined;
const bytes = safeBytes as (cfg: unknown) => { path: string; baudRate: number; bytes: number[] } | undefined;

t.test('finds the config argument in every spelling', async (t) => {
  t.equal(arg(['--config', 'a.yaml']), 'a.yaml');
  t.equal(arg(['-c', 'b.json']), 'b.json');
  t.equal(arg(['--config=c.yaml']), 'c.yaml');
  t.equal(arg([]), undefined);
});

t.test('safe-level Firmata bytes for every lock pin, honouring activeLow', async (t) => {
  const plan = bytes({
    hardware: {
      bus: { kind: 'gpio', io: { type: 'firmata', path: '/dev/ttyACM0' }, pins: { '1': { lockPin: 2, sensorPin: 3 }, '2': { lockPin: 4, sensorPin: 5, activeLow: true } } },
    },
  });
  t.same(plan, {
    path: '/dev/ttyACM0',
    baudRate: 57600,
    bytes: [0xf5, 2, 0, 0xf4, 2, 1, 0xf5, 2, 0, 0xf5, 4, 1, 0xf4, 4, 1, 0xf5, 4, 1],
  });
});

t.test('nothing for other buses or nonsense', async (t) => {
  t.equal(bytes({ hardware: { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0' } } }), undefined);
  t.equal(bytes(null), undefined);
  t.equal(bytes({ hardware: { bus: { kind: 'gpio', io: { type: 'firmata', path: '/x' }, pins: { '1': { lockPin: 'two' } } } } }), undefined);
});
