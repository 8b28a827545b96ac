/** The activity log: its entries, queries, alerts and remote opens. */
import { z } from 'zod';
import { actorSchema, lockerNumberSchema } from '@portier/protocol';
import { entityIdSchema, epochMs } from './common.ts';

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
  /** A person's personal data was erased from history (the events kept, their links replaced). */
  'erasure',
  /** An administrative change: organisation, lockers, roles, users, contacts, departments, policy, carriers. */
  'admin-change',
  /** Something that happened to a user account: locked after failed sign-ins, unlocked, a password reset, an API key. */
  'account',
  /** An e-mail to a person: queued, sent, or failed after its retries (never its code or link). */
  'notification',
] as const;
export const activityTypeSchema = z.enum(ACTIVITY_TYPES);

/** The kinds of object an administrative change is about. */
export const AUDIT_TARGETS = ['enterprise', 'division', 'location', 'bank', 'column', 'locker', 'role', 'user', 'contact', 'department', 'carrier', 'carrier-code', 'import', 'custom-field', 'reservation', 'api-key', 'notification'] as const;
export type AuditTarget = (typeof AUDIT_TARGETS)[number];
export type AuditChange = { field: string; from?: string; to?: string };
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
  /** The enterprise an entry without a bank belongs to (an administrative change). */
  enterpriseId: entityIdSchema.optional(),
  /** What an administrative change changed: the object, and each field's value before and after (no secrets). */
  target: z.strictObject({ kind: z.enum(AUDIT_TARGETS), id: z.string().max(200) }).optional(),
  changes: z.array(z.strictObject({ field: z.string().max(100), from: z.string().max(200).optional(), to: z.string().max(200).optional() })).max(100).optional(),
});
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

/** Where a page of history starts: the `nextCursor` of the page before (opaque; digits with at most one dot). */
export const historyCursorSchema = z.string().regex(/^\d{1,16}(\.\d{1,16})?$/, 'not a cursor this service gave');

export const activityQuery = z.strictObject({
  type: activityTypeSchema.optional(),
  /** Entries of any of these types (with `type`, of both: that one only if listed). */
  types: z.array(activityTypeSchema).min(1).max(ACTIVITY_TYPES.length).optional(),
  bankId: entityIdSchema.optional(),
  /** Entries of the banks of this location. */
  locationId: entityIdSchema.optional(),
  recipientId: entityIdSchema.optional(),
  /** Entries about this reservation (its reservation, drop-off, notices, pickup or end, a remote open of its locker). */
  reservationId: entityIdSchema.optional(),
  /** Entries made by this user, carrier or controller (the actor's id). */
  actorId: z.string().min(1).max(64).optional(),
  /** Inclusive lower and exclusive upper bound, epoch ms. */
  from: epochMs.optional(),
  to: epochMs.optional(),
  limit: z.number().int().min(1).max(100_000).default(10_000),
  cursor: historyCursorSchema.optional(),
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
