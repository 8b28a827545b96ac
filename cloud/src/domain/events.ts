import type { Bank, CarrierCode, Column, Locker, RecipientRef, Reservation, StaffCredential } from './model.ts';

/**
 * Typed domain events. The MQTT link listens to these to publish desired state and commands;
 * the HTTP layer may use them too. Emitted after the change is durable.
 */
export interface DomainEvents {
  'reservation-changed': [ReservationChanged];
  'locker-changed': [LockerChanged];
  'carrier-code-changed': [CarrierCodeChanged];
  'staff-credential-changed': [StaffCredentialChanged];
  'bank-changed': [BankChanged];
  'column-deleted': [ColumnDeleted];
  'pickup-code-issued': [PickupCodeIssued];
  'contact-badges-changed': [ContactBadgesChanged];
}
/**
 * The domain issued a pickup code that the recipient must hear of (a recipient named after the drop-off): in clear, in
 * memory only, for the notification hook (the runtime hands it to the same hook as a kiosk drop-off's code). Never
 * logged or stored in clear.
 */
export interface PickupCodeIssued {
  reservationId: string;
  bankId: string;
  lockerNumber: number;
  recipient: RecipientRef;
  code: string;
  expiresAt: number;
}
/**
 * Contacts' badge numbers were set, changed or removed (by any write: an edit, an import, an erasure): the banks where
 * they have a parcel waiting need a new desired state (their badges sign them in there).
 */
export interface ContactBadgesChanged {
  contactIds: string[];
}
/**
 * A column was deleted (it had no lockers left): its controller's identity is to be revoked and its retained desired
 * state cleared (provision/retire-column.ts).
 */
export interface ColumnDeleted {
  column: Column;
}
/** A bank's name, rules or delivery quota changed: its controllers need a new desired state (the rules are in it). */
export interface BankChanged {
  bank: Bank;
}
/** A staff PIN or badge issued or revoked: the banks it signs in at (`bankIds`, empty = every bank) need a new desired state. */
export interface StaffCredentialChanged {
  staffCredential: StaffCredential;
  change: 'issued' | 'revoked';
}
/** A carrier code issued or revoked: the banks it opens (`bankIds`, empty = every bank) need a new desired state. */
export interface CarrierCodeChanged {
  carrierCode: CarrierCode;
  change: 'issued' | 'revoked';
}
export interface ReservationChanged {
  reservation: Reservation;
  /** What happened to it. */
  /** `held`: kept at the mailroom desk for want of a locker; `placed`: a held one got a locker, staff are to bring it. */
  change: 'reserved' | 'package-added' | 'occupied' | 'picked-up' | 'expired' | 'extended' | 'ended' | 'code-reissued' | 'held' | 'placed' | 'recipient-assigned';
}
export interface LockerChanged {
  locker: Locker;
  change: 'created' | 'service-changed' | 'edited' | 'deleted';
}
