import type { BankRules, DesiredReservation } from './messages/desired.ts';

/** What of a recipient's credential decides which reservations it opens (a `DesiredCredential` has it). */
export interface RecipientCredentialScope {
  doors: readonly number[];
  reservationIds: readonly string[];
  subjectId?: string | undefined;
}

/**
 * The reservations a recipient's credential opens at a kiosk, in door order: the ones it lists, the parcels on its
 * doors, and with the bank rule `multiplePackagesPerCode` every parcel of its holder; department parcels only with
 * `departmentPickup`; without `multiplePackagesPerCode`, one parcel. The kiosk opens these; the cloud, asked by a kiosk
 * to open a door of another column for a recipient, checks the door against the same list.
 */
export function reservationsOpenedBy(reservations: readonly DesiredReservation[], rules: BankRules, cred: RecipientCredentialScope): DesiredReservation[] {
  const byId = new Map(reservations.map((r) => [r.id, r]));
  const picked = new Map<string, DesiredReservation>();
  for (const id of cred.reservationIds) {
    const r = byId.get(id);
    if (r) picked.set(r.id, r);
  }
  for (const r of reservations) {
    if (cred.doors.includes(r.door) && r.kind === 'package' && r.status === 'occupied') picked.set(r.id, r);
    if (rules.multiplePackagesPerCode && cred.subjectId && r.recipientId === cred.subjectId && r.kind === 'package' && r.status === 'occupied') {
      picked.set(r.id, r);
    }
  }
  let list = [...picked.values()];
  if (!rules.departmentPickup) {
    list = list.filter((r) => !r.departmentId || (cred.subjectId !== undefined && r.recipientId === cred.subjectId));
  }
  list.sort((a, b) => a.door - b.door);
  if (!rules.multiplePackagesPerCode) {
    const first = list.find((r) => r.kind === 'package' && r.status === 'occupied') ?? list[0];
    list = first ? [first] : [];
  }
  return list;
}
