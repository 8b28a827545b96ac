import t from 'tap';
import { run, setup, signIn } from './fixtures/pty-session.ts';
import { TEST_PIN } from './fixtures/setup.ts';
import { screenOf } from './fixtures/screen.ts';

const ESC = '\x1b';
const LEFT = '\x1b[D';

t.test('wrong PINs lock the console out, even for the right PIN', async (t) => {
  const s = await setup(t, { maxFailures: 2, lockoutS: 600 });
  const c = s.spawn();
  await c.expect('PIN: ', { timeoutMs: 15000 });
  c.write('0000\r');
  await c.expect('Wrong PIN.');
  c.write('9999\r');
  await c.expect('console locked for 10m00s');
  c.write(`${TEST_PIN}\r`);
  await c.expect(/Console locked: try again in \d+ s/);
  c.write('status\r');
  await c.expect(/Console locked|Wrong PIN/);
  t.notMatch(c.output, 'portier> ', 'never signed in');
  t.notMatch(c.output, 'firmware', 'no command ran');
});

t.test('TERM=dumb: plain output without escape codes', async (t) => {
  const s = await setup(t);
  const c = s.spawn({ TERM: 'dumb' });
  await signIn(c);
  await run(c, 'help');
  await run(c, 'status', /uptime[\s\S]*4\s+closed.*\r\n.*portier> /);
  c.take();
  c.write('doors\r');
  await c.expect('one line per change');
  c.write('q');
  await c.expect('portier> ');
  c.write(`open 5${LEFT}\x7f1\r`);
  await c.expect(/door 1: opened[\s\S]*portier> /);
  await run(c, 'nonsense');
  t.notMatch(c.output, ESC, 'no ESC byte in anything the console wrote');
});

t.test('input in pieces and several lines in one read', async (t) => {
  const s = await setup(t);
  const c = s.spawn();
  await c.expect('PIN: ', { timeoutMs: 15000 });
  // The PIN and two commands in one write; then a command byte by byte.
  c.write(`${TEST_PIN}\rservice 2 out\ropen 1\r`);
  await c.expect(/door 1: opened/);
  await c.expectSimEvent((e) => e.door === 1 && e.open);
  for (const ch of 'service 2 in\r') c.write(ch);
  await c.expect('door 2 is now in-service');
  t.match(c.output, 'door 2 is now out-of-service');
});

t.test('the same console on a virtual GPIO board (johnny-five IO plugin): open N opens the door', async (t) => {
  const s = await setup(t, {}, {
    bus: {
      kind: 'gpio',
      io: { type: 'firmata', path: '/dev/ttyACM0' },
      pins: { '1': { lockPin: 2, sensorPin: 3 }, '2': { lockPin: 4, sensorPin: 5 }, '3': { lockPin: 6, sensorPin: 7 } },
    },
    doors: { maxPulseMs: 800, pulseMs: 200, pollMs: 50 },
  });
  const c = s.spawn();
  await signIn(c);
  const out = await run(c, 'status', /uptime[\s\S]*3\s+closed.*\r\n.*portier> /);
  t.match(out, 'lock bus     gpio ok');
  t.match(await run(c, 'open 2', /door 2: .*\r\n/), 'door 2: opened (pulse 200 ms)');
  await c.expectSimEvent((e) => e.door === 2 && e.open === true);
  t.match(await run(c, 'boards scan', /answered[\s\S]*portier> /), 'address 0: doors 1..3');
  t.match(await run(c, 'open 4'), 'error: no door 4 on this controller (doors 1..3)');
});

t.test('a log line while the technician types: on its own line above the prompt, the typed text drawn again after it', async (t) => {
  const s = await setup(t);
  const c = s.spawn();
  await signIn(c);
  const from = c.mark;
  c.write(`open 9${LEFT}`);
  await c.expect('open 9');
  c.signal('SIGUSR2'); // door 1 forced open by hand: the controller logs it, on the same terminal
  // Three lines (the door controller's, then the runtime's door-opened and door-forced): wait for the last one
  // and the prompt drawn after it, with nothing after that.
  await c.expect(/door-forced[^\r\n]*\r\nportier> open 9\x1b\[1D$/);
  const screen = screenOf(c.output.slice(from));
  const log = screen.lines.filter((l) => l.includes('door opened without an unlock: forced'));
  t.equal(log.length, 1, 'the log line is shown once');
  t.match(log[0], /^\d\d:\d\d:\d\d\.\d{3} WARN {2}doors: door opened without an unlock: forced/, 'on a line of its own, from its first column, readable');
  t.notOk(screen.lines.some((l) => l.includes('portier>') && l.includes('forced')), 'never on the prompt line');
  t.equal(screen.lines.at(-1), 'portier> open 9', 'the prompt and the typed text, intact, on the last line');
  t.equal(screen.col, 'portier> open 9'.length - 1, 'the cursor where it was (on the 9)');
  // Editing goes on where it was: delete the 9, type 1.
  c.write('\x1b[3~1\r');
  t.match(await c.expect(/door 1: .*\r\n/), 'door 1: was already open', 'the line as edited after the log line');
});
