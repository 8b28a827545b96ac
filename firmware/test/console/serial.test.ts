import t, { type Test } from 'tap';
import { SerialPort } from 'serialport';
import { serveSerialConsole } from '../../src/console/index.ts';
import { createPtyPair, expectCondition, expectValue, socatAvailable } from '@portier/sim';
import { startSimController } from './fixtures/sim-controller.ts';
import { TEST_PIN, sampleConfig, writeConfig } from './fixtures/setup.ts';

const skip = socatAvailable() ? false : 'needs socat (Debian package socat)';

/** A technician's laptop on the other end of a real tty pair (socat), at 115200 8N1. */
async function setup(t: Test, consoleOverrides: Record<string, unknown> = {}) {
  const cfg = writeConfig(await sampleConfig(4, { failureDelayMs: 0, ...consoleOverrides }));
  const pair = await createPtyPair({ simName: 'laptop', controllerName: 'ttyS0' });
  const sim = await startSimController(cfg.path);
  const served = serveSerialConsole({ path: pair.controllerPath, backend: sim.backend, config: sim.console, logger: sim.logger, reopenDelayMs: 100 });
  await served.ready;
  const laptop = new SerialPort({ path: pair.simPath, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
  await new Promise<void>((res, rej) => laptop.open((e) => (e ? rej(e) : res())));
  let out = '';
  let mark = 0;
  laptop.on('data', (d: Buffer) => (out += d.toString('utf8')));
  t.teardown(async () => {
    if (laptop.isOpen) await new Promise<void>((r) => laptop.close(() => r()));
    await served.close();
    await sim.stop();
    await pair.close();
    cfg.cleanup();
  });
  const h = {
    sim,
    served,
    get out() {
      return out;
    },
    async write(s: string | Buffer) {
      await new Promise<void>((res, rej) => laptop.write(s, (e) => (e ? rej(e) : res())));
      await new Promise<void>((res, rej) => laptop.drain((e) => (e ? rej(e) : res())));
    },
    /** What came out since the last match, once it holds `match`; bounded, as a wait on another process is. */
    async expect(match: string | RegExp, timeoutMs = 20_000): Promise<string> {
      const from = mark;
      const found = (tail: string): boolean => (typeof match === 'string' ? tail.includes(match) : match.test(tail));
      const tail = await expectValue(() => (found(out.slice(from)) ? out.slice(from) : undefined), timeoutMs, `${String(match)} on the laptop's screen`).catch((err: unknown) => {
        t.comment(`output: ${JSON.stringify(out.slice(from))}`);
        throw err;
      });
      mark = from + tail.length;
      return tail;
    },
  };
  return h;
}

t.test('serial console on a real tty pair: PIN in pieces, several lines in one read, open N opens the virtual door', { skip }, async (t) => {
  const h = await setup(t);
  // The banner goes out when the port opens; Enter shows the PIN prompt again for a late laptop.
  await h.write('\r');
  await h.expect('PIN: ');
  // Each piece is echoed masked before the next is sent: the controller read the pieces separately.
  await h.write(TEST_PIN.slice(0, 2));
  await h.expect('*'.repeat(2));
  await h.write(TEST_PIN.slice(2, 5));
  await h.expect('*'.repeat(3));
  await h.write(`${TEST_PIN.slice(5)}\r`);
  await h.expect(/Signed in\.[\s\S]*portier> /);
  t.notMatch(h.out, TEST_PIN, 'the PIN is not echoed on the serial line');

  // Three commands in one write.
  await h.write('service 4 out\rstatus\ropen 2\r');
  await h.expect(/door 2: opened/);
  t.match(h.out, 'door 4 is now out-of-service');
  t.match(h.out, 'lock bus     kerong-cu16 ok');
  t.ok(h.sim.doors[1]!.open, 'virtual door 2 is open');
  t.notOk(h.sim.doors[0]!.open, 'door 1 untouched');

  // One command split in the middle of a word and of the CR LF.
  // Each piece is echoed (or answered) before the next is sent: the controller read the pieces separately.
  await h.write('ev');
  await h.expect('ev');
  await h.write('ents 20\r');
  await h.expect(/door-opened \{"door":2,"cause":"unlock"\}[\s\S]*portier> /);
  await h.write('\n');
  // A command after the LF is answered only once the LF has been read.
  await h.write('service 4 in\r');
  const afterLf = await h.expect(/door 4 is now in-service[\s\S]*portier> /);
  t.notMatch(afterLf, 'unknown command', 'the trailing LF of CR LF is not a second line');

  t.match(h.sim.backend.events(50).map((e) => e.event.type).join(' '), 'console-action', 'actions recorded as events');
  const audit = h.sim.backend.events(50).find((e) => e.event.type === 'console-action' && e.event.action === 'open');
  t.match(audit?.event, { actor: { role: 'technician', id: `serial:${h.served.path}` }, args: ['2'], ok: true });
});

t.test('serial console: lock-out after repeated wrong PINs', { skip }, async (t) => {
  const h = await setup(t, { maxFailures: 3 });
  await h.write('\r');
  await h.expect('PIN: ');
  await h.write('1111\r2222\r3333\r');
  await h.expect('console locked for 5m00s');
  await h.write(`${TEST_PIN}\r`);
  await h.expect(/Console locked: try again in \d+ s/);
  t.notOk(h.served.session?.signedIn);
  const failures = h.sim.backend.events(20).filter((e) => e.event.type === 'login-failure');
  t.equal(failures.length, 3, 'each wrong PIN is an event');
  t.match(failures.at(-1)?.event, { attempts: 3, lockedOutUntil: Number });
});

t.test('serial line configured dumb: no escape codes, backspace still edits', { skip }, async (t) => {
  const h = await setup(t, { dumb: true });
  await h.write(`${TEST_PIN}\r`);
  await h.expect(/Signed in\.[\s\S]*portier> /);
  await h.write('open 9\x7f1\r');
  await h.expect(/door 1: opened[\s\S]*portier> /);
  await h.write('doors\r');
  await h.expect('one line per change');
  await h.write('x');
  await h.expect('portier> ');
  await h.write('\x1b[A\x1b[Dhelp\r');
  await h.expect(/factory-reset[\s\S]*portier> /);
  t.notMatch(h.out, '\x1b', 'no ESC byte on the line');
  t.ok(h.sim.doors[0]!.open);
});

t.test('serial console waits for a port that is not there yet (adapter plugged in later)', { skip }, async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const cfg = writeConfig(await sampleConfig(4));
  const dir = mkdtempSync(join(tmpdir(), 'portier-late-'));
  const sim = await startSimController(cfg.path);
  const served = serveSerialConsole({ path: join(dir, 'ttyS0'), backend: sim.backend, config: sim.console, reopenDelayMs: 50 });
  let pair: Awaited<ReturnType<typeof createPtyPair>> | undefined;
  let laptop: SerialPort | undefined;
  t.teardown(async () => {
    if (laptop?.isOpen) await new Promise<void>((r) => laptop!.close(() => r()));
    await served.close();
    await pair?.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
    cfg.cleanup();
  });
  await t.rejects(served.ready, 'the first open fails');
  pair = await createPtyPair({ dir, simName: 'laptop', controllerName: 'ttyS0' });
  const lp = new SerialPort({ path: pair.simPath, baudRate: 115200, autoOpen: false });
  laptop = lp;
  await new Promise<void>((res, rej) => lp.open((e) => (e ? rej(e) : res())));
  let out = '';
  lp.on('data', (d: Buffer) => (out += d.toString()));
  // The banner and the first prompt may be written before this end of the cable is open (opening a port discards
  // what waits in it), so the laptop presses Enter until a prompt comes: an empty line asks for the PIN again. The PIN
  // prompt is what shows the console serving the port.
  const enter = setInterval(() => lp.write('\r'), 250);
  t.teardown(() => clearInterval(enter));
  await expectCondition(() => out.includes('PIN: '), 30_000, 'the PIN prompt on the laptop');
  clearInterval(enter);
  t.match(out, 'PIN: ', 'the console came up once the port appeared');
});
