/**
 * Compaction of the file store (durable.ts), one at a time, in the background or on request:
 *   1. at a moment memory equals the journal (nothing pending), take the live state, the recent history entries,
 *      the journal's sequence number S and its size B;
 *   2. write the recent history as new segment files (segment-file.ts; each: temp file, fsync, rename, folder fsync);
 *      segments wholly before the retention cutoff are left out, an erasure rewrites the ones that hold its subject
 *      under new names;
 *   3. write `snapshot.json` (format 2: live state as of S, every segment's name) the same durable way: the moment
 *      the compaction counts;
 *   4. replace the journal by its bytes after B (the commits after S), the same durable way, appends held meanwhile;
 *   5. in memory, switch to the new segments and forget the recent entries now in them; delete unlisted files.
 * A crash before 3 leaves unlisted segment files (deleted at open) and the old snapshot and journal; after 3 and
 * before 4, the journal still holds lines up to S, which the new snapshot tells the open to skip.
 */
import { randomBytes } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActivityEntry, Reservation } from '../domain/model.ts';
import type { Logger } from 'pino';
import { JOURNAL } from './journal-read.ts';
import type { RecentHistory } from './memory.ts';
import type { SnapshotFile as Snapshot } from './snapshot-file.ts';
import { writeFileDurable } from '@portier/durable';
import { eraseActivity, eraseEnded, mayConcern, type HistoryKind } from './history.ts';
import { FileSegment, type SegmentCache } from './segment-file.ts';
import { SNAPSHOT, type SnapshotFile } from './snapshot-file.ts';
import type { Erasure, ErasureCount } from './store.ts';

/** A file of a consistent copy of the store: its name under the store folder and how many of its bytes belong. */
export interface ConsistentFile {
  name: string;
  bytes: number;
}

type AnySegment = FileSegment<Reservation | ActivityEntry>;

/** What compaction needs of the file store (durable.ts). */
export interface CompactedStore {
  readonly dir: string;
  readonly log: Logger;
  readonly segmentEntries: number;
  readonly cache: SegmentCache;
  segments: AnySegment[];
  readonly journal: { readonly size: number };
  readonly recentHistory: RecentHistory;
  readonly durableSequence: number;
  readonly historyCutoff: number;
  health(): { writable: boolean; problem?: string };
  quiescent(): Promise<void>;
  liveEntries(): Snapshot['collections'];
  swapJournal(from: number, replace: (tail: Buffer) => Promise<void>): Promise<void>;
  removeUnlisted(listed: ReadonlySet<string>): Promise<void>;
}

export class Compactor {
  private chain: Promise<unknown> = Promise.resolve();
  private scheduled = false;
  private running = false;

  constructor(private readonly store: CompactedStore) {}

  /** Schedules a background compaction unless one is already waiting. */
  soon(): void {
    // One running resets the journal's count when it ends: another right after it would find nearly nothing to do.
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    this.run().catch((err: unknown) => this.store.log.error({ err }, 'compaction failed; the journal still holds everything'));
  }

  /** Runs a compaction (applying `erasure`, if any) after the ones before it. */
  run(erasure?: Erasure): Promise<ErasureCount> {
    const next = this.chain.then(async () => {
      this.scheduled = false;
      this.running = true;
      try {
        return await this.compactOnce(erasure);
      } finally {
        this.running = false;
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Runs `fn` with the store's files listed while no compaction runs. */
  paused<T>(fn: (files: ConsistentFile[]) => Promise<T>): Promise<T> {
    const next = this.chain.then(async () => fn(await this.files()));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves once no compaction is running or queued. */
  async idle(): Promise<void> {
    for (let seen: Promise<unknown> | undefined; seen !== this.chain; ) await (seen = this.chain);
  }

  private async files(): Promise<ConsistentFile[]> {
    const s = this.store;
    const out: ConsistentFile[] = [];
    try {
      out.push({ name: SNAPSHOT, bytes: (await stat(join(s.dir, SNAPSHOT))).size });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const seg of s.segments) out.push({ name: seg.name, bytes: (await stat(join(s.dir, seg.name))).size });
    out.push({ name: JOURNAL, bytes: s.journal.size });
    return out;
  }

  private async compactOnce(erasure: Erasure | undefined): Promise<ErasureCount> {
    const s = this.store;
    const count = erasure ? s.recentHistory.erase(erasure) : { ended: 0, activity: 0 };
    if (!s.health().writable) throw new Error(`the store cannot write: ${s.health().problem ?? ''}`);
    await s.quiescent();
    // From here to the first await: the state taken is exactly the journal up to `seq`.
    const seq = s.durableSequence;
    const collections = s.liveEntries();
    const recent = s.recentHistory;
    const ended = recent.ended.entries.slice();
    const activity = recent.activity.entries.slice();
    const endedFirst = recent.ended.first;
    const activityFirst = recent.activity.first;
    const journalBytes = s.journal.size;
    const cutoff = s.historyCutoff;
    const generation = `${seq}${randomBytes(3).toString('hex')}`;

    const written: AnySegment[] = [];
    const seal = async <K extends HistoryKind>(kind: K, first: number, entries: (K extends 'ended' ? Reservation : ActivityEntry)[]): Promise<void> => {
      for (let i = 0; i < entries.length; i += s.segmentEntries) {
        const chunk = entries.slice(i, i + s.segmentEntries);
        const seg = await FileSegment.write(s.dir, kind, first + i, chunk, generation, s.cache);
        if (seg.maxAt >= cutoff) written.push(seg as AnySegment);
      }
    };
    await seal('ended', endedFirst, ended);
    await seal('activity', activityFirst, activity);

    const kept: AnySegment[] = [];
    for (const seg of s.segments) {
      if (seg.maxAt < cutoff) continue;
      if (erasure && mayConcern(seg, erasure.subjectId)) {
        const rewritten = await this.erase(seg, erasure, generation, count);
        kept.push(rewritten ?? seg);
      } else kept.push(seg);
    }
    const segments = [...kept, ...written].sort((a, b) => (a.kind === b.kind ? a.first - b.first : a.kind < b.kind ? -1 : 1));
    const names = segments.map((x) => x.name);
    const snap: SnapshotFile = {
      format: 2,
      seq,
      savedAt: Date.now(),
      collections,
      history: { segments: names, nextEnded: endedFirst + ended.length, nextActivity: activityFirst + activity.length, cutoff },
    };
    await writeFileDurable(join(s.dir, SNAPSHOT), JSON.stringify(snap));
    await s.swapJournal(journalBytes, (tail) => writeFileDurable(join(s.dir, JOURNAL), tail));
    s.segments = segments;
    recent.shift(ended.length, activity.length);
    await s.removeUnlisted(new Set(names));
    s.log.debug({ seq, segments: names.length, sealed: ended.length + activity.length }, 'compacted');
    return count;
  }

  /** Writes `seg` again with `erasure` applied, under a new name; undefined when nothing in it changes. */
  private async erase(seg: AnySegment, erasure: Erasure, generation: string, count: ErasureCount): Promise<AnySegment | undefined> {
    const s = this.store;
    const entries = await seg.load();
    let changed = 0;
    if (seg.kind === 'ended') {
      const out = (entries as readonly Reservation[]).map((r) => {
        const e = eraseEnded(r, erasure);
        if (e) changed++;
        return e ?? r;
      });
      if (changed === 0) return undefined;
      count.ended += changed;
      return (await FileSegment.write(s.dir, 'ended', seg.first, out, generation, s.cache)) as AnySegment;
    }
    const out = (entries as readonly ActivityEntry[]).map((a) => {
      const e = eraseActivity(a, erasure);
      if (e) changed++;
      return e ?? a;
    });
    if (changed === 0) return undefined;
    count.activity += changed;
    return (await FileSegment.write(s.dir, 'activity', seg.first, out, generation, s.cache)) as AnySegment;
  }
}

/** Reads bytes `from`..`to` of a file. */
export async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, to - from));
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, from + off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}
