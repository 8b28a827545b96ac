// The kiosk engine's view of the rest of the controller. Each port is deliberately small so the runtime can wire the
// door controller, the offline credential check and the MQTT link to it with a few lines of glue, and so tests can
// plug fakes or simulator parts in.
import type { Actor, CredentialKind, DesiredState, DoorOutcome, EventBody, TRANSACTION_KINDS } from '@portier/protocol';

export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** Door events the kiosk listens to. */
export type KioskDoorEvent =
  | { type: 'door-closed'; door: number }
  | { type: 'door-opened'; door: number }
  /** The door controller's own left-open supervision fired (the kiosk warns; the controller already reported it). */
  | { type: 'door-left-open'; door: number; openForMs?: number };

/** Why the kiosk opens a door and for whom: what the cloud checks before it opens another column's door for us. */
export interface UnlockRequest {
  purpose: TransactionKind | 'service';
  /** The credential the person signed in with, if any. */
  credentialId?: string;
  actor?: Actor;
}

/** The door controller, as the kiosk uses it. */
export interface KioskDoorPort {
  /**
   * Unlocks `door` and resolves with what the door did. A door of another column of the bank (`remote` in the desired
   * state) is opened by the cloud on the kiosk's request; `request` says why. The outcome is the platform's one
   * door outcome (never "pulse sent").
   */
  unlock(door: number, request?: UnlockRequest): Promise<DoorOutcome>;
  /** Subscribes to door events; returns the unsubscribe function. */
  subscribe(listener: (event: KioskDoorEvent) => void): () => void;
}

/** A credential the offline check recognised. */
export interface CredentialMatch {
  credentialId: string;
  kind: CredentialKind;
  role: 'recipient' | 'operator' | 'carrier' | 'admin';
  subjectId?: string;
  doors: number[];
  reservationIds: string[];
  oneTime: boolean;
  expiresAt?: number;
}

export type CredentialCheck =
  | { ok: true; match: CredentialMatch }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

/**
 * The offline credential check against the cached signed desired state (`firmware/src/offline`):
 * which doors and reservations a code of `kind` opens, honouring expiry and one-time use.
 */
export interface CredentialPort {
  check(kind: CredentialKind, code: string, now: number): Promise<CredentialCheck> | CredentialCheck;
  /** Records a one-time credential as used (durably, until the next desired state drops it). */
  markUsed(credentialId: string): Promise<void> | void;
}

/** The cached desired state and the link's connection state. */
export interface DesiredStatePort {
  /** The desired state in force, or undefined before the first one arrived. */
  current(): DesiredState | undefined;
  /** Whether the broker is reachable now: events record `offline: true` otherwise. */
  isOnline(): boolean;
  /** Optional: called when a new desired state was applied. Returns the unsubscribe function. */
  subscribe?(listener: () => void): () => void;
}

/** Where the kiosk's protocol events go: the link's durable outbox (`publishEvent(body)`). */
export interface EventSink {
  publishEvent(body: EventBody): Promise<unknown> | unknown;
}

/** Cloud time as the controller estimates it (the link keeps an offset learned from signed timestamps). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A timer as the timer port hands it out: only given back to `clearTimeout`. */
export type TimerHandle = unknown;

/**
 * Where the kiosk's timers come from (page timeouts, door left open, end of a storage). A test passes its sinon fake
 * clock (it has both methods), so the kiosk's time runs with the clock it ticks.
 */
export interface TimerPort {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process's timers, looked up at each call (so a fake installed later is the one used). */
export const systemTimers: TimerPort = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
