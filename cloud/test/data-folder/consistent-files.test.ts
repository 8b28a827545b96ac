// The store's part of an online backup: while a copy runs, the snapshot is not rewritten, and the journal prefix it
// names holds every commit acknowledged before; the copy of those prefixes opens as a store holding exactly them.
import { cp, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { sampleBank } from '../../src/store/contract.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { tempDir } from './helpers.ts';

t.test('withConsistentFiles: snapshot rewrites wait, the journal prefix holds every acknowledged commit', async (t) => {
  const dir = await tempDir(t, 'portier-copy-');
  // A snapshot after every flush, unless a copy holds it off.
  const s = await DurableStore.open(join(dir, 'store'), { checkpointBytes: 1 });
  t.teardown(() => s.close());
  for (let i = 0; i < 5; i++) await s.commit({ put: [{ c: 'banks', key: `b${i}`, value: sampleBank(`b${i}`) }] });

  const copy = join(dir, 'copy');
  await s.withConsistentFiles(async (files) => {
    t.same(files.map((f) => f.name), ['snapshot.json', 'journal.jsonl']);
    const snapshotBefore = await readFile(join(dir, 'store', 'snapshot.json'));
    // Writes go on while the copy runs; each would rewrite the snapshot.
    for (let i = 5; i < 10; i++) await s.commit({ put: [{ c: 'banks', key: `b${i}`, value: sampleBank(`b${i}`) }] });
    t.same(await readFile(join(dir, 'store', 'snapshot.json')), snapshotBefore, 'the snapshot did not change');
    const journal = files.find((f) => f.name === 'journal.jsonl')!;
    t.ok((await stat(join(dir, 'store', 'journal.jsonl'))).size > journal.bytes, 'the journal grew past the named prefix');
    await cp(join(dir, 'store'), copy, { recursive: true, filter: (src) => !src.endsWith('LOCK') });
    await truncate(join(copy, 'journal.jsonl'), journal.bytes);
    await truncate(join(copy, 'snapshot.json'), files.find((f) => f.name === 'snapshot.json')!.bytes);
  });
  await s.commit({ put: [{ c: 'banks', key: 'b10', value: sampleBank('b10') }] });

  const c = await DurableStore.open(copy);
  t.teardown(() => c.close());
  t.same(c.list('banks').map((b) => b.id).sort(), ['b0', 'b1', 'b2', 'b3', 'b4'], 'the copy holds exactly what was acknowledged before it began');
});
