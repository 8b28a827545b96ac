/**
 * Compaction under SIGKILL: a child process (compaction-child.ts) compacts its file store back to back under a
 * stream of commits and is killed with SIGKILL at a random moment, so kills land at every step of a compaction
 * (segment files half written, the snapshot renamed or not, the journal replaced or not). After each kill the store
 * must open cleanly, hold every acknowledged commit (its activity, its ended reservation, the latest live value of
 * its key) and answer paged queries without a gap. `make test` runs a few kills; `make soak` runs 200
 * (PORTIER_COMPACTION_KILLS). A failing run replays with PORTIER_KILL_SEED.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DurableStore } from '../../src/store/durable.ts';
import { tempDir } from '../store/helpers.ts';
import { prng } from './helpers.ts';

// The child runs as this file does: compiled in the mirror `make test` runs (scripts/build-tests.mjs), on plain Node,
// else through tsx, whose loader costs each start about a second of CPU more.
const OWN_EXT = extname(fileURLToPath(import.meta.url));
const CHILD = fileURLToPath(new URL(`./compaction-child${OWN_EXT}`, import.meta.url));
const CHILD_ARGS = OWN_EXT === '.ts' ? ['--import', 'tsx', CHILD] : [CHILD];
const KILLS = Number(process.env.PORTIER_COMPACTION_KILLS ?? 4);
const seed = Number(process.env.PORTIER_KILL_SEED ?? Date.now() % 1_000_000);

/** Runs the child from commit number `start` and kills it `delayMs` after its first acknowledgement. */
async function runAndKill(dir: string, start: number, delayMs: number): Promise<number[]> {
  const child = spawn(process.execPath, [...CHILD_ARGS, dir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  const acked: number[] = [];
  let err = '';
  let buf = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`no acknowledged commit within 30 s; stderr: ${err}`)), 30_000);
    child.once('exit', (code, signal) => reject(new Error(`child exited (code ${code}, signal ${signal}); stderr: ${err}`)));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^ack (\d+)$/.exec(l);
        if (!m) continue;
        acked.push(Number(m[1]));
        if (acked.length === 1) {
          clearTimeout(bound);
          setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, delayMs);
        }
      }
    });
  }).catch(async (e: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw e;
  });
  await exited;
  return acked;
}

// Each round starts a child (about a second of CPU): the bound grows with the count, so `make soak` is not cut by
// the runner's default, and a machine busy with other work slows the test instead of failing it.
const BOUND_MS = Math.max(120_000, KILLS * 15_000);
t.setTimeout(BOUND_MS);
t.test(`SIGKILL at random points of compaction, ${KILLS} times: every acknowledged commit is there, every start is clean`, { timeout: BOUND_MS }, async (t) => {
  const rnd = prng(seed);
  t.comment(`seed ${seed}`);
  const dir = await tempDir(t, 'portier-compaction-kill-');
  const acked = new Set<number>();
  const latest = new Map<number, number>();
  for (let round = 0; round < KILLS; round++) {
    const got = await runAndKill(dir, round * 1_000_000, Math.floor(rnd() * 250));
    for (const i of got) {
      acked.add(i);
      if ((latest.get(i % 100) ?? -1) < i) latest.set(i % 100, i);
    }
    const s = await DurableStore.open(dir);
    try {
      const activity = new Set<string>();
      let cursor: string | undefined;
      do {
        const p = await s.queryActivity({ limit: 5000, ...(cursor ? { cursor } : {}) });
        for (const a of p.items) {
          if (activity.has(a.id)) t.fail(`round ${round}: activity ${a.id} answered twice`);
          activity.add(a.id);
        }
        cursor = p.nextCursor;
      } while (cursor);
      const lostActivity = [...acked].filter((i) => !activity.has(`a${i}`));
      const lostEnded: number[] = [];
      for (const i of acked) if ((await s.pastReservation(`e${i}`))?.id !== `e${i}`) lostEnded.push(i);
      const staleLive = [...latest].filter(([k, i]) => (s.get('reservations', `k${k}`)?.createdAt ?? -1) < i).map(([k]) => k);
      if (lostActivity.length || lostEnded.length || staleLive.length) {
        t.fail(`round ${round} (seed ${seed}): lost ${lostActivity.length} activity entries, ${lostEnded.length} ended reservations, ${staleLive.length} live values`, {
          lostActivity: lostActivity.slice(0, 10),
          lostEnded: lostEnded.slice(0, 10),
          staleLive,
        });
        return;
      }
      const size = await s.historySize();
      t.ok(size.activity >= acked.size && size.ended >= acked.size, `round ${round}: ${got.length} acknowledged, ${acked.size} in all, every one there`);
    } finally {
      await s.close();
    }
  }
});
