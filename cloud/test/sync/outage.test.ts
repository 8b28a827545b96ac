import { parsePayload } from '@portier/protocol';
import t from 'tap';
import { startBroker } from '../../src/mqtt/broker.ts';
import { client, nextMessage } from '../mqtt/helpers/env.ts';
import { sampleDesiredState } from '../../../protocol/test/fixtures/samples.ts';
import { BANK, once, world } from './helpers/world.ts';
import { topicFor } from '@portier/protocol';

const evt = (seq: number) => JSON.stringify({ v: 1, seq, at: 1_790_000_000_000 + seq, event: { type: 'door-closed', door: 1, openForMs: 10 } });

t.test('broker restart: the link comes back, retained desired is republished, replayed events are stored once in order', async (t) => {
  const w = await world(t);
  await w.link.publishDesired(BANK, 'col-a', sampleDesiredState());
  const opts = { clientId: 'col-a', username: 'col-a', password: w.secrets['col-a']! };
  const a1 = await client(t, w.brk.url, opts);
  for (const seq of [1, 2]) await a1.publishAsync(topicFor(BANK, 'col-a', 'evt'), evt(seq), { qos: 1 });
  await once<{ seq: number }>(w.link, 'event-stored', (e) => e.seq === 2);

  const down = once<{ state: string }>(w.link, 'connection', (c) => c.state === 'offline');
  await w.brk.close();
  await down;
  t.equal(w.link.isConnected, false);
  t.equal(w.link.controller('col-a')?.online, false, 'nothing is shown online while the cloud is cut off');

  // Same port, fresh in-memory broker: no sessions, no retained messages.
  const up = once<{ state: string }>(w.link, 'connection', (c) => c.state === 'online', 5000);
  const brk2 = await startBroker({ identities: w.reg, port: w.brk.port });
  t.teardown(() => brk2.close());
  await up;

  // The controller reconnects and replays its outbox (1, 2 not yet acked from its view, plus 3, 4 made meanwhile).
  const a2 = await client(t, brk2.url, opts);
  const desired = nextMessage(a2, (topic) => topic === topicFor(BANK, 'col-a', 'desired'));
  await a2.subscribeAsync([topicFor(BANK, 'col-a', 'desired'), topicFor(BANK, 'col-a', 'evtack')], { qos: 1 });
  const d = parsePayload('desired', (await desired).payload);
  t.ok(d.ok && d.value.version === 1, 'retained desired republished by the cloud after the restart');
  const acked = nextMessage(a2, (topic, p) => topic === topicFor(BANK, 'col-a', 'evtack') && (JSON.parse(p.toString()) as { upTo: number }).upTo === 4);
  for (const seq of [1, 2, 3, 4]) await a2.publishAsync(topicFor(BANK, 'col-a', 'evt'), evt(seq), { qos: 1 });
  await acked;
  t.same((await w.journal.read('col-a')).map((e) => e.seq), [1, 2, 3, 4], 'every event exactly once, in order');
});
