/** Contacts, departments, carriers and login accounts. */
import { z } from 'zod';
import { entityIdSchema, epochMs } from './common.ts';
import { name } from './fields.ts';
import { accessLevelSchema } from './roles.ts';
import { customInputSchema, customValuesSchema } from './custom-fields.ts';

/** A person's first or last name. */
export const personNameSchema = z.string().trim().min(1, 'must not be empty').max(100);
export const contactEmailSchema = z.email().max(254);
/** Digits with the usual separators and an optional leading "+", at most 25 characters. */
export const phoneSchema = z
  .string()
  .trim()
  .max(25)
  .regex(/^\+?[0-9][0-9 ().-]*$/, 'must be digits, optionally with a leading +, spaces, dots, dashes or parentheses');
export const personnelIdSchema = z.string().trim().min(1).max(64);
export const badgeIdSchema = z.string().trim().min(1).max(64);
/** How an address-book import treats contacts the file does not name: `merge` keeps them, `replace` removes them. */
export const importModeSchema = z.enum(['merge', 'replace']);
export type ImportMode = z.infer<typeof importModeSchema>;
export const NOTIFICATION_PREFERENCES = ['email', 'none'] as const;
export const notificationPreferenceSchema = z.enum(NOTIFICATION_PREFERENCES);
export const CONTACT_LANGUAGES = ['en', 'fr'] as const;
export const contactLanguageSchema = z.enum(CONTACT_LANGUAGES);
const contactFields = {
  firstName: personNameSchema,
  lastName: personNameSchema,
  email: contactEmailSchema.optional(),
  phone: phoneSchema.optional(),
  /** Unique across the enterprise when given; what a CSV import matches contacts by. */
  personnelId: personnelIdSchema.optional(),
  departmentId: entityIdSchema.optional(),
  /** The location the contact belongs to; none: every location's. */
  locationId: entityIdSchema.optional(),
  /** "Needs Accessibility Accommodations for Locker Use": only ever given accessible lockers. */
  needsAccessible: z.boolean(),
  notifications: notificationPreferenceSchema,
  language: contactLanguageSchema,
  /** A private contact cannot be reserved for. */
  private: z.boolean(),
  badgeId: badgeIdSchema.optional(),
};

export const contactSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  ...contactFields,
  /** The enterprise's custom fields (model/custom-fields.ts), by field id. */
  customValues: customValuesSchema.optional(),
  // A contact stored before names were split and whose name was one word keeps it as its last name, with no first
  // name (see store-upgrades.ts); every contact written since has both.
  firstName: z.string().trim().max(100),
  createdAt: epochMs,
  updatedAt: epochMs.optional(),
});
export type Contact = z.infer<typeof contactSchema>;
const createContactShape = {
  id: entityIdSchema.optional(),
  ...contactFields,
  firstName: personNameSchema.optional(),
  lastName: personNameSchema.optional(),
  /** The single name of the API before first and last names: split as stored contacts were (`splitName`). */
  name: name.optional(),
  needsAccessible: z.boolean().default(false),
  notifications: notificationPreferenceSchema.default('email'),
  language: contactLanguageSchema.default('en'),
  private: z.boolean().default(false),
  custom: customInputSchema.optional(),
};
function namesGiven(c: { name?: string | undefined; firstName?: string | undefined; lastName?: string | undefined }, ctx: z.RefinementCtx): void {
  if (c.name !== undefined) {
    if (c.firstName !== undefined || c.lastName !== undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'give firstName and lastName, or name, not both' });
    return;
  }
  if (c.firstName === undefined) ctx.addIssue({ code: 'custom', path: ['firstName'], message: 'required' });
  if (c.lastName === undefined) ctx.addIssue({ code: 'custom', path: ['lastName'], message: 'required' });
}
/** A new contact as the HTTP API takes it: the enterprise is the caller's. */
export const createContactBody = z.strictObject(createContactShape).superRefine(namesGiven);
export const createContactInput = z.strictObject({ ...createContactShape, enterpriseId: entityIdSchema }).superRefine(namesGiven);
export type CreateContactInput = z.input<typeof createContactInput>;
/** An edit: the fields given change; `null` clears an optional one. */
export const updateContactInput = z.strictObject({
  firstName: personNameSchema.optional(),
  lastName: personNameSchema.optional(),
  /** The single name of the API before first and last names: both are set from it (`splitName`). */
  name: name.optional(),
  email: contactEmailSchema.nullable().optional(),
  phone: phoneSchema.nullable().optional(),
  personnelId: personnelIdSchema.nullable().optional(),
  departmentId: entityIdSchema.nullable().optional(),
  locationId: entityIdSchema.nullable().optional(),
  needsAccessible: z.boolean().optional(),
  notifications: notificationPreferenceSchema.optional(),
  language: contactLanguageSchema.optional(),
  private: z.boolean().optional(),
  badgeId: badgeIdSchema.nullable().optional(),
  /** The values given change (`null` or "" clears one); `custom: null` clears every value not required. */
  custom: customInputSchema.nullable().optional(),
});
export type UpdateContactInput = z.input<typeof updateContactInput>;

/**
 * A single name as first and last name: split at its last blank ("Anne Marie Dupont": "Anne Marie" and "Dupont"),
 * the common Western order of the names this address book held. A one-word name is kept whole as the last name, with
 * no first name: the word cannot be told to be either, and the last name is what lists sort and letters address by.
 */
export function splitName(full: string): { firstName: string; lastName: string } {
  const t = full.trim().replace(/\s+/g, ' ');
  const at = t.lastIndexOf(' ');
  return at < 0 ? { firstName: '', lastName: t } : { firstName: t.slice(0, at), lastName: t.slice(at + 1) };
}

/** "First Last", or the one name of a contact without a first name. */
export function contactDisplayName(c: Pick<Contact, 'firstName' | 'lastName'>): string {
  return c.firstName === '' ? c.lastName : `${c.firstName} ${c.lastName}`;
}

export const departmentSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  name,
  memberIds: z.array(entityIdSchema).max(10_000),
  /** Who may collect the department's parcels besides its members. */
  keyContactId: entityIdSchema.optional(),
  createdAt: epochMs,
  updatedAt: epochMs.optional(),
});
export type Department = z.infer<typeof departmentSchema>;
const createDepartmentShape = {
  id: entityIdSchema.optional(),
  name,
  memberIds: z.array(entityIdSchema).max(10_000).default([]),
  keyContactId: entityIdSchema.optional(),
};
/** A new department as the HTTP API takes it: the enterprise is the caller's. */
export const createDepartmentBody = z.strictObject(createDepartmentShape);
export const createDepartmentInput = z.strictObject({ ...createDepartmentShape, enterpriseId: entityIdSchema });
export type CreateDepartmentInput = z.input<typeof createDepartmentInput>;
/** An edit: `memberIds` replaces the members; `keyContactId: null` removes the key contact. */
export const updateDepartmentInput = z.strictObject({
  name: name.optional(),
  memberIds: z.array(entityIdSchema).max(10_000).optional(),
  keyContactId: entityIdSchema.nullable().optional(),
});
export type UpdateDepartmentInput = z.input<typeof updateDepartmentInput>;

export const carrierSchema = z.strictObject({ id: entityIdSchema, enterpriseId: entityIdSchema, name, createdAt: epochMs });
export type Carrier = z.infer<typeof carrierSchema>;
export const createCarrierInput = z.strictObject({ id: entityIdSchema.optional(), enterpriseId: entityIdSchema, name });
export type CreateCarrierInput = z.input<typeof createCarrierInput>;
export const updateCarrierInput = z.strictObject({ name });
export type UpdateCarrierInput = z.input<typeof updateCarrierInput>;

/** A user's role: a predefined role's id (`admin`, `operator`, `carrier`, `recipient`) or one of the enterprise's. */
export const roleIdSchema = entityIdSchema;

/** The languages a user's screens and messages come in. */
export const USER_LANGUAGES = ['en', 'fr'] as const;
export const userLanguageSchema = z.enum(USER_LANGUAGES);
const personName = z.string().trim().min(1).max(100);
const userEmail = z.email().max(254);
const employeeId = z.string().trim().min(1).max(64);
const badgeId = z.string().trim().min(1).max(64);

/** What an administrator says about a person, shared by create, edit and import. */
export const userProfileFields = {
  firstName: personName.optional(),
  lastName: personName.optional(),
  email: userEmail.optional(),
  language: userLanguageSchema.optional(),
  /** Unique across the enterprise when given; required when the enterprise says so. */
  employeeId: employeeId.optional(),
  badgeId: badgeId.optional(),
};

/**
 * A login account. The auth layer owns passwords: it hashes them (argon2id) and hands the domain an opaque
 * `passwordHash` string; the domain only stores it. A user without one (imported) cannot sign in until an
 * administrator sets a password. Names are optional in the record: users stored before they had names keep none
 * rather than one made up from the user name.
 */
export const userSchema = z.strictObject({
  id: entityIdSchema,
  enterpriseId: entityIdSchema,
  username: z.string().trim().min(1).max(64),
  ...userProfileFields,
  role: roleIdSchema,
  accessLevel: accessLevelSchema,
  /** May create enterprises and take backups of the whole data folder: the operators of the cloud itself. */
  platformAdmin: z.boolean().optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
  disabled: z.boolean(),
  /** The enterprise's custom fields (model/custom-fields.ts), by field id. */
  customValues: customValuesSchema.optional(),
  createdAt: epochMs,
});
export type User = z.infer<typeof userSchema>;
export const createUserRecordInput = z.strictObject({
  id: entityIdSchema.optional(),
  enterpriseId: entityIdSchema,
  username: z.string().trim().min(1).max(64),
  ...userProfileFields,
  role: roleIdSchema,
  accessLevel: accessLevelSchema.optional(),
  platformAdmin: z.boolean().optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  contactId: entityIdSchema.optional(),
  carrierId: entityIdSchema.optional(),
  custom: customInputSchema.optional(),
});
export type CreateUserRecordInput = z.input<typeof createUserRecordInput>;
/** `null` clears an optional field. */
export const updateUserRecordInput = z.strictObject({
  firstName: personName.nullable().optional(),
  lastName: personName.nullable().optional(),
  email: userEmail.nullable().optional(),
  language: userLanguageSchema.nullable().optional(),
  employeeId: employeeId.nullable().optional(),
  badgeId: badgeId.nullable().optional(),
  role: roleIdSchema.optional(),
  accessLevel: accessLevelSchema.optional(),
  passwordHash: z.string().min(1).max(1000).optional(),
  disabled: z.boolean().optional(),
  contactId: entityIdSchema.nullable().optional(),
  carrierId: entityIdSchema.nullable().optional(),
  /** The values given change (`null` or "" clears one); `custom: null` clears every value not required. */
  custom: customInputSchema.nullable().optional(),
});
export type UpdateUserRecordInput = z.input<typeof updateUserRecordInput>;
