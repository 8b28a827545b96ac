/** Codes as the cloud keeps them: carrier codes and staff credentials. */
import { z } from 'zod';
import { scryptCredentialHashSchema } from '@portier/protocol';
import { entityIdSchema, epochMs } from './common.ts';

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
