// The contract of the durable file write every deployable carries (firmware/src/store/durable-write.ts,
// cloud/src/store/durable-write.ts): one test body run against each implementation by a test file of its workspace.
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { fsSpySkip, spyFileHandles } from './fs-spy.ts';

export interface AppendFileLike {
  readonly size: number;
  append(data: Uint8Array): Promise<void>;
  cut(size: number): Promise<void>;
  close(): Promise<void>;
}

export interface DurableWriteImpl {
  writeFileDurable(file: string, data: string | Uint8Array, mode?: number): Promise<void>;
  openAppend(path: string): Promise<{ file: AppendFileLike; data: Buffer; created: boolean }>;
}

function tempDir(t: Test): string {
  // The real path: the spy names files as /proc/self/fd does.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'portier-durable-')));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const isTemp = (p: string): boolean => p.endsWith('.tmp');

export function durableWriteContract(t: Test, name: string, impl: DurableWriteImpl): void {
  t.test(`${name}: a replaced file is whole once the write resolved, synced before its folder; no temp file left`, { skip: fsSpySkip }, async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'state.json');
    const spy = await spyFileHandles(t);
    await impl.writeFileDurable(file, '{"n":1}');
    t.equal(readFileSync(file, 'utf8'), '{"n":1}');
    t.same(readdirSync(dir), ['state.json'], 'no temp file left');
    t.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
    const fileSync = spy.calls.findIndex((c) => c.op === 'sync' && c.path.startsWith(dir + '/'));
    const dirSync = spy.calls.findIndex((c) => c.op === 'sync' && c.path === dir);
    t.ok(fileSync >= 0, 'the file was fsynced');
    t.ok(dirSync > fileSync, 'then its folder, so the rename survives a power cut');
    await impl.writeFileDurable(file, Buffer.from('{"n":2}'), 0o644);
    t.equal(readFileSync(file, 'utf8'), '{"n":2}', 'bytes are taken too');
    t.equal(statSync(file).mode & 0o777, 0o644, 'with the mode asked for');
  });

  t.test(`${name}: a replace cut short by a full disk fails and leaves the old file whole`, { skip: fsSpySkip }, async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'state.json');
    await impl.writeFileDurable(file, 'old content');
    const spy = await spyFileHandles(t);
    spy.fillDisk(isTemp, 4);
    await t.rejects(impl.writeFileDurable(file, 'new content, longer'), { code: 'ENOSPC' });
    t.equal(readFileSync(file, 'utf8'), 'old content');
    t.same(readdirSync(dir), ['state.json'], 'the torn temp file is removed');
    spy.heal();
    await impl.writeFileDurable(file, 'new content');
    t.equal(readFileSync(file, 'utf8'), 'new content', 'writes again once there is room');
  });

  t.test(`${name}: a replace whose fsync fails never shows its data; a temp file torn by a crash changes nothing`, { skip: fsSpySkip }, async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'state.json');
    await impl.writeFileDurable(file, 'old content');
    // What a power cut in the middle of a write leaves: a temp file, part written.
    writeFileSync(join(dir, '.state.json.1234.abcdef.tmp'), 'new con');
    const spy = await spyFileHandles(t);
    spy.failSync(isTemp);
    await t.rejects(impl.writeFileDurable(file, 'new content'), { code: 'EIO' });
    t.equal(readFileSync(file, 'utf8'), 'old content');
    t.same(readdirSync(dir).filter((f) => f !== '.state.json.1234.abcdef.tmp'), ['state.json'], 'its own temp file is removed');
  });

  t.test(`${name}: a new log's folder entry is fsynced before open resolves; an existing log's folder is left alone`, { skip: fsSpySkip }, async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'events.log');
    const spy = await spyFileHandles(t);
    const first = await impl.openAppend(path);
    t.equal(first.created, true);
    t.equal(first.data.length, 0);
    t.equal(spy.count('sync', dir), 1, 'the folder was fsynced');
    await first.file.close();
    const again = await impl.openAppend(path);
    t.equal(again.created, false);
    t.equal(spy.count('sync', dir), 1, 'not again for a log that exists');
    await again.file.close();
  });

  t.test(`${name}: an append resolves after an fdatasync that followed its bytes, and reads back after reopen`, { skip: fsSpySkip }, async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'events.log');
    const { file } = await impl.openAppend(path);
    const spy = await spyFileHandles(t);
    await file.append(Buffer.from('one\n'));
    const write = spy.calls.findIndex((c) => c.op === 'write' && c.path === path);
    const sync = spy.calls.findIndex((c) => (c.op === 'datasync' || c.op === 'sync') && c.path === path);
    t.ok(write >= 0 && sync > write, 'written, then synced');
    await file.append(Buffer.from('two\n'));
    t.equal(file.size, 8);
    await file.close();
    const again = await impl.openAppend(path);
    t.equal(again.data.toString('utf8'), 'one\ntwo\n');
    await again.file.close();
  });

  t.test(`${name}: an append cut short by a full disk fails, its part is cut off, and the next append is whole`, { skip: fsSpySkip }, async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'events.log');
    const { file } = await impl.openAppend(path);
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

  t.test(`${name}: an append whose fdatasync fails is not acknowledged and is cut off`, { skip: fsSpySkip }, async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'events.log');
    const { file } = await impl.openAppend(path);
    await file.append(Buffer.from('kept\n'));
    const spy = await spyFileHandles(t);
    spy.failSync((p) => p === path);
    await t.rejects(file.append(Buffer.from('lost\n')), { code: 'EIO' });
    spy.heal();
    t.equal(file.size, 5);
    await file.close();
    t.equal(readFileSync(path, 'utf8'), 'kept\n');
  });

  t.test(`${name}: a torn tail is handed to the owner, who cuts it off; appends go on on a line of their own`, async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'events.log');
    writeFileSync(path, 'a\nb\npar');
    const { file, data, created } = await impl.openAppend(path);
    t.equal(created, false);
    t.equal(data.toString('utf8'), 'a\nb\npar');
    t.equal(file.size, 7);
    await file.cut(data.lastIndexOf(0x0a) + 1);
    await file.append(Buffer.from('c\n'));
    await file.close();
    t.equal(readFileSync(path, 'utf8'), 'a\nb\nc\n');
  });
}
