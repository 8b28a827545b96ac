/**
 * Keeps every controller's retained `desired` state in step with the domain.
 *
 * A domain event (reservation, locker, bank rules, carrier code or staff credential changed, a contact's badge changed), a controller coming online, or the periodic refresh marks its
 * bank dirty; dirty banks are rebuilt together after a short debounce (default 20 ms), so a burst of 32 concurrent
 * reservations costs one or two rebuilds, not 32. Each active controller of a dirty bank gets its state rebuilt and
 * published only when its `desiredStateHash` differs from the last one published, so a controller whose column
 * did not change sees no new version. Rebuilds run one at a time; a bank marked during a rebuild is rebuilt again
 * right after it. A field added to the desired state after the first release is left out for a controller that did
 * not announce its feature (`featuresOf`), so a controller not yet upgraded still takes its codes and reservations.
 */
import { EventEmitter } from 'node:events';
import { desiredStateFor, desiredStateHash, type ControllerFeature, type DesiredState } from '@portier/protocol';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { DomainEvents } from '../domain/events.ts';
import type { Change, CollectionName, Store } from '../store/store.ts';
import { banksOfRecord } from '../domain/guard-keys.ts';
import type { CredentialFormSource } from './credential-forms.ts';
import { buildDesiredState, DesiredBuildError, type DesiredSource } from './desired-builder.ts';
import type { DomainDoorMap } from './door-map.ts';
import { bringsBadge } from './recipient-badges.ts';

/** What the publisher needs from the sync link (CloudLink has it). */
export interface DesiredLink {
  publishDesired(bankId: string, controllerId: string, state: DesiredState): Promise<{ version: number }>;
  /**
   * The features a controller announced (protocol features.ts): a field added to the desired state after the first
   * release goes only to a controller that names its feature, since an older one refuses the whole strict state.
   */
  featuresOf(controllerId: string): readonly ControllerFeature[];
  on(event: 'controller-online', l: (e: { bankId: string; controllerId: string }) => void): unknown;
  off(event: 'controller-online', l: (e: { bankId: string; controllerId: string }) => void): unknown;
}

/** The domain's event source (LockerService). */
export interface DomainEventSource {
  on<K extends keyof DomainEvents>(event: K, l: (...args: DomainEvents[K]) => void): unknown;
  off<K extends keyof DomainEvents>(event: K, l: (...args: DomainEvents[K]) => void): unknown;
}

export interface DesiredPublisherOptions {
  src: DesiredSource;
  events: DomainEventSource;
  link: DesiredLink;
  doors: DomainDoorMap;
  /** Each controller's credential form: keyed under its credential key, or legacy (credential-forms.ts). */
  forms: CredentialFormSource;
  now?: () => number;
  logger?: Logger;
  /** Coalescing window after the first change (default 20 ms). */
  debounceMs?: number;
  /** Every bank is rebuilt this often (codes expire, controllers get provisioned); 0 = never. Default 60 s. */
  refreshMs?: number;
  /** How long `stop()` waits for a rebuild whose publish is stuck (broker away). Default 2 s. */
  stopWaitMs?: number;
  /** The cloud's public address (empty while unknown): kiosks fetch their logo from there. */
  assetBase?: () => string;
  /**
   * Changes other cloud instances made to the store (several instances on one database): their banks are rebuilt as
   * for this instance's own domain events, so a change made through any instance reaches the controllers.
   */
  external?: Pick<Store, 'onExternalChange'>;
  /** Whether this instance publishes a bank's states (bank-ownership.ts); without it, every bank's. */
  owns?: (bankId: string) => boolean;
}

/** What another instance's change to a collection touches of the desired states: named banks, every bank, or none. */
const EVERY_BANK: ReadonlySet<CollectionName> = new Set(['enterprises', 'divisions', 'locations', 'users', 'roles', 'brandings', 'brandAssets']);

export interface PublishedDesired {
  bankId: string;
  controllerId: string;
  version: number;
  hash: string;
}

export interface DesiredPublisherEvents {
  published: [PublishedDesired];
  /** A flush finished (every dirty bank rebuilt). */
  flushed: [{ banks: number; published: number }];
}

export class DesiredPublisher extends EventEmitter<DesiredPublisherEvents> {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly dirty = new Set<string>();
  /** Last hash published (or found already published) per controller. */
  private readonly lastHash = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private refresher: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private started = false;
  private builds = 0;
  /** controllerId + credential id of codes of an older release already reported as withheld from a keyed controller. */
  private readonly withheld = new Set<string>();

  private readonly onReservation = (e: DomainEvents['reservation-changed'][0]): void => this.markBank(e.reservation.bankId);
  private readonly onLocker = (e: DomainEvents['locker-changed'][0]): void => this.markBank(e.locker.bankId);
  private readonly onBank = (e: DomainEvents['bank-changed'][0]): void => this.markBank(e.bank.id);
  private readonly onCarrierCode = (e: DomainEvents['carrier-code-changed'][0]): void => {
    if (e.carrierCode.bankIds.length === 0) this.markAll();
    else for (const b of e.carrierCode.bankIds) this.markBank(b);
  };
  private readonly onStaffCredential = (e: DomainEvents['staff-credential-changed'][0]): void => {
    if (e.staffCredential.bankIds.length === 0) this.markAll();
    else for (const b of e.staffCredential.bankIds) this.markBank(b);
  };
  /** A contact's badge reaches the banks where they have a parcel waiting (recipient-badges.ts): those banks. */
  private readonly onContactBadges = (e: DomainEvents['contact-badges-changed'][0]): void => {
    const ids = new Set(e.contactIds);
    for (const r of this.opts.src.list('reservations')) if (bringsBadge(r) && ids.has(r.recipient.id)) this.markBank(r.bankId);
  };
  private readonly onOnline = (e: { bankId: string; controllerId: string }): void => {
    // A controller that (re)connects may have missed nothing (retained), but one provisioned since the last
    // rebuild has never had a state, and one upgraded (or downgraded) since announces other features: forget its hash
    // so it is built again. The link publishes a new version only when the state differs from the one it holds.
    this.lastHash.delete(e.controllerId);
    this.markBank(e.bankId);
  };

  private unwatch: (() => void) | undefined;
  /** Called before the change reaches memory: an entry deleted or replaced is still there to say which bank it was of. */
  private readonly onExternal = (change: Change | undefined): void => {
    if (!change) return this.markAll();
    const src = this.opts.src;
    const banks = new Set<string>();
    const contacts = new Set<string>();
    const touch = (c: CollectionName, key: string, value: unknown): void => {
      if (EVERY_BANK.has(c)) return void banks.add('*');
      if (c === 'contacts') return void contacts.add(key);
      if (c === 'carrierCodes' || c === 'staffCredentials') {
        for (const v of [value, src.get(c, key)]) {
          if (v === undefined) continue;
          const ids = (v as { bankIds: string[] }).bankIds;
          if (ids.length === 0) banks.add('*');
          for (const b of ids) banks.add(b);
        }
        return;
      }
      for (const b of banksOfRecord(c, key, value, src)) banks.add(b);
    };
    for (const p of change.put ?? []) touch(p.c, p.key, p.value);
    for (const d of change.del ?? []) touch(d.c, d.key, undefined);
    if (banks.has('*')) return this.markAll();
    for (const b of banks) this.markBank(b);
    // A contact's badge reaches the banks where they have a parcel waiting, as for this instance's own changes.
    if (contacts.size > 0) this.onContactBadges({ contactIds: [...contacts] });
  };

  constructor(private readonly opts: DesiredPublisherOptions) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'desired-publisher' });
    this.now = opts.now ?? Date.now;
  }

  /** How many controller states were built (tests and benchmarks). */
  get buildCount(): number {
    return this.builds;
  }

  /** Subscribes and publishes every controller's state once. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.opts.events.on('reservation-changed', this.onReservation);
    this.opts.events.on('locker-changed', this.onLocker);
    this.opts.events.on('bank-changed', this.onBank);
    this.opts.events.on('carrier-code-changed', this.onCarrierCode);
    this.opts.events.on('staff-credential-changed', this.onStaffCredential);
    this.opts.events.on('contact-badges-changed', this.onContactBadges);
    this.opts.link.on('controller-online', this.onOnline);
    this.unwatch = this.opts.external?.onExternalChange(this.onExternal);
    const refreshMs = this.opts.refreshMs ?? 60_000;
    if (refreshMs > 0) {
      this.refresher = setInterval(() => this.markAll(), refreshMs);
      this.refresher.unref();
    }
    this.markAll();
    await this.flush();
  }

  /**
   * Stops listening and waits (bounded) for a rebuild in progress; pending marks are dropped. A publish still waiting
   * for an absent broker is left to the link, which ends it when it stops.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.opts.events.off('reservation-changed', this.onReservation);
    this.opts.events.off('locker-changed', this.onLocker);
    this.opts.events.off('bank-changed', this.onBank);
    this.opts.events.off('carrier-code-changed', this.onCarrierCode);
    this.opts.events.off('staff-credential-changed', this.onStaffCredential);
    this.opts.events.off('contact-badges-changed', this.onContactBadges);
    this.opts.link.off('controller-online', this.onOnline);
    this.unwatch?.();
    if (this.timer) clearTimeout(this.timer);
    if (this.refresher) clearInterval(this.refresher);
    this.timer = undefined;
    this.dirty.clear();
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((r) => (timer = setTimeout(r, this.opts.stopWaitMs ?? 2000)))]);
    clearTimeout(timer);
  }

  markBank(bankId: string): void {
    if (this.stopped || this.opts.owns?.(bankId) === false) return;
    this.dirty.add(bankId);
    if (this.timer || this.running) return; // the running flush schedules the next one
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.opts.debounceMs ?? 20);
  }

  /**
   * Banks this instance took over: rebuilt whole, whatever it published for them before (another instance has
   * published since).
   */
  takeOver(bankIds: readonly string[]): void {
    for (const bankId of bankIds) {
      for (const ctl of this.opts.doors.controllersOf(bankId)) this.lastHash.delete(ctl.controllerId);
      this.markBank(bankId);
    }
  }

  markAll(): void {
    for (const c of this.opts.doors.activeControllers()) this.markBank(c.bankId);
  }

  /** Rebuilds every dirty bank now; resolves when they are published (or failed and logged). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running) {
      // Chain one more pass after the running one, for the banks marked meanwhile.
      return this.running.then(() => this.flush());
    }
    const run = this.runOnce().finally(() => {
      this.running = undefined;
      if (this.dirty.size > 0 && !this.stopped && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          void this.flush();
        }, this.opts.debounceMs ?? 20);
      }
    });
    this.running = run;
    return run;
  }

  private async runOnce(): Promise<void> {
    const banks = [...this.dirty].sort();
    this.dirty.clear();
    let published = 0;
    for (const bankId of banks) {
      // Given up since it was marked: its new owner builds it.
      if (this.opts.owns?.(bankId) === false) continue;
      for (const ctl of this.opts.doors.controllersOf(bankId)) {
        if (this.stopped) return;
        let state: DesiredState;
        try {
          const bank = this.opts.src.get('banks', bankId);
          if (!bank) throw new DesiredBuildError('UNKNOWN_BANK', `no bank ${bankId}`);
          const now = this.now();
          const form = await this.opts.forms.formFor(bank, ctl.controllerId, now);
          const assetBase = this.opts.assetBase?.();
          const built = buildDesiredState(this.opts.src, { bankId, column: ctl.column, now, form, ...(assetBase ? { assetBase } : {}) });
          this.builds++;
          state = desiredStateFor(built.state, this.opts.link.featuresOf(ctl.controllerId));
          if (built.skipped.length > 0) this.log.debug({ controllerId: ctl.controllerId, skipped: built.skipped.length }, 'credentials left out of desired state');
          for (const k of built.skipped) {
            if (k.why !== 'legacy-code' || this.withheld.has(`${ctl.controllerId}\0${k.id}`)) continue;
            this.withheld.add(`${ctl.controllerId}\0${k.id}`);
            this.log.warn(
              { controllerId: ctl.controllerId, credentialId: k.id, kind: k.kind },
              `${k.id} was issued by an older release (kept only as a bank-salt hash): controller ${ctl.controllerId}, which has a credential key, cannot check it; issue it again`,
            );
          }
        } catch (err) {
          if (err instanceof DesiredBuildError) {
            // Provisioned before the domain knows its bank/column: nothing to send yet.
            this.log.debug({ controllerId: ctl.controllerId, code: err.code }, 'no desired state for controller yet');
            continue;
          }
          this.log.error({ err, controllerId: ctl.controllerId }, 'building desired state failed');
          continue;
        }
        const hash = desiredStateHash(state);
        if (this.lastHash.get(ctl.controllerId) === hash) continue;
        try {
          const msg = await this.opts.link.publishDesired(bankId, ctl.controllerId, state);
          this.lastHash.set(ctl.controllerId, hash);
          published++;
          this.emit('published', { bankId, controllerId: ctl.controllerId, version: msg.version, hash });
        } catch (err) {
          // Not recorded as published: the next mark of this bank (or the refresh) tries again.
          this.log.warn({ err, controllerId: ctl.controllerId }, 'desired state not published');
        }
      }
    }
    this.emit('flushed', { banks: banks.length, published });
  }
}
