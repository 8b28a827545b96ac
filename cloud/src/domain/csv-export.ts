/**
 * The one way the cloud writes CSV: every export (the activity log today, any other table tomorrow) goes through
 * `toCsv`, so no export can hand a spreadsheet a cell it would run as a formula.
 *
 * - A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return (the OWASP list of formula triggers) is
 *   written with a single quote in front: a spreadsheet shows it as text, and a reader still sees the value.
 *   Such a cell is also quoted, as OWASP advises. A cell that already starts with quotes before a trigger gets one
 *   more, so `restoreCell` (what the imports apply) gives back exactly the value exported.
 * - RFC 4180: CRLF record ends, a header row, a field with a comma, a double quote, CR or LF quoted, and its double
 *   quotes doubled.
 */
import { stringify, type Options } from 'csv-stringify/sync';

const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALIZED = /^'+[=+\-@\t\r]/;

/** `value` as a spreadsheet must read it: text, never a formula. */
export function neutralizeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The value `neutralizeCell` was given: one quote in front of a (quoted) formula trigger dropped. */
export function restoreCell(cell: string): string {
  return NEUTRALIZED.test(cell) ? cell.slice(1) : cell;
}

const OPTIONS: Options = {
  record_delimiter: 'windows',
  // A neutralized cell: quoted as well. So is any cell with a CR or LF: csv-stringify quotes only the record
  // delimiter (CRLF), and a lone LF or CR left bare would end the record for every reader.
  quoted_match: [NEUTRALIZED, /[\r\n]/],
};

/** RFC 4180 CSV of `rows` under a header row of `columns`, every cell neutralized. */
export function toCsv(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  return csvHeader(columns) + csvRows(rows);
}

/** The header row alone, and rows alone: a large export is written as a header and then its rows in chunks. */
export function csvHeader(columns: readonly string[]): string {
  return stringify([columns.map(neutralizeCell)], OPTIONS);
}
export function csvRows(rows: readonly (readonly string[])[]): string {
  return rows.length === 0 ? '' : stringify(rows.map((r) => r.map(neutralizeCell)), OPTIONS);
}
