/**
 * The embedded durable store: a snapshot of the live state, immutable history segments, and an append-only journal.
 *
 * Why this shape (neither a write nor a start-up may get slower as history grows, and memory holds live state only):
 * - Every commit is one JSON line appended to `journal.jsonl` and fdatasync'd. Group commit: commits made in the same
 *   turn of the event loop, or while an fsync is in flight, are written together and share one fsync; a commit
 *   resolves after the fsync covering it.
 * - Compaction (compaction.ts) runs in the background once the journal grew by `checkpointBytes`: the history
 *   entries of the journal go to new segment files (segment-file.ts), the live state to a new `snapshot.json` that
 *   lists every segment, and the journal is replaced by its lines after the snapshot. Start-up reads the snapshot,
 *   the segments' headers and the short journal tail; history is read from the segments page by page (history.ts).
 * - A folder written by an earlier release (snapshot format 1, history in the journal) is compacted at open.
 * - A torn journal tail is cut off at open, with a log line; a damaged line before intact ones refuses the open
 *   (journal-read.ts). A corrupt snapshot is set aside and the state rebuilt from the journal when the journal still
 *   holds every commit (no compaction yet); otherwise the open is refused.
 * - A failed append (a full disk) is cut back off the journal and fails its commits; the store then refuses writes
 *   until a probe write in its folder succeeds again, rebuilds its memory from the files, and goes on.
 * - `LOCK` holds the owner's pid (folder-lock.ts): two processes appending to one journal would interleave lines.
 */
import { rename, rm, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { ActivityEntry, Reservation } from '../domain/model.ts';
import { Compactor, readRange, type ConsistentFile } from './compaction.ts';
import { CorruptFileError, DurableJSONFile } from './durable-file.ts';
import { AppendFile, ensureDir } from '@portier/durable';
import { LOCK, lockFolder } from './folder-lock.ts';
import type { Segment } from './history.ts';
import { JOURNAL, readJournal, type JournalLine } from './journal-read.ts';
import { frameLine } from './journal-line.ts';
import { emptyMaps, MemoryStore, RecentHistory } from './memory.ts';
import { FileSegment, HISTORY_DIR, SegmentCache } from './segment-file.ts';
import { isSnapshot, SNAPSHOT, type SnapshotFile } from './snapshot-file.ts';
import { COLLECTIONS, StoreError, type Change, type CollectionName, type Erasure, type ErasureCount } from './store.ts';

export interface DurableStoreOptions {
  logger?: Logger;
  /** Compact once this many journal bytes were appended since the last compaction (default 16 MiB). */
  checkpointBytes?: number;
  /** Entries per history segment file (default 512: a page query parses about as much as it needs). */
  segmentEntries?: number;
}


interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class DurableStore extends MemoryStore {
  readonly log: Logger;
  readonly checkpointBytes: number;
  readonly segmentEntries: number;
  /** The journal; its size is the bytes known to hold whole, acknowledged lines. */
  journal!: AppendFile;
  /** History segment files listed by the snapshot, in position order per kind. */
  segments: FileSegment<Reservation | ActivityEntry>[] = [];
  readonly cache = new SegmentCache();
  private seq = 0;
  private durableSeq = 0;
  /** Journal bytes appended since the last compaction. */
  bytesSinceCompaction = 0;
  private pendingLines: string[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  /** While the journal file is being replaced, appends wait (their commits are queued, not refused). */
  private swapping = false;
  private recovering: Promise<boolean> | undefined;
  private readonly compactor: Compactor;

  private constructor(
    readonly dir: string,
    opts: DurableStoreOptions,
  ) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'store', dir });
    this.checkpointBytes = opts.checkpointBytes ?? 16 * 1024 * 1024;
    this.segmentEntries = opts.segmentEntries ?? 512;
    this.compactor = new Compactor(this);
  }

  /** Opens (or creates) the store in `dir`, recovering from a torn journal tail, migrating an earlier format. */
  static async open(dir: string, opts: DurableStoreOptions = {}): Promise<DurableStore> {
    const store = new DurableStore(dir, opts);
    await ensureDir(dir);
    await lockFolder(dir, store.log);
    try {
      const migrate = await store.load();
      if (migrate) {
        store.log.warn({ from: 'snapshot format 1' }, 'store written by an earlier release: compacting its journal into history segments');
        await store.compact();
      }
    } catch (err) {
      await store.journal?.close().catch(() => undefined);
      await rm(join(dir, LOCK), { force: true });
      throw err;
    }
    return store;
  }

  /** The journal sequence number of the last commit known to be on disk. */
  get durableSequence(): number {
    return this.durableSeq;
  }

  /** Positions the next ended reservation and activity entry get. */
  nextPositions(): { ended: number; activity: number } {
    return { ended: this.recent.ended.first + this.recent.ended.count, activity: this.recent.activity.first + this.recent.activity.count };
  }

  get recentHistory(): RecentHistory {
    return this.recent;
  }

  /** The live collections as snapshot entries (values are shared: they are never mutated in place). */
  liveEntries(): SnapshotFile['collections'] {
    const collections: SnapshotFile['collections'] = {};
    for (const c of COLLECTIONS) collections[c] = [...(this.maps[c] as Map<string, unknown>).entries()];
    return collections;
  }

  // ------------------------------------------------------------------------------------------------ open

  /** Loads the files; resolves true when the folder is of an earlier format and must be compacted now. */
  private async load(): Promise<boolean> {
    // Temp files of durable writes that never got renamed: a crash mid-write.
    await ensureDir(join(this.dir, HISTORY_DIR));
    for (const sub of ['', HISTORY_DIR]) {
      for (const name of await readdir(join(this.dir, sub))) if (name.endsWith('.tmp')) await rm(join(this.dir, sub, name), { force: true });
    }
    const snapFile = new DurableJSONFile<SnapshotFile>(join(this.dir, SNAPSHOT));
    let snap: SnapshotFile | undefined;
    let corrupt = false;
    try {
      snap = (await snapFile.read()) ?? undefined;
      if (snap !== undefined && !isSnapshot(snap)) throw new CorruptFileError('snapshot has an unknown shape');
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      const aside = join(this.dir, `${SNAPSHOT}.corrupt-${Date.now()}`);
      await rename(join(this.dir, SNAPSHOT), aside);
      this.log.error({ err: err.message, aside }, 'snapshot is corrupt: set aside, rebuilding the live state from the journal');
      snap = undefined;
      corrupt = true;
    }
    this.maps = emptyMaps();
    this.recent = new RecentHistory();
    this.segments = [];
    this.cutoff = 0;
    const snapshotSeq = snap?.seq ?? 0;
    if (snap) {
      for (const c of COLLECTIONS) {
        const m = this.maps[c] as Map<string, unknown>;
        for (const [k, v] of snap.collections[c] ?? []) m.set(k, v);
      }
    }
    if (snap?.history) {
      const h = snap.history;
      for (const name of h.segments) this.segments.push(await FileSegment.open(this.dir, name, this.cache));
      this.recent.ended.first = h.nextEnded;
      this.recent.activity.first = h.nextActivity;
      this.cutoff = h.cutoff;
    }
    this.touchAll();
    // Format 2 covers every line up to its seq, history included; format 1 covered live state only.
    const historyInJournal = snap?.format !== 2;
    this.seq = 0;
    const path = join(this.dir, JOURNAL);
    const { file, data } = await AppendFile.open(path);
    this.journal = file;
    const { first, last } = await readJournal(path, file, data, this.log, (line) => {
      if (line.s !== undefined) return;
      if (line.q > snapshotSeq) this.applyLine(line);
      else if (historyInJournal) this.recent.push({ ...(line.e ? { ended: line.e } : {}), ...(line.a ? { activity: line.a } : {}) });
    });
    // A snapshot is written only by a compaction, which also shortens the journal: without a readable snapshot the
    // journal must hold every commit from the first.
    if (first > snapshotSeq + 1 || (corrupt && first !== 1) || (!snap && first > 1)) {
      throw new StoreError('CORRUPT', `${path}: the journal starts at ${first} but the snapshot covers only up to ${snapshotSeq}; refusing to open with commits missing`);
    }
    await this.removeUnlisted(new Set(snap?.history?.segments ?? []));
    this.seq = Math.max(last, snapshotSeq);
    if (last !== 0 && last < snapshotSeq) {
      this.log.error({ journalSeq: last, snapshotSeq }, 'journal is shorter than the snapshot: history after it is missing');
      // The next start must find the sequence continuous: a skip line says the missing numbers are in the snapshot.
      await file.append(Buffer.from(frameLine(JSON.stringify({ q: snapshotSeq, s: last + 1 } satisfies JournalLine)), 'utf8'));
    }
    this.durableSeq = this.seq;
    this.bytesSinceCompaction = file.size;
    this.log.info({ seq: this.seq, snapshotSeq, segments: this.segments.length, recent: this.recent.activity.count + this.recent.ended.count }, 'store opened');
    return snap?.format === 1 || (corrupt && this.recent.activity.count + this.recent.ended.count > 0);
  }

  /** Segment files no snapshot lists: written by a compaction that did not finish, or dropped by one that did. */
  async removeUnlisted(listed: ReadonlySet<string>): Promise<void> {
    for (const name of await readdir(join(this.dir, HISTORY_DIR))) {
      const rel = `${HISTORY_DIR}/${name}`;
      if (!listed.has(rel)) await rm(join(this.dir, rel), { force: true });
    }
  }

  private applyLine(line: JournalLine): void {
    const change: Change = {};
    if (line.p) change.put = line.p.map(([c, key, value]) => ({ c, key, value }) as NonNullable<Change['put']>[number]);
    if (line.d) change.del = line.d.map(([c, key]) => ({ c, key }));
    if (line.e) change.ended = line.e;
    if (line.a) change.activity = line.a;
    if (line.c !== undefined) change.historyCutoff = line.c;
    this.apply(change);
  }

  // ------------------------------------------------------------------------------------------------ history

  protected override endedSegments(): readonly Segment<Reservation>[] {
    return [...(this.segments.filter((s) => s.kind === 'ended') as FileSegment<Reservation>[]), this.recent.ended];
  }

  protected override activitySegments(): readonly Segment<ActivityEntry>[] {
    return [...(this.segments.filter((s) => s.kind === 'activity') as FileSegment<ActivityEntry>[]), this.recent.activity];
  }

  /** Recent entries stay until a compaction moves them to segments: their positions must not shift before. */
  protected override dropsRecent(): boolean {
    return false;
  }

  override async erasePerson(e: Erasure): Promise<ErasureCount> {
    this.assertOpen();
    return this.compactor.run(e);
  }

  /** Folds the journal into a new snapshot and history segments now (it also runs by itself in the background). */
  async compact(): Promise<void> {
    this.assertOpen();
    await this.compactor.run();
  }

  /**
   * Runs `fn` while compaction and erasure wait (commits go on appending): the files listed, each up to its `bytes`,
   * are a consistent copy of the store. Names are relative to the store folder.
   */
  withConsistentFiles<T>(fn: (files: ConsistentFile[]) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.compactor.paused(fn);
  }

  // ------------------------------------------------------------------------------------------------ writes

  protected override persist(change: Change): Promise<void> {
    const line: JournalLine = { q: ++this.seq };
    if (change.put?.length) line.p = change.put.map((p) => [p.c, p.key, p.value]);
    if (change.del?.length) line.d = change.del.map((d) => [d.c, d.key]);
    if (change.ended?.length) line.e = change.ended;
    if (change.activity?.length) line.a = change.activity;
    if (change.historyCutoff !== undefined) line.c = change.historyCutoff;
    this.pendingLines.push(frameLine(JSON.stringify(line)));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.swapping) this.flushing ??= this.flushLoop();
    });
  }

  /** Writes everything pending with one write and one fdatasync, repeatedly, until nothing is pending. */
  private async flushLoop(): Promise<void> {
    try {
      // The commits made in the rest of this turn (a use case writing two records at once) join the first write.
      await Promise.resolve();
      while (this.pendingLines.length > 0 && !this.swapping) {
        const lines = this.pendingLines;
        const waiters = this.waiters;
        const upTo = this.seq;
        this.pendingLines = [];
        this.waiters = [];
        const data = Buffer.from(lines.join(''), 'utf8');
        try {
          // Whatever part of the batch reached the file is cut off again: no later append may follow a torn line.
          await this.journal.append(data);
        } catch (err) {
          this.fail(err as Error, waiters);
          return;
        }
        this.durableSeq = upTo;
        this.bytesSinceCompaction += data.length;
        for (const w of waiters) w.resolve();
        if (this.bytesSinceCompaction >= this.checkpointBytes && !this.closed) this.compactor.soon();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /**
   * Waits until memory equals the durable state (nothing pending, no append in flight) and returns with it so: the
   * caller's next synchronous steps see a state that is exactly the journal up to `durableSequence`.
   */
  async quiescent(): Promise<void> {
    while (this.flushing || this.pendingLines.length > 0) {
      if (this.flushing) await this.flushing;
      else this.flushing = this.flushLoop();
    }
  }

  /** Replaces the journal with its bytes from `from` on (the lines after a snapshot), appends held meanwhile. */
  async swapJournal(from: number, replace: (tail: Buffer) => Promise<void>): Promise<void> {
    this.swapping = true;
    try {
      while (this.flushing) await this.flushing;
      await replace(await readRange(join(this.dir, JOURNAL), from, this.journal.size));
      await this.journal.close();
      const { file } = await AppendFile.open(join(this.dir, JOURNAL));
      this.journal = file;
      this.bytesSinceCompaction = file.size;
    } finally {
      this.swapping = false;
      if (this.pendingLines.length > 0 && !this.failure) this.flushing ??= this.flushLoop();
    }
  }

  private fail(err: Error, waiters: Waiter[]): void {
    this.failure = err;
    this.log.error({ err }, 'journal write failed: the store refuses writes until a write succeeds again');
    const e = new StoreError('WRITE_FAILED', `journal write failed: ${err.message}`, { cause: err });
    for (const w of [...waiters, ...this.waiters]) w.reject(e);
    this.waiters = [];
    this.pendingLines = [];
  }

  /**
   * After a failed append: once a probe write in the store's folder succeeds (the disk has room again), the memory,
   * which holds the changes that failed, is rebuilt from the files and writes are taken again.
   */
  protected override recover(): Promise<boolean> {
    this.recovering ??= (async (): Promise<boolean> => {
      const probe = join(this.dir, `.probe-${process.pid}.tmp`);
      try {
        while (this.flushing) await this.flushing;
        await writeFile(probe, Buffer.alloc(64 * 1024), { flush: true });
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'store still cannot write');
        return false;
      } finally {
        await rm(probe, { force: true });
      }
      try {
        await this.compactor.idle();
        await this.journal.cut(this.journal.size);
        await this.journal.close();
        await this.load();
        this.failure = undefined;
        this.log.warn('store writes again: memory rebuilt from the files');
        return true;
      } catch (err) {
        this.log.error({ err }, 'store could not recover');
        return false;
      }
    })().finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    // Refuse new commits first; the ones already queued are flushed below. The journal tail is read at next open.
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.compactor.idle();
    await this.journal.close();
    await rm(join(this.dir, LOCK), { force: true });
  }
}

export type { CollectionName };
