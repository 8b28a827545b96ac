import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { renderScreen } from '@portier/sim';
import { runTerminalKiosk } from '../../src/kiosk-terminal/index.ts';
import { CODES, createKiosk } from '../../../firmware/test/kiosk/helpers.ts';

/** A terminal over a real kiosk engine (with the firmware tests' fake ports) on in-memory streams. */
function terminal(t: Parameters<typeof createKiosk>[0], opts: Parameters<typeof createKiosk>[1] = {}) {
  const k = createKiosk(t, opts);
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  const done = runTerminalKiosk({ input, output, engine: k.engine });
  t.teardown(async () => {
    input.end();
    await done;
  });
  return {
    k,
    done,
    get text() {
      return text;
    },
    /** Text written since the last call. */
    take(): string {
      const s = text;
      text = '';
      return s;
    },
    async keys(s: string): Promise<void> {
      input.write(s);
      // Commands are queued on promises; a few turns of the event loop let them all run (no timers involved).
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      await k.engine.settled();
    },
  };
}

t.test('the home page is drawn, a pickup code typed on the keyboard opens the locker', async (t) => {
  const term = terminal(t, { rules: { openAllAtOnce: true } });
  await term.keys('');
  const first = term.take();
  t.match(first, /== Welcome ==/);
  t.match(first, /Type your pickup code/);
  t.match(first, /Ctrl-C = quit/, 'help shown');
  await term.keys(CODES.pickup.slice(0, 3));
  t.match(term.text, /> \*\*\*_/, 'digits masked');
  t.notMatch(term.text, new RegExp(CODES.pickup.slice(0, 3)), 'never echoed in clear');
  await term.keys(`${CODES.pickup.slice(3)}\r`);
  const page = term.take();
  t.match(page, /== Your packages ==/);
  t.match(page, /Open now: locker 12, column 2, third door from the top\./);
  t.match(page, /# locker 13, column 2, first door from the top: open/);
  t.same(term.k.doors.unlocked, [2, 3]);
  t.match(page, /\[a\] \(1\) I am done/);
  await term.keys('a');
  t.match(term.take(), />> Thank you\. Goodbye\.[\s\S]*== Welcome ==/);
});

t.test('a French session draws the door states in French', async (t) => {
  const term = terminal(t, { rules: { openAllAtOnce: true } });
  await term.k.engine.setLanguage('fr');
  await term.keys(`${CODES.pickup}\r`);
  const page = term.take();
  t.match(page, /# casier 13, colonne 2, première porte en partant du haut: ouvert/);
  t.notMatch(page, /: open$/m, 'no raw state');
  term.k.doors.close(3);
  await term.keys('');
  t.match(term.take(), /# casier 13, colonne 2, première porte en partant du haut: fermé/);
});

t.test('scan, badge and typed text lines; options by letter; back; sign out', async (t) => {
  const term = terminal(t, { rules: { contactless: true, addToExistingLocker: false } });
  await term.keys('@BADGE-OP-1\r');
  t.match(term.take(), /== Staff menu ==[\s\S]*Signed in as operator/);
  await term.keys('a'); // Drop off a package
  t.match(term.take(), /== Drop-off ==/);
  await term.keys('"TRK-100\r');
  t.same(term.k.doors.unlocked, [4]);
  t.match(term.take(), /Put the package in the open locker/);
  await term.keys('<');
  t.match(term.take(), /== Staff menu ==/);
  await term.keys('X');
  t.match(term.take(), /== Welcome ==/);
  await term.keys(`/${CODES.qr}\r`);
  t.same(term.k.doors.unlocked, [4, 2]);
  t.match(term.k.sink.transactions('pickup')[0], { via: 'qr' });
});

t.test('keys split across reads and several keys in one read', async (t) => {
  const term = terminal(t, { rules: { openAllAtOnce: true } });
  await term.keys('@BADGE');
  await term.keys('-OP');
  await term.keys('-1');
  t.equal(term.k.engine.screen.page, 'home', 'nothing until Enter');
  await term.keys('\rX482913\r');
  t.equal(term.k.engine.screen.page, 'pickup');
  t.same(term.k.doors.unlocked, [2, 3]);
});

t.test('headphones toggle and audio keys reach the engine; arrow keys are ignored', async (t) => {
  const term = terminal(t);
  await term.keys('H');
  t.equal(term.k.engine.audioMode, true);
  t.match(term.take(), /\[EN \| audio\]/);
  await term.keys('\x1b[A\x1b[B');
  t.equal(term.k.engine.screen.page, 'home', 'arrows are not "back" and not options');
  await term.keys('\r');
  t.equal(term.k.engine.screen.page, 'menu');
  await term.keys('d'); // Français
  t.match(term.take(), /== Bienvenue ==[\s\S]*Tapez votre code/);
});

t.test('Ctrl-C ends the terminal kiosk', async (t) => {
  const term = terminal(t);
  await term.keys('\x03');
  await term.done;
  t.pass('resolved');
});

t.test('renderScreen draws errors, warnings, input and the wait', async (t) => {
  const text = renderScreen({
    page: 'home',
    change: 'page',
    lang: 'en',
    audio: false,
    title: 'T',
    lines: ['L'],
    error: 'E',
    warning: 'W',
    options: [{ id: 'x', label: 'O' }],
    input: { kind: 'text', masked: false, length: 3, value: 'abc' },
    lockers: [],
    waitUntil: Date.now() + 2000,
  });
  t.match(text, /== T == {3}\[EN\]\n!! W\n\*\* E\n {3}L\n {3}> abc_\n {3}\[a\] O\n {3}\(sign-in possible again in 2 s\)/);
});

/** A terminal kiosk with an audio output the test drives; `text()` is everything written so far. */
function withAudio(t: Parameters<typeof createKiosk>[0], opts: { ansi: boolean; header?: () => string[] }) {
  const k = createKiosk(t);
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (c: Buffer) => (written += c.toString('utf8')));
  const audio = new EventEmitter<{ started: [{ kind: 'speech' | 'tone'; text?: string }] }>();
  const done = runTerminalKiosk({ input, output, engine: k.engine, audio, ...opts });
  t.teardown(async () => {
    input.end();
    await done;
  });
  return { k, input, audio, text: () => written };
}

t.test('a redraw keeps the header lines and shows a transcript of what the kiosk said', async (t) => {
  const { k, input, audio, text } = withAudio(t, { ansi: true, header: () => ['API http://127.0.0.1:8080/api/v1', 'pickup code 123456'] });
  const lastScreen = (): string => text().slice(text().lastIndexOf('\x1b[2J'));
  t.match(lastScreen(), /^\x1b\[2J\x1b\[HAPI http:\/\/127\.0\.0\.1:8080\/api\/v1\npickup code 123456\n-+\n== Welcome ==/, 'the header is on top of the screen');
  input.write('\r');
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  await k.engine.settled();
  t.match(lastScreen(), /pickup code 123456[\s\S]*== /, 'still there after the page changed');
  audio.emit('started', { kind: 'speech', text: 'Welcome. Type your pickup code.' });
  audio.emit('started', { kind: 'tone' });
  audio.emit('started', { kind: 'tone' });
  t.match(lastScreen(), /pickup code 123456[\s\S]*audio: Welcome\. Type your pickup code\.\naudio: \(tone x2\)\n$/, 'what was said and played, under the screen');
  for (let i = 0; i < 5; i++) audio.emit('started', { kind: 'speech', text: `line ${i}` });
  t.notMatch(lastScreen(), /line 0/, 'only the last lines are kept');
  t.match(lastScreen(), /audio: line 4\n$/);
});

t.test('without ANSI the transcript is written line by line', async (t) => {
  const { audio, text } = withAudio(t, { ansi: false });
  audio.emit('started', { kind: 'speech', text: 'Bienvenue.' });
  t.match(text(), /audio: Bienvenue\.\n$/);
  t.notMatch(text(), /\x1b\[/);
});
