/**
 * Controller events become the domain's truth.
 *
 * The sync link stores every event exactly once and in seq order per controller, then emits `event-stored`. This
 * module applies each stored event to the domain, one at a time in arrival order:
 * - `transaction` -> the matching LockerService use case (ingest/transactions.ts);
 * - `service-changed` -> setServiceState (skipped when the locker already has that state);
 * - door-forced, door-left-open, door-jammed, lock-fault -> an alert (ingest/alerts.ts).
 *
 * Idempotent by (controllerId, seq): the highest seq applied per controller is kept durably in the domain store
 * (ingest/marks.ts). At start, events the journal stored but the domain never saw (the cloud stopped in between) are
 * applied first; the first of them per controller may have reached the domain before a crash lost its mark
 * (ingest/crash-window.ts). A domain refusal (reservation already ended, wrong state) means "already so / not
 * applicable": logged, and the event counts as applied. Any other failure (store down) stops applying that
 * controller's events in this process without advancing its mark, so they are applied again after a restart.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { DomainError } from '../domain/errors.ts';
import { lockerKey } from '../store/store.ts';
import type { StoredEvent } from '../sync/event-journal.ts';
import type { DomainDoorMap } from './door-map.ts';
import { AlertRecorder, alertOf } from './ingest/alerts.ts';
import { CrashWindow } from './ingest/crash-window.ts';
import { IngestMarks } from './ingest/marks.ts';
import { changesState, TransactionApplier } from './ingest/transactions.ts';
import type { Alert, Applied, EventIngestEvents, IngestDomain, JournalReader, StoredEventSource } from './ingest/types.ts';

export { INGEST_FILE, INGEST_FILE_MIGRATED, IngestError } from './ingest/marks.ts';
export type { Alert, Applied, EventIngestEvents, IngestDomain, IssuedPickupCode, JournalReader, StoredEventSource } from './ingest/types.ts';

export interface EventIngestOptions {
  service: IngestDomain;
  source: StoredEventSource;
  journal: JournalReader;
  doors: DomainDoorMap;
  /** Folder where older versions kept the applied-up-to marks (`ingest.json`, migrated into the store at start). */
  stateDir: string;
  logger?: Logger;
  now?: () => number;
  /** Alerts kept in memory (newest). */
  maxAlerts?: number;
}

export class EventIngest extends EventEmitter<EventIngestEvents> {
  private readonly log: Logger;
  private readonly marks: IngestMarks;
  private readonly window: CrashWindow;
  private readonly alertRecorder: AlertRecorder;
  private readonly transactions: TransactionApplier;
  private chain: Promise<void> = Promise.resolve();
  private started = false;
  private stopped = false;
  private readonly onStored = (e: StoredEvent): void => this.enqueue(e);

  constructor(private readonly opts: EventIngestOptions) {
    super();
    const log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'event-ingest' });
    const now = opts.now ?? Date.now;
    const { service, doors } = opts;
    this.log = log;
    this.marks = new IngestMarks({ store: service.store, stateDir: opts.stateDir, log, now });
    this.window = new CrashWindow({ store: service.store, marks: this.marks, doors });
    this.alertRecorder = new AlertRecorder({ service, doors, log, maxAlerts: opts.maxAlerts ?? 1000, onAlert: (a) => this.emit('alert', a) });
    this.transactions = new TransactionApplier({ service, doors, log, now, onPickupCode: (p) => this.emit('pickup-code', p) });
  }

  /** Highest seq of a controller applied to the domain. */
  appliedUpTo(controllerId: string): number {
    return this.marks.appliedUpTo(controllerId);
  }

  /** Recent alerts, oldest first, optionally of one bank. */
  alerts(bankId?: string): Alert[] {
    return this.alertRecorder.list(bankId);
  }

  /** Resolves once everything received so far is applied and its mark saved. */
  async idle(): Promise<void> {
    await this.chain;
    await this.marks.idle();
  }

  /**
   * Loads the marks, subscribes, and applies what the journal holds beyond them. Call before the link starts, so
   * no stored event can slip between the replay and the subscription. `replay: false` (several instances on one
   * database) applies nothing at start: `catchUp` does it for the banks this instance takes over.
   */
  async start(opts: { replay?: boolean } = {}): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (opts.replay === false) {
      // Several instances: each bank's events are replayed by whoever takes it over (catchUp), not all at start.
      await this.marks.load([]);
      this.opts.source.on('event-stored', this.onStored);
      return;
    }
    const journal = await this.opts.journal.read();
    await this.marks.load(journal);
    const missed = journal.filter((e) => e.seq > this.appliedUpTo(e.controllerId));
    this.window.open(missed);
    if (missed.length > 0) this.log.info({ events: missed.length }, 'applying stored events the domain has not seen');
    for (const e of missed) this.enqueue(e);
    this.opts.source.on('event-stored', this.onStored);
  }

  /**
   * This instance took over the bank of these controllers from another (several instances on one database): their
   * marks are read again, and what the journal holds beyond them (stored by the other instance, which died before it
   * applied them) is applied, the first of each through the crash window. Call before the link stores new events of
   * theirs, so those come after.
   */
  async catchUp(controllerIds: readonly string[]): Promise<void> {
    await this.idle();
    await this.opts.service.store.sync();
    const missed: StoredEvent[] = [];
    for (const c of controllerIds) {
      this.marks.reload(c);
      missed.push(...(await this.opts.journal.read(c, this.appliedUpTo(c))));
    }
    if (missed.length === 0) return;
    this.window.open(missed);
    this.log.info({ events: missed.length, controllers: controllerIds.length }, 'applying stored events of controllers taken over');
    for (const e of missed) this.enqueue(e);
  }

  /** Unsubscribes, lets the events received so far be applied, and saves the marks. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.opts.source.off('event-stored', this.onStored);
    await this.idle();
  }

  private enqueue(e: StoredEvent): void {
    this.chain = this.chain.then(() => this.applyOne(e)).catch((err: unknown) => this.log.error({ err }, 'ingest chain failed'));
  }

  private async applyOne(e: StoredEvent): Promise<void> {
    if (this.marks.isStuck(e.controllerId)) return;
    if (e.seq <= this.appliedUpTo(e.controllerId)) return; // a duplicate: already applied
    const result: Applied = { controllerId: e.controllerId, seq: e.seq, type: e.event.type, actions: [], notes: [] };
    try {
      if (await this.window.appliedBefore(e)) result.notes.push('applied before the restart (its mark was lost)');
      else {
        if (e.event.type === 'transaction' && changesState(e.event)) this.marks.markApplying(e.controllerId, e.seq);
        await this.apply(e, result);
      }
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'STORE_FAILED') {
        this.marks.stick(e.controllerId);
        this.log.error({ err, controllerId: e.controllerId, seq: e.seq }, "event not applied; this controller's later events wait for a restart");
        return;
      }
      result.notes.push(`${err.code}: ${err.message}`);
    }
    if (this.marks.isStuck(e.controllerId)) return; // its `applying` mark could not be saved: the store is down
    this.marks.markApplied(e.controllerId, e.seq);
    if (result.actions.length > 0 || result.notes.length > 0) this.log.info(result, 'controller event applied');
    this.emit('applied', result);
  }

  private async apply(e: StoredEvent, out: Applied): Promise<void> {
    const ev = e.event;
    if (ev.type === 'transaction') return this.transactions.apply(e, ev, out);
    if (ev.type === 'service-changed') {
      const ref = this.opts.doors.lockerAt(e.controllerId, ev.door);
      if (!ref) return void out.notes.push(`door ${ev.door} is no known locker`);
      const locker = this.opts.service.store.get('lockers', lockerKey(ref.bankId, ref.lockerNumber));
      if (locker?.service === ev.state) return void out.notes.push(`locker ${ref.lockerNumber} already ${ev.state}`);
      await this.opts.service.setServiceState(ref.bankId, ref.lockerNumber, { state: ev.state, ...(ev.reason ? { reason: ev.reason } : {}) }, ev.actor);
      out.actions.push(`setServiceState ${ref.lockerNumber} ${ev.state}`);
      return;
    }
    const raised = alertOf(ev);
    if (raised) await this.alertRecorder.record(e, raised, out);
  }
}
