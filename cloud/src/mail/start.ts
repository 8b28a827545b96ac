/**
 * The e-mail side of a running cloud, composed once: the outbox and its sender, the reservation triggers (domain
 * events, the ingest's codes, a pass at start, the reminder timer), import failures to the enterprise's
 * administrators, the account messages (`AccountMail`), and the links to the preferences page (served by the HTTP server, mail/preferences.ts). Without a `mail` section nothing
 * is queued and one warning says so.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AccountMail, AccountMessage } from '../auth/account-mail.ts';
import type { IssuedPickupCode } from '../bridge/event-ingest.ts';
import type { CloudConfig } from '../config/config.ts';
import type { CodeVault } from '../domain/code-vault.ts';
import type { ReservationChanged } from '../domain/events.ts';
import type { LockerService } from '../domain/service.ts';
import type { SftpRunFailed } from '../sftp/runner.ts';
import { realTimers, type Timers } from '../sftp/runner.ts';
import { smtpMailer, type Mailer } from './mailer.ts';
import type { JobLease } from '../store/job-leases.ts';
import { MailOutbox } from './outbox.ts';
import { PREFERENCES_PATH, preferencesToken } from './preferences.ts';
import { userAddressee } from './recipients.ts';
import { mailId, ReservationMail } from './triggers.ts';

/** An emitter of one event this module listens to. */
interface Listenable<E extends string, T> {
  on(event: E, fn: (v: T) => void): unknown;
  off(event: E, fn: (v: T) => void): unknown;
}

export interface MailOptions {
  config: CloudConfig;
  service: LockerService;
  vault: CodeVault;
  logger: Logger;
  now: () => number;
  /** Where kiosk drop-offs' codes come from (the event ingest's `pickup-code`). */
  ingest: Listenable<'pickup-code', IssuedPickupCode>;
  /** Default: SMTP from the config (tests may pass their own). */
  mailer?: Mailer;
  /** This instance's id, the holder of the sender's lease. */
  instanceId?: string;
  /** The sender's lease held by the instances' job leases (several instances on one database), and its lifetime. */
  lease?: { job: JobLease; ttlMs: number };
  /** The sender's and the reminder sweep's timers (default: real ones on `now`). */
  timers?: Timers;
}

export interface MailSystem {
  /** Undefined without a `mail` section. */
  outbox: MailOutbox | undefined;
  /** Queues welcome and reset messages (a no-op, warned once, without a `mail` section). */
  accountMail: AccountMail;
  /** Failed SFTP imports tell the enterprise's administrators. */
  watchImports(runner: Listenable<'run-failed', SftpRunFailed>): void;
  /** Starts sending: queues what events held back and what the live reservations call for, then the timers. */
  start(baseUrl: string): Promise<void>;
  stop(): Promise<void>;
}

export function createMail(o: MailOptions): MailSystem {
  const cfg = o.config.mail;
  const log = o.logger.child({ module: 'mail' });
  const { store } = o.service;
  const unsubscribe: Array<() => void> = [];
  let warned = false;
  const warnOnce = (): void => {
    if (warned) return;
    warned = true;
    log.warn('no mail section in the config: no e-mail is queued or sent (parcel notices, reminders, account links, import failures)');
  };

  if (!cfg) {
    return {
      outbox: undefined,
      accountMail: { queue: async () => warnOnce() },
      watchImports: () => {},
      start: async () => warnOnce(),
      stop: async () => {},
    };
  }

  const timers = o.timers ?? { ...realTimers, now: o.now };
  const outbox = new MailOutbox({
    store,
    vault: o.vault,
    mailer: o.mailer ?? smtpMailer(cfg),
    logger: o.logger,
    instanceId: o.instanceId ?? `cloud-${randomUUID()}`,
    timers,
    retry: { maxAttempts: cfg.retry.maxAttempts, firstDelayMs: cfg.retry.firstDelaySeconds * 1000, maxDelayMs: cfg.retry.maxDelaySeconds * 1000 },
    retentionMs: cfg.retentionDays * 24 * 3_600_000,
    leaseMs: o.lease?.ttlMs ?? cfg.leaseSeconds * 1000,
    ...(o.lease ? { job: o.lease.job } : {}),
    pollMs: Math.min(15_000, (cfg.leaseSeconds * 1000) / 3),
  });
  let baseUrl: string | undefined;
  const triggers = new ReservationMail({
    store,
    vault: o.vault,
    outbox,
    logger: o.logger,
    now: o.now,
    preferencesUrl: (contactId) => `${baseUrl ?? ''}${PREFERENCES_PATH}/${preferencesToken(o.vault, contactId)}`,
  });
  // Events before start (the replay of missed controller events) wait for the links' base address.
  let held: Array<() => void> | undefined = [];
  const whenReady = (fn: () => void): void => void (held ? held.push(fn) : fn());
  const onChange = (e: ReservationChanged): void => whenReady(() => void triggers.queue(triggers.onChange(e)));
  const onCode = (i: IssuedPickupCode): void =>
    whenReady(() => {
      const r = store.get('reservations', i.reservationId);
      if (r) void triggers.queue(triggers.forState(r, i.code, true));
    });
  o.service.on('reservation-changed', onChange);
  o.service.on('pickup-code-issued', onCode);
  o.ingest.on('pickup-code', onCode);
  unsubscribe.push(
    () => o.service.off('reservation-changed', onChange),
    () => o.service.off('pickup-code-issued', onCode),
    () => o.ingest.off('pickup-code', onCode),
  );

  const onImportFailed = ({ run }: SftpRunFailed): void => {
    const enterprise = store.get('enterprises', run.enterpriseId);
    const problem = run.errors.map((e) => (e.line !== undefined ? `line ${e.line}: ${e.problem}` : e.problem)).join('; ').slice(0, 500);
    const admins = store.list('users').filter((u) => u.enterpriseId === run.enterpriseId && u.role === 'admin' && !u.disabled);
    void triggers.queue(
      admins.map((u) => {
        const who = userAddressee(u);
        return {
          id: mailId(run.id, 'import-failed', u.id),
          enterpriseId: run.enterpriseId,
          kind: 'import-failed' as const,
          to: who.to,
          language: who.language,
          ...(who.address !== undefined ? { address: who.address } : {}),
          ...(who.skip !== undefined
            ? { skip: who.skip }
            : { content: { kind: 'import-failed' as const, name: who.name, language: who.language, enterprise: enterprise?.name ?? run.enterpriseId, at: run.startedAt, problem } }),
        };
      }),
    );
  };

  const accountMail: AccountMail = {
    async queue(m: AccountMessage): Promise<void> {
      await outbox.queue({
        id: `mail-${randomUUID()}`,
        enterpriseId: m.enterpriseId,
        kind: m.kind,
        to: { type: 'user', id: m.userId },
        address: m.to,
        language: m.language,
        content: m.kind === 'mfa-code' ? { kind: m.kind, name: m.name, language: m.language, code: m.code, expiresAt: m.expiresAt } : { kind: m.kind, name: m.name, language: m.language, link: m.link, expiresAt: m.expiresAt },
      });
    },
  };

  let timer: unknown;
  let stopped = false;
  const sweepEvery = (ms: number): void => {
    timer = timers.setTimeout(() => {
      triggers
        .sweep()
        .catch((err: unknown) => log.error({ err }, 'mail sweep failed'))
        .finally(() => {
          if (!stopped) sweepEvery(ms);
        });
    }, ms);
  };
  return {
    outbox,
    accountMail,
    watchImports(runner) {
      runner.on('run-failed', onImportFailed);
      unsubscribe.push(() => runner.off('run-failed', onImportFailed));
    },
    async start(url) {
      baseUrl = url;
      const waiting = held ?? [];
      held = undefined;
      for (const fn of waiting) fn();
      await triggers.sweep();
      outbox.start();
      const every = o.config.expiry.intervalSeconds * 1000;
      if (every > 0) sweepEvery(every);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      for (const u of unsubscribe.splice(0)) u();
      await outbox.stop();
    },
  };
}
