// `portier-controller console --config FILE`: the controller with the technician console on stdin/stdout (here a
// pipe), its lock boards behind a socat pty: sign in, `open 2` opens the virtual door, end of input stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { VirtualDoor, VirtualCu16BoardSet, startCu16OnPty, createPtyPair, socatAvailable } from '@portier/sim';
import { SerialPort } from 'serialport';
import { hashTechnicianPin, verifyTechnicianPin } from '../../src/console/config-section.ts';
import { expectCondition } from '@portier/sim';
import { CONTROLLER_BIN, exitOf, productionEnv } from '../fixtures/controller-bin.ts';

const SKIP = socatAvailable() ? false : 'socat not installed (apt-get install -y socat)';

interface PtyColumn {
  dir: string;
  doors: VirtualDoor[];
  /** The controller program the test starts; killed at teardown if it still runs. */
  child?: ChildProcess;
  /** Writes controller.yaml: the lock boards behind the pty, and `console`. Returns its path. */
  writeConfig(console: Record<string, unknown>): string;
}

/**
 * Four virtual doors on KR-CU16 boards behind a socat pty and a temp folder. Teardown: the controller program killed,
 * then `closeFirst` (what the test put between it and the boards), then the pty, boards, doors and folder.
 */
async function ptyColumn(t: Test, prefix: string, closeFirst: () => Promise<void> = async () => undefined): Promise<PtyColumn> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const doors = Array.from({ length: 4 }, (_, i) => new VirtualDoor(i + 1, { springDelayMs: 10 }));
  const boards = VirtualCu16BoardSet.inOrder(doors, { pulseMs: 300, hardwareMaxPulseMs: 1000 });
  const pty = await startCu16OnPty(boards);
  const col: PtyColumn = {
    dir,
    doors,
    writeConfig(console) {
      const file = join(dir, 'controller.yaml');
      writeFileSync(file, stringify({ hardware: { bus: { kind: 'kerong-cu16', path: pty.controllerPath, doorCount: 4 }, doors: { pollMs: 50 } }, console }));
      return file;
    },
  };
  t.teardown(async () => {
    const child = col.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closeFirst();
    await pty.close();
    boards.dispose();
    for (const d of doors) d.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return col;
}

t.test('portier-controller console on stdio: sign in, open 2, end of input stops with outputs safe', { skip: SKIP, timeout: 180_000 }, async (t) => {
  const col = await ptyColumn(t, 'portier-rtcon-');
  const { doors } = col;
  const file = col.writeConfig({ pinHash: await hashTechnicianPin('123456', { N: 1024 }), failureDelayMs: 0 });
  const env = productionEnv({ TERM: 'dumb' });
  const child = (col.child = spawn(process.execPath, [CONTROLLER_BIN, 'console', '--config', file], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await expectCondition(() => out.includes('PIN: '), 60_000, 'the PIN prompt').catch((e: unknown) => {
    t.comment(`stdout: ${out}\nstderr: ${err.slice(-2000)}`);
    throw e;
  });
  t.notMatch(out, /"level"/, 'logs stay off stdout (the console owns it)');
  child.stdin!.write('123456\n');
  await expectCondition(() => out.includes('Signed in.'), 60_000, 'sign-in');
  child.stdin!.write('open 2\n');
  await expectCondition(() => doors[1]!.open, 60_000, 'door 2 open');
  t.ok(doors[1]!.open, 'open 2 opened the virtual door behind the pty');
  t.notOk(doors[0]!.open || doors[2]!.open, 'no other door');
  await expectCondition(() => /opened/i.test(out.split('open 2').pop() ?? ''), 60_000, 'the outcome printed');
  child.stdin!.end();
  t.same(await exitOf(child), { code: 0, signal: null }, 'end of input: clean exit');
  t.match(err, /outputs safe/, 'stopped with outputs safe (log on stderr)');
});

t.test('portier-controller run serves the console on console.serialPath: a laptop on the serial line opens a door', { skip: SKIP, timeout: 180_000 }, async (t) => {
  let line: Awaited<ReturnType<typeof createPtyPair>> | undefined;
  let laptop: SerialPort | undefined;
  const col = await ptyColumn(t, 'portier-rtser-', async () => {
    if (laptop?.isOpen) await new Promise<void>((r) => laptop!.close(() => r()));
    await line?.close();
  });
  line = await createPtyPair();
  const { doors } = col;
  const file = col.writeConfig({ pinHash: await hashTechnicianPin('654321', { N: 1024 }), serialPath: line.controllerPath, dumb: true, failureDelayMs: 0 });
  const env = productionEnv();
  const child = (col.child = spawn(process.execPath, [CONTROLLER_BIN, 'run', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.resume();
  await expectCondition(() => log.includes('serial console listening'), 60_000, 'the serial console').catch((e: unknown) => {
    t.comment(log.slice(-2000));
    throw e;
  });
  laptop = new SerialPort({ path: line.simPath, baudRate: 115200 });
  let screen = '';
  laptop.on('data', (d: Buffer) => (screen += d.toString()));
  await new Promise<void>((r, j) => laptop!.once('open', () => r()).once('error', j));
  laptop.write('\r');
  await expectCondition(() => screen.includes('PIN: '), 60_000, 'the PIN prompt on the serial line');
  laptop.write('654321\r');
  await expectCondition(() => screen.includes('Signed in.'), 60_000, 'sign-in');
  laptop.write('open 3\r');
  await expectCondition(() => doors[2]!.open, 60_000, 'door 3 open');
  t.ok(doors[2]!.open, 'open 3 on the serial console opened the virtual door');
  child.kill('SIGTERM');
  t.same(await exitOf(child), { code: 0, signal: null }, 'clean exit on SIGTERM');
});

t.test('portier-controller hash-pin: the PIN on stdin becomes a pinHash that verifies; a bad PIN exits 2', async (t) => {
  const run = (input: string) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const env = productionEnv();
      const c = spawn(process.execPath, [CONTROLLER_BIN, 'hash-pin'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      c.on('exit', (code) => resolve({ code, out, err }));
      c.stdin!.end(input);
    });
  const ok = await run('24681357\n');
  t.equal(ok.code, 0);
  t.ok(await verifyTechnicianPin('24681357', ok.out.trim()), 'the printed hash verifies');
  t.notOk(await verifyTechnicianPin('24681358', ok.out.trim()));
  const bad = await run('12ab\n');
  t.equal(bad.code, 2);
  t.match(bad.err, /4 to 12 digits/);
});
