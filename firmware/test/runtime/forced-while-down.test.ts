// A controller that starts finds its doors as they are. A door that was shut when it stopped and is open now was
// opened while nobody watched: the cloud hears door-forced from the first reading, recorded in the outbox before the
// doors are watched, so no event of the start-up is lost. A door the controller itself was opening when it stopped is
// not taken for a forced one.
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { expectCondition, expectEvent } from '@portier/sim';
import { validateRuntimeConfig } from '../../src/runtime/config.ts';
import { startController, type RunningController } from '../../src/runtime/controller-runtime.ts';
import { createCu16Fixture, type Cu16Fixture } from '../fixtures/cu16-fixture.ts';
import { startTestBroker } from '../link/helpers/broker.ts';
import { makeCommand, openDoorBody, TestCloud, WAIT_MS, waitForEvent } from '../link/helpers/cloud.ts';

const BANK = 'bank-fd';
const CTRL = 'col-fd-1';
const SECRET = 'secret-col-fd-1';
type Evt = { seq: number; event: { type: string; door?: number } };

async function setup(t: Test) {
  const { privateKey: key, publicKey } = generateKeyPairSync('ed25519');
  const dir = mkdtempSync(join(tmpdir(), 'portier-fd-'));
  const broker = await startTestBroker([{ bankId: BANK, controllerId: CTRL, secret: SECRET }]);
  const cloud = await TestCloud.connect(broker.url, key);
  const configFor = (dataDir: string) =>
    validateRuntimeConfig({
    log: { level: 'silent' },
    hardware: {
      bus: { kind: 'kerong-cu16', path: '/dev/portier-test-unused', doorCount: 3, replyTimeoutMs: 50 },
      doors: { maxPulseMs: 600, pulseMs: 200, pollMs: 20, jamWindowMs: 1000, leftOpenMs: 60_000 },
    },
    link: {
      brokerUrl: broker.url,
      bankId: BANK,
      controllerId: CTRL,
      column: 1,
      secret: SECRET,
      cloudPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      dataDir,
    },
  });
  const v = await configFor(join(dir, 'data'));
  if (!v.ok) throw new Error(`test config invalid: ${JSON.stringify(v.problems)}`);
  let running: { rt: RunningController; f: Cu16Fixture } | undefined;
  const stop = async (): Promise<void> => {
    if (!running) return;
    await running.rt.stop();
    await running.f.cleanup();
    running = undefined;
  };
  t.teardown(async () => {
    await stop();
    await cloud.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const memoryFile = join(dir, 'data', 'doors.json');
  return {
    key,
    cloud,
    memory: (): Record<string, string> => (existsSync(memoryFile) ? (JSON.parse(readFileSync(memoryFile, 'utf8')) as { doors: Record<string, string> }).doors : {}),
    /** Starts the controller on fresh virtual boards; `before` sets the doors as the controller will find them. */
    dir,
    /**
     * Starts the controller on fresh virtual boards; `before` sets the doors as the controller will find them. `opts`:
     * another data folder, doors that take `springDelayMs` to spring open.
     */
    async start(
      before: (f: Cu16Fixture) => void = () => undefined,
      opts: { dataDir?: string; springDelayMs?: number } = {},
    ): Promise<{ rt: RunningController; f: Cu16Fixture }> {
      const f = await createCu16Fixture({ doorCount: 3, maxPulseMs: 600, behaviour: { springDelayMs: opts.springDelayMs ?? 10 } });
      before(f);
      const other = opts.dataDir ? await configFor(opts.dataDir) : v;
      if (!other.ok) throw new Error(`test config invalid: ${JSON.stringify(other.problems)}`);
      const rt = await startController({ config: other.config, bus: f.bus, linkOverrides: { backoff: { minMs: 30, maxMs: 150 }, evtackTimeoutMs: 400 } });
      running = { rt, f };
      if (rt.link!.status().state !== 'online') await waitForEvent(rt.link!, 'state', (s: { state: string }) => s.state === 'online');
      return running;
    },
    stop,
    events: (): Evt[] => cloud.of('evt', CTRL).map((r) => r.json as Evt),
    waitEvent: async (pred: (e: Evt) => boolean, ms = WAIT_MS): Promise<Evt> =>
      (await cloud.waitFor((m) => m.channel === 'evt' && m.controllerId === CTRL && pred(m.json as Evt), ms)).json as Evt,
  };
}

t.test('a door forced while the controller was down raises door-forced after the restart, recorded in the outbox', async (t) => {
  const s = await setup(t);
  await s.start();
  await expectCondition(() => s.memory()['2'] === 'closed', 20_000, 'door 2 remembered closed');
  await s.stop();

  // Someone pries door 2 open while the controller is off.
  const { rt } = await s.start((f) => f.doors[1]!.force());
  const forced = await s.waitEvent((e) => e.event.type === 'door-forced');
  t.equal(forced.event.door, 2, 'the door that was forced');
  t.ok(forced.seq >= 1, 'a numbered outbox event, not only a log line');
  t.notOk(s.events().some((e) => e.event.type === 'door-forced' && e.event.door !== 2), 'no other door reported forced');
  t.equal(rt.doors.status(2).state, 'open', 'the controller sees the door open');
  // The door memory is written beside the event, not before it: wait for the file (bounded).
  await expectCondition(() => s.memory()['2'] === 'open', 20_000, 'door 2 remembered open');
  t.equal(s.memory()['2'], 'open', 'and remembers it open');

  // Shut again and restarted: nothing more to report.
  await s.stop();
  await s.start();
  await expectCondition(() => s.memory()['2'] === 'closed', 20_000, 'door 2 remembered closed again');
  const marker = makeCommand(s.key, 'open-door', openDoorBody(1), { bankId: BANK, controllerId: CTRL });
  await s.cloud.sendCommand(marker);
  await s.waitEvent((e) => e.event.type === 'door-opened' && e.event.door === 1);
  // The cloud may see an event twice (resent until acknowledged); one alert is one seq.
  const alerts = new Set(s.events().filter((e) => e.event.type === 'door-forced').map((e) => e.seq));
  t.equal(alerts.size, 1, 'one alert, not one per restart');
});

t.test('a door the controller opened itself is not reported forced after a restart', async (t) => {
  const s = await setup(t);
  const { f } = await s.start();
  const cmd = makeCommand(s.key, 'open-door', openDoorBody(3), { bankId: BANK, controllerId: CTRL });
  await s.cloud.sendCommand(cmd);
  t.match(await s.cloud.waitAck(cmd.id), { status: 'opened' });
  t.ok(f.doors[2]!.open, 'door 3 open by the command');
  await expectCondition(() => s.memory()['3'] === 'open', 20_000, 'door 3 remembered open');
  await s.stop();

  // Still open at the restart (the recipient has not shut it yet): the opening was ours.
  await s.start((f2) => f2.doors[2]!.force());
  const marker = makeCommand(s.key, 'open-door', openDoorBody(1), { bankId: BANK, controllerId: CTRL });
  await s.cloud.sendCommand(marker);
  t.match(await s.cloud.waitAck(marker.id), { status: 'opened' });
  await s.waitEvent((e) => e.event.type === 'door-opened' && e.event.door === 1);
  t.notOk(s.events().some((e) => e.event.type === 'door-forced'), 'no forced alert for the door the controller had opened');
});

t.test('a controller that dies while a remote open is pulsing does not call that door forced after the restart', async (t) => {
  const s = await setup(t);
  // The door takes long to spring, so the open is still waiting to see it when the disk is taken.
  const { f } = await s.start(undefined, { springDelayMs: 5000 });
  await expectCondition(() => s.memory()['3'] === 'closed', 20_000, 'door 3 remembered closed');
  const cmd = makeCommand(s.key, 'open-door', openDoorBody(3), { bankId: BANK, controllerId: CTRL });
  await s.cloud.sendCommand(cmd);
  await expectEvent(f.doors[2]!, 'lock', 20_000, { predicate: (e: { energised: boolean }) => e.energised, description: 'the pulse of door 3' });
  // What a power cut at this moment leaves: every durable write made so far, nothing after.
  const crashed = join(s.dir, 'crashed');
  cpSync(join(s.dir, 'data'), crashed, { recursive: true });
  t.equal(s.memory()['3'], 'closed', 'the door memory was not written before the pulse (the pending mark stands for it)');
  await s.stop();

  // Back up on that disk; the door sprang open meanwhile.
  await s.start((f2) => f2.doors[2]!.force(), { dataDir: crashed });
  t.match(await s.cloud.waitAck(cmd.id), { status: 'unknown', reason: 'interrupted' }, 'the cut-short open is answered unknown');
  const marker = makeCommand(s.key, 'open-door', openDoorBody(1), { bankId: BANK, controllerId: CTRL });
  await s.cloud.sendCommand(marker);
  t.match(await s.cloud.waitAck(marker.id), { status: 'opened' });
  await s.waitEvent((e) => e.event.type === 'door-opened' && e.event.door === 1);
  t.notOk(
    s.events().some((e) => e.event.type === 'door-forced'),
    'no forced alert for the door the controller was opening',
  );
});
