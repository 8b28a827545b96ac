// What the simulated hardware records for tests is bounded: a bank simulated for hours (a soak, the demo) holds the
// latest records only, so its memory stays flat and a growth the soak measures is the controller's own.
import t from 'tap';
import { RECORDED_KEPT, VirtualCu16BoardSet, VirtualDoor, createMockCu16Transport, keepLast } from '../src/index.ts';

t.test('keepLast keeps the newest entries, oldest first', async (t) => {
  const list: number[] = [];
  for (let i = 1; i <= 25; i++) keepLast(list, i, 10);
  t.same(list, [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
});

t.test("a door's pulses: the last RECORDED_KEPT, the newest one closed by its release", async (t) => {
  const door = new VirtualDoor(1, { releaseAfterMs: 1_000_000 });
  t.teardown(() => door.dispose());
  for (let i = 0; i < RECORDED_KEPT + 200; i++) {
    door.setLock(true);
    door.setLock(false);
  }
  t.equal(door.energised.length, RECORDED_KEPT);
  t.ok(door.energised.every((p) => p.to !== undefined), 'every kept pulse has its end');
});

t.test("the bytes a board set was sent: the controller's last RECORDED_KEPT writes, in order", async (t) => {
  const doors = [new VirtualDoor(1)];
  const boards = VirtualCu16BoardSet.inOrder(doors, { pulseMs: 100 });
  const transport = createMockCu16Transport(boards);
  const port = transport.openPort();
  t.teardown(async () => {
    if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
    await transport.close();
    boards.dispose();
    for (const d of doors) d.dispose();
  });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const n = RECORDED_KEPT + 50;
  for (let i = 0; i < n; i++) await new Promise<void>((resolve, reject) => port.write(Buffer.from([0xaa, i & 0xff, i >> 8]), (err) => (err ? reject(err) : resolve())));
  t.equal(transport.written.length, RECORDED_KEPT);
  t.same([...transport.written.at(-1)!], [0xaa, (n - 1) & 0xff, (n - 1) >> 8], 'the newest last');
  t.same([...transport.written[0]!], [0xaa, 50, 0], 'the oldest kept first');
});
