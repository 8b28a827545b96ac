// A new data folder is an entry in its parent: until the parent is fsynced, a power cut can lose the folder with the
// files fsynced inside it. Every folder the cloud creates (its store, its event journal, its keys) is made durable
// in its parent (`ensureDir` of @portier/durable, whose own test covers every level of a nested path).
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DurableStore } from '../../src/store/durable.ts';
import { fsSpySkip, spyFileHandles } from '../../../scripts/test/contracts/fs-spy.ts';

function root(t: { teardown(fn: () => void): void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'portier-folders-')));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test("a new store's folder is durable in its parent before the store answers", { skip: fsSpySkip }, async (t) => {
  const base = root(t);
  const spy = await spyFileHandles(t);
  const store = await DurableStore.open(join(base, 'data', 'store'));
  t.teardown(() => store.close());
  t.ok(spy.completed('sync', base) >= 1, 'the parent of the new data folder');
  t.ok(spy.completed('sync', join(base, 'data')) >= 1, 'the parent of the new store folder');
});
