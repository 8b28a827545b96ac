import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KerongCu16Bus, serialPortFactory } from '@portier/firmware/hal';
import { ConfigError, buildColumn, expectValue, socatAvailable, validateColumnConfig } from '@portier/sim';

const bin = fileURLToPath(new URL('../bin/portier-sim.mjs', import.meta.url));

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'portier-sim-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the CLI to completion (bounded). */
function runCli(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`portier-sim ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('config validation lists every problem at once, with paths', async (t) => {
  const err = (() => {
    try {
      validateColumnConfig({
        doors: [{ size: 'XXL' }, { behaviour: { jammed: 'yes' } }, { number: 1 }],
        pulseMs: 2000,
        hardwareMaxPulseMs: 1000,
        boards: [{ address: 12 }],
        extra: true,
      });
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof ConfigError);
  const paths = (err as ConfigError).problems.map((p) => p.path);
  for (const p of ['doors.0.size', 'doors.1.behaviour.jammed', 'boards.0.address', '(root)']) t.ok(paths.includes(p), `problem at ${p}: ${paths.join(', ')}`);
});

t.test('a list of doors becomes doors on boards in order, with behaviours and items', async (t) => {
  const config = validateColumnConfig({
    doors: [{ size: 'S' }, { size: 'M', item: true }, ...Array.from({ length: 16 }, () => ({ size: 'L' as const }))],
    behaviour: { springDelayMs: 10 },
    boards: [{ address: 0 }, { address: 3, faults: { chunked: true } }],
  });
  const { doors, boards } = buildColumn(config);
  t.teardown(() => {
    boards.dispose();
    for (const d of doors.values()) d.dispose();
  });
  t.equal(doors.size, 18);
  t.equal(doors.get(2)?.itemPresent, true);
  t.equal(doors.get(1)?.behaviour.springDelayMs, 10);
  t.equal(boards.board(3).locks[1], doors.get(18), 'door 18 on the second listed board (address 3), lock 1');
  t.equal(boards.board(3).faults.chunked, true);
});

t.test('a column config gives its boards a KR-CU16 dialect, for all boards and per board', async (t) => {
  const config = validateColumnConfig({
    doors: 32,
    dialect: { unlockReply: 'ack' },
    boards: [{ address: 0 }, { address: 1, dialect: { statusQuery: 0x32 } }],
  });
  const { doors, boards } = buildColumn(config);
  t.teardown(() => {
    boards.dispose();
    for (const d of doors.values()) d.dispose();
  });
  t.same(boards.board(0).dialect, { statusQuery: 0x30, unlockReply: 'ack' });
  t.same(boards.board(1).dialect, { statusQuery: 0x32, unlockReply: 'ack' });
  t.throws(() => validateColumnConfig({ doors: 4, dialect: { unlockReply: 'beep' } }));
});

t.test('--help works on the program and the sub-command; a bad file exits 2 naming the paths', async (t) => {
  const top = await runCli(['--help']);
  t.equal(top.code, 0);
  t.match(top.stdout, /column/);
  const sub = await runCli(['column', '--help']);
  t.equal(sub.code, 0);
  t.match(sub.stdout, /--config/);
  const dir = tempDir(t);
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'doors: 0\npulseMs: -1\n');
  const bad = await runCli(['column', '--config', file]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /doors/);
  t.match(bad.stderr, /pulseMs/);
});

t.test('portier-sim column runs boards on a pty; a controller in another process opens a door; SIGTERM exits cleanly', { skip: socatAvailable() ? false : 'needs socat' }, async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'column.yaml');
  writeFileSync(file, ['name: test-column', 'doors: 20', 'behaviour:', '  springDelayMs: 10', 'pulseMs: 120', ''].join('\n'));
  const child = spawn(process.execPath, [bin, 'column', '--config', file, '--events', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const waitFor = (re: RegExp, ms: number): Promise<RegExpExecArray> =>
    expectValue(() => re.exec(stdout) ?? undefined, ms, `${re} on stdout`).catch((err: unknown) => {
      t.comment(`stderr: ${stderr}`);
      throw err;
    });
  const tty = (await waitFor(/controller tty: (\S+)\n/, 30_000))[1] as string;
  t.ok(existsSync(tty), `tty ${tty}`);
  const bus = new KerongCu16Bus({ openPort: serialPortFactory(tty), doorCount: 20, maxPulseMs: 500, replyTimeoutMs: 500 });
  t.teardown(() => bus.close());
  await bus.open();
  await bus.unlock(18, 120);
  await waitFor(/"event":"moved","door":18,"open":true/, 20_000);
  const readings = await bus.readDoors();
  t.equal(readings.find((r) => r.door === 18)?.open, true, 'door 18 reads open over the tty');
  await waitFor(/"event":"lock","door":18,"energised":false/, 20_000);
  // Energised once and released by the board's own timer (a KR-CU16 has no release command). How long the board holds
  // a pulse is checked against the board's pulse time in the simulator's own test (cu16-pty), not in milliseconds here.
  const locks = [...stdout.matchAll(/"event":"lock","door":18,"energised":(true|false)/g)].map((m) => m[1]);
  t.same(locks, ['true', 'false'], 'one pulse, ended by the board');
  await bus.close();
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'clean exit on SIGTERM');
  t.notOk(existsSync(tty), 'tty link removed (socat stopped)');
});
