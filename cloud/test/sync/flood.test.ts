// Flooding the cloud from outside: a plain MQTT.js client with a controller's stolen credentials sends payloads over
// the channel limits. The cloud refuses each on its byte length, says how large it was, and never parses it.
import { MAX_PAYLOAD_BYTES, topicFor } from '@portier/protocol';
import sinon from 'sinon';
import t from 'tap';
import type { DroppedMessage } from '../../src/sync/cloud-link.ts';
import { client } from '../mqtt/helpers/env.ts';
import { BANK, once, world } from './helpers/world.ts';

t.test('oversized evt, reported and ack payloads are refused on their byte length without a parse', async (t) => {
  const w = await world(t);
  const thief = await client(t, w.brk.url, { clientId: 'col-a', username: 'col-a', password: w.secrets['col-a']! });
  const dropped: DroppedMessage[] = [];
  w.link.on('dropped', (d) => dropped.push(d));
  // Valid JSON of the right shape, padded beyond the channel's limit but under the broker's packet limit.
  const pad = 'x'.repeat(200 * 1024);
  const payloads = {
    evt: JSON.stringify({ v: 1, seq: 1, at: 1, event: { type: 'lock-fault', door: 1, code: 'x', message: pad } }),
    reported: JSON.stringify({ v: 1, pad }),
    ack: JSON.stringify({ v: 1, commandId: 'c-1', status: 'done', at: 1, detail: pad }),
  } as const;
  const parse = sinon.spy(JSON, 'parse');
  t.teardown(() => parse.restore());
  const all = once<DroppedMessage>(w.link, 'dropped', () => dropped.length === 3 * 20, 10_000);
  for (let i = 0; i < 20; i++) {
    for (const [ch, p] of Object.entries(payloads)) await thief.publishAsync(topicFor(BANK, 'col-a', ch as keyof typeof payloads), p, { qos: 1 });
  }
  await all;
  const bigParses = parse.getCalls().filter((c) => typeof c.args[0] === 'string' && (c.args[0] as string).length > 64 * 1024).length;
  parse.restore();
  t.equal(bigParses, 0, 'no oversized payload reached JSON.parse');
  t.same([...new Set(dropped.map((d) => d.code))], ['TOO_LARGE']);
  const evt = dropped.find((d) => d.channel === 'evt')!;
  t.equal(evt.message, `payload of ${Buffer.byteLength(payloads.evt)} bytes exceeds ${MAX_PAYLOAD_BYTES.evt} for evt`, 'the refusal names the byte size');
  t.equal(await w.journal.read('col-a').then((e) => e.length), 0, 'nothing stored');
});
