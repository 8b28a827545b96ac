/**
 * Lockers after creation: edited (size, door heights, dedication, front/rear, shelf barcode), deleted, and the shelf
 * barcodes of rear-loading lockers generated ("Configure Lockers").
 *
 * A locker held by a live reservation keeps what that reservation relies on; an edit that would break it is refused
 * (CONFLICT naming the reservation):
 * - it may grow but not shrink (no side of its compartment smaller than now: the parcel inside must still fit);
 * - it keeps its loading side (the party bringing the parcel comes to that side);
 * - it is dedicated only to someone the reservation's recipient belongs to (or to no one);
 * - its door stays in reach when the recipient needs accessible lockers.
 * Its shelf barcode may change at any time: it is a label, printed again.
 *
 * Shelf barcodes are unique across the whole platform (every enterprise): a scanned label names one shelf anywhere,
 * and a generated one never has to be checked against another enterprise's lockers it cannot see.
 */
import { lockerKey } from '../../store/store.ts';
import { isAccessible } from '../accessibility.ts';
import type { DomainCore, Locked } from '../core.ts';
import { DomainError, notFound, parseInput } from '../errors.ts';
import {
  editedLockerSchema,
  generateShelfBarcodesInput,
  lockerDimensions,
  lockerNumberSchema,
  lockerSchema,
  updateLockerInput,
  type Actor,
  type GenerateShelfBarcodesInput,
  type Locker,
  type Reservation,
  type UpdateLockerInput,
} from '../model.ts';
import { auditChanges } from '../audit.ts';
import { lockerView, type LockerView } from './views.ts';

/** Crockford's base 32: no I, L, O or U, so a label read aloud or typed is not mistaken. */
const BARCODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Generated shelf barcodes: `RS-` and ten characters (50 bits). */
export const GENERATED_SHELF_BARCODE = /^RS-[0-9A-HJKMNP-TV-Z]{10}$/;

const EDITED_FIELDS = ['size', 'dimensions', 'bottomCm', 'topCm', 'loading', 'shelfBarcode', 'dedicatedTo'] as const;

/** The audit entry of a change of locker `l` (its target id is `bank/number`), its creation included. */
export function lockerAudit(core: DomainCore, actor: Actor, l: Locker, detail: string, changes: ReturnType<typeof auditChanges>): ReturnType<DomainCore['audit']> {
  const a = core.audit(actor, core.enterpriseOf('bank', l.bankId) ?? '', { kind: 'locker', id: `${l.bankId}/${l.number}` }, detail, changes, l.bankId);
  return { ...a, lockerNumber: l.number };
}

export class LockerAdmin {
  constructor(private readonly core: DomainCore) {}

  async updateLocker(bankId: string, number: number, input: UpdateLockerInput, actor: Actor): Promise<LockerView> {
    const req = parseInput(updateLockerInput, input);
    const n = parseInput(lockerNumberSchema, number);
    const bank = this.core.mustBank(bankId, 'bankId');
    if (req.dedicatedTo) this.core.mustRecipient(bankId, req.dedicatedTo, 'dedicatedTo.id');
    const next = await this.core.change(bankId, (): Locked<Locker> => {
      const idx = this.core.banks.of(bankId);
      const l = idx.lockers.get(n);
      if (!l) throw notFound(`locker of bank ${bankId}`, n, 'number');
      const merged = this.merge(l, req);
      const geometry = req.size !== undefined || req.dimensions !== undefined || req.bottomCm !== undefined || req.topCm !== undefined;
      const checked = parseInput(geometry ? editedLockerSchema : lockerSchema, merged);
      if (checked.shelfBarcode !== undefined && checked.shelfBarcode !== l.shelfBarcode) this.assertBarcodeFree(checked.shelfBarcode, 'shelfBarcode');
      const live = idx.live.get(n);
      if (live) this.assertKeepsReservation(l, checked, live);
      const a = this.lockerAudit(actor, l, 'locker changed', auditChanges(l, checked, EDITED_FIELDS));
      const done = this.core.write({ put: [{ c: 'lockers', key: lockerKey(bankId, n), value: checked }], activity: [a] });
      return { result: checked, done, events: [['locker-changed', { locker: checked, change: 'edited' }]] };
    });
    return lockerView(next, this.core.banks.of(bankId), this.core.reachOf(bank));
  }

  /** Refused while a live reservation holds the locker. */
  async deleteLocker(bankId: string, number: number, actor: Actor): Promise<Locker> {
    const n = parseInput(lockerNumberSchema, number);
    this.core.mustBank(bankId, 'bankId');
    return this.core.change(bankId, (): Locked<Locker> => {
      const idx = this.core.banks.of(bankId);
      const l = idx.lockers.get(n);
      if (!l) throw notFound(`locker of bank ${bankId}`, n, 'number');
      const live = idx.live.get(n);
      if (live)
        throw new DomainError('CONFLICT', `locker ${n} of bank ${bankId} cannot be deleted: it is held by reservation ${live.id} (${live.status}); end it first`, 'number');
      const a = this.lockerAudit(actor, l, 'locker deleted', auditChanges(l, undefined, ['columnId', 'door', 'size', 'loading']));
      const done = this.core.write({ del: [{ c: 'lockers', key: lockerKey(bankId, n) }], activity: [a] });
      return { result: l, done, events: [['locker-changed', { locker: l, change: 'deleted' }]] };
    });
  }

  /** New generated shelf barcodes for the bank's rear-loading lockers (the numbers given, or every one), in one write. */
  async generateShelfBarcodes(bankId: string, input: GenerateShelfBarcodesInput, actor: Actor): Promise<Locker[]> {
    const req = parseInput(generateShelfBarcodesInput, input);
    this.core.mustBank(bankId, 'bankId');
    return this.core.change(bankId, (): Locked<Locker[]> => {
      const idx = this.core.banks.of(bankId);
      let lockers: Locker[];
      if (req.numbers) {
        lockers = req.numbers.map((n, i) => {
          const l = idx.lockers.get(n);
          if (!l) throw notFound(`locker of bank ${bankId}`, n, `numbers.${i}`);
          if (l.loading !== 'rear') throw new DomainError('VALIDATION', `numbers.${i}: locker ${n} is front-loading: only rear shelves carry a barcode`, `numbers.${i}`);
          return l;
        });
      } else {
        lockers = [...idx.lockers.values()].filter((l) => l.loading === 'rear').sort((a, b) => a.number - b.number);
      }
      if (lockers.length === 0) throw new DomainError('INVALID_STATE', `bank ${bankId} has no rear-loading lockers`, 'bankId');
      const taken = this.barcodesInUse();
      const out = lockers.map((l): Locker => ({ ...l, shelfBarcode: this.newBarcode(taken) }));
      const a = this.core.audit(
        actor,
        this.core.enterpriseOf('bank', bankId) ?? '',
        { kind: 'bank', id: bankId },
        'shelf barcodes generated',
        out.map((l, i) => ({ field: `lockers.${l.number}.shelfBarcode`, ...(lockers[i]!.shelfBarcode !== undefined ? { from: lockers[i]!.shelfBarcode } : {}), to: l.shelfBarcode! })),
        bankId,
      );

      const done = this.core.write({ put: out.map((l) => ({ c: 'lockers' as const, key: lockerKey(bankId, l.number), value: l })), activity: [a] });
      return { result: out, done, events: out.map((l) => ['locker-changed', { locker: l, change: 'edited' }] as const) };
    });
  }

  /** The shelf barcode of a rear-loading locker, for printing. */
  async shelfBarcode(bankId: string, number: number): Promise<string> {
    const n = parseInput(lockerNumberSchema, number);
    this.core.mustBank(bankId, 'bankId');
    const l = this.core.banks.of(bankId).lockers.get(n);
    if (!l) throw notFound(`locker of bank ${bankId}`, n, 'number');
    if (l.loading !== 'rear' || l.shelfBarcode === undefined) throw new DomainError('INVALID_STATE', `locker ${n} of bank ${bankId} is front-loading: it has no shelf barcode`, 'number');
    return l.shelfBarcode;
  }

  /** The edited locker: `undefined` keeps a field, `null` removes it; a standard size drops custom dimensions not given. */
  private merge(l: Locker, req: ReturnType<typeof updateLockerInput.parse>): Locker {
    const { dimensions, shelfBarcode, dedicatedTo, ...rest } = l;
    const keepDims = req.dimensions === undefined && (req.size === undefined || req.size === 'custom') ? dimensions : undefined;
    const dims = req.dimensions === null ? undefined : (req.dimensions ?? keepDims);
    const loading = req.loading ?? l.loading;
    let barcode = req.shelfBarcode === null ? undefined : (req.shelfBarcode ?? shelfBarcode);
    if (loading === 'rear' && barcode === undefined) barcode = this.newBarcode(this.barcodesInUse());
    const dedication = req.dedicatedTo === null ? undefined : (req.dedicatedTo ?? dedicatedTo);
    return {
      ...rest,
      ...(req.size !== undefined ? { size: req.size } : {}),
      ...(req.bottomCm !== undefined ? { bottomCm: req.bottomCm } : {}),
      ...(req.topCm !== undefined ? { topCm: req.topCm } : {}),
      loading,
      ...(dims !== undefined ? { dimensions: dims } : {}),
      ...(barcode !== undefined ? { shelfBarcode: barcode } : {}),
      ...(dedication !== undefined ? { dedicatedTo: dedication } : {}),
    };
  }

  private assertKeepsReservation(before: Locker, after: Locker, live: Reservation): void {
    const held = `locker ${before.number} of bank ${before.bankId} is held by reservation ${live.id} (${live.status})`;
    const was = lockerDimensions(before);
    const now = lockerDimensions(after);
    if (now.widthCm < was.widthCm || now.heightCm < was.heightCm || now.depthCm < was.depthCm)
      throw new DomainError('CONFLICT', `${held}: it cannot be made smaller while in use`, after.size !== before.size ? 'size' : 'dimensions');
    if (after.loading !== before.loading) throw new DomainError('CONFLICT', `${held}: its loading side cannot change while in use`, 'loading');
    const recipient = this.recipientOf(live);
    const d = after.dedicatedTo;
    if (d && (d.type !== before.dedicatedTo?.type || d.id !== before.dedicatedTo.id) && recipient && !recipient.owners.some((o) => o.type === d.type && o.id === d.id))
      throw new DomainError('CONFLICT', `${held} for ${live.recipient.type} ${live.recipient.id}: it cannot be dedicated to ${d.type} ${d.id} while in use`, 'dedicatedTo');
    const bank = this.core.mustBank(before.bankId);
    const reach = this.core.reachOf(bank);
    if (recipient?.needsAccessible && isAccessible(before, reach) && !isAccessible(after, reach))
      throw new DomainError('CONFLICT', `${held} for a recipient who needs an accessible locker: its door cannot leave the reach range while in use`, 'bottomCm');
  }

  /** The recipient of a reservation as allocation sees it; undefined when the record is gone (erased). */
  private recipientOf(r: Reservation): ReturnType<DomainCore['mustRecipient']> | undefined {
    try {
      return this.core.mustRecipient(r.bankId, r.recipient, 'recipient');
    } catch {
      return undefined;
    }
  }

  private lockerAudit(actor: Actor, l: Locker, detail: string, changes: ReturnType<typeof auditChanges>): ReturnType<DomainCore['audit']> {
    return lockerAudit(this.core, actor, l, detail, changes);
  }

  private assertBarcodeFree(code: string, field: string): void {
    const other = this.core.store.list('lockers').find((l) => l.shelfBarcode === code);
    if (other) throw new DomainError('CONFLICT', `shelf barcode ${JSON.stringify(code)} is already on locker ${other.number} of bank ${other.bankId}`, field);
  }

  private barcodesInUse(): Set<string> {
    return new Set(this.core.store.list('lockers').flatMap((l) => (l.shelfBarcode !== undefined ? [l.shelfBarcode] : [])));
  }

  /** A generated barcode not in `taken` (every barcode in use, and those drawn earlier in the same call); added to it. */
  private newBarcode(taken: Set<string>): string {
    for (let attempt = 0; attempt < 20; attempt++) {
      let s = 'RS-';
      for (let i = 0; i < 10; i++) s += BARCODE_ALPHABET[this.core.random.int(0, BARCODE_ALPHABET.length)];
      if (taken.has(s)) continue;
      taken.add(s);
      return s;
    }
    throw new DomainError('CONFLICT', 'could not draw an unused shelf barcode', 'shelfBarcode');
  }
}
