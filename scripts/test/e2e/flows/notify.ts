// End to end, the recipient hears of a parcel: a carrier delivers at the kiosk into a free locker with no
// reservation; the cloud issues a pickup code (kept hashed only) and hands it to the configured parcel-ready webhook
// (a real HTTP server here), signed; the code from the webhook opens the locker at the kiosk and the pickup is stored.
import { api, expectCondition } from '../helpers.ts';
import { codeOnKiosk, kioskWorld, lockerOfDoor, pickedUp } from '../kiosk-world.ts';
import { webhookReceiver } from '../webhook-receiver.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

const SECRET = 'e2e-webhook-secret-0123';

t.test('a carrier delivery at the kiosk -> signed parcel-ready notice with the pickup code -> the code opens the locker', async (t) => {
  const { webhook, notices } = await webhookReceiver(t, SECRET);
  const w = await kioskWorld(t, { notify: { webhook } });
  const { cloud, bank, bankId, token } = w;
  const kiosk = bank.kiosk!;
  const ctl = kiosk.column.controller;

  const issued = await api(cloud, 'POST', '/carriers/demo-carrier/codes', token, { digits: 8, bankIds: [bankId] });
  const carrierCode = issued.json.code as string;
  await expectCondition(() => ctl.link?.desired.desired?.state.credentials.some((c) => c.kind === 'carrier-code') ?? false, 5000, 'the carrier code on the kiosk');
  await kiosk.expectPage('home');
  await kiosk.type(carrierCode);
  await kiosk.expectPage('dropoff-tracking');
  await kiosk.select('choose-size');
  await kiosk.expectPage('choose-size');
  await kiosk.select(kiosk.engine.screen.options.find((o) => o.id.startsWith('size-'))!.id);
  await kiosk.expectPage('dropoff-open');
  await expectCondition(() => [...kiosk.column.doors.values()].some((d) => d.open), 3000, 'a door open for the carrier');
  const door = [...kiosk.column.doors.values()].find((d) => d.open)!.number;
  bank.closeAllDoors();

  await expectCondition(() => notices.length === 1, 8000, 'the parcel-ready notice at the webhook');
  const { notice, signedOk } = notices[0]!;
  t.ok(signedOk, 'signed with the shared secret');
  const locker = lockerOfDoor(w, door);
  t.match(notice, { type: 'parcel-ready', bankId, lockerNumber: locker, droppedOffBy: { type: 'carrier', id: 'demo-carrier' } });
  t.match(notice.pickupCode, /^\d{4,10}$/);
  const stored = JSON.stringify(cloud.service.store.list('reservations'));
  t.notOk(stored.includes(`"${notice.pickupCode}"`), 'the cloud keeps only a hash of the code');

  // The recipient got the code from the integrator's mail; the locker's new credential must be on the kiosk first.
  await codeOnKiosk(w, notice.reservationId, 'the pickup code hash on the kiosk');
  await kiosk.engine.signOut(); // the carrier is done
  await expectCondition(() => kiosk.engine.screen.page === 'home', 5000, 'the kiosk back home');
  await kiosk.type(notice.pickupCode);
  await kiosk.column.expectDoor(door, true);
  t.pass(`the notified code opened locker ${locker}`);
  await pickedUp(w, notice.reservationId, locker);
  t.pass('the locker is available again');
  bank.closeAllDoors();
  t.equal(notices.length, 1, 'one notice per code');
});
