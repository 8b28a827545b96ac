/**
 * The embedded durable store: a lowdb snapshot of the live state plus an append-only journal.
 *
 * Why this shape (the activity log must not make every write slower as history grows):
 * - Every commit is one JSON line appended to `journal.jsonl` and fdatasync'd: the cost of a write does not
 *   depend on how much history there is. Ended reservations and activity live only in the journal (and in memory).
 * - Group commit: commits made while an fsync is in flight are written together and share the next fsync.
 *   A commit's promise resolves only after the fsync that covers its line.
 * - `snapshot.json` (lowdb, durable adapter) holds the live collections as of a journal sequence number; it is
 *   rewritten now and then (checkpoint) and at close, never on the write path. On open the journal lines after
 *   that sequence number are replayed on top of it. The journal keeps every commit since the store was created,
 *   so a corrupt snapshot is set aside and the live state rebuilt from the journal alone, with a log line.
 * - A torn tail (a crash in the middle of an append: a partial line, or garbage after the last good line) is cut
 *   off at open, with a log line. Only unacknowledged commits can be there. Lines carry a checksum
 *   (`journal-line.ts`): a damaged line before intact ones refuses the open, naming the file and the line.
 * - A journal that lost lines the snapshot already holds (its tail cut after a checkpoint) gets a skip line
 *   (`s`: the first missing sequence number), so the sequence stays continuous for every later open.
 * - A failed append (a full disk) is cut back off the journal and fails its commits; the store then refuses writes
 *   until a probe write in its folder succeeds again, rebuilds its memory from the files, and goes on.
 * - `withConsistentFiles` lets an online backup copy the folder: snapshot rewrites wait, the journal's prefix is whole.
 * - `LOCK` holds the owner's pid (folder-lock.ts): two processes appending to one journal would interleave lines.
 */
import { rename, rm, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { pino, type Logger } from 'pino';
import type { ActivityEntry, Reservation } from '../domain/model.ts';
import { CorruptFileError, DurableJSONFile } from './durable-file.ts';
import { AppendFile, ensureDir } from './durable-write.ts';
import { LOCK, lockFolder } from './folder-lock.ts';
import { frameLine, parseLine } from './journal-line.ts';
import { emptyMaps, MemoryStore } from './memory.ts';
import { COLLECTIONS, StoreError, type Change, type CollectionName } from './store.ts';

export interface DurableStoreOptions {
  logger?: Logger;
  /** Rewrite the snapshot once this many journal bytes were appended since the last one (default 64 MiB). */
  checkpointBytes?: number;
}

interface SnapshotFile {
  format: 1;
  /** Journal sequence number the snapshot includes. */
  seq: number;
  savedAt: number;
  collections: Partial<Record<CollectionName, [string, unknown][]>>;
}

/** One journal line (short keys: it is written thousands of times per second). */
interface JournalLine {
  q: number;
  /** A skip line: sequence numbers from `s` to `q` are missing from the journal and covered by the snapshot. */
  s?: number;
  p?: [CollectionName, string, unknown][];
  d?: [CollectionName, string][];
  e?: Reservation[];
  a?: ActivityEntry[];
}

const SNAPSHOT = 'snapshot.json';
const JOURNAL = 'journal.jsonl';
const NL = 0x0a;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class DurableStore extends MemoryStore {
  private readonly log: Logger;
  private readonly checkpointBytes: number;
  /** The journal; its size is the bytes known to hold whole, acknowledged lines. */
  private journal!: AppendFile;
  private snapshot!: Low<SnapshotFile>;
  private seq = 0;
  private durableSeq = 0;
  private snapshotSeq = 0;
  private bytesSinceSnapshot = 0;
  private pendingLines: string[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private checkpointing: Promise<void> | undefined;
  private recovering: Promise<boolean> | undefined;
  /** Consistent copies running (withConsistentFiles): no snapshot is rewritten meanwhile. */
  private copies = 0;
  private copiesDone: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    opts: DurableStoreOptions,
  ) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'store', dir });
    this.checkpointBytes = opts.checkpointBytes ?? 64 * 1024 * 1024;
  }

  /** Opens (or creates) the store in `dir`, recovering from a torn journal tail or a corrupt snapshot. */
  static async open(dir: string, opts: DurableStoreOptions = {}): Promise<DurableStore> {
    const store = new DurableStore(dir, opts);
    await ensureDir(dir);
    await lockFolder(dir, store.log);
    try {
      await store.load();
    } catch (err) {
      await rm(join(dir, LOCK), { force: true });
      throw err;
    }
    return store;
  }

  /** The journal sequence number of the last commit known to be on disk. */
  get durableSequence(): number {
    return this.durableSeq;
  }

  // ------------------------------------------------------------------------------------------------ open

  private async load(): Promise<void> {
    // Temp files of snapshot writes that never got renamed: a crash mid-write.
    for (const name of await readdir(this.dir)) if (name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });

    this.snapshot = new Low<SnapshotFile>(new DurableJSONFile<SnapshotFile>(join(this.dir, SNAPSHOT)), emptySnapshot());
    let snap: SnapshotFile | undefined;
    try {
      await this.snapshot.read();
      snap = this.snapshot.data;
      if (!isSnapshot(snap)) throw new CorruptFileError('snapshot has an unknown shape');
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      const aside = join(this.dir, `${SNAPSHOT}.corrupt-${Date.now()}`);
      await rename(join(this.dir, SNAPSHOT), aside);
      this.log.error({ err: err.message, aside }, 'snapshot is corrupt: set aside, rebuilding the live state from the journal');
      snap = undefined;
      this.snapshot.data = emptySnapshot();
    }
    this.maps = emptyMaps();
    if (snap) {
      for (const c of COLLECTIONS) {
        const m = this.maps[c] as Map<string, unknown>;
        for (const [k, v] of snap.collections[c] ?? []) m.set(k, v);
      }
      this.snapshotSeq = snap.seq;
    }
    this.touchAll();
    await this.replayJournal(snap?.seq ?? 0);
    this.log.info(
      { seq: this.seq, snapshotSeq: this.snapshotSeq, ended: this.ended.length, activity: this.activity.length },
      'store opened',
    );
  }

  private async replayJournal(snapshotSeq: number): Promise<void> {
    const path = join(this.dir, JOURNAL);
    const { file, data: buf } = await AppendFile.open(path);
    try {
      await this.readJournal(path, file, buf, snapshotSeq);
    } catch (err) {
      await file.close();
      throw err;
    }
    this.journal = file;
    if (this.seq < snapshotSeq) {
      this.log.error({ journalSeq: this.seq, snapshotSeq }, 'journal is shorter than the snapshot: history after it is missing');
      // The next start must find the sequence continuous: a skip line says the missing numbers are in the snapshot.
      await file.append(Buffer.from(frameLine(JSON.stringify({ q: snapshotSeq, s: this.seq + 1 } satisfies JournalLine)), 'utf8'));
      this.seq = snapshotSeq;
    }
    this.durableSeq = this.seq;
  }

  /** Applies the journal's lines; a torn tail is cut off, a damaged line before intact ones refuses the open. */
  private async readJournal(path: string, file: AppendFile, buf: Buffer, snapshotSeq: number): Promise<void> {
    let pos = 0;
    let good = 0;
    let expected = 0;
    let badAt = -1;
    let lineNo = 0;
    let why = '';
    while (pos < buf.length) {
      lineNo++;
      const nl = buf.indexOf(NL, pos);
      if (nl < 0) {
        badAt = pos; // a line without its newline: the append was cut short
        why = 'no newline';
        break;
      }
      const parsed = parseLine(buf.toString('utf8', pos, nl));
      const line = parsed.ok ? (parsed.value as JournalLine) : undefined;
      if (!line || typeof line.q !== 'number') {
        badAt = pos;
        why = parsed.ok ? 'no sequence number' : parsed.why;
        break;
      }
      const first = line.s ?? line.q;
      if (expected !== 0 && first !== expected) {
        throw new StoreError('CORRUPT', `${path} line ${lineNo}: journal sequence jumps from ${expected - 1} to ${line.q} at byte ${pos}`);
      }
      expected = line.q + 1;
      if (line.s === undefined) {
        if (line.q > snapshotSeq) this.applyLine(line);
        else this.applyHistory(line);
      }
      this.seq = line.q;
      pos = nl + 1;
      good = pos;
    }
    if (badAt >= 0) {
      // Tolerated only at the tail: everything after the bad spot must be unparseable too (a torn append).
      const rest = buf.subarray(badAt);
      if (containsValidLine(rest)) {
        throw new StoreError(
          'CORRUPT',
          `${path} line ${lineNo} (byte ${badAt}) is damaged (${why}) but later lines are intact; refusing to drop data`,
        );
      }
      this.log.warn({ at: badAt, line: lineNo, why, bytes: buf.length - badAt }, 'journal ends with a torn write: cutting it off');
      await file.cut(good);
    }
  }

  private applyLine(line: JournalLine): void {
    const change: Change = {};
    if (line.p) change.put = line.p.map(([c, key, value]) => ({ c, key, value }) as NonNullable<Change['put']>[number]);
    if (line.d) change.del = line.d.map(([c, key]) => ({ c, key }));
    if (line.e) change.ended = line.e;
    if (line.a) change.activity = line.a;
    this.apply(change);
  }

  private applyHistory(line: JournalLine): void {
    if (line.e) this.pushEnded(line.e);
    if (line.a) for (const a of line.a) this.activity.push(a);
  }

  // ------------------------------------------------------------------------------------------------ writes

  protected override persist(change: Change): Promise<void> {
    const line: JournalLine = { q: ++this.seq };
    if (change.put?.length) line.p = change.put.map((p) => [p.c, p.key, p.value]);
    if (change.del?.length) line.d = change.del.map((d) => [d.c, d.key]);
    if (change.ended?.length) line.e = change.ended;
    if (change.activity?.length) line.a = change.activity;
    this.pendingLines.push(frameLine(JSON.stringify(line)));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Writes everything pending with one write and one fdatasync, repeatedly, until nothing is pending. */
  private async flushLoop(): Promise<void> {
    try {
      while (this.pendingLines.length > 0) {
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
        this.bytesSinceSnapshot += data.length;
        for (const w of waiters) w.resolve();
        // Memory equals the durable state exactly when nothing is pending: the only safe moment to snapshot it.
        if (this.pendingLines.length === 0 && this.bytesSinceSnapshot >= this.checkpointBytes && !this.checkpointing && this.copies === 0) {
          this.checkpointing = this.checkpoint().finally(() => (this.checkpointing = undefined));
        }
      }
    } finally {
      this.flushing = undefined;
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
        await this.journal.cut(this.journal.size);
        await this.journal.close();
        this.seq = 0;
        this.snapshotSeq = 0;
        this.ended = [];
        this.endedById = new Map();
        this.activity = [];
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

  /** Writes the live state as of the durable sequence number. Must be called when nothing is pending. */
  private checkpoint(): Promise<void> {
    const collections: SnapshotFile['collections'] = {};
    for (const c of COLLECTIONS) collections[c] = [...(this.maps[c] as Map<string, unknown>).entries()];
    const seq = this.durableSeq;
    this.snapshot.data = { format: 1, seq, savedAt: Date.now(), collections };
    this.bytesSinceSnapshot = 0;
    // Low.write hands the data to the adapter, which serialises it before its first await.
    return this.snapshot.write().then(
      () => {
        this.snapshotSeq = seq;
        this.log.debug({ seq }, 'snapshot written');
      },
      (err: unknown) => this.log.error({ err }, 'snapshot write failed; the journal still holds everything'),
    );
  }

  /**
   * Runs `fn` with the store's files in a state a copy can read while writes go on (an online backup): it waits for
   * a snapshot rewrite in progress, holds further ones off until `fn` settles, and hands `fn` each file of the store's
   * folder (names relative to it) with the number of leading bytes to copy. The snapshot does not change meanwhile;
   * the journal is append-only and its first `bytes` bytes are whole, acknowledged lines, every commit acknowledged
   * before this call among them, so commits can go on appending while the copy reads that prefix.
   */
  async withConsistentFiles<T>(fn: (files: { name: string; bytes: number }[]) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('CLOSED', 'store is closed');
    this.copies++;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const before = this.copiesDone;
    this.copiesDone = before.then(() => finished);
    try {
      if (this.checkpointing) await this.checkpointing;
      const files: { name: string; bytes: number }[] = [];
      const snapshotBytes = await stat(join(this.dir, SNAPSHOT)).then((s) => s.size, () => undefined);
      if (snapshotBytes !== undefined) files.push({ name: SNAPSHOT, bytes: snapshotBytes });
      files.push({ name: JOURNAL, bytes: this.journal.size });
      return await fn(files);
    } finally {
      this.copies--;
      done();
    }
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    // Refuse new commits first; the ones already queued are flushed below.
    this.closed = true;
    // A copy in progress reads the snapshot: the closing checkpoint waits for it.
    await this.copiesDone;
    while (this.flushing) await this.flushing;
    if (this.checkpointing) await this.checkpointing;
    if (!this.failure && this.durableSeq > this.snapshotSeq) await this.checkpoint();
    await this.journal.close();
    await rm(join(this.dir, LOCK), { force: true });
  }
}

function emptySnapshot(): SnapshotFile {
  return { format: 1, seq: 0, savedAt: 0, collections: {} };
}

function isSnapshot(v: unknown): v is SnapshotFile {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<SnapshotFile>;
  if (s.format !== 1 || typeof s.seq !== 'number' || !Number.isInteger(s.seq) || s.seq < 0) return false;
  if (typeof s.collections !== 'object' || s.collections === null) return false;
  for (const [c, entries] of Object.entries(s.collections)) {
    if (!(COLLECTIONS as readonly string[]).includes(c) || !Array.isArray(entries)) return false;
    for (const e of entries) if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'object') return false;
  }
  return true;
}

function containsValidLine(buf: Buffer): boolean {
  let pos = buf.indexOf(NL) + 1;
  while (pos > 0 && pos < buf.length) {
    const nl = buf.indexOf(NL, pos);
    if (nl < 0) return false;
    const l = parseLine(buf.toString('utf8', pos, nl));
    if (l.ok && typeof (l.value as Partial<JournalLine> | null)?.q === 'number') return true;
    pos = nl + 1;
  }
  return false;
}
