/**
 * How a line of an append-only journal is framed on disk, on either side (the cloud's store and event journal, the
 * controller's logs): `#<crc32 of the JSON, 8 hex digits> <JSON>`. A flipped byte that leaves the JSON valid fails
 * the checksum and counts as damage. Lines of releases without checksums start with `{` and are read as they are.
 */
import { crc32 } from 'node:zlib';

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
