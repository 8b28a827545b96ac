/**
 * Appending to the cloud's journals (the store's `journal.jsonl`, the controller event journal) so that an
 * acknowledged line is whole. Lines are framed with a checksum by `frameLine` of @portier/protocol.
 *
 * `write(2)` may write part of a buffer and report no error (a disk filling up); the next write then fails. An
 * append therefore loops until every byte is written, or fails the commit (`writeAll` of @portier/durable).
 */
export { frameLine, parseLine, type ParsedLine } from '@portier/protocol';
export { ShortWriteError, writeAll as appendAll } from '@portier/durable';
