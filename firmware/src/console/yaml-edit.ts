import { isDeepStrictEqual } from 'node:util';
import { isCollection, isMap, isScalar, parseDocument, stringify, type Document, type ToStringOptions } from 'yaml';

/**
 * Sets one value in a YAML text the way a technician would edit it by hand: everything else in the file stays as
 * it was, byte for byte (indentation, comments and their columns, quoting, blank lines, long lines). A value that
 * is already there (a plain value, or a list or map written on one line) is replaced where it stands; a new setting of a section of plain values is added as the
 * section's last line, indented like its siblings. Any other change (a new section, a list, a value inside a flow
 * collection that needs quoting) is made with yaml's Document API and printed in the layout the file uses
 * (indentation, list indentation, no folding of long lines), which keeps the comments too. Each result is
 * parsed again and must hold exactly the intended data, or the next way is used.
 */
export function setYamlValue(text: string, path: ReadonlyArray<string | number>, value: unknown): string {
  const doc = parseDocument(text);
  const wanted = doc.clone();
  wanted.setIn(path, value);
  const expected: unknown = wanted.toJS();
  const holds = (candidate: string | undefined): candidate is string => {
    if (candidate === undefined) return false;
    const d = parseDocument(candidate);
    return d.errors.length === 0 && isDeepStrictEqual(d.toJS(), expected);
  };
  const inPlace = replaceScalar(text, doc, path, value) ?? appendToSection(text, doc, path, value);
  if (holds(inPlace)) return inPlace;
  return wanted.toString(layoutOf(text));
}

/** A scalar rendered on one line, in the quoting style of the value it replaces. */
function renderScalar(value: unknown, like?: string | undefined): string | undefined {
  if (value !== null && typeof value === 'object') return undefined;
  if (value === undefined) return undefined;
  const opts: ToStringOptions = { lineWidth: 0, minContentWidth: 0 };
  if (typeof value === 'string' && (like === 'QUOTE_SINGLE' || like === 'QUOTE_DOUBLE')) opts.defaultStringType = like;
  const s = stringify(value, opts).replace(/\n$/, '');
  return s.includes('\n') ? undefined : s;
}

function replaceScalar(text: string, doc: Document, path: ReadonlyArray<string | number>, value: unknown): string | undefined {
  const node = doc.getIn(path, true);
  if (isCollection(node) && node.flow && node.range && value !== null && typeof value === 'object') {
    // `[1, 2]` written on one line stays on one line.
    const padded = layoutOf(text).flowCollectionPadding ?? true;
    const flow = stringify(value, { collectionStyle: 'flow', flowCollectionPadding: padded, lineWidth: 0, minContentWidth: 0 }).replace(/\n$/, '');
    return flow.includes('\n') ? undefined : `${text.slice(0, node.range[0])}${flow}${text.slice(node.range[1])}`;
  }
  if (!isScalar(node) || !node.range || node.anchor || node.tag) return undefined;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') return undefined;
  const rendered = renderScalar(value, node.type);
  if (rendered === undefined) return undefined;
  return `${text.slice(0, node.range[0])}${rendered}${text.slice(node.range[1])}`;
}

function appendToSection(text: string, doc: Document, path: ReadonlyArray<string | number>, value: unknown): string | undefined {
  const key = path.at(-1);
  if (typeof key !== 'string' || doc.getIn(path) !== undefined) return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent) || parent.flow || parent.items.length === 0) return undefined;
  const last = parent.items.at(-1)!;
  if (!isScalar(last.key) || !last.key.range || !isScalar(last.value) || !last.value.range) return undefined;
  const k = renderScalar(key);
  const v = renderScalar(value);
  if (k === undefined || v === undefined) return undefined;
  const keyStart = last.key.range[0];
  const indent = text.slice(text.lastIndexOf('\n', keyStart - 1) + 1, keyStart);
  if (!/^ *$/.test(indent)) return undefined;
  const lineEnd = text.indexOf('\n', last.value.range[1]);
  // The new line ends like the file's lines do (CR LF in a file edited on Windows).
  const crlf = lineEnd > 0 && text[lineEnd - 1] === '\r';
  const at = lineEnd === -1 ? text.length : crlf ? lineEnd - 1 : lineEnd;
  return `${text.slice(0, at)}${crlf ? '\r\n' : '\n'}${indent}${k}: ${v}${text.slice(at)}`;
}

/** The printing options that match the file's own layout. */
export function layoutOf(text: string): ToStringOptions {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  let indent = 0;
  let indentSeq: boolean | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = /^( *)(\S)/.exec(lines[i]!);
    if (!m) continue;
    const here = m[1]!.length;
    const next = /^( *)(- |-$)?/.exec(lines[i + 1] ?? '');
    if (!/:\s*(#.*)?$/.test(lines[i]!) || !next) continue;
    const deeper = next[1]!.length - here;
    if (next[2]) {
      indentSeq ??= deeper > 0;
    } else if (deeper > 0 && (indent === 0 || deeper < indent)) {
      indent = deeper;
    }
  }
  return {
    indent: indent > 0 && indent <= 8 ? indent : 2,
    indentSeq: indentSeq ?? true,
    lineWidth: 0,
    minContentWidth: 0,
    flowCollectionPadding: !/[{[][^\s\]}]/.test(text.replace(/#.*$/gm, '')),
  };
}
