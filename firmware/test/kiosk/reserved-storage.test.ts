// Day-use storage the cloud reserved ahead: the holder's code (a reusable `pickup-code` credential of the storage
// reservation) opens the held locker to fill it, then, once filled, to empty it.
import t from 'tap';
import type { DesiredCredential } from '@portier/protocol';
import { createKiosk, credentialHash, desiredState, type Kiosk } from './helpers.ts';

const CODE = '246810';

function withStorage(k: Kiosk, status: 'reserved' | 'occupied'): void {
  const s = desiredState({ rules: { openAllAtOnce: true } });
  const cred: DesiredCredential = { id: 'pickup.res-st', kind: 'pickup-code', hash: credentialHash('pickup-code', CODE), role: 'recipient', subjectId: 'r-5', doors: [10], reservationIds: ['res-st'], oneTime: false };
  k.state.set({
    ...s,
    credentials: [...s.credentials, cred],
    reservations: [...s.reservations, { id: 'res-st', kind: 'storage', status, door: 10, trackingIds: [], recipientId: 'r-5' }],
  });
}

t.test('held: the code opens the locker to fill it (storage-start of that reservation); typed again, it empties it', async (t) => {
  const k = createKiosk(t);
  withStorage(k, 'reserved');
  await k.type(CODE);
  t.equal(k.engine.screen.page, 'storage-open');
  t.same(k.doors.unlocked, [10]);
  t.match(k.text(), /Put your belongings in the open locker/);
  t.match(k.sink.transactions('storage-start'), [{ doors: [10], reservationIds: ['res-st'], actor: { role: 'recipient', id: 'r-5' } }]);
  k.doors.close(10);
  await k.engine.select('done');
  // The kiosk knows it is filled before the cloud's next state: the same code now empties it.
  await k.type(CODE);
  t.same(k.doors.unlocked, [10, 10]);
  t.match(k.text(), /Your storage has ended/);
  t.match(k.sink.transactions('pickup'), [{ doors: [10], reservationIds: ['res-st'] }]);
  t.same(k.sink.events.filter((e) => e.type === 'login-failure'), [], 'the reusable code was not used up by the drop-off');
});

t.test('filled (as the cloud says): the code opens it and ends the storage with a pickup', async (t) => {
  const k = createKiosk(t);
  withStorage(k, 'occupied');
  await k.type(CODE);
  t.same(k.doors.unlocked, [10]);
  t.same(k.sink.transactions('storage-start'), []);
  t.match(k.sink.transactions('pickup'), [{ doors: [10], reservationIds: ['res-st'], actor: { role: 'recipient', id: 'r-5' } }]);
});
