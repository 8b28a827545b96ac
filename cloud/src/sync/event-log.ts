/**
 * What the sync link and event ingest need of the controller events journal, whichever keeps it: the data folder's
 * file (event-journal.ts, one cloud instance) or PostgreSQL (several instances on one database, where the instance
 * that owns a bank stores its controllers' events and another takes them over).
 */
import type { EventBody } from '@portier/protocol';

export interface StoredEvent {
  bankId: string;
  controllerId: string;
  seq: number;
  /** Controller's estimate of cloud time when it happened. */
  at: number;
  /** Cloud time when it was stored. */
  storedAt: number;
  event: EventBody;
}

/** Seqs fromSeq..toSeq of a controller that the cloud acknowledged once and no longer holds. */
export interface GapRecord {
  kind: 'gap';
  bankId: string;
  controllerId: string;
  fromSeq: number;
  toSeq: number;
  storedAt: number;
  reason: string;
}

/** A second, different event under a seq already stored: kept for review, not applied. */
export type ConflictRecord = StoredEvent & { kind: 'conflict' };

export interface EventLog {
  /** Fingerprint of the event stored (or being stored) at `seq`, when it is among the controller's recent ones. */
  fingerprintAt(controllerId: string, seq: number): string | undefined;
  /** Highest seq of `controllerId` that is durably stored (0 if none). */
  storedUpTo(controllerId: string): number;
  /** Highest seq handed to `append` (stored or being stored). */
  appendedUpTo(controllerId: string): number;
  /**
   * Appends records, each the next seq of its controller; resolves once they are durable, with the records this
   * call stored. A record another instance stored first under the same seq is left out of the answer (it is not
   * stored twice, and must not be applied twice).
   */
  append(records: StoredEvent[]): Promise<StoredEvent[]>;
  /** Seqs fromSeq..toSeq of a controller are gone for good; they count as stored from then on. */
  appendGap(gap: Omit<GapRecord, 'kind'>): Promise<void>;
  /** A second, different event under a stored seq, kept beside it. */
  appendConflict(e: StoredEvent): Promise<void>;
  /** Stored events in seq order per controller, optionally of one controller and after one seq. */
  read(controllerId?: string, afterSeq?: number): Promise<StoredEvent[]>;
  gaps(controllerId?: string): Promise<GapRecord[]>;
  conflicts(controllerId?: string): Promise<ConflictRecord[]>;
  /**
   * Reads again what is stored for these controllers: another instance may have stored their events while it owned
   * their bank. A journal only this process writes has nothing to read again. A journal shared by instances
   * (pg-event-journal.ts) loads nothing per controller when it opens: until a controller is refreshed its seqs count
   * from 0, so refresh a controller before sequencing its events.
   */
  refresh(controllerIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
