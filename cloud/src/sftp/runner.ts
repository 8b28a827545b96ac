/**
 * One run of an enterprise's SFTP import: fetch the file (fetch.ts: host key pinned on first use, a changed one
 * refused), import it all or nothing through the contacts' CSV import, record the run. A run while the previous one
 * of the same enterprise is still going (here, or on another instance of the same store: the run lease) is recorded
 * as skipped. A failed run gets an alert in the activity log and a `run-failed` event, which notifications listen to.
 */
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { notFound } from '../domain/errors.ts';
import type { ActivityEntry, Actor } from '../domain/model.ts';
import type { RandomSource } from '../domain/core.ts';
import { CONTACTS_CSV_MAX_BYTES } from '../domain/use-cases/contacts-csv.ts';
import { releaseLease, takeLease } from '../store/leases.ts';
import type { Store } from '../store/store.ts';
import { fetchFile, type FetchRequest, type Fetched } from './fetch.ts';
import type { RunProblem, SftpImportRun } from './model.ts';
import type { SftpImportUseCases } from './use-cases.ts';

/** Timers the runner and the scheduler use; tests pass a fake clock's. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SftpRunFailed {
  run: SftpImportRun;
  /** The activity log's entry of the alert. */
  alert: ActivityEntry;
}

export interface SftpRunnerEvents {
  /** Every recorded run, skipped ones included. */
  'run-finished': [SftpImportRun];
  'run-failed': [SftpRunFailed];
}

export interface SftpRunnerOptions {
  imports: SftpImportUseCases;
  store: Store;
  /** This instance's id: the holder of its leases. */
  instanceId: string;
  random: RandomSource;
  timers?: Timers;
  logger?: Logger;
  /** Default: fetch.ts over SSH. */
  fetch?: (req: FetchRequest, log: Logger) => Promise<Fetched>;
  /** How long a run's lease lasts unless renewed (renewed every third of it while the run goes on). Default 10 min. */
  runLeaseMs?: number;
  /** SSH handshake limit. Default 20 s. */
  connectTimeoutMs?: number;
  /** Limit of a whole fetch. Default 5 min (under the run lease, so a stalled fetch ends before another run may start). */
  fetchDeadlineMs?: number;
  /** Largest file fetched. Default: the contacts import's limit. */
  maxBytes?: number;
}

const SYSTEM: Actor = { role: 'system', id: 'sftp-import' };

export class SftpRunner extends EventEmitter<SftpRunnerEvents> {
  private readonly running = new Set<string>();
  private readonly timers: Timers;
  private readonly log: Logger;

  constructor(private readonly o: SftpRunnerOptions) {
    super();
    this.timers = o.timers ?? realTimers;
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ module: 'sftp-import' });
  }

  /** Whether a run of this enterprise is going on in this instance. */
  isRunning(enterpriseId: string): boolean {
    return this.running.has(enterpriseId);
  }

  /**
   * Runs the enterprise's import now and answers the recorded run. `by`: the user of a manual run (the import's audit
   * entry names them); a scheduled run acts as the system.
   */
  async run(enterpriseId: string, trigger: SftpImportRun['trigger'], by?: Actor): Promise<SftpImportRun> {
    const rec = this.o.imports.record(enterpriseId);
    if (!rec) throw notFound('SFTP import of enterprise', enterpriseId, 'enterpriseId');
    const startedAt = this.timers.now();
    const base = { id: this.o.random.id('sftprun'), enterpriseId, trigger, startedAt, mode: rec.mode, ...(by?.id !== undefined ? { by: by.id } : {}) };
    const lease = { name: `sftp-run:${enterpriseId}`, holder: this.o.instanceId, ttlMs: this.o.runLeaseMs ?? 600_000 };
    const skipped = (): Promise<SftpImportRun> =>
      this.finish({ ...base, ...empty(), outcome: 'skipped', errors: [{ problem: 'the previous run of this import is still going: this one was skipped' }] });
    // Marked before the lease is asked for: a second call here meanwhile must not renew this instance's lease and run.
    if (this.running.has(enterpriseId)) return skipped();
    this.running.add(enterpriseId);
    if (!(await takeLease(this.o.store, { ...lease, now: startedAt }))) {
      this.running.delete(enterpriseId);
      return skipped();
    }
    let renewal: unknown;
    const renew = (): void => {
      renewal = this.timers.setTimeout(() => {
        void takeLease(this.o.store, { ...lease, now: this.timers.now() });
        renew();
      }, lease.ttlMs / 3);
    };
    renew();
    try {
      const fetched = await (this.o.fetch ?? fetchFile)(
        {
          host: rec.host,
          port: rec.port,
          username: rec.username,
          auth: this.o.imports.credentials(rec),
          remotePath: rec.remotePath,
          pinned: rec.hostKey?.fingerprint,
          maxBytes: this.o.maxBytes ?? CONTACTS_CSV_MAX_BYTES,
          connectTimeoutMs: this.o.connectTimeoutMs ?? 20_000,
          deadlineMs: this.o.fetchDeadlineMs ?? 300_000,
        },
        this.log,
      );
      if (!rec.hostKey) await this.o.imports.pinHostKey(enterpriseId, rec, fetched.fingerprint);
      const r = await this.o.imports.importFile(rec, fetched.bytes, by ?? SYSTEM);
      if (!r.ok) return await this.finish({ ...base, ...empty(), outcome: 'failed', bytes: fetched.bytes.length, errors: r.problems.slice(0, 1000) });
      return await this.finish({
        ...base,
        outcome: 'ok',
        rows: r.rows,
        added: r.added,
        changed: r.updated,
        removed: r.removed,
        unchanged: r.unchanged,
        kept: r.kept,
        errors: [],
        bytes: fetched.bytes.length,
      });
    } catch (err) {
      // TableTooLarge, HostKeyChanged, FileTooLarge and the SSH client's errors all say what went wrong.
      const problem = err instanceof Error ? err.message : String(err);
      return await this.finish({ ...base, ...empty(), outcome: 'failed', errors: [{ problem: problem.slice(0, 1000) }] });
    } finally {
      this.timers.clearTimeout(renewal);
      this.running.delete(enterpriseId);
      await releaseLease(this.o.store, lease.name, lease.holder);
    }
  }

  private async finish(run: Omit<SftpImportRun, 'endedAt'>): Promise<SftpImportRun> {
    const done: SftpImportRun = { ...run, endedAt: this.timers.now() };
    const alert = await this.o.imports.recordRun(done);
    const log = { runId: done.id, enterpriseId: done.enterpriseId, trigger: done.trigger, outcome: done.outcome, added: done.added, changed: done.changed, removed: done.removed };
    if (done.outcome === 'failed') this.log.warn({ ...log, errors: done.errors.slice(0, 5) }, 'SFTP import failed');
    else this.log.info(log, `SFTP import ${done.outcome}`);
    this.emit('run-finished', done);
    if (alert) this.emit('run-failed', { run: done, alert });
    return done;
  }
}

function empty(): { rows: number; added: number; changed: number; removed: number; unchanged: number; kept: []; errors: RunProblem[] } {
  return { rows: 0, added: 0, changed: 0, removed: 0, unchanged: 0, kept: [], errors: [] };
}
