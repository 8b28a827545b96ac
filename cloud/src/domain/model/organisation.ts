/** The organisation tree (enterprise > division > location > bank > column) and its lockers. */
import { z } from 'zod';
import {
  bankRulesSchema,
  DEFAULT_BANK_RULES,
  deliveryQuotaSchema,
  kioskTimerFieldsSchema,
  kioskTimersSchema,
  lockerNumberSchema,
  scryptCredentialHashSchema,
  serviceStateSchema,
  type DeliveryQuota,
} from '@portier/protocol';
import { dimensionsSchema, entityIdSchema, epochMs, lockerDimensions, lockerSizeSchema, type Dimensions, type LockerSize } from './common.ts';
import { countryCodeSchema } from './country-codes.ts';
import { customFieldsListSchema } from './custom-fields.ts';
import { name, optionalText } from './fields.ts';

/** How many days ended reservations and activity are kept; absent: for ever. */
export const historyRetentionDaysSchema = z.number().int().min(1).max(36_500);
/**
 * An enterprise's settings for its people. Each is optional with a default (`employeeIdRequired`: false), so a
 * record stored before a setting existed reads as that default, without an upgrade of the data folder.
 */
export const enterpriseSettingsSchema = z.strictObject({
  /** Every user of the enterprise must have an employee ID: creating one, editing one, or importing one without is refused. */
  employeeIdRequired: z.boolean().optional(),
  /** Shortest password a user may set (NIST SP 800-63B: at least 8). */
  passwordMinLength: z.number().int().min(8).max(64).optional(),
  /** Whether a password found on the list of common and breached passwords is refused. */
  passwordCommonCheck: z.boolean().optional(),
  /** Failed sign-ins in a row after which the account is locked (NIST SP 800-63B allows at most 100). */
  lockoutThreshold: z.number().int().min(1).max(100).optional(),
  /** How long a locked account stays locked, unless an administrator unlocks it or the user resets the password. */
  lockoutMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
  /** A session unused for this long is signed out (API keys are exempt). */
  idleTimeoutMinutes: z.number().int().min(5).max(60).optional(),
  /** A session ends this long after sign-in, however busy. */
  sessionMaxHours: z.number().int().min(1).max(24 * 30).optional(),
  /** How long the link of a welcome e-mail sets a password. */
  welcomeLinkHours: z.number().int().min(1).max(30 * 24).optional(),
  /** Days after a drop-off at which a recipient who has not picked up is reminded (0: no reminder). */
  reminderDays: z.number().int().min(0).max(60).optional(),
  /** Hours before a parcel's pickup code expires at which the recipient is told it expires soon (0: no notice). */
  expiringSoonHours: z.number().int().min(0).max(14 * 24).optional(),
  /**
   * Who must sign in with a second factor: nobody (a user may still enrol), administrators (platform administrators
   * and users whose role may change users, roles or settings), or everyone.
   */
  mfaRequired: z.enum(['off', 'admins', 'all']).optional(),
  /** Days a browser may be remembered after a second factor ("do not challenge me on this device again"; 0: never). */
  mfaRememberDays: z.number().int().min(0).max(365).optional(),
  /** Whether a one-time code sent by e-mail may stand as the second factor. */
  mfaEmailCodes: z.boolean().optional(),
});
export type EnterpriseSettings = z.infer<typeof enterpriseSettingsSchema>;
/** Every setting with its default: what a record stored without a setting means. */
export const ENTERPRISE_SETTING_DEFAULTS = {
  employeeIdRequired: false,
  passwordMinLength: 8,
  passwordCommonCheck: true,
  lockoutThreshold: 5,
  lockoutMinutes: 30,
  idleTimeoutMinutes: 15,
  sessionMaxHours: 12,
  welcomeLinkHours: 72,
  reminderDays: 3,
  expiringSoonHours: 24,
  mfaRequired: 'off',
  mfaRememberDays: 30,
  mfaEmailCodes: true,
} as const satisfies Required<EnterpriseSettings>;
/** An enterprise's settings, each one given or its default (an unknown enterprise reads as all defaults). */
export function enterpriseSettings(e: Pick<Enterprise, 'settings'> | undefined): Required<EnterpriseSettings> {
  const given = Object.fromEntries(Object.entries(e?.settings ?? {}).filter(([, v]) => v !== undefined));
  return { ...ENTERPRISE_SETTING_DEFAULTS, ...given };
}
export const enterpriseSchema = z.strictObject({
  id: entityIdSchema,
  name,
  historyRetentionDays: historyRetentionDaysSchema.optional(),
  settings: enterpriseSettingsSchema.optional(),
  /** Its custom fields, removed ones included (model/custom-fields.ts). */
  customFields: customFieldsListSchema.optional(),
  createdAt: epochMs,
});
export type Enterprise = z.infer<typeof enterpriseSchema>;
export const createEnterpriseInput = z.strictObject({ id: entityIdSchema.optional(), name, historyRetentionDays: historyRetentionDaysSchema.optional() });
export type CreateEnterpriseInput = z.input<typeof createEnterpriseInput>;
/** `historyRetentionDays: null` keeps history for ever again. */
export const setHistoryRetentionInput = z.strictObject({ historyRetentionDays: historyRetentionDaysSchema.nullable() });
export type SetHistoryRetentionInput = z.input<typeof setHistoryRetentionInput>;

/** What a change of an organisation record must hold: at least one field (an empty body changes nothing, so it is refused). */
function someField(o: Record<string, unknown>): boolean {
  return Object.values(o).some((v) => v !== undefined);
}
const AT_LEAST_ONE = { message: 'give at least one field to change' };
/** A rename, a change of settings (the settings given change, the others stay), or both. */
export const updateEnterpriseInput = z.strictObject({ name: name.optional(), settings: enterpriseSettingsSchema.optional() }).refine(someField, AT_LEAST_ONE);
export type UpdateEnterpriseInput = z.input<typeof updateEnterpriseInput>;

export const divisionSchema = z.strictObject({ id: entityIdSchema, enterpriseId: entityIdSchema, name, createdAt: epochMs });
export type Division = z.infer<typeof divisionSchema>;
export const createDivisionInput = z.strictObject({ id: entityIdSchema.optional(), enterpriseId: entityIdSchema, name });
export type CreateDivisionInput = z.input<typeof createDivisionInput>;
export const updateDivisionInput = z.strictObject({ name });
export type UpdateDivisionInput = z.input<typeof updateDivisionInput>;

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

/**
 * A location's postal details (DESIGN.md "CSV formats", the locations columns). Optional in the model: locations
 * made before these fields have only the first address line (their former `address` text); the CSV import asks for
 * the required ones.
 */
export const locationAddressFields = {
  company: z.string().trim().min(1).max(200).optional(),
  /** Digits, at most 25. */
  phone: z.string().trim().regex(/^[0-9]{1,25}$/, 'must be 1 to 25 digits').optional(),
  addressLine1: z.string().trim().min(1).max(200).optional(),
  addressLine2: z.string().trim().min(1).max(200).optional(),
  addressLine3: z.string().trim().min(1).max(200).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  stateProvince: z.string().trim().min(1).max(100).optional(),
  /** ISO 3166-1 alpha-2, upper case. */
  countryCode: z.string().trim().regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166-1 country code').optional(),
  postalCode: z.string().trim().min(1).max(25).optional(),
};
/**
 * The postal fields as given to a create or an edit: the country code must be one assigned. Stored locations are
 * read with the plain pattern, so one saved before the check still loads.
 */
const locationAddressInputFields = { ...locationAddressFields, countryCode: countryCodeSchema.optional() };
export type LocationAddress = { [K in keyof typeof locationAddressFields]?: string };
export const LOCATION_ADDRESS_KEYS = Object.keys(locationAddressFields) as (keyof LocationAddress)[];

export const locationSchema = z.strictObject({
  id: entityIdSchema,
  divisionId: entityIdSchema,
  name,
  ...locationAddressFields,
  reach: reachRangeSchema,
  createdAt: epochMs,
  updatedAt: epochMs.optional(),
});
export type Location = z.infer<typeof locationSchema>;
export const createLocationInput = z.strictObject({
  id: entityIdSchema.optional(),
  divisionId: entityIdSchema,
  name,
  /** The single address text of the API before the postal fields: stored as the first address line. */
  address: optionalText,
  ...locationAddressInputFields,
  reach: reachRangeSchema.optional(),
});

/** The postal fields of a location input as stored (a former single `address` text as its first line). */
export function locationAddressOf(req: LocationAddress & { address?: string | undefined }): LocationAddress {
  const out: LocationAddress = {};
  for (const k of Object.keys(locationAddressFields) as (keyof LocationAddress)[]) if (req[k] !== undefined) out[k] = req[k];
  if (out.addressLine1 === undefined && req.address !== undefined && req.address.trim() !== '') out.addressLine1 = req.address.trim().slice(0, 200);
  return out;
}
export type CreateLocationInput = z.input<typeof createLocationInput>;
/** A postal field `null` removes it; `address` is the former single text, stored as the first address line. */
export const updateLocationInput = z
  .strictObject({
    name: name.optional(),
    address: z.string().max(200).nullable().optional(),
    ...Object.fromEntries(Object.entries(locationAddressInputFields).map(([k, v]) => [k, v.unwrap().nullable().optional()])) as {
      [K in keyof typeof locationAddressInputFields]: z.ZodOptional<z.ZodNullable<ReturnType<(typeof locationAddressInputFields)[K]['unwrap']>>>;
    },
    reach: reachRangeSchema.optional(),
  })
  .refine(someField, AT_LEAST_ONE);
export type UpdateLocationInput = z.input<typeof updateLocationInput>;

/** Per standard size, how many lockers day-use storage must leave free for deliveries (the protocol's, sent to the kiosk). */
export { deliveryQuotaSchema, type DeliveryQuota };

export const bankSchema = z.strictObject({
  id: entityIdSchema,
  locationId: entityIdSchema,
  name,
  rules: bankRulesSchema,
  deliveryQuota: deliveryQuotaSchema,
  /** The kiosk timers of its controllers (absent: the protocol defaults). */
  timers: kioskTimersSchema.optional(),
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
/**
 * A bank's settings: what is given replaces what it holds (`rules` and `timers` field by field). The merged rules and
 * timers are checked whole (ranges and combination rules, the protocol's) before anything is stored.
 */
export const updateBankInput = z.strictObject({
  name: name.optional(),
  rules: bankRulesSchema.partial().optional(),
  deliveryQuota: deliveryQuotaSchema.optional(),
  timers: kioskTimerFieldsSchema.partial().optional(),
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
/**
 * A column's kind. Its position and controller stay: a controller is provisioned for a bank and a column position
 * (provision/provision.ts), so a column moved or given another board is deleted and added again.
 */
export const updateColumnInput = z.strictObject({ kind: z.enum(['kiosk', 'plain']) });
export type UpdateColumnInput = z.input<typeof updateColumnInput>;

/** Who a locker is dedicated to, or who a reservation is for. */
export const recipientRefSchema = z.strictObject({ type: z.enum(['contact', 'department']), id: entityIdSchema });
export type RecipientRef = z.infer<typeof recipientRefSchema>;
/** A drop-off or pick-up party of a return or exchange. */
export const partySchema = z.strictObject({ type: z.enum(['contact', 'department', 'carrier']), id: entityIdSchema });
export type Party = z.infer<typeof partySchema>;

const heightCm = z.number().min(0).max(300);
/**
 * A shelf barcode as people set or generate it: printable ASCII without spaces (what a scanner types back exactly and
 * Code 128 prints). Stored barcodes keep the looser rule of `lockerFields`, so older data still loads.
 */
export const shelfBarcodeInput = z.string().regex(/^[!-~]{1,64}$/, 'must be 1 to 64 printable ASCII characters without spaces');
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
/**
 * A new door must be able to hold what its size promises: its opening (bottomCm to topCm) at least as tall as the
 * compartment's inside height. Only new lockers are checked, so a data folder written before the rule still loads.
 * Doors of one column may share heights: the model has no position across a column (a column's controller drives up
 * to 160 doors, more than fit one above the other), so two doors at the same height can stand side by side.
 */
function doorFitsSize(l: { size: LockerSize; dimensions?: Dimensions | undefined; bottomCm: number; topCm: number }, ctx: z.RefinementCtx): void {
  if (l.topCm <= l.bottomCm || (l.size === 'custom' && !l.dimensions)) return;
  const opening = l.topCm - l.bottomCm;
  const inside = lockerDimensions(l).heightCm;
  if (opening >= inside) return;
  const what = l.size === 'custom' ? 'its compartment' : `a size ${l.size} compartment`;
  ctx.addIssue({
    code: 'custom',
    path: ['topCm'],
    message: `a door from ${l.bottomCm} to ${l.topCm} cm is ${opening} cm tall, shorter than ${what} (${inside} cm high inside)`,
  });
}
export const createLockerInput = z
  .strictObject({ ...lockerFields, service: serviceStateSchema.optional() })
  .superRefine(lockerChecks)
  .superRefine(doorFitsSize);
export type CreateLockerInput = z.input<typeof createLockerInput>;
/** A locker as an edit leaves it: the rules of a stored one and the door-fit rule of a new one. */
export const editedLockerSchema = lockerSchema.superRefine(doorFitsSize);
/**
 * A change of a locker after creation. `null` removes an optional field (dimensions, shelf barcode, dedication).
 * A locker turned rear-loading without a shelf barcode gets a generated one.
 */
export const updateLockerInput = z
  .strictObject({
    size: lockerSizeSchema.optional(),
    dimensions: dimensionsSchema.nullable().optional(),
    bottomCm: heightCm.optional(),
    topCm: heightCm.optional(),
    loading: z.enum(['front', 'rear']).optional(),
    shelfBarcode: shelfBarcodeInput.nullable().optional(),
    dedicatedTo: recipientRefSchema.nullable().optional(),
  })
  .refine(someField, AT_LEAST_ONE);
export type UpdateLockerInput = z.input<typeof updateLockerInput>;
/** Which rear-loading lockers of a bank get new generated shelf barcodes: the numbers given, or every one. */
export const generateShelfBarcodesInput = z.strictObject({ numbers: z.array(lockerNumberSchema).min(1).max(2000).optional() });
export type GenerateShelfBarcodesInput = z.input<typeof generateShelfBarcodesInput>;
export const setServiceStateInput = z.strictObject({ state: serviceStateSchema, reason: z.string().max(200).optional() });
export type SetServiceStateInput = z.input<typeof setServiceStateInput>;
