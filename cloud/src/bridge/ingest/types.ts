/** What event ingest reads, calls and reports (event-ingest.ts applies controller events to the domain). */
import type { EventBody } from '@portier/protocol';
import type { PickupCodeIssued } from '../../domain/events.ts';
import type { LockerService } from '../../domain/service.ts';
import type { StoredEvent } from '../../sync/event-journal.ts';

export type Transaction = Extract<EventBody, { type: 'transaction' }>;

/** The use cases ingest calls (LockerService has them). */
export type IngestDomain = Pick<
  LockerService,
  'store' | 'pickUp' | 'dropOff' | 'recordKioskOccupancy' | 'extendReservation' | 'expireReservation' | 'endReservation' | 'setServiceState' | 'recordAlert'
>;

/** Where stored events come from (CloudLink + EventJournal). */
export interface StoredEventSource {
  on(event: 'event-stored', l: (e: StoredEvent) => void): unknown;
  off(event: 'event-stored', l: (e: StoredEvent) => void): unknown;
}
export interface JournalReader {
  read(controllerId?: string, afterSeq?: number): Promise<StoredEvent[]>;
}

export interface Alert {
  at: number;
  bankId: string;
  controllerId: string;
  seq: number;
  lockerNumber?: number;
  door?: number;
  kind: 'door-forced' | 'door-left-open' | 'door-jammed' | 'lock-fault';
  detail: string;
}

/** What applying one event did, for tests and logs. */
export interface Applied {
  controllerId: string;
  seq: number;
  type: EventBody['type'];
  /** Use cases called, e.g. `pickUp r-1`. */
  actions: string[];
  /** Why nothing (or less) was done. */
  notes: string[];
}

/** A pickup code the cloud issued for a drop-off made at a kiosk: in clear, in memory only, for a notifier. */
export type IssuedPickupCode = PickupCodeIssued;

export interface EventIngestEvents {
  applied: [Applied];
  alert: [Alert];
  /**
   * A kiosk drop-off made the domain issue a new pickup code. It is never logged or stored in clear; this is the hook
   * for whatever tells the recipient (notify/webhook.ts).
   */
  'pickup-code': [IssuedPickupCode];
}
