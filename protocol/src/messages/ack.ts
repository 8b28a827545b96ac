import { z } from 'zod';
import { DOOR_OUTCOMES } from '../door-outcome.ts';
import { epochMsSchema, idSchema, shortTextSchema } from '../ids.ts';
import { versionField } from './common.ts';

/**
 * Outcome of a command. For `open-door` it is what the door did, never "pulse sent":
 * `opened` (seen open), `already_open`, `jammed` (pulsed, never seen open), `unknown` (bus silent, or the
 * controller restarted mid-command: such a command is never run again). Other commands answer `done`.
 * `rejected`: not executed, with a reason.
 */
export const ACK_STATUSES = [...DOOR_OUTCOMES, 'done', 'rejected'] as const;
export const ackStatusSchema = z.enum(ACK_STATUSES);
export type AckStatus = z.infer<typeof ackStatusSchema>;

/** Why a command was rejected or ended `unknown`. */
export const ACK_REASONS = [
  'bad_signature',
  'wrong_target',
  'replayed',
  'expired',
  'malformed',
  'unknown_door',
  'out_of_service',
  'unsupported',
  'busy',
  'bus_silent',
  'interrupted',
] as const;
export const ackReasonSchema = z.enum(ACK_REASONS);
export type AckReason = z.infer<typeof ackReasonSchema>;

/** Controller -> cloud on `ack`. */
export const ackSchema = z
  .strictObject({
    v: versionField,
    /** The command's id. For a command too malformed to have one, the controller does not ack. */
    commandId: idSchema,
    status: ackStatusSchema,
    reason: ackReasonSchema.optional(),
    detail: shortTextSchema.optional(),
    /** Controller's estimate of cloud time when the outcome was known. */
    at: epochMsSchema,
  })
  .superRefine((ack, ctx) => {
    if (ack.status === 'rejected' && !ack.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a rejected ack needs a reason' });
    }
  });
export type Ack = z.infer<typeof ackSchema>;
