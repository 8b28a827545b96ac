/**
 * What each message says, as the outbox seals it and the templates render it: the facts of the parcel or the account,
 * never looked up again at send time (a resend says what the first attempt said).
 */
import type { ReservationKind } from '../domain/model.ts';
import type { MailLanguage } from './model.ts';

/** Where a parcel is: the bank, its site, the locker (absent while held at the desk). */
export interface Place {
  bank: string;
  /** The site's name and address on one line. */
  location: string;
  lockerNumber?: number;
}

interface Greeted {
  /** How the person is greeted. */
  name: string;
  language: MailLanguage;
  /** The person's notification preferences page (contacts only). */
  preferencesUrl?: string;
}

export type MailContent = Greeted &
  (
    | { kind: 'parcel-ready'; reservationKind: ReservationKind; place: Place; code?: string; expiresAt: number; trackingIds: string[] }
    | { kind: 'reminder'; reservationKind: ReservationKind; place: Place; code?: string; expiresAt: number; since: number }
    | { kind: 'expiring-soon'; reservationKind: ReservationKind; place: Place; code?: string; expiresAt: number }
    | { kind: 'expired'; place: Place; at: number }
    | { kind: 'picked-up'; place: Place; at: number }
    | { kind: 'drop-off-code'; reservationKind: ReservationKind; place: Place; code: string; expiresAt: number }
    | { kind: 'storage'; place: Place; code: string; endsAt?: number }
    | { kind: 'welcome' | 'password-reset'; link: string; expiresAt: number }
    | { kind: 'mfa-code'; code: string; expiresAt: number }
    | { kind: 'import-failed'; enterprise: string; at: number; problem: string }
  );

/** The secret a message carries (a code, a PIN, a link token), if any: what must never rest or be logged in clear. */
export function secretOf(c: MailContent): string | undefined {
  if ('code' in c && c.code !== undefined) return c.code;
  if ('link' in c) return c.link;
  return undefined;
}
