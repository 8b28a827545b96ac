import t from 'tap';
import { SerialLineReader } from '../../../src/hal/serial-line-reader.ts';
import { MockSerialScanner, expectCondition } from '@portier/sim';
import type { HalError } from '@portier/firmware/hal';

async function setup(t: { teardown(fn: () => unknown): void }, kind: 'scanner' | 'badge' = 'scanner') {
  const device = new MockSerialScanner();
  const reader = new SerialLineReader({ kind, openPort: () => device.openPort(), maxLineLength: 64 });
  const lines: string[] = [];
  const errors: HalError[] = [];
  reader.on('line', (l) => lines.push(l));
  reader.on('error', (e) => errors.push(e as HalError));
  t.teardown(() => reader.close());
  await reader.open();
  return { device, reader, lines, errors };
}

t.test('a code split into pieces across reads comes out as one line', async (t) => {
  const { device, lines } = await setup(t);
  await device.scan('PCK-4711-XYZ', { pieces: 5 });
  await expectCondition(() => lines.length === 1, 1000, 'one line');
  t.same(lines, ['PCK-4711-XYZ']);
  // Byte by byte.
  await device.scan('1234567890', { pieces: 100 });
  await expectCondition(() => lines.length === 2, 1000, 'second line');
  t.equal(lines[1], '1234567890');
});

t.test('several lines in one read, any terminator (CR, LF, CRLF), blanks dropped', async (t) => {
  const { device, lines } = await setup(t, 'badge');
  device.send('BADGE-1\rBADGE-2\nBADGE-3\r\n\r\n  BADGE-4  \r\nBADGE-');
  await expectCondition(() => lines.length === 4, 1000, 'four lines');
  t.same(lines, ['BADGE-1', 'BADGE-2', 'BADGE-3', 'BADGE-4'], 'the unterminated tail waits');
  device.send('5\r');
  await expectCondition(() => lines.length === 5, 1000, 'fifth line');
  t.equal(lines[4], 'BADGE-5');
});

t.test('an over-long line (noise) is dropped with a typed error, the next code still reads', async (t) => {
  const { device, lines, errors } = await setup(t);
  device.send(`${'x'.repeat(100)}\nOK-1\n`);
  await expectCondition(() => lines.length === 1, 1000, 'good line');
  t.same(lines, ['OK-1']);
  t.equal(errors[0]?.code, 'BAD_FRAME');
});

t.test('close stops delivery and is idempotent', async (t) => {
  const { device, reader, lines } = await setup(t);
  await reader.close();
  await reader.close();
  t.throws(() => device.send('LATE\n'), /nobody has the port open/);
  t.same(lines, []);
});
