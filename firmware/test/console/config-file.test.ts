import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { flattenConfig, maskSecrets, parseConfigValue, isSecretKey } from '../../src/console/config-file.ts';
import { consoleConfigSchema, hashTechnicianPin, verifyTechnicianPin } from '../../src/console/config-section.ts';
import { LogRing, createLogTee } from '../../src/console/log-ring.ts';
import { FileThrottleStore, SignInThrottle } from '../../src/console/throttle.ts';
import { configFile, controllerValidator, sampleConfig, testPinHash, TEST_PIN, writeConfig } from './fixtures/setup.ts';

t.test('technician PIN: scrypt hash, constant-time check, bad PINs and hashes refused', async (t) => {
  const h = await hashTechnicianPin('4321', { N: 1024 });
  t.match(h, /^scrypt\$1024\$8\$1\$/);
  t.ok(await verifyTechnicianPin('4321', h));
  t.notOk(await verifyTechnicianPin('4322', h));
  t.notOk(await verifyTechnicianPin('4321', 'plain-4321'));
  t.notOk(await verifyTechnicianPin('4321', h.replace(/\$1024\$/, '$1023$')), 'N not a power of two: no match, no throw');
  await t.rejects(hashTechnicianPin('12'), 'too short');
  await t.rejects(hashTechnicianPin('abcd'), 'not digits');
  t.not(await hashTechnicianPin('4321', { N: 1024 }), h, 'salted');
  t.ok(await verifyTechnicianPin(TEST_PIN, await testPinHash()));
});

t.test('console config section: defaults 115200 8N1, pinHash required and checked', async (t) => {
  const c = consoleConfigSchema.parse({ pinHash: await testPinHash() });
  t.match(c, { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1, dumb: false, idleTimeoutS: 300, maxFailures: 5 });
  t.notOk(consoleConfigSchema.safeParse({ pinHash: '1234' }).success);
  t.notOk(consoleConfigSchema.safeParse({ pinHash: await testPinHash(), extra: 1 }).success, 'strict');
  const v = controllerValidator({ ...(await sampleConfig()), console: { pinHash: 'x', idleTimeoutS: 1 } });
  t.notOk(v.ok);
  if (!v.ok) t.same(v.problems.map((p) => p.path).sort(), ['console.idleTimeoutS', 'console.pinHash']);
});

t.test('config set: validated as a whole, written durably, comments kept, restart flagged', async (t) => {
  const cfg = writeConfig(await sampleConfig(4));
  t.teardown(cfg.cleanup);
  const applied: Array<[string, unknown]> = [];
  const f = configFile(cfg.path);
  let r = await f.set('hardware.doors.pulseMs', 250);
  t.match(r, { ok: true, previous: 500, value: 250, changed: true, restartNeeded: true });
  t.match(readFileSync(cfg.path, 'utf8'), /^# Portier controller config \(test\)\n[\s\S]*pulseMs: 250/);
  t.same(readdirSync(cfg.dir), ['controller.yaml'], 'no temp file left behind');
  r = await f.set('hardware.doors.pulseMs', 1500);
  t.match(r, { ok: false, code: 'CONFIG_INVALID' });
  if (!r.ok) t.match(r.problems, [{ path: 'hardware.doors.pulseMs' }], 'only the problem this change makes');
  r = await f.set('hardware.bus.kind', 'gpio');
  t.match(r, { ok: false, code: 'CONFIG_INVALID' });
  r = await f.set('hardware.commissioning.unlockAtStart', [9]);
  t.match(r, { ok: false, message: /door 9 is not on the bus/ });
  r = await f.set('log.level', 'debug');
  t.match(r, { ok: true, restartNeeded: false });
  r = await f.set('console.idleTimeoutS', 120);
  t.match(r, { ok: true, restartNeeded: true });
  t.match(await f.read(), { hardware: { doors: { pulseMs: 250 } }, log: { level: 'debug' }, console: { idleTimeoutS: 120 } });
  // Concurrent sets are serialised: both land.
  const [a, b] = await Promise.all([f.set('hardware.doors.pollMs', 60), f.set('hardware.doors.jamWindowMs', 3000)]);
  t.ok(a.ok && b.ok);
  t.match(await f.read(), { hardware: { doors: { pollMs: 60, jamWindowMs: 3000 } } });
  t.equal(applied.length, 0);
  writeFileSync(cfg.path, 'hardware: [unclosed');
  t.match(await f.set('log.level', 'info'), { ok: false, code: 'IO' });
});

t.test('values typed on the console, secret masking', async (t) => {
  t.equal(parseConfigValue('400'), 400);
  t.equal(parseConfigValue('true'), true);
  t.equal(parseConfigValue('"400"'), '400');
  t.same(parseConfigValue('[1, 2]'), [1, 2]);
  t.equal(parseConfigValue('/dev/ttyUSB0'), '/dev/ttyUSB0');
  t.equal(parseConfigValue('a: b'), 'a: b', 'no block mappings from a single line');
  t.ok(isSecretKey('link.secret'));
  t.ok(isSecretKey('console.pinHash'));
  t.notOk(isSecretKey('link.cloudPublicKey'));
  t.same(maskSecrets({ link: { secret: 's3', url: 'mqtt://x' }, console: { pinHash: 'h' } }), { link: { secret: '********', url: 'mqtt://x' }, console: { pinHash: '********' } });
  t.same(flattenConfig({ a: { b: 1, password: 'p' }, c: [1] }), [
    ['a.b', '1'],
    ['a.password', '"********"'],
    ['c', '[1]'],
  ]);
});

t.test('log ring: a pino destination that keeps the last N lines, formatted', async (t) => {
  const ring = new LogRing(3);
  const passed: string[] = [];
  const log = pino({ level: 'info' }, createLogTee(ring, { write: (s) => passed.push(s) }));
  log.child({ module: 'doors' }).warn({ door: 3 }, 'door 3 jammed');
  for (let i = 0; i < 4; i++) log.info(`line ${i}`);
  t.equal(passed.length, 5, 'every line passed on');
  t.equal(ring.size, 3);
  t.match(ring.last(3)[2], /^\d\d:\d\d:\d\d\.\d{3} INFO {2}line 3$/);
  const r2 = new LogRing(10);
  r2.write('{"level":40,"time":0,"module":"doors","msg":"door 3 jammed","door":3}\n{"level":30,"ti');
  r2.write('me":0,"msg":"split"}\nnot json\n');
  t.same(r2.last(10), ['00:00:00.000 WARN  doors: door 3 jammed {"door":3}', '00:00:00.000 INFO  split', 'not json']);
});

t.test('sign-in throttle: doubling delay, lock-out, one more failure after it locks again', async (t) => {
  let now = 0;
  const th = new SignInThrottle({ maxFailures: 4, failureDelayMs: 500, lockoutS: 60 }, () => now);
  t.same(th.fail(), { failures: 1, delayMs: 500 });
  t.match(th.check(), { state: 'wait', until: 500 });
  now = 500;
  t.same(th.check(), { state: 'ok' });
  t.same(th.fail(), { failures: 2, delayMs: 1000 });
  now = 1500;
  t.same(th.fail(), { failures: 3, delayMs: 2000 });
  now = 3500;
  t.match(th.fail(), { failures: 4, lockedUntil: 63_500 });
  now = 63_499;
  t.match(th.check(), { state: 'locked' });
  now = 63_500;
  t.same(th.check(), { state: 'ok' });
  t.match(th.fail(), { lockedUntil: 123_500 }, 'after a lock-out, the next failure locks again');
  now = 200_000;
  th.succeed();
  t.same(th.fail(), { failures: 1, delayMs: 500 });
});

t.test('factory reset restores the shipped config and erases only what the cloud re-sends', async (t) => {
  const { factoryResetLocalState } = await import('../../src/console/factory-reset.ts');
  const cfg = writeConfig(await sampleConfig(4));
  t.teardown(cfg.cleanup);
  const { mkdirSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const data = join(cfg.dir, 'data');
  mkdirSync(data);
  for (const f of ['desired.json', 'outbox.json', 'commands.json']) writeFileSync(join(data, f), '{}');
  const shipped = join(cfg.dir, 'factory.yaml');
  writeFileSync(shipped, '# shipped\nlog: { level: info }\n');
  await configFile(cfg.path).set('hardware.doors.pulseMs', 300);
  const r = await factoryResetLocalState({ configPath: cfg.path, factoryConfigPath: shipped, dataDir: data });
  t.same(r, { restoredConfig: true, erased: ['desired.json'] });
  t.equal(readFileSync(cfg.path, 'utf8'), '# shipped\nlog: { level: info }\n');
  t.notOk(existsSync(join(data, 'desired.json')));
  t.ok(existsSync(join(data, 'outbox.json')), 'unconfirmed events kept');
  t.ok(existsSync(join(data, 'commands.json')), 'seen ids and sequence kept');
  await t.rejects(factoryResetLocalState({ configPath: cfg.path, dataDir: data, erase: ['../controller.yaml'] }));
});

t.test('a persisted throttle keeps the lock-out across a restart, bounded by one lock-out', async (t) => {
  const cfg = writeConfig({});
  t.teardown(cfg.cleanup);
  const { join } = await import('node:path');
  const path = join(cfg.dir, 'console-throttle.json');
  let now = 1_000_000;
  const o = { maxFailures: 2, failureDelayMs: 0, lockoutS: 60 };
  const a = new SignInThrottle({ ...o, store: new FileThrottleStore(path) }, () => now);
  a.fail();
  const store = new FileThrottleStore(path);
  const b0 = new SignInThrottle({ ...o, store }, () => now);
  t.equal(b0.consecutiveFailures, 0, 'nothing on disk yet is a fresh start');
  const s1 = new FileThrottleStore(path);
  const a1 = new SignInThrottle({ ...o, store: s1 }, () => now);
  a1.fail();
  a1.fail();
  await s1.flush();
  // "Restart": a new throttle from the file.
  const b = new SignInThrottle({ ...o, store: new FileThrottleStore(path) }, () => now);
  t.match(b.check(), { state: 'locked', until: 1_060_000 });
  // A controller that booted with its clock far behind: still locked at most one lock-out.
  now = 0;
  const c = new SignInThrottle({ ...o, store: new FileThrottleStore(path) }, () => now);
  t.match(c.check(), { state: 'locked', until: 60_000 });
  writeFileSync(path, 'garbage');
  t.same(new SignInThrottle({ ...o, store: new FileThrottleStore(path) }, () => now).check(), { state: 'ok' }, 'a bad file is a fresh start');
});

t.test("config set keeps the technician's layout: only the changed value differs, comments, indentation and quoting stay", async (t) => {
  const cfg = writeConfig({});
  t.teardown(cfg.cleanup);
  const hash = await testPinHash();
  const original = [
    '# Portier controller, column 2 (installed by the field team)',
    '',
    'log:',
    '    level: info        # debug when chasing a fault',
    '',
    'hardware:',
    '    bus: { kind: kerong-cu16, path: /dev/ttyUSB0, doorCount: 4, replyTimeoutMs: 50 }',
    '    doors:',
    '        # measured on site: the latch needs 450 ms',
    '        pulseMs: 500',
    '        maxPulseMs: 1000   # hardware limit of the driver board',
    '    commissioning:',
    '        unlockAtStart: [ ]',
    '',
    'console:',
    `    pinHash: "${hash}"`,
    "    serialPath: '/dev/ttyS0'",
    '',
  ].join('\n');
  writeFileSync(cfg.path, original);
  const f = configFile(cfg.path);
  t.match(await f.set('hardware.doors.pulseMs', 400), { ok: true, changed: true });
  t.equal(readFileSync(cfg.path, 'utf8'), original.replace('pulseMs: 500', 'pulseMs: 400'), 'a changed value: one value differs, nothing else');
  t.match(await f.set('console.serialPath', '/dev/ttyAMA0'), { ok: true });
  t.match(await f.set('hardware.bus.doorCount', 8), { ok: true });
  t.match(await f.set('log.level', 'debug'), { ok: true });
  const edited = original
    .replace('pulseMs: 500', 'pulseMs: 400')
    .replace("'/dev/ttyS0'", "'/dev/ttyAMA0'")
    .replace('doorCount: 4,', 'doorCount: 8,')
    .replace('level: info        #', 'level: debug        #');
  t.equal(readFileSync(cfg.path, 'utf8'), edited, 'quoting, flow maps and comment columns kept');
  t.match(await f.set('hardware.doors.jamWindowMs', 3000), { ok: true });
  t.equal(
    readFileSync(cfg.path, 'utf8'),
    edited.replace('# hardware limit of the driver board\n', '# hardware limit of the driver board\n        jamWindowMs: 3000\n'),
    'a new setting is added as the last line of its section, indented like its siblings',
  );
  t.match(await f.set('hardware.commissioning.unlockAtStart', [1, 2]), { ok: true });
  t.match(readFileSync(cfg.path, 'utf8'), '    commissioning:\n        unlockAtStart: [ 1, 2 ]\n', 'a one-line list stays on one line');
  // A new section cannot be placed by hand: the file keeps its four-space indentation, comments and long lines.
  writeFileSync(cfg.path, original.replace('    commissioning:\n        unlockAtStart: [ ]\n', ''));
  t.match(await f.set('hardware.commissioning.unlockAtStart', [1]), { ok: true });
  const text = readFileSync(cfg.path, 'utf8');
  t.match(text, '# Portier controller, column 2 (installed by the field team)\n\nlog:\n    level: info');
  t.match(text, '# measured on site: the latch needs 450 ms\n        pulseMs: 500');
  t.match(text, /\n {4}commissioning:\n {8}unlockAtStart:\n {12}- 1\n/);
  t.match(text, `    pinHash: "${hash}"\n`, 'a long value is not folded over two lines');
  t.match(await f.read(), { hardware: { commissioning: { unlockAtStart: [1] } } });
  t.same(readdirSync(cfg.dir), ['controller.yaml'], 'written through a temp file that is gone');
});

t.test('a file with CR LF line ends keeps them, a value inside a one-line map is quoted when it must be', async (t) => {
  const { setYamlValue } = await import('../../src/console/yaml-edit.ts');
  const crlf = 'log:\r\n  level: info # note\r\nhardware:\r\n  doors: { pulseMs: 500 }\r\n';
  t.equal(setYamlValue(crlf, ['log', 'format'], 'json'), 'log:\r\n  level: info # note\r\n  format: json\r\nhardware:\r\n  doors: { pulseMs: 500 }\r\n');
  t.equal(setYamlValue(crlf, ['hardware', 'doors', 'pulseMs'], 400), crlf.replace('500', '400'));
  t.equal(setYamlValue('a: { b: 1, c: 2 }\n', ['a', 'b'], 'x, y'), 'a: { b: "x, y", c: 2 }\n');
});
