/**
 * The kiosk serves the whole bank: when a person signed in at the kiosk needs a locker of another column, the kiosk
 * records a `kiosk-open-request` event (an alias door of its desired state, kiosk-bank-view.ts). This relay, on the
 * stored event, checks it and opens the real door with RemoteOpen (a signed, expiring `open-door` to that column's
 * controller, audited, actor = the kiosk controller, the credential and its holder on record), then answers the kiosk
 * with a signed `kiosk-open-result` command. Every door that opens still does so on a command signed by the cloud.
 *
 * Refused (answered `rejected` with the reason, nothing opened):
 * - the sender is not the active controller of its bank's KIOSK column (`not_kiosk`);
 * - the alias names no door of the kiosk's view (`unknown_door`), or another locker than the event says
 *   (`locker_mismatch`), or the locker is out of service (`out_of_service`);
 * - no credential (`credential_missing`: a kiosk of an older release, or a client that is no kiosk), or one the cloud's
 *   own records do not entitle to that door and that purpose (`credential_unknown`, `credential_expired`,
 *   `credential_not_for_purpose`, `credential_not_for_door`; kiosk-entitlement.ts has the rules).
 * Each refusal is logged and recorded in the activity as an alert (`kiosk-open-refused`) with the kiosk, the purpose
 * and the credential named. A door that opens is recorded with the credential and its holder as the cloud knows
 * them, never as the kiosk says.
 * Never acted on, not even answered: a request older than `maxAgeMs` of cloud time (the event's `at`), such as one
 * replayed from the kiosk's outbox after an outage. A door must never open long after the person left.
 *
 * Only live events count: the relay listens to `event-stored` from the moment it starts, it does not replay the journal.
 */
import { EventEmitter } from 'node:events';
import type { Actor, CommandOf, DesiredState, EventBody } from '@portier/protocol';
import type { RecordAlertInput } from '../domain/model.ts';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { lockerKey } from '../store/store.ts';
import type { StoredEvent } from '../sync/event-journal.ts';
import type { RemoteOpenRequest, RemoteOpenResult } from '../sync/remote-open.ts';
import { aliasAt, columnAt, kioskColumnOf, type DesiredSource } from './bank-layout.ts';
import type { ControllerRoster } from './door-map.ts';
import { checkKioskEntitlement, type EntitledCredential, type EntitlementRefusal, type EntitlementSource } from './kiosk-entitlement.ts';

type KioskOpenRequest = Extract<EventBody, { type: 'kiosk-open-request' }>;
type ResultBody = CommandOf<'kiosk-open-result'>['body'];

/** What the relay needs from the sync link (CloudLink has it). */
export interface KioskRelayLink {
  on(event: 'event-stored', l: (e: StoredEvent) => void): unknown;
  off(event: 'event-stored', l: (e: StoredEvent) => void): unknown;
  sendCommand(bankId: string, controllerId: string, type: 'kiosk-open-result', body: ResultBody, opts: { ttlMs?: number }): Promise<unknown>;
}

export interface KioskRelayOptions {
  link: KioskRelayLink;
  src: DesiredSource & EntitlementSource;
  roster: ControllerRoster;
  /** The kiosk's current view, as it would be published now (desired-builder.ts `kioskListingView`). */
  kioskView: (q: { bankId: string; column: number; now: number }) => DesiredState;
  /** Where refusals go on record (LockerService); without it they are only logged. */
  alerts?: { recordAlert(input: RecordAlertInput, actor: Actor): Promise<unknown> };
  remoteOpen: { open(req: RemoteOpenRequest): Promise<RemoteOpenResult> };
  now?: () => number;
  logger?: Logger;
  /** A request older than this (cloud time minus the event's `at`) is never acted on. Default 10 s. */
  maxAgeMs?: number;
  /** How long the column's door is given to answer; the open-door expires then. Default 5 s (the kiosk waits 8 s). */
  openTimeoutMs?: number;
  /** Lifetime of the `kiosk-open-result` command. Default 10 s. */
  resultTtlMs?: number;
}

export type KioskRefusal = 'stale' | 'not_kiosk' | 'unknown_door' | 'locker_mismatch' | 'out_of_service' | EntitlementRefusal;

/** What the relay did with one request (tests, logs). */
export interface KioskRelayHandled {
  bankId: string;
  controllerId: string;
  requestId: string;
  door: number;
  lockerNumber?: number;
  outcome: ResultBody['outcome'];
  reason?: string;
  /** The remote open's command id, when a door was asked to open. */
  commandId?: string;
  /** The credential the door was opened for, as the cloud's records have it. */
  credential?: EntitledCredential;
  /** Whether the kiosk was answered (stale requests are not). */
  answered: boolean;
}

export class KioskRelay extends EventEmitter<{ handled: [KioskRelayHandled] }> {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  private started = false;
  private readonly onStored = (e: StoredEvent): void => {
    if (e.event.type !== 'kiosk-open-request') return;
    const p = this.handle(e, e.event).catch((err: unknown) => this.log.error({ err, controllerId: e.controllerId, seq: e.seq }, 'kiosk open request failed'));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  };

  constructor(private readonly opts: KioskRelayOptions) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'kiosk-relay' });
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.opts.link.on('event-stored', this.onStored);
  }

  /** Stops listening and waits for the requests being handled (each bounded by the open timeout). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.opts.link.off('event-stored', this.onStored);
    await Promise.allSettled([...this.inFlight]);
  }

  private async refusal(e: StoredEvent, req: KioskOpenRequest): Promise<{ reason: KioskRefusal; detail: string; lockerNumber?: number } | { lockerNumber: number; credential: EntitledCredential }> {
    const { src, roster } = this.opts;
    const id = roster.controller(e.controllerId);
    if (!id || id.revokedAt !== null || id.bankId !== e.bankId) return { reason: 'not_kiosk', detail: 'not an active controller of this bank' };
    const column = columnAt(src, id.bankId, id.column);
    const kiosk = kioskColumnOf(src, id.bankId);
    if (!column || !kiosk || column.id !== kiosk.id) return { reason: 'not_kiosk', detail: `column ${id.column} is not the kiosk column of bank ${id.bankId}` };
    const alias = aliasAt(src, id.bankId, column, req.door);
    if (!alias) return { reason: 'unknown_door', detail: `door ${req.door} is no door of another column in the kiosk's view` };
    if (alias.lockerNumber !== req.locker) return { reason: 'locker_mismatch', detail: `door ${req.door} is locker ${alias.lockerNumber}, not ${req.locker}` };
    const locker = src.get('lockers', lockerKey(id.bankId, alias.lockerNumber));
    if (!locker) return { reason: 'unknown_door', detail: `no locker ${alias.lockerNumber}` };
    if (locker.service !== 'in-service') return { reason: 'out_of_service', detail: `locker ${alias.lockerNumber} is out of service`, lockerNumber: alias.lockerNumber };
    const now = this.now();
    // The kiosk's current view, as it would be published now: live codes only, aliases as the kiosk knows them.
    const view = this.opts.kioskView({ bankId: id.bankId, column: id.column, now });
    const granted = await checkKioskEntitlement(src, view, {
      bankId: id.bankId,
      door: req.door,
      lockerNumber: alias.lockerNumber,
      purpose: req.purpose,
      credentialId: req.credentialId,
      now,
    });
    if (!granted.ok) return { reason: granted.reason, detail: granted.detail, lockerNumber: alias.lockerNumber };
    return { lockerNumber: alias.lockerNumber, credential: granted.credential };
  }

  private async handle(e: StoredEvent, req: KioskOpenRequest): Promise<void> {
    const base = { bankId: e.bankId, controllerId: e.controllerId, requestId: req.requestId, door: req.door };
    const age = this.now() - e.at;
    if (age > (this.opts.maxAgeMs ?? 10_000)) {
      this.log.warn({ ...base, ageMs: age, seq: e.seq }, 'stale kiosk open request: not acted on');
      this.emit('handled', { ...base, outcome: 'rejected', reason: 'stale', answered: false });
      return;
    }
    const checked = await this.refusal(e, req);
    if ('reason' in checked) {
      this.log.warn({ ...base, purpose: req.purpose, credentialId: req.credentialId, reason: checked.reason, detail: checked.detail }, 'kiosk open request refused');
      await this.recordRefusal(e, req, checked);
      const answered = await this.answer(e, { requestId: req.requestId, door: req.door, outcome: 'rejected', reason: checked.reason });
      this.emit('handled', { ...base, outcome: 'rejected', reason: checked.reason, answered });
      return;
    }
    const { credential } = checked;
    const who = `${credential.role}${credential.subjectId !== undefined ? ` ${credential.subjectId}` : ''}`;
    const actor: Actor = { role: 'system', id: e.controllerId };
    let body: ResultBody;
    let commandId: string | undefined;
    try {
      const r = await this.opts.remoteOpen.open({
        bankId: e.bankId,
        lockerNumber: checked.lockerNumber,
        reason: `kiosk ${req.purpose} for ${who}`.slice(0, 200),
        actor,
        credentialId: credential.id,
        timeoutMs: this.opts.openTimeoutMs ?? 5000,
      });
      commandId = r.commandId;
      const outcome: ResultBody['outcome'] = r.outcome === 'timed_out' ? 'unknown' : r.outcome;
      body = { requestId: req.requestId, door: req.door, outcome, ...(r.reason ? { reason: r.reason.slice(0, 200) } : {}) };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      this.log.error({ err, ...base }, 'remote open for the kiosk failed');
      body = { requestId: req.requestId, door: req.door, outcome: 'rejected', reason: String(code ?? 'open_failed').slice(0, 200) };
    }
    const answered = await this.answer(e, body);
    this.emit('handled', {
      ...base,
      lockerNumber: checked.lockerNumber,
      outcome: body.outcome,
      ...(body.reason ? { reason: body.reason } : {}),
      ...(commandId ? { commandId } : {}),
      credential,
      answered,
    });
  }

  /** A refused request on record (activity alert): which kiosk, which door, why, and the credential it named. */
  private async recordRefusal(e: StoredEvent, req: KioskOpenRequest, r: { reason: KioskRefusal; detail: string; lockerNumber?: number }): Promise<void> {
    if (!this.opts.alerts) return;
    const named = req.credentialId !== undefined ? `credential ${req.credentialId}` : 'no credential';
    try {
      await this.opts.alerts.recordAlert(
        {
          bankId: e.bankId,
          ...(r.lockerNumber !== undefined ? { lockerNumber: r.lockerNumber } : {}),
          kind: 'kiosk-open-refused',
          controllerId: e.controllerId,
          seq: e.seq,
          detail: `${req.purpose}, ${named}, door ${req.door}: ${r.reason} (${r.detail})`.slice(0, 300),
        },
        { role: 'system', id: e.controllerId },
      );
    } catch (err) {
      this.log.error({ err, controllerId: e.controllerId, requestId: req.requestId }, 'refused kiosk open request not recorded');
    }
  }

  private async answer(e: StoredEvent, body: ResultBody): Promise<boolean> {
    try {
      await this.opts.link.sendCommand(e.bankId, e.controllerId, 'kiosk-open-result', body, { ttlMs: this.opts.resultTtlMs ?? 10_000 });
      return true;
    } catch (err) {
      this.log.warn({ err, controllerId: e.controllerId, requestId: body.requestId }, 'kiosk-open-result not sent');
      return false;
    }
  }
}
