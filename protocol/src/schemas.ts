import type { z } from 'zod';
import type { Channel } from './topics.ts';
import { ackSchema } from './messages/ack.ts';
import { commandSchema } from './messages/command.ts';
import { desiredSchema } from './messages/desired.ts';
import { eventSchema, evtackSchema } from './messages/event.ts';
import { reportedSchema } from './messages/reported.ts';
import { statusSchema } from './messages/status.ts';

/** The schema of every channel's payload. */
export const channelSchemas = {
  cmd: commandSchema,
  ack: ackSchema,
  evt: eventSchema,
  evtack: evtackSchema,
  desired: desiredSchema,
  reported: reportedSchema,
  status: statusSchema,
} as const satisfies Record<Channel, z.ZodType>;

export type MessageOf<C extends Channel> = z.infer<(typeof channelSchemas)[C]>;

/** Largest payload accepted per channel, in bytes. A receiver drops anything larger before parsing. */
export const MAX_PAYLOAD_BYTES: Record<Channel, number> = {
  cmd: 8 * 1024,
  ack: 4 * 1024,
  evt: 16 * 1024,
  evtack: 2 * 1024,
  desired: 8 * 1024 * 1024,
  reported: 64 * 1024,
  status: 2 * 1024,
};
