// The durable file write of the cloud and the controller: a replaced file is whole or old, an acknowledged append is
// on disk, a full disk or a failed fsync never leaves a torn file behind, and a new folder survives a power cut.
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { fsSpySkip, spyFileHandles } from '../../scripts/test/contracts/fs-spy.ts';
import { AppendFile, ensureDir, writeFileDurable } from '../src/index.ts';

function tempDir(t: Test): string {
  // The real path: the spy names files as /proc/self/fd does.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'portier-durable-')));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const isTemp = (p: string): boolean => p.endsWith('.tmp');

t.test(`a replaced file is whole once the write resolved, synced before its folder; no temp file left`, { skip: fsSpySkip }, async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'state.json');
  const spy = await spyFileHandles(t);
  await writeFileDurable(file, '{"n":1}');
  t.equal(readFileSync(file, 'utf8'), '{"n":1}');
  t.same(readdirSync(dir), ['state.json'], 'no temp file left');
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
  const fileSync = spy.calls.findIndex((c) => c.op === 'sync' && c.path.startsWith(dir + '/'));
  const dirSync = spy.calls.findIndex((c) => c.op === 'sync' && c.path === dir);
  t.ok(fileSync >= 0, 'the file was fsynced');
  t.ok(dirSync > fileSync, 'then its folder, so the rename survives a power cut');
  await writeFileDurable(file, Buffer.from('{"n":2}'), 0o644);
  t.equal(readFileSync(file, 'utf8'), '{"n":2}', 'bytes are taken too');
  t.equal(statSync(file).mode & 0o777, 0o644, 'with the mode asked for');
});

t.test(`a replace cut short by a full disk fails and leaves the old file whole`, { skip: fsSpySkip }, async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'state.json');
  await writeFileDurable(file, 'old content');
  const spy = await spyFileHandles(t);
  spy.fillDisk(isTemp, 4);
  await t.rejects(writeFileDurable(file, 'new content, longer'), { code: 'ENOSPC' });
  t.equal(readFileSync(file, 'utf8'), 'old content');
  t.same(readdirSync(dir), ['state.json'], 'the torn temp file is removed');
  spy.heal();
  await writeFileDurable(file, 'new content');
  t.equal(readFileSync(file, 'utf8'), 'new content', 'writes again once there is room');
});

t.test(`a replace whose fsync fails never shows its data; a temp file torn by a crash changes nothing`, { skip: fsSpySkip }, async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'state.json');
  await writeFileDurable(file, 'old content');
  // What a power cut in the middle of a write leaves: a temp file, part written.
  writeFileSync(join(dir, '.state.json.1234.abcdef.tmp'), 'new con');
  const spy = await spyFileHandles(t);
  spy.failSync(isTemp);
  await t.rejects(writeFileDurable(file, 'new content'), { code: 'EIO' });
  t.equal(readFileSync(file, 'utf8'), 'old content');
  t.same(readdirSync(dir).filter((f) => f !== '.state.json.1234.abcdef.tmp'), ['state.json'], 'its own temp file is removed');
});

t.test(`a new log's folder entry is fsynced before open resolves; an existing log's folder is left alone`, { skip: fsSpySkip }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.log');
  const spy = await spyFileHandles(t);
  const first = await AppendFile.open(path);
  t.equal(first.created, true);
  t.equal(first.data.length, 0);
  t.equal(spy.count('sync', dir), 1, 'the folder was fsynced');
  await first.file.close();
  const again = await AppendFile.open(path);
  t.equal(again.created, false);
  t.equal(spy.count('sync', dir), 1, 'not again for a log that exists');
  await again.file.close();
});

t.test(`an append resolves after an fdatasync that followed its bytes, and reads back after reopen`, { skip: fsSpySkip }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.log');
  const { file } = await AppendFile.open(path);
  const spy = await spyFileHandles(t);
  await file.append(Buffer.from('one\n'));
  const write = spy.calls.findIndex((c) => c.op === 'write' && c.path === path);
  const sync = spy.calls.findIndex((c) => (c.op === 'datasync' || c.op === 'sync') && c.path === path);
  t.ok(write >= 0 && sync > write, 'written, then synced');
  await file.append(Buffer.from('two\n'));
  t.equal(file.size, 8);
  await file.close();
  const again = await AppendFile.open(path);
  t.equal(again.data.toString('utf8'), 'one\ntwo\n');
  await again.file.close();
});

t.test(`an append cut short by a full disk fails, its part is cut off, and the next append is whole`, { skip: fsSpySkip }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.log');
  const { file } = await AppendFile.open(path);
  await file.append(Buffer.from('kept\n'));
  const spy = await spyFileHandles(t);
  spy.fillDisk((p) => p === path, 3);
  await t.rejects(file.append(Buffer.from('lost line\n')), { code: 'ENOSPC' });
  t.equal(readFileSync(path, 'utf8'), 'kept\n', 'the part written is gone again');
  t.equal(file.size, 5);
  spy.heal();
  await file.append(Buffer.from('after\n'));
  await file.close();
  t.equal(readFileSync(path, 'utf8'), 'kept\nafter\n');
});

t.test(`an append whose fdatasync fails is not acknowledged and is cut off`, { skip: fsSpySkip }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.log');
  const { file } = await AppendFile.open(path);
  await file.append(Buffer.from('kept\n'));
  const spy = await spyFileHandles(t);
  spy.failSync((p) => p === path);
  await t.rejects(file.append(Buffer.from('lost\n')), { code: 'EIO' });
  spy.heal();
  t.equal(file.size, 5);
  await file.close();
  t.equal(readFileSync(path, 'utf8'), 'kept\n');
});

t.test(`a torn tail is handed to the owner, who cuts it off; appends go on on a line of their own`, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'events.log');
  writeFileSync(path, 'a\nb\npar');
  const { file, data, created } = await AppendFile.open(path);
  t.equal(created, false);
  t.equal(data.toString('utf8'), 'a\nb\npar');
  t.equal(file.size, 7);
  await file.cut(data.lastIndexOf(0x0a) + 1);
  await file.append(Buffer.from('c\n'));
  await file.close();
  t.equal(readFileSync(path, 'utf8'), 'a\nb\nc\n');
});

t.test('ensureDir: each created level is fsynced in its parent; an existing folder costs nothing', { skip: fsSpySkip }, async (t) => {
  const base = tempDir(t);
  const spy = await spyFileHandles(t);
  await ensureDir(join(base, 'a', 'b', 'c'));
  for (const parent of [base, join(base, 'a'), join(base, 'a', 'b')]) t.ok(spy.completed('sync', parent) >= 1, `${parent.slice(base.length) || '/'} fsynced`);
  t.equal(statSync(join(base, 'a', 'b', 'c')).mode & 0o777, 0o700, 'readable by its owner only');
  const before = spy.calls.length;
  await ensureDir(join(base, 'a', 'b', 'c'));
  t.equal(spy.calls.length, before, 'no fsync for a folder that was there');
});
