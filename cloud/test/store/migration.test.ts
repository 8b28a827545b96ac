// A store folder written by the release before history segments (snapshot format 1, history in the journal) is
// compacted at its first open and serves the same answers, then and after every later start.
import t from 'tap';
import { cp, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurableStore } from '../../src/store/durable.ts';
import type { Store } from '../../src/store/store.ts';
import { tempDir } from './helpers.ts';

// Written by scripts/fixtures/write-store-release.ts with that release's store.
const RELEASE = fileURLToPath(new URL('./fixtures/release-2026-12/', import.meta.url));
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const MIN = 60_000;

async function answers(s: Store): Promise<unknown> {
  const b2 = [];
  let cursor: string | undefined;
  do {
    const p = await s.queryActivity({ bankId: 'b2', type: 'pickup', from: T0 + 1000 * MIN, to: T0 + 3000 * MIN, limit: 50, ...(cursor ? { cursor } : {}) });
    b2.push(...p.items.map((a) => a.id));
    cursor = p.nextCursor;
  } while (cursor);
  return {
    size: await s.historySize(),
    live: s.list('reservations').map((r) => [r.id, r.status]),
    lockers: s.count('lockers'),
    contacts: s.count('contacts'),
    latestEnded: (await s.pastReservations({ limit: 3 })).items.map((r) => r.id),
    ofC5: (await s.pastReservations({ limit: 5, recipientId: 'c5' })).items.map((r) => r.id),
    r10: (await s.pastReservation('r10'))?.endReason,
    b2,
    first: (await s.queryActivity({ limit: 2 })).items.map((a) => a.id),
  };
}

t.test('the 2026-12 release folder: migrated at open, same answers, history in segments, a short journal', async (t) => {
  const dir = await tempDir(t);
  await cp(RELEASE, dir, { recursive: true });
  const s = await DurableStore.open(dir);
  const got = await answers(s);
  t.match(got, {
    size: { ended: 696, activity: 2096 },
    live: [['r696', 'occupied'], ['r697', 'occupied'], ['r698', 'occupied'], ['r699', 'occupied']],
    lockers: 12,
    contacts: 12,
    latestEnded: ['r695', 'r694', 'r693'],
    ofC5: ['r689', 'r677', 'r665', 'r653', 'r641'],
    r10: 'picked-up',
    first: ['a0-0', 'a0-1'],
  });
  // Pickups of bank b2 (every third reservation) three minutes after their reservation, within the range.
  const expected: string[] = [];
  for (let i = 0; i < 696; i += 3) {
    const at = T0 + i * 7 * MIN + 3 * MIN;
    if (at >= T0 + 1000 * MIN && at < T0 + 3000 * MIN) expected.push(`a${i}-3`);
  }
  t.same((got as { b2: string[] }).b2, expected, 'a filtered date range, page by page');
  const snap = JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8')) as { format: number; history: { segments: string[] } };
  t.equal(snap.format, 2, 'the snapshot is rewritten in the current format');
  t.ok(snap.history.segments.length >= 2, 'history went to segment files');
  t.same((await readdir(join(dir, 'history'))).sort(), snap.history.segments.map((n) => n.slice('history/'.length)).sort(), 'every listed segment, nothing else');
  t.equal((await stat(join(dir, 'journal.jsonl'))).size, 0, 'the journal holds nothing the snapshot covers');
  await s.commit({ activity: [{ id: 'after', at: T0 + 9000 * MIN, type: 'alert', actor: { role: 'system' }, bankId: 'b1' }] });
  await s.close();

  const again = await DurableStore.open(dir);
  const later = (await answers(again)) as { size: { activity: number } };
  t.same({ ...later, size: undefined }, { ...(got as object), size: undefined }, 'the same answers after a restart');
  t.equal(later.size.activity, 2097, 'and the entry written after the migration');
  await again.close();
});
