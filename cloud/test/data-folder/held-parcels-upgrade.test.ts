// The previous release's data folder takes parcels without a home: its reservations (all with a locker) list as
// before beside a parcel held at the mailroom desk, the held one (no locker) is written to that folder's store and
// read back after a restart, and it takes the locker that a reservation of the old data frees.
import t from 'tap';
import { z } from 'zod';
import { copyFixture, readExpected, startOn } from './helpers.ts';

const Reservation = z.object({ id: z.string(), status: z.string(), lockerNumber: z.number().optional() }).passthrough();
const Reply = z.object({ reservation: Reservation });
const List = z.object({ reservations: z.array(Reservation) });

async function client(httpUrl: string, user: string, password: string) {
  const login = await fetch(`${httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
  const { token } = z.object({ token: z.string() }).parse(await login.json());
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const r = await fetch(`${httpUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, json: (await r.json()) as unknown };
  };
}

t.test("a held parcel on the previous release's data folder: stored without a locker, read back, placed when an old reservation ends", async (t) => {
  const expected = await readExpected();
  const { data, secretsKey } = await copyFixture(t);
  const first = await startOn(t, data, secretsKey, expected.now);
  let api = await client(first.httpUrl, expected.admin.user, expected.admin.password);
  const before = List.parse((await api('GET', '/reservations')).json).reservations;
  t.ok(before.length > 0 && before.every((r) => r.lockerNumber !== undefined), 'the old reservations, each in its locker');

  // Bank a's one L locker is occupied: an L parcel has nowhere to go.
  const res = await api('POST', '/reservations', { bankId: 'bank-a', kind: 'package', recipient: { type: 'contact', id: 'rita' }, size: 'L', trackingId: 'TRK-DESK-1', ifNoLocker: 'hold' });
  t.equal(res.status, 201);
  const held = Reply.parse(res.json).reservation;
  t.match(held, { status: 'held' });
  t.equal(held.lockerNumber, undefined);
  await first.stop();

  const again = await startOn(t, data, secretsKey, expected.now);
  api = await client(again.httpUrl, expected.admin.user, expected.admin.password);
  const after = List.parse((await api('GET', '/reservations')).json).reservations;
  t.same(after.filter((r) => r.id !== held.id), before, 'the old reservations unchanged');
  t.same(List.parse((await api('GET', '/reservations?status=held&bankId=bank-a')).json).reservations.map((r) => r.id), [held.id], 'the held one read back');

  const locker5 = z.object({ contents: z.object({ reservationId: z.string() }) }).parse((await api('GET', '/banks/bank-a/lockers/5')).json);
  t.equal((await api('POST', `/reservations/${locker5.contents.reservationId}/end`, { reason: 'removed' })).status, 200);
  await again.service.heldParcels.settled();
  t.match(Reply.parse((await api('GET', `/reservations/${held.id}`)).json).reservation, { status: 'reserved', lockerNumber: 5 });
});
