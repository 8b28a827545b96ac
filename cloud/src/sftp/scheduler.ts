/**
 * Runs each enabled SFTP import at the times of its cron schedule (croner reads the pattern; the timers are
 * injected, so a fake clock drives it in tests). Only one cloud instance runs a given schedule: the instance holding
 * the schedule's lease in the store (`sftp-schedule:<enterpriseId>`), which it renews on every check, so another
 * instance on the same store takes it over only once the holder stopped renewing it.
 *
 * With `job` (instances sharing a database: store/job-leases.ts), one instance runs every schedule instead, the holder
 * of that job's lease, which another takes over within seconds of its death. An instance not holding it leaves a run
 * due until it sees the holder renewed its lease after the due time (the holder was alive then and ran it); when the
 * holder died first, the run is still due when this instance takes the job, and runs then, once.
 *
 * Every check (at the next run time, and at least every `checkMs`) reads the configurations again: a new, changed,
 * disabled or removed one is followed without being told.
 */
import { pino, type Logger } from 'pino';
import { leaseHolder, releaseLease, takeLease } from '../store/leases.ts';
import type { JobLease } from '../store/job-leases.ts';
import type { Store } from '../store/store.ts';
import { nextRunAfter, type SftpImportRecord } from './model.ts';
import { realTimers, type SftpRunner, type Timers } from './runner.ts';
import type { SftpImportUseCases } from './use-cases.ts';

export interface SftpSchedulerOptions {
  imports: Pick<SftpImportUseCases, 'all'>;
  runner: Pick<SftpRunner, 'run'>;
  store: Store;
  instanceId: string;
  timers?: Timers;
  logger?: Logger;
  /** Longest wait between two checks. Default 30 s. */
  checkMs?: number;
  /** How long a schedule's lease lasts unless renewed. Default 3 checks. */
  leaseMs?: number;
  /** The schedules' one lease, held for all of them (several instances on one database). */
  job?: JobLease;
}

interface Planned {
  /** What the plan was made from: a change of it plans again. */
  key: string;
  due: number;
}

export const scheduleLeaseName = (enterpriseId: string): string => `sftp-schedule:${enterpriseId}`;

export class SftpScheduler {
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly plans = new Map<string, Planned>();
  private readonly checkMs: number;
  private readonly leaseMs: number;
  private timer: unknown;
  private stopped = true;
  private checking: Promise<void> | undefined;
  private readonly runs = new Set<Promise<unknown>>();
  private jobHeard = false;

  constructor(private readonly o: SftpSchedulerOptions) {
    this.timers = o.timers ?? realTimers;
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ module: 'sftp-schedule' });
    this.checkMs = o.checkMs ?? 30_000;
    this.leaseMs = o.leaseMs ?? this.checkMs * 3;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.o.job && !this.jobHeard) {
      this.jobHeard = true;
      this.o.job.on('gained', () => this.stopped || this.wake());
    }
    this.wake();
  }

  /** When the enterprise's import runs next by this scheduler's plan (undefined when none is planned). */
  nextRun(enterpriseId: string): number | undefined {
    return this.plans.get(enterpriseId)?.due;
  }

  /** Stops planning, waits for the runs it started, and gives its leases up. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    await this.checking;
    await Promise.allSettled([...this.runs]);
    if (!this.o.job) for (const enterpriseId of this.plans.keys()) await releaseLease(this.o.store, scheduleLeaseName(enterpriseId), this.o.instanceId);
    this.plans.clear();
  }

  /** One check now (tests and the timer): plan, renew leases, start what is due. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private wake(): void {
    void this.check().then(() => this.arm());
  }

  private arm(): void {
    if (this.stopped) return;
    const now = this.timers.now();
    let at = now + this.checkMs;
    // A run held back for a holder that may have died is looked at again each second, not in a busy loop.
    for (const p of this.plans.values()) at = Math.min(at, p.due > now ? p.due : now + 1000);
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.wake(), Math.max(0, at - now));
  }

  private async checkOnce(): Promise<void> {
    if (this.stopped) return;
    const now = this.timers.now();
    const enabled = new Map<string, SftpImportRecord>();
    for (const r of this.o.imports.all()) if (r.enabled) enabled.set(r.enterpriseId, r);
    for (const enterpriseId of [...this.plans.keys()]) {
      if (enabled.has(enterpriseId)) continue;
      this.plans.delete(enterpriseId);
      if (!this.o.job) await releaseLease(this.o.store, scheduleLeaseName(enterpriseId), this.o.instanceId);
    }
    for (const r of enabled.values()) {
      const key = `${r.schedule}|${r.timezone ?? 'UTC'}`;
      let plan = this.plans.get(r.enterpriseId);
      if (!plan || plan.key !== key) {
        const due = nextRunAfter(r.schedule, r.timezone ?? 'UTC', now);
        if (due === undefined) {
          this.plans.delete(r.enterpriseId);
          continue;
        }
        plan = { key, due };
        this.plans.set(r.enterpriseId, plan);
      }
      const job = this.o.job;
      const held = job ? job.holds() : await takeLease(this.o.store, { name: scheduleLeaseName(r.enterpriseId), holder: this.o.instanceId, ttlMs: this.leaseMs, now });
      if (plan.due > now) continue;
      // The holder may have died before the due time: the run stays due until it is seen alive after it.
      if (job && !held && (job.renewedAt() ?? -Infinity) < plan.due) continue;
      // A check that comes late runs the import once, then plans the next time after now (no catching up).
      plan.due = nextRunAfter(r.schedule, r.timezone ?? 'UTC', now) ?? Number.MAX_SAFE_INTEGER;
      if (!held) {
        this.log.debug({ enterpriseId: r.enterpriseId, holder: leaseHolder(this.o.store, scheduleLeaseName(r.enterpriseId), now) }, 'schedule held by another instance');
        continue;
      }
      const run = this.o.runner.run(r.enterpriseId, 'schedule').catch((err: unknown) => this.log.error({ err, enterpriseId: r.enterpriseId }, 'scheduled SFTP import could not run'));
      this.runs.add(run);
      void run.finally(() => this.runs.delete(run));
    }
  }
}
