/**
 * What staff and recipients see: lockers with their status and contents (never a code), reservations live and past,
 * and the activity log, with the entries a controller's alerts and remote opens add to it.
 */
import type { ReachLimits } from '../accessibility.ts';
import { isAccessible } from '../accessibility.ts';
import { activityCsvHeader, activityCsvRows } from '../activity.ts';
import type { ActivityPageQuery, Page } from '../../store/store.ts';
import { ActivityRows, type ActivityRow } from './activity-rows.ts';
import { isKioskUnassigned } from './held-parcels.ts';

const CSV_PAGE = 1000;
import type { BankIndex } from '../bank-index.ts';
import type { DomainCore } from '../core.ts';
import { DomainError, notFound, parseInput } from '../errors.ts';
import {
  activityQuery,
  listReservationsQuery,
  recordAlertInput,
  recordRemoteOpenInput,
  type ActivityEntry,
  type ActivityQuery,
  type Actor,
  type ListReservationsQuery,
  type Locker,
  type RecordAlertInput,
  type RecordRemoteOpenInput,
  type Reservation,
  customTexts,
} from '../model.ts';
import { normalizeText } from '../contact-index.ts';
import type { CustomFieldUseCases } from './custom-fields.ts';

/** The status a locker shows. */
export type LockerStatus = 'available' | 'reserved' | 'occupied' | 'expired' | 'out-of-service';

/** What is inside (or promised to) a locker, without any code. */
export interface ContentsSummary {
  reservationId: string;
  kind: Reservation['kind'];
  status: Reservation['status'];
  recipient: Reservation['recipient'];
  trackingIds: string[];
  packages: number;
  since: number;
  endsAt?: number;
}
export interface LockerView {
  locker: Locker;
  status: LockerStatus;
  accessible: boolean;
  contents?: ContentsSummary;
}

/** The part of the activity a user may see (see ActivityPageQuery.within). */
export type ActivityWithin = NonNullable<ActivityPageQuery['within']>;

export class ViewUseCases {
  constructor(
    private readonly core: DomainCore,
    private readonly customFields?: CustomFieldUseCases,
  ) {}

  async getLocker(bankId: string, number: number): Promise<LockerView> {
    const bank = this.core.mustBank(bankId, 'bankId');
    const idx = this.core.banks.of(bankId);
    const l = idx.lockers.get(number);
    if (!l) throw notFound(`locker of bank ${bankId}`, number, 'number');
    return lockerView(l, idx, this.core.reachOf(bank));
  }

  async listLockers(bankId: string): Promise<LockerView[]> {
    const bank = this.core.mustBank(bankId, 'bankId');
    const idx = this.core.banks.of(bankId);
    const reach = this.core.reachOf(bank);
    return [...idx.lockers.values()].sort((a, b) => a.number - b.number).map((l) => lockerView(l, idx, reach));
  }

  async getReservation(id: string): Promise<Reservation> {
    const live = this.core.store.get('reservations', id);
    if (live) return live;
    const past = await this.core.store.pastReservation(id);
    if (past) return past;
    throw notFound('reservation', id, 'reservationId');
  }

  async listReservations(query: ListReservationsQuery): Promise<Reservation[]> {
    const q = parseInput(listReservationsQuery, query);
    const where = (r: Reservation): boolean =>
      (q.locationId === undefined || this.core.store.get('banks', r.bankId)?.locationId === q.locationId) &&
      (q.unassigned === undefined || isKioskUnassigned(r.recipient) === q.unassigned);
    const needle = normalizeText(q.q?.trim() ?? '');
    const holds = (r: Reservation): boolean => needle === '' || this.searchTexts(r).some((t) => normalizeText(t).includes(needle));
    const match = (r: Reservation): boolean =>
      (q.bankId === undefined || r.bankId === q.bankId) &&
      where(r) &&
      (q.status === undefined || r.status === q.status) &&
      (q.recipientId === undefined || r.recipient.id === q.recipientId) &&
      holds(r);
    const live = this.core.store.list('reservations').filter(match).sort((a, b) => a.createdAt - b.createdAt);
    const out = live.slice(0, q.limit);
    if (q.includeEnded || q.status === 'ended') {
      // With a text to look for, history is read page by page until enough ended reservations hold it.
      let left = q.limit - out.length;
      let cursor: string | undefined;
      while (left > 0) {
        const page = await this.core.store.pastReservations({
          limit: needle === '' ? left : Math.max(left, 500),
          ...(cursor !== undefined ? { cursor } : {}),
          ...(q.bankId !== undefined ? { bankId: q.bankId } : {}),
          ...(q.recipientId !== undefined ? { recipientId: q.recipientId } : {}),
        });
        const hits = page.items.filter((r) => where(r) && holds(r)).slice(0, left);
        out.push(...hits);
        left -= hits.length;
        if (needle === '' || page.nextCursor === undefined) break;
        cursor = page.nextCursor;
      }
    }
    return q.status === 'ended' ? out.filter((r) => r.status === 'ended') : out;
  }

  /** What a reservation listing's `q` looks through: the shown custom values and the parcels' tracking IDs. */
  private searchTexts(r: Reservation): string[] {
    const fields = this.customFields?.all(this.core.enterpriseOf('bank', r.bankId) ?? '');
    return [...customTexts(fields, 'reservations', r.customValues), ...r.packages.flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : []))];
  }

  /** A locker alert reported by a controller, kept in the activity log (type `alert`) for staff and for export. */
  async recordAlert(input: RecordAlertInput, actor: Actor): Promise<ActivityEntry> {
    const req = parseInput(recordAlertInput, input);
    this.core.mustBank(req.bankId, 'bankId');
    const a = this.core.activity('alert', actor, {
      bankId: req.bankId,
      ...(req.lockerNumber !== undefined ? { lockerNumber: req.lockerNumber } : {}),
      detail: `${req.kind}: ${req.detail} (controller ${req.controllerId}${req.seq !== undefined ? ` event ${req.seq}` : ''})`,
    });
    await this.core.commit({ activity: [a] });
    return a;
  }

  async recordRemoteOpen(input: RecordRemoteOpenInput, actor: Actor): Promise<ActivityEntry> {
    const req = parseInput(recordRemoteOpenInput, input);
    this.core.mustBank(req.bankId, 'bankId');
    const idx = this.core.banks.of(req.bankId);
    if (!idx.lockers.has(req.lockerNumber)) throw notFound(`locker of bank ${req.bankId}`, req.lockerNumber, 'lockerNumber');
    const live = idx.live.get(req.lockerNumber);
    const a = this.core.activity('remote-open', actor, {
      bankId: req.bankId,
      lockerNumber: req.lockerNumber,
      ...(live ? { reservationId: live.id, recipientId: live.recipient.id } : {}),
      detail: [req.commandId && `command ${req.commandId}`, req.credentialId && `credential ${req.credentialId}`, req.outcome].filter(Boolean).join(': ') || undefined,
    });
    await this.core.commit({ activity: [a] });
    return a;
  }

  /** One page of the activity log, oldest first; `nextCursor` asks for the next. */
  async activityPage(query: ActivityQuery, within?: ActivityWithin): Promise<Page<ActivityEntry>> {
    const { locationId, ...q } = parseInput(activityQuery, query);
    if (q.from !== undefined && q.to !== undefined && q.to < q.from) throw new DomainError('VALIDATION', 'to: must not be before from', 'to');
    const part = locationId !== undefined ? this.locationWithin(locationId, within) : within;
    try {
      return await this.core.store.queryActivity(part ? { ...q, within: part } : q);
    } catch (err) {
      if (err instanceof RangeError) throw new DomainError('VALIDATION', `cursor: ${err.message}`, 'cursor');
      throw err;
    }
  }

  /** The same page with the names a person reads (activity-rows.ts). */
  async activityRowsPage(query: ActivityQuery, within?: ActivityWithin): Promise<Page<ActivityRow>> {
    const page = await this.activityPage(query, within);
    return { ...page, items: await new ActivityRows(this.core.store).of(page.items) };
  }

  /**
   * A location's part of the activity: entries of its banks (those inside `within` too); a location outside the
   * caller's part, or no location, has none.
   */
  private locationWithin(locationId: string, within: ActivityWithin | undefined): ActivityWithin {
    const banks = this.core.store.list('banks').filter((b) => b.locationId === locationId && (!within || within.bankIds.has(b.id)));
    const location = this.core.store.get('locations', locationId);
    const division = location ? this.core.store.get('divisions', location.divisionId) : undefined;
    return { enterpriseId: within?.enterpriseId ?? division?.enterpriseId ?? '', bankIds: new Set(banks.map((b) => b.id)), unbanked: false };
  }

  async queryActivity(query: ActivityQuery): Promise<ActivityEntry[]> {
    return (await this.activityPage(query)).items;
  }

  /**
   * The activity export as CSV text, chunk by chunk: up to `limit` entries from `cursor` on, read a page at a time,
   * so an export of any size holds one page in memory.
   */
  async *activityCsvChunks(query: ActivityQuery, within?: ActivityWithin): AsyncGenerator<string> {
    const q = parseInput(activityQuery, query);
    let left = q.limit;
    let cursor = q.cursor;
    yield activityCsvHeader();
    while (left > 0) {
      const page = await this.activityRowsPage({ ...q, limit: Math.min(left, CSV_PAGE), ...(cursor !== undefined ? { cursor } : {}) }, within);
      if (page.items.length > 0) yield activityCsvRows(page.items);
      left -= page.items.length;
      cursor = page.nextCursor;
      if (cursor === undefined) break;
    }
  }

  async activityCsv(query: ActivityQuery): Promise<string> {
    let out = '';
    for await (const chunk of this.activityCsvChunks(query)) out += chunk;
    return out;
  }
}

export function lockerView(l: Locker, idx: BankIndex, reach: ReachLimits): LockerView {
  const live = idx.live.get(l.number);
  const status: LockerStatus = l.service === 'out-of-service' ? 'out-of-service' : live ? (live.status as LockerStatus) : 'available';
  const v: LockerView = { locker: l, status, accessible: isAccessible(l, reach) };
  if (live) {
    v.contents = {
      reservationId: live.id,
      kind: live.kind,
      status: live.status,
      recipient: live.recipient,
      trackingIds: live.packages.flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : [])),
      packages: live.packages.filter((p) => p.droppedOffAt !== undefined).length,
      since: live.occupiedAt ?? live.createdAt,
      ...(live.endsAt !== undefined ? { endsAt: live.endsAt } : {}),
    };
  }
  return v;
}
