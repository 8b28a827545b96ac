// Parcels without a home through the API and the CLI on a real port: a package no locker fits is refused by default
// and held at the mailroom desk on request (listed by status, bank and location, in the activity CSV without a
// locker, cancellable), placed when a locker that fits is added; a kiosk drop-off that named nobody is listed as
// unassigned and given its recipient, with a new code answered once and the old one dead.
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import type { PickupCodeIssued } from '../../src/domain/events.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

const operatorActor = { role: 'operator' as const, id: 'op' };

t.test('a held parcel: 409 by default, held on request, listed, in the CSV without a locker, placed when a locker fits', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const h = ta.headers('operator');
  const xl = { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'XL', trackingId: '1ZXL' };

  const refused = await ta.app.inject({ method: 'POST', url: '/api/v1/reservations', headers: h, payload: xl });
  t.equal(refused.statusCode, 409, 'the default answer is unchanged');
  t.equal(refused.json().error.code, 'NO_LOCKER_AVAILABLE');

  const res = await ta.app.inject({ method: 'POST', url: '/api/v1/reservations', headers: h, payload: { ...xl, ifNoLocker: 'hold' } });
  t.equal(res.statusCode, 201);
  const held = res.json().reservation;
  t.match(held, { status: 'held', bankId: 'bank', recipient: { type: 'contact', id: 'c-rec' } });
  t.notOk('lockerNumber' in held);

  const list = async (qs: string) => (await ta.app.inject({ method: 'GET', url: `/api/v1/reservations?${qs}`, headers: h })).json().reservations.map((r: { id: string }) => r.id);
  t.same(await list('status=held'), [held.id]);
  t.same(await list('status=held&bankId=bank'), [held.id]);
  t.same(await list('status=held&locationId=loc'), [held.id]);
  t.same(await list('status=held&locationId=loc-x'), []);

  const run = cliIo(env('operator'));
  t.equal(await runAdmin(['reservations', '--status', 'held', '--location', 'loc'], run), 0, run.stderr);
  t.match(run.stdout, new RegExp(`${held.id}\\s+bank\\s+package\\s+held\\s+contact:c-rec`), 'the CLI lists it with an empty locker cell');
  const viaCli = cliIo(env('operator'));
  t.equal(await runAdmin(['reserve', '-b', 'bank', '-r', 'contact:c-ada', '-s', 'XL', '--if-no-locker', 'hold'], viaCli), 0, viaCli.stderr);
  t.match(viaCli.stdout, /^no locker fits: held at the mailroom desk of bank bank: reservation r-\S+\n$/);
  const second = /reservation (\S+)\n/.exec(viaCli.stdout)![1]!;

  const csv = await ta.app.inject({ method: 'GET', url: '/api/v1/activity?format=csv', headers: ta.headers('admin') });
  t.equal(csv.statusCode, 200);
  const line = csv.body.split(/\r?\n/).find((l) => l.includes('held at the mailroom desk'));
  const cells = line?.split(',') ?? [];
  t.match(cells, { 1: 'reservation', 4: 'bank', 5: '', 6: 'c-rec', 7: '1ZXL', 8: held.id, 14: 'held' }, 'the activity CSV: the held parcel, no locker, its status');

  const cancel = await ta.app.inject({ method: 'POST', url: `/api/v1/reservations/${second}/end`, headers: h, payload: { reason: 'cancelled', note: 'taken home' } });
  t.equal(cancel.statusCode, 200);
  t.match(cancel.json().reservation, { status: 'ended', endReason: 'cancelled' });
  t.same(await list('includeEnded=true&status=ended'), [second], 'in history without a locker');

  const noLocker = await ta.app.inject({ method: 'POST', url: `/api/v1/reservations/${held.id}/recipient`, headers: h, payload: { recipient: { type: 'contact', id: 'c-ada' } } });
  t.equal(noLocker.statusCode, 409, 'a held parcel is not assigned here: it has no locker');

  // An XL locker is added: the held parcel takes it, ready for the staff drop-off.
  await ta.service.createLockers([{ bankId: 'bank', number: 7, columnId: 'col', door: 7, size: 'XL', bottomCm: 40, topCm: 120, loading: 'front' }], { role: 'admin', id: 'seed' });
  await ta.service.heldParcels.settled();
  const placed = await ta.app.inject({ method: 'GET', url: `/api/v1/reservations/${held.id}`, headers: h });
  t.match(placed.json().reservation, { status: 'reserved', lockerNumber: 7 });
  t.same(await list('status=held'), []);
});

t.test('a kiosk drop-off with no recipient: listed as unassigned, assigned through the API and the CLI', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const h = ta.headers('operator');
  const told: PickupCodeIssued[] = [];
  ta.service.on('pickup-code-issued', (c) => told.push(c));
  const kiosk = await ta.service.recordKioskOccupancy({ bankId: 'bank', lockerNumber: 3, kind: 'package', trackingIds: ['1ZK'] }, { role: 'carrier', id: 'car' });
  await ta.service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-rec' }, size: 'S' }, operatorActor);

  const unassigned = await ta.app.inject({ method: 'GET', url: '/api/v1/reservations?unassigned=true', headers: h });
  t.same(unassigned.json().reservations.map((r: { id: string }) => r.id), [kiosk.reservation.id]);
  const listed = cliIo(env('operator'));
  t.equal(await runAdmin(['reservations', '--unassigned'], listed), 0, listed.stderr);
  t.match(listed.stdout, new RegExp(`${kiosk.reservation.id}\\s+bank\\s+3\\s+package\\s+occupied\\s+department:kiosk-unassigned`));
  t.equal(listed.stdout.trim().split('\n').length, 2, 'the header and the one unassigned parcel');

  const url = `/api/v1/reservations/${kiosk.reservation.id}/recipient`;
  const carrier = await ta.app.inject({ method: 'POST', url, headers: ta.headers('carrier'), payload: { recipient: { type: 'contact', id: 'c-rec' } } });
  t.equal(carrier.statusCode, 403, 'staff only');
  const bad = await ta.app.inject({ method: 'POST', url, headers: h, payload: { recipient: { type: 'contact', id: 'nobody' } } });
  t.equal(bad.statusCode, 404);
  t.equal(bad.json().error.field, 'body.recipient.id');

  const ok = await ta.app.inject({ method: 'POST', url, headers: h, payload: { recipient: { type: 'department', id: 'dep' } } });
  t.equal(ok.statusCode, 200);
  t.equal(ok.headers['cache-control'], 'no-store');
  t.match(ok.json(), { reservation: { status: 'occupied', lockerNumber: 3, recipient: { type: 'department', id: 'dep' } }, code: /^\d{6}$/ });
  t.notOk('pickupCode' in ok.json().reservation, 'no hash in the answer');
  t.same(told.map((c) => [c.recipient.id, c.code]), [['dep', ok.json().code]], 'the notification hook has the code for the department');

  // Wrong department: the CLI moves it to the person; the department's code stops working.
  const run = cliIo(env('operator'));
  t.equal(await runAdmin(['assign', '--reservation', kiosk.reservation.id, '--to', 'contact:c-rec', '--note', 'addressed to Rita'], run), 0, run.stderr);
  const m = /^locker 3: now for contact:c-rec; new pickup code (\d{6}) \(valid until \S+\), handed to the notification hook\n$/.exec(run.stdout);
  t.ok(m, run.stdout);
  await t.rejects(ta.service.pickUp({ bankId: 'bank', code: ok.json().code }, { role: 'recipient' }), { code: 'INVALID_CODE' }, "the department's code opens nothing");
  const got = await ta.service.pickUp({ bankId: 'bank', code: m![1]! }, { role: 'recipient', id: 'c-rec' });
  t.same(got.lockerNumbers, [3]);

  const activity = await ta.app.inject({ method: 'GET', url: '/api/v1/activity', headers: ta.headers('admin') });
  const details = activity.json().activity.map((a: { detail?: string }) => a.detail);
  t.ok(details.includes('recipient assigned: department dep -> contact c-rec: addressed to Rita'), 'audited in the activity');
});
