import t from 'tap';
import sinon from 'sinon';
import { HalError, type BusHealth } from '@portier/firmware/hal';
import { Cu16Cmd } from '../../../src/hal/kerong-cu16/frame.ts';
import { createCu16Fixture } from '../../fixtures/cu16-fixture.ts';

/** A fixture on sinon fake timers; everything is torn down after the test. */
async function setup(t: { teardown(fn: () => unknown): void }, doorCount: number, extra: { maxPulseMs?: number } = {}) {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  // The dialect is configured, so no detection traffic at open: these tests count the frames on the wire.
  const fx = await createCu16Fixture({
    doorCount,
    maxPulseMs: extra.maxPulseMs ?? 500,
    behaviour: { springDelayMs: 30 },
    configuredDialect: { statusQuery: 0x30, unlockReply: 'status' },
  });
  const errors: HalError[] = [];
  const health: BusHealth[] = [];
  fx.bus.on('error', (e) => errors.push(e));
  fx.bus.on('health', (h) => health.push(h));
  const commands: Array<{ board: number; cmd: number; addr: number }> = [];
  fx.boards.on('command', (c) => commands.push({ board: c.board, cmd: c.frame.cmd, addr: c.frame.addr }));
  t.teardown(async () => {
    await fx.cleanup();
    clock.restore();
  });
  await fx.bus.open();
  return { fx, clock, errors, health, commands };
}

/** Runs `p` while advancing fake time in small steps, so replies and timeouts happen. */
async function run<T>(clock: sinon.SinonFakeTimers, p: Promise<T>, maxMs = 2000): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  p.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  for (let waited = 0; !outcome && waited < maxMs; waited += 1) await clock.tickAsync(1);
  if (!outcome) throw new Error(`still pending after ${maxMs} ms of fake time`);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

t.test('unlock: the board pulses the lock, the virtual door springs open, readDoors sees it', async (t) => {
  const { fx, clock } = await setup(t, 4);
  const door = fx.doors[1]!;
  await run(clock, fx.bus.unlock(2, 200));
  t.ok(door.lockEnergised, 'the board energised door 2 when it confirmed');
  await clock.tickAsync(250);
  t.ok(door.open, 'door 2 sprang open');
  t.notOk(door.lockEnergised, 'the board released the solenoid');
  t.equal(door.energised.length, 1);
  const ms = door.maxEnergisedMs();
  t.ok(ms >= 199 && ms <= 200, `energised for the pulse asked, board-timed (${ms} ms)`);
  t.notOk(fx.doors[0]!.open, 'door 1 untouched');
  const readings = await run(clock, fx.bus.readDoors());
  t.same(readings.find((r) => r.door === 2), { door: 2, open: true, itemPresent: false });
  t.same(readings.find((r) => r.door === 1), { door: 1, open: false, itemPresent: false });
  t.equal(fx.bus.health().state, 'ok');
});

t.test('readDoors: one status query per board, lock and infrared bits mapped to doors', async (t) => {
  const { fx, clock, commands } = await setup(t, 40);
  fx.doors[2]!.setItem(true); // door 3, board 0
  fx.doors[20]!.force(); // door 21, board 1 lock 4
  fx.doors[39]!.setItem(true); // door 40, board 2 lock 7
  await clock.tickAsync(1);
  const readings = await run(clock, fx.bus.readDoors());
  t.equal(readings.length, 40);
  t.same(readings.filter((r) => r.open).map((r) => r.door), [21]);
  t.same(readings.filter((r) => r.itemPresent).map((r) => r.door), [3, 40]);
  const queries = commands.filter((c) => c.cmd === Cu16Cmd.STATUS_QUERY);
  t.same(queries.map((q) => q.board), [0, 1, 2], 'exactly one query per board');
});

t.test('several boards by address: door 17 is board 1 lock 0, door 40 is board 2 lock 7', async (t) => {
  const { fx, clock, commands } = await setup(t, 40);
  await run(clock, fx.bus.unlock(17, 100));
  await run(clock, fx.bus.unlock(40, 100));
  await clock.tickAsync(200);
  t.ok(fx.doors[16]!.open, 'door 17 open');
  t.ok(fx.doors[39]!.open, 'door 40 open');
  t.same(
    fx.doors.filter((d) => d.open).map((d) => d.number),
    [17, 40],
    'no other door opened',
  );
  const unlocks = commands.filter((c) => c.cmd === Cu16Cmd.UNLOCK).map((c) => c.addr);
  t.same(unlocks, [0x10, 0x27], 'ADDR = board << 4 | lock on the wire');
  t.ok(fx.transport.written.some((b) => b.equals(Buffer.from([0x02, 0x10, 0x31, 0x03, 0x46]))), 'exact unlock bytes of door 17');
});

t.test('refuses unknown doors and pulses over maxPulseMs without touching the bus', async (t) => {
  const { fx, clock, commands } = await setup(t, 4, { maxPulseMs: 300 });
  await t.rejects(fx.bus.unlock(5, 100), { code: 'UNKNOWN_DOOR' });
  await t.rejects(fx.bus.unlock(1, 301), { code: 'PULSE_TOO_LONG' });
  await clock.tickAsync(10);
  t.same(commands, []);
  t.equal(fx.doors[0]!.energised.length, 0);
});

t.test('a silent board: typed errors, per-board health degraded then down, never a crash; recovers', async (t) => {
  const { fx, clock, errors, health } = await setup(t, 20);
  fx.boards.board(1).setFaults({ silent: true });
  const first = await run(clock, fx.bus.readDoors());
  t.same(first.filter((r) => r.open === null).map((r) => r.door), [17, 18, 19, 20], 'doors of the silent board read null');
  t.ok(first.filter((r) => r.door <= 16).every((r) => r.open === false), 'board 0 still read');
  t.ok(errors.some((e) => e.code === 'BOARD_SILENT' && e.detail?.board === 1), 'BOARD_SILENT error event for board 1');
  let h = fx.bus.health();
  t.equal(h.state, 'degraded');
  t.same(h.boards?.map((b) => b.state), ['ok', 'degraded']);
  await t.rejects(run(clock, fx.bus.unlock(17, 100)), { code: 'BUS_TIMEOUT' }, 'unlock on a silent board rejects with a typed error');
  t.notOk(fx.doors[16]!.open);
  h = fx.bus.health();
  t.equal(h.boards?.[1]?.state, 'down', 'board 1 down after several failures in a row');
  t.equal(h.state, 'degraded', 'the bus as a whole is degraded, board 0 answers');
  // Every board silent: readDoors rejects, health down.
  fx.boards.board(0).setFaults({ silent: true });
  await t.rejects(run(clock, fx.bus.readDoors()), { code: 'BUS_TIMEOUT' });
  await t.rejects(run(clock, fx.bus.readDoors()), { code: 'BUS_TIMEOUT' });
  t.equal(fx.bus.health().state, 'down');
  t.ok(fx.bus.health().lastError);
  // Both answer again.
  fx.boards.board(0).setFaults({ silent: false });
  fx.boards.board(1).setFaults({ silent: false });
  const back = await run(clock, fx.bus.readDoors());
  t.ok(back.every((r) => r.open === false), 'all doors read again');
  t.equal(fx.bus.health().state, 'ok', 'health back to ok');
  const walk = health.map((x) => x.state).filter((s, i, a) => i === 0 || a[i - 1] !== s);
  t.same(walk, ['degraded', 'down', 'degraded', 'ok'], 'health walked ok -> degraded -> down -> degraded (board 0 back first) -> ok');
  await run(clock, fx.bus.unlock(17, 100));
  await clock.tickAsync(150);
  t.ok(fx.doors[16]!.open, 'unlock works again after recovery');
});

t.test('corrupted bytes: typed error events, retried reads, never a crash', async (t) => {
  const { fx, clock, errors } = await setup(t, 16);
  fx.boards.board(0).setFaults({ corruptProbability: 1 });
  const err = await run(clock, fx.bus.readDoors()).catch((e: unknown) => e);
  t.ok(err instanceof HalError && err.code === 'BUS_TIMEOUT', 'every reply corrupted: readDoors rejects with a HalError');
  t.ok(errors.some((e) => ['BAD_CHECKSUM', 'BAD_FRAME', 'GARBAGE'].includes(e.code)), `parse errors reported: ${[...new Set(errors.map((e) => e.code))].join(',')}`);
  fx.boards.board(0).setFaults({ corruptProbability: 0 });
  fx.doors[5]!.setItem(true);
  const ok = await run(clock, fx.bus.readDoors());
  t.same(ok.filter((r) => r.itemPresent).map((r) => r.door), [6], 'next read is good');
  // Half the replies corrupted: with one retry most reads succeed and none crashes.
  fx.boards.board(0).setFaults({ corruptProbability: 0.5 });
  let good = 0;
  for (let i = 0; i < 20; i++) {
    const r = await run(clock, fx.bus.readDoors()).catch(() => undefined);
    if (r && r[5]?.itemPresent === true) good++;
  }
  t.ok(good >= 10, `${good}/20 reads good with half the replies corrupted`);
});

t.test('replies split in random chunks and coalesced with another reply still parse', async (t) => {
  const { fx, clock, errors } = await setup(t, 32);
  fx.boards.board(0).setFaults({ chunked: true, coalesce: true });
  fx.boards.board(1).setFaults({ chunked: true });
  fx.doors[31]!.setItem(true);
  for (let i = 0; i < 10; i++) {
    const r = await run(clock, fx.bus.readDoors());
    t.equal(r.find((x) => x.door === 32)?.itemPresent, true);
  }
  await run(clock, fx.bus.unlock(3, 100));
  await clock.tickAsync(150);
  t.ok(fx.doors[2]!.open);
  t.same(errors, [], 'no parse errors from chunked or coalesced replies');
});

t.test('unlock commands go ahead of queued status polls', async (t) => {
  const { fx, clock, commands } = await setup(t, 48);
  const reads = fx.bus.readDoors(); // three polls queued, the first one goes on the wire
  const unlock = fx.bus.unlock(33, 100); // board 2
  await run(clock, Promise.all([reads, unlock]));
  t.same(
    commands.map((c) => `${c.cmd.toString(16)}@${c.board}`),
    ['30@0', '37@2', '31@2', '30@1', '30@2'],
    'the poll in flight finishes, then pulse time + unlock, then the remaining polls',
  );
});

t.test('close rejects what is pending with BUS_CLOSED and is idempotent', async (t) => {
  const { fx, clock } = await setup(t, 16);
  fx.boards.board(0).setFaults({ silent: true });
  const pending = fx.bus.readDoors();
  await clock.tickAsync(1);
  await fx.bus.close();
  await t.rejects(pending, { code: 'BUS_TIMEOUT' });
  await fx.bus.close();
  await t.rejects(fx.bus.unlock(1, 100), { code: 'BUS_CLOSED' });
});

t.test('probeBoards: every address asked once; answering, configured-but-silent, and no health change', async (t) => {
  const { fx, clock } = await setup(t, 20); // boards 0 and 1 configured and present
  fx.boards.board(1).setFaults({ silent: true });
  const before = fx.bus.health().state;
  const probed = await run(clock, fx.bus.probeBoards(), 10_000);
  t.same(
    probed.map((p) => [p.address, p.configured, p.answered]),
    [[0, true, true], [1, true, false], [2, false, false], [3, false, false], [4, false, false], [5, false, false], [6, false, false], [7, false, false], [8, false, false], [9, false, false]],
    'board 0 answered, board 1 is configured and silent, nothing else on the bus',
  );
  t.equal(fx.bus.health().state, before, 'silent addresses during a scan do not change the bus health');
  await t.rejects(fx.bus.probeBoards([16]), { code: 'UNKNOWN_DOOR' }, 'an address off the bus is refused');
});
