import { z } from 'zod';
import { epochMsSchema, idSchema } from '../ids.ts';
import { versionField } from './common.ts';
import { announcedFeaturesSchema } from './features.ts';

/** Birth message, published retained on every connect. */
export const onlineStatusSchema = z.strictObject({
  v: versionField,
  state: z.literal('online'),
  at: epochMsSchema,
  firmware: z.string().min(1).max(40),
  bootId: idSchema,
  /**
   * The controller's features (features.ts): a field added to the desired state after the first release is sent only
   * to a controller that names its feature here. Absent in the first release's birth, which still parses.
   */
  features: announcedFeaturesSchema.optional(),
});
/** Last will, set at connect time and published by the broker when the controller vanishes. */
export const offlineStatusSchema = z.strictObject({
  v: versionField,
  state: z.literal('offline'),
  /** Set when a controller says goodbye itself (clean shutdown); absent in the last will. */
  reason: z.enum(['shutdown', 'reboot']).optional(),
});

/** Controller -> cloud on `status` (retained). */
export const statusSchema = z.discriminatedUnion('state', [onlineStatusSchema, offlineStatusSchema]);
export type Status = z.infer<typeof statusSchema>;
