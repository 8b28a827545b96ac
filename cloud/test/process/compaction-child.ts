/**
 * The child of compaction-kill.test.ts: opens a file store, runs compaction back to back while four writers commit
 * as fast as they can, and prints `ack N` once commit N resolved. Never exits by itself: the test kills it.
 * Commit N puts live key `k{N % 100}` (value naming N), ends reservation `e{N}` and records activity `a{N}`.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { sampleActivity, sampleReservation } from '../../src/store/contract.ts';
import { DurableStore } from '../../src/store/durable.ts';

const [dir, startArg] = process.argv.slice(2);
const store = await DurableStore.open(dir!, { checkpointBytes: 16_000, segmentEntries: 64 });
let n = Number(startArg);
process.stdout.write('ready\n');

void (async () => {
  for (;;) {
    await store.compact();
    await tick();
  }
})();

const writer = async (): Promise<void> => {
  for (;;) {
    const i = n++;
    await store.commit({
      put: [{ c: 'reservations', key: `k${i % 100}`, value: sampleReservation(`k${i % 100}`, i) }],
      ended: [{ ...sampleReservation(`e${i}`, i, i % 2 ? 'b1' : 'b2', `c${i % 7}`), status: 'ended', endedAt: i }],
      activity: [sampleActivity(`a${i}`, i)],
    });
    process.stdout.write(`ack ${i}\n`);
  }
};
await Promise.all([writer(), writer(), writer(), writer()]);
