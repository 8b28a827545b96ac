// The kiosk serves the whole bank: a parcel reserved through the HTTP API lands in a locker of the PLAIN column of the
// demo bank; the recipient types the code at the kiosk (real controller, real kiosk engine); the cloud opens the plain
// column's door with a signed open-door, answers the kiosk with a signed kiosk-open-result, stores the pickup and the
// locker becomes available. With the cloud stopped, the kiosk says the locker cannot be opened right now and no door
// opens. Every message of each run is checked against the published JSON Schemas.
import type { Test } from 'tap';
import { translate } from '@portier/firmware';
import { expectCondition } from '../helpers.ts';
import { OTHER_COLUMN_LOCKERS as PLAIN_COLUMN_LOCKERS, codeOnKiosk, doorsOpen, dropOffParcel, kioskState, kioskWorld, outage, reserveParcel, type KioskWorld, pickedUp } from '../kiosk-world.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

type World = KioskWorld & { plainId: string };

async function world(t: Test): Promise<World> {
  // Parcels go to the plain column: the kiosk column's lockers are out of service (through the API).
  const w = await kioskWorld(t, { column: 'plain' });
  return { ...w, plainId: w.bank.columns.find((c) => !c.kiosk)!.controllerId };
}

/** Reserve + drop off through the API; waits until the kiosk holds the code for the plain column's locker. */
async function parcel(t: Test, w: World, trackingId: string) {
  const { reservationId, locker } = await reserveParcel(t, w, { trackingId });
  t.ok(PLAIN_COLUMN_LOCKERS.includes(locker), `locker ${locker} is in the plain column`);
  const code = await dropOffParcel(t, w, reservationId, trackingId);
  await codeOnKiosk(w, reservationId, 'the pickup code reaches the kiosk controller');
  const alias = kioskState(w)!.doors.find((d) => d.locker === locker)!;
  t.ok(alias.remote, 'the kiosk knows the locker as a door of another column');
  t.equal(alias.remote!.controllerId, w.plainId);
  return { reservationId, locker, alias: alias.door, door: alias.remote!.door, column: alias.column, fromTop: alias.fromTop, code };
}

t.test('a parcel in the plain column is picked up at the kiosk: the cloud opens the plain column door; offline it is refused', async (t) => {
  const w = await world(t);
  const kiosk = w.bank.kiosk!;
  const plain = w.bank.column(w.plainId);
  const pkg = await parcel(t, w, 'E2E-BANK-1');
  await kiosk.expectPage('home');
  await kiosk.type(pkg.code);
  await plain.expectDoor(pkg.door, true);
  t.same(doorsOpen(w.bank), [`${plain.number}/${pkg.door}`], "only the parcel's door opened, in the plain column");
  t.equal(kiosk.engine.screen.page, 'pickup');
  const shown = kiosk.engine.screen.lines.map((l) => translate(l, 'en')).join(' ');
  t.match(shown, new RegExp(`locker ${pkg.locker}, column ${pkg.column},`), 'described by its own column');

  // The plain column obeyed a signed open-door from the cloud (its controller acked it opened).
  const opened = await plain.expectEvent((e) => e.body.type === 'door-opened' && e.body.door === pkg.door);
  t.match(opened.body, { cause: 'unlock', commandId: /^cmd-/ }, 'opened by a cloud command');
  // The kiosk asked, and got a signed answer.
  const req = await kiosk.column.expectEvent((e) => e.body.type === 'kiosk-open-request');
  t.match(req.body, { door: pkg.alias, locker: pkg.locker, purpose: 'pickup', actor: { role: 'recipient', id: 'alice' } });
  await expectCondition(() => w.rec.received.some((m) => m.channel === 'cmd' && m.controllerId === w.kioskId && (m.json as { type?: string }).type === 'kiosk-open-result'), 3000, 'the kiosk-open-result on the wire');
  const result = w.rec.received.find((m) => m.channel === 'cmd' && (m.json as { type?: string }).type === 'kiosk-open-result')!;
  t.match(result.json, { body: { door: pkg.alias, outcome: 'opened' } });

  // The pickup is stored for the kiosk and the locker of the plain column is available again.
  await pickedUp(w, pkg.reservationId, pkg.locker);
  t.pass(`locker ${pkg.locker} is available in the API`);
  const audit = await w.cloud.service.queryActivity({ type: 'remote-open' });
  t.ok(audit.some((a) => a.lockerNumber === pkg.locker), 'the open is in the activity log');
  w.bank.closeAllDoors();
  await kiosk.select('done');
  await kiosk.expectPage('home');

  // Offline: a second parcel in the plain column; the cloud stops; the kiosk refuses, no door opens.
  const pkg2 = await parcel(t, w, 'E2E-BANK-2');
  const requestsBefore = kiosk.column.events.filter((e) => e.body.type === 'kiosk-open-request').length;
  await outage(w);
  await kiosk.type(pkg2.code);
  const error = kiosk.engine.screen.error;
  t.ok(error, 'an error is shown');
  t.match(translate(error!, 'en'), new RegExp(`Locker ${pkg2.locker} cannot be opened right now`));
  t.same(doorsOpen(w.bank), [], 'no door opened');
  t.equal(kiosk.column.events.filter((e) => e.body.type === 'kiosk-open-request').length, requestsBefore, 'nothing asked for later');
  t.notOk(kiosk.column.events.some((e) => e.body.type === 'transaction' && e.body.reservationIds.includes(pkg2.reservationId)), 'no pickup recorded');
  w.rec.expectSchemasMatched(t);
});
