/**
 * Lines of the append-only journals (the store's `journal.jsonl`, the controller event journal): how a line is
 * framed on disk, and how it is appended so that an acknowledged line is whole.
 *
 * - A line is `#<crc32 of the JSON, 8 hex digits> <JSON>\n`. A flipped byte that leaves the JSON valid (a locker
 *   number changed) fails the checksum and is treated like any other damage. Lines written by releases without
 *   checksums start with `{` and are read as they are.
 * - `write(2)` may write part of a buffer and report no error (a disk filling up); the next write then fails. An
 *   append therefore loops until every byte is written, or fails the commit.
 */
import { crc32 } from 'node:zlib';
import type { FileHandle } from 'node:fs/promises';

/** Frames one JSON text as a journal line (with its newline). */
export function frameLine(json: string): string {
  return `#${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

export type ParsedLine = { ok: true; value: unknown; checked: boolean } | { ok: false; why: string };

/** Reads one line (without its newline): a framed line whose checksum matches, or a legacy line of plain JSON. */
export function parseLine(text: string): ParsedLine {
  let json = text;
  let checked = false;
  if (text.startsWith('#')) {
    const m = /^#([0-9a-f]{8}) /.exec(text);
    if (!m) return { ok: false, why: 'bad checksum field' };
    json = text.slice(10);
    if (crc32(json).toString(16).padStart(8, '0') !== m[1]) return { ok: false, why: 'checksum mismatch' };
    checked = true;
  } else if (!text.startsWith('{')) {
    return { ok: false, why: 'not a journal line' };
  }
  try {
    return { ok: true, value: JSON.parse(json), checked };
  } catch {
    return { ok: false, why: 'not JSON' };
  }
}

/** A write that stored fewer bytes than asked and no error: the disk is full. */
export class ShortWriteError extends Error {
  override name = 'ShortWriteError';
  readonly code = 'ENOSPC';
  constructor(written: number, wanted: number) {
    super(`no space left on device: ${written} of ${wanted} bytes written`);
  }
}

/** Writes all of `data` at the end of `fh` (opened for appending), or throws; never returns after a partial write. */
export async function appendAll(fh: FileHandle, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off);
    if (bytesWritten <= 0) throw new ShortWriteError(off, data.length);
    off += bytesWritten;
  }
}
