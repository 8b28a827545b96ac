// A broker that refuses the link's subscriptions (a busy NATS node that cannot create their JetStream consumers in
// time does so while keeping the connection): the controller must not sit online and deaf, but connect again and ask
// again, and then run the commands sent to it.
import t from 'tap';
import { expectCondition } from '@portier/sim';
import { fixture } from './helpers/fixture.ts';
import { makeCommand, openDoorBody } from './helpers/cloud.ts';

t.test('refused subscriptions: the link connects again, is online only once they are granted, and then runs its commands', async (t) => {
  const f = await fixture(t);
  f.broker.refuseSubscriptions!(3);
  const link = await f.startLink({ backoff: { minMs: 20, maxMs: 200 } }, false);
  await expectCondition(() => link.status().state === 'online', 10_000, 'the link online after its subscriptions were granted');
  t.ok(f.broker.denied.filter((d) => d.what === 'subscribe').length >= 3, 'the broker refused the first subscriptions');
  t.match(link.status().lastError?.message ?? '', /subscription refused/, 'the refusal is shown as the last error');
  const c = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  const ack = await f.cloud.command(c);
  t.match(ack, { commandId: c.id, status: 'opened' }, 'a command sent afterwards is run and acked');
});
