/**
 * Activity rows as a person reads them: the stored entry (ids only, so a rename or an erasure never rewrites
 * history) with the names it points to resolved when a page is read. The JSON page and the CSV export both go
 * through `ActivityRows`, so they name things the same way.
 * - Names come from the live store; the status of an ended reservation from history.
 * - An id that no longer resolves stays an id; a person erased from history shows as `ERASED_NAME`.
 */
import type { Store } from '../../store/store.ts';
import { predefinedRole, type ActivityEntry, type AuditChange, type Reservation, contactDisplayName } from '../model.ts';
import { ERASED_NAME } from './history.ts';
import { CUSTOM_AUDIT_PREFIX } from './custom-fields.ts';

/** What a person reads next to an entry's ids; absent when the entry has no such link or it does not resolve. */
export interface ActivityNames {
  recipientName?: string;
  bankName?: string;
  locationId?: string;
  locationName?: string;
  /** A user's name, a carrier's, `kiosk` (a controller acting for a person at the locker) or `system`. */
  actorName: string;
  /** The status of the reservation the entry is about, now (`ended` once it left the live store). */
  status?: Reservation['status'];
  /** The tracking IDs of that reservation's parcels, when the entry names none itself. */
  trackingIds?: string[];
  /** An administrative change: the object's kind and name, and what changed as one line. */
  targetName?: string;
  changesText?: string;
}
export type ActivityRow = ActivityEntry & ActivityNames;

/** Ids an erasure put in the place of a person (history.ts `erasePerson`). */
const ERASED_ID = /^erased-/;

export class ActivityRows {
  constructor(private readonly store: Store) {}

  /** `entries` with their names (one history look-up per ended reservation of the page). */
  async of(entries: readonly ActivityEntry[]): Promise<ActivityRow[]> {
    const reservations = new Map<string, Reservation | undefined>();
    for (const a of entries) {
      if (a.reservationId === undefined || reservations.has(a.reservationId)) continue;
      reservations.set(a.reservationId, this.store.get('reservations', a.reservationId) ?? (await this.store.pastReservation(a.reservationId)));
    }
    return entries.map((a) => ({ ...a, ...this.names(a, a.reservationId !== undefined ? reservations.get(a.reservationId) : undefined) }));
  }

  private names(a: ActivityEntry, r: Reservation | undefined): ActivityNames {
    const out: ActivityNames = { actorName: this.actorName(a) };
    const recipient = a.recipientId !== undefined ? this.personName(a.recipientId) : undefined;
    if (recipient !== undefined) out.recipientName = recipient;
    const bank = a.bankId !== undefined ? this.store.get('banks', a.bankId) : undefined;
    if (bank) {
      out.bankName = bank.name;
      out.locationId = bank.locationId;
      const location = this.store.get('locations', bank.locationId);
      if (location) out.locationName = location.name;
    }
    if (r) {
      out.status = r.status;
      const tracking = r.packages.flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : []));
      if (a.trackingId === undefined && tracking.length > 0) out.trackingIds = tracking;
    }
    if (a.target) out.targetName = a.target.kind === 'custom-field' ? `custom field ${this.customFieldName(a.enterpriseId, a.target.id)}` : `${a.target.kind} ${this.targetName(a.target.kind, a.target.id)}`;
    if (a.changes && a.changes.length > 0) out.changesText = changesText(a.changes.map((c) => this.customChange(a.enterpriseId, c)));
    return out;
  }

  /** A custom field by its English label and id (`Cost centre (f-1)`), a removed one said so; its id when unknown. */
  private customFieldName(enterpriseId: string | undefined, id: string): string {
    const f = enterpriseId !== undefined ? this.store.get('enterprises', enterpriseId)?.customFields?.find((x) => x.id === id) : undefined;
    return f ? `${f.label.en} (${id}${f.removedAt !== undefined ? ', removed' : ''})` : id;
  }

  /** A change of a custom value (`custom.<id>`) named by the field's label, even after the field was removed. */
  private customChange(enterpriseId: string | undefined, c: AuditChange): AuditChange {
    if (!c.field.startsWith(CUSTOM_AUDIT_PREFIX)) return c;
    const id = c.field.slice(CUSTOM_AUDIT_PREFIX.length);
    const f = enterpriseId !== undefined ? this.store.get('enterprises', enterpriseId)?.customFields?.find((x) => x.id === id) : undefined;
    return f ? { ...c, field: `${CUSTOM_AUDIT_PREFIX}${f.label.en}${f.removedAt !== undefined ? ' (removed)' : ''}` } : c;
  }

  private personName(id: string): string | undefined {
    const contact = this.store.get('contacts', id);
    const name = contact ? contactDisplayName(contact) : this.store.get('departments', id)?.name;
    return name ?? (ERASED_ID.test(id) ? ERASED_NAME : undefined);
  }

  private actorName(a: ActivityEntry): string {
    const { role, id } = a.actor;
    if (role === 'system') return id !== undefined && a.type !== 'alert' ? 'kiosk' : 'system';
    if (id === undefined) return role;
    const user = this.store.get('users', id);
    if (user) return user.username;
    // A request made with an API key names the key as its actor.
    const key = this.store.get('apiKeys', id);
    if (key) return `API key ${key.name}`;
    if (role === 'carrier') return this.store.get('carriers', id)?.name ?? id;
    return this.personName(id) ?? id;
  }

  private targetName(kind: NonNullable<ActivityEntry['target']>['kind'], id: string): string {
    const named = (v: { name: string } | undefined): string => (v ? `${v.name} (${id})` : id);
    switch (kind) {
      case 'enterprise':
        return named(this.store.get('enterprises', id));
      case 'division':
        return named(this.store.get('divisions', id));
      case 'location':
        return named(this.store.get('locations', id));
      case 'bank':
        return named(this.store.get('banks', id));
      case 'role':
        return named(this.store.get('roles', id) ?? predefinedRole(id));
      case 'contact':
      case 'department':
        return ((name) => (name !== undefined ? `${name} (${id})` : id))(this.personName(id));
      case 'carrier':
        return named(this.store.get('carriers', id));
      case 'api-key':
        return named(this.store.get('apiKeys', id));
      case 'user': {
        const u = this.store.get('users', id);
        return u ? `${u.username} (${id})` : id;
      }
      case 'carrier-code': {
        const cc = this.store.get('carrierCodes', id);
        const carrier = cc ? this.store.get('carriers', cc.carrierId) : undefined;
        return carrier ? `${id} of ${carrier.name}` : id;
      }
      default:
        return id;
    }
  }
}

/** What changed, one line: `field: before → after` per field (a hidden value shows as `changed`). */
export function changesText(changes: readonly AuditChange[]): string {
  return changes
    .map((c) => (c.from === undefined && c.to === undefined ? `${c.field}: changed` : `${c.field}: ${c.from ?? '(none)'} → ${c.to ?? '(none)'}`))
    .join('; ');
}
