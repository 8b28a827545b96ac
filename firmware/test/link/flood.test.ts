// Flooding the controller from outside: a plain MQTT.js client holding the cloud's stolen service credentials sends
// oversized and refused messages. An oversized payload is refused on its byte length without being read, and a flood
// of refused desired states becomes a bounded number of durable events that carry how many refusals they stand for.
import { randomBytes } from 'node:crypto';
import { type EventEmitter } from 'node:events';
import mqtt from 'mqtt';
import sinon from 'sinon';
import t, { type Test } from 'tap';
import { MAX_PAYLOAD_BYTES, signMessage, topicFor, type PortierEvent } from '@portier/protocol';
import { Outbox } from '../../src/link/outbox.ts';
import { RejectionFold, type FoldedRejection } from '../../src/link/rejection-fold.ts';
import { SERVICE_PASSWORD, SERVICE_USER } from './helpers/broker.ts';
import { makeCommand, openDoorBody, sampleState, waitForEvent } from './helpers/cloud.ts';
import { BANK, CTRL, fixture } from './helpers/fixture.ts';

async function attacker(t: Test, url: string): Promise<mqtt.MqttClient> {
  const c = mqtt.connect(url, { clientId: `thief-${randomBytes(4).toString('hex')}`, username: SERVICE_USER, password: SERVICE_PASSWORD, reconnectPeriod: 0 });
  t.teardown(() => c.endAsync(true));
  await waitForEvent(c as unknown as EventEmitter, 'connect');
  return c;
}

t.test('an oversized command is refused on its byte length, never decoded nor parsed, and not answered', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink();
  const thief = await attacker(t, f.broker.url);
  const dropped = waitForEvent<[{ channel: string; code: string; message: string }]>(link as never, 'dropped', (d) => d.code === 'TOO_LARGE');
  // Valid JSON that names a command id: read whole, it would be parsed and answered `malformed`.
  const big = JSON.stringify({ ...makeCommand(f.key, 'open-door', openDoorBody(1), f.target), id: 'oversized-1', pad: 'x'.repeat(2 * 1024 * 1024) });
  const parse = sinon.spy(JSON, 'parse');
  t.teardown(() => parse.restore());
  await thief.publishAsync(topicFor(BANK, CTRL, 'cmd'), big, { qos: 1 });
  const [d] = await dropped;
  const bigParses = parse.getCalls().filter((c) => typeof c.args[0] === 'string' && (c.args[0] as string).length > MAX_PAYLOAD_BYTES.cmd).length;
  parse.restore();
  t.equal(d.channel, 'cmd');
  t.match(d.message, new RegExp(`payload of ${Buffer.byteLength(big)} bytes exceeds ${MAX_PAYLOAD_BYTES.cmd}`), 'refused with its byte size');
  t.equal(bigParses, 0, 'the oversized payload was never given to JSON.parse');

  // The link still serves, and nobody was told anything about the oversized command.
  const ok = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  t.equal((await f.cloud.command(ok)).status, 'opened');
  t.equal(f.cloud.of('ack').filter((a) => (a.json as { commandId: string }).commandId === 'oversized-1').length, 0, 'no answer to an unread command');
});

t.test('a flood of refused desired states becomes a few durable events with the count they stand for', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink();
  const thief = await attacker(t, f.broker.url);
  const topic = topicFor(BANK, CTRL, 'desired');
  const n = 400;
  let seen = 0;
  const all = waitForEvent(link as never, 'desired-rejected', () => ++seen === n, 10_000);
  const forged = (version: number): string =>
    JSON.stringify(signMessage({ v: 1 as const, bankId: BANK, controllerId: CTRL, version, issuedAt: Date.now(), state: sampleState() }, f.wrongKey));
  for (let i = 0; i < n; i++) await thief.publishAsync(topic, i % 2 === 0 ? `{"v":1,"junk":${i}}` : forged(i + 1), { qos: 1 });
  await all;
  await link.stop();

  const outbox = await Outbox.open(f.dir);
  t.teardown(() => outbox.close());
  const rejected = outbox.entries().filter((e: PortierEvent) => e.event.type === 'desired-rejected');
  const counts = rejected.map((e) => (e.event.type === 'desired-rejected' ? (e.event.count ?? 1) : 0));
  t.ok(rejected.length <= 4, `${n} refused desired states made ${rejected.length} outbox events (at most 2 per kind)`);
  t.equal(
    counts.reduce((a, b) => a + b, 0),
    n,
    'the events account for every refusal',
  );
  t.match(rejected.map((e) => (e.event as { reason: string }).reason).join('\n'), /malformed[\s\S]*bad signature|bad signature[\s\S]*malformed/, 'one line of each kind');
});

t.test('rejections of one kind: the first at once, then one folded report per window while the flood lasts', async (t) => {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t.teardown(() => clock.restore());
  const reports: FoldedRejection[] = [];
  const fold = new RejectionFold({ windowMs: 60_000, report: (r) => reports.push(r) });
  fold.record('bad-signature', 3, 'bad signature');
  t.same(reports, [{ key: 'bad-signature', version: 3, reason: 'bad signature', count: 1 }], 'the first is reported without delay');
  // 2,000 in 15 s, as in the attack.
  for (let i = 0; i < 2000; i++) {
    fold.record('bad-signature', 4 + i, 'bad signature');
    if (i % 100 === 0) clock.tick(750);
  }
  fold.record('malformed', 0, 'malformed: not JSON');
  t.equal(reports.length, 2, 'another kind is not folded into the first');
  t.equal(fold.pendingCount('bad-signature'), 2000);
  clock.tick(60_000);
  t.equal(reports.length, 3, 'one folded report when the window ends');
  t.same(reports[2], { key: 'bad-signature', version: 2003, reason: 'bad signature', count: 2000 });
  clock.tick(60_000);
  t.equal(reports.length, 3, 'nothing more to report: the window closes quietly');
  fold.record('bad-signature', 9, 'bad signature');
  t.equal(reports.length, 4, 'after a quiet window the next one is reported at once again');
  fold.record('bad-signature', 10, 'bad signature');
  fold.flush();
  t.same(reports[4], { key: 'bad-signature', version: 10, reason: 'bad signature', count: 1 }, 'flush reports what is still counted');
  fold.record('older', 1, 'older');
  clock.tick(120_000);
  t.equal(reports.length, 5, 'nothing is reported after the flush');
});
