// One cloud instance of the PostgreSQL bench, in a Node process of its own as in production: a LockerService on its own
// PgStore (its own instanceId) on the bench's database, with the vault key every instance shares. Started by run.ts
// with `fork`; its settings come as JSON in argv[2]. Over IPC (each request answered once, in order):
// -> `{ reserve: { count, concurrency, banks, seed } }`  <- `{ reserved: ReserveReport }`
// -> `{ clear: true }`      ends (cancels) the reservations of its last `reserve`     <- `{ cleared: { ended, busy } }`
// -> `{ search: { queries, rounds } }`  the API's contact search, each query timed   <- `{ searched: SearchReport }`
// -> `{ memory: true }`     after full collections                                  <- `{ memory: NodeJS.MemoryUsage }`
// -> `{ stop: true }`       closes the store and exits
// <- `{ ready: { openMs } }` once the store is loaded (openMs: PgStore.open, the load of the live state included).
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { z } from 'zod';
import { CodeVault, LockerService, PgStore, type Reservation } from '@portier/cloud';
import { mulberry32 } from '@portier/sim';
import { ENTERPRISE, operator } from './site.ts';

const args = z
  .strictObject({ url: z.string(), instanceId: z.string(), vaultKey: z.string().regex(/^[0-9a-f]{64}$/) })
  .parse(JSON.parse(process.argv[2] ?? '{}'));
const request = z.union([
  z.strictObject({ reserve: z.strictObject({ count: z.number().int().min(0), concurrency: z.number().int().min(1), banks: z.array(z.string()).min(1), seed: z.number().int() }) }),
  z.strictObject({ clear: z.literal(true) }),
  z.strictObject({ search: z.strictObject({ queries: z.array(z.string()).min(1), rounds: z.number().int().min(1) }) }),
  z.strictObject({ memory: z.literal(true) }),
  z.strictObject({ stop: z.literal(true) }),
]);

/** What one `reserve` did: the reservations acknowledged ([id, bankId, lockerNumber]), the refusals by code, and costs. */
export interface ReserveReport {
  acks: [string, string, number][];
  failures: Record<string, number>;
  latenciesMs: number[];
  cpuUs: number;
  /** Commits the store refused as conflicts (another instance wrote a row or bank first) and catch-ups after them. */
  conflicts: number;
  syncs: number;
  /** Changes of other instances taken from the feed during the run. */
  external: number;
  /** Time from each commit to its answer (queue wait and the round trip of its batch). */
  commitMs: number[];
}

export interface SearchReport {
  /** The first search (the contact index built from the loaded store). */
  firstMs: number;
  timesMs: number[];
  /** How many contacts the searches found in all (so a search that finds nothing is seen). */
  found: number;
}

const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const o0 = performance.now();
const store = await PgStore.open({ url: args.url, instanceId: args.instanceId, logger: log });
const openMs = performance.now() - o0;
const service = new LockerService({ store, logger: log, codeHashN: 1024, vault: CodeVault.fromKey(Buffer.from(args.vaultKey, 'hex')) });

// Counters of the store's work, read by `reserve` (wrapped on this instance only: the domain holds the same object).
let conflicts = 0;
let syncs = 0;
let external = 0;
let commitMs: number[] = [];
const commit = store.commit.bind(store);
store.commit = (change, opts) => {
  const t0 = performance.now();
  const done = commit(change, opts);
  done.then(
    () => commitMs.push(performance.now() - t0),
    (err: unknown) => {
      if ((err as { code?: string }).code === 'CONFLICT') conflicts++;
    },
  );
  return done;
};
const sync = store.sync.bind(store);
store.sync = () => {
  syncs++;
  return sync();
};
store.onExternalChange(() => external++);

const SIZES = ['XS', 'S', 'M'] as const;
let last: Reservation[] = [];

async function reserve(count: number, concurrency: number, banks: string[], seed: number): Promise<ReserveReport> {
  const random = mulberry32(seed);
  // Recipients needing accessible lockers are left out: a bank has too few accessible lockers for a long run.
  const recipients = store.list('contacts').filter((c) => !c.needsAccessible && c.enterpriseId === ENTERPRISE).map((c) => c.id);
  const acks: [string, string, number][] = [];
  const failures: Record<string, number> = {};
  const latenciesMs: number[] = [];
  conflicts = syncs = external = 0;
  commitMs = [];
  last = [];
  let next = 0;
  const c0 = process.cpuUsage();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const bankId = banks[Math.floor(random() * banks.length)]!;
      const recipient = recipients[Math.floor(random() * recipients.length)]!;
      const t0 = performance.now();
      try {
        const { reservation } = await service.reserve({ bankId, kind: 'package', recipient: { type: 'contact', id: recipient }, size: SIZES[i % SIZES.length]!, trackingId: `${args.instanceId}-${seed}-${i}` }, operator);
        latenciesMs.push(performance.now() - t0);
        acks.push([reservation.id, reservation.bankId, reservation.lockerNumber]);
        last.push(reservation);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'ERROR';
        failures[code] = (failures[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(c0);
  return { acks, failures, latenciesMs, cpuUs: cpu.user + cpu.system, conflicts, syncs, external, commitMs };
}

/**
 * Cancels the reservations of the last `reserve`, 32 at a time. One refused as too busy (STORE_FAILED: another
 * instance's changes came first every time) is tried again in a later pass; answers how many were refused so.
 */
async function clear(): Promise<{ ended: number; busy: number }> {
  let ending = last;
  last = [];
  let ended = 0;
  let busy = 0;
  for (let pass = 0; ending.length > 0; pass++) {
    if (pass === 10) throw new Error(`${ending.length} reservations could not be cancelled in 10 passes`);
    const again: Reservation[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ending.length) {
        const r = ending[next++]!;
        try {
          await service.endReservation(r.id, { reason: 'cancelled' }, operator);
          ended++;
        } catch (err) {
          if ((err as { code?: string }).code !== 'STORE_FAILED') throw err;
          busy++;
          again.push(r);
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    ending = again;
  }
  return { ended, busy };
}

/** The search the API answers `GET /contacts?q=...&limit=50` with, for a user of the whole enterprise. */
function search(q: string): number {
  return service.addressBook.contacts.search({ q, filter: (c) => c.enterpriseId === ENTERPRISE, offset: 0, limit: 50 }).contacts.length;
}

function searchAll(queries: string[], rounds: number): SearchReport {
  const f0 = performance.now();
  let found = search(queries[0]!);
  const firstMs = performance.now() - f0;
  // One unmeasured round: the code paths compiled, as on an instance that has served for a while.
  for (const q of queries) search(q);
  const timesMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const t0 = performance.now();
      found += search(q);
      timesMs.push(performance.now() - t0);
    }
  }
  return { firstMs, timesMs, found };
}

function memory(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage();
}

const send = (m: unknown): void => void process.send?.(m);
let queue = Promise.resolve();
process.on('message', (raw) => {
  queue = queue.then(async () => {
    const m = request.parse(raw);
    if ('reserve' in m) send({ reserved: await reserve(m.reserve.count, m.reserve.concurrency, m.reserve.banks, m.reserve.seed) });
    else if ('clear' in m) send({ cleared: await clear() });
    else if ('search' in m) send({ searched: searchAll(m.search.queries, m.search.rounds) });
    else if ('memory' in m) send({ memory: memory() });
    else {
      await store.close();
      process.exit(0);
    }
  }).catch((err: unknown) => {
    log.error({ err }, 'the bench instance failed');
    process.exit(1);
  });
});
send({ ready: { openMs } });
