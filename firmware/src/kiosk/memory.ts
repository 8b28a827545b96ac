import { z } from 'zod';
import { desiredReservationSchema, serviceStateSchema } from '@portier/protocol';
import { DurableFile } from '../store/durable-file.ts';
import { silentLogger, type Logger } from '../util/logger.ts';

/**
 * What the kiosk must not forget across a restart or power cut: day-use storage sessions (their PINs exist only here,
 * as keyed hashes), what it did since the desired state it runs on (so a locker just filled does not look free until
 * the cloud's next desired state), and the wrong-code throttle (a power cycle must not lift a lock-out).
 */
export const kioskMemorySchema = z.strictObject({
  v: z.literal(1),
  /** Key of the PIN hashes (base64url). */
  keySalt: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  storages: z.array(
    z.strictObject({
      id: z.string().min(1).max(64),
      door: z.number().int().min(1).max(160),
      pinKey: z.string().min(16).max(128),
      startedAt: z.number().int().min(0),
      endsAt: z.number().int().min(0),
      noEnd: z.boolean(),
      /** Started as a fixed duration (never extended); absent in a memory written before storage modes. */
      fixed: z.boolean().optional(),
    }),
  ),
  /** Reservation changes by id; null = gone (picked up, removed). */
  reservations: z.array(z.tuple([z.string().min(1).max(64), desiredReservationSchema.nullable()])),
  service: z.array(z.tuple([z.number().int().min(1).max(160), serviceStateSchema])),
  throttle: z.strictObject({
    failures: z.number().int().min(0),
    nextAllowedAt: z.number().int().min(0),
    lockedUntil: z.number().int().min(0),
  }),
  localSeq: z.number().int().min(0),
});
export type KioskMemory = z.infer<typeof kioskMemorySchema>;

/** Where the kiosk keeps its memory. */
export interface KioskMemoryPort {
  load(): Promise<KioskMemory | null> | KioskMemory | null;
  save(memory: KioskMemory): Promise<void> | void;
}

/**
 * Kiosk memory in a durable file (temp file fsynced, renamed, folder fsynced; bursts grouped). A file that does not
 * parse is set aside by `DurableFile` and the kiosk starts from nothing, with the reason logged.
 */
export function fileKioskMemory(path: string, opts: { logger?: Logger } = {}): KioskMemoryPort & { file: DurableFile<KioskMemory> } {
  const log = (opts.logger ?? silentLogger).child({ module: 'kiosk-memory' });
  const file = new DurableFile<KioskMemory>(path, { schema: kioskMemorySchema, ...(opts.logger ? { logger: opts.logger } : {}) });
  return {
    file,
    async load() {
      const m = await file.read();
      if (file.reset) log.warn({ reset: file.reset }, 'kiosk memory was corrupt and set aside; starting afresh');
      return m;
    },
    save: (m) => file.write(m),
  };
}
