import { join } from 'node:path';
import { z } from 'zod';
import { idSchema } from '@portier/protocol';
import { clockStateSchema, INITIAL_CLOCK_STATE, type ClockState } from '../clock/cloud-clock.ts';
import { openDurableStore, type DurableFile, type StoreReset } from '../store/durable-file.ts';
import type { Low } from 'lowdb';
import type { Logger } from '../util/logger.ts';

export const pendingCommandSchema = z.strictObject({
  id: idSchema,
  type: z.string().max(40),
  door: z.number().int().optional(),
  /** Local time execution started. */
  startedAt: z.number().int(),
});
export type PendingCommand = z.infer<typeof pendingCommandSchema>;

/**
 * `commands.json`: everything the command path must remember across a restart, in one file so the remote-open path
 * costs one durable write before the door is pulsed (the seen id and the pending mark together).
 */
export const commandFileSchema = z.strictObject({
  v: z.literal(1),
  /** Seen command ids -> [issuedAt, expiresAt] (cloud ms). */
  seen: z.record(z.string(), z.tuple([z.number().int(), z.number().int()])),
  /**
   * Commands issued at or before this cloud time that are not in `seen` are refused as `replayed`: raised when the
   * count cap evicts an unexpired id, or after this file was found corrupt (the ids it held are unknown).
   */
  floorIssuedAt: z.number().int().min(0),
  pending: z.array(pendingCommandSchema),
  clock: clockStateSchema,
  /** Backup of the outbox's next sequence number, in case outbox.json is found corrupt. */
  seqHighWater: z.number().int().min(0),
});
export type CommandFile = z.infer<typeof commandFileSchema>;

export type SeenCheck = 'new' | 'seen' | 'below-floor';

export interface CommandStoreOptions {
  /** Keep an id this long after its expiresAt (covers error in the cloud-time estimate). */
  marginMs?: number;
  /** At most this many ids; beyond it the oldest are evicted and the floor raised. */
  cap?: number;
  logger?: Logger;
}

function defaults(): CommandFile {
  return { v: 1, seen: {}, floorIssuedAt: 0, pending: [], clock: { ...INITIAL_CLOCK_STATE }, seqHighWater: 0 };
}

/** Seen command ids (bounded, durable), commands in progress, and the persisted clock. */
export class CommandStore {
  private readonly db: Low<CommandFile>;
  readonly file: DurableFile<CommandFile>;
  readonly reset: StoreReset | undefined;
  private readonly marginMs: number;
  private readonly cap: number;
  private size: number;

  private constructor(db: Low<CommandFile>, file: DurableFile<CommandFile>, reset: StoreReset | undefined, opts: CommandStoreOptions) {
    this.db = db;
    this.file = file;
    this.reset = reset;
    this.marginMs = opts.marginMs ?? 10 * 60_000;
    this.cap = opts.cap ?? 10_000;
    this.size = Object.keys(db.data.seen).length;
  }

  /**
   * Opens `<dir>/commands.json`. When it was corrupt, `floorAfterReset` (the best estimate of cloud time now) becomes
   * the floor: any command issued before it may already have run, so it is refused rather than guessed.
   */
  static async open(dir: string, opts: CommandStoreOptions & { floorAfterReset?: () => number } = {}): Promise<CommandStore> {
    const { db, file, reset } = await openDurableStore(join(dir, 'commands.json'), defaults, {
      schema: commandFileSchema,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    if (reset) db.data.floorIssuedAt = opts.floorAfterReset?.() ?? Date.now();
    const store = new CommandStore(db, file, reset, opts);
    if (reset) await db.write();
    return store;
  }

  get data(): Readonly<CommandFile> {
    return this.db.data;
  }

  get seenCount(): number {
    return this.size;
  }

  check(id: string, issuedAt: number): SeenCheck {
    if (Object.hasOwn(this.db.data.seen, id)) return 'seen';
    if (issuedAt <= this.db.data.floorIssuedAt) return 'below-floor';
    return 'new';
  }

  /**
   * Records an accepted command (and, for a command with an effect, marks it pending) in memory at once, so a
   * duplicate arriving meanwhile is refused, then durably. Resolves when it is on disk.
   */
  accept(cmd: { id: string; type: string; issuedAt: number; expiresAt: number; door?: number }, pending: boolean, localNow: number): Promise<void> {
    this.db.data.seen[cmd.id] = [cmd.issuedAt, cmd.expiresAt];
    this.size++;
    if (pending) {
      this.db.data.pending.push({ id: cmd.id, type: cmd.type, ...(cmd.door !== undefined ? { door: cmd.door } : {}), startedAt: localNow });
    }
    this.enforceCap();
    return this.writeNow();
  }

  /** Records a refused id too, so its replay is refused as `replayed` (only ids whose signature verified). */
  remember(cmd: { id: string; issuedAt: number; expiresAt: number }): void {
    if (Object.hasOwn(this.db.data.seen, cmd.id)) return;
    this.db.data.seen[cmd.id] = [cmd.issuedAt, cmd.expiresAt];
    this.size++;
    this.enforceCap();
  }

  /**
   * Clears pending marks. With `deferMs`, the write waits that long for company: the next command's durable accept
   * carries it for free, so a stream of remote opens costs one fsync each instead of two. The price is a window of
   * `deferMs` after the ack in which a power cut makes the restarted controller answer the same command once more
   * with `unknown`/`interrupted` (never run it again); the cloud keeps the first outcome of a command.
   */
  clearPending(ids: readonly string[], deferMs = 0): Promise<void> {
    const set = new Set(ids);
    this.db.data.pending = this.db.data.pending.filter((p) => !set.has(p.id));
    if (deferMs <= 0) return this.writeNow();
    if (!this.deferred) {
      this.deferred = new Promise<void>((resolve, reject) => {
        this.deferTimer = setTimeout(() => {
          this.deferTimer = undefined;
          this.writeNow().then(resolve, reject);
        }, deferMs);
        this.deferResolve = resolve;
      });
    }
    return this.deferred;
  }

  private deferred: Promise<void> | undefined;
  private deferTimer: ReturnType<typeof setTimeout> | undefined;
  private deferResolve: (() => void) | undefined;

  /** Writes now; a deferred write is served by it. */
  private writeNow(): Promise<void> {
    const p = this.db.write();
    if (this.deferred) {
      if (this.deferTimer) clearTimeout(this.deferTimer);
      this.deferTimer = undefined;
      const resolve = this.deferResolve;
      this.deferred = undefined;
      this.deferResolve = undefined;
      void p.then(() => resolve?.(), () => resolve?.());
    }
    return p;
  }

  pending(): readonly PendingCommand[] {
    return this.db.data.pending;
  }

  /** Drops ids whose expiry (plus margin) has passed by cloud time `cloudNow`. Returns how many. */
  prune(cloudNow: number): number {
    let n = 0;
    for (const [id, [, exp]] of Object.entries(this.db.data.seen)) {
      if (exp + this.marginMs < cloudNow) {
        delete this.db.data.seen[id];
        n++;
      }
    }
    this.size -= n;
    return n;
  }

  setClock(state: ClockState): void {
    this.db.data.clock = state;
  }

  setSeqHighWater(seq: number): void {
    if (seq > this.db.data.seqHighWater) this.db.data.seqHighWater = seq;
  }

  /** Writes whatever changed (clock, high-water mark, pruning). */
  save(): Promise<void> {
    return this.writeNow();
  }

  private enforceCap(): void {
    if (this.size <= this.cap) return;
    const entries = Object.entries(this.db.data.seen).sort((a, b) => a[1][0] - b[1][0]);
    const drop = entries.slice(0, this.size - this.cap);
    for (const [id, [iss]] of drop) {
      delete this.db.data.seen[id];
      if (iss > this.db.data.floorIssuedAt) this.db.data.floorIssuedAt = iss;
    }
    this.size -= drop.length;
  }
}
