// A new data folder is an entry in its parent: until the parent is fsynced, a power cut can lose the folder with the
// files fsynced inside it. Every folder the cloud creates (its store, its event journal, its keys) is made durable
// in its parent, every level of a nested path included.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureDir } from '../../src/store/durable-write.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { fsSpySkip, spyFileHandles } from '../../../scripts/test/contracts/fs-spy.ts';

function root(t: { teardown(fn: () => void): void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'portier-folders-')));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('ensureDir: each created level is fsynced in its parent; an existing folder costs nothing', { skip: fsSpySkip }, async (t) => {
  const base = root(t);
  const spy = await spyFileHandles(t);
  await ensureDir(join(base, 'a', 'b', 'c'));
  for (const parent of [base, join(base, 'a'), join(base, 'a', 'b')]) t.ok(spy.completed('sync', parent) >= 1, `${parent.slice(base.length) || '/'} fsynced`);
  const before = spy.calls.length;
  await ensureDir(join(base, 'a', 'b', 'c'));
  t.equal(spy.calls.length, before, 'no fsync for a folder that was there');
});

t.test("a new store's folder is durable in its parent before the store answers", { skip: fsSpySkip }, async (t) => {
  const base = root(t);
  const spy = await spyFileHandles(t);
  const store = await DurableStore.open(join(base, 'data', 'store'));
  t.teardown(() => store.close());
  t.ok(spy.completed('sync', base) >= 1, 'the parent of the new data folder');
  t.ok(spy.completed('sync', join(base, 'data')) >= 1, 'the parent of the new store folder');
});
