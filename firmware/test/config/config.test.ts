import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfigFile, validate, type ConfigProblem } from '../../src/config/index.ts';

const gpio = {
  hardware: {
    bus: {
      kind: 'gpio',
      io: { type: 'firmata', path: '/dev/ttyACM0' },
      pins: { '1': { lockPin: 2, sensorPin: 3 }, '2': { lockPin: 4, sensorPin: 5, activeLow: true } },
    },
  },
};

const paths = (problems: ConfigProblem[]) => problems.map((p) => p.path).sort();

t.test('a minimal gpio configuration gets every default', async (t) => {
  const r = validate(gpio);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  t.equal(r.config.hardware.doors.maxPulseMs, 1000);
  t.equal(r.config.hardware.doors.pulseMs, 500);
  t.equal(r.config.hardware.doors.maxConcurrentPulses, 1);
  t.equal(r.config.hardware.doors.unknownAfterFailures, 3);
  t.equal(r.config.log.level, 'info');
  t.same(r.config.hardware.commissioning.unlockAtStart, []);
  const bus = r.config.hardware.bus;
  t.equal(bus.kind, 'gpio');
  if (bus.kind === 'gpio') {
    t.equal(bus.io.baudRate, 57600);
    t.same(bus.pins['1'], { lockPin: 2, sensorPin: 3, activeLow: false, sensorOpenLevel: 1 });
  }
});

t.test('a CU16 configuration', async (t) => {
  const r = validate({ hardware: { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0', doorCount: 32 }, doors: { maxConcurrentPulses: 2 } } });
  t.ok(r.ok);
  if (r.ok && r.config.hardware.bus.kind === 'kerong-cu16') t.equal(r.config.hardware.bus.baudRate, 19200);
});

t.test('every problem is listed at once, each with its path', async (t) => {
  const r = validate({
    log: { level: 'loud' },
    hardware: {
      bus: {
        kind: 'gpio',
        io: { type: 'firmata', path: '' },
        pins: { '1': { lockPin: 2, sensorPin: 2 }, '2': { lockPin: 200, sensorPin: 5, extra: true } },
      },
      doors: { maxPulseMs: 2500, pulseMs: 900, maxConcurrentPulses: 0, pollMs: 'fast', jamWindowMs: 800 },
      commissioning: { unlockAtStart: [1, 9] },
    },
    bogusSection: {},
  });
  t.notOk(r.ok);
  if (r.ok) return;
  t.same(paths(r.problems), [
    'bogusSection',
    'hardware.bus.io.path',
    'hardware.bus.pins.1.sensorPin',
    'hardware.bus.pins.2.extra',
    'hardware.bus.pins.2.lockPin',
    'hardware.commissioning.unlockAtStart.1',
    'hardware.doors.jamWindowMs',
    'hardware.doors.maxConcurrentPulses',
    'hardware.doors.maxPulseMs',
    'hardware.doors.pollMs',
    'log.level',
  ]);
  t.ok(r.problems.every((p) => p.message.length > 0));
});

t.test('problems are worded for a person: the full key, the allowed range or choices, the value given', async (t) => {
  const r = validate({
    log: { level: 'loud' },
    hardware: {
      bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0', doorCount: 16, replyTimeoutMs: 'slow' },
      doors: { maxPulseMs: 2500, pulseMs: 1.5, jamWindowMs: 5, bogus: 1 },
    },
    extra: {},
  });
  if (r.ok) throw new Error('should be refused');
  const lines = r.problems.map((p) => `${p.path}: ${p.message}`);
  t.same(
    lines.filter((l) => !/must not exceed|must be longer/.test(l)),
    [
      'log.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent", not "loud"',
      'hardware.bus.replyTimeoutMs: must be a number (allowed 10 to 5000), not "slow"',
      'hardware.doors.maxPulseMs: 2500 is too big (allowed 1 to 2000)',
      'hardware.doors.pulseMs: 1.5 is not a whole number (allowed 1 to 2000)',
      'hardware.doors.jamWindowMs: 5 is too small (allowed 100 to 60000)',
      'hardware.doors.bogus: not a known setting (hardware.doors has: maxPulseMs, pulseMs, maxConcurrentPulses, pollMs, jamWindowMs, leftOpenMs, flapChanges, flapWindowMs, unknownAfterFailures)',
      'extra: not a known setting (the file has: log, hardware)',
    ],
  );
  t.notMatch(lines.join('\n'), /Too big|Too small|Unrecognized|Invalid input|\(root\)|expected number/, 'no raw validator wording');
  const missing = validate({ hardware: { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0' } } });
  t.match(missing, { ok: false, problems: [{ path: 'hardware.bus.doorCount', message: 'missing: required (a number)' }] });
});

t.test('the controller program words its file problems the same way, sections included', async (t) => {
  const { validateRuntimeConfig } = await import('../../src/runtime/config.ts');
  const r = await validateRuntimeConfig({
    hardware: { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0', doorCount: 200 } },
    console: { pinHash: 'scrypt$1024$8$1$abcdefghijklmnopqrstuv$abcdefghijklmnopqrstuvabcdefghijklmnopqrstuvwx', idleTimeoutS: 5 },
    kisok: {},
  });
  if (r.ok) throw new Error('should be refused');
  t.same(r.problems.map((p) => `${p.path}: ${p.message}`).sort(), [
    'console.idleTimeoutS: 5 is too small (allowed 10 to 86400)',
    'hardware.bus.doorCount: 200 is too big (allowed 1 to 160)',
    'kisok: not a known setting (the file has: log, hardware, link, kiosk, console)',
  ]);
});

t.test('pulseMs above maxPulseMs is refused even when both are in range', async (t) => {
  const r = validate({ ...gpio, hardware: { ...gpio.hardware, doors: { maxPulseMs: 300, pulseMs: 400, jamWindowMs: 2000 } } });
  t.notOk(r.ok);
  if (!r.ok) t.same(paths(r.problems), ['hardware.doors.pulseMs']);
});

t.test('maxPulseMs can never exceed 2000 ms', async (t) => {
  const r = validate({ ...gpio, hardware: { ...gpio.hardware, doors: { maxPulseMs: 2001 } } });
  t.notOk(r.ok);
});

t.test('files: YAML and JSON, unreadable and malformed files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const yaml = join(dir, 'c.yaml');
  writeFileSync(yaml, ['hardware:', '  bus:', '    kind: kerong-cu16', '    path: /dev/ttyUSB0', '    doorCount: 16', ''].join('\n'));
  t.ok((await loadConfigFile(yaml)).ok, 'YAML');
  const json = join(dir, 'c.json');
  writeFileSync(json, JSON.stringify(gpio));
  t.ok((await loadConfigFile(json)).ok, 'JSON');
  const missing = await loadConfigFile(join(dir, 'nope.yaml'));
  t.match(missing, { ok: false, problems: [{ path: '(file)' }] });
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'hardware: [unclosed');
  t.match(await loadConfigFile(bad), { ok: false, problems: [{ path: '(file)' }] });
});

t.test('environment overrides: set a path, typed values, unknown keys reported', async (t) => {
  const { applyEnvOverrides } = await import('../../src/config/index.ts');
  const env = {
    PORTIER_CONTROLLER__HARDWARE__BUS__IO__PATH: '/dev/ttyACM9',
    PORTIER_CONTROLLER__HARDWARE__DOORS__MAX_PULSE_MS: '800',
    PORTIER_CONTROLLER__LOG__LEVEL: 'debug',
    PORTIER_DATA_DIR: '/var/lib/portier', // another program's variable: ignored
  };
  const r = validate(applyEnvOverrides(gpio, env));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  t.equal(r.config.hardware.bus.kind === 'gpio' && r.config.hardware.bus.io.path, '/dev/ttyACM9');
  t.equal(r.config.hardware.doors.maxPulseMs, 800);
  t.equal(r.config.log.level, 'debug');
  t.equal(gpio.hardware.bus.io.path, '/dev/ttyACM0', 'the parsed file is not modified');
  const bad = validate(applyEnvOverrides(gpio, { PORTIER_CONTROLLER__HARDWARE__DOORS__MAX_PULSE: '5' }));
  t.notOk(bad.ok);
  if (!bad.ok) t.same(paths(bad.problems), ['hardware.doors.maxPulse'], 'the unknown key itself, by its full path');
});

t.test('a CU16 dialect override: for every board and per board, YAML spellings of 0x32 taken, wrong values refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const yaml = join(dir, 'c.yaml');
  writeFileSync(
    yaml,
    [
      'hardware:',
      '  bus:',
      '    kind: kerong-cu16',
      '    path: /dev/ttyUSB0',
      '    doorCount: 32',
      '    dialect: { statusQuery: 0x32 }   # unquoted: YAML reads a number',
      '    boardDialects:',
      '      "1": { statusQuery: "0x30", unlockReply: ack }',
      '',
    ].join('\n'),
  );
  const r = await loadConfigFile(yaml);
  t.ok(r.ok, 'loads');
  if (r.ok && r.config.hardware.bus.kind === 'kerong-cu16') {
    t.same(r.config.hardware.bus.dialect, { statusQuery: '0x32' });
    t.same(r.config.hardware.bus.boardDialects, { '1': { statusQuery: '0x30', unlockReply: 'ack' } });
    const { createLockBus } = await import('../../src/doors/create-bus.ts');
    const { silentLogger } = await import('../../src/util/logger.ts');
    const bus = (await createLockBus(r.config.hardware, silentLogger)) as import('../../src/hal/kerong-cu16/bus.ts').KerongCu16Bus;
    t.same([bus.dialectOf(0), bus.dialectOf(1)], ['0x32 reply ?', '0x30 ack'], 'the bus speaks the configured dialects');
    t.equal(bus.unlockReportsStatus(17), false, 'board 1 acknowledges: the controller reads the doors before an unlock');
  }
  const bad = validate({
    hardware: { bus: { kind: 'kerong-cu16', path: '/dev/ttyUSB0', doorCount: 16, dialect: { statusQuery: '0x31', unlockReply: 'frame' }, boardDialects: { '12': {} } } },
  });
  t.notOk(bad.ok);
  if (!bad.ok) {
    const paths = bad.problems.map((p: ConfigProblem) => p.path);
    t.ok(paths.includes('hardware.bus.dialect.statusQuery'), 'a query that does not exist');
    t.ok(paths.includes('hardware.bus.dialect.unlockReply'), 'an unlock answer that does not exist');
    t.ok(paths.some((p) => p.startsWith('hardware.bus.boardDialects')), 'a board address outside 0..9');
  }
});
