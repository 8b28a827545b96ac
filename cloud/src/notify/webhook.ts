/**
 * Tells recipients that a parcel is ready: every pickup code the cloud issues for a drop-off made at a kiosk (an
 * operator drop-off, a carrier delivery, a return...) or for a recipient named after the drop-off goes to the
 * integrator's webhook, which mails or texts it.
 * A pickup code is never stored in clear (only its hash), so this is the one chance to hand it on: the notice is
 * delivered from memory, retried with a growing delay while the webhook fails, and given up after `maxAgeMs` with
 * an error naming the reservation (staff then issue a new code with `POST /api/v1/reservations/{id}/pickup-code`).
 *
 * Each POST carries JSON `{ type: 'parcel-ready', id, at, reservationId, bankId, lockerNumber, recipient,
 * pickupCode, pickupCodeExpiresAt }` and the headers `x-portier-timestamp` (ms) and `x-portier-signature`
 * (`sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` under the shared secret), so the receiver can check origin and
 * freshness. Any 2xx counts as delivered. Codes never appear in logs.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { contactDisplayName, type Contact, type Department, type Reservation } from '../domain/model.ts';
import type { IssuedPickupCode } from '../bridge/event-ingest.ts';

/** Who the notice is for, as the integrator needs it to reach them. */
export interface NoticeRecipient {
  type: 'contact' | 'department';
  id: string;
  name?: string;
  email?: string;
}

export interface ParcelReadyNotice {
  type: 'parcel-ready';
  /** Unique per notice: the receiver deduplicates retries by it. */
  id: string;
  at: number;
  reservationId: string;
  bankId: string;
  lockerNumber: number;
  /**
   * Who to tell. A delivery made at the kiosk with no reservation goes to the `kiosk-unassigned` department: the
   * integrator finds the person from the tracking ids, or staff name them later (`POST
   * /api/v1/reservations/{id}/recipient`), which sends a new notice with a new code for that person.
   */
  recipient: NoticeRecipient;
  /** Tracking ids of the packages in the locker (as scanned or typed at the kiosk). */
  trackingIds: string[];
  /** Who put it there: a carrier (by id) or an operator. */
  droppedOffBy?: { type: string; id: string };
  pickupCode: string;
  pickupCodeExpiresAt: number;
}

/** The reads the notifier needs to describe a recipient (a Store has them). */
export interface RecipientDirectory {
  get(kind: 'contacts', id: string): Contact | undefined;
  get(kind: 'departments', id: string): Department | undefined;
  get(kind: 'reservations', id: string): Reservation | undefined;
}

export interface WebhookNotifierOptions {
  url: string;
  /** Shared secret of the HMAC signature. */
  secret: string;
  directory: RecipientDirectory;
  logger?: Logger;
  now?: () => number;
  /** Per attempt. Default 5 s. */
  timeoutMs?: number;
  /** First retry delay, doubled each time up to `maxRetryDelayMs`. Defaults 1 s and 60 s. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A notice not delivered within this long is given up (and logged as an error). Default 1 h. */
  maxAgeMs?: number;
  /** Notices kept waiting at most (oldest given up first). Default 10,000. */
  maxQueued?: number;
  /** Injectable for tests. */
  fetch?: typeof fetch;
}

export interface NotifierEvents {
  delivered: [ParcelReadyNotice];
  'gave-up': [ParcelReadyNotice];
}

interface Pending {
  notice: ParcelReadyNotice;
  attempts: number;
  firstAt: number;
  timer: NodeJS.Timeout | undefined;
}

export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookNotifier extends EventEmitter<NotifierEvents> {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly pending = new Map<string, Pending>();
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly o: WebhookNotifierOptions) {
    super();
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ module: 'notify' });
    this.now = o.now ?? Date.now;
  }

  /** Notices not delivered yet. */
  get queued(): number {
    return this.pending.size;
  }

  /** Hands a freshly issued pickup code on (the `pickup-code` hook of event ingest). */
  readonly notify = (issued: IssuedPickupCode): void => {
    if (this.stopped) return;
    const r = this.o.directory.get('reservations', issued.reservationId);
    const notice: ParcelReadyNotice = {
      type: 'parcel-ready',
      id: `ntc-${randomUUID()}`,
      at: this.now(),
      reservationId: issued.reservationId,
      bankId: issued.bankId,
      lockerNumber: issued.lockerNumber,
      recipient: this.describe(issued.recipient),
      trackingIds: (r?.packages ?? []).flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : [])),
      ...(r?.dropOffParty ? { droppedOffBy: { type: r.dropOffParty.type, id: r.dropOffParty.id } } : {}),
      pickupCode: issued.code,
      pickupCodeExpiresAt: issued.expiresAt,
    };
    const max = this.o.maxQueued ?? 10_000;
    while (this.pending.size >= max) {
      const [oldest] = this.pending.values();
      if (!oldest) break;
      this.giveUp(oldest, 'queue full');
    }
    const p: Pending = { notice, attempts: 0, firstAt: this.now(), timer: undefined };
    this.pending.set(notice.id, p);
    this.attempt(p);
  };

  /** Stops retrying; notices still waiting are logged as not delivered. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inflight]);
    for (const p of [...this.pending.values()]) this.giveUp(p, 'cloud stopping');
  }

  private describe(r: IssuedPickupCode['recipient']): NoticeRecipient {
    if (r.type === 'contact') {
      const c = this.o.directory.get('contacts', r.id);
      return { type: 'contact', id: r.id, ...(c ? { name: contactDisplayName(c) } : {}), ...(c?.email ? { email: c.email } : {}) };
    }
    const d = this.o.directory.get('departments', r.id);
    const key = d?.keyContactId ? this.o.directory.get('contacts', d.keyContactId) : undefined;
    return { type: 'department', id: r.id, ...(d ? { name: d.name } : {}), ...(key?.email ? { email: key.email } : {}) };
  }

  private attempt(p: Pending): void {
    p.timer = undefined;
    if (this.stopped || !this.pending.has(p.notice.id)) return;
    p.attempts++;
    const run = this.post(p.notice).then(
      (ok) => this.settle(p, ok),
      (err: unknown) => this.settle(p, `${(err as Error).message}`),
    );
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
  }

  private settle(p: Pending, result: true | string): void {
    const ctx = { noticeId: p.notice.id, reservationId: p.notice.reservationId, attempts: p.attempts };
    if (result === true) {
      this.pending.delete(p.notice.id);
      this.log.info(ctx, 'parcel-ready notice delivered');
      this.emit('delivered', p.notice);
      return;
    }
    const maxAge = this.o.maxAgeMs ?? 3_600_000;
    const delay = Math.min((this.o.retryDelayMs ?? 1000) * 2 ** (p.attempts - 1), this.o.maxRetryDelayMs ?? 60_000);
    if (this.stopped || this.now() + delay - p.firstAt > maxAge) return this.giveUp(p, result);
    this.log.warn({ ...ctx, problem: result, retryInMs: delay }, 'parcel-ready notice not delivered; will retry');
    p.timer = setTimeout(() => this.attempt(p), delay);
    p.timer.unref?.();
  }

  private giveUp(p: Pending, why: string): void {
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(p.notice.id);
    this.log.error(
      { noticeId: p.notice.id, reservationId: p.notice.reservationId, attempts: p.attempts, problem: why },
      `parcel-ready notice given up: issue a new pickup code with POST /api/v1/reservations/${p.notice.reservationId}/pickup-code`,
    );
    this.emit('gave-up', p.notice);
  }

  /** One POST; `true` on 2xx, else a one-line reason. */
  private async post(notice: ParcelReadyNotice): Promise<true | string> {
    const body = JSON.stringify(notice);
    const ts = this.now();
    const f = this.o.fetch ?? fetch;
    const res = await f(this.o.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portier-timestamp': String(ts),
        'x-portier-signature': signBody(this.o.secret, ts, body),
      },
      body,
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
      redirect: 'error',
    });
    // Drain the body so the connection is reused.
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? true : `webhook answered ${res.status}`;
  }
}
