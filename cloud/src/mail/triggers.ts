/**
 * Which messages a reservation calls for, derived from its durable state so that none is lost or doubled: each has an
 * id made from its cause (the reservation, the kind, and the time of the code or event it is about), and the outbox
 * queues an id once. The domain's events queue them as they happen; a pass over the live reservations at start queues
 * whatever a crash kept from being queued (a drop-off committed, the cloud killed before its notice was); a timer
 * queues reminders and expiring-soon notices when they fall due.
 *
 * A pickup code is sealed on its reservation (`pickupCode.code`): the message opens it there, so it can be written
 * again after a restart. A code of an older release (a hash only) can be told only from the event that issued it.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { CodeVault } from '../domain/code-vault.ts';
import { isSealed } from '../domain/codes.ts';
import type { ReservationChanged } from '../domain/events.ts';
import { enterpriseSettings, type Reservation } from '../domain/model.ts';
import type { Store } from '../store/store.ts';
import type { MailContent } from './content.ts';
import type { MailKind } from './model.ts';
import type { MailOutbox, NewMail } from './outbox.ts';
import { AUDIENCES, NOTIFIED_EVENTS, rulesOf, type Audience, type NotifiedEvent } from './notification-model.ts';
import { addresseeOf, enterpriseOfBank, keyContactOf, placeOf, reserverOf, type Addressee } from './recipients.ts';

function isNotifiedEvent(kind: MailKind): kind is NotifiedEvent {
  return (NOTIFIED_EVENTS as readonly MailKind[]).includes(kind);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * How far back a cause is still acted on by the pass at start and the timer: under the outbox's retention, so a
 * message pruned after being sent is never queued again by a reservation that is still live.
 */
export const CAUSE_WINDOW_MS = 7 * DAY;

/** The id of the message of `kind` about `subjectId` caused at `at` (the same cause gives the same id). */
export function mailId(subjectId: string, kind: MailKind, at: number | string): string {
  return `mail-${createHash('sha256').update(`${subjectId}|${kind}|${at}`).digest('hex').slice(0, 32)}`;
}

/** The code field of a message's content, when the code is known. */
function withCode(code: string | undefined): { code?: string } {
  return code !== undefined ? { code } : {};
}

type Greeting = { name: string; language: 'en' | 'fr'; preferencesUrl?: string };

export interface ReservationMailOptions {
  store: Store;
  vault: CodeVault;
  outbox: Pick<MailOutbox, 'queue'>;
  logger: Logger;
  now: () => number;
  /** The page where a contact changes their notification preferences. */
  preferencesUrl: (contactId: string) => string;
}

export class ReservationMail {
  private readonly log: Logger;

  constructor(private readonly o: ReservationMailOptions) {
    this.log = o.logger.child({ module: 'mail' });
  }

  /** Queues each message (already queued ids are skipped); a failure is logged, the pass at start catches up. */
  async queue(list: NewMail[]): Promise<void> {
    for (const m of list) {
      await this.o.outbox.queue(m).catch((err: unknown) => this.log.error({ err, mailId: m.id, kind: m.kind }, 'e-mail not queued'));
    }
  }

  /** A domain change: what the new state calls for, and the receipt of a pickup. */
  onChange(e: ReservationChanged, code?: string): NewMail[] {
    const r = e.reservation;
    if (e.change === 'picked-up' && r.kind !== 'storage' && r.endedAt !== undefined) {
      return this.notices(r, 'picked-up', r.endedAt, r.endedAt, r.recipient, (g) => ({ ...g, kind: 'picked-up', place: placeOf(this.o.store, r.bankId, r.lockerNumber), at: r.endedAt! }));
    }
    return this.forState(r, code, true);
  }

  /**
   * The messages a live reservation's state calls for: its code (to the collector, the person bringing a return, the
   * person storing), or its expiry. `fresh`: the state has just been reached (an event), so its cause is not too old.
   */
  forState(r: Reservation, hintCode?: string, fresh = false): NewMail[] {
    const now = this.o.now();
    const recent = (at: number) => fresh || now - at < CAUSE_WINDOW_MS;
    const place = placeOf(this.o.store, r.bankId, r.lockerNumber);
    const pc = r.pickupCode;
    if (r.status === 'expired' && r.expiredAt !== undefined && recent(r.expiredAt)) {
      return this.notices(r, 'expired', r.expiredAt, r.expiredAt, r.recipient, (g) => ({ ...g, kind: 'expired', place, at: r.expiredAt! }));
    }
    if (!pc || !recent(pc.issuedAt) || pc.expiresAt <= now) return [];
    // Opened only for a message not queued yet: the sweep looks at every live reservation each interval.
    const code = (): string | undefined => this.codeOf(r) ?? hintCode;
    if (r.status === 'occupied' && r.kind !== 'storage') {
      const to = r.kind === 'package' ? r.recipient : (r.pickupParty ?? r.recipient);
      const trackingIds = r.packages.flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : []));
      return this.notices(r, 'parcel-ready', pc.issuedAt, pc.issuedAt, to, (g) => ({
        ...g,
        kind: 'parcel-ready',
        reservationKind: r.kind,
        place,
        ...withCode(code()),
        expiresAt: pc.expiresAt,
        trackingIds,
      }));
    }
    if (r.status !== 'reserved') return [];
    const known = code();
    if (known === undefined) return [];
    if (r.kind === 'storage') {
      return this.notices(r, 'storage', pc.issuedAt, pc.issuedAt, r.recipient, (g) => ({ ...g, kind: 'storage', place, code: known, ...(r.endsAt !== undefined ? { endsAt: r.endsAt } : {}) }));
    }
    if ((r.kind === 'return' || r.kind === 'exchange') && r.dropOffParty) {
      return this.notices(r, 'drop-off-code', pc.issuedAt, pc.issuedAt, r.dropOffParty, (g) => ({ ...g, kind: 'drop-off-code', reservationKind: r.kind, place, code: known, expiresAt: pc.expiresAt }));
    }
    return [];
  }

  /** Reminders after `reminderDays` and notices `expiringSoonHours` before the code's expiry, once each, when due. */
  timed(r: Reservation): NewMail[] {
    const pc = r.pickupCode;
    if (r.status !== 'occupied' || r.kind === 'storage' || !pc || r.occupiedAt === undefined) return [];
    const now = this.o.now();
    if (now >= pc.expiresAt) return [];
    const ent = enterpriseOfBank(this.o.store, r.bankId);
    const s = enterpriseSettings(ent !== undefined ? this.o.store.get('enterprises', ent) : undefined);
    const due = (at: number) => at <= now && now - at < CAUSE_WINDOW_MS;
    const to = r.kind === 'package' ? r.recipient : (r.pickupParty ?? r.recipient);
    const place = placeOf(this.o.store, r.bankId, r.lockerNumber);
    const out: NewMail[] = [];
    // The reminder counts from the drop-off; a new code (a recipient named later) does not restart it.
    const remindAt = r.occupiedAt + s.reminderDays * DAY;
    if (due(remindAt) && remindAt < pc.expiresAt - s.expiringSoonHours * HOUR) {
      out.push(...this.notices(r, 'reminder', r.occupiedAt, remindAt, to, (g) => ({ ...g, kind: 'reminder', reservationKind: r.kind, place, ...withCode(this.codeOf(r)), expiresAt: pc.expiresAt, since: r.occupiedAt! })));
    }
    const warnAt = pc.expiresAt - s.expiringSoonHours * HOUR;
    if (due(warnAt)) {
      out.push(...this.notices(r, 'expiring-soon', pc.expiresAt, warnAt, to, (g) => ({ ...g, kind: 'expiring-soon', reservationKind: r.kind, place, ...withCode(this.codeOf(r)), expiresAt: pc.expiresAt })));
    }
    return out;
  }

  /** Everything the live reservations call for now: the pass at start and each tick of the timer. */
  async sweep(): Promise<void> {
    for (const r of this.o.store.list('reservations')) await this.queue([...this.forState(r), ...this.timed(r)]);
  }

  private codeOf(r: Reservation): string | undefined {
    const stored = r.pickupCode?.code;
    return stored && isSealed(stored) ? this.o.vault.open('pickup-code', stored.sealed) : undefined;
  }

  /**
   * The notices of `kind` about `r`: to `ref` (the party the state concerns), and for an event of a parcel to whom
   * the enterprise's rules name besides (or instead). One per person, the recipient first; the recipient's id is the
   * cause's alone (as before rules existed), another addressee's names them too, so each is queued once. An event
   * that fell due (`dueAt`) before the rules were last set was told when it fell due: a pass catching up after a
   * crash tells its recipient alone, so new rules never reach back to parcels of the past.
   */
  private notices(
    r: Reservation,
    kind: MailKind,
    causeAt: number,
    dueAt: number,
    ref: Reservation['recipient'] | NonNullable<Reservation['dropOffParty']>,
    content: (g: Greeting) => MailContent,
  ): NewMail[] {
    const { store } = this.o;
    const enterpriseId = enterpriseOfBank(store, r.bankId);
    if (enterpriseId === undefined) return [];
    const setAt = store.get('notificationRules', enterpriseId)?.updatedAt;
    const chosen: readonly Audience[] = isNotifiedEvent(kind) && (setAt === undefined || dueAt >= setAt) ? rulesOf(store, enterpriseId)[kind] : ['recipient'];
    const out: NewMail[] = [];
    const seen = new Set<string>();
    for (const audience of AUDIENCES.filter((a) => chosen.includes(a))) {
      const who = audience === 'recipient' ? addresseeOf(store, ref) : audience === 'keyContact' ? keyContactOf(store, ref) : reserverOf(store, r.createdBy, enterpriseId);
      if (!who) continue;
      const person = `${who.to.type}:${who.to.id}`;
      const address = who.address?.toLowerCase();
      if (seen.has(person) || (address !== undefined && seen.has(address))) continue;
      seen.add(person);
      if (address !== undefined) seen.add(address);
      const mail = audience === 'recipient' ? mailId(r.id, kind, causeAt) : mailId(r.id, kind, `${causeAt}|${person}`);
      // Queued once already: nothing to build (the outbox would skip it too).
      if (store.get('mailOutbox', mail)) continue;
      out.push(this.notice(r, mail, enterpriseId, kind, who, content));
    }
    return out;
  }

  private notice(r: Reservation, id: string, enterpriseId: string, kind: MailKind, who: Addressee, content: (g: Greeting) => MailContent): NewMail {
    const greeting: Greeting = {
      name: who.name,
      language: who.language,
      ...(who.to.type === 'contact' ? { preferencesUrl: this.o.preferencesUrl(who.to.id) } : {}),
    };
    return {
      id,
      enterpriseId,
      kind,
      to: who.to,
      language: who.language,
      reservationId: r.id,
      bankId: r.bankId,
      ...(who.address !== undefined ? { address: who.address } : {}),
      ...(who.skip !== undefined ? { skip: who.skip } : { content: content(greeting) }),
    };
  }
}
