// The controller as a separate process (`portier-controller run`) driving the virtual GPIO board
// through the Firmata device emulator on a socat pty pair: a real tty on both ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { VirtualDoor } from '@portier/sim';
import { startFirmataOnPty } from '@portier/sim';
import { VirtualPinBank } from '@portier/sim';
import { socatAvailable } from '@portier/sim';
import { expectCondition, expectEvent } from '@portier/sim';
import { CONTROLLER_BIN, exitOf, productionEnv } from '../fixtures/controller-bin.ts';

t.test('controller process on a pty', { skip: socatAvailable() ? false : 'socat not installed (apt-get install -y socat)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-proc-'));
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const doors = [new VirtualDoor(1, { jammed: true }), new VirtualDoor(2)];
  const bank = new VirtualPinBank({
    wiring: [
      { door: doors[0]!, lockPin: 2, sensorPin: 3 },
      { door: doors[1]!, lockPin: 4, sensorPin: 5 },
    ],
    pinCount: 8,
  });
  const board = await startFirmataOnPty(bank);
  const device = board.device;
  const hostPath = board.controllerPath;
  t.teardown(async () => {
    await board.close();
    bank.dispose();
    for (const d of doors) d.dispose();
  });

  const config = (unlockAtStart: number[]) => ({
    log: { level: 'info' },
    hardware: {
      bus: {
        kind: 'gpio',
        io: { type: 'firmata', path: hostPath, baudRate: 57600, reportVersionTimeoutMs: 50 },
        pins: { '1': { lockPin: 2, sensorPin: 3 }, '2': { lockPin: 4, sensorPin: 5 } },
      },
      doors: { maxPulseMs: 2000, pulseMs: 2000, jamWindowMs: 3000, pollMs: 50 },
      commissioning: { unlockAtStart },
    },
  });
  const cfgPulse = join(dir, 'pulse.yaml');
  const cfgPlain = join(dir, 'plain.json');
  writeFileSync(cfgPulse, JSON.stringify(config([1])));
  writeFileSync(cfgPlain, JSON.stringify(config([])));

  const running = new WeakMap<ChildProcess, boolean>();
  const logOf = new WeakMap<ChildProcess, string>();
  const start = (cfg: string): ChildProcess => {
    const c = spawn(process.execPath, [CONTROLLER_BIN, 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'], env: productionEnv({ LOG_LEVEL: 'info' }) });
    let err = '';
    let out = '';
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      logOf.set(c, out);
      if (out.includes('portier-controller running')) running.set(c, true);
    });
    c.once('exit', (code, signal) => {
      if (code !== 0 && signal === null && err) t.comment(`controller stderr: ${err.slice(0, 2000)}`);
    });
    children.push(c);
    return c;
  };
  const lock1 = doors[0]!;

  t.test('SIGKILL mid-pulse, restart: the new process drives outputs safe first', async (t) => {
    const first = start(cfgPulse);
    await expectEvent(lock1, 'lock', 60_000, { predicate: (e) => e.energised, description: 'the commissioning pulse' });
    // Killed at once, well inside the 2000 ms pulse.
    first.kill('SIGKILL');
    const pulseFrom = lock1.energised.at(-1)!.from;
    await exitOf(first);
    // Nothing is left to release it: the new process below releases this same interval (checked by its start time).
    t.ok(lock1.lockEnergised, 'a dead process leaves the lock energised (the hazard HARDWARE.md covers)');

    let earlyAt: number | undefined;
    let firstCmd: string | undefined;
    const onCmd = (c: { cmd: string }): void => {
      firstCmd ??= c.cmd;
      if (c.cmd === 'SET_DIGITAL_PIN_VALUE' && earlyAt === undefined) earlyAt = Date.now();
    };
    device.on('command', onCmd);
    t.teardown(() => device.off('command', onCmd));
    const restartAt = Date.now();
    const second = start(cfgPlain);
    await expectCondition(() => !lock1.lockEnergised, 60_000, 'lock released by the new process');
    const runningWhenReleased = running.get(second) === true;
    const interval = lock1.energised.at(-1)!;
    const releasedAfter = interval.to! - restartAt;
    t.comment(`energised ${interval.to! - pulseFrom} ms in all; released ${releasedAfter} ms after the new process was spawned`);
    t.comment(`launcher's early-safe bytes arrived ${earlyAt === undefined ? 'never' : `${earlyAt - restartAt} ms`} after spawn`);
    // The order, not the milliseconds (a busy machine starts processes slowly): the new process writes the safe
    // level before anything else, and before the controller it launches has even started.
    t.equal(firstCmd, 'SET_DIGITAL_PIN_VALUE', 'the first thing the new process sends the board is an output write');
    t.notOk(runningWhenReleased, 'outputs safe before the new controller is running');
    t.equal(interval.from, pulseFrom, 'the same interval the killed process started');
    t.notOk(doors[1]!.lockEnergised, 'door 2 never energised');

    await expectCondition(() => running.get(second) === true, 60_000, 'the new controller running');
    second.kill('SIGTERM');
    const exit = await exitOf(second);
    t.equal(exit.code, 0, 'SIGTERM: clean exit 0');
  });

  t.test('SIGTERM mid-pulse: the lock is released and the process exits 0', async (t) => {
    const before = lock1.energised.length;
    const c = start(cfgPulse);
    await expectEvent(lock1, 'lock', 60_000, { predicate: (e) => e.energised, description: 'the commissioning pulse' });
    // Sent at once, well inside the 2000 ms pulse: what releases the lock is the signal, not the pulse's end.
    const energisedWhenSent = lock1.lockEnergised;
    c.kill('SIGTERM');
    const exit = await exitOf(c);
    const log = logOf.get(c) ?? '';
    t.ok(energisedWhenSent, 'the lock was energised when SIGTERM was sent');
    // The safe-output bytes written just before the exit may still be on their way through the pty on a busy machine.
    await expectCondition(() => !lock1.lockEnergised, 10_000, 'the lock released').catch(() => {});
    t.notOk(lock1.lockEnergised, 'released');
    t.equal(lock1.energised.length, before + 1, 'one pulse, ended');
    t.match(log, 'shutting down: driving outputs safe', 'the controller drove its outputs safe on the signal');
    t.match(log, 'outputs safe, bus closed');
    t.notMatch(log, /commissioning unlock of door 1: jammed/, 'the pulse did not run its course (a jammed door is reported only then)');
    t.equal(exit.code, 0);
  });
});

t.test('an invalid configuration: every problem listed, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'bad.yaml');
  writeFileSync(
    cfg,
    ['hardware:', '  bus:', '    kind: kerong-cu16', '    doorCount: 200', '  doors:', '    maxPulseMs: 5000', '    pulseMs: 0', ''].join('\n'),
  );
  const c = spawn(process.execPath, [CONTROLLER_BIN, 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'], env: productionEnv({ LOG_LEVEL: 'info' }) });
  let err = '';
  c.stderr.on('data', (d: Buffer) => (err += d.toString()));
  c.stdout.resume();
  const exit = await exitOf(c);
  t.equal(exit.code, 2);
  for (const path of ['hardware.bus.path', 'hardware.bus.doorCount', 'hardware.doors.maxPulseMs', 'hardware.doors.pulseMs']) {
    t.match(err, path, `lists ${path}`);
  }
});
