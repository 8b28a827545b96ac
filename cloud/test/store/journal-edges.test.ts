// The durable store at the edges: a flipped byte, a lost tail, a previous release's folder, a disk that fills up.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileHandle } from 'node:fs/promises';
import { sampleActivity, sampleBank, sampleReservation } from '../../src/store/contract.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { seed, tempDir } from './helpers.ts';
import { ShortWriteError, appendAll, frameLine, parseLine } from '../../src/store/journal-line.ts';
import { StoreError } from '../../src/store/store.ts';

const PREVIOUS = fileURLToPath(new URL('./fixtures/previous-release/', import.meta.url));


t.test('a store folder written by the previous release (journal lines without checksums) loads and takes writes', async (t) => {
  const dir = await tempDir(t);
  await cp(PREVIOUS, dir, { recursive: true });
  const s = await DurableStore.open(dir);
  const occupied = s.list('reservations').filter((r) => r.status === 'occupied');
  t.equal(occupied.length, 1, 'the dropped-off parcel is there');
  t.equal(occupied[0]?.lockerNumber, 2);
  t.equal(s.count('lockers'), 3);
  await s.commit({ put: [{ c: 'banks', key: 'b2', value: sampleBank('b2') }] });
  await s.close();
  const journal = await readFile(join(dir, 'journal.jsonl'), 'utf8');
  t.match(journal.split('\n').at(-2), /^#[0-9a-f]{8} \{"q":/, 'new lines carry a checksum');
  const again = await DurableStore.open(dir);
  t.equal(again.count('banks'), 2, 'both kinds of line load together');
  t.equal(again.list('reservations').filter((r) => r.status === 'occupied').length, 1);
  await again.close();
});

t.test('a flipped byte that keeps a line valid JSON is caught by its checksum: refused with the file and line', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 4);
  await rm(join(dir, 'snapshot.json'), { force: true }); // the journal alone is the truth
  const path = join(dir, 'journal.jsonl');
  const lines = (await readFile(path, 'utf8')).split('\n');
  // Line 3 puts reservation r1 into locker 1; the bit flip makes it another locker, still valid JSON.
  t.match(lines[2], /"lockerNumber":1\b/);
  lines[2] = lines[2]!.replace('"lockerNumber":1', '"lockerNumber":3');
  t.ok(JSON.parse(lines[2]!.slice(10)), 'the damaged line is still JSON');
  await writeFile(path, lines.join('\n'));
  const err = await DurableStore.open(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof StoreError && err.code === 'CORRUPT', 'the open is refused');
  t.match((err as Error).message, new RegExp(`${path.replace(/[/.]/g, '\\$&')} line 3 .*checksum mismatch`), 'naming the file, the line and why');
});

t.test('a journal that lost its last line after a compaction: recovery leaves a store that every later start accepts', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 3);
  const path = join(dir, 'journal.jsonl');
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  const compacting = await DurableStore.open(dir);
  await compacting.compact(); // the snapshot holds every commit
  await compacting.close();
  // As if the journal had not been shortened yet (a crash right after the snapshot) and then lost its last line.
  await writeFile(path, `${lines.slice(0, -1).join('\n')}\n`);
  const first = await DurableStore.open(dir);
  t.equal(first.count('reservations'), 3, 'the snapshot still holds the lost commit');
  await first.commit({ put: [{ c: 'banks', key: 'b2', value: sampleBank('b2') }] });
  await first.close();
  const second = await DurableStore.open(dir);
  t.equal(second.count('banks'), 2, 'the next start accepts it');
  await second.commit({ put: [{ c: 'banks', key: 'b3', value: sampleBank('b3') }] });
  await second.close();
  await rm(join(dir, 'snapshot.json'));
  const third = await DurableStore.open(dir);
  t.equal(third.count('banks'), 3, 'and the one after, from the journal alone');
  await third.close();
});

t.test('appendAll writes every byte or throws: a write that stores part of a line and no error fails the append', async (t) => {
  const calls: number[] = [];
  const halfThenNothing = {
    write: async (_buf: Buffer, _off: number, len: number) => {
      calls.push(len);
      return { bytesWritten: calls.length === 1 ? Math.floor(len / 2) : 0 };
    },
  } as unknown as FileHandle;
  await t.rejects(appendAll(halfThenNothing, Buffer.from(frameLine('{"q":1}'))), ShortWriteError);
  t.equal(calls.length, 2, 'the rest was asked for again');
  const chunks: string[] = [];
  const fewAtATime = {
    write: async (buf: Buffer, off: number, len: number) => {
      const n = Math.min(3, len);
      chunks.push(buf.toString('utf8', off, off + n));
      return { bytesWritten: n };
    },
  } as unknown as FileHandle;
  const line = frameLine('{"q":2,"p":[]}');
  await appendAll(fewAtATime, Buffer.from(line));
  t.equal(chunks.join(''), line, 'short writes are continued until the line is whole');
  t.same(parseLine(line.slice(0, -1)), { ok: true, value: { q: 2, p: [] }, checked: true });
});

/** Whether this process may mount a tmpfs (root, as CI runs): checked once, on a folder of its own. */
function canMountTmpfs(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'portier-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tmpfsSkip = canMountTmpfs() ? false : 'mounting a small tmpfs needs root';

t.test('disk full under a stream of writes: every acknowledged write survives, the store says why, and writes again once space is freed', { skip: tmpfsSkip }, async (t) => {
  const dir = await tempDir(t);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
  t.teardown(() => void execFileSync('umount', ['-l', dir], { stdio: 'ignore' }));
  const data = join(dir, 'store');
  const s = await DurableStore.open(data, { checkpointBytes: 1 << 30 });
  await s.commit({ put: [{ c: 'banks', key: 'b1', value: sampleBank('b1') }] });
  // Leave little room: a filler file takes most of the disk.
  const filler = join(dir, 'filler');
  const free = Number(execFileSync('df', ['--output=avail', '-B1', dir]).toString().split('\n')[1]);
  await writeFile(filler, Buffer.alloc(Math.max(0, free - 96 * 1024)));
  const acknowledged: string[] = [];
  let refused: unknown;
  for (let i = 0; i < 5000 && refused === undefined; i++) {
    // Each commit carries a long activity detail, so the disk fills within a few hundred commits.
    const entry = { ...sampleActivity(`a${i}`, i), detail: 'x'.repeat(400) };
    try {
      await s.commit({ put: [{ c: 'reservations', key: `r${i}`, value: sampleReservation(`r${i}`, i) }], activity: [entry] });
      acknowledged.push(`r${i}`);
    } catch (err) {
      refused = err;
    }
  }
  t.ok(refused instanceof StoreError && refused.code === 'WRITE_FAILED', 'the disk filled and a commit was refused');
  t.ok(acknowledged.length > 10, `${acknowledged.length} commits acknowledged before`);
  t.same(s.health(), { writable: false, problem: s.health().problem }, 'the store says it cannot write');
  t.match(s.health().problem, /no space|ENOSPC/i, 'and why');
  await t.rejects(s.commit({ put: [{ c: 'banks', key: 'bX', value: sampleBank('bX') }] }), /cannot write/, 'still full: refused with the cause');

  await rm(filler);
  await s.commit({ put: [{ c: 'banks', key: 'b2', value: sampleBank('b2') }] });
  t.same(s.health(), { writable: true }, 'space freed: writes are taken again, without a restart');
  t.notOk(s.get('banks', 'bX'), 'a refused change is not in memory');
  await s.close();

  const back = await DurableStore.open(data);
  const missing = acknowledged.filter((id) => !back.get('reservations', id));
  t.same(missing, [], 'every acknowledged write is there after a restart');
  t.ok(back.get('banks', 'b2'), 'and the write made after the disk had room again');
  await back.close();
});
