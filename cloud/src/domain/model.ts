/**
 * The cloud's model as zod schemas with their inferred types.
 *
 * Two kinds of schemas live here:
 * - entity schemas (`lockerSchema`, `reservationSchema`, ...): what the store holds and the service returns;
 * - input schemas (`createLockerInput`, `reserveInput`, ...): strict objects the HTTP layer uses as request
 *   bodies and the service parses again, so every entry point rejects the same bad input with the same field.
 */
import { z } from 'zod';
import {
  actorSchema,
  bankRulesSchema,
  scryptCredentialHashSchema,
  DEFAULT_BANK_RULES,
  LOCKER_SIZES,
  lockerNumberSchema,
  serviceStateSchema,
} from '@portier/protocol';

export { LOCKER_SIZES, type Actor } from '@portier/protocol';
export type { BankRules, CredentialHashParams, ServiceState } from '@portier/protocol';

/** Ids end up in MQTT topics (bank ids) and URLs: the same rule as the protocol's topic ids. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const entityIdSchema = z
  .string()
  .regex(ID_PATTERN, 'id must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
export type EntityId = z.infer<typeof entityIdSchema>;

export const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);
const name = z.string().trim().min(1, 'must not be empty').max(200);
const optionalText = z.string().max(500).optional();

export { actorSchema, lockerNumberSchema, serviceStateSchema };
export const lockerSizeSchema = z.enum(['XS', 'S', 'M', 'L', 'XL', 'custom']);
export type LockerSize = z.infer<typeof lockerSizeSchema>;
/** A parcel is described by a standard size or by its dimensions. */
export const parcelSizeSchema = z.enum(LOCKER_SIZES);
export type ParcelSize = z.infer<typeof parcelSizeSchema>;

export const dimensionsSchema = z.strictObject({
  widthCm: z.number().positive().max(500),
  heightCm: z.number().positive().max(500),
  depthCm: z.number().positive().max(500),
});
export type Dimensions = z.infer<typeof dimensionsSchema>;

/** Nominal inside dimensions of the standard sizes; a locker or parcel without dimensions takes these. */
export const STANDARD_DIMENSIONS: Record<ParcelSize, Dimensions> = {
  XS: { widthCm: 32, heightCm: 8, depthCm: 48 },
  S: { widthCm: 32, heightCm: 16, depthCm: 48 },
  M: { widthCm: 32, heightCm: 32, depthCm: 48 },
  L: { widthCm: 32, heightCm: 48, depthCm: 48 },
  XL: { widthCm: 32, heightCm: 64, depthCm: 48 },
};

// ---------------------------------------------------------------------------------------------- organisation

export const enterpriseSchema = z.strictObject({ id: entityIdSchema, name, createdAt: epochMs });
export type Enterprise = z.infer<typeof enterpriseSchema>;
export const createEnterpriseInput = z.strictObject({ id: entityIdSchema.optional(), name });
export type CreateEnterpriseInput = z.input<typeof createEnterpriseInput>;

export const divisionSchema = z.strictObject({ id: entityIdSchema, enterpriseId: entityIdSchema, name, createdAt: epochMs });
export type Division = z.infer<typeof divisionSchema>;
export const createDivisionInput = z.strictObject({ id: entityIdSchema.optional(), enterpriseId: entityIdSchema, name });
export type CreateDivisionInput = z.input<typeof createDivisionInput>;

/** Reach-range presets (DESIGN.md "Accessibility"). */
export const REACH_PRESETS = {
  default: { minCm: 35, maxCm: 123 },
  /** 2010 ADA Standards: 15 in to 48 in. */
  'ada-2010': { minCm: 38.1, maxCm: 121.9 },
} as const;
export const reachPresetSchema = z.enum(['default', 'ada-2010', 'custom']);
export const reachRangeSchema = z
  .strictObject({
    preset: reachPresetSchema,
    minCm: z.number().min(0).max(300).optional(),
    maxCm: z.number().min(0).max(300).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.preset === 'custom') {
      if (r.minCm === undefined) ctx.addIssue({ code: 'custom', path: ['minCm'], message: 'required for a custom range' });
      if (r.maxCm === undefined) ctx.addIssue({ code: 'custom', path: ['maxCm'], message: 'required for a custom range' });
      if (r.minCm !== undefined && r.maxCm !== undefined && r.minCm >= r.maxCm)
        ctx.addIssue({ code: 'custom', path: ['maxCm'], message: 'must be above minCm' });
    } else if (r.minCm !== undefined || r.maxCm !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['preset'], message: 'minCm/maxCm are only allowed with the custom preset' });
    }
  });
export type ReachRange = z.infer<typeof reachRangeSchema>;

export const locationSchema = z.strictObject({
  id: entityIdSchema,
  divisionId: entityIdSchema,
  name,
  address: optionalText,
  reach: reachRangeSchema,
  createdAt: epochMs,
});
export type Location = z.infer<typeof locationSchema>;
export const createLocationInput = z.strictObject({
  id: entityIdSchema.optional(),
  divisionId: entityIdSchema,
  name,
  address: optionalText,
  reach: reachRangeSchema.optional(),
});
export type CreateLocationInput = z.input<typeof createLocationInput>;

/** Per standard size, how many lockers day-use storage must leave free for deliveries. */
export const deliveryQuotaSchema = z.partialRecord(parcelSizeSchema, z.number().int().min(0).max(9999));
export type DeliveryQuota = z.infer<typeof deliveryQuotaSchema>;

export const bankSchema = z.strictObject({
  id: entityIdSchema,
  locationId: entityIdSchema,
  name,
  rules: bankRulesSchema,
  deliveryQuota: deliveryQuotaSchema,
  /**
   * Salt and cost of this bank's legacy code hashes (one salt per bank): the form that goes only to controllers the
   * cloud holds no credential key for (provisioned before keyed hashes), and the form of codes issued before.
   */
  credentialHash: scryptCredentialHashSchema,
  createdAt: epochMs,
});
export type Bank = z.infer<typeof bankSchema>;
export const createBankInput = z.strictObject({
  id: entityIdSchema.optional(),
  locationId: entityIdSchema,
  name,
  rules: bankRulesSchema.partial().optional(),
  deliveryQuota: deliveryQuotaSchema.optional(),
});
export type CreateBankInput = z.input<typeof createBankInput>;
export const updateBankInput = z.strictObject({
  name: name.optional(),
  rules: bankRulesSchema.partial().optional(),
  deliveryQuota: deliveryQuotaSchema.optional(),
});
export type UpdateBankInput = z.input<typeof updateBankInput>;
export { DEFAULT_BANK_RULES };

export const columnSchema = z.strictObject({
  id: entityIdSchema,
  bankId: entityIdSchema,
  /** 1-based position from the left. */
  position: z.number().int().min(1).max(64),
  kind: z.enum(['kiosk', 'plain']),
  /** The controller board of this column (MQTT client id). */
  controllerId: entityIdSchema,
  createdAt: epochMs,
});
export type Column = z.infer<typeof columnSchema>;
export const createColumnInput = z.strictObject({
  id: entityIdSchema.optional(),
  bankId: entityIdSchema,
  position: z.number().int().min(1).max(64),
  kind: z.enum(['kiosk', 'plain']),
  controllerId: entityIdSchema,
});
export type CreateColumnInput = z.input<typeof createColumnInput>;

/** Who a locker is dedicated to, or who a reservation is for. */
export const recipientRefSchema = z.strictObject({ type: z.enum(['contact', 'department']), id: entityIdSchema });
export type RecipientRef = z.infer<typeof recipientRefSchema>;
/** A drop-off or pick-up party of a return or exchange. */
export const partySchema = z.strictObject({ type: z.enum(['contact', 'department', 'carrier']), id: entityIdSchema });
export type Party = z.infer<typeof partySchema>;

const heightCm = z.number().min(0).max(300);
const lockerFields = {
  bankId: entityIdSchema,
  number: lockerNumberSchema,
  columnId: entityIdSchema,
  /** 1-based door number on the column's controller. */
  door: z.number().int().min(1).max(160),
  size: lockerSizeSchema,
  dimensions: dimensionsSchema.optional(),
  /** Height from the floor of the door's bottom and top edges. */
  bottomCm: heightCm,
  topCm: heightCm,
  loading: z.enum(['front', 'rear']),
  shelfBarcode: z.string().min(1).max(64).optional(),
  dedicatedTo: recipientRefSchema.optional(),
};
function lockerChecks(l: { size: string; dimensions?: Dimensions | undefined; bottomCm: number; topCm: number; loading: string; shelfBarcode?: string | undefined }, ctx: z.RefinementCtx): void {
  if (l.topCm <= l.bottomCm) ctx.addIssue({ code: 'custom', path: ['topCm'], message: 'must be above bottomCm' });
  if (l.size === 'custom' && !l.dimensions) ctx.addIssue({ code: 'custom', path: ['dimensions'], message: 'required for a custom size' });
  if (l.loading === 'rear' && !l.shelfBarcode) ctx.addIssue({ code: 'custom', path: ['shelfBarcode'], message: 'required for a rear-loading locker' });
}
export const lockerSchema = z.strictObject({ ...lockerFields, service: serviceStateSchema, serviceReason: z.string().max(200).optional(), createdAt: epochMs }).superRefine(lockerChecks);
export type Locker = z.infer<typeof lockerSchema>;
export const createLockerInput = z.strictObject({ ...lockerFields, service: serviceStateSchema.optional() }).superRefine(lockerChecks);
export type CreateLockerInput = z.input<typeof createLockerInput>;
export const setServiceStateInput = z.strictObject({ state: serviceStateSchema, reason: z.string().max(200).optional() });
export type SetServiceStateInput = z.input<typeof setServiceStateInput>;

// ---------------------------------------------------------------------------------------------- people

export const contactSchema = z.strictObject({
  id: entityIdSchema,
  name,
  email: z.email().max(254).optional(),
  /** Unique across the enterprise when given. */
  personnelId: z.string().trim().min(1).max(64).optional(),
  departmentId: entityIdSchema.optional(),
  needsAccessible: z.boolean(),
  createdAt: epochMs,
});
export type Contact = z.infer<typeof contactSchema>;
export const createContactInput = z.strictObject({
  id: entityIdSchema.optional(),
  name,
  email: z.email().max(254).optional(),
  personnelId: z.string().trim().min(1).max(64).optional(),
  departmentId: entityIdSchema.optional(),
  needsAccessible: z.boolean().default(false),
});
export type CreateContactInput = z.input<typeof createContactInput>;
export const updateContactInput = createContactInput.omit({ id: true }).partial();
export type UpdateContactInput = z.input<typeof updateContactInput>;

export const departmentSchema = z.strictObject({
  id: entityIdSchema,
  name,
  memberIds: z.array(entityIdSchema).max(10_000),
  keyContactId: entityIdSchema.optional(),
  createdAt: epochMs,
});
export type Department = z.infer<typeof departmentSchema>;
export const createDepartmentInput = z.strictObject({
  id: entityIdSchema.optional(),
  name,
  memberIds: z.array(entityIdSchema).max(10_000).default([]),
  keyContactId: entityIdSchema.optional(),
});
export type CreateDepartmentInput = z.input<typeof createDepartmentInput>;

export const carrierSchema = z.strictObject({ id: entityIdSchema, name, createdAt: epochMs });
export type Carrier = z.infer<typeof carrierSchema>;
export const createCarrierInput = z.strictObject({ id: entityIdSchema.optional(), name });
export type CreateCarrierInput = z.input<typeof createCarrierInput>;

/**
 * A code as the cloud keeps it (code-vault.ts): `lookup`, its keyed hash under the cloud's secrets key (what lookups by
 * code compare), and `sealed`, the code itself sealed under that key, from which each controller's keyed hash is made.
 * Neither lets anyone who holds only the data folder test a guess.
 */
export const sealedStoredCodeSchema = z.strictObject({
  lookup: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  sealed: z.string().min(1).max(512),
});
export type SealedStoredCode = z.infer<typeof sealedStoredCodeSchema>;
/**
 * A code issued by an older release: only its scrypt hash and the params that made it (a bank's salt for pickup codes
 * and `bankHashes`). Still honoured until it expires; it cannot be made into a keyed hash, so it reaches only
 * controllers without a credential key.
 */
export const legacyStoredCodeSchema = z.strictObject({ hash: z.string(), params: scryptCredentialHashSchema });
export type LegacyStoredCode = z.infer<typeof legacyStoredCodeSchema>;
export const storedCodeSchema = z.union([sealedStoredCodeSchema, legacyStoredCodeSchema]);
export type StoredCode = z.infer<typeof storedCodeSchema>;

/** A carrier access code (6 to 10 digits), kept sealed (never in clear). */
export const carrierCodeSchema = z.strictObject({
  id: entityIdSchema,
  carrierId: entityIdSchema,
  code: storedCodeSchema,
  /**
   * Codes issued by an older release: the same code hashed as the legacy credential hash under each bank's
   * `credentialHash` params (bank id -> hash + the params used), made at issue time for the banks where it was valid.
   * A bank created after the code was issued, or whose params changed since, has no usable hash here: its kiosk
   * cannot check the code until a new one is issued (`notCheckableAt`, credential-coverage.ts). A sealed code needs
   * none: the cloud derives each controller's form from it.
   */
  bankHashes: z.record(entityIdSchema, legacyStoredCodeSchema).optional(),
  digits: z.number().int().min(6).max(10),
  /** Banks it opens; empty = every bank. */
  bankIds: z.array(entityIdSchema).max(1000),
  expiresAt: epochMs.optional(),
  revoked: z.boolean(),
  createdAt: epochMs,
});
export type CarrierCode = z.infer<typeof carrierCodeSchema>;
/**
 * Banks where a carrier code or staff credential is valid but their controllers cannot check it: the bank was
 * created, or its hash params changed, after it was issued (credential-coverage.ts). Issue a new one to cover them.
 */
const notCheckableAtField = z
  .array(entityIdSchema)
  .describe('banks where it is valid but their kiosks cannot check it (bank created or re-keyed after issue): issue a new one');
/** A carrier code as the API shows it: never a hash. */
export const publicCarrierCodeSchema = carrierCodeSchema.omit({ code: true, bankHashes: true }).extend({ notCheckableAt: notCheckableAtField });
export type PublicCarrierCode = z.infer<typeof publicCarrierCodeSchema>;
export const issueCarrierCodeInput = z.strictObject({
  digits: z.number().int().min(6).max(10).default(8),
  bankIds: z.array(entityIdSchema).max(1000).default([]),
  expiresAt: epochMs.optional(),
});
export type IssueCarrierCodeInput = z.input<typeof issueCarrierCodeInput>;

/** Who a staff credential signs in at the kiosk. */
export const STAFF_CREDENTIAL_ROLES = ['operator', 'carrier', 'admin'] as const;
export const staffCredentialRoleSchema = z.enum(STAFF_CREDENTIAL_ROLES);
export const STAFF_CREDENTIAL_KINDS = ['staff-pin', 'badge'] as const;
export const staffCredentialKindSchema = z.enum(STAFF_CREDENTIAL_KINDS);
export type StaffCredentialKind = z.infer<typeof staffCredentialKindSchema>;
/** A staff PIN as typed on the keypad. */
export const STAFF_PIN_RE = /^\d{4,10}$/;
/** A badge number as the reader sends it. */
export const BADGE_RE = /^[A-Za-z0-9:-]{4,64}$/;

/**
 * A kiosk sign-in of a member of staff (operator, carrier, admin): a PIN typed on the keypad or a badge read by the
 * badge reader. Kept like carrier codes: `code` sealed with its keyed lookup hash (a credential issued by an older
 * release: its own scrypt hash, and `bankHashes` the legacy hash under each bank's params).
 */
export const staffCredentialSchema = z.strictObject({
  id: entityIdSchema,
  role: staffCredentialRoleSchema,
  /** The user (or carrier) it belongs to. */
  subjectId: entityIdSchema,
  label: z.string().trim().min(1).max(100).optional(),
  kind: staffCredentialKindSchema,
  /** Banks where it signs in; empty = every bank. */
  bankIds: z.array(entityIdSchema).max(1000),
  code: storedCodeSchema,
  /** Legacy hashes per bank (see carrier codes); empty for a sealed code. */
  bankHashes: z.record(entityIdSchema, legacyStoredCodeSchema),
  expiresAt: epochMs.optional(),
  revokedAt: epochMs.optional(),
  createdAt: epochMs,
});
export type StaffCredential = z.infer<typeof staffCredentialSchema>;
/** A staff credential as the API and CLI show it: never a hash. */
export const publicStaffCredentialSchema = staffCredentialSchema.omit({ code: true, bankHashes: true }).extend({ notCheckableAt: notCheckableAtField });
export type PublicStaffCredential = z.infer<typeof publicStaffCredentialSchema>;
export const issueStaffCredentialInput = z
  .strictObject({
    role: staffCredentialRoleSchema,
    subjectId: entityIdSchema,
    kind: staffCredentialKindSchema,
    /** staff-pin: 4 to 10 digits (a 6-digit PIN is drawn when left out); badge: the number as the reader reads it. */
    code: z.string().max(64).optional(),
    bankIds: z.array(entityIdSchema).max(1000).default([]),
    expiresAt: epochMs.optional(),
    label: z.string().trim().min(1).max(100).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.kind === 'staff-pin' && r.code !== undefined && !STAFF_PIN_RE.test(r.code))
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'a staff PIN must be 4 to 10 digits' });
    if (r.kind === 'badge' && r.code === undefined) ctx.addIssue({ code: 'custom', path: ['code'], message: 'the badge number is required for a badge' });
    if (r.kind === 'badge' && r.code !== undefined && !BADGE_RE.test(r.code))
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'a badge number must be 4 to 64 letters, digits, ":" or "-"' });
  });
export type IssueStaffCredentialInput = z.input<typeof issueStaffCredentialInput>;

export const ROLES = ['admin', 'operator', 'carrier', 'recipient'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/**
 * A login account. The HTTP layer owns passwords: it hashes them (scrypt) and hands the service an opaque
 * `passwordHash` string; the domain only stores it.
 */
export const userSchema = z.strictObject({
  id: entityIdSchema,
  username: z.string().trim().min(1).max(64),
  role: roleSchema,
  passwordHash: z.string().min(1).max(1000),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
  disabled: z.boolean(),
  createdAt: epochMs,
});
export type User = z.infer<typeof userSchema>;
export const createUserRecordInput = z.strictObject({
  id: entityIdSchema.optional(),
  username: z.string().trim().min(1).max(64),
  role: roleSchema,
  passwordHash: z.string().min(1).max(1000),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
});
export type CreateUserRecordInput = z.input<typeof createUserRecordInput>;
export const updateUserRecordInput = z.strictObject({
  role: roleSchema.optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  disabled: z.boolean().optional(),
});
export type UpdateUserRecordInput = z.input<typeof updateUserRecordInput>;

// ---------------------------------------------------------------------------------------------- reservations

export const RESERVATION_KINDS = ['package', 'return', 'exchange', 'storage'] as const;
export const reservationKindSchema = z.enum(RESERVATION_KINDS);
export type ReservationKind = z.infer<typeof reservationKindSchema>;
/** Live statuses; `ended` only appears in history. */
export const reservationStatusSchema = z.enum(['reserved', 'occupied', 'expired', 'ended']);
export type ReservationStatus = z.infer<typeof reservationStatusSchema>;
export const endReasonSchema = z.enum(['picked-up', 'cancelled', 'removed', 'hold-expired']);
export type EndReason = z.infer<typeof endReasonSchema>;
export const storageModeSchema = z.enum(['fixed', 'flexible', 'open']);
export type StorageMode = z.infer<typeof storageModeSchema>;
const trackingId = z.string().trim().min(1).max(100);

export const packageSchema = z.strictObject({ trackingId: trackingId.optional(), addedAt: epochMs, droppedOffAt: epochMs.optional() });
export type Package = z.infer<typeof packageSchema>;

export const pickupCodeSchema = z.strictObject({ code: storedCodeSchema, expiresAt: epochMs, issuedAt: epochMs });
export type PickupCode = z.infer<typeof pickupCodeSchema>;

export const reservationSchema = z.strictObject({
  id: entityIdSchema,
  bankId: entityIdSchema,
  lockerNumber: lockerNumberSchema,
  kind: reservationKindSchema,
  status: reservationStatusSchema,
  recipient: recipientRefSchema,
  packages: z.array(packageSchema),
  dropOffParty: partySchema.optional(),
  pickupParty: partySchema.optional(),
  storageMode: storageModeSchema.optional(),
  createdAt: epochMs,
  createdBy: actorSchema,
  /** A reservation not dropped off by then is released (hold expiry). */
  holdUntil: epochMs.optional(),
  occupiedAt: epochMs.optional(),
  /** When the stay ends: storage end time, or the package collection deadline. */
  endsAt: epochMs.optional(),
  /** Upper limit of extensions (flexible storage). */
  maxEndsAt: epochMs.optional(),
  expiredAt: epochMs.optional(),
  endedAt: epochMs.optional(),
  endReason: endReasonSchema.optional(),
  pickupCode: pickupCodeSchema.optional(),
  note: optionalText,
});
export type Reservation = z.infer<typeof reservationSchema>;

export const reserveInput = z
  .strictObject({
    bankId: entityIdSchema,
    kind: reservationKindSchema,
    recipient: recipientRefSchema,
    size: parcelSizeSchema.optional(),
    dimensions: dimensionsSchema.optional(),
    trackingId: trackingId.optional(),
    dropOffParty: partySchema.optional(),
    pickupParty: partySchema.optional(),
    /** Day-use storage: fixed duration, flexible (extendable up to maxMinutes) or open (no end time). */
    storage: z
      .strictObject({
        mode: storageModeSchema,
        minutes: z.number().int().min(1).max(60 * 24 * 30).optional(),
        maxMinutes: z.number().int().min(1).max(60 * 24 * 30).optional(),
      })
      .optional(),
    /** How long the locker is held for the drop-off; default 24 h. */
    holdMinutes: z.number().int().min(1).max(60 * 24 * 30).optional(),
    note: optionalText,
  })
  .superRefine((r, ctx) => {
    if (r.size === undefined && r.dimensions === undefined && r.kind !== 'storage')
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'size or dimensions is required' });
    if (r.kind === 'return' || r.kind === 'exchange') {
      if (!r.dropOffParty) ctx.addIssue({ code: 'custom', path: ['dropOffParty'], message: `required for a ${r.kind}` });
      if (!r.pickupParty) ctx.addIssue({ code: 'custom', path: ['pickupParty'], message: `required for a ${r.kind}` });
    }
    if (r.kind === 'storage') {
      if (!r.storage) ctx.addIssue({ code: 'custom', path: ['storage'], message: 'required for storage' });
      else {
        if (r.storage.mode !== 'open' && r.storage.minutes === undefined)
          ctx.addIssue({ code: 'custom', path: ['storage', 'minutes'], message: `required for ${r.storage.mode} storage` });
        if (r.storage.mode === 'open' && r.storage.minutes !== undefined)
          ctx.addIssue({ code: 'custom', path: ['storage', 'minutes'], message: 'open storage has no end time' });
        if (r.storage.maxMinutes !== undefined && r.storage.mode !== 'flexible')
          ctx.addIssue({ code: 'custom', path: ['storage', 'maxMinutes'], message: 'only flexible storage has a maximum' });
        if (r.storage.maxMinutes !== undefined && r.storage.minutes !== undefined && r.storage.maxMinutes < r.storage.minutes)
          ctx.addIssue({ code: 'custom', path: ['storage', 'maxMinutes'], message: 'must not be below minutes' });
      }
    } else if (r.storage) ctx.addIssue({ code: 'custom', path: ['storage'], message: 'only for storage reservations' });
  });
export type ReserveInput = z.input<typeof reserveInput>;

export const dropOffInput = z.strictObject({
  /** Carrier/operator drop-off into a held locker. */
  reservationId: entityIdSchema,
  trackingIds: z.array(trackingId).max(50).optional(),
});
export type DropOffInput = z.input<typeof dropOffInput>;

/**
 * Something put into a free locker at the kiosk with no reservation the cloud knew (a drop-off or carrier delivery
 * into a locker chosen by size, day-use storage started at the kiosk): recorded as an occupied reservation on that
 * exact locker. Without `recipient`, the reservation goes to the `kiosk-unassigned` department until staff deal
 * with it.
 */
export const recordKioskOccupancyInput = z.strictObject({
  bankId: entityIdSchema,
  lockerNumber: lockerNumberSchema,
  kind: z.enum(['package', 'storage']),
  trackingIds: z.array(trackingId).max(50).default([]),
  recipient: recipientRefSchema.optional(),
  dropOffParty: partySchema.optional(),
  /** Storage end time set at the kiosk (none = open storage). */
  endsAt: epochMs.optional(),
});
export type RecordKioskOccupancyInput = z.input<typeof recordKioskOccupancyInput>;

export const pickUpInput = z.union([
  z.strictObject({ bankId: entityIdSchema, code: z.string().regex(/^\d{4,12}$/, 'code must be 4 to 12 digits') }),
  /** Operator/admin pickup on behalf of a recipient, without a code. */
  z.strictObject({ reservationId: entityIdSchema }),
]);
export type PickUpInput = z.input<typeof pickUpInput>;

export const endReservationInput = z.strictObject({
  reason: z.enum(['cancelled', 'removed', 'picked-up']).default('cancelled'),
  note: optionalText,
});
export type EndReservationInput = z.input<typeof endReservationInput>;

export const extendReservationInput = z.strictObject({ minutes: z.number().int().min(1).max(60 * 24 * 30) });
export type ExtendReservationInput = z.input<typeof extendReservationInput>;

export const listReservationsQuery = z.strictObject({
  bankId: entityIdSchema.optional(),
  status: reservationStatusSchema.optional(),
  recipientId: entityIdSchema.optional(),
  /** Include ended reservations from history. */
  includeEnded: z.boolean().optional(),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export type ListReservationsQuery = z.input<typeof listReservationsQuery>;

// ---------------------------------------------------------------------------------------------- activity

export const ACTIVITY_TYPES = [
  'reservation',
  'drop-off',
  'pickup',
  'return',
  'remote-open',
  'service-change',
  'expiry',
  'extension',
  'end',
  'staff-credential',
  /** A locker alert from a controller (a door forced, left open or jammed, a lock fault), or one about its event stream. */
  'alert',
] as const;
export const activityTypeSchema = z.enum(ACTIVITY_TYPES);
export type ActivityType = z.infer<typeof activityTypeSchema>;

export const activityEntrySchema = z.strictObject({
  id: entityIdSchema,
  at: epochMs,
  type: activityTypeSchema,
  actor: actorSchema,
  bankId: entityIdSchema.optional(),
  lockerNumber: lockerNumberSchema.optional(),
  recipientId: entityIdSchema.optional(),
  trackingId: z.string().max(100).optional(),
  reservationId: entityIdSchema.optional(),
  detail: z.string().max(500).optional(),
});
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

export const activityQuery = z.strictObject({
  type: activityTypeSchema.optional(),
  bankId: entityIdSchema.optional(),
  /** Inclusive lower and exclusive upper bound, epoch ms. */
  from: epochMs.optional(),
  to: epochMs.optional(),
  limit: z.number().int().min(1).max(100_000).default(10_000),
});
export type ActivityQuery = z.input<typeof activityQuery>;

/**
 * Locker alerts from a controller's events, kiosk requests the cloud refused, and alerts about a controller's event
 * stream (sync/event-sequence.ts).
 */
export const ALERT_KINDS = [
  'door-forced',
  'door-left-open',
  'door-jammed',
  'lock-fault',
  'kiosk-open-refused',
  'event-gap',
  'event-conflict',
  'event-ahead',
] as const;
export const recordAlertInput = z.strictObject({
  bankId: entityIdSchema,
  lockerNumber: lockerNumberSchema.optional(),
  kind: z.enum(ALERT_KINDS),
  /** The controller that saw it and the event's sequence number there. */
  controllerId: entityIdSchema,
  seq: z.number().int().min(1).optional(),
  detail: z.string().max(300),
});
export type RecordAlertInput = z.input<typeof recordAlertInput>;

export const recordRemoteOpenInput = z.strictObject({
  bankId: entityIdSchema,
  lockerNumber: lockerNumberSchema,
  commandId: entityIdSchema.optional(),
  /** The kiosk credential a kiosk's request named (doors of another column). */
  credentialId: z.string().min(1).max(64).optional(),
  outcome: z.string().max(64).optional(),
});
export type RecordRemoteOpenInput = z.input<typeof recordRemoteOpenInput>;
