import t from 'tap';
import fc from 'fast-check';
import { Terminal, stripEscapes } from '../../src/console/terminal.ts';
import { screenOf } from './fixtures/screen.ts';

function term(o: { dumb?: boolean; echo?: boolean } = {}) {
  let out = '';
  const lines: string[] = [];
  const keys: string[] = [];
  let eofs = 0;
  let interrupts = 0;
  const tm = new Terminal({ output: { write: (s: string) => (out += s) }, dumb: o.dumb ?? false, echo: o.echo ?? true });
  tm.attach({
    onLine: (l) => {
      lines.push(l);
      tm.readLine('> ');
    },
    onKey: (k) => keys.push(k.name),
    onEof: () => eofs++,
    onInterrupt: () => {
      interrupts++;
      tm.readLine('> ');
    },
    onActivity: () => undefined,
  });
  tm.readLine('> ');
  return {
    tm,
    lines,
    keys,
    get out() {
      return out;
    },
    get eofs() {
      return eofs;
    },
    get interrupts() {
      return interrupts;
    },
  };
}

t.test('editing keys: insert in the middle, backspace, delete, home/end, Ctrl-W, Ctrl-U', async (t) => {
  const x = term();
  x.tm.feed('opn 3\x1b[D\x1b[D\x1b[De\r'); // left x3 lands after "op"
  t.same(x.lines, ['open 3']);
  x.tm.feed('open 12\x7f\x7f4\r');
  t.equal(x.lines[1], 'open 4');
  x.tm.feed('Xstatus\x1b[H\x1b[3~\r'); // home, delete
  t.equal(x.lines[2], 'status');
  x.tm.feed('config set a b\x17\x17c d\r'); // Ctrl-W twice
  t.equal(x.lines[3], 'config set c d');
  x.tm.feed('rubbish\x15help\r'); // Ctrl-U
  t.equal(x.lines[4], 'help');
  x.tm.feed('bc\x01a\x05d\r'); // Ctrl-A, Ctrl-E
  t.equal(x.lines[5], 'abcd');
});

t.test('history: up/down recall, the draft comes back, secret lines are not kept', async (t) => {
  const x = term();
  x.tm.feed('one\rtwo\r');
  x.tm.feed('dra\x1b[A\x1b[A\x1b[B\x1b[B\r');
  t.equal(x.lines[2], 'dra', 'down past the newest line restores the draft');
  x.tm.feed('\x1b[A\x1b[A\r');
  t.equal(x.lines[3], 'two');
  x.tm.readLine('PIN: ', 'secret');
  x.tm.feed('1234\r');
  t.equal(x.lines[4], '1234');
  t.notMatch(x.out, '1234', 'secret input is masked');
  x.tm.feed('\x1b[A\r');
  t.equal(x.lines[5], 'two', 'the secret line is not in the history');
});

t.test('Ctrl-C clears the line, Ctrl-D on an empty line is EOF, inside a line deletes', async (t) => {
  const x = term();
  x.tm.feed('open 1\x03');
  t.equal(x.interrupts, 1);
  x.tm.feed('\r');
  t.same(x.lines, [''], 'nothing of the cleared line remains');
  x.tm.feed('ab\x1b[D\x04\r');
  t.equal(x.lines[1], 'a');
  x.tm.readLine('> ');
  x.tm.feed('\x04');
  t.equal(x.eofs, 1);
});

t.test('escape sequences and UTF-8 characters split across reads', async (t) => {
  const x = term();
  const bytes = Buffer.from('bé\x1b[Dx\r', 'utf8');
  for (const b of bytes) x.tm.feed(Buffer.from([b]));
  t.same(x.lines, ['bxé']);
});

t.test('pause keeps typed-ahead input in order until resume', async (t) => {
  const x = term();
  x.tm.pause();
  x.tm.feed('a\rb\r');
  t.same(x.lines, []);
  x.tm.resume();
  t.same(x.lines, ['a', 'b']);
});

t.test('key mode reports keys, arrows included', async (t) => {
  const x = term();
  x.tm.readKeys();
  x.tm.feed('q\x1b[A\x03');
  t.same(x.keys, ['char', 'up', 'ctrl-c']);
});

t.test('property: any split of the input into reads gives the same lines', async () => {
  const alphabet = fc.constantFrom('a', 'b', ' ', '1', 'é', '\r', '\n', '\r\n', '\x7f', '\x1b[A', '\x1b[B', '\x1b[C', '\x1b[D', '\x1b[3~', '\x15', '\x17', '\x01', '\x05');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }), (tokens, cuts) => {
      const bytes = Buffer.from(tokens.join(''), 'utf8');
      const whole = term();
      whole.tm.feed(bytes);
      const split = term();
      let i = 0;
      let c = 0;
      while (i < bytes.length) {
        const n = cuts[c++ % cuts.length]!;
        split.tm.feed(bytes.subarray(i, i + n));
        i += n;
      }
      return JSON.stringify(whole.lines) === JSON.stringify(split.lines) && whole.out === split.out;
    }),
    { numRuns: 300 },
  );
});

t.test('property: a dumb terminal never writes an escape code, whatever is typed', async () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('\x1b[A', '\x1b[D', '\x1b[3~', '\x1bOH', '\x1b', '\x7f', '\r', '\x0c', '\x0b')), { maxLength: 30 }), (parts) => {
      const x = term({ dumb: true });
      x.tm.feed(parts.join(''));
      x.tm.print('\x1b[1mbold\x1b[0m\n');
      return !x.out.includes('\x1b');
    }),
    { numRuns: 300 },
  );
  t.equal(stripEscapes('a\x1b[2Jb\x1b[0;31mc'), 'abc');
});

t.test('no echo when the input is a pipe', async (t) => {
  const x = term({ echo: false });
  x.tm.feed('status\r');
  t.same(x.lines, ['status']);
  t.equal(x.out, '> > ', 'only the prompts');
});

/** The line the cursor is on and the cursor's column, as a VT100 shows them after `out`. */
function screen(out: string): { text: string; col: number } {
  const s = screenOf(out);
  return { text: s.lines.at(-1) ?? '', col: s.col };
}

t.test('property: what the screen shows is the prompt and the line being edited, cursor in place', async () => {
  const key = fc.constantFrom('a', 'b', 'c', ' ', '\x7f', '\x1b[D', '\x1b[C', '\x1b[H', '\x1b[F', '\x1b[3~', '\x1b[A', '\x1b[B', '\x15', '\x17', '\x0b', 'x\r');
  fc.assert(
    fc.property(fc.array(key, { maxLength: 40 }), (keys) => {
      const x = term();
      for (const k of keys) x.tm.feed(k);
      const shown = screen(x.out);
      // A character typed now lands where the cursor is shown, and Enter hands over exactly what the screen showed.
      x.tm.feed('|');
      const typed = screen(x.out);
      x.tm.feed('\r');
      const line = x.lines.at(-1) ?? '';
      return (
        typed.text === `> ${line}`.trimEnd() &&
        line.indexOf('|') === shown.col - 2 &&
        shown.text === `> ${line.replace('|', '')}`.trimEnd() &&
        typed.col === shown.col + 1
      );
    }),
    { numRuns: 500 },
  );
});

t.test('a line printed above the one being typed: prompt and input drawn again, cursor in place; dumb: on a fresh line', async (t) => {
  const x = term();
  x.tm.feed('open 9\x1b[D');
  x.tm.printAbove('10:00:00.000 WARN  doors: door 1 forced');
  t.equal(x.out.split('\r\n').at(-2)?.replace(/^[\s\S]*\r\x1b\[K/, ''), '10:00:00.000 WARN  doors: door 1 forced', 'the prompt line cleared first');
  const s = screen(x.out);
  t.same(s, { text: '> open 9', col: 7 }, 'prompt, input and cursor as before');
  x.tm.feed('\x1b[3~1\r');
  t.same(x.lines, ['open 1'], 'editing goes on where it was');
  const d = term({ dumb: true });
  d.tm.feed('open 1');
  d.tm.printAbove('a log line');
  t.equal(d.out, '> open 1\r\na log line\r\n> open 1', 'no escape codes: the line below, then the prompt and input again');
  d.tm.feed('\r');
  t.same(d.lines, ['open 1']);
});
