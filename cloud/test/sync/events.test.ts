import { parsePayload, verifyMessage } from '@portier/protocol';
import t from 'tap';
import type { StoredEvent } from '../../src/sync/event-journal.ts';
import { nextMessage } from '../mqtt/helpers/env.ts';
import { controller, once, schemaErrors, world } from './helpers/world.ts';

const evt = (seq: number, door = 1) => JSON.stringify({ v: 1, seq, at: 1_790_000_000_000 + seq, event: { type: 'door-closed', door, openForMs: 1000 } });

/** Waits for the evtack of `c` with upTo >= n; returns the parsed message. */
async function evtackUpTo(c: Awaited<ReturnType<typeof controller>>, n: number) {
  const m = await nextMessage(c, (topic, p) => topic === c.topic('evtack') && (JSON.parse(p.toString()) as { upTo: number }).upTo >= n);
  const r = parsePayload('evtack', m.payload);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

t.test('events are stored exactly once, in order, with a duplicate and a replay; evtack is signed', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a');
  const stored: StoredEvent[] = [];
  w.link.on('event-stored', (e) => stored.push(e));
  const acked = evtackUpTo(a, 3);
  for (const seq of [1, 2, 2, 3]) await a.publishAsync(a.topic('evt'), evt(seq), { qos: 1 });
  const ack = await acked;
  t.equal(ack.upTo, 3);
  t.equal(ack.controllerId, 'col-a');
  t.equal(ack.bankId, 'bank-1');
  t.ok(verifyMessage(ack, w.publicKey), 'evtack verifies with the cloud key');
  t.equal(schemaErrors('evtack', ack), null, 'evtack valid by the published JSON Schema');

  // The controller lost the evtack and replays its whole outbox: nothing stored twice, acked again.
  const again = evtackUpTo(a, 3);
  for (const seq of [1, 2, 3]) await a.publishAsync(a.topic('evt'), evt(seq), { qos: 1 });
  t.equal((await again).upTo, 3, 'replay acked again');
  t.same((await w.journal.read('col-a')).map((e) => e.seq), [1, 2, 3], 'stored once each');
  t.same(stored.map((e) => e.seq), [1, 2, 3], 'event-stored emitted once each, in order');
  t.equal(w.link.controller('col-a')?.eventsUpTo, 3);
});

t.test('a gap is detected, asked for with a signed resend-events from the missing seq on, and filled in order', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a');
  await a.publishAsync(a.topic('evt'), evt(1), { qos: 1 });
  await evtackUpTo(a, 1);
  const gap = once<{ fromSeq: number; toSeq: number }>(w.link, 'gap');
  const resend = nextMessage(a, (topic) => topic === a.topic('cmd'));
  await a.publishAsync(a.topic('evt'), evt(4), { qos: 1 });
  t.match(await gap, { fromSeq: 2, toSeq: 3 });
  const cmd = parsePayload('cmd', (await resend).payload);
  if (!cmd.ok) throw new Error(cmd.message);
  // Open-ended: the controller sends again everything it holds from 2, in order (an event ahead is never stored).
  t.match(cmd.value, { type: 'resend-events', bankId: 'bank-1', controllerId: 'col-a', body: { fromSeq: 2 } });
  t.equal((cmd.value.body as { toSeq?: number }).toSeq, undefined);
  t.ok(verifyMessage(cmd.value, w.publicKey), 'resend-events is signed by the cloud key');
  t.equal(schemaErrors('cmd', cmd.value), null, 'valid by the published JSON Schema');
  t.ok(cmd.value.expiresAt > cmd.value.issuedAt);
  t.same((await w.journal.read('col-a')).map((e) => e.seq), [1], 'nothing after the gap stored yet');

  const acked = evtackUpTo(a, 4);
  for (const seq of [2, 3, 4]) await a.publishAsync(a.topic('evt'), evt(seq), { qos: 1 });
  t.equal((await acked).upTo, 4);
  t.same((await w.journal.read('col-a')).map((e) => e.seq), [1, 2, 3, 4], 'stored in order once the gap filled');
});

t.test('stored events survive a cloud restart: a replay is not stored again', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a');
  for (const seq of [1, 2]) await a.publishAsync(a.topic('evt'), evt(seq), { qos: 1 });
  await evtackUpTo(a, 2);
  await w.restartLink();
  t.equal(w.link.controller('col-a')?.eventsUpTo, 2, 'index rebuilt from disk');
  const acked = evtackUpTo(a, 3);
  for (const seq of [1, 2, 3]) await a.publishAsync(a.topic('evt'), evt(seq), { qos: 1 });
  t.equal((await acked).upTo, 3);
  t.same((await w.journal.read('col-a')).map((e) => e.seq), [1, 2, 3]);
});

t.test('controllers are kept apart: same seqs from two controllers are both stored', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a');
  const b = await controller(t, w, 'col-b');
  const acks = Promise.all([evtackUpTo(a, 2), evtackUpTo(b, 2)]);
  for (const seq of [1, 2]) {
    await a.publishAsync(a.topic('evt'), evt(seq, 1), { qos: 1 });
    await b.publishAsync(b.topic('evt'), evt(seq, 2), { qos: 1 });
  }
  await acks;
  t.same((await w.journal.read('col-a')).map((e) => [e.seq, (e.event as { door: number }).door]), [[1, 1], [2, 1]]);
  t.same((await w.journal.read('col-b')).map((e) => [e.seq, (e.event as { door: number }).door]), [[1, 2], [2, 2]]);
});

t.test('group commit: a burst of events costs far fewer fsyncs than events', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a');
  const before = w.journal.syncCount;
  const acked = evtackUpTo(a, 200);
  await Promise.all(Array.from({ length: 200 }, (_, i) => a.publishAsync(a.topic('evt'), evt(i + 1), { qos: 1 })));
  await acked;
  const syncs = w.journal.syncCount - before;
  t.ok(syncs < 200, `200 events in ${syncs} fsyncs`);
  t.same((await w.journal.read('col-a')).map((e) => e.seq), Array.from({ length: 200 }, (_, i) => i + 1));
});

t.test('a stored seq coming again with another event is a conflict: the stored one stays, the other is kept beside it', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a');
  for (const seq of [1, 2]) await a.publishAsync(a.topic('evt'), evt(seq), { qos: 1 });
  await evtackUpTo(a, 2);
  const conflict = once<{ seq: number }>(w.link, 'seq-conflict');
  await a.publishAsync(a.topic('evt'), evt(2, 7), { qos: 1 });
  t.equal((await conflict).seq, 2);
  t.same((await w.journal.read('col-a')).map((e) => (e.event as { door: number }).door), [1, 1], 'the stored event is kept');
  t.same((await w.journal.conflicts('col-a')).map((e) => [e.seq, (e.event as { door: number }).door]), [[2, 7]], 'the other one too, as a conflict');
});

t.test('what the fake controllers send is valid by the published JSON Schema too', async (t) => {
  const { schemaErrors } = await import('./helpers/world.ts');
  t.equal(schemaErrors('evt', JSON.parse(evt(1))), null);
  t.equal(schemaErrors('evt', JSON.parse(evt(2, 7))), null);
});
