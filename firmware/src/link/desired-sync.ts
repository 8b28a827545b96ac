import type { KeyObject } from 'node:crypto';
import { desiredStateHash, parsePayload, verifyMessage, type Desired, type EventBody, type PortierEvent, type Reported, type ReportedDoor } from '@portier/protocol';
import type { CloudClock } from '../clock/cloud-clock.ts';
import type { DesiredStore } from '../store/desired-store.ts';
import type { Logger } from '../util/logger.ts';
import type { LinkConnection } from './connection.ts';
import type { Outbox } from './outbox.ts';
import { RejectionFold, type FoldedRejection } from './rejection-fold.ts';
import type { CommandExecutor } from './types.ts';

export interface DesiredSyncDeps {
  key: KeyObject;
  bankId: string;
  controllerId: string;
  firmware: string;
  bootId: string;
  desiredStore: DesiredStore;
  outbox: Outbox;
  executor: CommandExecutor;
  clock: CloudClock;
  conn: LinkConnection;
  log: Logger;
  monotonic: () => number;
  /** Monotonic time the link was made (uptime in `reported`). */
  startedMono: number;
  rejectionWindowMs: number | undefined;
  /** Learns cloud time from a verified message's `issuedAt`. */
  learn(issuedAt: number): void;
  /** A desired payload that does not parse: logged and announced. */
  drop(code: string, message: string): void;
  applied(e: { desired: Desired; hash: string }): void;
  rejected(e: { version: number; reason: string }): void;
  publishEvent(body: EventBody): Promise<PortierEvent>;
}

/**
 * Desired and reported state: a verified, newer desired state is stored and applied (in arrival order), anything
 * else refused and reported folded per kind; `reported` says which version is applied and what the doors do.
 */
export class DesiredSync {
  private chain: Promise<void> = Promise.resolve();
  private readonly rejections: RejectionFold;
  private active = true;

  constructor(private readonly d: DesiredSyncDeps) {
    this.rejections = new RejectionFold({
      report: (r) => this.reportRejection(r),
      ...(d.rejectionWindowMs !== undefined ? { windowMs: d.rejectionWindowMs } : {}),
    });
  }

  onDesired(payload: Buffer, retained: boolean): void {
    // An empty retained payload clears the retained message on the broker: nothing to apply.
    if (payload.byteLength === 0) return;
    const r = parsePayload('desired', payload);
    if (!r.ok) {
      this.d.drop(r.code, r.message);
      this.reject('malformed', 0, `malformed: ${r.message}`);
      return;
    }
    const m = r.value;
    if (!verifyMessage(m, this.d.key)) return this.reject('bad-signature', m.version, 'bad signature');
    if (m.bankId !== this.d.bankId || m.controllerId !== this.d.controllerId) return this.reject('wrong-target', m.version, `addressed to ${m.bankId}/${m.controllerId}`);
    // A retained copy may be days old; only a live one says something about cloud time now.
    if (!retained) this.d.learn(m.issuedAt);
    this.chain = this.chain.then(() => this.apply(m)).catch((err: unknown) => this.d.log.error({ err }, 'could not apply desired state'));
  }

  /** Publishes `reported` now when online. */
  reportNow(): void {
    const online = this.d.conn.onlineClient();
    if (online) this.d.conn.publish(online.client, 'reported', this.buildReported());
  }

  /** Reports every rejection still folded (into the outbox, still open) and reports nothing after. */
  close(): void {
    this.rejections.flush();
    this.active = false;
  }

  buildReported(): Reported {
    const { desiredStore, executor, clock, outbox } = this.d;
    const desired = desiredStore.desired;
    const snap = executor.snapshot?.();
    const doors: ReportedDoor[] =
      snap?.doors ?? (desired?.state.doors ?? []).map((x) => ({ door: x.door, state: 'unknown' as const, itemPresent: null, service: x.service }));
    return {
      v: 1,
      at: clock.now(),
      desiredVersion: desired?.version ?? null,
      desiredHash: desiredStore.hash,
      doors,
      bus: snap?.bus ?? { state: 'ok', consecutiveFailures: 0 },
      firmware: this.d.firmware,
      bootId: this.d.bootId,
      uptimeS: Math.max(0, Math.floor((this.d.monotonic() - this.d.startedMono) / 1000)),
      outboxDepth: outbox.depth,
      clockOffsetMs: clock.offsetMs === null ? null : Math.round(clock.offsetMs),
      ...(outbox.lastEvtack ? { evtack: outbox.lastEvtack } : {}),
    };
  }

  private async apply(m: Desired): Promise<void> {
    const store = this.d.desiredStore;
    const applied = store.version;
    if (applied !== null && m.version <= applied) {
      if (m.version < applied) this.reject('older', m.version, `older than the applied version ${applied}`);
      else if (store.desired?.sig !== m.sig && store.hash !== desiredStateHash(m.state)) {
        this.reject('same-version', m.version, 'same version as the applied one with different content');
      }
      return;
    }
    const hash = await store.apply(m);
    this.d.log.info({ version: m.version, hash }, 'desired state applied');
    this.d.applied({ desired: m, hash });
    this.reportNow();
  }

  /** A refused desired state: seen locally at once, reported to the cloud folded per kind (rejection-fold.ts). */
  private reject(kind: string, version: number, reason: string): void {
    this.d.log.debug({ version, reason }, 'desired state rejected');
    this.d.rejected({ version, reason });
    this.rejections.record(kind, version, reason);
  }

  private reportRejection(r: FoldedRejection): void {
    if (!this.active) return;
    this.d.log.warn({ version: r.version, reason: r.reason, count: r.count }, r.count > 1 ? 'desired states rejected (folded)' : 'desired state rejected');
    const event: EventBody = { type: 'desired-rejected', version: r.version, reason: r.reason.slice(0, 200), ...(r.count > 1 ? { count: r.count } : {}) };
    void this.d.publishEvent(event).catch((err: unknown) => this.d.log.error({ err }, 'could not record desired-rejected'));
  }
}
