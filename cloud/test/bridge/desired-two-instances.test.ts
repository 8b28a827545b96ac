// Several cloud instances on one PostgreSQL: the instance publishing the controllers' desired states hears the
// changes made through the other one (the store's external changes) and republishes just the banks they touch, so a
// reservation, a service change or a carrier code made through any instance reaches the controllers.
import t from 'tap';
import { DesiredPublisher } from '../../src/bridge/desired-publisher.ts';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import { LockerService } from '../../src/domain/service.ts';
import { PgStore } from '../../src/store/pg/pg-store.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';
import { admin, bankModel, FakeLink, FIXED_FORMS, operator, roster, VAULT } from './helpers.ts';

t.test('changes made through another instance reach the controllers', { skip: postgresMissing }, async (t) => {
  const server = await startPostgres(t);
  const url = await server.createDatabase();
  const storeA = await PgStore.open({ url, instanceId: 'a' });
  const storeB = await PgStore.open({ url, instanceId: 'b' });
  t.teardown(async () => {
    await storeA.close();
    await storeB.close();
  });
  const a = await bankModel({ service: { store: storeA, codeHashN: 1024, vault: VAULT } });
  const b = new LockerService({ store: storeB, codeHashN: 1024, vault: VAULT });
  await storeB.sync();

  // Instance A publishes; its own domain events come from `a`, the other instance's changes from its store.
  const link = new FakeLink();
  const pub = new DesiredPublisher({ src: storeA, events: a, external: storeA, link, doors: new DomainDoorMap(storeA, roster()), forms: FIXED_FORMS, debounceMs: 10, refreshMs: 0 });
  t.teardown(() => pub.stop());
  await pub.start();
  // The next flush of the publisher, within a bound (none comes when it did not hear of the change).
  const published = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the publisher did not rebuild within 5 s')), 5000);
      pub.once('flushed', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  link.sent.length = 0;
  let flushed = published();
  const { reservation } = await b.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  await storeA.sync();
  await flushed;
  t.ok(link.sent.length > 0, 'a reservation made through B is published by A');
  t.ok(link.sent.every((x) => x.bankId === 'b1'), 'for its bank only');
  t.match(link.of('ctl-1').at(-1)?.state.reservations, [{ id: reservation.id, status: 'reserved' }], 'the kiosk column holds it');

  link.sent.length = 0;
  flushed = published();
  await b.setServiceState('b2', 1, { state: 'out-of-service' }, admin);
  await storeA.sync();
  await flushed;
  t.same([...new Set(link.sent.map((x) => x.controllerId))], ['ctl-x'], 'a service change on b2 made through B reaches b2’s controller');

  link.sent.length = 0;
  flushed = published();
  await b.endReservation(reservation.id, { reason: 'cancelled' }, operator);
  await storeA.sync();
  await flushed;
  t.same(link.of('ctl-1').at(-1)?.state.reservations, [], 'an ended reservation (deleted through B) leaves the kiosk’s state');
});
