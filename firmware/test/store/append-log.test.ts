// The controller's append-only logs (commands.log, outbox.log) at the edges: a previous release's log, a flipped
// byte, a write cut short by a full disk, a new file's folder entry.
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { z } from 'zod';
import { AppendLog } from '../../src/store/append-log.ts';
import { fsSpySkip, spyFileHandles } from '../../../scripts/test/contracts/fs-spy.ts';

const entry = z.strictObject({ n: z.number(), text: z.string() });
const PREVIOUS = fileURLToPath(new URL('./fixtures/previous-release/plain.log', import.meta.url));

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'portier-append-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a log written by the previous release (no checksums) reads, and new lines carry one', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'plain.log');
  copyFileSync(PREVIOUS, path);
  const { log, entries, reset } = await AppendLog.openEntries(path, entry);
  t.same(entries, [{ n: 1, text: 'first' }, { n: 2, text: 'second' }]);
  t.equal(reset, undefined);
  await log.append(JSON.stringify({ n: 3, text: 'third' }));
  await log.close();
  t.match(readFileSync(path, 'utf8').split('\n')[2], /^#[0-9a-f]{8} \{"n":3/);
  const again = await AppendLog.openEntries(path, entry);
  t.same(again.entries.map((e) => e.n), [1, 2, 3], 'old and new lines read together');
  await again.log.close();
});

t.test('a flipped byte that keeps a line valid JSON is damage: the log is set aside, the lines before it kept', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'x.log');
  const { log } = await AppendLog.open(path);
  for (let n = 1; n <= 3; n++) await log.append(JSON.stringify({ n, text: `door ${n}` }));
  await log.close();
  writeFileSync(path, readFileSync(path, 'utf8').replace('"door 2"', '"door 7"'));
  const { log: fresh, entries, reset } = await AppendLog.openEntries(path, entry);
  t.same(entries.map((e) => e.n), [1], 'only the lines before the damaged one');
  t.match(reset?.reason, /x\.log line 2 is damaged \(checksum mismatch\)/, 'reported with the file and line');
  t.ok(reset?.setAsideAs, 'the damaged log is kept aside');
  await fresh.close();
});

t.test('a write that stores part of a batch and no error fails the append, and the part is cut off again', { skip: fsSpySkip }, async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'y.log');
  const { log } = await AppendLog.open(path);
  await log.append(JSON.stringify({ n: 1, text: 'kept' }));
  // The disk fills: the next write stores 5 bytes, the one after none (what write(2) does on ENOSPC).
  const spy = await spyFileHandles(t);
  spy.fillDisk((p) => p === realpathSync(path), 5);
  await t.rejects(log.append(JSON.stringify({ n: 2, text: 'lost' })), { code: 'STORE_WRITE_FAILED' }, 'the append fails');
  spy.heal();
  await log.append(JSON.stringify({ n: 3, text: 'after' }));
  await log.close();
  const { entries, reset, log: again } = await AppendLog.openEntries(path, entry);
  t.equal(reset, undefined, 'no damage left in the file');
  t.same(entries.map((e) => e.n), [1, 3], 'the failed line is not there, the next one is whole');
  await again.close();
});
