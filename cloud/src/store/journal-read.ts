/**
 * Reading the file store's journal at open: its lines in order, a torn tail (a crash in the middle of an append: a
 * partial line, or garbage after the last good line) cut off with a log line, a damaged line before intact ones
 * refused (only unacknowledged commits can be in a torn tail), the sequence checked to be continuous.
 */
import type { Logger } from 'pino';
import type { ActivityEntry, Reservation } from '../domain/model.ts';
import type { AppendFile } from '@portier/durable';
import { parseLine } from './journal-line.ts';
import { StoreError, type CollectionName } from './store.ts';

/** One journal line (short keys: it is written thousands of times per second). */
export interface JournalLine {
  q: number;
  /** A skip line: sequence numbers from `s` to `q` are missing from the journal and covered by the snapshot. */
  s?: number;
  p?: [CollectionName, string, unknown][];
  d?: [CollectionName, string][];
  e?: Reservation[];
  a?: ActivityEntry[];
  /** History before this time is out of retention. */
  c?: number;
}

export const JOURNAL = 'journal.jsonl';
const NL = 0x0a;

/** Calls `onLine` for each whole line; returns the sequence numbers of the first and last (0 when none). */
export async function readJournal(
  path: string,
  file: AppendFile,
  buf: Buffer,
  log: Logger,
  onLine: (line: JournalLine) => void,
): Promise<{ first: number; last: number }> {
  let pos = 0;
  let good = 0;
  let expected = 0;
  let badAt = -1;
  let lineNo = 0;
  let why = '';
  let first = 0;
  let last = 0;
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
    const start = line.s ?? line.q;
    if (expected !== 0 && start !== expected) {
      throw new StoreError('CORRUPT', `${path} line ${lineNo}: journal sequence jumps from ${expected - 1} to ${line.q} at byte ${pos}`);
    }
    if (first === 0) first = start;
    expected = line.q + 1;
    onLine(line);
    last = line.q;
    pos = nl + 1;
    good = pos;
  }
  if (badAt >= 0) {
    // Tolerated only at the tail: everything after the bad spot must be unparseable too (a torn append).
    if (containsValidLine(buf.subarray(badAt))) {
      throw new StoreError('CORRUPT', `${path} line ${lineNo} (byte ${badAt}) is damaged (${why}) but later lines are intact; refusing to drop data`);
    }
    log.warn({ at: badAt, line: lineNo, why, bytes: buf.length - badAt }, 'journal ends with a torn write: cutting it off');
    await file.cut(good);
  }
  return { first, last };
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
