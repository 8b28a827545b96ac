// The terminal panel as hardware: what a person types on the terminal comes out as the HAL's keypad, touch, reader
// and headphone events, and the pages it is given are drawn as text. No kiosk engine here.
import { PassThrough } from 'node:stream';
import t from 'tap';
import type { DisplayView, KeypadKey, TouchEvent } from '@portier/firmware/hal';
import { TerminalPanel } from '../src/index.ts';

const PAGE: DisplayView = {
  page: 'menu',
  change: 'page',
  lang: 'en',
  audio: false,
  title: 'Menu',
  lines: ['Choose'],
  options: [
    { id: 'pickup', label: 'Pick up', key: '1' },
    { id: 'lang-fr', label: 'Français' },
  ],
  lockers: [],
};

async function panelOn(t: { teardown(fn: () => unknown): void }) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const panel = new TerminalPanel({ input, output, ansi: false });
  const got: Array<string> = [];
  panel.keypad.on('key', (k: KeypadKey) => got.push(`key ${k}`));
  panel.touch.on('touch', (e: TouchEvent) => got.push(`touch ${JSON.stringify(e)}`));
  panel.scanner.on('line', (l) => got.push(`scan ${l}`));
  panel.badgeReader.on('line', (l) => got.push(`badge ${l}`));
  panel.headphones.on('change', (v) => got.push(`headphones ${v}`));
  await panel.open();
  t.teardown(() => panel.close());
  const type = async (s: string): Promise<void> => {
    input.write(s);
    await new Promise((r) => setImmediate(r));
  };
  return { panel, input, got, type, text: () => text };
}

t.test('keys become keypad, touch, reader and headphone events', async (t) => {
  const { panel, got, type } = await panelOn(t);
  panel.show(PAGE);
  await type('12\r\x7fRS+-');
  await type('b<\x1bX');
  await type('/QR-1\r@BADGE-7\r"TRK 9\rH');
  t.same(got, [
    'key 1',
    'key 2',
    'key enter',
    'key clear',
    'key repeat',
    'key stop',
    'key volume-up',
    'key volume-down',
    'touch {"kind":"option","id":"lang-fr"}',
    'touch {"kind":"back"}',
    'touch {"kind":"back"}',
    'touch {"kind":"sign-out"}',
    'scan QR-1',
    'badge BADGE-7',
    'touch {"kind":"text","text":"TRK 9"}',
    'headphones true',
  ]);
});

t.test('pages and notices are drawn as text; Ctrl-C ends the panel and its devices deliver nothing after', async (t) => {
  const { panel, got, type, text } = await panelOn(t);
  t.match(text(), /Ctrl-C = quit/, 'the help is printed on open');
  panel.show(PAGE);
  panel.notice('Thank you. Goodbye.', 'en');
  t.match(text(), /== Menu == {3}\[EN\]\n {3}Choose\n {3}\[a\] \(1\) Pick up\n {3}\[b\] Français\n>> Thank you\. Goodbye\.\n$/);
  panel.show({ ...PAGE, change: 'input', input: { kind: 'digits', masked: true, length: 3 }, feedback: 'Input cleared' });
  t.match(text(), / {3}> \*\*\*_ {2}\(Input cleared\)\n$/, 'typed input redraws the entry line only');
  await type('\x03');
  await panel.ended;
  t.notOk(panel.keypad.press('1'), 'the keypad is closed');
  await type('1');
  t.same(got, []);
});
