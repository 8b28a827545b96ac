/**
 * Whether the cloud opens a door of another column that a kiosk asks for (`kiosk-open-request`): the request must
 * name the credential the person signed in with at the kiosk, and the cloud's own records must entitle that
 * credential to that door and that purpose. Who the credential belongs to and its role are the cloud's (the desired
 * state it builds for the kiosk now); the kiosk's word (`actor`) is never taken.
 *
 * | purpose | credential | door |
 * |---|---|---|
 * | pickup, return, exchange, reopen | a recipient's code or badge | one the code opens at the kiosk (protocol `reservationsOpenedBy`, the kiosk's own rule), or its own door |
 * | storage-start | a recipient's code | the same: the locker of a day-use storage the cloud reserved ahead, to fill it |
 * | drop-off | an operator's or admin's PIN / badge | free, held for a drop-off, or (bank rule `addToExistingLocker`) holding a parcel |
 * | carrier-delivery | a carrier code, or a carrier's PIN / badge | the same, and within the credential's doors if it lists any |
 * | expired-removal | an operator's or admin's PIN / badge | holding an expired reservation |
 * | service, other storage-* | none: refused | staff open a door for service through the API; a day-use storage PIN exists only on the kiosk, which keeps storage to its own doors |
 *
 * A one-time code is used by its pickup, and once the cloud has stored that pickup the code leaves the desired state.
 * For the moments after, the code of a reservation picked up within the kiosk's "locker access after pickup" time (or
 * its inactivity timeout, if longer) still counts for `pickup` and `reopen`, for the doors of that reservation and the
 * parcels of the same holder the bank's rules let one code open: the reopen offer and one-at-a-time pickup.
 *
 * What this does not prove: credential ids are not secrets (the kiosk's desired state lists them), so a request
 * names a credential the kiosk vouches for; the check bounds what any request can open to what a live credential of
 * the cloud's records is entitled to, and puts that credential on record.
 */
import { reservationsOpenedBy, type DesiredCredential, type DesiredState, type EventBody } from '@portier/protocol';
import type { Reservation } from '../domain/model.ts';
import type { Store } from '../store/store.ts';
import { credentialId as credentialIdOf } from './column-state.ts';
import { BADGE_CREDENTIAL_PREFIX } from './recipient-badges.ts';

/** Why a kiosk asks for a door (the request's `purpose`). */
export type KioskPurpose = Extract<EventBody, { type: 'kiosk-open-request' }>['purpose'];

type CredentialRole = DesiredCredential['role'];

/** Which credential roles may ask for each purpose; none for the purposes the cloud never opens a door for. */
export const PURPOSE_ROLES: Readonly<Record<KioskPurpose, readonly CredentialRole[]>> = {
  pickup: ['recipient'],
  return: ['recipient'],
  exchange: ['recipient'],
  reopen: ['recipient'],
  'drop-off': ['operator', 'admin'],
  'carrier-delivery': ['carrier'],
  'expired-removal': ['operator', 'admin'],
  service: [],
  'storage-start': ['recipient'],
  'storage-open': [],
  'storage-extend': [],
  'storage-end': [],
};

export type EntitlementRefusal = 'credential_missing' | 'credential_unknown' | 'credential_expired' | 'credential_not_for_purpose' | 'credential_not_for_door';

/** The credential a request was granted for, as the cloud's records have it. */
export interface EntitledCredential {
  id: string;
  role: CredentialRole;
  subjectId?: string;
}

export type Entitlement = { ok: true; credential: EntitledCredential } | { ok: false; reason: EntitlementRefusal; detail: string };

export interface EntitlementRequest {
  bankId: string;
  /** The kiosk-local alias door asked for, and the locker it is. */
  door: number;
  lockerNumber: number;
  purpose: KioskPurpose;
  credentialId: string | undefined;
  /** Cloud time. */
  now: number;
}

/** The reads the check needs beyond the kiosk's view (a `Store` has them): reservations picked up moments ago. */
export type EntitlementSource = Pick<Store, 'pastReservation' | 'pastReservations'>;

const refuse = (reason: EntitlementRefusal, detail: string): Entitlement => ({ ok: false, reason, detail });

/** Checks one request against the kiosk's current view (`view`: the desired state the cloud would publish to it now). */
export async function checkKioskEntitlement(src: EntitlementSource, view: DesiredState, req: EntitlementRequest): Promise<Entitlement> {
  const { credentialId, purpose, door } = req;
  if (credentialId === undefined) return refuse('credential_missing', `a ${purpose} request names no credential`);
  const allowed = PURPOSE_ROLES[purpose];
  if (allowed.length === 0) return refuse('credential_not_for_purpose', `the cloud opens no door of another column for ${purpose}`);

  const live = view.credentials.find((c) => c.id === credentialId);
  if (!live) {
    const recent = allowed.includes('recipient') && (purpose === 'pickup' || purpose === 'reopen') ? await recentlyPickedUp(src, view, req.bankId, credentialId, req.now) : undefined;
    if (!recent) return refuse('credential_unknown', `credential ${credentialId} is not live at this kiosk (unknown, revoked, used or withdrawn)`);
    const doors = new Set(recipientDoors(view, { doors: [], reservationIds: [], subjectId: recent.holder }));
    for (const l of recent.lockers) {
      const alias = view.doors.find((d) => d.locker === l);
      if (alias && purpose === 'reopen') doors.add(alias.door);
    }
    if (!doors.has(door)) return refuse('credential_not_for_door', `credential ${credentialId} (used) does not open door ${door}`);
    return { ok: true, credential: { id: credentialId, role: 'recipient', subjectId: recent.holder } };
  }
  if (live.expiresAt !== undefined && live.expiresAt <= req.now) return refuse('credential_expired', `credential ${credentialId} expired`);
  if (!allowed.includes(live.role)) return refuse('credential_not_for_purpose', `credential ${credentialId} is a ${live.role}'s: no ${purpose}`);
  const credential: EntitledCredential = { id: live.id, role: live.role, ...(live.subjectId !== undefined ? { subjectId: live.subjectId } : {}) };

  if (live.role === 'recipient') {
    if (!recipientDoors(view, live).includes(door) && !live.doors.includes(door)) {
      return refuse('credential_not_for_door', `credential ${credentialId} does not open door ${door}`);
    }
    return { ok: true, credential };
  }
  if (live.doors.length > 0 && !live.doors.includes(door)) return refuse('credential_not_for_door', `credential ${credentialId} does not open door ${door}`);
  const held = view.reservations.filter((r) => r.door === door);
  if (purpose === 'expired-removal') {
    if (!held.some((r) => r.status === 'expired')) return refuse('credential_not_for_door', `locker ${req.lockerNumber} holds nothing expired`);
    return { ok: true, credential };
  }
  // drop-off, carrier-delivery: into a free locker, one held for a drop-off, or with the parcels already there.
  const intoExisting = (r: (typeof held)[number]): boolean => view.rules.addToExistingLocker && r.kind === 'package' && r.status === 'occupied';
  if (!held.every((r) => r.status === 'reserved' || intoExisting(r))) {
    return refuse('credential_not_for_door', `locker ${req.lockerNumber} is not free for a ${purpose}`);
  }
  return { ok: true, credential };
}

/** The doors a recipient's credential opens in the view. */
function recipientDoors(view: DesiredState, cred: Parameters<typeof reservationsOpenedBy>[2]): number[] {
  return reservationsOpenedBy(view.reservations, view.rules, cred).map((r) => r.door);
}

/**
 * The holder and lockers of a pickup code used moments ago: its reservation ended `picked-up` within the window,
 * and (bank rule `multiplePackagesPerCode`) the holder's other parcels picked up in that window. A recipient's badge
 * leaves the desired state with the last parcel it collected: the holder's parcels picked up in the window count.
 */
async function recentlyPickedUp(src: EntitlementSource, view: DesiredState, bankId: string, credentialId: string, now: number): Promise<{ holder: string; lockers: number[] } | undefined> {
  const windowMs = Math.max(view.timers.lockerAccessAfterPickupS, view.timers.returnHomeOnInactivityS) * 1000;
  const recent = (r: Reservation): boolean => r.bankId === bankId && r.endReason === 'picked-up' && r.endedAt !== undefined && now - r.endedAt <= windowMs;
  const badge = credentialId.startsWith(`${BADGE_CREDENTIAL_PREFIX}.`);
  if (!badge && !credentialId.startsWith('pickup.')) return undefined;
  const direct = badge ? undefined : await src.pastReservation(credentialId.slice('pickup.'.length));
  // A long reservation id is hashed into its credential id: then look among the bank's latest.
  const ownsIt = (r: Reservation): boolean =>
    badge ? r.recipient.type === 'contact' && credentialIdOf(BADGE_CREDENTIAL_PREFIX, r.recipient.id) === credentialId : credentialIdOf('pickup', r.id) === credentialId;
  const own = [...(direct ? [direct] : []), ...(direct ? [] : (await src.pastReservations({ bankId, limit: 200 })).items)].find((r) => recent(r) && ownsIt(r));
  if (!own) return undefined;
  const holder = own.recipient.id;
  const lockers = new Set(own.lockerNumber !== undefined ? [own.lockerNumber] : []);
  if (badge || view.rules.multiplePackagesPerCode) {
    for (const r of (await src.pastReservations({ bankId, recipientId: holder, limit: 50 })).items) if (recent(r) && r.kind === 'package' && r.lockerNumber !== undefined) lockers.add(r.lockerNumber);
  }
  return { holder, lockers: [...lockers] };
}
