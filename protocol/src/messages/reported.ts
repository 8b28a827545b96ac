import { z } from 'zod';
import { doorNumberSchema, epochMsSchema, idSchema } from '../ids.ts';
import { serviceStateSchema, versionField } from './common.ts';
import { evtackSchema } from './event.ts';

export const reportedDoorSchema = z.strictObject({
  door: doorNumberSchema,
  state: z.enum(['open', 'closed', 'unknown']),
  itemPresent: z.boolean().nullable(),
  service: serviceStateSchema,
});
export type ReportedDoor = z.infer<typeof reportedDoorSchema>;

/** Controller -> cloud on `reported` (retained): what it applied and what it sees. */
export const reportedSchema = z.strictObject({
  v: versionField,
  at: epochMsSchema,
  /** Version of the desired state applied, null before the first one. */
  desiredVersion: z.number().int().min(1).nullable(),
  /** SHA-256 (hex) of the canonical JSON of the applied `state`, so drift is visible. */
  desiredHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  doors: z.array(reportedDoorSchema).max(160),
  bus: z.strictObject({
    state: z.enum(['ok', 'degraded', 'down']),
    consecutiveFailures: z.number().int().min(0),
  }),
  firmware: z.string().min(1).max(40),
  bootId: idSchema,
  uptimeS: z.number().int().min(0),
  outboxDepth: z.number().int().min(0),
  /** Learned offset: cloud time = local time + clockOffsetMs; null until learned. */
  clockOffsetMs: z.number().int().nullable(),
  /**
   * The last evtack that made the controller drop events from its outbox, exactly as the cloud signed it: the
   * cloud's own word that it stored every event up to `upTo`. A cloud whose events journal lost events it had acked
   * records them as a gap on this proof (with an alert) and goes on with the later events, instead of asking for
   * events the controller no longer has. Absent before the first evtack (and from older firmware).
   */
  evtack: evtackSchema.optional(),
});
export type Reported = z.infer<typeof reportedSchema>;
