/**
 * The console's files: htmx (the pinned 2.x release from node_modules), the style sheet and the console's script.
 * Each is served under a name that holds its content hash, so a browser keeps it for a year and a new release is a
 * new name; gzip when the browser takes it. Nothing comes from another site.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { CONSOLE_CSS } from './console-css.ts';
import { CONSOLE_JS } from './console-js.ts';

export interface Asset {
  /** The name it is served under (with its hash). */
  name: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
}

function asset(base: string, ext: string, type: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { name: `${base}-${hash}.${ext}`, type, body, gzip: gzipSync(body, { level: 9 }) };
}

/** A locker door with its handle: the tab's icon (without one, every browser asks for /favicon.ico). */
const ICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="4" y="2" width="24" height="28" rx="3" fill="#0b2f5c"/><rect x="8" y="6" width="16" height="20" rx="1" fill="#fff"/><rect x="19" y="14" width="3" height="6" rx="1" fill="#0b2f5c"/></svg>';

export interface ConsoleAssets {
  icon: Asset;
  htmx: Asset;
  css: Asset;
  js: Asset;
  /** By served name. */
  byName: ReadonlyMap<string, Asset>;
}

let loaded: ConsoleAssets | undefined;

/** The assets, read and compressed once per process. */
export function consoleAssets(): ConsoleAssets {
  if (loaded) return loaded;
  const htmxPath = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
  const htmx = asset('htmx', 'js', 'text/javascript; charset=utf-8', readFileSync(htmxPath));
  const css = asset('console', 'css', 'text/css; charset=utf-8', Buffer.from(CONSOLE_CSS, 'utf8'));
  const js = asset('console', 'js', 'text/javascript; charset=utf-8', Buffer.from(CONSOLE_JS, 'utf8'));
  const icon = asset('icon', 'svg', 'image/svg+xml', Buffer.from(ICON_SVG, 'utf8'));
  loaded = { icon, htmx, css, js, byName: new Map([icon, htmx, css, js].map((a) => [a.name, a])) };
  return loaded;
}

/** The JavaScript a console page loads, gzipped, in bytes (htmx and the console's script). */
export function consoleJsGzipBytes(): number {
  const a = consoleAssets();
  return a.htmx.gzip.length + a.js.gzip.length;
}
