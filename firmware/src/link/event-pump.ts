import type { KeyObject } from 'node:crypto';
import { parsePayload, verifyMessage, type EventBody, type PortierEvent, type Reported } from '@portier/protocol';
import type { CloudClock } from '../clock/cloud-clock.ts';
import type { Logger } from '../util/logger.ts';
import type { CommandStore } from './command-store.ts';
import type { LinkConnection } from './connection.ts';
import type { Outbox } from './outbox.ts';

export interface EventPumpDeps {
  key: KeyObject;
  bankId: string;
  controllerId: string;
  outbox: Outbox;
  commands: CommandStore;
  clock: CloudClock;
  conn: Pick<LinkConnection, 'onlineClient' | 'isCurrent' | 'publish'>;
  log: Logger;
  /** Learns cloud time from a verified message's `issuedAt`. */
  learn(issuedAt: number): void;
  /** An evtack that is not one: logged and announced. */
  drop(code: string, message: string): void;
  evtack(e: { upTo: number; dropped: number }): void;
  buildReported(): Reported;
  /** Publish the outbox again after this long online without evtack progress. */
  evtackTimeoutMs: number;
}

/**
 * The event side of the link: an event is numbered and on disk in the outbox before it is published, published in
 * seq order on every connection (the whole outbox again after a reconnect: the broker may have lost what it took),
 * and dropped from the outbox only when a signed evtack covers it.
 */
export class EventPump {
  private durableUpTo: number;
  private publishedUpTo = 0;
  /** Highest seq the broker took (PUBACK) on the current connection: events it will deliver to the cloud. */
  private brokerHasUpTo = 0;
  private ackedAtLastCheck = -1;
  private resendTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly d: EventPumpDeps) {
    this.durableUpTo = d.outbox.nextSeq - 1;
  }

  startTimer(): void {
    this.resendTimer = setInterval(() => this.resendIfStalled(), this.d.evtackTimeoutMs);
    this.resendTimer.unref?.();
  }

  stopTimer(): void {
    if (this.resendTimer) clearInterval(this.resendTimer);
    this.resendTimer = undefined;
  }

  /** Next seq, appended to the durable outbox, then published when online. Resolves once the event is on disk. */
  async publish(body: EventBody): Promise<PortierEvent> {
    const { outbox, commands, clock } = this.d;
    const { entry, durable } = outbox.append(body, clock.now());
    commands.setSeqHighWater(entry.seq);
    await durable;
    if (entry.seq > this.durableUpTo) this.durableUpTo = entry.seq;
    this.pump();
    return entry;
  }

  /** A new connection: everything not confirmed is published again, in seq order. */
  connected(): void {
    this.publishedUpTo = this.d.outbox.ackedUpTo;
    this.brokerHasUpTo = this.d.outbox.ackedUpTo;
  }

  /** Publishes outbox entries that are on disk and not yet sent on this connection, in seq order. */
  pump(): void {
    const online = this.d.conn.onlineClient();
    if (!online) return;
    if (this.publishedUpTo >= this.durableUpTo) return;
    const { client, gen } = online;
    for (const e of this.d.outbox.range(this.publishedUpTo + 1, this.durableUpTo)) {
      this.d.conn.publish(client, 'evt', e, (err) => {
        if (!err && this.d.conn.isCurrent(gen) && e.seq > this.brokerHasUpTo) this.brokerHasUpTo = e.seq;
      });
    }
    this.publishedUpTo = this.durableUpTo;
  }

  /** `resend-events`: that range again; returns the ack's detail. */
  resend(fromSeq: number, toSeq: number | undefined): string {
    const { outbox, conn } = this.d;
    const range = outbox.range(fromSeq, toSeq);
    const online = conn.onlineClient();
    if (online) {
      // Asked for events already confirmed and dropped: the cloud lost them. Its signed evtack (in `reported`, sent
      // first) lets it record them as a gap and take the events that follow.
      if (fromSeq <= outbox.ackedUpTo) conn.publish(online.client, 'reported', this.d.buildReported());
      for (const e of range) conn.publish(online.client, 'evt', e);
    }
    const missing = fromSeq <= outbox.ackedUpTo ? ` (up to ${outbox.ackedUpTo} already confirmed)` : '';
    return `resent ${range.length} events${missing}`;
  }

  onEvtack(payload: Buffer): void {
    const { outbox, log } = this.d;
    const r = parsePayload('evtack', payload);
    if (!r.ok) return this.d.drop(r.code, r.message);
    const m = r.value;
    if (!verifyMessage(m, this.d.key)) return this.d.drop('BAD_SIGNATURE', 'evtack signature does not verify');
    if (m.bankId !== this.d.bankId || m.controllerId !== this.d.controllerId) return this.d.drop('WRONG_TARGET', 'evtack for another controller');
    this.d.learn(m.issuedAt);
    // An evtack beyond this controller's own numbering confirms events someone else published under its identity
    // (or from before its numbering went back): what it says about our seqs may be about theirs. Then only events the
    // broker took on this connection are dropped (the cloud gets them and keeps them, as conflicts if need be), never
    // ones it has not seen yet.
    const beyond = m.upTo > outbox.nextSeq - 1;
    if (beyond) log.warn({ upTo: m.upTo, lastSeq: outbox.nextSeq - 1 }, 'the cloud confirmed events this controller never numbered: another client may be publishing under its identity');
    const { dropped, durable } = outbox.ack(beyond ? this.brokerHasUpTo : m.upTo, beyond ? undefined : m);
    if (dropped || m.upTo > 0) void durable.catch((err: unknown) => log.error({ err }, 'could not write outbox after evtack'));
    this.d.evtack({ upTo: m.upTo, dropped });
  }

  private resendIfStalled(): void {
    const { outbox, log } = this.d;
    const acked = outbox.ackedUpTo;
    const stalled = acked === this.ackedAtLastCheck && outbox.depth > 0 && this.publishedUpTo > acked;
    this.ackedAtLastCheck = acked;
    if (!stalled || !this.d.conn.onlineClient()) return;
    log.info({ from: acked + 1, depth: outbox.depth }, 'no evtack progress; publishing the outbox again');
    this.publishedUpTo = acked;
    this.pump();
  }
}
