// A broker that refuses the cloud's subscriptions on a connect (a NATS node whose JetStream is busy times out creating
// their consumers and answers the SUBSCRIBE with a failure, as the NATS fault test saw) must not leave the link
// connected and deaf: it connects again and asks again, then hears the controllers.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { encodePayload, topicFor } from '@portier/protocol';
import { Aedes } from 'aedes';
import t from 'tap';
import { CloudLink } from '../../src/sync/cloud-link.ts';
import { EventJournal } from '../../src/sync/event-journal.ts';
import { client, registry } from '../mqtt/helpers/env.ts';
import { once } from './helpers/world.ts';

t.test('subscriptions refused on a connect: the link connects again and hears the controllers', async (t) => {
  const { dataDir, reg } = await registry(t);
  const { secret } = await reg.createController({ controllerId: 'col-a', bankId: 'bank-1', column: 1 });
  // Every filter of the cloud's first SUBSCRIBE refused (granted 0x80), the connection left open.
  let refusals = 0;
  const aedes = await Aedes.createBroker({
    authorizeSubscribe(c, sub, cb) {
      if (c?.id === 'portier-cloud' && refusals < 4) {
        refusals++;
        return cb(null, null);
      }
      cb(null, sub);
    },
  });
  const server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve()))));
  const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;

  const journal = await EventJournal.open(join(dataDir, 'events'));
  const { privateKey } = generateKeyPairSync('ed25519');
  const link = new CloudLink({ url, username: 'portier-cloud', password: 'unused-by-this-broker', signingKey: privateKey, directory: reg, journal, desiredDir: join(dataDir, 'desired'), mqtt: { reconnectPeriod: 50 } });
  t.teardown(async () => {
    await link.stop();
    await journal.close();
  });
  const online = once(link, 'connection', (c: { state: string }) => c.state === 'online', 5000);
  await link.start({ waitConnected: false });
  await online;
  t.equal(refusals, 4, 'the first subscriptions were refused');
  t.ok(link.isConnected, 'the link counts as connected once subscribed');

  const ctl = await client(t, url, { clientId: 'col-a', username: 'col-a', password: secret });
  const stored = once<{ seq: number }>(link, 'event-stored', () => true, 5000);
  await ctl.publishAsync(topicFor('bank-1', 'col-a', 'evt'), encodePayload('evt', { v: 1, seq: 1, at: 1_790_000_000_000, event: { type: 'door-forced', door: 1 } }), { qos: 1 });
  t.equal((await stored).seq, 1, "a controller's event is stored");
});
