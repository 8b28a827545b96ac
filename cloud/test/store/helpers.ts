// Shared by the durable store tests: a temp folder removed at teardown, and a store seeded with commits.
import type { Test } from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleActivity, sampleBank, sampleReservation } from '../../src/store/contract.ts';
import { DurableStore } from '../../src/store/durable.ts';

export async function tempDir(t: Test, prefix = 'portier-durable-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A store in `dir` with bank b1 and `n` reservations (r0..), each with an activity entry; closed again. */
export async function seed(dir: string, n: number): Promise<void> {
  const s = await DurableStore.open(dir);
  await s.commit({ put: [{ c: 'banks', key: 'b1', value: sampleBank('b1') }] });
  for (let i = 0; i < n; i++) {
    await s.commit({ put: [{ c: 'reservations', key: `r${i}`, value: sampleReservation(`r${i}`, i) }], activity: [sampleActivity(`a${i}`, i)] });
  }
  await s.close();
}
