/**
 * Appending to the cloud's journals (the store's `journal.jsonl`, the controller event journal) so that an
 * acknowledged line is whole. Lines are framed with a checksum by `frameLine` of @portier/protocol.
 *
 * `write(2)` may write part of a buffer and report no error (a disk filling up); the next write then fails. An
 * append therefore loops until every byte is written, or fails the commit.
 */
import type { FileHandle } from 'node:fs/promises';

export { frameLine, parseLine, type ParsedLine } from '@portier/protocol';

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
