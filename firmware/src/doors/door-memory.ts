import { join } from 'node:path';
import type { Low } from 'lowdb';
import { z } from 'zod';
import { openDurableStore, type StoreReset } from '../store/durable-file.ts';
import type { Logger } from '../util/logger.ts';

/**
 * What the controller last knew of a door: `unlocking` is written before a pulse is sent, so a door found open after
 * a crash in the middle of an unlock is not taken for a forced one.
 */
export type RememberedDoor = 'open' | 'closed' | 'unlocking';

const memoryFileSchema = z.strictObject({
  v: z.literal(1),
  doors: z.record(z.string().regex(/^\d{1,4}$/), z.enum(['open', 'closed', 'unlocking'])),
});
type MemoryFile = z.infer<typeof memoryFileSchema>;

/** The door controller's view of its memory: read at start, told of every change. */
export interface DoorMemoryPort {
  get(door: number): RememberedDoor | undefined;
  /** Resolves once the state is on disk (a pulse waits for `unlocking` to be stored). */
  note(door: number, state: RememberedDoor): Promise<void>;
}

/**
 * The last known state of each door (`doors.json` in the controller's data folder). A door found open at start-up
 * that was closed when the controller stopped was opened while nobody watched: the door controller reports it as
 * forced. Lost or damaged memory only loses that one alert (the file is set aside and reported).
 */
export class DoorMemory implements DoorMemoryPort {
  readonly reset: StoreReset | undefined;
  private readonly db: Low<MemoryFile>;
  /** The latest write asked for; writes land in order, so it settles after every earlier one. */
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(db: Low<MemoryFile>, reset: StoreReset | undefined) {
    this.db = db;
    this.reset = reset;
  }

  static async open(dir: string, opts: { logger?: Logger } = {}): Promise<DoorMemory> {
    const { db, reset } = await openDurableStore<MemoryFile>(join(dir, 'doors.json'), () => ({ v: 1, doors: {} }), {
      schema: memoryFileSchema,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    return new DoorMemory(db, reset);
  }

  get(door: number): RememberedDoor | undefined {
    return this.db.data.doors[String(door)];
  }

  async note(door: number, state: RememberedDoor): Promise<void> {
    if (this.get(door) === state) return;
    this.db.data.doors[String(door)] = state;
    const write = this.db.write();
    this.lastWrite = write.catch(() => undefined);
    await write;
  }

  /** Resolves once every state noted so far is on disk (or its write failed, which `note` reported). */
  settled(): Promise<void> {
    return this.lastWrite;
  }
}
