// The lock bus's serial port goes away under a running controller (a loose USB adapter, a board power cycle) and
// comes back: the bus says the port is closed, refuses opens without reporting a pulse, does not fill the log, and
// reopens the port by itself with backoff, after which an open works again.
import t from 'tap';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { DoorController } from '../../../src/doors/door-controller.ts';
import { ControllerBackend } from '../../../src/console/controller-backend.ts';
import { renderStatus, renderUnlock } from '../../../src/console/render.ts';
import { createCu16Fixture } from '../../fixtures/cu16-fixture.ts';
import { advance, advanceUntil, fakeClock, settle } from '../../contract/harness.ts';

interface LogLine {
  level: number;
  module?: string;
  msg: string;
}

function capturedLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

const WARN = 40;

t.test('lock bus serial port lost and back: port closed in status, no pulse reported, warnings rate-limited, reopened with backoff, opens work again', async (t) => {
  const clock = fakeClock();
  t.teardown(() => clock.restore());
  const { logger, lines } = capturedLogger();
  const fx = await createCu16Fixture({ doorCount: 4, maxPulseMs: 1000, behaviour: { springDelayMs: 20 }, logger, reopenMinMs: 500, reopenMaxMs: 30_000 });
  const ctl = new DoorController({ bus: fx.bus, maxPulseMs: 1000, pulseMs: 300, logger });
  const backend = new ControllerBackend({
    doors: ctl,
    config: { read: async () => ({}), show: async () => ({ entries: [] }), set: async () => Promise.reject(new Error('not in this test')) },
    firmwareVersion: '1.0.0',
  });
  t.teardown(async () => {
    backend.dispose();
    await ctl.stop();
    await fx.cleanup();
  });
  await settle(clock, ctl.start());
  t.equal(fx.bus.health().port, 'open');

  fx.transport.unplug();
  t.ok(await advanceUntil(clock, () => fx.bus.health().port === 'closed', 1000), 'the bus notices the port went away');
  const lostAt = Date.now();
  const status = await backend.status();
  t.match(status.bus, { kind: 'kerong-cu16', state: 'down', port: 'closed' });
  t.match(renderStatus(status, Date.now()), /lock bus +kerong-cu16 down +PORT CLOSED/, 'the console status says the port is closed');

  const refused = await settle(clock, ctl.unlock(2));
  t.same(refused, { door: 2, outcome: 'unknown', reason: 'BUS_CLOSED' }, 'unknown, and no pulse length: nothing was sent');
  const shown = renderUnlock(refused);
  t.match(shown, 'no pulse sent');
  t.notMatch(shown, /pulse \d+ ms/, 'the console never shows a pulse that was not sent');
  t.equal(fx.doors[1]!.energised.length, 0, 'door 2 was never energised');

  // The door controller keeps polling every 100 ms; the bus must not log a warning for each poll.
  const busWarnings = (): number => lines.filter((l) => l.level >= WARN && l.module === 'hal/kerong-cu16').length;
  const attempts = (): number => lines.filter((l) => l.msg === 'serial port reopen failed' || l.msg === 'serial port still closed').length;
  await advance(clock, 10_000, 20);
  t.equal(busWarnings(), 1, 'one warning when the port was lost, none per poll');
  const early = attempts();
  t.ok(early >= 3 && early <= 6, `reopen attempts back off (${early} in the first 10 s, not one per poll)`);
  await advance(clock, 60_000, 50);
  t.ok(busWarnings() <= 2, `at most one reminder a minute while it stays closed (${busWarnings()} warnings in 70 s)`);
  const later = attempts() - early;
  t.ok(later >= 1 && later <= 6, `later attempts are up to 30 s apart (${later} in the next 60 s)`);

  fx.transport.plugIn();
  t.ok(await advanceUntil(clock, () => fx.bus.health().port === 'open', 31_000, 20), 'the port is reopened without a restart');
  t.ok(Date.now() - lostAt > 70_000, 'by the bus itself, after the port came back');
  t.ok(lines.some((l) => l.msg === 'serial port reopened'), 'and it says so');
  const again = await settle(clock, ctl.unlock(2));
  t.same(again, { door: 2, outcome: 'opened', pulseMs: 300 }, 'an open succeeds again');
  t.ok(fx.doors[1]!.open, 'virtual door 2 is open');
  const after = await backend.status();
  t.equal(after.bus.port, 'open');
  t.notMatch(renderStatus(after, Date.now()), /PORT CLOSED/);
});
