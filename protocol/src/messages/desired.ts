import { z } from 'zod';
import { doorNumberSchema, epochMsSchema, idSchema, lockerNumberSchema } from '../ids.ts';
import { desiredBrandingSchema } from './branding.ts';
import { LOCKER_SIZES, lockerSizeSchema, serviceStateSchema, signatureSchema, versionField, type LockerSize } from './common.ts';

/** One door of the column as the cloud knows it. */
export const desiredDoorSchema = z.strictObject({
  door: doorNumberSchema,
  locker: lockerNumberSchema,
  size: lockerSizeSchema,
  /** Where it is, for people who cannot see the screen ("column 2, third door from the top"). */
  column: z.number().int().min(1).max(64),
  fromTop: z.number().int().min(1).max(64),
  accessible: z.boolean(),
  service: serviceStateSchema,
  /** Rear-loading shelves carry a barcode the operator scans. */
  rearShelfBarcode: z.string().min(1).max(64).optional(),
  /**
   * Present only in the KIOSK controller's document, for a door of another column of the same bank: `door` is then a
   * kiosk-local alias (unique in the document, numbered after the kiosk's own doors: other columns by position, then
   * door), and `remote` is the real controller and door. Credentials' `doors` and reservations' `door` in the same
   * document use the alias. The kiosk never drives such a door itself: it asks the cloud (event `kiosk-open-request`),
   * which opens it with a signed `open-door` to that column and answers with `kiosk-open-result`. A bank with more than
   * 160 doors in all (the `doors` limit) leaves the doors past the limit out of the kiosk's view.
   */
  remote: z.strictObject({ controllerId: idSchema, door: doorNumberSchema }).optional(),
});
export type DesiredDoor = z.infer<typeof desiredDoorSchema>;

/**
 * Legacy credential hashes (first scheme): scrypt over `kind + ":" + code` with one salt for the whole bank. Anyone
 * holding the document can test a guess against every code of the bank offline, so the cloud sends this form only to
 * a controller it holds no credential key for (provisioned before keyed hashes existed), and still accepts it from a
 * controller's cached state written by an older release.
 */
export const scryptCredentialHashSchema = z.strictObject({
  alg: z.literal('scrypt'),
  salt: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  N: z.number().int().min(1024).max(1 << 20),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  keyLen: z.number().int().min(16).max(64),
});
export type ScryptCredentialHashParams = z.infer<typeof scryptCredentialHashSchema>;

/**
 * Keyed credential hashes (second scheme): HMAC-SHA256 under the controller's own credential key, a 32-byte secret
 * written into the controller's configuration at provisioning and never sent through the broker. Without that key
 * the document lets nobody test a guess. `keyId` names the key (`credentialKeyId`), so a controller holding another
 * key says so instead of refusing every code in silence.
 */
export const keyedCredentialHashSchema = z.strictObject({
  alg: z.literal('hmac-sha256'),
  keyId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});
export type KeyedCredentialHashParams = z.infer<typeof keyedCredentialHashSchema>;

/**
 * How the credential hashes of a document were made; `alg` names the scheme. Codes are never sent in clear: the
 * controller hashes a typed code once per kind and looks it up.
 */
export const credentialHashParamsSchema = z
  .discriminatedUnion('alg', [keyedCredentialHashSchema, scryptCredentialHashSchema])
  .describe('credential hash scheme: "hmac-sha256" keyed by the controller\'s credential key, or the legacy bank-salt "scrypt"');
export type CredentialHashParams = z.infer<typeof credentialHashParamsSchema>;

export const CREDENTIAL_KINDS = ['pickup-code', 'carrier-code', 'staff-pin', 'badge', 'qr'] as const;
export const credentialKindSchema = z.enum(CREDENTIAL_KINDS);
export type CredentialKind = z.infer<typeof credentialKindSchema>;

export const desiredCredentialSchema = z.strictObject({
  id: idSchema,
  kind: credentialKindSchema,
  /** base64url hash of `kind:code` under the document's `credentialHash` scheme. */
  hash: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  role: z.enum(['recipient', 'operator', 'carrier', 'admin']),
  subjectId: idSchema.optional(),
  /** Doors this credential opens directly (pickup) or may use (carrier / staff: empty = any allowed by rules). */
  doors: z.array(doorNumberSchema).max(160),
  reservationIds: z.array(idSchema).max(160),
  expiresAt: epochMsSchema.optional(),
  /** A one-time PIN: used up by its first successful pickup. */
  oneTime: z.boolean(),
});
export type DesiredCredential = z.infer<typeof desiredCredentialSchema>;

export const desiredReservationSchema = z.strictObject({
  id: idSchema,
  kind: z.enum(['package', 'return', 'exchange', 'storage']),
  status: z.enum(['reserved', 'occupied', 'expired']),
  door: doorNumberSchema,
  trackingIds: z.array(z.string().min(1).max(100)).max(50),
  recipientId: idSchema.optional(),
  departmentId: idSchema.optional(),
  endsAt: epochMsSchema.optional(),
});
export type DesiredReservation = z.infer<typeof desiredReservationSchema>;

/** The four kiosk timers locker operators know, plus door supervision and the operator's reopen grace; seconds. */
export const kioskTimerFieldsSchema = z.strictObject({
  lockerAccessAfterPickupS: z.number().int().min(0).max(600),
  returnHomeAfterPickupS: z.number().int().min(3).max(300),
  returnHomeOnInactivityS: z.number().int().min(10).max(600),
  adminSessionTimeoutS: z.number().int().min(30).max(3600),
  doorLeftOpenS: z.number().int().min(10).max(3600),
  /**
   * After a staff drop-off or carrier delivery, how long the kiosk offers the operator to open the locker just filled
   * again (a parcel put in the wrong way, a second parcel for it). Absent or 0: no reopen offer.
   */
  dropOffReopenGraceS: z
    .number()
    .int()
    .min(0)
    .max(600)
    .optional()
    .describe('seconds the operator may reopen the locker just filled after a drop-off; absent or 0: never'),
});

/** The kiosk timers with the protocol's rule between them (after-pickup not longer than inactivity). */
export const kioskTimersSchema = kioskTimerFieldsSchema.superRefine((t, ctx) => {
  if (t.returnHomeAfterPickupS > t.returnHomeOnInactivityS) {
    ctx.addIssue({
      code: 'custom',
      path: ['returnHomeAfterPickupS'],
      message: 'must not be longer than returnHomeOnInactivityS',
    });
  }
});
export type KioskTimers = z.infer<typeof kioskTimersSchema>;

export const DEFAULT_KIOSK_TIMERS: KioskTimers = {
  lockerAccessAfterPickupS: 60,
  returnHomeAfterPickupS: 15,
  returnHomeOnInactivityS: 60,
  adminSessionTimeoutS: 300,
  doorLeftOpenS: 120,
};

export interface PolicyProblem {
  /** The field at fault, e.g. `adminSessionTimeoutS` or `fixedStorageHours`. */
  field: string;
  message: string;
}

/**
 * The combination rules of kiosk timers on top of the schema's ranges, every problem at once. A bank's settings are
 * checked with them before they are stored, and the kiosk refuses timers that break them (keeping the last good ones):
 * - `adminSessionTimeoutS` >= `returnHomeOnInactivityS`: a staff session that times out before a public one would
 *   sign an operator out in the middle of loading while a passer-by's session lasts longer;
 * - `lockerAccessAfterPickupS` (when not 0) >= `returnHomeAfterPickupS`: the reopen offer must still hold when the
 *   screen that shows the open locker goes back home, otherwise "Reopen my locker" on that screen is a lie.
 */
export function kioskTimerProblems(t: KioskTimers): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (t.adminSessionTimeoutS < t.returnHomeOnInactivityS) {
    problems.push({ field: 'adminSessionTimeoutS', message: 'must not be shorter than returnHomeOnInactivityS' });
  }
  if (t.lockerAccessAfterPickupS !== 0 && t.lockerAccessAfterPickupS < t.returnHomeAfterPickupS) {
    problems.push({ field: 'lockerAccessAfterPickupS', message: 'must be 0 or at least returnHomeAfterPickupS' });
  }
  return problems;
}

/**
 * Day-use storage modes a bank may offer:
 * - `fixed`: a fixed duration, never extended: one of the bank's `fixedStorageHours`, or, when that list is empty,
 *   until the end of the storage day (the kiosk's local day end);
 * - `flexible`: the person chooses the hours, up to `flexibleStorageMaxH` (absent: `maxStorageH`), and may extend up
 *   to that many hours from the start;
 * - `no-end`: until the person ends it (on a kiosk, still no later than the end of the storage day).
 * The cloud API calls `no-end` storage `open`.
 */
export const STORAGE_MODES = ['fixed', 'flexible', 'no-end'] as const;
export const storageModeSchema = z.enum(STORAGE_MODES);
export type StorageMode = z.infer<typeof storageModeSchema>;

/** Per standard size, how many free lockers day-use storage must leave for deliveries. */
export const deliveryQuotaSchema = z
  .partialRecord(z.enum(LOCKER_SIZES), z.number().int().min(0).max(9999))
  .describe('per standard size, how many free lockers day-use storage must leave for deliveries');
export type DeliveryQuota = z.infer<typeof deliveryQuotaSchema>;

/**
 * The delivery quota rule, the same in the cloud's allocation and on the kiosk (offline too): day-use storage may take
 * a locker of a standard size only while more lockers of that size are free than the quota keeps for deliveries.
 * `custom` lockers have no quota.
 */
export function storageMayTake(size: LockerSize, freeOfSize: number, quota: DeliveryQuota | undefined): boolean {
  if (size === 'custom') return true;
  return freeOfSize > (quota?.[size] ?? 0);
}

/** Bank settings that change the kiosk flows. */
export const bankRulesSchema = z.strictObject({
  contactless: z.boolean(),
  batchDropOff: z.boolean(),
  noBarcodePackages: z.boolean(),
  multiplePackagesPerCode: z.boolean(),
  departmentPickup: z.boolean(),
  pickupPinExpiryH: z.number().int().min(1).max(24 * 90),
  addToExistingLocker: z.boolean(),
  openAllAtOnce: z.boolean(),
  /** The longest day-use storage, whatever its mode. */
  maxStorageH: z.number().int().min(1).max(24 * 30),
  /** Day-use storage modes offered (absent: all three; empty: no day-use storage). */
  storageModes: z
    .array(storageModeSchema)
    .max(STORAGE_MODES.length)
    .refine((m) => new Set(m).size === m.length, 'a mode is listed twice')
    .optional()
    .describe('day-use storage modes offered: "fixed", "flexible", "no-end"; absent: all three; empty: none'),
  /** Durations (hours) the `fixed` mode offers, each at most `maxStorageH` (absent or empty: until the end of the storage day). */
  fixedStorageHours: z
    .array(z.number().int().min(1).max(24 * 30))
    .max(6)
    .optional()
    .describe('durations in hours the fixed mode offers; absent or empty: until the end of the storage day'),
  /** The longest `flexible` storage, extensions included, at most `maxStorageH` (absent: `maxStorageH`). */
  flexibleStorageMaxH: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .optional()
    .describe('the longest flexible storage in hours, extensions included; absent: maxStorageH'),
});
export type BankRules = z.infer<typeof bankRulesSchema>;

export const DEFAULT_BANK_RULES: BankRules = {
  contactless: false,
  batchDropOff: true,
  noBarcodePackages: true,
  multiplePackagesPerCode: true,
  departmentPickup: true,
  pickupPinExpiryH: 72,
  addToExistingLocker: true,
  openAllAtOnce: false,
  maxStorageH: 12,
};

/** The day-use storage a bank offers, its defaults applied. */
export interface StorageOffer {
  modes: StorageMode[];
  /** Durations of the fixed mode; empty: until the end of the storage day. */
  fixedHours: number[];
  flexibleMaxH: number;
}

export function storageOffer(rules: BankRules): StorageOffer {
  return {
    modes: rules.storageModes ?? [...STORAGE_MODES],
    fixedHours: [...(rules.fixedStorageHours ?? [])].sort((a, b) => a - b),
    flexibleMaxH: Math.min(rules.flexibleStorageMaxH ?? rules.maxStorageH, rules.maxStorageH),
  };
}

/** The combination rules of bank rules on top of the schema's ranges (storage limits within `maxStorageH`). */
export function bankRuleProblems(r: BankRules): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (r.fixedStorageHours?.some((h) => h > r.maxStorageH)) {
    problems.push({ field: 'fixedStorageHours', message: `every duration must be at most maxStorageH (${r.maxStorageH})` });
  }
  if (r.fixedStorageHours && new Set(r.fixedStorageHours).size !== r.fixedStorageHours.length) {
    problems.push({ field: 'fixedStorageHours', message: 'a duration is listed twice' });
  }
  if (r.flexibleStorageMaxH !== undefined && r.flexibleStorageMaxH > r.maxStorageH) {
    problems.push({ field: 'flexibleStorageMaxH', message: `must be at most maxStorageH (${r.maxStorageH})` });
  }
  return problems;
}

export const desiredStateSchema = z.strictObject({
  doors: z.array(desiredDoorSchema).max(160),
  credentialHash: credentialHashParamsSchema,
  credentials: z.array(desiredCredentialSchema).max(20000),
  reservations: z.array(desiredReservationSchema).max(2000),
  timers: kioskTimersSchema,
  rules: bankRulesSchema,
  /**
   * The bank's delivery quota, for day-use storage started at the kiosk (`storageMayTake`). Absent: none. Fields added
   * after the first release are optional and parsed without defaults, so a signed state written before them verifies
   * and hashes the same.
   */
  deliveryQuota: deliveryQuotaSchema.optional(),
  /**
   * The kiosk screen's colours and logo (kiosk column only; absent: the built-in look). The logo is a reference the
   * controller fetches and checks by its SHA-256, never the image itself. Optional without default, as above.
   */
  branding: desiredBrandingSchema.optional(),
});
export type DesiredState = z.infer<typeof desiredStateSchema>;

/** Cloud -> controller on `desired` (retained), signed and versioned. */
export const desiredSchema = z.strictObject({
  v: versionField,
  bankId: idSchema,
  controllerId: idSchema,
  /** Grows by one with every change; a controller never applies an older version than it has. */
  version: z.number().int().min(1),
  issuedAt: epochMsSchema,
  state: desiredStateSchema,
  sig: signatureSchema,
});
export type Desired = z.infer<typeof desiredSchema>;
