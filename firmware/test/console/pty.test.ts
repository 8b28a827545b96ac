import t from 'tap';
import { readFileSync } from 'node:fs';
import { run, setup, signIn } from './fixtures/pty-session.ts';
import { TEST_PIN } from './fixtures/setup.ts';

const ESC = '\x1b';
const UP = '\x1b[A';
const LEFT = '\x1b[D';

t.test('a technician at a real terminal: every command, open N opens the virtual door, config persists across a restart', async (t) => {
  const s = await setup(t);
  const c = s.spawn();
  await c.expect('PIN: ', { timeoutMs: 15000 });
  c.write(TEST_PIN);
  await c.expect('******');
  t.notMatch(c.output, TEST_PIN, 'the PIN is not echoed');
  c.write('\r');
  await c.expect(/Signed in\.[\s\S]*portier> /);

  let out = await run(c, 'status', /uptime[\s\S]*4\s+closed.*\r\n.*portier> /);
  t.match(out, 'firmware 0.1.0');
  t.match(out, 'lock bus     kerong-cu16 ok');
  t.match(out, 'broker       not-configured');
  t.match(out, /doors\s+4 \(0 open/);

  out = await run(c, 'open 3', /door 3: .*\r\n/);
  t.match(out, 'door 3: opened');
  await c.expectSimEvent((e) => e.door === 3 && e.open === true);
  t.pass('the virtual door 3 swung open');

  out = await run(c, 'test 2', /after .*\r\n/);
  t.match(out, 'lock test door 2: PASS');
  await c.expectSimEvent((e) => e.door === 2 && e.open === true);

  c.take();
  c.write('doors\r');
  out = await c.expect(/press any key to stop[\s\S]*3\s+open/);
  t.match(out, `${ESC}[2J`, 'the live view redraws the screen');
  c.write(' ');
  await c.expect(/live view stopped[\s\S]*portier> /);

  out = await run(c, 'boards scan', /answered[\s\S]*portier> /);
  t.match(out, 'address 0: doors 1..4');

  out = await run(c, 'service 1 out');
  t.match(out, 'door 1 is now out-of-service');
  out = await run(c, 'status', /uptime[\s\S]*4\s+\S+.*\r\n.*portier> /);
  t.match(out, /1\s+closed\s+no\s+OUT/);

  t.match(await run(c, 'net test'), 'broker: not configured');
  t.match(await run(c, 'logs 50', /console action service[\s\S]*portier> /), 'INFO  console: console action open 3');
  out = await run(c, 'events 50', /console-action[\s\S]*portier> /);
  t.match(out, 'door-opened {"door":3,"cause":"unlock"}');
  t.match(out, 'service-changed');

  // Bad input: one error line, nothing changes.
  const before = readFileSync(s.cfg.path, 'utf8');
  t.match(await run(c, 'open 42'), 'error: no door 42 on this controller (doors 1..4)');
  t.match(await run(c, 'config set hardware.doors.pulseMs 9999'), /error: .*hardware\.doors\.pulseMs.*nothing was changed/);
  t.match(await run(c, 'launch'), 'error: unknown command "launch"');
  t.equal(readFileSync(s.cfg.path, 'utf8'), before, 'config untouched by bad input');

  // Line editing: fix a typo in the middle with the arrow keys and backspace; recall history.
  c.take();
  c.write(`config set hardware.doors.pulseMs 4X0${LEFT}\x7f0\r`);
  out = await c.expect('portier> ');
  t.match(out, 'hardware.doors.pulseMs = 400 saved; restart needed');
  c.write(`${UP}\r`);
  out = await c.expect(/error: unknown command "launch"|hardware\.doors\.pulseMs is already 400/);
  t.match(out, 'hardware.doors.pulseMs is already 400', 'up arrow recalls the last line');
  c.write(`${UP}${UP}\r`);
  out = await c.expect(/error: unknown command "launch"|hardware\.doors\.pulseMs is already 400/);
  t.match(out, 'unknown command "launch"', 'a repeated line is stored once: two ups reach the line before');
  c.write('garbage');
  c.write('\x03');
  await c.expect('^C');
  c.write('\r');
  await c.expect('portier> ');
  t.notMatch(c.take(), 'unknown command', 'Ctrl-C cleared the line');

  // factory-reset needs the phrase; a wrong answer cancels.
  c.write('factory-reset\r');
  await c.expect('Type FACTORY RESET to confirm: ');
  c.write('no\r');
  await c.expect('cancelled; nothing was changed.');

  // Ctrl-D signs out, Ctrl-D at the PIN prompt ends the harness.
  c.write('\x04');
  await c.expect(/Signed out\.[\s\S]*PIN: /);
  c.write('\x04');
  t.equal((await c.exited).exitCode, 0);

  // A new controller process reads the saved config: the pulse is now 400 ms.
  const c2 = s.spawn();
  await signIn(c2);
  t.match(await run(c2, 'config show hardware.doors'), 'hardware.doors.pulseMs = 400');
  out = await run(c2, 'test 4', /after .*\r\n/);
  t.match(out, 'pulse    400 ms -> opened');
  out = await run(c2, 'reboot-safe', 'restarting now.');
  t.equal((await c2.exited).exitCode, 75, 'reboot-safe restarts the daemon');
});

