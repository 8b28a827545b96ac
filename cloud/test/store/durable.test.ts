import t from 'tap';
import { appendFile, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { sampleActivity, sampleBank, sampleReservation } from '../../src/store/contract.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { seed, tempDir } from './helpers.ts';
import { writeFileDurable } from '../../src/store/durable-file.ts';
import { fsSpySkip, spyFileHandles } from '../../../scripts/test/contracts/fs-spy.ts';

/** A logger whose lines the test can read. */
function captureLogger(): { logger: pino.Logger; lines: () => { level: number; msg: string }[] } {
  const out: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void out.push(s) });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}


t.test('a torn last journal line is cut off at open, with a log line, and writing goes on', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 3);
  // No compaction ran: the journal alone holds everything.
  await rm(join(dir, 'snapshot.json'), { force: true });
  await appendFile(join(dir, 'journal.jsonl'), '{"q":5,"p":[["banks","b9",{"id":"b9"');
  const cap = captureLogger();
  const s = await DurableStore.open(dir, { logger: cap.logger });
  t.equal(s.count('reservations'), 3, 'every complete commit is back');
  t.equal(s.get('banks', 'b9'), undefined, 'the torn commit is not');
  t.ok(cap.lines().some((l) => l.level === 40 && /torn/.test(l.msg)), 'said so in a warning');
  await s.commit({ put: [{ c: 'banks', key: 'b2', value: sampleBank('b2') }] });
  await s.close();
  const again = await DurableStore.open(dir);
  t.equal(again.get('banks', 'b2')?.id, 'b2', 'a write after the repair survives reopening');
  t.equal(again.count('reservations'), 3);
  await again.close();
});

t.test('zeros after the last good line (a crash after the size grew) are a torn tail too', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 2);
  await appendFile(join(dir, 'journal.jsonl'), Buffer.alloc(300));
  const s = await DurableStore.open(dir);
  t.equal(s.count('reservations'), 2);
  await s.close();
});

t.test('a damaged line followed by good ones is refused, not silently dropped', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 3);
  await rm(join(dir, 'snapshot.json'), { force: true });
  const j = join(dir, 'journal.jsonl');
  const lines = (await readFile(j, 'utf8')).split('\n');
  lines[1] = '{"q":2,garbage';
  await writeFile(j, lines.join('\n'));
  await t.rejects(DurableStore.open(dir), { code: 'CORRUPT' });
  // The failed open released its lock.
  await t.rejects(stat(join(dir, 'LOCK')), 'no lock left behind');
});

t.test('a corrupt snapshot is set aside and the state rebuilt from the journal, with an error log line', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 4);
  await writeFile(join(dir, 'snapshot.json'), '{"format":1,"seq":5,"collections":{"banks":[["b1",');
  const cap = captureLogger();
  const s = await DurableStore.open(dir, { logger: cap.logger });
  t.equal(s.count('reservations'), 4, 'nothing lost');
  t.equal(s.get('banks', 'b1')?.id, 'b1');
  t.equal((await s.historySize()).activity, 4);
  t.ok(cap.lines().some((l) => l.level === 50 && /snapshot is corrupt/.test(l.msg)), 'logged as an error');
  t.ok((await readdir(dir)).some((n) => n.startsWith('snapshot.json.corrupt-')), 'the bad file is kept for a look');
  await s.close();
  const again = await DurableStore.open(dir);
  t.equal(again.count('reservations'), 4, 'and a good snapshot was written at close');
  await again.close();
});

t.test('a snapshot of the wrong shape counts as corrupt', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 2);
  await writeFile(join(dir, 'snapshot.json'), '{"hello":"world"}');
  const s = await DurableStore.open(dir);
  t.equal(s.count('reservations'), 2);
  await s.close();
});

t.test('checkpoints keep the state whole across reopen while the journal keeps history', async (t) => {
  const dir = await tempDir(t);
  const s = await DurableStore.open(dir, { checkpointBytes: 1000 });
  for (let i = 0; i < 30; i++) {
    await s.commit({ put: [{ c: 'reservations', key: `r${i}`, value: sampleReservation(`r${i}`, i) }] });
    if (i % 3 === 0) await s.commit({ del: [{ c: 'reservations', key: `r${i}` }], ended: [sampleReservation(`r${i}`, i)] });
  }
  await s.close();
  const again = await DurableStore.open(dir, { checkpointBytes: 1000 });
  t.equal(again.count('reservations'), 20);
  t.equal((await again.historySize()).ended, 10);
  await again.close();
});

t.test('a second open of the same folder is refused while the first holds it; a stale lock is taken over', async (t) => {
  const dir = await tempDir(t);
  const s = await DurableStore.open(dir);
  await t.rejects(DurableStore.open(dir), { code: 'LOCKED' });
  await s.close();
  // A process killed with SIGKILL leaves its lock behind with a pid that no longer runs.
  await writeFile(join(dir, 'LOCK'), '999999999');
  const again = await DurableStore.open(dir);
  t.pass('stale lock taken over');
  await again.close();
});

t.test('writeFileDurable replaces a file and leaves no temp file', async (t) => {
  const dir = await tempDir(t);
  const f = join(dir, 'x.json');
  await writeFileDurable(f, 'one');
  await writeFileDurable(f, 'two');
  t.equal(await readFile(f, 'utf8'), 'two');
  t.same(await readdir(dir), ['x.json']);
});

t.test('group commit: concurrent writes share fsyncs, and each resolves only after an fsync that began after it', { skip: fsSpySkip }, async (t) => {
  const dir = await tempDir(t);
  const s = await DurableStore.open(dir);
  t.teardown(() => s.close());
  const spy = await spyFileHandles(t);
  const journal = join(await realpath(dir), 'journal.jsonl');
  const n = 300;
  const violations: number[] = [];
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const startedBefore = spy.count('datasync', journal);
      return s.commit({ put: [{ c: 'reservations', key: `r${i}`, value: sampleReservation(`r${i}`, i) }] }).then(() => {
        if (spy.completed('datasync', journal) <= startedBefore) violations.push(i);
      });
    }),
  );
  t.same(violations, [], 'no write was acknowledged before an fsync covering it finished');
  const started = spy.count('datasync', journal);
  t.ok(started >= 1 && started < n / 10, `${n} writes took ${started} fsyncs`);
});

t.test('commits made in the same turn share one write and one fsync, in the order they were made', { skip: fsSpySkip }, async (t) => {
  const dir = await tempDir(t);
  const s = await DurableStore.open(dir);
  t.teardown(() => s.close());
  const spy = await spyFileHandles(t);
  const journal = join(await realpath(dir), 'journal.jsonl');
  // As a use case that writes two records before it acts (a remote open's pending record and its audit entry).
  await Promise.all([
    s.commit({ put: [{ c: 'reservations', key: 'first', value: sampleReservation('first', 1) }] }),
    s.commit({ put: [{ c: 'reservations', key: 'second', value: sampleReservation('second', 2) }] }),
  ]);
  t.equal(spy.count('write', journal), 1, 'one write');
  t.equal(spy.count('datasync', journal), 1, 'one fsync');
  const lines = (await readFile(journal, 'utf8')).trim().split('\n');
  t.match(lines.slice(-2), [/"first"/, /"second"/], 'the first made is the first line');
});

t.test('close flushes every queued commit and refuses later ones', async (t) => {
  const dir = await tempDir(t);
  const s = await DurableStore.open(dir);
  const writes = Array.from({ length: 50 }, (_, i) => s.commit({ put: [{ c: 'reservations', key: `r${i}`, value: sampleReservation(`r${i}`, i) }] }));
  const closing = s.close();
  await t.rejects(s.commit({ put: [{ c: 'banks', key: 'late', value: sampleBank('late') }] }), { code: 'CLOSED' });
  await Promise.all(writes);
  await closing;
  const again = await DurableStore.open(dir);
  t.equal(again.count('reservations'), 50);
  t.equal(again.get('banks', 'late'), undefined);
  await again.close();
});

t.test('a lock left by a killed process whose pid now belongs to another process is taken over', async (t) => {
  const dir = await tempDir(t);
  // pid 1 is alive, but it did not start at that tick: the pid was reused.
  await writeFile(join(dir, 'LOCK'), '1 999999999999');
  const s = await DurableStore.open(dir);
  t.pass('opened');
  await s.close();
  const self = await DurableStore.open(dir);
  const lock = await readFile(join(dir, 'LOCK'), 'utf8');
  t.match(lock, new RegExp(`^${process.pid} \\d+$`), 'the lock records pid and start time');
  await t.rejects(DurableStore.open(dir), { code: 'LOCKED' }, 'a live owner still holds it');
  await self.close();
});

t.test('withConsistentFiles: compaction waits while the files are listed and copied; the copy opens with every commit made before', async (t) => {
  const dir = await tempDir(t);
  const copy = await tempDir(t, 'portier-copy-');
  const s = await DurableStore.open(dir, { segmentEntries: 4 });
  for (let i = 0; i < 10; i++) await s.commit({ put: [{ c: 'reservations', key: `r${i}`, value: sampleReservation(`r${i}`, i) }], activity: [sampleActivity(`a${i}`, i)] });
  await s.compact();
  await s.commit({ activity: [sampleActivity('tail', 50)] });
  let compacted = false;
  await s.withConsistentFiles(async (files) => {
    t.ok(files.some((f) => f.name.startsWith('history/')), 'history segments are listed');
    t.ok(files.some((f) => f.name === 'snapshot.json') && files.some((f) => f.name === 'journal.jsonl'), 'snapshot and journal too');
    const compaction = s.compact().then(() => (compacted = true));
    await s.commit({ activity: [sampleActivity('during', 60)] }); // writes go on
    await new Promise((r) => setImmediate(r));
    t.notOk(compacted, 'no compaction while the files are copied');
    const { mkdir, open } = await import('node:fs/promises');
    await mkdir(join(copy, 'history'), { recursive: true });
    for (const f of files) {
      const fh = await open(join(dir, f.name), 'r');
      const buf = Buffer.alloc(f.bytes);
      await fh.read(buf, 0, f.bytes, 0);
      await fh.close();
      await writeFile(join(copy, f.name), buf);
    }
    void compaction;
  });
  await s.close();
  t.ok(compacted, 'the compaction ran afterwards');
  const c = await DurableStore.open(copy);
  t.equal(c.count('reservations'), 10);
  const ids = (await c.queryActivity({ limit: 100 })).items.map((a) => a.id);
  t.same(ids, [...Array.from({ length: 10 }, (_, i) => `a${i}`), 'tail'], 'every commit before the listing, none torn');
  await c.close();
});
