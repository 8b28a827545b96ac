import { join } from 'node:path';
import { z } from 'zod';
import { idSchema } from '@portier/protocol';
import { clockStateSchema, INITIAL_CLOCK_STATE, type ClockState } from '../clock/cloud-clock.ts';
import { AppendLog } from '../store/append-log.ts';
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
 * `commands.json`: everything the command path must remember across a restart. It is the snapshot; what changed
 * since goes to `commands.log` (one JSON line per change, see `logEntrySchema`), so the remote-open path costs one
 * append and one fdatasync before the door is pulsed (the seen id and the pending mark together in one line),
 * whatever the number of ids remembered. The log is folded into the snapshot every `COMPACT_AFTER` lines and on
 * `save()`.
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

/** One line of `commands.log`: an accepted command (`a`: id, issuedAt, expiresAt; `p`: its pending mark), cleared
 * pending marks (`c`), or the persisted clock (`k`). */
export const logEntrySchema = z.union([
  z.strictObject({ a: z.tuple([idSchema, z.number().int(), z.number().int()]), p: pendingCommandSchema.optional() }),
  z.strictObject({ c: z.array(idSchema).min(1) }),
  z.strictObject({ k: clockStateSchema }),
]);
export type LogEntry = z.infer<typeof logEntrySchema>;

/** Log lines after which the log is folded into the snapshot (off the command's path: the next command waits). */
export const COMPACT_AFTER = 1000;

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

  private readonly log: AppendLog;
  private readonly logger: Logger | undefined;
  /** Lines in the log since the last snapshot. */
  private logLines = 0;

  private constructor(db: Low<CommandFile>, file: DurableFile<CommandFile>, log: AppendLog, reset: StoreReset | undefined, opts: CommandStoreOptions) {
    this.db = db;
    this.file = file;
    this.log = log;
    this.logger = opts.logger;
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
    const { db, file, reset: fileReset } = await openDurableStore(join(dir, 'commands.json'), defaults, {
      schema: commandFileSchema,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    const opened = await AppendLog.openEntries(join(dir, 'commands.log'), logEntrySchema, opts.logger);
    const { log } = opened;
    const reset = fileReset ?? opened.reset;
    // A bad line inside the log: what it held is unknown, so nothing of it counts and the floor is raised.
    const entries = opened.reset ? [] : opened.entries;
    if (reset) db.data.floorIssuedAt = Math.max(db.data.floorIssuedAt, opts.floorAfterReset?.() ?? Date.now());
    const store = new CommandStore(db, file, log, reset, opts);
    for (const e of entries) store.replay(e);
    store.size = Object.keys(db.data.seen).length;
    store.enforceCap();
    if (reset || entries.length > 0) await store.save();
    return store;
  }

  private replay(e: LogEntry): void {
    const d = this.db.data;
    if ('a' in e) {
      const [id, issuedAt, expiresAt] = e.a;
      d.seen[id] = [issuedAt, expiresAt];
      if (e.p && !d.pending.some((p) => p.id === id)) d.pending.push(e.p);
    } else if ('c' in e) {
      const set = new Set(e.c);
      d.pending = d.pending.filter((p) => !set.has(p.id));
    } else {
      d.clock = e.k;
    }
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
    const mark: PendingCommand | undefined = pending
      ? { id: cmd.id, type: cmd.type, ...(cmd.door !== undefined ? { door: cmd.door } : {}), startedAt: localNow }
      : undefined;
    if (mark) this.db.data.pending.push(mark);
    this.enforceCap();
    // A deferred clear goes out in the same sync as this accept.
    this.flushDeferredClears();
    const written = this.append({ a: [cmd.id, cmd.issuedAt, cmd.expiresAt], ...(mark ? { p: mark } : {}) });
    return written;
  }

  /** Records a refused id too, so its replay is refused as `replayed` (only ids whose signature verified). */
  remember(cmd: { id: string; issuedAt: number; expiresAt: number }): void {
    if (Object.hasOwn(this.db.data.seen, cmd.id)) return;
    this.db.data.seen[cmd.id] = [cmd.issuedAt, cmd.expiresAt];
    this.size++;
    this.enforceCap();
  }

  /**
   * Clears pending marks. With `deferMs`, the line waits that long for company: the next command's accept carries it
   * in the same sync, so a stream of remote opens costs one sync each instead of two. The price is a window of
   * `deferMs` after the ack in which a power cut makes the restarted controller answer the same command once more
   * with `unknown`/`interrupted` (never run it again); the cloud keeps the first outcome of a command.
   */
  clearPending(ids: readonly string[], deferMs = 0): Promise<void> {
    const set = new Set(ids);
    this.db.data.pending = this.db.data.pending.filter((p) => !set.has(p.id));
    if (ids.length === 0) return Promise.resolve();
    if (deferMs <= 0) return this.append({ c: [...ids] });
    for (const id of ids) this.deferredClears.push(id);
    if (!this.deferred) {
      this.deferred = new Promise<void>((resolve, reject) => {
        this.deferSettle = { resolve, reject };
        this.deferTimer = setTimeout(() => this.flushDeferredClears(), deferMs);
      });
    }
    return this.deferred;
  }

  private deferredClears: string[] = [];
  private deferred: Promise<void> | undefined;
  private deferTimer: ReturnType<typeof setTimeout> | undefined;
  private deferSettle: { resolve: () => void; reject: (err: unknown) => void } | undefined;

  /** Sends the deferred clears now (with whatever is appended in the same tick). */
  private flushDeferredClears(): void {
    if (this.deferTimer) clearTimeout(this.deferTimer);
    this.deferTimer = undefined;
    const settle = this.deferSettle;
    const ids = this.deferredClears.splice(0);
    this.deferred = undefined;
    this.deferSettle = undefined;
    if (!settle) return;
    if (ids.length === 0) return settle.resolve();
    this.append({ c: ids }).then(settle.resolve, settle.reject);
  }

  private append(entry: LogEntry): Promise<void> {
    const p = this.log.append(JSON.stringify(entry));
    if (++this.logLines >= COMPACT_AFTER) {
      void this.save().catch((err: unknown) => this.logger?.error({ err }, 'could not fold the command log into commands.json'));
    }
    return p;
  }

  /** Physical syncs so far: snapshot writes plus log syncs (tests, benchmarks). */
  get syncs(): number {
    return this.file.writes + this.log.syncs;
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

  /** Persists the clock with one log line (cheap: it rides on the command path's log). */
  saveClock(state: ClockState): Promise<void> {
    this.db.data.clock = state;
    return this.append({ k: state });
  }

  /** Writes the whole state (clock, high-water mark, pruning) as the new snapshot and empties the log. */
  save(): Promise<void> {
    this.logLines = 0;
    return this.log.compact(() => this.file.write(this.db.data));
  }

  /** Resolves when every write asked for so far is on disk. */
  async flush(): Promise<void> {
    this.flushDeferredClears();
    await this.log.flush();
    await this.file.flush();
  }

  /** Flushes and releases the log file. */
  async close(): Promise<void> {
    await this.flush();
    await this.log.close();
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
