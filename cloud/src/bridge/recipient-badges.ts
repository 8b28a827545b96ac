/**
 * Recipients' badges at a bank: a contact's badge signs them in at the kiosk like a pickup code, so it reaches a bank's
 * controllers only while the contact has a parcel waiting there: an occupied package reservation for them. A locker
 * held for a drop-off does not count: there is nothing to collect yet, and a badge that signs someone in to an empty
 * page would only make every bank's document larger (the badge arrives with the first parcel dropped off and leaves
 * with the last one picked up).
 *
 * Computed from the bank's live reservations, reading each holder's contact by id: the size of the address book never
 * matters, only the parcels waiting in the bank.
 *
 * A badge number two such contacts share (an address book written before badges were checked for uniqueness) signs in
 * neither: the kiosk could not tell them apart.
 */
import { isPlaced, type Contact, type PlacedReservation, type Reservation } from '../domain/model.ts';
import type { DesiredSource } from './bank-layout.ts';

export interface RecipientBadge {
  contactId: string;
  /** The badge number, in clear as the contact record holds it: hashed before it leaves this module's callers. */
  badgeId: string;
  /** The contact's parcels waiting in the bank, by reservation id. */
  reservations: PlacedReservation[];
}

export interface BankBadges {
  /** By badge number: the badges that sign their holder in at the bank. */
  badges: Map<string, RecipientBadge>;
  /** Contacts left out because another contact with a parcel here has the same badge number. */
  shared: string[];
}

/** Whether a live reservation brings its recipient's badge to the bank. */
export function bringsBadge(r: Reservation): r is PlacedReservation {
  return r.status === 'occupied' && r.kind === 'package' && r.recipient.type === 'contact' && isPlaced(r);
}

/** The credential id of a contact's badge in a desired state (and in the kiosk's open requests). */
export const BADGE_CREDENTIAL_PREFIX = 'badge';

/** The badges of the recipients with a parcel waiting in `bankId`. */
export function bankBadges(src: DesiredSource, bankId: string): BankBadges {
  const byContact = new Map<string, RecipientBadge>();
  for (const r of src.list('reservations')) {
    if (r.bankId !== bankId || !bringsBadge(r)) continue;
    const known = byContact.get(r.recipient.id);
    if (known) {
      known.reservations.push(r);
      continue;
    }
    const contact: Contact | undefined = src.get('contacts', r.recipient.id);
    if (contact?.badgeId === undefined) continue;
    byContact.set(contact.id, { contactId: contact.id, badgeId: contact.badgeId, reservations: [r] });
  }
  const badges = new Map<string, RecipientBadge>();
  const sharedBadges = new Set<string>();
  const shared: string[] = [];
  for (const b of byContact.values()) {
    const other = badges.get(b.badgeId);
    if (other) {
      sharedBadges.add(b.badgeId);
      shared.push(b.contactId);
      continue;
    }
    if (sharedBadges.has(b.badgeId)) shared.push(b.contactId);
    else badges.set(b.badgeId, b);
  }
  for (const badge of sharedBadges) {
    shared.push(badges.get(badge)!.contactId);
    badges.delete(badge);
  }
  for (const b of badges.values()) b.reservations.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return { badges, shared: shared.sort() };
}

/** The badge numbers that sign someone in at `bankId`, with their holders. */
export function recipientBadgesAt(src: DesiredSource, bankId: string): Map<string, RecipientBadge> {
  return bankBadges(src, bankId).badges;
}
