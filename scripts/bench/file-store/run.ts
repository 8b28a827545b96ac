/**
 * File store benchmark: start-up time, memory and activity page latency with 1,000,000 history entries, and the
 * memory an activity CSV export of 100,000 rows adds while it streams.
 *
 * A generator (not the API) commits 800,000 activity entries and 200,000 ended reservations, a year of them over
 * 20 banks and 5,000 recipients, in commits of 1,000 entries, to a store in a temp folder; the store compacts them
 * into history segments as it goes and is closed. A fresh process then opens the store (timed), collects garbage and
 * reads its RSS, asks 300 activity pages (a random day, a random bank, 100 entries) and exports 100,000 rows to a
 * sink through the service's streamed CSV export, sampling RSS meanwhile.
 *
 * Prints `bench: file_store_start_1m_s`, `file_store_rss_1m_mb`, `activity_page_p50_ms_1m`, `activity_page_p99_ms_1m`,
 * `activity_csv_100k_rss_growth_mb`. Targets: start under 5 s, RSS under 300 MB, p99 under 50 ms, export flat.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DurableStore, LockerService, type ActivityEntry, type Reservation } from '@portier/cloud';
import { bench, percentile } from '../lib/stats.ts';

const ENTRIES = Number(process.env.BENCH_HISTORY ?? 1_000_000);
const BANKS = 20;
const RECIPIENTS = 5_000;
const T0 = Date.UTC(2025, 0, 1);
const YEAR = 365 * 24 * 3600_000;
const DAY = 24 * 3600_000;
const actor = { role: 'operator' as const, id: 'op1' };
const TYPES = ['reservation', 'drop-off', 'pickup', 'remote-open'] as const;

/** A small seeded PRNG: the same history every run. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

async function generate(dir: string): Promise<void> {
  const store = await DurableStore.open(dir);
  const rnd = prng(42);
  const batch = 1000;
  for (let n = 0; n < ENTRIES; n += batch) {
    const activity: ActivityEntry[] = [];
    const ended: Reservation[] = [];
    for (let i = n; i < n + batch; i++) {
      const at = T0 + Math.floor((i / ENTRIES) * YEAR);
      const bankId = `bank-${Math.floor(rnd() * BANKS)}`;
      const recipientId = `c-${Math.floor(rnd() * RECIPIENTS)}`;
      if (i % 5 === 4) {
        ended.push({
          id: `r-${i}`,
          bankId,
          lockerNumber: 1 + (i % 40),
          kind: 'package',
          status: 'ended',
          recipient: { type: 'contact', id: recipientId },
          packages: [{ trackingId: `TRK${i}`, addedAt: at - 3600_000, droppedOffAt: at - 1800_000 }],
          createdAt: at - 3600_000,
          createdBy: actor,
          endedAt: at,
          endReason: 'picked-up',
        });
      } else {
        activity.push({ id: `a-${i}`, at, type: TYPES[i % 4]!, actor, bankId, lockerNumber: 1 + (i % 40), recipientId, trackingId: `TRK${i}`, reservationId: `r-${i - (i % 5) + 4}` });
      }
    }
    await store.commit({ activity, ended });
  }
  await store.close();
}

async function measure(dir: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const t0 = performance.now();
  const store = await DurableStore.open(dir);
  const startS = (performance.now() - t0) / 1000;
  gc();
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const size = await store.historySize();
  if (size.activity + size.ended !== ENTRIES) throw new Error(`expected ${ENTRIES} history entries, found ${size.activity + size.ended}`);

  const rnd = prng(7);
  const times: number[] = [];
  let answered = 0;
  for (let q = 0; q < 300; q++) {
    const from = T0 + Math.floor(rnd() * (YEAR - DAY));
    const a = performance.now();
    const page = await store.queryActivity({ bankId: `bank-${Math.floor(rnd() * BANKS)}`, from, to: from + DAY, limit: 100 });
    times.push(performance.now() - a);
    answered += page.items.length;
  }
  if (answered === 0) throw new Error('no activity page held anything');

  const service = new LockerService({ store });
  gc();
  const before = process.memoryUsage().rss;
  let peak = before;
  let rows = -1; // the header
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  for await (const chunk of service.activityCsvChunks({ limit: 100_000 })) {
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) rows++;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  clearInterval(sampler);
  if (rows !== Math.min(100_000, size.activity)) throw new Error(`the export held ${rows} rows`);
  await store.close();

  bench('file_store_start_1m_s', startS, 's');
  bench('file_store_rss_1m_mb', rssMb, 'MB', 0);
  bench('activity_page_p50_ms_1m', percentile(times, 50), 'ms');
  bench('activity_page_p99_ms_1m', percentile(times, 99), 'ms');
  bench('activity_csv_100k_rss_growth_mb', (peak - before) / 2 ** 20, 'MB', 1);
}

if (process.argv[2] === '--measure') {
  await measure(process.argv[3]!);
} else {
  // BENCH_KEEP_DIR: the generated store is left there for a closer look.
  const keep = process.env.BENCH_KEEP_DIR;
  const dir = keep ?? (await mkdtemp(join(tmpdir(), 'portier-bench-store-')));
  try {
    const g0 = performance.now();
    await generate(dir);
    process.stdout.write(`generated ${ENTRIES} history entries in ${((performance.now() - g0) / 1000).toFixed(1)} s\n`);
    // A fresh process: its memory is what a restarted cloud holds, not what the generator left behind.
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--measure', dir], { stdio: 'inherit' });
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    if (code !== 0) process.exitCode = code;
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}
