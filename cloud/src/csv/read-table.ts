/**
 * The one reader of every CSV import of the cloud (contacts, locations, users): a file is checked whole and gives
 * either all its rows, parsed by the import's zod schema, or a report of every bad row; never a part of each.
 *
 * - Bytes: UTF-8 with or without a BOM; anything that is not UTF-8 is refused. The import's byte limit is checked
 *   before anything is parsed.
 * - Delimiter: comma, semicolon or tab, whichever occurs most often (outside quotes) in the header line; a comma
 *   when none does (a one-column file).
 * - Records: RFC 4180 (csv-parse), CRLF, LF or CR line ends, quoted fields may hold delimiters, quotes and line
 *   breaks. Lines holding only blanks are skipped.
 * - Line numbers are the file's: the header is line 1, and a record is named by the line it starts on, so a quoted
 *   field with line breaks makes the next record's line number jump by as many lines.
 * - Header: matched to the import's columns by name, ignoring case, blanks and a neutralizing quote; an unknown
 *   column, a repeated one, or a missing required one is reported (line 1, the column), unless the import takes
 *   extra columns (the contacts' custom fields by label).
 * - Cells: a cell an export neutralized (csv-export.ts) is restored first, then trimmed, so an export re-imports to the
 *   same data; an empty cell is absent. Each row goes through the import's schema (keyed by column name) and each
 *   issue becomes `{ line, column, problem }`. Columns the import marks unique are checked across rows.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { restoreCell } from '../domain/csv-export.ts';

import { CloudError } from '../errors.ts';

export interface ColumnSpec {
  /** The header's name of the column (as exports write it). */
  name: string;
  required?: boolean;
}

export interface TableSpec<T> {
  /** What is imported, for messages: "contacts". */
  what: string;
  columns: readonly ColumnSpec[];
  /** Parses one row: an object keyed by column name (canonical spelling), empty cells left out. */
  row: z.ZodType<T>;
  /** The file is refused above this many bytes, before it is parsed. */
  maxBytes: number;
  /** Columns whose values must differ between rows (compared ignoring case), and the problem a repeat is. */
  unique?: readonly { column: string; problem: string }[];
  /**
   * Whether columns beyond `columns` are taken (their cells under `extra` of the row object, keyed by the header's
   * spelling) rather than reported; at most this many of them.
   */
  maxExtraColumns?: number;
}

export interface RowProblem {
  /** The file's line where the record starts; the header is line 1. */
  line: number;
  /** The column at fault (its header name), when one is. */
  column?: string;
  problem: string;
}

export interface TableRow<T> {
  line: number;
  value: T;
}

export type TableResult<T> =
  | {
      ok: false;
      problems: RowProblem[];
      /** The rows without a problem of their own, for checks of the import's own (each bad row is reported at once). */
      rows: TableRow<T>[];
    }
  | {
      ok: true;
      rows: TableRow<T>[];
      delimiter: Delimiter;
      /** The header's columns: known ones by their canonical name, then extra ones as spelled. */
      columns: string[];
      extraColumns: string[];
    };

/** A file over the import's byte limit: refused before parsing. */
export class TableTooLarge extends CloudError<'TOO_LARGE'> {
  override name = 'TableTooLarge';
  constructor(
    readonly what: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super('TOO_LARGE', `the ${what} file is ${bytes} bytes, over the limit of ${maxBytes} bytes (${formatBytes(maxBytes)})`);
  }
}

export type Delimiter = ',' | ';' | '\t';
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB` : `${Math.ceil(n / 1024)} kB`;
}

/**
 * Reads `input` (bytes, or text already decoded) as the table `spec` describes; `delimiter`, when given, is used
 * instead of the one the header suggests (a file whose sender says which). Throws TableTooLarge only.
 */
export function readTable<T>(spec: TableSpec<T>, input: Uint8Array | string, delimiter?: Delimiter): TableResult<T> {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (bytes > spec.maxBytes) throw new TableTooLarge(spec.what, bytes, spec.maxBytes);
  let text: string;
  if (typeof input === 'string') text = input.replace(/^\uFEFF/, '');
  else {
    try {
      // The decoder drops a leading BOM.
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { ok: false, problems: [{ line: 1, problem: 'the file is not UTF-8 text' }], rows: [] };
    }
  }
  const spans = recordSpans(text);
  if (spans.unclosedQuoteLine !== undefined)
    return { ok: false, problems: [{ line: spans.unclosedQuoteLine, problem: 'a quoted field opened in this record is never closed' }], rows: [] };
  delimiter ??= detectDelimiter(spans.headerText);
  let records: string[][];
  try {
    records = parse(text, { delimiter, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    // csv-parse counts a CRLF inside a broken quoted field as two lines: never name a line past the file's last.
    const last = 1 + (text.match(/\r\n|\n|\r/g) ?? []).length;
    const line = Math.min(last, typeof (err as { lines?: unknown }).lines === 'number' ? (err as { lines: number }).lines : 1);
    return { ok: false, problems: [{ line, problem: `not valid CSV: ${(err as Error).message}` }], rows: [] };
  }
  // The span scanner and csv-parse split records by the same rule; should they ever disagree, line numbers would lie.
  if (records.length !== spans.startLines.length) throw new Error(`CSV reader: ${records.length} records parsed but ${spans.startLines.length} found`);
  const lines = spans.startLines;
  const first = records.findIndex((r) => !isBlank(r));
  if (first < 0) return { ok: false, problems: [{ line: 1, problem: 'the file is empty: a header row is expected' }], rows: [] };
  const header = matchHeader(spec, records[first]!, lines[first]!);
  if (!header.ok) return { ok: false, problems: header.problems, rows: [] };
  const problems: RowProblem[] = [];
  const rows: TableRow<T>[] = [];
  const seen = (spec.unique ?? []).map(() => new Map<string, number>());
  for (let i = first + 1; i < records.length; i++) {
    const rec = records[i]!;
    if (isBlank(rec)) continue;
    const line = lines[i]!;
    const rowProblems = readRow(spec, header.columns, rec, line, seen);
    if (rowProblems.problems.length > 0) problems.push(...rowProblems.problems);
    else rows.push({ line, value: rowProblems.value as T });
  }
  if (problems.length > 0) return { ok: false, problems, rows };
  const named = header.columns.filter((c): c is HeaderColumn => c !== undefined);
  return { ok: true, rows, delimiter, columns: named.filter((c) => !c.extra).map((c) => c.name), extraColumns: named.filter((c) => c.extra).map((c) => c.name) };
}

/** A cell's value: an export's neutralizing quote dropped, then trimmed. */
function cellValue(raw: string): string {
  return restoreCell(raw).trim();
}

function isBlank(rec: readonly string[]): boolean {
  return rec.every((c) => cellValue(c) === '');
}

interface Spans {
  /** The line each record starts on, one per record csv-parse gives. */
  startLines: number[];
  headerText: string;
  unclosedQuoteLine?: number;
}

/**
 * Where each record starts. A line break outside quotes ends a record; a double quote toggles "inside quotes" (a
 * doubled quote inside a quoted field toggles twice). In valid CSV a quote stands only at the start or end of a
 * field or doubled inside one (csv-parse refuses anything else), so this splits exactly where csv-parse does.
 */
function recordSpans(text: string): Spans {
  const startLines: number[] = [];
  let line = 1;
  let start = 0;
  let recordLine = 1;
  let quoted = false;
  let headerEnd = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) quoted = !quoted;
    else if (ch === 10 || ch === 13) {
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      if (!quoted) {
        startLines.push(recordLine);
        if (headerEnd < 0 && text.slice(start, i).trim() !== '') headerEnd = i;
        start = i + 1;
        recordLine = line + 1;
      }
      line++;
    }
  }
  if (quoted) return { startLines, headerText: '', unclosedQuoteLine: recordLine };
  if (start < text.length) {
    startLines.push(recordLine);
    if (headerEnd < 0) headerEnd = text.length;
  }
  const headerText = headerEnd < 0 ? '' : text.slice(0, headerEnd);
  return { startLines, headerText };
}

/** The delimiter occurring most often outside quotes in the header line; a comma on a tie or when none does. */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** A header as the reader matches it to a column: no case, no blanks. */
export function headerKey(name: string): string {
  return cellValue(name).replace(/\s+/g, '').toLowerCase();
}

interface HeaderColumn {
  /** Canonical name, or the header's spelling of an extra column. */
  name: string;
  extra: boolean;
}

function matchHeader<T>(spec: TableSpec<T>, cells: readonly string[], line: number): { ok: true; columns: (HeaderColumn | undefined)[] } | { ok: false; problems: RowProblem[] } {
  const byKey = new Map(spec.columns.map((c) => [headerKey(c.name), c]));
  const problems: RowProblem[] = [];
  const taken = new Set<string>();
  let extras = 0;
  const columns = cells.map((cell, i): HeaderColumn | undefined => {
    const label = cellValue(cell);
    if (label === '') {
      // A trailing empty header cell (a spreadsheet's stray delimiter) is ignored; an empty one between names is not.
      if (cells.slice(i).every((c) => cellValue(c) === '')) return undefined;
      problems.push({ line, column: `#${i + 1}`, problem: 'a column without a name' });
      return undefined;
    }
    const key = headerKey(label);
    if (taken.has(key)) {
      problems.push({ line, column: label, problem: 'this column appears twice in the header' });
      return undefined;
    }
    taken.add(key);
    const known = byKey.get(key);
    if (known) return { name: known.name, extra: false };
    if (spec.maxExtraColumns !== undefined && extras < spec.maxExtraColumns) {
      extras++;
      if (label.length > 64) problems.push({ line, column: label.slice(0, 64), problem: 'a column name is at most 64 characters' });
      return { name: label, extra: true };
    }
    problems.push({
      line,
      column: label,
      problem:
        spec.maxExtraColumns !== undefined
          ? `too many extra columns (at most ${spec.maxExtraColumns})`
          : `unknown column; the ${spec.what} columns are ${spec.columns.map((c) => c.name).join(', ')}`,
    });
    return undefined;
  });
  for (const c of spec.columns) if (c.required && !taken.has(headerKey(c.name))) problems.push({ line, column: c.name, problem: 'required column missing from the header' });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, columns };
}

function readRow<T>(
  spec: TableSpec<T>,
  columns: readonly (HeaderColumn | undefined)[],
  rec: readonly string[],
  line: number,
  seen: Map<string, number>[],
): { problems: RowProblem[]; value?: T } {
  const problems: RowProblem[] = [];
  const obj: Record<string, unknown> = {};
  const extra: Record<string, string> = {};
  rec.forEach((raw, i) => {
    const value = cellValue(raw);
    const col = columns[i];
    if (!col) {
      if (value !== '' && i >= columns.length) problems.push({ line, column: `#${i + 1}`, problem: `a value beyond the ${columns.length} columns of the header` });
      return;
    }
    if (value === '') return;
    if (col.extra) extra[col.name] = value;
    else obj[col.name] = value;
  });
  if (spec.maxExtraColumns !== undefined) obj.extra = extra;
  (spec.unique ?? []).forEach((u, k) => {
    const v = obj[u.column];
    if (typeof v !== 'string') return;
    const key = v.toLowerCase();
    const firstLine = seen[k]!.get(key);
    if (firstLine === undefined) seen[k]!.set(key, line);
    else problems.push({ line, column: u.column, problem: `${u.problem} (also on line ${firstLine})` });
  });
  const r = spec.row.safeParse(obj);
  if (r.success) return { problems, value: r.data };
  for (const issue of r.error.issues) {
    const column = typeof issue.path[0] === 'string' ? (issue.path[0] === 'extra' && typeof issue.path[1] === 'string' ? issue.path[1] : issue.path[0]) : undefined;
    const problem = issue.code === 'invalid_type' && obj[column ?? ''] === undefined ? 'required' : issue.message;
    problems.push({ line, ...(column !== undefined ? { column } : {}), problem });
  }
  return { problems };
}

/** "yes"/"no" cells (any case); absent means no. */
export const yesNoCell = z
  .string()
  .regex(/^(yes|no)$/i, 'must be yes or no')
  .transform((s) => s.toLowerCase() === 'yes')
  .optional()
  .transform((b) => b ?? false);

export function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}
