// A recipient's badge, as the cloud sends it while they have parcels waiting: a reusable `badge` credential of role
// recipient listing their parcels. Scanned at the kiosk it signs them in like a pickup code.
import t from 'tap';
import type { DesiredCredential } from '@portier/protocol';
import { CODES, createKiosk, credentialHash, desiredState, type Kiosk } from './helpers.ts';

const BADGE = 'CARD-R1-0001';

const recipientBadge: DesiredCredential = {
  id: 'badge.r-1',
  kind: 'badge',
  hash: credentialHash('badge', BADGE),
  role: 'recipient',
  subjectId: 'r-1',
  doors: [2],
  reservationIds: ['res-1'],
  oneTime: false,
};

function withBadge(k: Kiosk, rules = { openAllAtOnce: true }): void {
  const s = desiredState({ rules });
  k.state.set({ ...s, credentials: [...s.credentials, recipientBadge] });
}

t.test("a recipient's badge opens their parcels like a pickup code; the events say a badge was used and by whom", async (t) => {
  const k = createKiosk(t);
  withBadge(k);
  await k.engine.badge(BADGE);
  t.equal(k.engine.screen.page, 'pickup');
  t.same(k.doors.unlocked, [2], 'the locker of their parcel');
  t.match(k.sink.transactions('pickup'), [{ kind: 'pickup', doors: [2], reservationIds: ['res-1'], actor: { role: 'recipient', id: 'r-1' }, via: 'badge', offline: false }]);
  t.notOk(JSON.stringify(k.sink.events).includes(BADGE), 'the badge number never leaves the kiosk');
  await k.engine.select('done');
  t.equal(k.engine.screen.page, 'home');
});

t.test('reusable: the badge is not used up by a pickup; scanned again it offers the reopen, later it finds nothing', async (t) => {
  const k = createKiosk(t, { rules: { openAllAtOnce: true } });
  withBadge(k);
  await k.engine.badge(BADGE);
  k.doors.close(2);
  await k.engine.select('done');
  // Scanned again before the cloud's next state, within "locker access after pickup": the reopen offer.
  await k.engine.badge(BADGE);
  t.equal(k.engine.screen.page, 'reopen');
  await k.engine.select('done');
  // Later: signed in, nothing left to collect.
  await k.tick(61_000);
  await k.engine.badge(BADGE);
  t.equal(k.engine.screen.page, 'pickup');
  t.match(k.text(), /nothing|no /i);
  t.same(k.sink.events.filter((e) => e.type === 'login-failure'), [], 'not refused');
  t.same(k.doors.unlocked, [2], 'nothing opened twice');
});

t.test('offline, the cached state serves a badge pickup and the event says it was offline', async (t) => {
  const k = createKiosk(t);
  withBadge(k);
  k.state.online = false;
  await k.engine.badge(BADGE);
  t.match(k.sink.transactions('pickup')[0], { via: 'badge', actor: { role: 'recipient', id: 'r-1' }, offline: true });
});

t.test('a badge the state does not list (a recipient with nothing in the bank) is a failed badge sign-in', async (t) => {
  const k = createKiosk(t);
  withBadge(k);
  await k.engine.badge('CARD-NOBODY');
  t.equal(k.engine.screen.page, 'home');
  t.ok(k.engine.screen.error, 'an error is shown');
  t.match(k.sink.events.filter((e) => e.type === 'login-failure'), [{ method: 'badge', attempts: 1 }]);
  t.same(k.doors.unlocked, []);
  // The staff badges of the fixture still sign staff in.
  await k.engine.badge(CODES.operatorBadge);
  t.equal(k.engine.screen.page, 'staff-menu');
});
