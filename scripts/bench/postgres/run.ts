/**
 * Several cloud instances on one PostgreSQL (the bench starts its own: a cluster made with initdb, on a loopback port).
 *
 * - pg_allocation_rps_2inst: two cloud instances, each a Node process of its own (instance.ts) with a LockerService on
 *   its own PgStore, on one database holding 20 banks of 100 lockers. Instance A reserves in banks 0-14, B in banks
 *   5-19 (each request to a bank at random), so they contend on ten banks and not on the others; each keeps 64
 *   reservations in flight. Rounds of 400 reservations per instance, both instances started at once; rate = all
 *   acknowledged reservations / the rounds' wall time. Between rounds each instance cancels what it reserved (not
 *   timed), so the banks never run full. Target: at least 1,000 reservations/s.
 * - pg_allocation_rps_1inst: the same load (rounds of 800, all 20 banks, 64 in flight) through ONE instance on the same
 *   database, measured first in the same run; pg_allocation_2inst_ratio = 2inst / 1inst.
 * - pg_allocation_rps_2inst_apart: the same two instances on banks of their own (A 0-9, B 10-19), measured between
 *   the two: what the contention on shared banks costs.
 * - pg_double_allocations: after every round (warm-ups included), a fresh PgStore loads the database: lockers holding
 *   more than one live reservation, plus reservations acknowledged by an instance but absent (or in another locker)
 *   in the database. Must be 0: the bench fails otherwise, naming the lockers. pg_allocation_refused: reservations
 *   answered with an error (there is always a free locker: each one is a conflict shown to the caller).
 * - pg_contacts_search_p99_ms: a second database with the same site and 100,000 contacts (the domain's CSV import);
 *   a new instance process loads it (pg_load_100k_contacts_ms: PgStore.open) and runs the contact search the API
 *   answers `GET /contacts?q=...&limit=50` with, 300 varied queries twice; p99 per query. Target: under 20 ms.
 * - pg_instance_rss_mb: that instance's resident memory after full collections (100k contacts, 2,000 lockers).
 *
 * Each phase's line also says what the database did (commit transactions and changes per transaction, read from the
 * change feed's table), the conflicts and catch-ups, and the instances' CPU per reservation.
 * BENCH_PG_ROUNDS (default 8) and BENCH_PG_PER_ROUND (per instance, default 400) change the allocation load;
 * BENCH_VERBOSE prints each round; BENCH_PG_NODE_ARGS passes node flags to the instances (a profiler).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { LockerService, PgStore } from '@portier/cloud';
import { mulberry32 } from '@portier/sim';
import { PG_BIN, postgresMissing, startPostgres } from '../../test/e2e/postgres.ts';
import { FIRST, LAST } from '../lib/contacts-csv.ts';
import { bench, percentile } from '../lib/stats.ts';
import type { ReserveReport } from './instance.ts';
import { BenchInstance } from './instances.ts';
import { bankId, buildSite, importContacts } from './site.ts';
import { benchTeardowns } from '../lib/bench-run.ts';

const BANKS = 20;
const LOCKERS_PER_BANK = 100;
const CONCURRENCY = 64;
const ROUNDS = Number(process.env.BENCH_PG_ROUNDS ?? 8);
const PER_ROUND = Number(process.env.BENCH_PG_PER_ROUND ?? 400);
const WARMUP = 150;
const ALLOCATION_CONTACTS = 2_000;
const SEARCH_CONTACTS = 100_000;
const TARGET_RPS = 1000;
const TARGET_P99_MS = 20;

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const banks = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => bankId(from + i));

/** One value of a query, through the server's own psql (what the database did: read outside the timed parts). */
function sql(url: string, query: string): string {
  return execFileSync(join(PG_BIN!, 'psql'), ['-X', '-A', '-t', '-q', '-d', url, '-c', query], { encoding: 'utf8' }).trim();
}

if (postgresMissing) {
  out(`postgres bench skipped: ${postgresMissing}`);
  process.exit(0);
}

const { t, run } = benchTeardowns();
const vaultKey = randomBytes(32).toString('hex');

async function start(url: string, id: string): Promise<BenchInstance> {
  const i = await BenchInstance.start(url, id, vaultKey);
  t.teardown(() => i.stop());
  return i;
}

/** A database with the site (and `contacts` contacts), made through the domain by a setup instance in this process. */
async function prepare(url: string, contacts: number): Promise<void> {
  const store = await PgStore.open({ url, instanceId: 'setup', logger });
  try {
    const s = new LockerService({ store, logger, codeHashN: 1024 });
    await buildSite(s, BANKS, LOCKERS_PER_BANK);
    const i0 = performance.now();
    await importContacts(s, contacts);
    out(`${url.replace(/^.*\//, '')}: ${BANKS} banks of ${LOCKERS_PER_BANK} lockers, ${contacts} contacts imported in ${((performance.now() - i0) / 1000).toFixed(1)} s`);
  } finally {
    await store.close();
  }
}

interface Verdict {
  doubles: number;
  missing: number;
}
/** Every check's findings, the warm-up rounds' included. */
const found: Verdict = { doubles: 0, missing: 0 };

/** What the database holds, loaded by a fresh store: lockers given twice, acknowledged reservations it lacks. */
async function check(url: string, acks: [string, string, number][]): Promise<Verdict> {
  const store = await PgStore.open({ url, instanceId: 'checker', logger });
  try {
    const holders = new Map<string, string[]>();
    for (const r of store.list('reservations')) {
      if (r.lockerNumber === undefined) continue;
      const k = `${r.bankId}#${r.lockerNumber}`;
      holders.set(k, [...(holders.get(k) ?? []), `${r.id} (${r.packages[0]?.trackingId ?? 'no parcel'})`]);
    }
    const twice = [...holders].filter(([, held]) => held.length > 1);
    for (const [k, held] of twice.slice(0, 5)) out(`  locker ${k} held by ${held.join(' and ')}`);
    const doubles = twice.length;
    const missing = acks.filter(([id, bank, locker]) => {
      const r = store.get('reservations', id);
      return !r || r.bankId !== bank || r.lockerNumber !== locker;
    }).length;
    found.doubles += doubles;
    found.missing += missing;
    return { doubles, missing };
  } finally {
    await store.close();
  }
}

interface Phase {
  acked: number;
  seconds: number;
  failures: Record<string, number>;
  latenciesMs: number[];
  commitMs: number[];
  cpuUs: number;
  conflicts: number;
  syncs: number;
  external: number;
  /** Transactions of portier_commit that committed changes, and the changes they committed (the change feed's rows). */
  batches: number;
  changes: number;
  bad: Verdict;
  /** Cancellations (untimed, between rounds) answered STORE_FAILED "too busy" and tried again. */
  busyCancels: number;
}

/**
 * Rounds of reservations through `instances` started at once (instance k in `bankSets[k]`), each round checked in the
 * database; the reservations are cancelled between rounds (untimed), those of the last round are left when `keepLast`.
 */
async function allocate(url: string, instances: BenchInstance[], bankSets: string[][], perInstance: number, rounds: number, measured: boolean, keepLast: boolean, seed: number): Promise<Phase> {
  const p: Phase = { acked: 0, seconds: 0, failures: {}, latenciesMs: [], commitMs: [], cpuUs: 0, conflicts: 0, syncs: 0, external: 0, batches: 0, changes: 0, bad: { doubles: 0, missing: 0 }, busyCancels: 0 };
  for (let round = 0; round < rounds; round++) {
    const seq = sql(url, 'SELECT coalesce(max(seq), 0) FROM changes');
    const t0 = performance.now();
    const reports: ReserveReport[] = await Promise.all(
      instances.map((inst, k) => inst.ask('reserved', { reserve: { count: perInstance, concurrency: CONCURRENCY, banks: bankSets[k]!, seed: seed + round * 10 + k } })),
    );
    const seconds = (performance.now() - t0) / 1000;
    const acks = reports.flatMap((r) => r.acks);
    const verdict = await check(url, acks);
    p.bad.doubles += verdict.doubles;
    p.bad.missing += verdict.missing;
    if (measured) {
      // One portier_commit call is one transaction: its changes share their `at` (the transaction's start).
      const [batches, changes] = sql(url, `SELECT count(DISTINCT (instance, at)) || ' ' || count(*) FROM changes WHERE seq > ${seq}`).split(' ').map(Number);
      p.batches += batches!;
      p.changes += changes!;
      p.seconds += seconds;
      p.acked += acks.length;
      for (const r of reports) {
        for (const [code, n] of Object.entries(r.failures)) p.failures[code] = (p.failures[code] ?? 0) + n;
        p.latenciesMs.push(...r.latenciesMs);
        p.commitMs.push(...r.commitMs);
        p.cpuUs += r.cpuUs;
        p.conflicts += r.conflicts;
        p.syncs += r.syncs;
        p.external += r.external;
      }
      if (process.env.BENCH_VERBOSE) out(`  round ${round}: ${acks.length} in ${seconds.toFixed(2)} s = ${(acks.length / seconds).toFixed(0)}/s`);
    }
    if (!keepLast || round < rounds - 1) {
      const cleared = await Promise.all(instances.map((inst) => inst.ask('cleared', { clear: true })));
      p.busyCancels += cleared.reduce((n, c) => n + c.busy, 0);
    }
  }
  return p;
}

function describe(name: string, instances: number, p: Phase): void {
  const failed = Object.entries(p.failures).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  out(
    `${name}: ${p.acked} reservations in ${p.seconds.toFixed(2)} s = ${(p.acked / p.seconds).toFixed(0)}/s; latency p50 ${percentile(p.latenciesMs, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(p.latenciesMs, 99).toFixed(1)} ms; commit to answer p50 ${percentile(p.commitMs, 50).toFixed(1)} ms, p99 ${percentile(p.commitMs, 99).toFixed(1)} ms; ` +
      `instance CPU ${(p.cpuUs / p.acked).toFixed(0)} us/reservation (${instances} instance${instances > 1 ? 's' : ''}); ` +
      `${p.batches} commit transactions of ${(p.changes / p.batches).toFixed(1)} changes on average; conflicts ${p.conflicts} (catch-ups ${p.syncs}), changes of the other instance taken ${p.external}; refused: ${failed}; cancellations between rounds refused as too busy: ${p.busyCancels}; in the database: ${p.bad.doubles} lockers with two live reservations, ${p.bad.missing} acknowledged reservations absent or elsewhere`,
  );
}

/** 300 searches as people type them: name prefixes, names with numbers, e-mail parts, personnel IDs, two words, misses. */
function searchQueries(): string[] {
  const random = mulberry32(24);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;
  const plain = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const n = (max: number): number => Math.floor(random() * max);
  const makers: (() => string)[] = [
    () => pick(FIRST).slice(0, 2 + n(4)),
    () => pick(LAST).toLowerCase().slice(0, 3 + n(4)),
    () => `${pick(LAST).toLowerCase()}${n(97)}`,
    () => `${plain(pick(FIRST))}.${n(SEARCH_CONTACTS)}`,
    () => (random() < 0.5 ? `p${n(SEARCH_CONTACTS)}` : `${n(SEARCH_CONTACTS)}@example`),
    () => `${pick(FIRST).toLowerCase()} ${pick(LAST).toLowerCase().slice(0, 4)}`,
    () => Array.from({ length: 4 + n(3) }, () => String.fromCharCode(113 + n(10))).join(''),
    () => pick(['e', 'a', 'mar', '@example', '.org', 'zz']),
  ];
  return Array.from({ length: 300 }, (_, i) => makers[i % makers.length]!());
}

async function main(): Promise<void> {
  const server = await startPostgres(t);

  // ---- allocation: one instance, then two, on one database
  const allocUrl = await server.createDatabase('bench_allocation');
  await prepare(allocUrl, ALLOCATION_CONTACTS);

  const solo = await start(allocUrl, 'solo');
  await allocate(allocUrl, [solo], [banks(0, BANKS)], WARMUP * 2, 1, false, false, 1);
  const one = await allocate(allocUrl, [solo], [banks(0, BANKS)], PER_ROUND * 2, ROUNDS, true, false, 100);
  await solo.stop();

  const [a, b] = await Promise.all([start(allocUrl, 'cloud-a'), start(allocUrl, 'cloud-b')]);
  const pair = [a!, b!];
  await allocate(allocUrl, pair, [banks(0, 15), banks(5, BANKS)], WARMUP, 1, false, false, 2);
  // The same two instances on banks of their own (A 0-9, B 10-19): what the contention on shared banks costs.
  const apart = await allocate(allocUrl, pair, [banks(0, 10), banks(10, BANKS)], PER_ROUND, ROUNDS, true, false, 300);
  const two = await allocate(allocUrl, pair, [banks(0, 15), banks(5, BANKS)], PER_ROUND, ROUNDS, true, true, 200);
  const allocMem = await a!.ask('memory', { memory: true });
  await Promise.all(pair.map((i) => i.stop()));

  out(`(${BANKS} banks of ${LOCKERS_PER_BANK} lockers; ${ROUNDS} rounds of ${PER_ROUND * 2} reservations, ${CONCURRENCY} in flight per instance)`);
  describe('one instance, all banks', 1, one);
  describe('two instances, banks apart (A 0-9, B 10-19)', 2, apart);
  describe('two instances, ten banks shared (A 0-14, B 5-19)', 2, two);
  const rps1 = one.acked / one.seconds;
  const rps2 = two.acked / two.seconds;
  const phases = [one, apart, two];
  const doubles = found.doubles + found.missing;
  const refused = phases.reduce((n, p) => n + Object.values(p.failures).reduce((a, b) => a + b, 0), 0);
  out(`database checks after every round (warm-ups included): ${found.doubles} lockers with two live reservations, ${found.missing} acknowledged reservations absent or elsewhere`);
  out(`instance memory (${ALLOCATION_CONTACTS} contacts, ${BANKS * LOCKERS_PER_BANK} lockers, ${two.acked / ROUNDS} live reservations): rss ${(allocMem.rss / 1e6).toFixed(0)} MB, heap used ${(allocMem.heapUsed / 1e6).toFixed(0)} MB`);

  // ---- contact search at 100k contacts, on an instance that loaded them from the database
  const contactsUrl = await server.createDatabase('bench_contacts');
  await prepare(contactsUrl, SEARCH_CONTACTS);
  const searcher = await start(contactsUrl, 'search');
  const queries = searchQueries();
  const searched = await searcher.ask('searched', { search: { queries, rounds: 2 } });
  const mem = await searcher.ask('memory', { memory: true });
  await searcher.stop();
  out(
    `search at ${SEARCH_CONTACTS} contacts: ${queries.length} queries x 2, p50 ${percentile(searched.timesMs, 50).toFixed(2)} ms, max ${Math.max(...searched.timesMs).toFixed(2)} ms; ` +
      `first search (index built) ${searched.firstMs.toFixed(0)} ms; ${searched.found} contacts found in all`,
  );
  const slowest = new Map<string, number>();
  searched.timesMs.forEach((ms, i) => {
    const q = queries[i % queries.length]!;
    slowest.set(q, Math.max(ms, slowest.get(q) ?? 0));
  });
  out(`slowest queries: ${[...slowest].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([q, ms]) => `${JSON.stringify(q)} ${ms.toFixed(1)} ms`).join(', ')}`);
  out(`instance memory (100k contacts, ${BANKS * LOCKERS_PER_BANK} lockers): rss ${(mem.rss / 1e6).toFixed(0)} MB, heap used ${(mem.heapUsed / 1e6).toFixed(0)} MB`);

  const p99 = percentile(searched.timesMs, 99);
  process.stdout.write(`bench: pg_allocation_rps_2inst = ${rps2.toFixed(0)} reservations/s (target at least ${TARGET_RPS}: ${rps2 >= TARGET_RPS ? 'met' : 'NOT met'})\n`);
  bench('pg_allocation_rps_1inst', Math.round(rps1), 'reservations/s');
  bench('pg_allocation_2inst_ratio', rps2 / rps1, 'x');
  bench('pg_allocation_rps_2inst_apart', Math.round(apart.acked / apart.seconds), 'reservations/s');
  bench('pg_double_allocations', doubles, 'lockers');
  bench('pg_allocation_refused', refused, 'reservations');
  process.stdout.write(`bench: pg_contacts_search_p99_ms = ${p99.toFixed(2)} ms (target under ${TARGET_P99_MS}: ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'})\n`);
  bench('pg_load_100k_contacts_ms', Math.round(searcher.openMs), 'ms');
  bench('pg_instance_rss_mb', Math.round(mem.rss / 1e6), 'MB');
  if (doubles !== 0) throw new Error(`${doubles} double allocations or lost acknowledged reservations`);
}

await run('postgres', main);
