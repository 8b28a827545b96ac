/**
 * The cloud's one policy for a controller's event sequence numbers: what is stored, what is acked, what is asked for
 * again, and what raises an alert. `CloudLink` hands it every parsed event and every ack of a controller.
 *
 * Each controller numbers its events 1, 2, 3... and keeps them in a durable outbox until a signed evtack covers them.
 * The cloud stores them exactly once by (controllerId, seq) in the events journal, and evtack's upTo is always the
 * highest seq up to which every seq is stored (or recorded as a gap, below), never more. Two things can break the
 * stream, and they look alike from the cloud (both arrive with the controller's credential):
 * - another client publishes under the controller's identity (a stolen credential), with seqs of its own choosing;
 * - the cloud's journal lost its tail (a crash, a restore from backup): events the cloud acked, and the controller
 *   then dropped, are no longer in the journal, so the controller's next events look far ahead.
 * What tells them apart is the cloud's own signature: the controller reports (on `reported`) the last evtack it
 * applied, as the cloud signed it. Nobody without the cloud's key can claim the cloud acked more than it did.
 *
 * The policy, for an event at `seq` when the controller's next expected seq is `next`:
 * 1. seq = next: stored, then acked. If an event with other content was seen earlier ahead of a gap at this seq, the
 *    one that arrives in order (the controller's stream, as the cloud asked for it) is stored and the other is kept
 *    as a conflict record: an `event-conflict` alert.
 * 2. seq < next, same content as stored: a replay; acked again. A seq too old for the cloud to have its fingerprint
 *    is taken as a replay too: a controller only sends again what it still holds, which is recent.
 * 3. seq < next, other content than stored: a conflict (a second publisher, or a controller whose numbering went
 *    back). Both are kept: the stored one stays what the seq means, the other is written as a conflict record, then
 *    acked so the sender's outbox drains; an `event-conflict` alert names the seqs. Nothing is lost either way, and
 *    nothing is applied twice; which one was genuine is for a person to judge.
 * 4. seq > next, and the controller's signed evtack says the cloud once acked up to at least `next`: those seqs were
 *    stored and then lost by the cloud; the controller dropped them and cannot send them again. next..min(acked,
 *    seq - 1) is recorded as a gap (it counts as stored), an `event-gap` alert names the range, and the event is
 *    taken under step 1 if it is now in order.
 * 5. seq > next otherwise: a gap that may still be filled. The event is not stored (so nobody can take future seqs
 *    from the controller by publishing them first) but kept in memory, bounded, to be compared with what comes in
 *    order later (step 1). The controller is asked with a signed resend-events from `next` (open-ended: it sends
 *    again everything it holds from there, in order), at most once per `resendAfterMs` for the same `next`. If it
 *    answers and `next` is still missing, the events ahead are not its own: an `event-ahead` alert.
 * Alerts are folded per controller and kind: the first at once, then one per window with the range and count.
 *
 * Limits. A controller on firmware that does not report its evtack cannot prove a lost tail: its gap stays open and
 * is alerted as `event-ahead`, whose detail carries the controller's answer ("up to N already confirmed") for a
 * person to act on. A client that publishes at the very next seq, before the controller does, gets its events
 * stored first; the controller's own events under those seqs are kept as conflicts (step 3). Its numbering then
 * stays behind the cloud's evtack: it logs events confirmed that it never numbered, and on such an evtack drops only
 * the events the broker took from it (which reach the cloud and are kept), never ones not yet sent.
 */
import { randomUUID } from 'node:crypto';
import type { Ack } from '@portier/protocol';
import type { Logger } from 'pino';
import { fingerprint, type StoredEvent } from './event-journal.ts';
import type { EventLog } from './event-log.ts';

export type SequenceAlertKind = 'event-gap' | 'event-conflict' | 'event-ahead';

export interface SequenceAlert {
  bankId: string;
  controllerId: string;
  kind: SequenceAlertKind;
  fromSeq: number;
  toSeq: number;
  /** How many occurrences this alert stands for (later ones in a window are folded into one). */
  count: number;
  detail: string;
}

export interface EventSequencerOptions {
  journal: EventLog;
  logger: Logger;
  now: () => number;
  /** The `upTo` of the controller's last reported evtack if it carries the cloud's valid signature for it, else 0. */
  provenUpTo(bankId: string, controllerId: string): number;
  /** Sends a signed resend-events {fromSeq} with this command id. */
  askResend(bankId: string, controllerId: string, fromSeq: number, commandId: string): Promise<unknown>;
  /** Schedules an evtack for the controller's highest contiguous stored seq. */
  evtack(bankId: string, controllerId: string): void;
  /** An event is durably stored, in seq order. */
  stored(e: StoredEvent): void;
  gap(g: { bankId: string; controllerId: string; fromSeq: number; toSeq: number }): void;
  conflict(c: { bankId: string; controllerId: string; seq: number }): void;
  alert(a: SequenceAlert): void;
  /** A gap is asked for again after this long if it is still open (default 5 s). */
  resendAfterMs?: number;
  /** Events kept per controller while they wait ahead of a gap (default 1000). */
  maxAhead?: number;
  /** Alerts of one kind for one controller are folded over this window (default 60 s). */
  alertWindowMs?: number;
}

interface SeqState {
  bankId: string;
  controllerId: string;
  /** Events seen ahead of a gap, not stored: compared with what comes in order. */
  ahead: Map<number, StoredEvent>;
  lastResend: { fromSeq: number; at: number; commandId: string; answered?: boolean } | null;
  /** `seq/fingerprint` of conflicts already kept, so a replay of one is not written twice. */
  kept: Set<string>;
}

interface Folding {
  alert: SequenceAlert;
  timer: ReturnType<typeof setTimeout>;
  folded: boolean;
}

const KEPT_CONFLICTS = 64;

export class EventSequencer {
  private readonly states = new Map<string, SeqState>();
  private readonly folding = new Map<string, Folding>();
  private readonly log: Logger;

  constructor(private readonly opts: EventSequencerOptions) {
    this.log = opts.logger;
  }

  /** One parsed event of a known, live controller. */
  onEvent(rec: StoredEvent): void {
    const st = this.state(rec.bankId, rec.controllerId);
    const j = this.opts.journal;
    let next = j.appendedUpTo(rec.controllerId) + 1;
    if (rec.seq < next) return this.behind(st, rec);
    if (rec.seq > next) {
      const proven = this.opts.provenUpTo(rec.bankId, rec.controllerId);
      if (proven >= next) {
        const toSeq = Math.min(proven, rec.seq - 1);
        this.acceptGap(st, next, toSeq);
        next = toSeq + 1;
      }
    }
    if (rec.seq > next) return this.ahead(st, rec, next);
    this.inOrder(st, rec);
  }

  /** An ack of the controller: the answer to a resend-events tells whether it could fill the gap. */
  onAck(bankId: string, controllerId: string, ack: Ack): void {
    const st = this.states.get(controllerId);
    const asked = st?.lastResend;
    if (!st || !asked || asked.commandId !== ack.commandId) return;
    asked.answered = true;
    const next = this.opts.journal.appendedUpTo(controllerId) + 1;
    if (next > asked.fromSeq) return; // it sent what was missing (or the gap was accepted meanwhile)
    const waiting = [...st.ahead.keys()].filter((s) => s >= next);
    if (waiting.length === 0) return;
    const from = Math.min(...waiting);
    const to = Math.max(...waiting);
    this.raise(
      st,
      'event-ahead',
      from,
      to,
      `events ${from}..${to} came ahead of seq ${next}, which the controller did not send when asked (it answered ${ack.status}${ack.detail ? `: ${ack.detail}` : ''}); not stored: if the controller never sent them, another client is publishing under its identity`,
    );
  }

  /**
   * This instance now stores the controller's events (it took its bank over from another instance, whose memory of
   * the controller is gone): what this one remembered is dropped, and the controller is asked to send again from the
   * first seq the journal does not hold, since events the other instance received but never stored wait unacked in
   * the controller's outbox. The journal is refreshed for it before this is called.
   */
  takeOver(bankId: string, controllerId: string): void {
    this.states.delete(controllerId);
    const st = this.state(bankId, controllerId);
    const fromSeq = this.opts.journal.appendedUpTo(controllerId) + 1;
    const commandId = `cmd-${randomUUID()}`;
    st.lastResend = { fromSeq, at: this.opts.now(), commandId };
    this.opts.evtack(bankId, controllerId);
    this.opts.askResend(bankId, controllerId, fromSeq, commandId).catch((err: unknown) => this.log.warn({ err, controllerId }, 'resend-events not sent'));
  }

  /** Another instance stores the controller's events from now: nothing of it is kept here. */
  forget(controllerId: string): void {
    this.states.delete(controllerId);
  }

  /** Reports the alerts still folded and stops their timers. */
  stop(): void {
    for (const [key, f] of this.folding) {
      clearTimeout(f.timer);
      this.folding.delete(key);
      if (f.folded) this.opts.alert(f.alert);
    }
  }

  private state(bankId: string, controllerId: string): SeqState {
    let st = this.states.get(controllerId);
    if (!st) {
      st = { bankId, controllerId, ahead: new Map(), lastResend: null, kept: new Set() };
      this.states.set(controllerId, st);
    }
    return st;
  }

  private inOrder(st: SeqState, rec: StoredEvent): void {
    const j = this.opts.journal;
    const early = st.ahead.get(rec.seq);
    st.ahead.delete(rec.seq);
    j.append([rec]).then(
      (stored) => {
        // Left out when another instance stored it first: it applies it, this one only acks.
        for (const e of stored) this.opts.stored(e);
        this.opts.evtack(st.bankId, st.controllerId);
      },
      (err: unknown) => this.log.error({ err, controllerId: st.controllerId, seq: rec.seq }, 'storing an event failed; not acked, the controller keeps it'),
    );
    if (early && fingerprint(early) !== fingerprint(rec)) {
      this.keepConflict(st, early, 'came ahead of a gap; the event that came in order is stored under that seq');
    }
  }

  private behind(st: SeqState, rec: StoredEvent): void {
    const j = this.opts.journal;
    const known = j.fingerprintAt(rec.controllerId, rec.seq);
    if (known === undefined || known === fingerprint(rec)) {
      // A replay (after a lost evtack, or a resend): already stored, ack again so the outbox drains.
      if (rec.seq <= j.storedUpTo(rec.controllerId)) this.opts.evtack(st.bankId, st.controllerId);
      return;
    }
    this.keepConflict(st, rec, 'arrived after another event was stored under that seq');
  }

  /** Both events of a conflict are kept: this one as a conflict record, then acked; alerted. */
  private keepConflict(st: SeqState, rec: StoredEvent, why: string): void {
    const key = `${rec.seq}/${fingerprint(rec)}`;
    this.opts.conflict({ bankId: st.bankId, controllerId: st.controllerId, seq: rec.seq });
    if (st.kept.has(key)) {
      if (rec.seq <= this.opts.journal.storedUpTo(st.controllerId)) this.opts.evtack(st.bankId, st.controllerId);
      return;
    }
    st.kept.add(key);
    if (st.kept.size > KEPT_CONFLICTS) st.kept.delete(st.kept.values().next().value as string);
    this.log.error({ controllerId: st.controllerId, seq: rec.seq }, 'two different events under one seq: both kept');
    this.raise(
      st,
      'event-conflict',
      rec.seq,
      rec.seq,
      `two different events under one seq: one ${why}; both are kept in the events journal and only the stored one is applied (another client is publishing under this controller's identity, or its numbering went back)`,
    );
    this.opts.journal.appendConflict(rec).then(
      () => this.opts.evtack(st.bankId, st.controllerId),
      (err: unknown) => {
        st.kept.delete(key);
        this.log.error({ err, controllerId: st.controllerId, seq: rec.seq }, 'keeping a conflicting event failed; not acked');
      },
    );
  }

  private acceptGap(st: SeqState, fromSeq: number, toSeq: number): void {
    const reason = `acked by the cloud earlier (signed evtack the controller reported) but missing from the events journal`;
    for (const s of st.ahead.keys()) if (s <= toSeq) st.ahead.delete(s);
    this.log.warn({ controllerId: st.controllerId, fromSeq, toSeq }, 'events the cloud acked are missing from its journal: recorded as a gap');
    this.raise(
      st,
      'event-gap',
      fromSeq,
      toSeq,
      `events ${fromSeq}..${toSeq} are lost: ${reason} (the journal lost its tail); the controller dropped them after that evtack, so ingestion goes on after them`,
    );
    this.opts.journal.appendGap({ bankId: st.bankId, controllerId: st.controllerId, fromSeq, toSeq, storedAt: this.opts.now(), reason }).then(
      () => this.opts.evtack(st.bankId, st.controllerId),
      (err: unknown) => this.log.error({ err, controllerId: st.controllerId, fromSeq, toSeq }, 'recording a gap failed'),
    );
  }

  /**
   * The controller (re)connected: a resend it was asked for while away may never have reached it (another client
   * under its identity held the connection, and a clean session of that client dropped the controller's queue), so
   * an open gap that was asked for and never answered is asked for again.
   */
  onConnected(bankId: string, controllerId: string): void {
    const st = this.states.get(controllerId);
    const asked = st?.lastResend;
    if (!st || !asked || asked.answered || st.ahead.size === 0) return;
    const next = this.opts.journal.appendedUpTo(controllerId) + 1;
    if (next > asked.fromSeq) return;
    const commandId = `cmd-${randomUUID()}`;
    st.lastResend = { fromSeq: next, at: this.opts.now(), commandId };
    this.log.info({ controllerId, fromSeq: next }, 'event gap still open: asking the reconnected controller again');
    this.opts.askResend(bankId, controllerId, next, commandId).catch((err: unknown) => this.log.warn({ err, controllerId }, 'resend-events not sent'));
  }

  private ahead(st: SeqState, rec: StoredEvent, next: number): void {
    if (!st.ahead.has(rec.seq)) {
      if (st.ahead.size >= (this.opts.maxAhead ?? 1000)) this.log.warn({ controllerId: st.controllerId, seq: rec.seq }, 'too many events ahead of a gap; one not kept');
      else st.ahead.set(rec.seq, rec);
    }
    const now = this.opts.now();
    const last = st.lastResend;
    if (last && last.fromSeq === next && now - last.at < (this.opts.resendAfterMs ?? 5000)) return;
    const commandId = `cmd-${randomUUID()}`;
    st.lastResend = { fromSeq: next, at: now, commandId };
    this.log.info({ controllerId: st.controllerId, fromSeq: next, toSeq: rec.seq - 1 }, 'event gap: asking for a resend');
    this.opts.gap({ bankId: st.bankId, controllerId: st.controllerId, fromSeq: next, toSeq: rec.seq - 1 });
    this.opts
      .askResend(st.bankId, st.controllerId, next, commandId)
      .catch((err: unknown) => this.log.warn({ err, controllerId: st.controllerId }, 'resend-events not sent'));
  }

  /** The first alert of a kind for a controller goes out at once; later ones in the window are folded into one. */
  private raise(st: SeqState, kind: SequenceAlertKind, fromSeq: number, toSeq: number, detail: string): void {
    const key = `${st.controllerId}/${kind}`;
    const f = this.folding.get(key);
    if (f) {
      const a = f.alert;
      f.alert = f.folded
        ? { ...a, fromSeq: Math.min(a.fromSeq, fromSeq), toSeq: Math.max(a.toSeq, toSeq), count: a.count + 1, detail }
        : { ...a, fromSeq, toSeq, count: 1, detail };
      f.folded = true;
      return;
    }
    const alert: SequenceAlert = { bankId: st.bankId, controllerId: st.controllerId, kind, fromSeq, toSeq, count: 1, detail };
    this.log.warn(alert, 'event sequence alert');
    this.opts.alert(alert);
    this.openWindow(key, alert);
  }

  private openWindow(key: string, alert: SequenceAlert): void {
    const timer = setTimeout(() => {
      const f = this.folding.get(key);
      this.folding.delete(key);
      if (!f?.folded) return;
      this.log.warn(f.alert, 'event sequence alert (folded)');
      this.opts.alert(f.alert);
      this.openWindow(key, f.alert);
    }, this.opts.alertWindowMs ?? 60_000);
    timer.unref?.();
    this.folding.set(key, { alert, timer, folded: false });
  }
}
