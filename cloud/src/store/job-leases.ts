/**
 * Once-only jobs of instances sharing one database (the expiry sweep, the e-mail sender): each job is a lease in the
 * store (leases.ts) held by one instance, renewed with the others it holds in one commit every `renewMs`, and living
 * `ttlMs` after its last renewal. A free or expired job is taken by the first instance whose round sees it, so the
 * job goes on within ttlMs + renewMs (6 s + 2 s by default) of its holder's death; a holder that stops releases its
 * jobs at once. `gained` tells an instance it took a job (the e-mail sender starts a pass then). A lone instance on
 * the data folder's own store holds every job without writing leases (`soleJobs`).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { holdLeases, leaseHolder } from './leases.ts';
import type { Store } from './store.ts';

export interface JobLease {
  /** Whether this instance holds the job now. */
  holds(): boolean;
  /** When the job's holder, whichever instance, last renewed it (undefined: nobody holds it). */
  renewedAt(): number | undefined;
  on(event: 'gained', l: () => void): unknown;
}

export interface JobLeasesOptions {
  store: Store;
  holder: string;
  jobs: readonly string[];
  now?: () => number;
  logger?: Logger;
  ttlMs?: number;
  renewMs?: number;
}

export class JobLeases extends EventEmitter<{ gained: [job: string] }> {
  private readonly held = new Set<string>();
  private readonly now: () => number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: JobLeasesOptions) {
    super();
    this.now = o.now ?? Date.now;
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ module: 'job-leases', instance: o.holder });
  }

  /** How long a job's lease lives after its last renewal. */
  get ttlMs(): number {
    return this.o.ttlMs ?? 6000;
  }

  /** The lease of one job, as the job's code asks for it. */
  job(name: string): JobLease {
    const owner = (job: string, l: () => void): void => void this.on('gained', (j) => j === job && l());
    const renewedAt = (): number | undefined => {
      const l = this.o.store.get('leases', name);
      return l && l.expiresAt > this.now() ? l.expiresAt - this.ttlMs : undefined;
    };
    return { holds: () => this.held.has(name), renewedAt, on: (_event, l) => owner(name, l) };
  }

  async start(): Promise<void> {
    await this.runRound();
    this.schedule();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    const mine = [...this.held].filter((n) => this.o.store.get('leases', n)?.holder === this.o.holder);
    this.held.clear();
    if (mine.length === 0) return;
    await this.o.store.commit({ del: mine.map((key) => ({ c: 'leases' as const, key })) }).catch((err: unknown) => this.log.warn({ err }, 'job leases not released; they expire by themselves'));
  }

  /** One round now (tests). */
  tick(): Promise<void> {
    return this.runRound();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runRound().finally(() => this.schedule()), this.o.renewMs ?? 2000);
  }

  private runRound(): Promise<void> {
    this.round ??= this.roundOnce()
      .catch((err: unknown) => this.log.error({ err }, 'job lease round failed'))
      .finally(() => (this.round = undefined));
    return this.round;
  }

  private async roundOnce(): Promise<void> {
    if (this.stopped) return;
    const { store, holder } = this.o;
    await store.sync();
    const now = this.now();
    for (const job of [...this.held]) {
      const h = leaseHolder(store, job, now);
      if (h !== undefined && h !== holder) {
        this.held.delete(job);
        this.log.warn({ job }, 'job taken by another instance after a late renewal');
      }
    }
    const wanted = this.o.jobs.filter((job) => this.held.has(job) || leaseHolder(store, job, now) === undefined);
    if (wanted.length === 0) return;
    const put = (names: readonly string[]): Promise<boolean> => holdLeases(store, names, holder, this.ttlMs, now);
    let got = [...wanted];
    if (!(await put(wanted))) {
      // Another instance wrote one of them at the same time: each on its own.
      await store.sync();
      got = [];
      for (const job of wanted) if ((this.held.has(job) || leaseHolder(store, job, this.now()) === undefined) && (await put([job]))) got.push(job);
      for (const job of this.held) if (!got.includes(job)) this.held.delete(job);
    }
    for (const job of got) {
      if (this.held.has(job)) continue;
      this.held.add(job);
      this.log.info({ job }, 'job taken');
      this.emit('gained', job);
    }
  }
}

/** Every job, always: one instance on its own store. */
export function soleJobs(): { job(name: string): JobLease; start(): Promise<void>; stop(): Promise<void> } {
  return { job: () => ({ holds: () => true, renewedAt: () => undefined, on: () => undefined }), start: async () => {}, stop: async () => {} };
}
