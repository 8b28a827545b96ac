import { z } from 'zod';
import { doorNumberSchema, epochMsSchema, idSchema, lockerNumberSchema, shortTextSchema } from '../ids.ts';
import { actorSchema, serviceStateSchema, signatureSchema, versionField } from './common.ts';

const door = doorNumberSchema;
const durationMs = z.number().int().min(0).max(365 * 24 * 3600 * 1000);

export const doorOpenedEventSchema = z.strictObject({
  type: z.literal('door-opened'),
  door,
  cause: z.enum(['unlock', 'forced']),
  commandId: idSchema.optional(),
});
export const doorClosedEventSchema = z.strictObject({ type: z.literal('door-closed'), door, openForMs: durationMs });
export const doorForcedEventSchema = z.strictObject({ type: z.literal('door-forced'), door });
export const doorLeftOpenEventSchema = z.strictObject({ type: z.literal('door-left-open'), door, openForMs: durationMs });
export const doorJammedEventSchema = z.strictObject({ type: z.literal('door-jammed'), door, commandId: idSchema.optional() });
export const doorUnknownEventSchema = z.strictObject({ type: z.literal('door-unknown'), door });
export const sensorFlappingEventSchema = z.strictObject({
  type: z.literal('sensor-flapping'),
  door,
  changes: z.number().int().min(0).max(100000),
});
export const lockFaultEventSchema = z.strictObject({
  type: z.literal('lock-fault'),
  door: door.optional(),
  board: z.number().int().min(0).max(15).optional(),
  code: z.string().min(1).max(40),
  message: shortTextSchema,
});
export const busHealthEventSchema = z.strictObject({
  type: z.literal('bus-health'),
  state: z.enum(['ok', 'degraded', 'down']),
  consecutiveFailures: z.number().int().min(0),
});

/** What a person did at the bank. The cloud maps `kind` to its transaction types. */
export const TRANSACTION_KINDS = [
  'pickup',
  'drop-off',
  'carrier-delivery',
  'return',
  'exchange',
  'storage-start',
  'storage-open',
  'storage-extend',
  'storage-end',
  'expired-removal',
  'reopen',
] as const;
export const transactionEventSchema = z.strictObject({
  type: z.literal('transaction'),
  kind: z.enum(TRANSACTION_KINDS),
  doors: z.array(door).max(160),
  reservationIds: z.array(idSchema).max(160),
  trackingIds: z.array(z.string().min(1).max(100)).max(160),
  actor: actorSchema,
  via: z.enum(['pin', 'qr', 'barcode', 'badge', 'keypad', 'remote', 'console']),
  /** Served from the cached desired state while the broker was unreachable. */
  offline: z.boolean(),
  /** Ends at (storage), ms cloud time. */
  endsAt: epochMsSchema.optional(),
});
export const serviceChangedEventSchema = z.strictObject({
  type: z.literal('service-changed'),
  door,
  state: serviceStateSchema,
  actor: actorSchema,
  reason: shortTextSchema,
});
export const loginFailureEventSchema = z.strictObject({
  type: z.literal('login-failure'),
  method: z.enum(['pin', 'code', 'qr', 'barcode', 'badge', 'console']),
  /** Failures in a row on this kiosk / console. */
  attempts: z.number().int().min(1),
  lockedOutUntil: epochMsSchema.optional(),
});
export const consoleActionEventSchema = z.strictObject({
  type: z.literal('console-action'),
  actor: actorSchema,
  action: z.string().min(1).max(40),
  args: z.array(z.string().max(200)).max(10),
  ok: z.boolean(),
  detail: shortTextSchema.optional(),
});
export const localStateResetEventSchema = z.strictObject({
  type: z.literal('local-state-reset'),
  what: z.enum(['desired', 'outbox', 'seen-ids', 'config', 'pending-commands']),
  reason: shortTextSchema,
});
/**
 * The controller refused a desired state. Repeated refusals of one kind are folded: the first is reported at once,
 * the rest of a window (60 s by default) in one event carrying the last one's version and reason and `count`, how
 * many refusals it stands for (absent: one).
 */
export const desiredRejectedEventSchema = z.strictObject({
  type: z.literal('desired-rejected'),
  version: z.number().int().min(0),
  reason: shortTextSchema,
  count: z.number().int().min(2).optional(),
});

/**
 * The kiosk asks the cloud to open a door of another column of its bank (an alias door of its desired state, with
 * `remote`) for a person it has signed in. The cloud answers with the signed command `kiosk-open-result`; a request
 * the cloud receives late (event `at` too old, replayed after an outage) is refused, never acted on.
 */
export const kioskOpenRequestEventSchema = z.strictObject({
  type: z.literal('kiosk-open-request'),
  requestId: idSchema,
  /** The kiosk-local alias door. */
  door,
  locker: lockerNumberSchema,
  /**
   * The credential the person signed in with (recipient code, carrier code, staff PIN or badge). The cloud acts only
   * on a request naming one that its records entitle to this door and purpose. Optional in the schema so that a
   * request from a kiosk of an older release is still stored (and refused, `credential_missing`), not dropped.
   */
  credentialId: idSchema.optional(),
  purpose: z.enum([...TRANSACTION_KINDS, 'service']),
  /** Who is signed in at the kiosk, as the kiosk says (logs only: the cloud records the credential's holder). */
  actor: actorSchema.optional(),
});

export const eventBodySchema = z.discriminatedUnion('type', [
  doorOpenedEventSchema,
  doorClosedEventSchema,
  doorForcedEventSchema,
  doorLeftOpenEventSchema,
  doorJammedEventSchema,
  doorUnknownEventSchema,
  sensorFlappingEventSchema,
  lockFaultEventSchema,
  busHealthEventSchema,
  transactionEventSchema,
  serviceChangedEventSchema,
  loginFailureEventSchema,
  consoleActionEventSchema,
  localStateResetEventSchema,
  desiredRejectedEventSchema,
  kioskOpenRequestEventSchema,
]);
export type EventBody = z.infer<typeof eventBodySchema>;
export type EventType = EventBody['type'];

/** Controller -> cloud on `evt`: one event with the controller's sequence number. */
export const eventSchema = z.strictObject({
  v: versionField,
  /** Per-controller sequence number, 1, 2, 3... without gaps, kept across restarts. */
  seq: z.number().int().min(1),
  /** Controller's estimate of cloud time when it happened. */
  at: epochMsSchema,
  event: eventBodySchema,
});
export type PortierEvent = z.infer<typeof eventSchema>;

/** Cloud -> controller on `evtack`, signed: events up to `upTo` are stored; the outbox may drop them. */
export const evtackSchema = z.strictObject({
  v: versionField,
  bankId: idSchema,
  controllerId: idSchema,
  upTo: z.number().int().min(0),
  issuedAt: epochMsSchema,
  sig: signatureSchema,
});
export type EvtAck = z.infer<typeof evtackSchema>;


