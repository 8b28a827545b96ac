// The reservations screen as forms and pages: the list of a location-scoped operator holds only their location's
// reservations and is searched as you type; reserving for a recipient who needs an accessible locker gets one; no
// locker that fits shows the API's exact sentence; a new pickup code is shown once; a kiosk parcel without a recipient
// gets one; a role without the permission has no menu entry and is refused; a post without its token is refused.
import t from 'tap';
import { NO_LOCKER_MESSAGE } from '../../src/domain/errors.ts';
import { consoleApp, PASSWORD, type ConsoleApp } from './helpers.ts';

const seed = { role: 'admin' as const, id: 'seed' };

async function setup(t: Parameters<typeof consoleApp>[0]): Promise<ConsoleApp & { adm: string; op: string; viewer: string }> {
  const a = await consoleApp(t);
  const s = a.service;
  await s.createContact({ id: 'alex', enterpriseId: 'ent', firstName: 'Alex', lastName: 'Access', email: 'alex@example.com', needsAccessible: true }, seed);
  await s.createContact({ id: 'bea', enterpriseId: 'ent', firstName: 'Bea', lastName: 'Brown', email: 'bea@example.com', needsAccessible: false }, seed);
  await s.createContact({ id: 'cy', enterpriseId: 'ent', firstName: 'Cy', lastName: 'Chen', needsAccessible: false, locationId: 'loc2' }, seed);
  await s.roles.createRole({ id: 'viewer', enterpriseId: 'ent', name: 'Viewer', permissions: ['lockers.view', 'addressBook'] }, seed);
  await a.auth.createUser({ enterpriseId: 'ent', username: 'op', password: PASSWORD, role: 'operator', accessLevel: { kind: 'location', id: 'loc' } });
  await a.auth.createUser({ enterpriseId: 'ent', username: 'viewer', password: PASSWORD, role: 'viewer' });
  return { ...a, adm: await a.cookieOf('admin'), op: await a.cookieOf('op'), viewer: await a.cookieOf('viewer') };
}


t.test('the list: scoped to the location, filtered and searched as you type, parcels without a recipient apart', async (t) => {
  const a = await setup(t);
  const s = a.service;
  await s.reserve({ bankId: 'lobby', kind: 'package', recipient: { type: 'contact', id: 'bea' }, size: 'S', trackingId: 'TRK-LOBBY' }, seed);
  await s.reserve({ bankId: 'annex', kind: 'package', recipient: { type: 'contact', id: 'cy' }, size: 'M', trackingId: 'TRK-ANNEX' }, seed);
  await s.recordKioskOccupancy({ bankId: 'lobby', lockerNumber: 8, kind: 'package', trackingIds: ['KIOSK-1'] }, { role: 'system', id: 'ctl-2' });

  const all = await a.request(a.adm, 'GET', '/console/reservations');
  t.equal(all.statusCode, 200);
  t.match(all.body, /TRK-LOBBY/);
  t.match(all.body, /TRK-ANNEX/, 'the administrator sees both locations');
  t.match(all.body, /Bea Brown/, "each row names its recipient");

  const op = await a.request(a.op, 'GET', '/console/reservations');
  t.match(op.body, /TRK-LOBBY/);
  t.notMatch(op.body, /TRK-ANNEX|Cy Chen/, 'the operator of the main location sees nothing of the annex');
  t.match(op.body, /<h2 id="unassigned-h">Parcels without a recipient<\/h2>[\s\S]*No recipient yet<\/em> <a href="[^"]+#assign-h">Assign a recipient<\/a>[\s\S]*KIOSK-1/, 'the kiosk parcel waits for a recipient, with the action');

  const typed = await a.request(a.adm, 'GET', '/console/reservations?q=annex', undefined, { htmx: true });
  t.equal(typed.statusCode, 200);
  t.notMatch(typed.body, /<html/, 'as you type: only the results');
  t.match(typed.body, /1 reservation[\s\S]*TRK-ANNEX/);
  t.notMatch(typed.body, /TRK-LOBBY/);

  const byBank = await a.request(a.adm, 'GET', '/console/reservations?bank=annex&status=reserved');
  t.match(byBank.body, /TRK-ANNEX/);
  t.notMatch(byBank.body, /TRK-LOBBY/, 'filtered by bank');
  const unassigned = await a.request(a.adm, 'GET', '/console/reservations?unassigned=1');
  t.match(unassigned.body, /KIOSK-1/);
  t.notMatch(unassigned.body, /TRK-LOBBY/, 'only the parcels without a recipient');
});

t.test('reserve: the accessible recipient from the picker gets an accessible locker; none fitting shows the exact sentence', async (t) => {
  const a = await setup(t);
  const form = await a.request(a.op, 'GET', '/console/reservations/new?bank=lobby&locker=5');
  t.equal(form.statusCode, 200);
  t.match(form.body, /<option value="lobby" selected>/, 'the bank from the grid is chosen');
  t.notMatch(form.body, /<option value="annex"/, 'no bank outside the location');

  const picked = await a.request(a.op, 'GET', '/console/reservations/recipients?q=ale', undefined, { htmx: true });
  t.match(picked.body, /value="contact:alex"[^>]*> <span>Alex Access<\/span>[\s\S]*Needs an accessible locker/, 'the match says Alex needs an accessible locker');
  t.notMatch(picked.body, /Bea Brown/);

  const done = await a.request(a.op, 'POST', '/console/reservations/new', { kind: 'package', bank: 'lobby', q: 'ale', recipient: 'contact:alex', size: 'S', trackingId: 'ADA-1' });
  t.equal(done.statusCode, 201, done.body.slice(0, 300));
  t.match(done.headers.location, /^\/console\/reservations\/r/);
  const id = String(done.headers.location).split('/').pop()!;
  const r = a.service.store.get('reservations', id)!;
  t.equal(r.recipient.id, 'alex');
  const view = await a.app.inject({ url: `/api/v1/banks/lobby/lockers/${r.lockerNumber}`, headers: a.admin });
  t.equal(view.json().accessible, true, 'the API gave Alex an accessible locker');
  t.match(done.body, new RegExp(`Reserved\\. Locker ${r.lockerNumber}: accessible, not a dedicated locker`), 'the page says which locker and that it is accessible');

  const dedicate = await a.app.inject({ method: 'PATCH', url: '/api/v1/banks/lobby/lockers/6', headers: a.admin, payload: { dedicatedTo: { type: 'contact', id: 'bea' } } });
  t.equal(dedicate.statusCode, 200, dedicate.body);
  const own = await a.request(a.op, 'POST', '/console/reservations/new', { kind: 'package', bank: 'lobby', recipient: 'contact:bea', size: 'S' });
  t.match(own.body, /Reserved\. Locker 6: [a-z ]+, the recipient’s dedicated locker\./, "the API used Bea's dedicated locker, and the page says so");

  const none = await a.request(a.adm, 'POST', '/console/reservations/new', { kind: 'package', bank: 'annex', recipient: 'contact:bea', size: 'XL' });
  t.equal(none.statusCode, 409);
  t.match(none.body, `<a href="#bank">${NO_LOCKER_MESSAGE}</a>`, "the API's exact sentence, linked to the bank");
  t.equal(NO_LOCKER_MESSAGE, 'No lockers are currently available in selected locker bank');

  const missing = await a.request(a.adm, 'POST', '/console/reservations/new', { kind: 'package', bank: 'lobby', size: 'S' });
  t.equal(missing.statusCode, 400);
  t.match(missing.body, /<a href="#q">Choose the recipient\.<\/a>/);
});

t.test('a return gets a drop-off code shown once; the reservation page has its timeline with the e-mails', async (t) => {
  const a = await setup(t);
  await a.service.createCarrier({ id: 'car', enterpriseId: 'ent', name: 'Parcel Co' }, seed);
  const done = await a.request(a.adm, 'POST', '/console/reservations/new', { kind: 'return', bank: 'lobby', recipient: 'contact:bea', size: 'S', dropOff: 'recipient', pickup: 'car' });
  t.equal(done.statusCode, 201, done.body.slice(0, 300));
  const code = /<strong class="code">(\d+)<\/strong>/.exec(done.body)?.[1];
  t.ok(code, 'the drop-off code is on the page');
  const id = String(done.headers.location).split('/').pop()!;
  // The outbox's record of the code's e-mail, as the outbox leaves one it gave up on.
  await a.store.commit({
    put: [{ c: 'mailOutbox', key: 'm-1', value: { id: 'm-1', enterpriseId: 'ent', kind: 'drop-off-code', to: { type: 'contact', id: 'bea' }, language: 'en', status: 'failed', attempts: 3, createdAt: Date.now(), endedAt: Date.now(), lastError: '550 mailbox unavailable', reservationId: id, bankId: 'lobby' } }],
  });
  const again = await a.request(a.adm, 'GET', `/console/reservations/${id}`);
  t.equal(again.statusCode, 200);
  t.notMatch(again.body, new RegExp(`>${code}<`), 'and on no later page');
  t.match(again.body, /<ol class="timeline">[\s\S]*Reserved <span class="muted">\(by admin\)/, 'the timeline from the activity log');
  t.match(again.body, /<li class="ev-bad">.*Sent the drop-off code <span class="muted">\(failed · 3 attempts · 550 mailbox unavailable\)/, 'the e-mail and where it stands');
});

t.test('a new pickup code is shown once and the old one stops working; a kiosk parcel gets its recipient', async (t) => {
  const a = await setup(t);
  const s = a.service;
  const r = await s.reserve({ bankId: 'lobby', kind: 'package', recipient: { type: 'contact', id: 'bea' }, size: 'S' }, seed);
  const dropped = await s.dropOff({ reservationId: r.reservation.id }, seed);
  const page = await a.request(a.adm, 'GET', `/console/reservations/${r.reservation.id}`);
  t.match(page.body, /Issue a new code/);
  const issued = await a.request(a.adm, 'POST', `/console/reservations/${r.reservation.id}/pickup-code`);
  t.equal(issued.statusCode, 200);
  const code = /<strong class="code">(\d+)<\/strong>/.exec(issued.body)?.[1];
  t.ok(code && code !== dropped.pickupCode, 'a new code on the page');
  t.match(issued.body, /The old code no longer works/);
  t.notMatch((await a.request(a.adm, 'GET', `/console/reservations/${r.reservation.id}`)).body, new RegExp(`>${code}<`), 'shown once');
  const old = await a.app.inject({ method: 'POST', url: '/api/v1/pickups', headers: a.admin, payload: { bankId: 'lobby', code: dropped.pickupCode } });
  t.equal(old.json().error.code, 'INVALID_CODE', 'the old code is refused');

  const kiosk = await s.recordKioskOccupancy({ bankId: 'lobby', lockerNumber: 8, kind: 'package', trackingIds: ['KIOSK-2'] }, { role: 'system', id: 'ctl-2' });
  const found = await a.request(a.adm, 'POST', `/console/reservations/${kiosk.reservation.id}/recipient`, { q: 'brown', action: 'find' });
  t.match(found.body, /value="contact:bea"/, 'the Find button shows the matches without script');
  const assigned = await a.request(a.adm, 'POST', `/console/reservations/${kiosk.reservation.id}/recipient`, { q: 'brown', recipient: 'contact:bea' });
  t.equal(assigned.statusCode, 200, assigned.body.slice(0, 300));
  t.match(assigned.body, /Recipient assigned[\s\S]*<strong class="code">\d+<\/strong>/);
  t.match(assigned.body, /<dt>Recipient<\/dt><dd>Bea Brown<\/dd>/);
  t.same(s.store.get('reservations', kiosk.reservation.id)?.recipient, { type: 'contact', id: 'bea' }, 'the API assigned her');
});

t.test('a role without reservations.manage sees no entry and is refused; a post without its token is refused', async (t) => {
  const a = await setup(t);
  const lockers = await a.request(a.viewer, 'GET', '/console/lockers');
  t.equal(lockers.statusCode, 200);
  t.notMatch(lockers.body, /href="\/console\/reservations"/, 'no menu entry');
  t.match((await a.request(a.adm, 'GET', '/console/lockers')).body, /href="\/console\/reservations"/, 'the administrator has it');
  for (const url of ['/console/reservations', '/console/reservations/new']) t.equal((await a.request(a.viewer, 'GET', url)).statusCode, 403, `GET ${url}`);
  const posted = await a.request(a.viewer, 'POST', '/console/reservations/new', { kind: 'package', bank: 'lobby', recipient: 'contact:bea', size: 'S' });
  t.equal(posted.statusCode, 403);

  // Reservations alone: no address book to search (a contact's ID instead), no activity log (the record's milestones).
  await a.service.roles.createRole({ id: 'desk', enterpriseId: 'ent', name: 'Desk', permissions: ['reservations.manage'] }, seed);
  await a.auth.createUser({ enterpriseId: 'ent', username: 'desk', password: PASSWORD, role: 'desk' });
  const desk = await a.cookieOf('desk');
  const form = await a.request(desk, 'GET', '/console/reservations/new');
  t.match(form.body, /<label for="q">Recipient’s contact ID<\/label>/);
  t.equal((await a.request(desk, 'GET', '/console/reservations/recipients?q=bea')).statusCode, 403, 'the picker is the address book’s');
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const made = await a.request(desk, 'POST', '/console/reservations/new', { kind: 'package', bank: 'lobby', recipientId: 'bea', size: 'S' }, { csrf });
  t.equal(made.statusCode, 201, made.body.slice(0, 200));
  t.match(made.body, /<ol class="timeline"><li><time [^>]+>[^<]+<\/time> Reserved<\/li><\/ol>/, 'the timeline from the reservation itself');

  const before = a.service.store.list('reservations').length;
  const forged = await a.request(a.adm, 'POST', '/console/reservations/new', { kind: 'package', bank: 'lobby', recipient: 'contact:bea', size: 'S' }, { csrf: '' });
  t.equal(forged.statusCode, 403);
  t.match(forged.body, /This form has expired/);
  t.equal(a.service.store.list('reservations').length, before, 'nothing was reserved');
});
