/**
 * The durable e-mail outbox: a message is a store record before anything is sent (so a crash loses none), its content
 * sealed under the code vault and bound to its id; one sender across instances (a lease) sends what is due, retries a
 * failure with a doubling delay, and gives up after `maxAttempts`. Sent or failed, the content is erased at once; the
 * record stays as the message's status for `retentionMs`, then goes.
 *
 * Nothing doubled: a message's id is chosen by its cause (mail/triggers.ts), and queueing an id already held is a
 * no-op. A message is marked `sending` before the SMTP handoff; a crash then leaves it due, and the resend carries
 * the same Message-ID, so a receiving system that got the first copy can drop the second.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ActivityEntry } from '../domain/model.ts';
import type { CodeVault } from '../domain/code-vault.ts';
import { releaseLease, takeLease } from '../store/leases.ts';
import type { JobLease } from '../store/job-leases.ts';
import type { Store } from '../store/store.ts';
import { realTimers, type Timers } from '../sftp/runner.ts';
import type { MailContent } from './content.ts';
import { sendProblem, type Mailer } from './mailer.ts';
import type { MailKind, MailLanguage, MailRecord } from './model.ts';
import { ownTemplate } from './notification-model.ts';
import { renderMail } from './templates.ts';
import { mailBrandOf } from './brand.ts';

export const OUTBOX_LEASE = 'mail-outbox';

export interface RetryPolicy {
  maxAttempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export interface OutboxOptions {
  store: Store;
  vault: CodeVault;
  mailer: Mailer;
  logger: Logger;
  /** This instance's id: the holder of the sender's lease. */
  instanceId: string;
  /** The sender's clock and timers (default: real time). */
  timers?: Timers;
  retry: RetryPolicy;
  retentionMs: number;
  /** How often the sender looks for due messages when nothing wakes it (another instance's, a lease freed). Default 15 s. */
  pollMs?: number;
  /** How long the sender's lease lasts unless renewed (each pass and before each message). Default 60 s. */
  leaseMs?: number;
  /**
   * The sender's lease held for it (store/job-leases.ts: renewed apart from the passes, taken over within seconds of
   * its holder's death); `leaseMs` is then that lease's lifetime. Without it the sender takes its own lease.
   */
  job?: JobLease;
  /** How long a stop waits for a send under way. Default 5 s. */
  stopWaitMs?: number;
}

/** A message to queue: its content, or why the person gets none (`skip`). */
export interface NewMail {
  id: string;
  enterpriseId: string;
  kind: MailKind;
  to: MailRecord['to'];
  address?: string;
  language: MailLanguage;
  reservationId?: string;
  bankId?: string;
  content?: MailContent;
  skip?: string;
}

export interface OutboxEvents {
  sent: [MailRecord];
  failed: [MailRecord];
}

function sealPurpose(id: string): string {
  return `mail:${id}`;
}

export class MailOutbox extends EventEmitter<OutboxEvents> {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly timers: Timers;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly lease: number;
  private jobHeard = false;

  constructor(private readonly o: OutboxOptions) {
    super();
    this.log = o.logger.child({ module: 'mail' });
    this.timers = o.timers ?? realTimers;
    this.now = () => this.timers.now();
    this.lease = o.leaseMs ?? 60_000;
  }

  /**
   * Stores the message (durable when this resolves) and wakes the sender. False when a message of that id is held
   * already (queued, sent, failed or skipped): its cause was seen before.
   */
  async queue(m: NewMail): Promise<boolean> {
    const { store } = this.o;
    // No await between this check and the commit (applied to memory at once): two causes of one id queue it once.
    if (store.get('mailOutbox', m.id)) return false;
    const now = this.now();
    const base = {
      id: m.id,
      enterpriseId: m.enterpriseId,
      kind: m.kind,
      to: m.to,
      language: m.language,
      attempts: 0,
      createdAt: now,
      ...(m.address !== undefined ? { address: m.address } : {}),
      ...(m.reservationId !== undefined ? { reservationId: m.reservationId } : {}),
      ...(m.bankId !== undefined ? { bankId: m.bankId } : {}),
    };
    const rec: MailRecord =
      m.content && m.skip === undefined && m.address !== undefined
        ? { ...base, status: 'queued', nextAttemptAt: now, sealed: this.o.vault.sealSecret(sealPurpose(m.id), JSON.stringify(m.content)) }
        : { ...base, status: 'skipped', endedAt: now, lastError: m.skip ?? 'no e-mail address' };
    const detail = rec.status === 'skipped' ? `${m.kind} e-mail skipped: ${rec.lastError}` : `${m.kind} e-mail queued`;
    await store.commit({ put: [{ c: 'mailOutbox', key: rec.id, value: rec }], activity: [this.activity(rec, detail)] });
    this.log.info({ mailId: rec.id, kind: rec.kind, reservationId: rec.reservationId, status: rec.status }, detail);
    if (rec.status === 'queued') this.kick();
    return true;
  }

  start(): void {
    this.stopped = false;
    if (this.o.job && !this.jobHeard) {
      this.jobHeard = true;
      // Taken over from an instance that died: what it left due is sent now.
      this.o.job.on('gained', () => this.kick());
    }
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    // A send stuck on a silent server must not hold the stop up: it is due again at the next start.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, this.o.stopWaitMs ?? 5000).unref())]);
    if (!this.o.job) await releaseLease(this.o.store, OUTBOX_LEASE, this.o.instanceId);
    this.o.mailer.close();
  }

  /** Runs the sender now (or right after the run under way). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** One pass of the sender: what is due is sent (or retried later), old records pruned. Resolves when done. */
  async runOnce(): Promise<void> {
    if (this.running) return this.running;
    const run = this.pass().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.schedule(0);
      } else this.schedule(this.nextWake());
    });
    this.running = run;
    return run;
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.runOnce().catch((err: unknown) => this.log.error({ err }, 'mail sender pass failed'));
    }, ms);
  }

  private nextWake(): number {
    const poll = this.o.pollMs ?? 15_000;
    let next = this.now() + poll;
    for (const m of this.o.store.list('mailOutbox')) {
      if ((m.status === 'queued' || m.status === 'sending') && m.nextAttemptAt !== undefined) next = Math.min(next, m.nextAttemptAt);
    }
    return Math.max(0, next - this.now());
  }

  private holdLease(): Promise<boolean> {
    if (this.o.job) return Promise.resolve(this.o.job.holds());
    return takeLease(this.o.store, { name: OUTBOX_LEASE, holder: this.o.instanceId, ttlMs: this.lease, now: this.now() });
  }

  private async pass(): Promise<void> {
    if (this.stopped || !(await this.holdLease())) return;
    const due = this.o.store
      .list('mailOutbox')
      .filter((m) => (m.status === 'queued' || m.status === 'sending') && (m.nextAttemptAt ?? 0) <= this.now())
      .sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
    for (const m of due) {
      if (this.stopped || !(await this.holdLease())) return;
      const cur = this.o.store.get('mailOutbox', m.id);
      if (cur && (cur.status === 'queued' || cur.status === 'sending')) await this.sendOne(cur);
    }
    await this.prune();
  }

  private async sendOne(m: MailRecord): Promise<void> {
    const plain = m.sealed !== undefined ? this.o.vault.openSecret(sealPurpose(m.id), m.sealed) : undefined;
    if (plain === undefined || m.address === undefined) return this.finish(m, 'failed', 'its content cannot be opened with this secrets key');
    const attempts = m.attempts + 1;
    // Marked before the handoff: after a crash it is due again once the lease has passed (when another instance may
    // take over), and goes under the same Message-ID.
    const sending: MailRecord = { ...m, status: 'sending', attempts, nextAttemptAt: this.now() + this.lease };
    await this.o.store.commit({ put: [{ c: 'mailOutbox', key: m.id, value: sending }] });
    let problem: string | undefined;
    try {
      const content = JSON.parse(plain) as MailContent;
      // Worded when sent, so an enterprise's new words reach every message still waiting, a retry included.
      const rendered = await renderMail(content, ownTemplate(this.o.store, m.enterpriseId, content.kind, content.language), mailBrandOf(this.o.store, m.enterpriseId, m.bankId));
      await this.o.mailer.send({ messageId: m.id, to: m.address }, rendered);
    } catch (err) {
      problem = sendProblem(err);
    }
    if (problem === undefined) return this.finish(sending, 'sent');
    if (attempts >= this.o.retry.maxAttempts) return this.finish(sending, 'failed', problem);
    const delay = Math.min(this.o.retry.firstDelayMs * 2 ** (attempts - 1), this.o.retry.maxDelayMs);
    const retry: MailRecord = { ...sending, status: 'queued', nextAttemptAt: this.now() + delay, lastError: problem };
    await this.o.store.commit({ put: [{ c: 'mailOutbox', key: m.id, value: retry }] });
    this.log.warn({ mailId: m.id, kind: m.kind, reservationId: m.reservationId, attempts, problem, retryInMs: delay }, 'e-mail not sent; will retry');
  }

  /** Sent or given up: the content is erased in the same write. */
  private async finish(m: MailRecord, status: 'sent' | 'failed', problem?: string): Promise<void> {
    const { sealed: _erased, nextAttemptAt: _next, ...rest } = m;
    const now = this.now();
    const done: MailRecord =
      status === 'sent' ? { ...rest, status, sentAt: now } : { ...rest, status, endedAt: now, ...(problem !== undefined ? { lastError: problem } : {}) };
    if (status === 'sent') delete done.lastError;
    const detail = status === 'sent' ? `${m.kind} e-mail sent` : `${m.kind} e-mail failed after ${m.attempts} attempt(s): ${problem ?? ''}`.slice(0, 500);
    await this.o.store.commit({ put: [{ c: 'mailOutbox', key: m.id, value: done }], activity: [this.activity(done, detail)] });
    if (status === 'sent') this.log.info({ mailId: m.id, kind: m.kind, reservationId: m.reservationId, attempts: m.attempts }, 'e-mail sent');
    else this.log.error({ mailId: m.id, kind: m.kind, reservationId: m.reservationId, attempts: m.attempts, problem }, 'e-mail given up');
    this.emit(status, done);
  }

  private async prune(): Promise<void> {
    const before = this.now() - this.o.retentionMs;
    const old = this.o.store.list('mailOutbox').filter((m) => m.status !== 'queued' && m.status !== 'sending' && (m.sentAt ?? m.endedAt ?? m.createdAt) < before);
    if (old.length > 0) await this.o.store.commit({ del: old.map((m) => ({ c: 'mailOutbox' as const, key: m.id })) });
  }

  private activity(m: MailRecord, detail: string): ActivityEntry {
    return {
      id: `a-${randomUUID()}`,
      at: this.now(),
      type: 'notification',
      actor: { role: 'system' },
      enterpriseId: m.enterpriseId,
      ...(m.bankId !== undefined ? { bankId: m.bankId } : {}),
      ...(m.reservationId !== undefined ? { reservationId: m.reservationId } : {}),
      ...(m.to.type !== 'user' ? { recipientId: m.to.id } : {}),
      detail,
    };
  }
}
