// `portier-sim bank` and `portier-sim kiosk` as separate processes against a real broker: what they print, a pickup
// typed on the terminal kiosk reaching the cloud, every problem of a bad description listed, clean exit on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { stringify } from 'yaml';
import { expectCondition } from '@portier/sim';
import { PICKUP, kioskState, world, type World } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/portier-sim.mjs', import.meta.url));
const BANK = 'bank-cli';

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.NODE_OPTIONS;
  return e;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function bankFile(w: World): string {
  const file = join(w.dir, 'bank.yaml');
  writeFileSync(
    file,
    stringify({
      bankId: BANK,
      cloud: { brokerUrl: w.broker.url },
      dataDir: 'data',
      logLevel: 'warn',
      columns: [
        { identity: { controllerId: 'cli-k', secret: w.identities.get('cli-k'), cloudPublicKeyFile: 'cloud.pem' }, doors: 4, kiosk: true, behaviour: { springDelayMs: 10 } },
        { identity: { controllerId: 'cli-2', secret: w.identities.get('cli-2'), cloudPublicKeyFile: 'cloud.pem' }, doors: 6 },
      ],
    }),
  );
  writeFileSync(join(w.dir, 'cloud.pem'), w.pem);
  return file;
}

t.test('portier-sim bank: prints what it started, its controllers come online, SIGTERM ends it cleanly', { timeout: 180_000 }, async (t) => {
  const w = await world(t, BANK, ['cli-k', 'cli-2']);
  const child = spawn(process.execPath, [BIN, 'bank', '--config', bankFile(w), '--events', '--screen-port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await expectCondition(() => out.includes('column 2:'), 60_000, 'the bank summary').catch((e: unknown) => {
    t.comment(err.slice(-2000));
    throw e;
  });
  t.match(out, new RegExp(`bank ${BANK}: 2 column\\(s\\), broker ${w.broker.url.replace(/[.]/g, '\\.')}`));
  t.match(out, /column 1: controller cli-k, doors 1\.\.4, kiosk, touch screen http:\/\/127\.0\.0\.1:\d+\//);
  const screen = /touch screen (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1]!;
  t.match(await (await fetch(screen)).text(), /<script type="module" src="\/screen\.js">/, 'the kiosk screen answers at the printed address');
  t.match(out, /column 2: controller cli-2, doors 1\.\.6/);
  for (const id of ['cli-k', 'cli-2']) {
    await w.cloud.waitFor((m) => m.channel === 'status' && m.controllerId === id && m.json['state'] === 'online', 60_000);
  }
  const ack = await w.cloud.command('cli-2', 'open-door', { door: 6, reason: 'test', actor: { role: 'admin', id: 'u1' } });
  t.equal(ack.status, 'opened', 'a real controller in the simulator opened door 6');
  await expectCondition(() => out.includes('"type":"door-opened"'), 3000, '--events line');
  child.kill('SIGTERM');
  t.same(await exitOf(child), { code: 0, signal: null });
});

t.test('portier-sim kiosk: a pickup code typed on the terminal opens the door and reaches the cloud', { timeout: 180_000 }, async (t) => {
  const w = await world(t, BANK, ['cli-k', 'cli-2']);
  await w.cloud.desired('cli-k', 1, kioskState());
  const child = spawn(process.execPath, [BIN, 'kiosk', '--config', bankFile(w)], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await expectCondition(() => /Enter|code/i.test(out) && err.includes('column 2:'), 60_000, 'the kiosk screen').catch((e: unknown) => {
    t.comment(`stdout: ${out.slice(-1500)}\nstderr: ${err.slice(-1500)}`);
    throw e;
  });
  await w.cloud.waitFor((m) => m.channel === 'reported' && m.controllerId === 'cli-k' && m.json['desiredVersion'] === 1, 60_000);
  child.stdin!.write(`${PICKUP}\r`);
  const tx = await w.cloud.waitFor((m) => m.channel === 'evt' && m.controllerId === 'cli-k' && (m.json['event'] as { type: string }).type === 'transaction', 20_000);
  t.match(tx.json['event'], { kind: 'pickup', doors: [2], actor: { id: 'alice' } });
  child.stdin!.write('D');
  await expectCondition(() => out.includes('open: column 1 door 2'), 3000, 'the open door listed');
  child.stdin!.write('C');
  await expectCondition(() => out.includes('(1 door(s) shut)'), 3000, 'doors shut');
  child.stdin!.end();
  t.same(await exitOf(child), { code: 0, signal: null }, 'end of input ends the kiosk and the bank');
  t.match(out, /bye/);
});

t.test('portier-sim bank with a bad description: exit 2, every problem listed', async (t) => {
  const w = await world(t, BANK, []);
  const file = join(w.dir, 'bad.yaml');
  writeFileSync(file, stringify({ bankId: 'bad id', transport: 'usb', columns: [{ doors: 0 }] }));
  const child = spawn(process.execPath, [BIN, 'bank', '--config', file], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  t.same(await exitOf(child), { code: 2, signal: null });
  for (const p of ['bankId', 'transport', 'columns.0.doors', 'columns.0:']) t.match(err, p, `lists ${p}`);
});

t.test('portier-sim bank with a --screen-port that is no port: exit 2, the option named', async (t) => {
  const w = await world(t, BANK, []);
  const child = spawn(process.execPath, [BIN, 'bank', '--config', join(w.dir, 'missing.yaml'), '--screen-port', '99999'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  t.same(await exitOf(child), { code: 2, signal: null });
  t.match(err, /--screen-port: "99999" is not a port \(0 to 65535\)/);
});
