import t from 'tap';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPACT_AFTER, CommandStore } from '../../src/link/command-store.ts';
import { OUTBOX_COMPACT_AFTER, Outbox } from '../../src/link/outbox.ts';

function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'portier-cmdstore-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const T0 = 1_790_000_000_000;
const cmd = (i: number, lifetime = 30_000) => ({ id: `c-${i}`, type: 'open-door', issuedAt: T0 + i, expiresAt: T0 + i + lifetime });

t.test('seen ids are durable, pruned after expiry plus margin, and capped with a replay floor', async (t) => {
  const dir = tmp(t);
  let s = await CommandStore.open(dir, { cap: 100, marginMs: 60_000 });
  for (let i = 1; i <= 150; i++) await s.accept(cmd(i), false, T0);
  t.equal(s.seenCount, 100, 'bounded by the cap');
  t.equal(s.check('c-150', T0 + 150), 'seen');
  t.equal(s.check('c-10', T0 + 10), 'below-floor', 'an evicted id is still refused: it is below the floor');
  t.equal(s.check('c-999', T0 + 999), 'new');
  // Restart: the same answers.
  s = await CommandStore.open(dir, { cap: 100, marginMs: 60_000 });
  t.equal(s.check('c-150', T0 + 150), 'seen');
  t.equal(s.check('c-10', T0 + 10), 'below-floor');
  // Expiry plus margin: dropped (a replay would be refused as expired anyway).
  t.equal(s.prune(T0 + 51 + 30_000 + 60_000), 0, "the oldest kept id is still within expiry plus margin");
  t.equal(s.prune(T0 + 52 + 30_000 + 60_000), 1);
  t.equal(s.prune(T0 + 151 + 30_000 + 60_000), 99);
  t.equal(s.seenCount, 0);
});

t.test('pending marks survive a restart and are cleared durably', async (t) => {
  const dir = tmp(t);
  let s = await CommandStore.open(dir);
  await s.accept({ ...cmd(1), door: 4 }, true, T0);
  s = await CommandStore.open(dir);
  t.same(s.pending().map((p) => [p.id, p.door]), [['c-1', 4]]);
  await s.clearPending(['c-1'], 5);
  s = await CommandStore.open(dir);
  t.same(s.pending(), []);
});

t.test('a deferred clear rides on the next accept (one sync for both)', async (t) => {
  const dir = tmp(t);
  let s = await CommandStore.open(dir);
  await s.accept(cmd(1), true, T0);
  const before = s.syncs;
  const cleared = s.clearPending(['c-1'], 10_000);
  await s.accept(cmd(2), true, T0);
  await cleared;
  t.equal(s.syncs - before, 1);
  await s.close();
  s = await CommandStore.open(dir);
  t.same(s.pending().map((p) => p.id), ['c-2'], 'after a restart: only the second is pending');
  await s.close();
});

t.test('the command path appends one log line per command; a restart replays the log and folds it into commands.json', async (t) => {
  const dir = tmp(t);
  let s = await CommandStore.open(dir);
  const snapshotWrites = s.file.writes;
  for (let i = 1; i <= 20; i++) await s.accept({ ...cmd(i), door: i }, i % 2 === 0, T0);
  t.equal(s.file.writes, snapshotWrites, 'no snapshot rewrite on the command path');
  t.equal(readFileSync(join(dir, 'commands.log'), 'utf8').trim().split('\n').length, 20, 'one line per command');
  // No close: as after a power cut.
  s = await CommandStore.open(dir);
  t.equal(s.check('c-7', T0 + 7), 'seen');
  t.same(s.pending().map((p) => p.door), [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  t.equal(readFileSync(join(dir, 'commands.log'), 'utf8'), '', 'folded into the snapshot at open');
  const onDisk = JSON.parse(readFileSync(join(dir, 'commands.json'), 'utf8')) as { seen: Record<string, unknown> };
  t.equal(Object.keys(onDisk.seen).length, 20);
  await s.close();
});

t.test('a torn last line (power cut mid-append) is dropped; the commands before it are kept', async (t) => {
  const dir = tmp(t);
  let s = await CommandStore.open(dir);
  await s.accept(cmd(1), true, T0);
  await s.accept(cmd(2), true, T0);
  appendFileSync(join(dir, 'commands.log'), '{"a":["c-3",');
  s = await CommandStore.open(dir);
  t.equal(s.reset, undefined, 'not a corruption: that append never resolved, so the command never ran');
  t.equal(s.check('c-2', T0 + 2), 'seen');
  t.equal(s.check('c-3', T0 + 3), 'new');
  t.same(s.pending().map((p) => p.id), ['c-1', 'c-2']);
  await s.close();
});

t.test('a bad line inside the log: set aside, reported, and the replay floor raised to now', async (t) => {
  const dir = tmp(t);
  let s = await CommandStore.open(dir);
  await s.accept(cmd(1), false, T0);
  appendFileSync(join(dir, 'commands.log'), 'garbage\n{"c":["c-1"]}\n');
  s = await CommandStore.open(dir, { floorAfterReset: () => T0 + 500 });
  t.ok(s.reset, 'reported');
  t.match(s.reset?.reason, /line 2/);
  t.ok(s.reset?.setAsideAs && existsSync(s.reset.setAsideAs), 'the bad log is kept aside for a look');
  t.equal(s.check('c-400', T0 + 400), 'below-floor', 'anything issued before now may have run: refused');
  t.equal(s.check('c-600', T0 + 600), 'new');
  await s.accept(cmd(600), false, T0);
  await s.close();
  s = await CommandStore.open(dir);
  t.equal(s.reset, undefined, 'the new log is clean');
  t.equal(s.check('c-600', T0 + 600), 'seen');
  await s.close();
});

t.test('the log is folded into the snapshot every COMPACT_AFTER lines, and nothing is lost by it', async (t) => {
  const dir = tmp(t);
  let s = await CommandStore.open(dir, { cap: 100_000 });
  const n = COMPACT_AFTER + 50;
  await Promise.all(Array.from({ length: n }, (_, i) => s.accept(cmd(i + 1), false, T0)));
  await s.flush();
  const lines = readFileSync(join(dir, 'commands.log'), 'utf8').split('\n').filter(Boolean).length;
  t.ok(lines < COMPACT_AFTER, `the log was emptied once (${lines} lines now)`);
  s = await CommandStore.open(dir, { cap: 100_000 });
  t.equal(s.seenCount, n, 'every id is still there');
  await s.close();
});

t.test('a corrupt commands.json sets the replay floor to now', async (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, 'commands.json'), '{{{');
  const s = await CommandStore.open(dir, { floorAfterReset: () => T0 });
  t.ok(s.reset);
  t.equal(s.check('x', T0 - 1), 'below-floor');
  t.equal(s.check('x', T0 + 1), 'new');
});

t.test('outbox numbering never goes back, even when outbox.json is found corrupt', async (t) => {
  const dir = tmp(t);
  let o = await Outbox.open(dir);
  for (let i = 0; i < 5; i++) await o.append({ type: 'door-forced', door: 1 }, T0).durable;
  t.equal(o.nextSeq, 6);
  const { dropped } = o.ack(3);
  t.equal(dropped, 3);
  t.equal(o.ack(2).dropped, 0, 'an older evtack changes nothing');
  t.equal(o.ack(99).dropped, 2, 'an evtack beyond what exists is capped');
  t.equal(o.ackedUpTo, 5);
  writeFileSync(join(dir, 'outbox.json'), 'garbage');
  o = await Outbox.open(dir, { seqFloor: () => 5 });
  t.ok(o.reset);
  t.equal(o.nextSeq, 6, 'resumes after the backup high-water mark');
});

t.test('outbox: each event is one log line; after a power cut the unconfirmed events are back in order, confirmed ones gone', async (t) => {
  const dir = tmp(t);
  let o = await Outbox.open(dir);
  const snapshotWrites = o.file.writes;
  for (let i = 1; i <= 6; i++) await o.append({ type: 'door-closed', door: 1, openForMs: i }, T0 + i).durable;
  await o.ack(2).durable;
  t.equal(o.file.writes, snapshotWrites, 'no snapshot rewrite per event');
  t.equal(readFileSync(join(dir, 'outbox.log'), 'utf8').trim().split('\n').length, 7, 'six events and one evtack');
  o = await Outbox.open(dir); // no close: a power cut
  t.same(o.entries().map((e) => e.seq), [3, 4, 5, 6]);
  t.equal(o.ackedUpTo, 2);
  t.equal(o.nextSeq, 7);
  t.equal(readFileSync(join(dir, 'outbox.log'), 'utf8'), '', 'folded into outbox.json at open');
  await o.close();
});

t.test('outbox: a torn last line is dropped; a bad line inside sets the log aside and numbering stays above the high-water mark', async (t) => {
  const dir = tmp(t);
  let o = await Outbox.open(dir);
  for (let i = 1; i <= 3; i++) await o.append({ type: 'door-forced', door: i }, T0).durable;
  appendFileSync(join(dir, 'outbox.log'), '{"e":{"v":1,"seq":4,');
  o = await Outbox.open(dir);
  t.equal(o.reset, undefined, 'a torn tail is no corruption: that append never resolved');
  t.same(o.entries().map((e) => e.seq), [1, 2, 3]);
  await o.append({ type: 'door-forced', door: 4 }, T0).durable;
  appendFileSync(join(dir, 'outbox.log'), 'not json\n{"k":4}\n');
  o = await Outbox.open(dir, { seqFloor: () => 9 });
  t.ok(o.reset, 'reported');
  t.match(o.reset?.reason, /line 2/);
  t.same(o.entries().map((e) => e.seq), [1, 2, 3, 4], 'the lines before the bad one count');
  t.equal(o.nextSeq, 10, 'numbering resumes above the backup high-water mark');
  await o.close();
});

t.test('outbox: the log is folded into outbox.json every OUTBOX_COMPACT_AFTER lines without losing an event', async (t) => {
  const dir = tmp(t);
  let o = await Outbox.open(dir);
  const n = OUTBOX_COMPACT_AFTER + 30;
  const all = Array.from({ length: n }, (_, i) => o.append({ type: 'door-closed', door: 1, openForMs: i }, T0).durable);
  await Promise.all(all);
  await o.flush();
  const lines = readFileSync(join(dir, 'outbox.log'), 'utf8').split('\n').filter(Boolean).length;
  t.ok(lines < OUTBOX_COMPACT_AFTER, `folded once (${lines} lines left)`);
  o = await Outbox.open(dir);
  t.equal(o.depth, n);
  t.equal(o.nextSeq, n + 1);
  await o.close();
});
