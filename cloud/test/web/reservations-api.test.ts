// What the reservations screen reads of the API: the activity log of one reservation (`reservationId`, in the JSON
// page and the CSV export), and each reservation's recipient by name for whoever manages reservations.
import t from 'tap';
import { consoleApp } from './helpers.ts';

const seed = { role: 'admin' as const, id: 'seed' };

t.test("one reservation's activity, and reservations with their recipient's name", async (t) => {
  const a = await consoleApp(t);
  const s = a.service;
  await s.createContact({ id: 'bea', enterpriseId: 'ent', firstName: 'Bea', lastName: 'Brown', needsAccessible: false }, seed);
  await s.createContact({ id: 'cy', enterpriseId: 'ent', firstName: 'Cy', lastName: 'Chen', needsAccessible: false }, seed);
  const one = await s.reserve({ bankId: 'lobby', kind: 'package', recipient: { type: 'contact', id: 'bea' }, size: 'S', trackingId: 'ONE' }, seed);
  const two = await s.reserve({ bankId: 'lobby', kind: 'package', recipient: { type: 'contact', id: 'cy' }, size: 'S', trackingId: 'TWO' }, seed);
  await s.dropOff({ reservationId: one.reservation.id }, seed);
  await s.dropOff({ reservationId: two.reservation.id }, seed);

  const page = await a.app.inject({ url: `/api/v1/activity?reservationId=${one.reservation.id}&bankId=lobby&from=${one.reservation.createdAt}`, headers: a.admin });
  t.equal(page.statusCode, 200, page.body);
  const rows = page.json().activity as Array<{ type: string; reservationId: string }>;
  t.same(rows.map((r) => r.type), ['reservation', 'drop-off'], 'its reservation and drop-off');
  t.ok(rows.every((r) => r.reservationId === one.reservation.id), 'nothing of the other reservation');
  const csv = await a.app.inject({ url: `/api/v1/activity?format=csv&reservationId=${two.reservation.id}`, headers: a.admin });
  t.equal(csv.body.trim().split('\n').length, 3, 'the export: a header and its two rows');
  t.match(csv.body, /TWO/);
  t.notMatch(csv.body, /ONE/);
  t.equal((await a.app.inject({ url: '/api/v1/activity?reservationId=no%20such', headers: a.admin })).statusCode, 400, 'an id is an id');

  const list = await a.app.inject({ url: '/api/v1/reservations?bankId=lobby', headers: a.admin });
  t.same(list.json().reservations.map((r: { recipientName?: string }) => r.recipientName), ['Bea Brown', 'Cy Chen']);
  const detail = await a.app.inject({ url: `/api/v1/reservations/${one.reservation.id}`, headers: a.admin });
  t.equal(detail.json().reservation.recipientName, 'Bea Brown');
});
