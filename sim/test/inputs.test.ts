import t from 'tap';
import { VirtualLineReader, VirtualSwitch } from '../src/inputs/virtual-inputs.ts';

t.test('virtual scanner delivers trimmed codes only while open', async (t) => {
  const scanner = new VirtualLineReader('scanner');
  const lines: string[] = [];
  scanner.on('line', (l) => lines.push(l));
  t.equal(scanner.scan('early'), false, 'closed reader delivers nothing');
  await scanner.open();
  t.equal(scanner.scan('  QR-1 '), true);
  t.equal(scanner.scan('   '), false, 'blank dropped');
  await scanner.close();
  scanner.scan('late');
  t.same(lines, ['QR-1']);
  t.equal(scanner.kind, 'scanner');
  t.doesNotThrow(() => scanner.fail(new Error('cable pulled')), 'an unheard error never throws');
});

t.test('virtual headphone-detect switch emits changes only', async (t) => {
  const jack = new VirtualSwitch(false);
  const changes: boolean[] = [];
  jack.on('change', (v) => changes.push(v));
  await jack.open();
  jack.plug();
  jack.plug();
  jack.unplug();
  t.same(changes, [true, false]);
  t.equal(jack.value, false);
});
