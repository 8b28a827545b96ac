/**
 * An SVG logo checked strictly and written out again from what was checked.
 *
 * A logo is drawn by browsers and mail clients, where an SVG could run script, load other resources or blow up a
 * parser. Rather than strip what looks dangerous (a deny-list that a new trick gets past), the file is parsed by a
 * small strict XML reader (well-formed elements, quoted attributes, the five predefined entities and character
 * references only) and refused, naming the element or attribute, unless every element and attribute is on an
 * allow-list of plain drawing. No DOCTYPE (entity expansion, XXE), no processing instruction but the XML
 * declaration, no CDATA, no script, foreignObject, event handler (on*), no href but to a fragment of the same file,
 * no url() but to a fragment, no @import. What is stored is the re-serialisation of the parsed tree, so bytes the
 * reader did not understand cannot reach a browser. The public route also serves every SVG under a CSP sandbox.
 */
import { CloudError } from '../errors.ts';

export const MAX_SVG_DEPTH = 64;
export const MAX_SVG_ELEMENTS = 10_000;

const ELEMENTS = new Set([
  'svg', 'g', 'defs', 'symbol', 'use', 'title', 'desc', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon',
  'text', 'tspan', 'linearGradient', 'radialGradient', 'stop', 'clipPath', 'mask', 'style',
]);

const ATTRIBUTES = new Set([
  'id', 'class', 'style', 'xmlns', 'xmlns:xlink', 'version', 'viewBox', 'preserveAspectRatio', 'width', 'height', 'x', 'y',
  'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'fx', 'fy', 'fr', 'd', 'points', 'transform', 'fill', 'fill-opacity',
  'fill-rule', 'stroke', 'stroke-width', 'stroke-linecap', 'stroke-linejoin', 'stroke-miterlimit', 'stroke-dasharray',
  'stroke-dashoffset', 'stroke-opacity', 'opacity', 'clip-path', 'clip-rule', 'clipPathUnits', 'mask', 'maskUnits',
  'maskContentUnits', 'offset', 'stop-color', 'stop-opacity', 'gradientUnits', 'gradientTransform', 'spreadMethod',
  'href', 'xlink:href', 'font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline',
  'letter-spacing', 'dx', 'dy', 'display', 'visibility', 'xml:space', 'role', 'aria-label', 'aria-hidden', 'focusable',
  'type', 'media', 'color', 'vector-effect', 'paint-order',
]);

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

interface SvgElement {
  name: string;
  attributes: [string, string][];
  children: (SvgElement | string)[];
}

export class SvgRefused extends CloudError<'SVG_REFUSED'> {
  override name = 'SvgRefused';
  constructor(message: string) {
    super('SVG_REFUSED', message);
  }
}

/** CSS text (a style attribute or element) that could fetch or run something, described; undefined when plain. */
function cssProblem(css: string, where: string): string | undefined {
  const lower = css.toLowerCase().replace(/\\/g, '');
  if (lower.includes('@import')) return `${where}: @import is not allowed`;
  // Other at-rules can load files (@font-face) or change how the rest reads (@namespace); a logo needs @media at most.
  const at = /@(?!media\b)([a-z-]+)/.exec(lower);
  if (at) return `${where}: @${at[1]} is not allowed`;
  // image-set() takes a bare address without url().
  if (/image-set\s*\(/.test(lower)) return `${where}: image-set() is not allowed`;
  if (/expression\s*\(|javascript:|behavior\s*:|-moz-binding/.test(lower)) return `${where}: script in CSS is not allowed`;
  for (const m of lower.matchAll(/url\s*\(\s*(['"]?)([^)'"]*)\1\s*\)/g)) {
    if (!m[2]!.trim().startsWith('#')) return `${where}: url(${m[2]}) points outside the file; only url(#id) is allowed`;
  }
  if (/url\s*\(/.test(lower) && !/url\s*\(\s*['"]?#/.test(lower)) return `${where}: url() must point inside the file (#id)`;
  return undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(raw: string, where: string): string {
  return raw.replace(/&([^;&\s]*);?/g, (all, name: string) => {
    if (!all.endsWith(';')) throw new SvgRefused(`${where}: a bare "&" (write &amp;)`);
    if (ENTITIES[name]) return ENTITIES[name];
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]{1,7}$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
    if (!Number.isInteger(code) || code < 0x20 && ![0x9, 0xa, 0xd].includes(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new SvgRefused(`${where}: the entity &${name}; is not allowed (only &amp; &lt; &gt; &quot; &apos; and character references)`);
    }
    return String.fromCodePoint(code);
  });
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;

/** Parses `text` strictly into one root element; throws SvgRefused with the reason. */
function parse(text: string): SvgElement {
  let at = 0;
  let count = 0;
  const stack: SvgElement[] = [];
  let root: SvgElement | undefined;
  const skipSpace = (): void => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  if (text.startsWith('\ufeff')) at = 1;
  if (text.startsWith('<?xml', at)) {
    const end = text.indexOf('?>', at);
    if (end < 0) throw new SvgRefused('the XML declaration is not closed');
    at = end + 2;
  }
  while (at < text.length) {
    const lt = text.indexOf('<', at);
    const chunk = lt < 0 ? text.slice(at) : text.slice(at, lt);
    if (chunk.length > 0) {
      const top = stack[stack.length - 1];
      if (!top) {
        if (chunk.trim() !== '') throw new SvgRefused('text outside the root element');
      } else top.children.push(decodeText(chunk, `text in <${top.name}>`));
    }
    if (lt < 0) break;
    at = lt;
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end < 0) throw new SvgRefused('a comment is not closed');
      at = end + 3;
      continue;
    }
    if (text.startsWith('<!DOCTYPE', at) || text.startsWith('<!doctype', at)) throw new SvgRefused('a DOCTYPE is not allowed (entities could expand or fetch)');
    if (text.startsWith('<![CDATA[', at)) throw new SvgRefused('a CDATA section is not allowed');
    if (text.startsWith('<!', at)) throw new SvgRefused('a markup declaration (<!...>) is not allowed');
    if (text.startsWith('<?', at)) throw new SvgRefused('a processing instruction is not allowed');
    if (text.startsWith('</', at)) {
      at += 2;
      const m = NAME.exec(text.slice(at));
      const top = stack.pop();
      if (!m || !top || m[0] !== top.name) throw new SvgRefused(`a closing tag </${m?.[0] ?? ''}> does not match ${top ? `<${top.name}>` : 'any open element'}`);
      at += m[0].length;
      skipSpace();
      if (text[at] !== '>') throw new SvgRefused(`the closing tag </${top.name}> is malformed`);
      at++;
      continue;
    }
    at++;
    const m = NAME.exec(text.slice(at));
    if (!m) throw new SvgRefused('a "<" that starts no element (write &lt;)');
    const el: SvgElement = { name: m[0], attributes: [], children: [] };
    at += m[0].length;
    if (++count > MAX_SVG_ELEMENTS) throw new SvgRefused(`more than ${MAX_SVG_ELEMENTS} elements`);
    if (root && stack.length === 0) throw new SvgRefused('more than one root element');
    for (;;) {
      const before = at;
      skipSpace();
      if (text.startsWith('/>', at) || text[at] === '>') break;
      if (at === before) throw new SvgRefused(`attributes of <${el.name}> must be separated by spaces`);
      const a = NAME.exec(text.slice(at));
      if (!a) throw new SvgRefused(`a malformed attribute in <${el.name}>`);
      at += a[0].length;
      skipSpace();
      if (text[at] !== '=') throw new SvgRefused(`the attribute ${a[0]} of <${el.name}> has no value`);
      at++;
      skipSpace();
      const q = text[at];
      if (q !== '"' && q !== "'") throw new SvgRefused(`the value of ${a[0]} in <${el.name}> is not quoted`);
      const end = text.indexOf(q, at + 1);
      if (end < 0) throw new SvgRefused(`the value of ${a[0]} in <${el.name}> is not closed`);
      const raw = text.slice(at + 1, end);
      if (raw.includes('<')) throw new SvgRefused(`the value of ${a[0]} in <${el.name}> contains "<"`);
      if (el.attributes.some(([n]) => n === a[0])) throw new SvgRefused(`the attribute ${a[0]} appears twice in <${el.name}>`);
      el.attributes.push([a[0], decodeText(raw, `the attribute ${a[0]} of <${el.name}>`)]);
      at = end + 1;
    }
    const selfClosing = text.startsWith('/>', at);
    at += selfClosing ? 2 : 1;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    if (!selfClosing) {
      stack.push(el);
      if (stack.length > MAX_SVG_DEPTH) throw new SvgRefused(`elements nested more than ${MAX_SVG_DEPTH} deep`);
    }
  }
  if (stack.length > 0) throw new SvgRefused(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) throw new SvgRefused('the file has no root element');
  return root;
}

/** Checks every element and attribute against the allow-lists; throws SvgRefused naming the first one refused. */
function check(el: SvgElement, isRoot: boolean): void {
  if (isRoot && el.name !== 'svg') throw new SvgRefused(`the root element is <${el.name}>, not <svg>`);
  if (!ELEMENTS.has(el.name)) throw new SvgRefused(`the element <${el.name}> is not allowed in a logo`);
  for (const [name, value] of el.attributes) {
    if (/^on/i.test(name)) throw new SvgRefused(`the event-handler attribute ${name} of <${el.name}> is not allowed`);
    if (!ATTRIBUTES.has(name)) throw new SvgRefused(`the attribute ${name} of <${el.name}> is not allowed in a logo`);
    if (name === 'xmlns' && value !== SVG_NS) throw new SvgRefused(`xmlns of <${el.name}> must be ${SVG_NS}`);
    if (name === 'xmlns:xlink' && value !== XLINK_NS) throw new SvgRefused(`xmlns:xlink of <${el.name}> must be ${XLINK_NS}`);
    if ((name === 'href' || name === 'xlink:href') && !/^#[A-Za-z_][\w.:-]*$/.test(value.trim())) {
      throw new SvgRefused(`the attribute ${name}="${value.slice(0, 80)}" of <${el.name}> points outside the file; only #id is allowed`);
    }
    const problem = cssProblem(value, `the attribute ${name} of <${el.name}>`);
    if (problem) throw new SvgRefused(problem);
  }
  for (const c of el.children) {
    if (typeof c === 'string') {
      if (el.name === 'style') {
        const problem = cssProblem(c, 'the <style> element');
        if (problem) throw new SvgRefused(problem);
      }
      continue;
    }
    if (el.name === 'style') throw new SvgRefused('the <style> element holds text only');
    check(c, false);
  }
}

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, '&quot;');

function serialise(el: SvgElement): string {
  const attrs = el.attributes.map(([n, v]) => ` ${n}="${escapeAttr(v)}"`).join('');
  if (el.children.length === 0) return `<${el.name}${attrs}/>`;
  return `<${el.name}${attrs}>${el.children.map((c) => (typeof c === 'string' ? escapeText(c) : serialise(c))).join('')}</${el.name}>`;
}

/** The SVG re-serialised from what was checked, or the reason it is refused. */
export function checkSvg(data: Buffer): { svg: Buffer } | { problem: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return { problem: 'the SVG file is not UTF-8 text' };
  }
  try {
    const root = parse(text);
    check(root, true);
    if (!root.attributes.some(([n]) => n === 'xmlns')) root.attributes.unshift(['xmlns', SVG_NS]);
    return { svg: Buffer.from(serialise(root), 'utf8') };
  } catch (err) {
    if (err instanceof SvgRefused) return { problem: `the SVG file is refused: ${err.message}` };
    throw err;
  }
}
