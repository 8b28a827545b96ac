// The activity and reports screens as pages: filters, paging, the CSV export of exactly what is filtered, the reports'
// figures, and what a location-scoped operator and a role without `reports` see.
import t, { type Test } from 'tap';
import sinon from 'sinon';
import { parse } from 'csv-parse/sync';
import { consoleApp, PASSWORD, type ConsoleApp } from './helpers.ts';

const H = 3600_000;
/** 09:00 on 1 December 2026 in the server's time zone; the second day starts 24 h later. */
const T0 = new Date(2026, 11, 1, 9, 0).getTime();
const seed = { role: 'admin' as const, id: 'seed' };

interface World {
  c: ConsoleApp;
  admin: string;
  op: string;
  viewer: string;
  reader: string;
}

/**
 * Bea's parcel in the lobby (reserved and dropped off on day 1, picked up 24 h later on day 2), Cy's in the annex
 * (day 2, still there), and 60 remote opens of lobby locker 8 on day 2.
 */
async function world(t: Test): Promise<World> {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const c = await consoleApp(t);
  const s = c.service;
  await s.createContact({ id: 'bea', enterpriseId: 'ent', firstName: 'Bea', lastName: 'Brown', email: 'bea@example.com', language: 'en' }, seed);
  await s.createContact({ id: 'cy', enterpriseId: 'ent', firstName: 'Cy', lastName: 'Chen', email: 'cy@example.com', language: 'en', locationId: 'loc2' }, seed);
  const bea = await s.reserve({ bankId: 'lobby', kind: 'package', recipient: { type: 'contact', id: 'bea' }, size: 'S', trackingId: 'TRK-BEA' }, seed);
  clock.tick(H);
  const dropped = await s.dropOff({ reservationId: bea.reservation.id }, { role: 'carrier', id: 'ups' });
  clock.tick(24 * H);
  await s.pickUp({ bankId: 'lobby', code: dropped.pickupCode! }, { role: 'recipient', id: 'bea' });
  const cy = await s.reserve({ bankId: 'annex', kind: 'package', recipient: { type: 'contact', id: 'cy' }, size: 'S', trackingId: 'TRK-CY' }, seed);
  await s.dropOff({ reservationId: cy.reservation.id }, { role: 'carrier', id: 'ups' });
  for (let i = 0; i < 60; i++) {
    clock.tick(1000);
    await s.recordRemoteOpen({ bankId: 'lobby', lockerNumber: 8, outcome: `opened ${i}` }, seed);
  }
  clock.tick(H);
  await c.auth.createUser({ enterpriseId: 'ent', username: 'op', password: PASSWORD, role: 'operator', accessLevel: { kind: 'location', id: 'loc' } });
  const viewing = await s.roles.createRole({ enterpriseId: 'ent', name: 'Viewer', permissions: ['lockers.view'] }, seed);
  await c.auth.createUser({ enterpriseId: 'ent', username: 'viewer', password: PASSWORD, role: viewing.id });
  const reading = await s.roles.createRole({ enterpriseId: 'ent', name: 'Reader', permissions: ['lockers.view', 'reports'] }, seed);
  await c.auth.createUser({ enterpriseId: 'ent', username: 'reader', password: PASSWORD, role: reading.id });
  return { c, admin: await c.cookieOf('admin'), op: await c.cookieOf('op'), viewer: await c.cookieOf('viewer'), reader: await c.cookieOf('reader') };
}

/** The rows of the activity table: [type, where, recipient] of each. */
function rowsOf(body: string): { type: string; cells: string[] }[] {
  return [...body.matchAll(/<tr data-type="([^"]+)">(.*?)<\/tr>/gs)].map((m) => ({ type: m[1]!, cells: [...m[2]!.matchAll(/<td>(.*?)<\/td>/gs)].map((x) => x[1]!.replace(/<[^>]+>/g, '')) }));
}

/** The types of the rows about parcels (the set-up's administrative changes left out). */
function parcels(rows: { type: string }[]): string[] {
  return rows.map((r) => r.type).filter((x) => x !== 'admin-change');
}

function linkOf(body: string, rel: 'next' | 'prev'): string | undefined {
  const m = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(body);
  return m ? m[1]!.replace(/&amp;/g, '&') : undefined;
}

async function apiRows(w: World, cookie: string, qs: string): Promise<{ at: number; type: string; bankId?: string; lockerNumber?: number; recipientId?: string }[]> {
  const token = /portier_session=([^;]+)/.exec(cookie)![1]!;
  const r = await w.c.app.inject({ url: `/api/v1/activity?${qs}`, headers: { authorization: `Bearer ${token}` } });
  return r.json<{ activity: { at: number; type: string; bankId?: string; lockerNumber?: number; recipientId?: string }[] }>().activity;
}

t.test('activity: filters by type, days, bank and recipient; 50 a page with next and previous keeping the filters', async (t) => {
  const w = await world(t);
  const get = (url: string, cookie = w.admin) => w.c.request(cookie, 'GET', url);

  const all = await get('/console/activity');
  t.equal(all.statusCode, 200);
  t.match(all.body, '<option value="annex">Annex – Annex bank</option>', 'the banks in scope to filter by');
  t.match(all.body, 'id="rq"', 'the recipient search (the administrator has the address book)');

  const pickups = rowsOf((await get('/console/activity?type=pickup')).body);
  t.same(pickups.map((r) => r.type), ['pickup'], 'by type');
  t.same(pickups[0]!.cells.slice(1), ['Pickup', 'Lobby, locker 1', 'Bea Brown', 'Bea Brown', 'package · TRK-BEA'], 'type, bank and locker, recipient, by whom, detail');
  t.equal(pickups[0]!.cells[0], '2 Dec 2026, 10:00', 'the time');

  const annex = rowsOf((await get('/console/activity?bank=annex')).body);
  t.same(parcels(annex), ['reservation', 'drop-off'], 'by bank');
  t.ok(annex.every((r) => r.cells[2]!.startsWith('Annex bank')));

  const day1 = rowsOf((await get('/console/activity?from=2026-12-01&to=2026-12-01&bank=lobby')).body);
  t.same(parcels(day1), ['reservation', 'drop-off'], 'one day, in the server time zone, both ends included');

  const bea = await get('/console/activity?recipient=bea');
  t.same(parcels(rowsOf(bea.body)), ['reservation', 'drop-off', 'pickup'], 'by recipient');
  t.match(bea.body, /<input type="radio" name="recipient" value="bea" checked> Bea Brown/, 'the chosen recipient stays chosen');

  const bad = await get('/console/activity?from=2026-12-02&to=2026-12-01');
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /class="errors" role="alert".*href="#to">The last day must not be before the first/s, 'an error summary linking to the field');

  // Paging: 60 remote opens.
  const first = await get('/console/activity?type=remote-open');
  const page1 = rowsOf(first.body);
  t.equal(page1.length, 50, '50 a page');
  t.notOk(linkOf(first.body, 'prev'), 'no previous page on the first');
  const next = linkOf(first.body, 'next')!;
  t.match(next, /^\/console\/activity\?type=remote-open&at=\d+\.\d+$/, 'the next page keeps the filter');
  const second = await get(next);
  const page2 = rowsOf(second.body);
  t.equal(page2.length, 10, 'the rest');
  t.same(page2.map((r) => r.cells[5]), Array.from({ length: 10 }, (_, i) => `opened ${50 + i}`), 'the next ones, in order');
  t.notOk(linkOf(second.body, 'next'), 'no next page on the last');
  t.match(second.body, 'Activity, page 2');
  const back = await get(linkOf(second.body, 'prev')!);
  t.same(rowsOf(back.body), page1, 'previous goes back to the first page');

  const found = await w.c.request(w.admin, 'GET', '/console/activity/recipients?rq=chen', undefined, { htmx: true });
  t.equal(found.statusCode, 200);
  t.match(found.body, /<input type="radio" name="recipient" value="cy"> Cy Chen/, 'search as you type finds the contact');
  t.notMatch(found.body, '<html', 'a fragment');
});

t.test('the CSV export holds exactly the filtered entries, every page of them', async (t) => {
  const w = await world(t);
  for (const qs of ['type=remote-open&bank=lobby', 'recipient=bea', 'from=2026-12-02&to=2026-12-02', '']) {
    const r = await w.c.request(w.admin, 'GET', `/console/activity.csv?${qs}`);
    t.equal(r.statusCode, 200, qs);
    t.match(r.headers['content-type'], 'text/csv');
    t.match(r.headers['content-disposition'], /^attachment; filename="activity\.csv"$/);
    const rows = parse(r.body, { columns: true }) as Record<string, string>[];
    const api = new URLSearchParams(qs);
    const q = new URLSearchParams({ limit: '100000' });
    if (api.get('type')) q.set('type', api.get('type')!);
    if (api.get('bank')) q.set('bankId', api.get('bank')!);
    if (api.get('recipient')) q.set('recipientId', api.get('recipient')!);
    if (api.get('from')) q.set('from', String(new Date(2026, 11, 2).getTime()));
    if (api.get('to')) q.set('to', String(new Date(2026, 11, 3).getTime()));
    const json = await apiRows(w, w.admin, q.toString());
    t.ok(json.length > 0, `${qs}: ${json.length} entries`);
    t.same(
      rows.map((x) => [x['time'], x['type'], x['bankId'], x['lockerNumber'], x['recipientId']]),
      json.map((a) => [new Date(a.at).toISOString(), a.type, a.bankId ?? '', a.lockerNumber === undefined ? '' : String(a.lockerNumber), a.recipientId ?? '']),
      `${qs || 'no filter'}: the CSV's rows are the API's entries`,
    );
  }
  t.equal((parse((await w.c.request(w.admin, 'GET', '/console/activity.csv?type=remote-open')).body, { columns: true }) as unknown[]).length, 60, 'all 60, not the 50 of a page');
});

t.test('reports: occupancy by day and drop-off to pickup time per bank', async (t) => {
  const w = await world(t);
  const page = await w.c.request(w.admin, 'GET', '/console/reports?days=7');
  t.equal(page.statusCode, 200);
  const lobby = /<table class="data" id="occupancy-\d" data-bank="lobby">(.*?)<\/table>/s.exec(page.body)?.[1] ?? '';
  /** The figures of a day's row of the lobby's table. */
  const cells = (day: string) => {
    const row = new RegExp(`<time datetime="${day}">[^<]+</time></th>((?:<td class="num">[^<]*</td>)+)`).exec(lobby)?.[1];
    return row === undefined ? undefined : [...row.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
  };
  // Bea's parcel: in from 10:00 on day 1 to 10:00 on day 2, one locker of 8.
  t.same(cells('2026-12-01'), ['1', '12.5%', '7.3%'], 'day 1: one locker at most (1 of 8), 14 h of 24');
  t.same(cells('2026-12-02'), ['1', '12.5%', '11.3%'], 'day 2: 10 h of the 11 so far (the day is shared over its hours until now)');
  t.notOk(cells('2026-12-03'), 'no day not yet begun');
  t.match(page.body, '<svg viewBox="0 0 ', 'the chart');
  t.match(page.body, /aria-hidden="true"/, 'the chart is a picture of the table');
  t.match(page.body, /<tr data-bank="lobby"><th scope="row">Main – Lobby<\/th><td class="num">1<\/td><td class="num">1 d 0 h<\/td>/, 'dwell: one pickup after 24 hours');
  t.match(page.body, /<tr data-bank="annex"><th scope="row">Annex – Annex bank<\/th><td class="num">No pickup<\/td>/);

  const fr = await w.c.request(w.admin, 'POST', '/console/language', { lang: 'fr', back: '/console/reports' });
  t.equal(fr.statusCode, 303);
  const french = await w.c.request(w.admin, 'GET', '/console/reports?days=30&bank=lobby');
  t.match(french.body, 'Occupation de Main – Lobby, jour par jour');
  t.match(french.body, '12,5\u202f%');
  t.notMatch(french.body, 'data-bank="annex"', 'one bank chosen');

  const token = /portier_session=([^;]+)/.exec(w.admin)![1]!;
  const api = (url: string) => w.c.app.inject({ url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });
  t.equal((await api('/reports/utilisation?from=2026-12-03&to=2026-12-01')).statusCode, 422, 'a period backwards');
  t.equal((await api('/reports/utilisation?from=2025-01-01&to=2026-12-01')).statusCode, 422, 'more than 366 days');
  t.equal((await api('/reports/dwell?to=2026-13-01')).statusCode, 422, 'not a date');
  const dwell = (await api('/reports/dwell?from=2026-12-01&to=2026-12-07&bankId=lobby')).json<{ banks: unknown[] }>();
  t.match(dwell, { from: '2026-12-01', to: '2026-12-07', banks: [{ bankId: 'lobby', count: 1, medianMs: 24 * H, p90Ms: 24 * H, averageMs: 24 * H }] });
});

t.test("a location-scoped operator sees only its location's banks and entries, in the page, the CSV and the reports", async (t) => {
  const w = await world(t);
  const page = await w.c.request(w.op, 'GET', '/console/activity');
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, 'value="annex"', 'the annex is not offered');
  const rows = rowsOf(page.body);
  t.ok(rows.length > 0);
  t.ok(rows.every((r) => r.cells[2]!.startsWith('Lobby')), 'entries of the lobby only');
  t.same(rowsOf((await w.c.request(w.op, 'GET', '/console/activity?bank=annex')).body), [], 'asking for the annex gives nothing');
  const csv = parse((await w.c.request(w.op, 'GET', '/console/activity.csv')).body, { columns: true }) as Record<string, string>[];
  t.ok(csv.length > 0);
  t.same([...new Set(csv.map((r) => r['bankId']))], ['lobby'], 'the export holds the lobby only');
  t.notMatch((await w.c.request(w.op, 'GET', '/console/activity/recipients?rq=chen', undefined, { htmx: true })).body, 'Cy Chen', "the annex's contact is not found");

  const reports = await w.c.request(w.op, 'GET', '/console/reports');
  t.equal(reports.statusCode, 200);
  t.match(reports.body, 'data-bank="lobby"');
  t.notMatch(reports.body, 'data-bank="annex"', 'no report of the annex');
  const token = /portier_session=([^;]+)/.exec(w.op)![1]!;
  const api = (url: string) => w.c.app.inject({ url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });
  t.equal((await api('/reports/utilisation?bankId=annex')).statusCode, 404, 'a bank outside the scope is not found');
  t.equal((await api('/reports/dwell?bankId=annex')).statusCode, 404);
  t.same((await api('/reports/dwell')).json<{ banks: { bankId: string }[] }>().banks.map((b) => b.bankId), ['lobby']);
});

t.test('a role without reports has neither menu entry and is refused; one without the address book has no recipient search', async (t) => {
  const w = await world(t);
  const lockers = await w.c.request(w.viewer, 'GET', '/console/lockers');
  t.equal(lockers.statusCode, 200);
  t.notMatch(lockers.body, 'href="/console/activity"', 'no Activity in the menu');
  t.notMatch(lockers.body, 'href="/console/reports"', 'no Reports in the menu');
  for (const url of ['/console/activity', '/console/activity.csv', '/console/reports']) t.equal((await w.c.request(w.viewer, 'GET', url)).statusCode, 403, url);
  const admin = await w.c.request(w.admin, 'GET', '/console/lockers');
  t.match(admin.body, 'href="/console/activity"', 'the administrator has both');
  t.match(admin.body, 'href="/console/reports"');

  const reader = await w.c.request(w.reader, 'GET', '/console/activity');
  t.equal(reader.statusCode, 200);
  t.notMatch(reader.body, 'id="rq"', 'no recipient search without the address book');
  t.equal((await w.c.request(w.reader, 'GET', '/console/activity/recipients?rq=bea', undefined, { htmx: true })).statusCode, 404);
});
