import t from 'tap';
import sinon from 'sinon';
import { parse } from 'csv-parse/sync';
import { contact, operator, setup } from './helpers.ts';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
const H = 3600_000;

t.test('every transaction is logged with time, actor, bank, locker, recipient, tracking id; query by type and dates; CSV', async (t) => {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const s = await setup({ lockers: [{ size: 'M' }, { size: 'M' }] });
  await contact(s, 'ann');
  const ups = { role: 'carrier' as const, id: 'ups' };
  const r = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S', trackingId: 'TRK, "quoted"\nline' }, operator);
  clock.tick(H);
  const d = await s.dropOff({ reservationId: r.reservation.id }, ups);
  clock.tick(H);
  await s.recordRemoteOpen({ bankId: 'b1', lockerNumber: 2, commandId: 'cmd-1', outcome: 'opened' }, operator);
  clock.tick(H);
  await s.pickUp({ bankId: 'b1', code: d.pickupCode! }, { role: 'recipient', id: 'ann' });

  // The address book's own entries (the contact added by the setup) are not transactions.
  const all = (await s.queryActivity({})).filter((a) => a.type !== 'admin-change');
  t.same(all.map((a) => a.type), ['reservation', 'drop-off', 'remote-open', 'pickup']);
  t.match(all[1], { at: T0 + H, actor: ups, bankId: 'b1', lockerNumber: r.reservation.lockerNumber, recipientId: 'ann', trackingId: 'TRK, "quoted"\nline', reservationId: r.reservation.id });
  t.same((await s.queryActivity({ type: 'pickup' })).map((a) => a.at), [T0 + 3 * H], 'by type');
  t.same((await s.queryActivity({ from: T0 + H, to: T0 + 3 * H })).map((a) => a.type), ['drop-off', 'remote-open'], 'by date range');
  await t.rejects(s.queryActivity({ from: T0 + H, to: T0 }), { code: 'VALIDATION', field: 'to' });
  await t.rejects(s.queryActivity({ type: 'party' } as never), { code: 'VALIDATION', field: 'type' });

  const csv = await s.activityCsv({});
  t.ok(csv.includes('\r\n'), 'CRLF record ends (RFC 4180)');
  const rows = (parse(csv, { columns: true }) as Record<string, string>[]).filter((r) => r.type !== 'admin-change');
  t.equal(rows.length, 4);
  // The columns of earlier releases first and in their order (spreadsheets rely on them), then the names.
  t.same(Object.keys(rows[0]!).slice(0, 10), ['time', 'type', 'actorRole', 'actorId', 'bankId', 'lockerNumber', 'recipientId', 'trackingId', 'reservationId', 'detail']);
  t.same(Object.keys(rows[0]!).slice(10), ['recipientName', 'bankName', 'locationName', 'actorName', 'status', 'trackingIds', 'object', 'changes']);
  t.match(rows[1], { time: new Date(T0 + H).toISOString(), type: 'drop-off', actorRole: 'carrier', actorId: 'ups', bankId: 'b1', trackingId: 'TRK, "quoted"\nline' }, 'commas, quotes and newlines survive the round trip');
  t.match(rows[2], { type: 'remote-open', detail: 'command cmd-1: opened' });
});

t.test('history stays queryable after many transactions', async (t) => {
  const s = await setup({ bank: { rules: { addToExistingLocker: false } }, lockers: [{}] });
  await contact(s, 'ann');
  for (let i = 0; i < 50; i++) {
    const r = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'ann' }, size: 'S' }, operator);
    await s.endReservation(r.reservation.id, { reason: 'cancelled' }, operator);
  }
  t.equal((await s.queryActivity({ type: 'end' })).length, 50);
  t.equal((await s.listReservations({ includeEnded: true, limit: 10 })).length, 10, 'limit');
  t.equal((await s.listReservations({ status: 'ended', limit: 1000 })).length, 50);
  t.equal((await s.getReservation((await s.listReservations({ status: 'ended', limit: 1 }))[0]!.id)).status, 'ended', 'an ended reservation is still found by id');
});
