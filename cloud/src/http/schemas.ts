/**
 * Response schemas: they document the answers in the OpenAPI document and type-check the handlers' return values.
 * They are not enforced at run time (see the serializer in server.ts): a field the domain adds later must not turn
 * a good answer into a 500.
 */
import { z } from 'zod';
import {
  activityEntrySchema,
  bankSchema,
  carrierSchema,
  columnSchema,
  contactSchema,
  customShownSchema,
  departmentSchema,
  divisionSchema,
  enterpriseSchema,
  epochMs,
  locationSchema,
  lockerSchema,
  publicCarrierCodeSchema,
  publicStaffCredentialSchema,
  recipientRefSchema,
  reservationKindSchema,
  reservationSchema,
  reservationStatusSchema,
} from '../domain/model.ts';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. VALIDATION, NOT_FOUND, NO_LOCKER_AVAILABLE'),
      message: z.string(),
      field: z.string().optional().describe('the request field at fault: body.size, params.bankId, querystring.from'),
    }),
  })
  .describe('every error answer');

/** Error answers every authenticated route may give. */
export const ERRORS = { '4xx': ErrorSchema, '5xx': ErrorSchema } as const;

export const PublicReservationSchema = reservationSchema
  .omit({ pickupCode: true })
  .extend({ pickupCodeExpiresAt: epochMs.optional(), custom: customShownSchema.optional() })
  .describe('a reservation; its pickup code is never included, not even hashed');

export const ContentsSummarySchema = z.object({
  reservationId: z.string(),
  kind: reservationKindSchema,
  status: reservationStatusSchema,
  recipient: recipientRefSchema,
  trackingIds: z.array(z.string()),
  packages: z.number().int(),
  since: epochMs,
  endsAt: epochMs.optional(),
  recipientName: z.string().optional().describe("the contact's or department's name"),
  notice: z
    .object({ kind: z.string(), status: z.enum(['queued', 'sending', 'sent', 'failed', 'skipped']), at: epochMs })
    .optional()
    .describe('the latest e-mail notice about this parcel and where it stands'),
});

export const LockerViewSchema = z.object({
  locker: lockerSchema,
  status: z.enum(['available', 'reserved', 'occupied', 'expired', 'out-of-service']),
  accessible: z.boolean().describe("the whole door lies within the location's reach range"),
  contents: ContentsSummarySchema.optional(),
});

export const BankConfigCheckSchema = z.object({
  bankId: z.string(),
  lockers: z.number().int(),
  accessible: z.number().int(),
  reach: z.object({ minCm: z.number(), maxCm: z.number() }),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
});

export const PublicCarrierCodeSchema = publicCarrierCodeSchema;

export const Replies = {
  enterprise: z.object({ enterprise: enterpriseSchema }),
  enterprises: z.object({ enterprises: z.array(enterpriseSchema) }),
  division: z.object({ division: divisionSchema }),
  divisions: z.object({ divisions: z.array(divisionSchema) }),
  location: z.object({ location: locationSchema }),
  locations: z.object({ locations: z.array(locationSchema) }),
  bank: z.object({ bank: bankSchema }),
  banks: z.object({ banks: z.array(bankSchema) }),
  check: z.object({ check: BankConfigCheckSchema }),
  column: z.object({ column: columnSchema }),
  columns: z.object({ columns: z.array(columnSchema) }),
  locker: z.object({ locker: lockerSchema }),
  lockers: z.object({ lockers: z.array(lockerSchema) }),
  lockerViews: z.object({ lockers: z.array(LockerViewSchema) }),
  lockerView: LockerViewSchema,
  contact: z.object({ contact: contactSchema.extend({ custom: customShownSchema.optional() }) }),
  erasure: z.object({
    erasure: z.object({
      contact: contactSchema,
      replacementId: z.string().describe('the id that stands in for the person in history from now on'),
      ended: z.number().int().describe('ended reservations unlinked'),
      activity: z.number().int().describe('activity entries unlinked'),
    }),
  }),
  contacts: z.object({ contacts: z.array(contactSchema) }),
  department: z.object({ department: departmentSchema }),
  departments: z.object({ departments: z.array(departmentSchema) }),
  carrier: z.object({ carrier: carrierSchema }),
  carriers: z.object({ carriers: z.array(carrierSchema) }),
  carrierCode: z.object({ carrierCode: PublicCarrierCodeSchema, code: z.string().describe('the code in clear, shown this once') }),
  carrierCodes: z.object({ carrierCodes: z.array(PublicCarrierCodeSchema) }),
  revokedCarrierCode: z.object({ carrierCode: PublicCarrierCodeSchema }),
  staffCredential: z.object({ staffCredential: publicStaffCredentialSchema, code: z.string().describe('the PIN or badge number in clear, shown this once') }),
  staffCredentials: z.object({ staffCredentials: z.array(publicStaffCredentialSchema) }),
  revokedStaffCredential: z.object({ staffCredential: publicStaffCredentialSchema }),
  reservation: z.object({ reservation: PublicReservationSchema }),
  reservations: z.object({ reservations: z.array(PublicReservationSchema) }),
  reserved: z.object({
    reservation: PublicReservationSchema,
    addedToExisting: z.boolean(),
    dropOffCode: z.string().optional().describe('return / exchange: the drop-off code in clear for the party bringing the parcel; storage: the holder\'s code, which fills the locker at the kiosk and later empties it; shown this once'),
    dropOffCodeExpiresAt: epochMs.optional(),
  }),
  droppedOff: z.object({
    reservation: PublicReservationSchema,
    pickupCode: z.string().optional().describe('the pickup code in clear, shown this once'),
    pickupCodeExpiresAt: epochMs.optional(),
  }),
  codeReissued: z.object({
    reservation: PublicReservationSchema,
    code: z.string().describe('the new pickup code (or drop-off code of a held return / exchange) in clear, shown this once; the old one no longer works'),
    expiresAt: epochMs,
  }),
  pickedUp: z.object({ reservations: z.array(PublicReservationSchema), lockerNumbers: z.array(z.number().int()) }),
  expiry: z.object({ expired: z.array(PublicReservationSchema), released: z.array(PublicReservationSchema) }),
  activity: z.object({
    activity: z.array(activityEntrySchema),
    nextCursor: z.string().optional().describe('present when more entries match: pass it as `cursor` for the next page'),
  }),
};
