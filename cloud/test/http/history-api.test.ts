/**
 * History over the API on a real port: the activity log page by page (`cursor` in, `nextCursor` out), the CSV
 * export streamed across pages, retention on the enterprise, and a person's erasure (route and `portier
 * erase-contact`), admins only.
 */
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp, PASSWORD } from './helpers.ts';

t.test('activity pages, the streamed CSV, retention and erasure', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const url = env('admin').PORTIER_URL!;
  const call = async (role: 'admin' | 'operator', method: string, path: string, body?: unknown, accept = 'application/json') => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ta.tokens[role]}`, accept, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, text: await res.text() };
  };
  const actor = { role: 'operator' as const, id: 'op' };
  for (let i = 0; i < 25; i++) {
    const r = await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: i % 2 ? 'c-rec' : 'c-ada' }, size: 'S', note: `n${i}` }, actor);
    await ta.service.endReservation(r.reservation.id, { reason: 'cancelled' }, actor);
    ta.clock.now += 3600_000;
  }
  // A day went by: new tokens.
  for (const role of ['admin', 'operator'] as const) ta.tokens[role] = (await ta.auth.login(role, PASSWORD, '127.0.0.1')).token;

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await call('operator', 'GET', `/activity?type=end&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
    t.equal(r.status, 200, r.text);
    const body = JSON.parse(r.text) as { activity: { id: string }[]; nextCursor?: string };
    seen.push(...body.activity.map((a) => a.id));
    cursor = body.nextCursor;
    pages++;
  } while (cursor);
  t.equal(pages, 3, 'three pages of at most ten');
  t.equal(new Set(seen).size, 25, 'every end once');
  t.equal((await call('operator', 'GET', '/activity?cursor=nope')).status, 400, 'a made-up cursor is refused');

  const csv = await call('operator', 'GET', '/activity?format=csv&type=end&limit=100000', undefined, 'text/csv');
  t.equal(csv.status, 200);
  t.equal((parse(csv.text, { columns: true }) as unknown[]).length, 25, 'the CSV holds every matching entry');

  t.equal((await call('operator', 'PATCH', '/enterprises/ent/history-retention', { historyRetentionDays: 1 })).status, 403, 'retention is for admins');
  const set = await call('admin', 'PATCH', '/enterprises/ent/history-retention', { historyRetentionDays: 1 });
  t.equal(set.status, 200, set.text);
  const ends = JSON.parse((await call('operator', 'GET', '/activity?type=end')).text) as { activity: unknown[] };
  t.ok(ends.activity.length === 24 || ends.activity.length === 25, `a day of history left (${ends.activity.length})`);
  t.equal((await call('admin', 'PATCH', '/enterprises/ent/history-retention', { historyRetentionDays: null })).status, 200, 'for ever again');

  t.equal((await call('operator', 'POST', '/contacts/c-rec/erase')).status, 403, 'erasure is for admins');
  const cli = cliIo({ ...env('admin'), PORTIER_TOKEN: ta.tokens.admin });
  t.equal(await runAdmin(['erase-contact', '--contact', 'c-rec'], cli), 0, cli.stderr);
  t.match(cli.stdout, /contact c-rec erased: \d+ ended reservations and \d+ activity entries now under \S+/);
  const contact = JSON.parse((await call('admin', 'GET', '/contacts/c-rec')).text) as { contact: { firstName: string; lastName: string; email?: string } };
  t.match(contact.contact, { firstName: '', lastName: 'Erased person' });
  t.equal(contact.contact.email, undefined, 'contact details gone');
  const erasures = JSON.parse((await call('operator', 'GET', '/activity?type=erasure')).text) as { activity: { detail: string }[] };
  t.equal(erasures.activity.length, 1, 'the erasure is in the activity');
  const byRec = JSON.parse((await call('operator', 'GET', '/activity?recipientId=c-rec')).text) as { activity: unknown[] };
  t.same(byRec.activity, [], 'no activity links the person any more');
});
