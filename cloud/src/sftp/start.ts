/** The SFTP imports of a running cloud: the runner and the scheduler over the domain's use cases, started. */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { LockerService } from '../domain/service.ts';
import type { Store } from '../store/store.ts';
import { realTimers, SftpRunner, type SftpRunnerOptions, type Timers } from './runner.ts';
import { SftpScheduler } from './scheduler.ts';
import type { JobLease } from '../store/job-leases.ts';

export interface SftpImports {
  runner: SftpRunner;
  scheduler: SftpScheduler;
}

export interface SftpImportsOptions {
  /** This instance's lease holder id. Default: host name, process id and a random suffix. */
  instanceId?: string;
  timers?: Timers;
  /** The cloud's clock, when no `timers` are given (the runtime's `now` option). */
  now?: () => number;
  checkMs?: number;
  fetch?: SftpRunnerOptions['fetch'];
  /** One lease for every schedule, held by one of the instances sharing a database (store/job-leases.ts). */
  job?: JobLease;
}

export function startSftpImports(service: LockerService, store: Store, logger: Logger, o: SftpImportsOptions = {}): SftpImports {
  const timers = o.timers ?? (o.now ? { ...realTimers, now: o.now } : realTimers);
  const instanceId = o.instanceId ?? `${hostname()}-${process.pid}-${service.random.int(0, 1_000_000)}`;
  const runner = new SftpRunner({
    imports: service.sftpImports,
    store,
    instanceId,
    random: service.random,
    logger,
    timers,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const scheduler = new SftpScheduler({ imports: service.sftpImports, runner, store, instanceId, logger, timers, ...(o.checkMs !== undefined ? { checkMs: o.checkMs } : {}), ...(o.job ? { job: o.job } : {}) });
  scheduler.start();
  return { runner, scheduler };
}
