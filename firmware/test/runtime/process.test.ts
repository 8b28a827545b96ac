// `portier-controller run` as a separate process on a socat pty served by `portier-sim column` (another process):
// it starts, connects to a real aedes broker, opens a door on a signed command, and exits cleanly on SIGTERM with a
// goodbye on its status topic.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { stringify } from 'yaml';
import { socatAvailable } from '@portier/sim';
import { startTestBroker } from '../link/helpers/broker.ts';
import { TestCloud, makeCommand, openDoorBody } from '../link/helpers/cloud.ts';
import { expectCondition } from '@portier/sim';
import { CONTROLLER_BIN, exitOf, productionEnv } from '../fixtures/controller-bin.ts';

const SIM_BIN = fileURLToPath(new URL('../../../rig/bin/portier-sim.mjs', import.meta.url));

t.test('portier-controller run on a pty from portier-sim column: connects, opens, exits cleanly on SIGTERM', { skip: socatAvailable() ? false : 'socat not installed (apt-get install -y socat)', timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-rtproc-'));
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const { privateKey: key, publicKey } = generateKeyPairSync('ed25519');
  const broker = await startTestBroker([{ bankId: 'bank-p', controllerId: 'col-p', secret: 'secret-col-p' }]);
  const cloud = await TestCloud.connect(broker.url, key);
  t.teardown(async () => {
    await cloud.close();
    await broker.stop();
  });

  // The simulated column in its own process.
  writeFileSync(join(dir, 'column.yaml'), stringify({ doors: 4, behaviour: { springDelayMs: 10 } }));
  const sim = spawn(process.execPath, [SIM_BIN, 'column', '--config', join(dir, 'column.yaml'), '--tty', join(dir, 'ttyCU16'), '--log-level', 'warn'], {
    env: productionEnv({ LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(sim);
  let simOut = '';
  sim.stdout!.on('data', (d: Buffer) => (simOut += d.toString()));
  sim.stderr!.resume();
  await expectCondition(() => /controller tty: (\S+)/.test(simOut), 60_000, 'the simulator tty');
  const tty = /controller tty: (\S+)/.exec(simOut)![1]!;

  const configFile = join(dir, 'controller.yaml');
  writeFileSync(
    configFile,
    `# as portier-cloud provision writes it, plus hardware\n${stringify({
      link: {
        brokerUrl: broker.url,
        bankId: 'bank-p',
        controllerId: 'col-p',
        column: 1,
        secret: 'secret-col-p',
        cloudPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        dataDir: 'data',
      },
      hardware: { bus: { kind: 'kerong-cu16', path: tty, doorCount: 4 }, doors: { pollMs: 50 } },
    })}`,
  );
  const ctl = spawn(process.execPath, [CONTROLLER_BIN, 'run', '--config', configFile], { env: productionEnv({ LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(ctl);
  let out = '';
  let err = '';
  ctl.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  ctl.stderr!.on('data', (d: Buffer) => (err += d.toString()));

  // Two programs loaded through tsx start here: on a busy 2-core machine that alone can take tens of seconds.
  const online = await cloud.waitFor((m) => m.channel === 'status' && m.controllerId === 'col-p' && (m.json as { state: string }).state === 'online', 60_000).catch((e: unknown) => {
    t.comment(`controller stdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`);
    throw e;
  });
  t.ok(online, 'birth message on status');
  t.match(out, /portier-controller running/);

  const cmd = makeCommand(key, 'open-door', openDoorBody(3), { bankId: 'bank-p', controllerId: 'col-p' });
  await cloud.sendCommand(cmd);
  t.match(await cloud.waitAck(cmd.id, 20_000), { status: 'opened' }, 'the door behind the pty opened');

  const from = cloud.received.length;
  ctl.kill('SIGTERM');
  // Bounded: a stop that hangs fails here rather than at the file's timeout.
  const exit = await Promise.race([exitOf(ctl), new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000).unref())]);
  t.same(exit, { code: 0, signal: null }, 'clean exit on SIGTERM');
  const bye = await cloud.waitFor((m) => m.channel === 'status' && m.controllerId === 'col-p' && (m.json as { state: string }).state === 'offline', 20_000, from);
  t.match(bye.json, { state: 'offline', reason: 'shutdown' }, 'goodbye on the status topic');
  t.match(out, /outputs safe/);

  sim.kill('SIGTERM');
  t.same(await exitOf(sim), { code: 0, signal: null }, 'simulator exits cleanly too');
});
