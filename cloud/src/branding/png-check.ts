/**
 * A PNG logo checked by its structure, not its name or declared type: the 8-byte signature, an IHDR chunk first with
 * dimensions within bounds, and an IEND chunk last. The image is not decoded: browsers and mail clients do that in
 * their own sandboxes; what matters here is that the file is what it claims and of a sensible size.
 */
export const MAX_PNG_SIDE = 4096;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The width and height of a well-formed PNG, or the reason it is refused. */
export function checkPng(data: Buffer): { width: number; height: number } | { problem: string } {
  if (data.length < 8 + 25 + 12 || !data.subarray(0, 8).equals(SIGNATURE)) return { problem: 'the file is not a PNG image (its first bytes are not the PNG signature)' };
  if (data.readUInt32BE(8) !== 13 || data.toString('latin1', 12, 16) !== 'IHDR') return { problem: 'the PNG image does not start with its header chunk (IHDR)' };
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  if (width < 1 || height < 1 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE) {
    return { problem: `the PNG image is ${width} × ${height} pixels; each side must be from 1 to ${MAX_PNG_SIDE}` };
  }
  // Walk the chunks: each length must fit in the file, and the last one must be IEND.
  let at = 8;
  let last = '';
  while (at + 12 <= data.length) {
    const length = data.readUInt32BE(at);
    last = data.toString('latin1', at + 4, at + 8);
    at += 12 + length;
    if (last === 'IEND') break;
  }
  if (last !== 'IEND' || at !== data.length) return { problem: 'the PNG image is truncated or has bytes after its end (IEND)' };
  return { width, height };
}
