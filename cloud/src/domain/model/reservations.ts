/** Reservations of lockers and the inputs of their use cases. */
import { z } from 'zod';
import { actorSchema, lockerNumberSchema } from '@portier/protocol';
import { entityIdSchema, epochMs, dimensionsSchema, parcelSizeSchema } from './common.ts';
import { storedCodeSchema } from './credentials.ts';
import { partySchema, recipientRefSchema } from './organisation.ts';
import { optionalText } from './fields.ts';
import { customInputSchema, customValuesSchema } from './custom-fields.ts';

export const RESERVATION_KINDS = ['package', 'return', 'exchange', 'storage'] as const;
export const reservationKindSchema = z.enum(RESERVATION_KINDS);
export type ReservationKind = z.infer<typeof reservationKindSchema>;
/**
 * Live statuses; `ended` only appears in history. `held`: a parcel no locker of its bank fitted, kept at the mailroom
 * desk until one does (use-cases/held-parcels.ts): the one status without a locker.
 */
export const reservationStatusSchema = z.enum(['held', 'reserved', 'occupied', 'expired', 'ended']);
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
  /** Absent only while `held` (at the mailroom desk, no locker yet). */
  lockerNumber: lockerNumberSchema.optional(),
  kind: reservationKindSchema,
  status: reservationStatusSchema,
  recipient: recipientRefSchema,
  packages: z.array(packageSchema),
  dropOffParty: partySchema.optional(),
  pickupParty: partySchema.optional(),
  storageMode: storageModeSchema.optional(),
  /** The parcel's size, kept from a request that found no locker: what a freed locker must fit (see `held`). */
  parcel: dimensionsSchema.optional(),
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
  /** The enterprise's custom fields (model/custom-fields.ts), by field id. */
  customValues: customValuesSchema.optional(),
});
export type Reservation = z.infer<typeof reservationSchema>;
/** A reservation with its locker: every status but `held`. */
export type PlacedReservation = Reservation & { lockerNumber: number };
export function isPlaced(r: Reservation): r is PlacedReservation {
  return r.lockerNumber !== undefined;
}
/** Where a live reservation is, for messages: its locker, or the mailroom desk while held. */
export function whereIs(r: Reservation): string {
  return r.lockerNumber !== undefined ? `locker ${r.lockerNumber} of bank ${r.bankId}` : `held at the mailroom desk of bank ${r.bankId}`;
}
/** What reserving does when no locker of the bank fits: refuse (409, the default) or keep the parcel `held`. */
export const ifNoLockerSchema = z.enum(['refuse', 'hold']);

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
    /**
     * When no locker fits: 'refuse' (409, the default) or 'hold': the parcel waits at the mailroom desk as a `held`
     * reservation and takes the first locker that fits when one frees up. Packages only.
     */
    ifNoLocker: ifNoLockerSchema
      .optional()
      .describe("when no locker fits: 'refuse' (409, the default) or 'hold' (a package waits at the mailroom desk, status held, and takes the first locker that fits)"),
    note: optionalText,
    custom: customInputSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.ifNoLocker === 'hold' && r.kind !== 'package')
      ctx.addIssue({ code: 'custom', path: ['ifNoLocker'], message: 'only a package can be held at the mailroom desk' });
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
  /** Only the reservations of this location's banks. */
  locationId: entityIdSchema.optional(),
  /** Only kiosk drop-offs that named no recipient (still waiting for one, see `assignRecipientInput`). */
  unassigned: z.boolean().optional(),
  /** Text looked for (case and accents ignored) in the reservations' custom values and tracking IDs. */
  q: z.string().max(200).optional(),
  /** Include ended reservations from history. */
  includeEnded: z.boolean().optional(),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export type ListReservationsQuery = z.input<typeof listReservationsQuery>;

/**
 * Names the recipient of a filled package locker: a kiosk drop-off that named nobody, or a parcel put in for the wrong
 * person. A new pickup code is issued for the new recipient (the old one stops working).
 */
export const assignRecipientInput = z.strictObject({ recipient: recipientRefSchema, note: optionalText });
export type AssignRecipientInput = z.input<typeof assignRecipientInput>;
