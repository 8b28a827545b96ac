/**
 * History segment files of the file store: `history/<kind>-<first position>-<generation>.seg`, written once (by a
 * compaction, or rewritten under a new name by an erasure) and never appended to.
 *
 * Why immutable segments of a few hundred entries, with a Bloom filter in their header, rather than per-day
 * files or one growing log with a B-tree: a segment is written with the one durable whole-file write
 * (@portier/durable) and appears atomically, so a crash can only leave a file no snapshot lists (deleted at the next
 * open); a backup can copy it whole; a query by time range reads only segments whose time bounds overlap it, and a
 * query by bank or recipient, or a lookup by reservation id, only those whose filter may hold that key. What stays
 * in memory per segment is its bounds and its filter (about 10 bits per distinct key), not its entries.
 *
 * Layout: line 1 is the header (JSON: kind, first, count, minAt, maxAt, the filter in base64), line 2 the entries as
 * one JSON array, in position order.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActivityEntry, Reservation } from '../domain/model.ts';
import { Bloom, type KeyHash } from './bloom.ts';
import { writeFileDurable } from '@portier/durable';
import { endedAt, keysOfActivity, keysOfEnded, subjectKeys, type HistoryKind, type Segment } from './history.ts';
import { StoreError } from './store.ts';

export const HISTORY_DIR = 'history';

interface Header {
  kind: HistoryKind;
  first: number;
  count: number;
  minAt: number;
  maxAt: number;
  bloom: string;
}

/** Parsed segments kept in memory, least recently used dropped first: a page query often reads the same few. */
export class SegmentCache {
  private readonly entries = new Map<string, readonly unknown[]>();
  constructor(private readonly max = 64) {}
  get(file: string): readonly unknown[] | undefined {
    const v = this.entries.get(file);
    if (v) {
      this.entries.delete(file);
      this.entries.set(file, v);
    }
    return v;
  }
  set(file: string, v: readonly unknown[]): void {
    this.entries.set(file, v);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

export class FileSegment<T> implements Segment<T> {
  private constructor(
    /** Path relative to the store folder. */
    readonly name: string,
    private readonly dir: string,
    private readonly header: Header,
    private readonly bloom: Bloom,
    private readonly cache: SegmentCache,
  ) {}

  get kind(): HistoryKind {
    return this.header.kind;
  }
  get first(): number {
    return this.header.first;
  }
  get count(): number {
    return this.header.count;
  }
  get minAt(): number {
    return this.header.minAt;
  }
  get maxAt(): number {
    return this.header.maxAt;
  }
  mayHave(key: KeyHash): boolean {
    return this.bloom.mayHave(key);
  }

  async load(): Promise<readonly T[]> {
    const hit = this.cache.get(this.name);
    if (hit) return hit as readonly T[];
    const path = join(this.dir, this.name);
    const text = await readFile(path, 'utf8');
    const nl = text.indexOf('\n');
    let entries: unknown;
    try {
      entries = JSON.parse(text.slice(nl + 1));
    } catch (err) {
      throw new StoreError('CORRUPT', `${path}: the entries are not JSON`, { cause: err });
    }
    if (!Array.isArray(entries) || entries.length !== this.count) throw new StoreError('CORRUPT', `${path}: expected ${this.count} entries`);
    this.cache.set(this.name, entries);
    return entries as T[];
  }

  /** Reads a segment's header (only its first line). */
  static async open<T>(dir: string, name: string, cache: SegmentCache): Promise<FileSegment<T>> {
    const path = join(dir, name);
    const fh = await open(path, 'r');
    let head = '';
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (let pos = 0; ; ) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        const chunk = buf.toString('latin1', 0, bytesRead);
        const nl = chunk.indexOf('\n');
        head += nl < 0 ? chunk : chunk.slice(0, nl);
        if (nl >= 0) break;
        pos += bytesRead;
      }
    } finally {
      await fh.close();
    }
    let h: Header;
    try {
      h = JSON.parse(head) as Header;
    } catch (err) {
      throw new StoreError('CORRUPT', `${path}: the header is not JSON`, { cause: err });
    }
    if ((h.kind !== 'ended' && h.kind !== 'activity') || !Number.isInteger(h.first) || !Number.isInteger(h.count) || typeof h.bloom !== 'string') {
      throw new StoreError('CORRUPT', `${path}: the header has an unknown shape`);
    }
    // The filter is kept decoded only: its text would double what each segment costs in memory.
    return new FileSegment<T>(name, dir, { ...h, bloom: '' }, Bloom.fromBase64(h.bloom), cache);
  }

  /** Writes a segment durably and returns it. `generation` tells a rewrite of the same positions from the original. */
  static async write<K extends HistoryKind>(
    dir: string,
    kind: K,
    first: number,
    entries: readonly (K extends 'ended' ? Reservation : ActivityEntry)[],
    generation: string,
    cache: SegmentCache,
  ): Promise<FileSegment<K extends 'ended' ? Reservation : ActivityEntry>> {
    const keys: string[] = [];
    let minAt = Infinity;
    let maxAt = -Infinity;
    for (const x of entries) {
      const t = kind === 'ended' ? endedAt(x as Reservation) : (x as ActivityEntry).at;
      if (t < minAt) minAt = t;
      if (t > maxAt) maxAt = t;
      if (kind === 'ended') keys.push(...keysOfEnded(x as Reservation), ...subjectKeys(x as Reservation));
      else keys.push(...keysOfActivity(x as ActivityEntry));
    }
    const bloom = Bloom.of(keys);
    const header: Header = { kind, first, count: entries.length, minAt, maxAt, bloom: bloom.toBase64() };
    const name = `${HISTORY_DIR}/${kind}-${String(first).padStart(12, '0')}-${generation}.seg`;
    await writeFileDurable(join(dir, name), `${JSON.stringify(header)}\n${JSON.stringify(entries)}\n`);
    cache.set(name, entries);
    return new FileSegment(name, dir, { ...header, bloom: '' }, bloom, cache);
  }
}
