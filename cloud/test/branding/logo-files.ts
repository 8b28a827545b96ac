// Small logo files made in the test: a well-formed PNG of any size (chunks with their CRCs), and SVGs good and bad.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A PNG of `width` × `height` pixels of one colour (RGB); `rows` false writes only the header (a lying file). */
export function pngOf(width: number, height: number, rgb: [number, number, number] = [0, 64, 128]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const w = Math.min(width, 64);
  const h = Math.min(height, 64);
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(rgb, y * (w * 3 + 1) + 1 + x * 3);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export const GOOD_SVG = '<?xml version="1.0" encoding="UTF-8"?>\n<!-- Acme -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" role="img" aria-label="Acme"><title>Acme &amp; Co</title><defs><linearGradient id="g"><stop offset="0" stop-color="#004080"/></linearGradient></defs><rect width="120" height="40" fill="url(#g)"/><text x="10" y="28" fill="#fff" style="font-weight:bold">Acme</text></svg>';

/** SVGs that must be refused, with what the refusal must name. */
export const BAD_SVGS: [string, string, RegExp][] = [
  ['a script element', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', /element <script>/],
  ['an event handler', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>', /event-handler attribute onload/],
  ['an external href', '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="https://evil.example/x.svg#a"/></svg>', /xlink:href.*outside the file/],
  ['a javascript: href', '<svg xmlns="http://www.w3.org/2000/svg"><use href="javascript:alert(1)"/></svg>', /href.*outside the file/],
  ['a DOCTYPE with entities', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>', /DOCTYPE/],
  ['an external entity reference', '<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>', /entity &xxe;/],
  ['a foreignObject', '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject></svg>', /element <foreignObject>/],
  ['an external url() in style', '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/track)" width="1" height="1"/></svg>', /url\(https:\/\/evil\.example\/track\)/],
  ['@import in a style element', '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);</style></svg>', /@import/],
  ['@font-face in a style element', '<svg xmlns="http://www.w3.org/2000/svg"><style>@font-face{font-family:x;src:local(x)}</style></svg>', /@font-face is not allowed/],
  ['image-set() in a style attribute', '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:image-set(\'https://evil.example/a.png\' 1x)" width="1" height="1"/></svg>', /image-set\(\) is not allowed/],
  ['a processing instruction', '<svg xmlns="http://www.w3.org/2000/svg"><?xml-stylesheet href="https://evil.example/a.css"?></svg>', /processing instruction/],
  ['a CDATA section', '<svg xmlns="http://www.w3.org/2000/svg"><style><![CDATA[rect{}]]></style></svg>', /CDATA/],
  ['an image element', '<svg xmlns="http://www.w3.org/2000/svg"><image href="#a"/></svg>', /element <image>/],
  ['an unclosed element', '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', /does not match/],
  ['another root', '<html><svg/></html>', /root element is <html>/],
  ['an unquoted attribute', '<svg xmlns="http://www.w3.org/2000/svg" width=10></svg>', /not quoted/],
];
