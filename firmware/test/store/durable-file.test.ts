import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { Memory } from 'lowdb';
import { DurableFile, openDurableStore } from '../../src/store/durable-file.ts';
import { adapterContract, type Doc } from './adapter-contract.ts';
import { fsSpySkip, spyFileHandles } from '../../../scripts/test/contracts/fs-spy.ts';

const docSchema = z.strictObject({ n: z.number().int(), items: z.array(z.string()) });

function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'portier-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

adapterContract(t, 'DurableFile', async () => {
  const dir = tmp(t);
  const path = join(dir, 'sub', 'doc.json');
  return { adapter: new DurableFile<Doc>(path, { schema: docSchema }), reopen: async () => new DurableFile<Doc>(path, { schema: docSchema }) };
});

adapterContract(t, 'lowdb Memory (reference)', async () => {
  const m = new Memory<Doc>();
  return { adapter: m, reopen: async () => m };
});

t.test('a burst of writes is grouped into few physical writes, and no temp file is left behind', async (t) => {
  const dir = tmp(t);
  const f = new DurableFile<Doc>(join(dir, 'doc.json'));
  const data: Doc = { n: 0, items: [] };
  const writes: Array<Promise<void>> = [];
  for (let i = 0; i < 100; i++) {
    data.items.push(String(i));
    writes.push(f.write(data));
  }
  await Promise.all(writes);
  t.ok(f.writes <= 2, `100 writes in one tick took ${f.writes} physical writes`);
  t.equal((JSON.parse(readFileSync(join(dir, 'doc.json'), 'utf8')) as Doc).items.length, 100);
  t.same(readdirSync(dir), ['doc.json'], 'no temp files left');
});

t.test('a file that is not JSON is set aside, reported, and read as empty; never thrown', async (t) => {
  const dir = tmp(t);
  const path = join(dir, 'doc.json');
  writeFileSync(path, '{"n": 1, "items": [');
  const { db, reset } = await openDurableStore<Doc>(path, () => ({ n: 0, items: [] }), { schema: docSchema, now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
  t.ok(reset);
  t.match(reset?.reason ?? '', /not JSON/);
  t.equal(reset?.setAsideAs, `${path}.corrupt-2026-01-02T03-04-05-000Z`);
  t.same(db.data, { n: 0, items: [] }, 'starts from defaults');
  t.equal(readFileSync(reset?.setAsideAs ?? '', 'utf8'), '{"n": 1, "items": [', 'the corrupt file is kept for a person to inspect');
  await db.write();
  t.same(JSON.parse(readFileSync(path, 'utf8')), { n: 0, items: [] });
});

t.test('a file that fails its schema is set aside with the field at fault', async (t) => {
  const dir = tmp(t);
  const path = join(dir, 'doc.json');
  writeFileSync(path, JSON.stringify({ n: 'one', items: [] }));
  const { reset } = await openDurableStore<Doc>(path, () => ({ n: 0, items: [] }), { schema: docSchema });
  t.match(reset?.reason ?? '', /schema at n/);
  t.equal(readdirSync(dir).filter((n) => n.includes('.corrupt-')).length, 1);
});

t.test('empty and binary files are corrupt too; a missing file is not', async (t) => {
  const dir = tmp(t);
  for (const [name, content] of [['empty.json', ''], ['bin.json', Buffer.from([0, 1, 2, 0xff])]] as const) {
    writeFileSync(join(dir, name), content);
    const f = new DurableFile<Doc>(join(dir, name), { schema: docSchema });
    t.equal(await f.read(), null);
    t.ok(f.reset, `${name} reported`);
  }
  const missing = new DurableFile<Doc>(join(dir, 'missing.json'), { schema: docSchema });
  t.equal(await missing.read(), null);
  t.equal(missing.reset, undefined);
});

t.test('a failed write rejects with a StoreError code and leaves the old content', async (t) => {
  const dir = tmp(t);
  const path = join(dir, 'doc.json');
  const f = new DurableFile<Doc>(path);
  await f.write({ n: 1, items: [] });
  rmSync(dir, { recursive: true, force: true });
  await t.rejects(f.write({ n: 2, items: [] }), { code: 'STORE_WRITE_FAILED' });
});

t.test('folders the state file needed are made at once and fsynced into their parents with its first write', { skip: fsSpySkip }, async (t) => {
  // The real path: the spy names folders as /proc/self/fd does.
  const dir = realpathSync(tmp(t));
  const spy = await spyFileHandles(t);
  const file = new DurableFile<Doc>(join(dir, 'state', 'kiosk', 'doc.json'));
  t.same(readdirSync(join(dir, 'state')), ['kiosk'], 'the folders are there before anything is written');
  t.equal(spy.calls.length, 0, 'nothing synced yet');
  await file.write({ n: 1, items: [] });
  for (const parent of [dir, join(dir, 'state'), join(dir, 'state', 'kiosk')]) t.ok(spy.completed('sync', parent) >= 1, `${parent.slice(dir.length) || '/'} fsynced`);
  const again = spy.calls.length;
  await file.write({ n: 2, items: [] });
  t.equal(spy.calls.filter((c, i) => i >= again && c.op === 'sync' && (c.path === dir || c.path === join(dir, 'state'))).length, 0, 'once: later writes sync only the file and its own folder');
});
