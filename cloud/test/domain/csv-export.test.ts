import { parse } from 'csv-parse/sync';
import t from 'tap';
import { neutralizeCell, toCsv } from '../../src/domain/csv-export.ts';

t.test('every formula trigger at the start of a cell is neutralized; other cells are unchanged', async (t) => {
  for (const v of ['=1+1', '+1', '-1', '@A1', '\t=1', '\r=1']) t.equal(neutralizeCell(v), `'${v}`, JSON.stringify(v));
  for (const v of ['', 'TRK-1', '1-2', 'a=b', ' x', "'already"]) t.equal(neutralizeCell(v), v, JSON.stringify(v));
});

t.test('toCsv: RFC 4180 with CRLF and a header row; round-trips to the neutralized values', async (t) => {
  const csv = toCsv(['a', 'b'], [
    ['=SUM(A1:A2)', 'plain'],
    ['x, "y"\nz', '\t@cmd'],
    ['', '-5'],
  ]);
  t.ok(csv.startsWith('a,b\r\n'), 'header row, CRLF');
  t.match(csv, /"'=SUM\(A1:A2\)",plain\r\n/, 'neutralized and quoted');
  t.same(parse(csv, { columns: true }), [
    { a: "'=SUM(A1:A2)", b: 'plain' },
    { a: 'x, "y"\nz', b: "'\t@cmd" },
    { a: '', b: "'-5" },
  ]);
});
