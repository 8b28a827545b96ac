import { z } from 'zod';
import { DOOR_OUTCOMES } from '../door-outcome.ts';
import { doorNumberSchema, epochMsSchema, idSchema, shortTextSchema } from '../ids.ts';
import { actorSchema, serviceStateSchema, signatureSchema, versionField } from './common.ts';

/** Longest a command may live: the controller refuses envelopes valid for longer. */
export const MAX_COMMAND_LIFETIME_MS = 24 * 60 * 60 * 1000;

const envelope = {
  v: versionField,
  id: idSchema,
  bankId: idSchema,
  controllerId: idSchema,
  issuedAt: epochMsSchema,
  expiresAt: epochMsSchema,
  sig: signatureSchema,
};

export const openDoorBodySchema = z.strictObject({
  door: doorNumberSchema,
  /** Pulse length asked for; the controller clamps it to its own maxPulseMs. */
  pulseMs: z.number().int().min(50).max(2000).optional(),
  reason: shortTextSchema,
  actor: actorSchema,
});

export const setServiceBodySchema = z.strictObject({
  door: doorNumberSchema,
  state: serviceStateSchema,
  reason: shortTextSchema,
  actor: actorSchema,
});

export const endSessionBodySchema = z.strictObject({ reason: shortTextSchema.optional() });
export const rebirthBodySchema = z.strictObject({});
/**
 * Publish again the events still held from `fromSeq` (to `toSeq`; without it, every one from there, in order: what
 * the cloud asks for, as it stores only the seq it expects next). Asked for events already confirmed, the controller
 * first publishes `reported` with the evtack that confirmed them.
 */
export const resendEventsBodySchema = z.strictObject({
  fromSeq: z.number().int().min(1),
  toSeq: z.number().int().min(1).optional(),
});

/** What happened to a door the kiosk asked the cloud to open (`kiosk-open-request`). */
export const KIOSK_OPEN_OUTCOMES = [...DOOR_OUTCOMES, 'rejected'] as const;
export const kioskOpenResultBodySchema = z.strictObject({
  requestId: idSchema,
  /** The kiosk-local alias door of the request. */
  door: doorNumberSchema,
  outcome: z.enum(KIOSK_OPEN_OUTCOMES),
  reason: shortTextSchema.optional(),
});

export const openDoorCommandSchema = z.strictObject({ ...envelope, type: z.literal('open-door'), body: openDoorBodySchema });
export const setServiceCommandSchema = z.strictObject({ ...envelope, type: z.literal('set-service'), body: setServiceBodySchema });
export const endSessionCommandSchema = z.strictObject({ ...envelope, type: z.literal('end-session'), body: endSessionBodySchema });
export const rebirthCommandSchema = z.strictObject({ ...envelope, type: z.literal('rebirth'), body: rebirthBodySchema });
export const resendEventsCommandSchema = z.strictObject({
  ...envelope,
  type: z.literal('resend-events'),
  body: resendEventsBodySchema,
});
/** Cloud -> kiosk controller: the answer to its `kiosk-open-request`; acked `done`. */
export const kioskOpenResultCommandSchema = z.strictObject({
  ...envelope,
  type: z.literal('kiosk-open-result'),
  body: kioskOpenResultBodySchema,
});

/** A signed one-shot command, cloud -> controller, on `cmd`. */
export const commandSchema = z
  .discriminatedUnion('type', [
    openDoorCommandSchema,
    setServiceCommandSchema,
    endSessionCommandSchema,
    rebirthCommandSchema,
    resendEventsCommandSchema,
    kioskOpenResultCommandSchema,
  ])
  .superRefine((cmd, ctx) => {
    if (cmd.expiresAt <= cmd.issuedAt) {
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'expiresAt must be after issuedAt' });
    } else if (cmd.expiresAt - cmd.issuedAt > MAX_COMMAND_LIFETIME_MS) {
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'command lifetime exceeds 24 hours' });
    }
  });

export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
export type UnsignedCommand<T extends CommandType = CommandType> = Omit<CommandOf<T>, 'sig'>;
export const COMMAND_TYPES = ['open-door', 'set-service', 'end-session', 'rebirth', 'resend-events', 'kiosk-open-result'] as const satisfies readonly CommandType[];
