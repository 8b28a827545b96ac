/**
 * The protocol `DesiredState` of one column's controller (bank + column), built from what the domain holds, before
 * the kiosk column gets the rest of the bank added (kiosk-bank-view.ts; desired-builder.ts composes the two).
 *
 * - doors: the column's lockers with their door number on that controller, bank-wide locker number, size, column
 *   position, place from the top (highest door first), accessibility under the location's reach range, service
 *   state and rear-shelf barcode;
 * - reservations: every live reservation on those doors;
 * - credentials: the pickup code of every occupied reservation on those doors whose code has not expired (and the
 *   drop-off code of every held return / exchange, same kind `pickup-code`, doors = the reserved door; a day-use
 *   storage reserved ahead carries its holder's code, reusable, held and filled alike). Each code
 *   goes out in the controller's own form (`opts.form`, credential-forms.ts): keyed under its credential key, or the
 *   legacy bank-salt scrypt; a code that has no hash in that form is left out and counted in `skipped`. Carrier
 *   codes valid at the bank go out as `carrier-code` credentials (role carrier, any door); staff credentials
 *   (operator / carrier / admin PINs and badges) valid at the bank go out the same way, as their own kind
 *   (`staff-pin` or `badge`) and role, any door; the badge of each recipient with a parcel on those doors goes out as
 *   a `badge` credential of role recipient (recipient-badges.ts), doors = their parcels' doors, reusable;
 * - timers and rules: the protocol defaults merged with the bank's settings; the bank's delivery quota when it has one.
 *
 * Pure and deterministic: every list is sorted and nothing depends on the time except which codes have expired,
 * so an unchanged bank gives an identical state (and the same `desiredStateHash`).
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_BANK_RULES,
  DEFAULT_KIOSK_TIMERS,
  idSchema,
  kioskTimersSchema,
  type BankRules,
  type DesiredCredential,
  type DesiredDoor,
  type DesiredReservation,
  type DesiredState,
  type KioskTimers,
} from '@portier/protocol';
import { isAccessible, reachLimits } from '../domain/accessibility.ts';
import { isSealed } from '../domain/codes.ts';
import { carrierCodeHashAt, carrierCodeValidAt, staffCredentialHashAt, staffCredentialValidAt } from '../domain/credential-coverage.ts';
import { isPlaced, type Bank, type PlacedReservation, type Reservation, type StoredCode } from '../domain/model.ts';
import { CloudError } from '../errors.ts';
import { columnAt, columnLockers, fromTopPositions, type DesiredSource } from './bank-layout.ts';
import type { CredentialForm, FormSkip } from './credential-forms.ts';
import { bankBadges, BADGE_CREDENTIAL_PREFIX } from './recipient-badges.ts';
import { staffKioskRole, userPermissions } from './staff-kiosk-role.ts';

export interface BuildDesiredOptions {
  bankId: string;
  /** Column position (1-based), as the controller's identity names it. */
  column: number;
  /** Cloud time: codes expired by then are left out. */
  now: number;
  /** How the controller the state is for checks codes (credential-forms.ts). */
  form: CredentialForm;
  /** The cloud's public address, the base of the kiosk's logo address (kiosk-branding.ts); none: no logo yet. */
  assetBase?: string;
}

export interface SkippedCredential {
  id: string;
  kind: 'pickup-code' | 'carrier-code' | 'staff-pin' | 'badge';
  why: FormSkip | 'bad-hash' | 'subject-disabled' | 'subject-not-permitted' | 'badge-shared';
}

export interface BuiltDesired {
  state: DesiredState;
  /** The domain column the state is for. */
  columnId: string;
  skipped: SkippedCredential[];
}

export class DesiredBuildError extends CloudError<'UNKNOWN_BANK' | 'UNKNOWN_COLUMN'> {
  override name = 'DesiredBuildError';
}

const HASH_RE = /^[A-Za-z0-9_-]{16,128}$/;

/** A credential id that satisfies the protocol's id rule whatever the entity id's length. */
export function credentialId(prefix: string, id: string): string {
  const candidate = `${prefix}.${id}`;
  if (idSchema.safeParse(candidate).success) return candidate;
  return `${prefix}.${createHash('sha256').update(id).digest('base64url').slice(0, 40).replace(/^[-_]/, 'x')}`;
}

export function bankRulesOf(bank: Bank): BankRules {
  return { ...DEFAULT_BANK_RULES, ...bank.rules };
}

export function kioskTimersOf(overrides: Partial<KioskTimers> | undefined): KioskTimers {
  const merged = { ...DEFAULT_KIOSK_TIMERS, ...overrides };
  // A bad combination from settings must not make the whole state unpublishable: fall back to the defaults.
  return kioskTimersSchema.safeParse(merged).success ? merged : { ...DEFAULT_KIOSK_TIMERS };
}

function desiredReservation(r: Reservation, door: number): DesiredReservation | undefined {
  // A held parcel is at the mailroom desk, behind no door.
  if (r.status === 'ended' || r.status === 'held') return undefined;
  const trackingIds = r.packages.flatMap((p) => (p.trackingId !== undefined ? [p.trackingId] : [])).slice(0, 50);
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    door,
    trackingIds,
    ...(r.recipient.type === 'contact' ? { recipientId: r.recipient.id } : { departmentId: r.recipient.id }),
    ...(r.endsAt !== undefined ? { endsAt: r.endsAt } : {}),
  };
}

/** The code's hash in the controller's form, or why it cannot go (a malformed stored hash is `bad-hash`). */
function hashIn(form: CredentialForm, kind: DesiredCredential['kind'], stored: StoredCode | undefined, bank: Bank): string | { skip: SkippedCredential['why'] } {
  const h = form.hash(kind, stored, bank);
  if (typeof h === 'string' && !HASH_RE.test(h)) return { skip: 'bad-hash' };
  return h;
}

/** The state of the one column `opts` names, without the kiosk's view of the other columns. */
export function buildColumnState(src: DesiredSource, opts: BuildDesiredOptions): BuiltDesired {
  const bank = src.get('banks', opts.bankId);
  if (!bank) throw new DesiredBuildError('UNKNOWN_BANK', `no bank ${opts.bankId}`);
  const column = columnAt(src, opts.bankId, opts.column);
  if (!column) throw new DesiredBuildError('UNKNOWN_COLUMN', `bank ${opts.bankId} has no column at position ${opts.column}`);
  const reach = reachLimits(src.get('locations', bank.locationId)?.reach);
  // Codes and sign-ins of another enterprise never reach this bank, whatever banks they name.
  const enterpriseId = src.get('divisions', src.get('locations', bank.locationId)?.divisionId ?? '')?.enterpriseId;
  const ours = (subjectId: string): boolean => (src.get('carriers', subjectId) ?? src.get('users', subjectId))?.enterpriseId === enterpriseId;
  const lockers = columnLockers(src, bank.id, column.id);
  const fromTop = fromTopPositions(lockers);
  const doorOf = new Map(lockers.map((l) => [l.number, l.door]));

  const doors: DesiredDoor[] = lockers.map((l) => ({
    door: l.door,
    locker: l.number,
    size: l.size,
    column: column.position,
    fromTop: fromTop.get(l.number)!,
    accessible: isAccessible(l, reach),
    service: l.service,
    ...(l.loading === 'rear' && l.shelfBarcode !== undefined ? { rearShelfBarcode: l.shelfBarcode } : {}),
  }));

  const reservations: DesiredReservation[] = [];
  const credentials: DesiredCredential[] = [];
  const skipped: SkippedCredential[] = [];
  /** Adds the credential with the stored code's hash in the controller's form, or records why it cannot go. */
  const addHashed = ({ id, kind, ...rest }: Omit<DesiredCredential, 'hash' | 'kind'> & { kind: SkippedCredential['kind'] }, stored: StoredCode | undefined): void => {
    const hash = hashIn(opts.form, kind, stored, bank);
    if (typeof hash === 'string') credentials.push({ id, kind, hash, ...rest });
    else skipped.push({ id, kind, why: hash.skip });
  };
  const live = src
    .list('reservations')
    .filter((r): r is PlacedReservation => isPlaced(r) && r.bankId === bank.id && doorOf.has(r.lockerNumber))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const r of live) {
    const door = doorOf.get(r.lockerNumber)!;
    const dr = desiredReservation(r, door);
    if (dr) reservations.push(dr);
    const pc = r.pickupCode;
    // A held return / exchange carries the drop-off code of the party bringing it; a held storage, its holder's code.
    const dropOffCode = r.status === 'reserved' && (r.kind === 'return' || r.kind === 'exchange' || r.kind === 'storage');
    if ((r.status !== 'occupied' && !dropOffCode) || !pc || pc.expiresAt <= opts.now) continue;
    addHashed(
      {
        id: credentialId('pickup', r.id),
        kind: 'pickup-code',
        role: 'recipient',
        subjectId: dropOffCode && r.dropOffParty ? r.dropOffParty.id : r.recipient.id,
        doors: [door],
        reservationIds: [r.id],
        expiresAt: pc.expiresAt,
        // A storage code fills the locker, then empties it: not used up by its first opening.
        oneTime: r.kind !== 'storage',
      },
      pc.code,
    );
  }

  // Recipients' badges: like the pickup codes of their parcels on this column, reusable until the last is collected.
  const { badges, shared } = bankBadges(src, bank.id);
  for (const contactId of shared) skipped.push({ id: credentialId(BADGE_CREDENTIAL_PREFIX, contactId), kind: 'badge', why: 'badge-shared' });
  for (const b of badges.values()) {
    const mine = b.reservations.filter((r) => doorOf.has(r.lockerNumber));
    if (mine.length === 0) continue;
    const id = credentialId(BADGE_CREDENTIAL_PREFIX, b.contactId);
    const hash = opts.form.hashClear('badge', b.badgeId, bank);
    const doors = [...new Set(mine.map((r) => doorOf.get(r.lockerNumber)!))].sort((x, y) => x - y);
    if (typeof hash !== 'string') skipped.push({ id, kind: 'badge', why: hash.skip });
    else if (!HASH_RE.test(hash)) skipped.push({ id, kind: 'badge', why: 'bad-hash' });
    else credentials.push({ id, kind: 'badge', hash, role: 'recipient', subjectId: b.contactId, doors, reservationIds: mine.map((r) => r.id), oneTime: false });
  }

  // A sealed carrier code goes out in the controller's form; one of an older release only as the legacy hash made at
  // issue time under this bank's params (`bankHashes`), so only to a controller without a key.
  for (const cc of src.list('carrierCodes').filter((c) => carrierCodeValidAt(c, bank.id, opts.now) && ours(c.carrierId))) {
    addHashed(
      {
        id: credentialId('carrier', cc.id),
        kind: 'carrier-code',
        role: 'carrier',
        subjectId: cc.carrierId,
        doors: [],
        reservationIds: [],
        ...(cc.expiresAt !== undefined ? { expiresAt: cc.expiresAt } : {}),
        oneTime: false,
      },
      isSealed(cc.code) ? cc.code : carrierCodeHashAt(cc, bank),
    );
  }
  // Staff PINs and badges: like carrier codes.
  for (const sc of src.list('staffCredentials').filter((c) => staffCredentialValidAt(c, bank.id, opts.now) && ours(c.subjectId))) {
    const id = credentialId('staff', sc.id);
    // A user disabled or removed since signs in nowhere (the periodic refresh withdraws it; user changes raise no event).
    const user = src.get('users', sc.subjectId);
    if (user ? user.disabled : !(sc.role === 'carrier' && src.get('carriers', sc.subjectId))) {
      skipped.push({ id, kind: sc.kind, why: 'subject-disabled' });
      continue;
    }
    // A user's credential follows the user's role as it is now: a role that lost the right loses the kiosk too.
    const role = user ? staffKioskRole(sc.role, userPermissions(src, user)) : sc.role;
    if (role === undefined) {
      skipped.push({ id, kind: sc.kind, why: 'subject-not-permitted' });
      continue;
    }
    addHashed(
      {
        id,
        kind: sc.kind,
        role,
        subjectId: sc.subjectId,
        doors: [],
        reservationIds: [],
        ...(sc.expiresAt !== undefined ? { expiresAt: sc.expiresAt } : {}),
        oneTime: false,
      },
      isSealed(sc.code) ? sc.code : staffCredentialHashAt(sc, bank),
    );
  }
  if (bankRulesOf(bank).departmentPickup) addDepartmentParcels(src, bank.id, credentials);
  credentials.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  skipped.sort((a, b) => (a.id < b.id ? -1 : 1));

  const state: DesiredState = {
    doors,
    credentialHash: opts.form.params(bank),
    credentials,
    reservations,
    timers: kioskTimersOf(bank.timers),
    rules: bankRulesOf(bank),
    // Sent only when the bank has one, so a bank without it publishes the same state as before the field existed.
    ...(Object.keys(bank.deliveryQuota).length ? { deliveryQuota: bank.deliveryQuota } : {}),
  };
  return { state, columnId: column.id, skipped };
}

/**
 * Department mail (bank rule `departmentPickup`): the pickup code of a member's own parcel (and their badge, while
 * they have one waiting) also collects the parcels
 * waiting in this bank for the departments they belong to (listed by id in its `reservationIds`, bank-wide, so the
 * kiosk finds them in any column).
 */
function addDepartmentParcels(src: DesiredSource, bankId: string, credentials: DesiredCredential[]): void {
  const waiting = new Map<string, string[]>();
  for (const r of src.list('reservations')) {
    if (r.bankId !== bankId || r.kind !== 'package' || r.status !== 'occupied' || r.recipient.type !== 'department') continue;
    waiting.set(r.recipient.id, [...(waiting.get(r.recipient.id) ?? []), r.id]);
  }
  if (waiting.size === 0) return;
  for (const c of credentials) {
    const contactId = parcelHolder(src, c);
    if (contactId === undefined) continue;
    const contact = src.get('contacts', contactId);
    const ids = src
      .list('departments')
      .filter((d) => d.id === contact?.departmentId || d.memberIds.includes(contactId))
      .flatMap((d) => waiting.get(d.id) ?? []);
    if (ids.length > 0) c.reservationIds = [...c.reservationIds, ...[...new Set(ids)].sort()].slice(0, 160);
  }
}

/** The contact whose own parcel a credential collects: a recipient's badge, or the pickup code of one package. */
function parcelHolder(src: DesiredSource, c: DesiredCredential): string | undefined {
  if (c.kind === 'badge' && c.role === 'recipient') return c.subjectId;
  if (c.kind !== 'pickup-code' || c.reservationIds.length !== 1) return undefined;
  const own = src.get('reservations', c.reservationIds[0]!);
  if (!own || own.kind !== 'package' || own.status !== 'occupied' || own.recipient.type !== 'contact') return undefined;
  return own.recipient.id;
}
