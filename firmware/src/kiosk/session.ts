// The kiosk engine's inner state types: the session of the person at the kiosk, the page being shown and what the
// flows remember between pages. Shared by the engine's modules, never exported from the kiosk's public API.
import type { Actor, EventBody, LockerSize } from '@portier/protocol';
import type { Lang, MessageRef } from '../i18n/index.ts';
import type { CredentialMatch } from './ports.ts';
import type { PageId, ScreenOption } from './view.ts';

export type Role = 'recipient' | 'operator' | 'carrier' | 'admin';
export type Via = 'pin' | 'qr' | 'barcode' | 'badge' | 'keypad';
export type LoginMethod = 'pin' | 'code' | 'qr' | 'barcode' | 'badge';
export type TxKind = Extract<EventBody, { type: 'transaction' }>['kind'];

/** A timer of the page: which setting drives it, so tests and logs can tell them apart. */
export type PageTimerKind = 'inactivity' | 'after-pickup' | 'admin' | 'lock-out';

export interface Session {
  lang: Lang;
  role?: Role;
  actor?: Actor;
  via?: Via;
  credential?: CredentialMatch;
  /** Keyed hash of the code that signed in (for the grace reopen), never the code. */
  codeKey?: string;
  /** The one-time credential of the session was recorded as used. */
  credentialUsed?: boolean;
  /** Doors opened in this session (pickup), for "reopen". */
  opened: number[];
  /** Pickup doors still to open, one at a time. */
  pending: number[];
  touched: boolean;
}

export interface PageCtx {
  doors?: number[];
  door?: number;
  reservationId?: string;
  existingDoor?: number;
  tracking?: string;
  /** Drop-off by an operator or a carrier delivery. */
  mode?: 'operator' | 'carrier';
  size?: LockerSize;
  storageEndsAt?: number;
  storageNoEnd?: boolean;
  /** A fixed storage: never extended. */
  storageFixed?: boolean;
  storagePin?: string;
  storageId?: string;
  /** What the text/digit entry of the page is for. */
  entry?: 'code' | 'staff-pin' | 'tracking' | 'locker' | 'hours' | 'pin' | 'pin-confirm' | 'extend-hours';
}

export interface PageSpec {
  page: PageId;
  title: MessageRef;
  lines?: MessageRef[];
  error?: MessageRef;
  options?: ScreenOption[];
  input?: { kind: 'digits' | 'text'; masked: boolean; minLength: number; maxLength: number };
  doors?: number[];
  ctx?: PageCtx;
  timer?: PageTimerKind | 'none';
}

export interface RecentPickup {
  codeKey: string;
  /** The credential the pickup was made with: the cloud opens a door of another column again only for it. */
  credentialId?: string;
  doors: number[];
  reservationIds: string[];
  actor: Actor;
  via: Via;
  until: number;
}

export interface StorageRecord {
  id: string;
  door: number;
  pinKey: string;
  startedAt: number;
  endsAt: number;
  noEnd: boolean;
  /** Started as a fixed duration: never extended. */
  fixed?: boolean;
  timer?: unknown;
}
