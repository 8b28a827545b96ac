/**
 * Allocation benchmark: reservations per second and latency through LockerService in-process,
 * on the durable store in a temp folder, with 1,000 and with 100,000 past reservations already in the store.
 *
 * For each history size: a fresh store; the model (banks, lockers, contacts); the past reservations and their
 * activity written straight to the store in large commits; the store closed and opened again (so history is what
 * a restarted service sees); a warm-up. Then RESERVATIONS reservations per store with CONCURRENCY in flight,
 * spread over the banks, in alternating rounds. Every reservation is durable (fsync'd) before it resolves.
 *
 * Prints `bench: allocation_rps_1k`, `allocation_rps_100k`, `allocation_p99_ms_100k`, `allocation_history_ratio`.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { addBenchBank, SIZES } from '../lib/bench-bank.ts';
import {
  LockerService,
  DurableStore,
  type ActivityEntry,
  type Reservation,
} from '@portier/cloud';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RESERVATIONS = Number(process.env.BENCH_RESERVATIONS ?? 10_000);
const WARMUP = 1_000;
const BANKS = 50;
const LOCKERS_PER_BANK = Math.ceil((RESERVATIONS + WARMUP) / BANKS / 0.9);
const CONTACTS = 2_000;
const admin = { role: 'admin' as const, id: 'bench' };
const operator = { role: 'operator' as const, id: 'mailroom' };
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });

interface PhaseResult {
  rps: number;
  p50: number;
  p99: number;
  openMs: number;
  journalMb: number;
  /** Process CPU time per reservation: what the machine's load does not change. */
  cpuUsPerRes: number;
}

async function buildModel(s: LockerService): Promise<void> {
  await s.createEnterprise({ id: 'ent', name: 'Bench Corp' }, admin);
  await s.createDivision({ id: 'div', enterpriseId: 'ent', name: 'Ops' }, admin);
  await s.createLocation({ id: 'loc', divisionId: 'div', name: 'Campus' }, admin);
  for (let c = 0; c < CONTACTS; c++) {
    await s.createContact({ enterpriseId: 'ent', id: `c${c}`, name: `Person ${c}`, personnelId: `P${c}`, needsAccessible: c % 50 === 0 }, admin);
  }
  for (let b = 0; b < BANKS; b++) await addBenchBank(s, `bank${b}`, 'loc', LOCKERS_PER_BANK, admin);
}

/** Past reservations and their activity, as the service would have left them, in commits of 1,000. */
async function preloadHistory(store: DurableStore, count: number, now: number): Promise<void> {
  const batch = 1000;
  for (let i = 0; i < count; i += batch) {
    const ended: Reservation[] = [];
    const activity: ActivityEntry[] = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const at = now - (count - j) * 60_000;
      const bankId = `bank${j % BANKS}`;
      const recipient = `c${j % CONTACTS}`;
      ended.push({
        id: `past-${j}`,
        bankId,
        lockerNumber: 1 + (j % LOCKERS_PER_BANK),
        kind: 'package',
        status: 'ended',
        recipient: { type: 'contact', id: recipient },
        packages: [{ trackingId: `1Z${String(j).padStart(12, '0')}`, addedAt: at, droppedOffAt: at + 1000 }],
        createdAt: at,
        createdBy: operator,
        holdUntil: at + 86_400_000,
        occupiedAt: at + 1000,
        endsAt: at + 72 * 3_600_000,
        endedAt: at + 30_000,
        endReason: 'picked-up',
      });
      const base = { bankId, lockerNumber: 1 + (j % LOCKERS_PER_BANK), recipientId: recipient, reservationId: `past-${j}`, trackingId: `1Z${String(j).padStart(12, '0')}` };
      activity.push({ id: `pa-${j}-r`, at, type: 'reservation', actor: operator, ...base, detail: 'package' });
      activity.push({ id: `pa-${j}-d`, at: at + 1000, type: 'drop-off', actor: { role: 'carrier', id: 'ups' }, ...base, detail: 'package' });
      activity.push({ id: `pa-${j}-p`, at: at + 30_000, type: 'pickup', actor: { role: 'recipient', id: recipient }, ...base, detail: 'package' });
    }
    await store.commit({ ended, activity });
  }
}

async function runReservations(s: LockerService, count: number, offset: number): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = new Array(count);
  let next = 0;
  const t0 = performance.now();
  async function worker(): Promise<void> {
    while (next < count) {
      const i = next++;
      const g = offset + i;
      const c = g % CONTACTS;
      const start = performance.now();
      await s.reserve(
        {
          bankId: `bank${g % BANKS}`,
          kind: 'package',
          // Contacts needing accessible lockers are skipped: too few accessible lockers for a long run.
          recipient: { type: 'contact', id: `c${c % 50 === 0 ? c + 1 : c}` },
          size: SIZES[g % 3]!,
          trackingId: `BENCH${g}`,
        },
        operator,
      );
      latencies[i] = performance.now() - start;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Prepared {
  past: number;
  dir: string;
  store: DurableStore;
  service: LockerService;
  openMs: number;
}

async function prepare(past: number): Promise<Prepared> {
  const dir = await mkdtemp(join(tmpdir(), `portier-bench-${past}-`));
  let store = await DurableStore.open(dir, { logger });
  let service = new LockerService({ store, logger });
  await buildModel(service);
  await preloadHistory(store, past, Date.now());
  await store.close();
  // Reopen: the history is what a restarted service has in its store.
  const o0 = performance.now();
  store = await DurableStore.open(dir, { logger });
  const openMs = performance.now() - o0;
  const held = (await store.historySize()).ended;
  if (held !== past) throw new Error(`expected ${past} past reservations, found ${held}`);
  service = new LockerService({ store, logger });
  await runReservations(service, WARMUP, 0);
  return { past, dir, store, service, openMs };
}

async function finish(p: Prepared, seconds: number, latencies: number[], cpuUs: number): Promise<PhaseResult> {
  const sorted = latencies.sort((a, b) => a - b);
  const journalMb = (await stat(join(p.dir, 'journal.jsonl'))).size / 1e6;
  await p.store.close();
  await rm(p.dir, { recursive: true, force: true });
  return { rps: RESERVATIONS / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), openMs: p.openMs, journalMb, cpuUsPerRes: cpuUs / RESERVATIONS };
}

// Both stores are measured in alternating rounds (A B B A ...), so a load spike on this shared machine
// hits both alike instead of skewing the ratio.
const ROUNDS = 40;
const perRound = Math.ceil(RESERVATIONS / ROUNDS);
const a = await prepare(1_000);
const b = await prepare(100_000);
const acc = new Map<Prepared, { seconds: number; latencies: number[]; done: number; cpuUs: number }>([
  [a, { seconds: 0, latencies: [], done: 0, cpuUs: 0 }],
  [b, { seconds: 0, latencies: [], done: 0, cpuUs: 0 }],
]);
// One full collection before measuring (run-benches passes --expose-gc); none between rounds: a forced
// full GC per round cost more than the rounds themselves and cooled the caches.
(globalThis as { gc?: () => void }).gc?.();
for (let round = 0; round < ROUNDS; round++) {
  for (const p of round % 2 === 0 ? [a, b] : [b, a]) {
    const st = acc.get(p)!;
    const n = Math.min(perRound, RESERVATIONS - st.done);
    const c0 = process.cpuUsage();
    const r = await runReservations(p.service, n, WARMUP + st.done);
    const cpu = process.cpuUsage(c0);
    st.cpuUs += cpu.user + cpu.system;
    if (process.env.BENCH_VERBOSE) process.stdout.write(`round ${round} ${p.past} past: ${(n / r.seconds).toFixed(0)} res/s\n`);
    st.seconds += r.seconds;
    st.done += n;
    for (const l of r.latencies) st.latencies.push(l);
  }
}
const r1k = await finish(a, acc.get(a)!.seconds, acc.get(a)!.latencies, acc.get(a)!.cpuUs);
const r100k = await finish(b, acc.get(b)!.seconds, acc.get(b)!.latencies, acc.get(b)!.cpuUs);
const line = (name: string, r: PhaseResult) =>
  `${name}: ${r.rps.toFixed(0)} res/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, cpu ${r.cpuUsPerRes.toFixed(0)} us/res, store open ${r.openMs.toFixed(0)} ms, journal ${r.journalMb.toFixed(1)} MB\n`;
process.stdout.write(line('1k past', r1k));
process.stdout.write(line('100k past', r100k));
process.stdout.write(`(${RESERVATIONS} reservations per store in ${ROUNDS} alternating rounds, ${CONCURRENCY} in flight, ${BANKS} banks of ${LOCKERS_PER_BANK} lockers, durable store)\n`);
process.stdout.write(`bench: allocation_rps_1k = ${r1k.rps.toFixed(0)} res/s\n`);
process.stdout.write(`bench: allocation_rps_100k = ${r100k.rps.toFixed(0)} res/s\n`);
process.stdout.write(`bench: allocation_p99_ms_100k = ${r100k.p99.toFixed(2)} ms\n`);
process.stdout.write(`bench: allocation_history_ratio = ${(r1k.rps / r100k.rps).toFixed(2)} x\n`);
