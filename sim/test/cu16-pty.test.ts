import t from 'tap';
import { KerongCu16Bus, serialPortFactory } from '@portier/firmware/hal';
import { VirtualDoor } from '../src/door.ts';
import { VirtualCu16BoardSet } from '../src/cu16/boards.ts';
import { startCu16OnPty } from '../src/pty/cu16-pty.ts';
import { socatAvailable } from '../src/pty/socat.ts';
import { expectCondition, expectEvent } from '../src/expect.ts';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const skip = socatAvailable() ? false : 'needs socat (apt-get install socat)';

t.test('KerongCu16Bus over a real tty (socat pty pair) drives the virtual boards', { skip }, async (t) => {
  const doors = Array.from({ length: 20 }, (_, i) => new VirtualDoor(i + 1, { springDelayMs: 10 }));
  const boards = VirtualCu16BoardSet.inOrder(doors, { pulseMs: 100 });
  const sim = await startCu16OnPty(boards);
  const bus = new KerongCu16Bus({ openPort: serialPortFactory(sim.controllerPath), doorCount: 20, maxPulseMs: 500, replyTimeoutMs: 2000 });
  t.teardown(async () => {
    await bus.close();
    await sim.close();
    boards.dispose();
    for (const d of doors) d.dispose();
  });
  t.ok(existsSync(sim.controllerPath), `controller tty at ${sim.controllerPath}`);
  await bus.open();
  doors[3]!.setItem(true);
  const before = await bus.readDoors();
  t.same(before.filter((r) => r.itemPresent).map((r) => r.door), [4], 'status over the tty');
  const opened = expectEvent(doors[16]!, 'moved', 20_000, { predicate: (e) => e.open, description: 'door 17 opens' });
  await bus.unlock(17, 150);
  await opened;
  const after = await bus.readDoors();
  t.equal(after.find((r) => r.door === 17)?.open, true, 'door 17 reads open');
  t.equal(doors[16]!.energised.length, 1);
  // The board's own timer ends the pulse (nothing is sent to release it), timed by the pulse the bus set on that board.
  // A 150 ms pulse may already be over by now (a busy machine): then its interval is closed and there is no event to wait for.
  if (doors[16]!.lockEnergised) {
    await expectEvent(doors[16]!, 'lock', 20_000, { predicate: (e) => !e.energised, description: 'door 17 solenoid released' });
  }
  t.equal(boards.board(1).pulseMs, 150, 'the board holding door 17 times its pulses at the 150 ms asked for');
  t.equal(boards.board(0).pulseMs, 100, 'the other board keeps its own pulse time');
  t.equal(doors[16]!.energised.length, 1, 'one pulse');
  t.equal(bus.health().state, 'ok');

  await sim.close();
  t.notOk(existsSync(sim.controllerPath), 'socat gone: the links are removed');
});

t.test('a pty that goes away and comes back at the same path: the bus reopens it and an open works again', { skip }, async (t) => {
  const doors = Array.from({ length: 4 }, (_, i) => new VirtualDoor(i + 1, { springDelayMs: 10 }));
  const boards = VirtualCu16BoardSet.inOrder(doors, { pulseMs: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'portier-pty-loss-'));
  const names = { dir, controllerName: 'ttyUSB-test', simName: 'ttyUSB-test.sim' };
  let sim = await startCu16OnPty(boards, names);
  const bus = new KerongCu16Bus({ openPort: serialPortFactory(sim.controllerPath), doorCount: 4, maxPulseMs: 500, replyTimeoutMs: 2000, reopenMinMs: 20, reopenMaxMs: 200 });
  bus.on('error', () => undefined);
  t.teardown(async () => {
    await bus.close();
    await sim.close();
    boards.dispose();
    for (const d of doors) d.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  await bus.open();
  t.equal((await bus.readDoors()).length, 4, 'status over the tty');

  // socat exits: the tty vanishes, as /dev/ttyUSB0 does when the adapter is pulled out. A pty says so when written to.
  const lost = expectEvent(bus, 'health', 20_000, { predicate: (h) => h.port === 'closed', description: 'port closed' });
  await sim.close();
  await bus.readDoors().catch(() => undefined);
  await lost;
  await t.rejects(bus.unlock(2, 100), { code: 'BUS_CLOSED' }, 'an open while the port is away is refused, not queued');
  t.equal(doors[1]!.energised.length, 0);

  const back = expectEvent(bus, 'health', 20_000, { predicate: (h) => h.port === 'open', description: 'port reopened' });
  sim = await startCu16OnPty(boards, names);
  await back;
  const opened = expectEvent(doors[1]!, 'moved', 20_000, { predicate: (e) => e.open, description: 'door 2 opens' });
  await bus.unlock(2, 100);
  await opened;
  // The bus asks the boards' dialect again as it reopens, and that may go out before the simulator's end of the new
  // pty is open (opening a port drops what waits in it): a read sharing that detection fails, and the next asks again.
  const door2Open = async () => (await bus.readDoors().catch(() => undefined))?.find((r) => r.door === 2)?.open === true;
  await expectCondition(door2Open, 20_000, 'door 2 reads open over the reopened tty', 50);
  t.pass('door 2 reads open over the reopened tty');
  t.equal(bus.health().state, 'ok');
});
