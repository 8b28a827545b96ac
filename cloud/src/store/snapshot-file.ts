/**
 * The file store's snapshot, `snapshot.json`: the live collections as of a journal sequence number and, from
 * format 2 on, the list of history segments that hold every history entry up to that number.
 * - Format 1 (earlier releases): live collections only; history lived in the journal, which kept every commit.
 *   Such a folder is migrated at open: the journal is read whole and compacted into format 2 at once.
 * - Format 2: `history.segments` (file names under the folder), the positions the next entries get, and the
 *   retention cutoff. Journal lines up to `seq` are covered entirely and skipped at open.
 */
import { COLLECTIONS, type CollectionName } from './store.ts';

export const SNAPSHOT = 'snapshot.json';
export const SNAPSHOT_FORMAT = 2;

export interface SnapshotHistory {
  segments: string[];
  /** Position of the next ended reservation and the next activity entry (history.ts). */
  nextEnded: number;
  nextActivity: number;
  /** History before this time (epoch ms) is out of retention. */
  cutoff: number;
}

export interface SnapshotFile {
  format: 1 | 2;
  /** Journal sequence number the snapshot includes. */
  seq: number;
  savedAt: number;
  collections: Partial<Record<CollectionName, [string, unknown][]>>;
  history?: SnapshotHistory;
}

export function isSnapshot(v: unknown): v is SnapshotFile {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<SnapshotFile>;
  if ((s.format !== 1 && s.format !== 2) || typeof s.seq !== 'number' || !Number.isInteger(s.seq) || s.seq < 0) return false;
  if (typeof s.collections !== 'object' || s.collections === null) return false;
  for (const [c, entries] of Object.entries(s.collections)) {
    if (!(COLLECTIONS as readonly string[]).includes(c) || !Array.isArray(entries)) return false;
    for (const e of entries) if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'object') return false;
  }
  if (s.format === 2) {
    const h = s.history;
    if (typeof h !== 'object' || h === null || !Array.isArray(h.segments) || !h.segments.every((x) => typeof x === 'string')) return false;
    if (![h.nextEnded, h.nextActivity, h.cutoff].every((n) => Number.isInteger(n) && n >= 0)) return false;
  }
  return true;
}
