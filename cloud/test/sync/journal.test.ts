import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { EventJournal, JOURNAL_FILE, type StoredEvent } from '../../src/sync/event-journal.ts';
import { tempDir } from '../mqtt/helpers/env.ts';

const rec = (controllerId: string, seq: number): StoredEvent => ({
  bankId: 'bank-1',
  controllerId,
  seq,
  at: 1000 + seq,
  storedAt: 2000 + seq,
  event: { type: 'door-forced', door: 1 },
});

t.test('appends survive a reopen; the index is rebuilt', async (t) => {
  const dir = await tempDir(t);
  const j = await EventJournal.open(dir);
  await j.append([rec('a', 1), rec('a', 2), rec('b', 1)]);
  t.equal(j.storedUpTo('a'), 2);
  await j.close();
  const again = await EventJournal.open(dir);
  t.teardown(() => again.close());
  t.equal(again.storedUpTo('a'), 2);
  t.equal(again.storedUpTo('b'), 1);
  t.equal(again.storedUpTo('c'), 0);
  t.same((await again.read('a')).map((e) => e.seq), [1, 2]);
});

t.test('a gap or a duplicate is refused, so the file never holds one', async (t) => {
  const dir = await tempDir(t);
  const j = await EventJournal.open(dir);
  t.teardown(() => j.close());
  await j.append([rec('a', 1)]);
  await t.rejects(j.append([rec('a', 1)]), { code: 'OUT_OF_ORDER' });
  await t.rejects(j.append([rec('a', 3)]), { code: 'OUT_OF_ORDER' });
  await t.rejects(j.append([rec('a', 2), rec('a', 4)]), { code: 'OUT_OF_ORDER' }, 'all or nothing');
  await j.append([rec('a', 2)]);
  t.same((await j.read()).map((e) => e.seq), [1, 2]);
});

t.test('concurrent appends are group-committed and resolve in order', async (t) => {
  const dir = await tempDir(t);
  const j = await EventJournal.open(dir);
  t.teardown(() => j.close());
  const order: number[] = [];
  await Promise.all(Array.from({ length: 100 }, (_, i) => j.append([rec('a', i + 1)]).then(() => order.push(i + 1))));
  t.same(order, Array.from({ length: 100 }, (_, i) => i + 1));
  t.ok(j.syncCount <= 3, `100 appends in ${j.syncCount} fsyncs`);
});

t.test('a torn last line (power cut mid-write) is cut off at open; earlier lines stay', async (t) => {
  const dir = await tempDir(t);
  const j = await EventJournal.open(dir);
  await j.append([rec('a', 1), rec('a', 2)]);
  await j.close();
  await appendFile(join(dir, JOURNAL_FILE), JSON.stringify(rec('a', 3)).slice(0, 20));
  const again = await EventJournal.open(dir);
  t.teardown(() => again.close());
  t.equal(again.storedUpTo('a'), 2, 'the torn event was never stored (nor acked)');
  await again.append([rec('a', 3)]);
  const lines = (await readFile(join(dir, JOURNAL_FILE), 'utf8')).trim().split('\n');
  t.equal(lines.length, 3);
  t.same(lines.map((l) => (JSON.parse(l.replace(/^#[0-9a-f]{8} /, '')) as StoredEvent).seq), [1, 2, 3], 'each line: its checksum, then the JSON');
});

t.test('a corrupt line in the middle is an error, never skipped silently', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, JOURNAL_FILE), `${JSON.stringify(rec('a', 1))}\n{"nope":1}\n${JSON.stringify(rec('a', 2))}\n`);
  await t.rejects(EventJournal.open(dir), { code: 'CORRUPT' });
  await writeFile(join(dir, JOURNAL_FILE), `${JSON.stringify(rec('a', 1))}\n${JSON.stringify(rec('a', 3))}\n`);
  await t.rejects(EventJournal.open(dir), { code: 'CORRUPT' }, 'a gap on disk');
});

t.test('gap and conflict records: durable, counted on reopen, kept out of the event stream', async (t) => {
  const dir = await tempDir(t);
  const j = await EventJournal.open(dir);
  await j.append([rec('a', 1), rec('a', 2)]);
  await t.rejects(j.appendGap({ bankId: 'bank-1', controllerId: 'a', fromSeq: 4, toSeq: 6, storedAt: 1, reason: 'lost' }), { code: 'OUT_OF_ORDER' }, 'a gap starts at the next seq');
  await j.appendGap({ bankId: 'bank-1', controllerId: 'a', fromSeq: 3, toSeq: 6, storedAt: 1, reason: 'lost' });
  t.equal(j.storedUpTo('a'), 6, 'a recorded gap counts as stored');
  await t.rejects(j.appendConflict(rec('a', 9)), { code: 'OUT_OF_ORDER' }, 'a conflict is about a seq already taken');
  await j.appendConflict({ ...rec('a', 2), event: { type: 'door-forced', door: 7 } });
  await j.append([rec('a', 7)]);
  await j.close();

  const again = await EventJournal.open(dir);
  t.teardown(() => again.close());
  t.equal(again.storedUpTo('a'), 7);
  t.same((await again.read('a')).map((e) => e.seq), [1, 2, 7], 'read gives the stream');
  t.match(await again.gaps('a'), [{ kind: 'gap', fromSeq: 3, toSeq: 6 }]);
  t.match(await again.conflicts('a'), [{ kind: 'conflict', seq: 2, event: { door: 7 } }]);
  t.not(again.fingerprintAt('a', 2), undefined, 'fingerprints of recent events rebuilt');
  t.equal(again.fingerprintAt('a', 2), j.fingerprintAt('a', 2));

  await writeFile(join(dir, JOURNAL_FILE), `${JSON.stringify(rec('a', 1))}\n${JSON.stringify({ kind: 'gap', bankId: 'bank-1', controllerId: 'a', fromSeq: 3, toSeq: 4, storedAt: 1, reason: 'x' })}\n`);
  await t.rejects(EventJournal.open(dir), { code: 'CORRUPT' }, 'a gap record that does not follow');
});
