import t, { type Test } from 'tap';
import sinon from 'sinon';
import { readFileSync } from 'node:fs';
import { ConsoleSession, FACTORY_RESET_PHRASE } from '../../src/console/session.ts';
import { consoleConfigSchema } from '../../src/console/config-section.ts';
import { FakeBackend } from './fixtures/fake-backend.ts';
import { TEST_PIN, configFile, sampleConfig, writeConfig } from './fixtures/setup.ts';

const ESC = '\x1b';

async function setup(t: Test, o: { dumb?: boolean } = {}) {
  // setImmediate stays real: scrypt runs on the thread pool, tests wait for it with `until`.
  const clock = sinon.useFakeTimers({ now: 1_700_000_000_000, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const doc = await sampleConfig(4);
  const cfgFile = writeConfig(doc);
  const backend = new FakeBackend(configFile(cfgFile.path));
  let out = '';
  const session = new ConsoleSession({
    output: { write: (s: string) => (out += s) },
    backend,
    config: consoleConfigSchema.parse(doc['console']),
    dumb: o.dumb ?? false,
    channel: 'test',
  });
  t.teardown(() => {
    session.close();
    clock.restore();
    cfgFile.cleanup();
  });
  session.start();
  let mark = 0;
  const h = {
    clock,
    backend,
    session,
    cfgPath: cfgFile.path,
    get out() {
      return out;
    },
    /** Output since the last `since()`. */
    since(): string {
      const s = out.slice(mark);
      mark = out.length;
      return s;
    },
    send(s: string) {
      session.feed(s);
    },
    /** Waits (real thread-pool work, fake timers) until the output contains `text`. */
    async until(text: string | RegExp, from = mark): Promise<string> {
      // A real bound (the timers are fake); generous, as it only bounds a failure.
      const deadline = performance.now() + 20_000;
      for (;;) {
        const tail = out.slice(from);
        if (typeof text === 'string' ? tail.includes(text) : text.test(tail)) return tail;
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; output:\n${JSON.stringify(tail)}`);
        await new Promise((r) => setImmediate(r));
      }
    },
    async signIn() {
      h.send(`${TEST_PIN}\r`);
      await h.until('portier> ');
      h.since();
    },
    async cmd(line: string, expect: string | RegExp = 'portier> '): Promise<string> {
      const from = out.length;
      h.send(`${line}\r`);
      const s = await h.until(expect, from);
      mark = out.length;
      return s;
    },
  };
  return h;
}

t.test('sign-in: the PIN is not echoed, a right PIN signs in and is audited', async (t) => {
  const h = await setup(t);
  t.match(h.out, 'PIN: ');
  h.send(TEST_PIN);
  t.notMatch(h.out, TEST_PIN, 'the PIN never appears on the screen');
  t.match(h.out, '******');
  h.send('\r');
  await h.until('Signed in.');
  t.ok(h.session.signedIn);
  t.same(h.backend.actions()[0], { action: 'sign-in', ok: true, args: [] });
  const ev = h.backend.published.find((e) => e.type === 'console-action');
  t.match(ev, { actor: { role: 'technician', id: 'test' } });
});

t.test('wrong PINs: growing delay, then lock-out; a right PIN is refused while locked', async (t) => {
  const h = await setup(t);
  h.send('1111\r');
  await h.until('Wait 1 s');
  t.match(h.backend.published.at(-1), { type: 'login-failure', method: 'console', attempts: 1 });
  h.since();
  // Too soon: refused without being checked (a right PIN too).
  h.send(`${TEST_PIN}\r`);
  await h.until('Too soon');
  t.notOk(h.session.signedIn);
  await h.clock.tickAsync(1000);
  h.since();
  h.send('2222\r');
  await h.until('Wait 2 s', 0);
  await h.clock.tickAsync(2000);
  h.since();
  h.send('3333\r');
  await h.until('console locked for 5m00s');
  t.match(h.backend.published.at(-1), { type: 'login-failure', attempts: 3, lockedOutUntil: 1_700_000_000_000 + 3000 + 300_000 });
  await h.clock.tickAsync(60_000);
  h.since();
  h.send(`${TEST_PIN}\r`);
  await h.until('Console locked: try again in 240 s');
  t.notOk(h.session.signedIn, 'locked out even with the right PIN');
  await h.clock.tickAsync(240_000);
  h.send(`${TEST_PIN}\r`);
  await h.until('Signed in.');
  t.ok(h.session.signedIn, 'signs in after the lock-out');
});

t.test('automatic sign-out after inactivity; input keeps the session', async (t) => {
  const h = await setup(t);
  await h.signIn();
  await h.clock.tickAsync(50_000);
  h.send('x');
  await h.clock.tickAsync(50_000);
  t.ok(h.session.signedIn, 'typing resets the idle timer');
  await h.clock.tickAsync(10_001);
  t.notOk(h.session.signedIn);
  t.match(h.out, 'Signed out after 1m00s without input.');
  t.match(h.out.slice(-5), 'PIN: ');
  t.match(h.backend.actions().at(-1), { action: 'sign-out', ok: true });
  t.match(h.backend.published.at(-1), { detail: 'idle' });
});

t.test('Ctrl-D signs out; exit signs out', async (t) => {
  const h = await setup(t);
  await h.signIn();
  h.send('\x04');
  t.notOk(h.session.signedIn);
  t.match(h.out, 'Signed out.');
  await h.signIn();
  await h.cmd('exit', 'PIN: ');
  t.notOk(h.session.signedIn);
});

t.test('help lists every command; each command has its own help', async (t) => {
  const h = await setup(t);
  await h.signIn();
  const out = await h.cmd('help');
  for (const c of ['status', 'doors', 'open N', 'test N', 'boards scan', 'service N out|in', 'config show|set', 'net test', 'logs [N]', 'events [N]', 'reboot-safe', 'factory-reset']) {
    t.match(out, c, `help lists ${c}`);
  }
  t.match(await h.cmd('open help'), 'open N\r\n  unlock door N');
  t.match(await h.cmd('help config'), 'config set KEY VALUE');
});

t.test('status shows doors, bus, broker, outbox, versions, clock, firmware, uptime', async (t) => {
  const h = await setup(t);
  await h.signIn();
  const out = await h.cmd('status');
  t.match(out, 'firmware 0.1.0-test');
  t.match(out, 'uptime 1h02m03s');
  t.match(out, 'lock bus     fake ok');
  t.match(out, 'broker       offline');
  t.match(out, 'outbox       3 event(s)');
  t.match(out, 'desired      v7   reported v6');
  t.match(out, 'clock offset -42 ms');
  t.match(out, /1\s+closed\s+no\s+in/);
});

t.test('open, test, boards scan, service, net test, logs, events: through the backend and audited', async (t) => {
  const h = await setup(t);
  await h.signIn();
  t.match(await h.cmd('open 2'), 'door 2: opened (pulse 500 ms)');
  t.equal(h.backend.doorState.get(2)!.state, 'open');
  t.match(await h.cmd('test 3'), 'lock test door 3: PASS');
  t.match(await h.cmd('boards scan'), 'MISSING (configured, silent): 1');
  t.match(await h.cmd('service 1 out'), 'door 1 is now out-of-service');
  t.equal(h.backend.doorState.get(1)!.service, 'out-of-service');
  t.match(await h.cmd('net test'), 'reachable, credentials accepted in 12 ms');
  t.match(await h.cmd('logs 5'), 'door controller started');
  t.match(await h.cmd('events 3'), /#\d+ console-action/);
  t.same(h.backend.calls, ['open 2', 'test 3', 'scan', 'service 1 out-of-service', 'net']);
  const actions = h.backend.actions().map((a) => `${a.action}${a.args.length ? ` ${a.args.join(' ')}` : ''}:${a.ok}`);
  t.same(actions, ['sign-in:true', 'open 2:true', 'test 3:true', 'boards scan:true', 'service 1 out:true', 'net test:true', 'logs 5:true', 'events 3:true']);
});

t.test('bad input: one-line errors and no state changed', async (t) => {
  const h = await setup(t);
  await h.signIn();
  const before = JSON.stringify(h.backend.doors());
  const cfgBefore = readFileSync(h.cfgPath, 'utf8');
  const cases: Array<[string, string]> = [
    ['frobnicate', 'error: unknown command "frobnicate" (type "help" for the list)'],
    ['open', 'error: missing door number (usage: open N)'],
    ['open 99', 'error: no door 99 on this controller (doors 1..4) (usage: open N)'],
    ['open two', 'error: "two" is not a door number'],
    ['open 1 2', 'error: unexpected "2"'],
    ['test -1', 'is not a door number'],
    ['service 1 sideways', 'error: "sideways" is not out or in'],
    ['service 1', 'error: missing out|in'],
    ['boards', 'error: missing subcommand'],
    ['logs many', 'error: "many" is not a count'],
    ['config', 'error: missing show or set'],
    ['config set hardware.doors.pulseMs', 'error: missing VALUE'],
    ['config set hardware.doors.pulseMs lots', 'hardware.doors.pulseMs'],
    ['config set hardware.doors.pulseMs 5000', 'nothing was changed'],
    ['config set hardware.doors.bogus 1', 'nothing was changed'],
    ['config set bad..key 1', 'bad key'],
  ];
  for (const [line, err] of cases) {
    const out = await h.cmd(line);
    t.match(out, err, line);
    const errorLines = out.split('\r\n').filter((l) => l.startsWith('error:'));
    t.equal(errorLines.length, 1, `${line}: one error line`);
  }
  t.equal(JSON.stringify(h.backend.doors()), before, 'no door changed');
  t.same(h.backend.calls, [], 'no backend action ran');
  t.equal(readFileSync(h.cfgPath, 'utf8'), cfgBefore, 'config file untouched');
  t.ok(h.backend.actions().filter((a) => !a.ok).length >= cases.length - 1, 'failed actions are audited too');
});

t.test('config set errors name the key and what is allowed there, in plain words', async (t) => {
  const h = await setup(t);
  await h.signIn();
  const cases: Array<[string, string]> = [
    ['config set hardware.doors.pulseMs 9999', 'error: hardware.doors.pulseMs: 9999 is too big (allowed 1 to 2000); nothing was changed'],
    ['config set hardware.doors.pollMs fast', 'error: hardware.doors.pollMs: must be a number (allowed 10 to 10000), not "fast"; nothing was changed'],
    ['config set console.idleTimeoutS 5', 'error: console.idleTimeoutS: 5 is too small (allowed 10 to 86400); nothing was changed'],
    ['config set log.level loud', 'error: log.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent", not "loud"; nothing was changed'],
    ['config set hardware.doors.pulsems 400', 'error: hardware.doors.pulsems: not a known setting (hardware.doors has: maxPulseMs, pulseMs, maxConcurrentPulses, pollMs, jamWindowMs, leftOpenMs, flapChanges, flapWindowMs, unknownAfterFailures); nothing was changed'],
    ['config set bogus 1', 'error: bogus: not a known setting (the file has: log, hardware, console); nothing was changed'],
  ];
  for (const [line, want] of cases) {
    const out = await h.cmd(line);
    t.equal(out.split('\r\n').find((l) => l.startsWith('error:')), want, line);
  }
  t.notMatch(h.out, /Too big|Too small|Unrecognized|Invalid input|\(root\)/, 'no raw validator wording on the screen');
});

t.test('config show masks secrets; config set persists durably and says when a restart is needed', async (t) => {
  const h = await setup(t);
  await h.signIn();
  const show = await h.cmd('config show');
  t.match(show, 'console.pinHash = "********"');
  t.notMatch(show, 'scrypt$');
  t.match(show, 'hardware.doors.pulseMs = 500');
  t.match(await h.cmd('config show hardware.bus'), 'hardware.bus.doorCount = 4');
  t.match(await h.cmd('config set hardware.doors.pulseMs 400'), 'hardware.doors.pulseMs = 400 saved; restart needed');
  const text = readFileSync(h.cfgPath, 'utf8');
  t.match(text, '# Portier controller config (test)', 'comments kept');
  t.match(text, /pulseMs: 400/);
  t.match(await h.cmd('config set log.level debug'), 'log.level = "debug" saved, in effect now');
  t.match(await h.cmd('config set log.level debug'), 'log.level is already "debug"');
  t.match(h.backend.actions().find((a) => a.action === 'config set'), { args: ['hardware.doors.pulseMs', '400'], ok: true });
});

t.test('config show lists the defaults the controller uses too, marked as defaults; the file\'s own settings unmarked', async (t) => {
  const h = await setup(t);
  await h.signIn();
  const out = await h.cmd('config show hardware.doors');
  const lines = out.split('\r\n').filter((l) => l.startsWith('hardware.doors.'));
  t.same(lines.filter((l) => !l.endsWith('(default)')), ['hardware.doors.maxPulseMs = 1000', 'hardware.doors.pulseMs = 500', 'hardware.doors.pollMs = 50'], 'what the file says');
  t.ok(lines.some((l) => /^hardware\.doors\.jamWindowMs = 2000 +\(default\)$/.test(l)), 'a default the file leaves out');
  t.ok(lines.some((l) => /^hardware\.doors\.maxConcurrentPulses = 1 +\(default\)$/.test(l)));
  t.equal(lines.length, 9, 'every setting of the section');
  const all = await h.cmd('config show');
  t.match(all, /console\.baudRate = 115200 +\(default\)/);
  t.match(all, /hardware\.commissioning\.unlockAtStart = \[\] +\(default\)/);
  t.match(all, 'console.pinHash = "********"\r\n', 'secrets still masked');
  t.notMatch(all, /pinHash.*\(default\)/);
});

t.test('factory-reset needs the typed phrase; anything else cancels', async (t) => {
  const h = await setup(t);
  await h.signIn();
  h.send('factory-reset\r');
  await h.until(`Type ${FACTORY_RESET_PHRASE} to confirm: `);
  t.match(await h.cmd('yes'), 'cancelled; nothing was changed.');
  t.equal(h.backend.resets, 0);
  h.send('factory-reset\r');
  await h.until(`Type ${FACTORY_RESET_PHRASE} to confirm: `, 0);
  h.since();
  t.match(await h.cmd(FACTORY_RESET_PHRASE), 'factory reset done');
  t.equal(h.backend.resets, 1);
  t.match(await h.cmd('reboot-safe'), 'outputs safe; restarting now.');
  t.equal(h.backend.rebooted, 1);
});

t.test('a cancelled factory reset says so in one line, and no confirmation answer is kept in the history', async (t) => {
  const h = await setup(t);
  await h.signIn();
  h.send('factory-reset\r');
  await h.until(`Type ${FACTORY_RESET_PHRASE} to confirm: `);
  h.since();
  const out = await h.cmd('FACTORY RESTE');
  const lines = out.split('\r\n').filter((l) => l.trim() !== '' && !l.startsWith('portier> ') && l !== 'FACTORY RESTE');
  t.same(lines, ['factory reset cancelled; nothing was changed.'], 'one clear line, no contradicting error');
  t.equal(h.backend.resets, 0);
  t.match(h.backend.actions().at(-1), { action: 'factory-reset', ok: false }, 'audited as not done');
  // Up arrow recalls the command, never the answer typed at the confirmation prompt.
  h.send('\x1b[A');
  t.match(h.since(), /portier> factory-reset$/);
  h.send('\x15');
  // Nor a right answer: recalled, it would be an unknown command at best.
  h.send(`factory-reset\r`);
  await h.until(`Type ${FACTORY_RESET_PHRASE} to confirm: `);
  await h.cmd(FACTORY_RESET_PHRASE);
  t.equal(h.backend.resets, 1);
  t.same(h.session.terminal.lines, ['factory-reset'], 'the history holds the commands only');
});

t.test('doors live view redraws until a key; dumb view prints one line per change', async (t) => {
  const h = await setup(t);
  await h.signIn();
  h.send('doors\r');
  await h.until('press any key to stop');
  t.match(h.out, `${ESC}[2J`);
  h.since();
  h.backend.doorState.get(4)!.state = 'open';
  await h.clock.tickAsync(300);
  t.match(h.since(), /4\s+open/);
  h.send('q');
  await h.until('(live view stopped)');
  t.match(h.out.slice(-9), 'portier> ');
});

t.test('dumb terminal: no escape codes anywhere', async (t) => {
  const h = await setup(t, { dumb: true });
  await h.signIn();
  await h.cmd('help');
  await h.cmd('status');
  h.send('open 1\x1b[D\x1b[A\x7f1\r');
  await h.until('door 1: opened');
  h.send('doors\r');
  await h.until('one line per change');
  h.backend.doorState.get(3)!.state = 'open';
  await h.clock.tickAsync(300);
  await h.until('door 3 open');
  h.send('x');
  await h.until('(live view stopped)');
  await h.cmd('bogus');
  t.notMatch(h.out, ESC, 'no ESC byte in the output');
});

t.test('a line in pieces and several lines in one read', async (t) => {
  const h = await setup(t);
  // PIN, then two commands, in one read: typed-ahead lines wait for the PIN check.
  h.send(`${TEST_PIN}\rservice 2 out\rstat`);
  await h.until('door 2 is now out-of-service');
  h.send('us');
  h.send('\r');
  await h.until('outbox');
  t.equal(h.backend.doorState.get(2)!.service, 'out-of-service');
  // A command split in single bytes, with CR LF split too.
  for (const ch of 'open 3\r') h.send(ch);
  h.send('\n');
  await h.until('door 3: opened');
  const prompts = h.out.split('portier> ').length - 1;
  t.equal(prompts, 4, 'one prompt per command, CR LF counted once');
});

t.test('a PIN typed again at the command prompt is not logged or sent', async (t) => {
  const h = await setup(t);
  await h.signIn();
  t.match(await h.cmd(TEST_PIN), 'error: unknown command');
  t.notMatch(JSON.stringify(h.backend.published), TEST_PIN);
  t.match(h.backend.actions().at(-1), { action: 'unknown-command', args: ['(digits)'], ok: false });
});

t.test('property: lines that are not valid commands never reach the controller', async (t) => {
  const h = await setup(t);
  await h.signIn();
  const fc = (await import('fast-check')).default;
  const word = fc.oneof(fc.constantFrom('open', 'test', 'service', 'boards', 'config', 'net', 'logs', 'events', 'set', 'show', 'out', 'in', '0', '5', '-1', '1.5', '1e3', 'x', '', 'scan2'), fc.string({ maxLength: 6 }));
  const bad = fc
    .array(word, { minLength: 1, maxLength: 4 })
    .map((ws) => ws.join(' ').replace(/[\r\n\x03\x04\x1b\x15\x17\x7f\b]/g, ''))
    .filter((l) => {
      // Words as the console splits them: any run of white space between two is one separator.
      const w = l.trim().split(/\s+/);
      const s = w.join(' ');
      const ok =
        /^(open|test) [1-4]$/.test(s) ||
        /^service [1-4] (out|in)$/.test(s) ||
        s === 'boards scan' ||
        s === 'net test' ||
        /^(logs|events)( [0-9]+)?$/.test(s) ||
        w[0] === 'config' ||
        /^(status|doors|help|exit|reboot-safe|factory-reset)\b/.test(s) ||
        s === '';
      return !ok;
    });
  await fc.assert(
    fc.asyncProperty(bad, async (line) => {
      const out = await h.cmd(line);
      return h.backend.calls.length === 0 && /error: /.test(out) && h.session.signedIn;
    }),
    { numRuns: 150 },
  );
  t.same(h.backend.calls, []);
  t.equal(JSON.stringify(h.backend.doors().map((d) => [d.state, d.service])), JSON.stringify([1, 2, 3, 4].map(() => ['closed', 'in-service'])));
});

t.test('lines typed after a confirmation answer wait for the command and then run', async (t) => {
  const h = await setup(t);
  await h.signIn();
  h.send(`factory-reset\r${FACTORY_RESET_PHRASE}\rservice 3 out\r`);
  await h.until('door 3 is now out-of-service');
  t.equal(h.backend.resets, 1);
  t.equal(h.backend.doorState.get(3)!.service, 'out-of-service');
});
