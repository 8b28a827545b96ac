/**
 * The crash window of event ingest. A controller's mark is a commit of its own, made right after the domain change an
 * event caused is durable (LockerService commits inside its use cases and offers no way to add a put to that commit).
 * Commits are durable in the order they were made, so a crash can lose at most the mark of the last event applied per
 * controller: at the next start that one event (the first after the mark) may already be in the domain. Before it is
 * applied again, this module tells whether it had been:
 * - a transaction wrote `applying: { seq, at }` into its mark just before the domain call (ordered before the domain
 *   commit). The activity log is asked whether the event's actor did anything since `at` on its lockers or
 *   reservations; if so it is taken as applied and skipped (otherwise a drop-off re-applied to its now occupied
 *   reservation would issue a second pickup code, an exchange would flip back, a storage-end after the expiry would
 *   pick the storage up);
 * - an alert is taken as applied when the activity log already holds the alert of that controller and seq;
 * - service-changed is skipped when the locker already has that state (transactions.ts); other events change nothing.
 */
import { findActivity, type Store } from '../../store/store.ts';
import type { StoredEvent } from '../../sync/event-journal.ts';
import type { DomainDoorMap } from '../door-map.ts';
import type { IngestMarks } from './marks.ts';

export class CrashWindow {
  /** `controllerId/seq` of the events that may have reached the domain before a crash lost their mark. */
  private readonly events = new Set<string>();

  constructor(private readonly opts: { store: Store; marks: IngestMarks; doors: DomainDoorMap }) {}

  /** Notes, of the events stored but not applied at start, the first (lowest seq) of each controller. */
  open(missed: readonly StoredEvent[]): void {
    const first = new Map<string, number>();
    for (const e of missed) first.set(e.controllerId, Math.min(first.get(e.controllerId) ?? e.seq, e.seq));
    for (const [controllerId, seq] of first) this.events.add(`${controllerId}/${seq}`);
  }

  /** Whether `e` is in the window and had reached the domain before the crash (asked once per event). */
  async appliedBefore(e: StoredEvent): Promise<boolean> {
    if (!this.events.delete(`${e.controllerId}/${e.seq}`)) return false;
    const ev = e.event;
    switch (ev.type) {
      case 'door-forced':
      case 'door-left-open':
      case 'door-jammed':
      case 'lock-fault': {
        const tag = `(controller ${e.controllerId} event ${e.seq})`;
        // Recorded after the event was stored (same cloud clock), so no older entry needs to be looked at.
        return (await findActivity(this.opts.store, { type: 'alert', bankId: e.bankId, from: e.storedAt }, (a) => a.detail?.endsWith(tag) === true)) !== undefined;
      }
      case 'transaction': {
        const applying = this.opts.marks.applying(e.controllerId);
        // No `applying` for it: the domain commit, made after that mark, cannot be durable without it either.
        if (applying?.seq !== e.seq) return false;
        const lockers = new Set<number>();
        for (const door of ev.doors) {
          const ref = this.opts.doors.lockerAt(e.controllerId, door);
          if (ref && ref.bankId === e.bankId) lockers.add(ref.lockerNumber);
        }
        const ids = new Set(ev.reservationIds);
        // The use cases record the event's actor: an entry by someone else (staff in the API) is not this event.
        const done = await findActivity(
          this.opts.store,
          { bankId: e.bankId, from: applying.at },
          (a) =>
            a.actor.role === ev.actor.role &&
            a.actor.id === ev.actor.id &&
            ((a.lockerNumber !== undefined && lockers.has(a.lockerNumber)) || (a.reservationId !== undefined && ids.has(a.reservationId))),
        );
        return done !== undefined;
      }
      default:
        return false;
    }
  }
}
