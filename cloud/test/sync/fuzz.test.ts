// Whatever a controller (or anyone with broker rights) puts on a channel the cloud reads, the link logs and drops
// it or handles it, and keeps working: property-based, with arbitrary bytes and arbitrary JSON.
import fc from 'fast-check';
import t from 'tap';
import type { Channel } from '@portier/protocol';
import { controller, once, world } from './helpers/world.ts';

t.test('arbitrary payloads on ack, evt, reported, status never break the link', async (t) => {
  const w = await world(t);
  const a = await controller(t, w, 'col-a');
  let handled = 0;
  w.link.on('dropped', () => handled++);
  w.link.on('ack', () => handled++);
  w.link.on('reported', () => handled++);
  w.link.on('controller-online', () => handled++);
  w.link.on('controller-offline', () => handled++);
  w.link.on('event-stored', () => handled++);
  const channel = fc.constantFrom<Channel>('ack', 'evt', 'reported', 'status');
  const payload = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    // Near misses: valid envelopes with one field changed.
    fc.record({ v: fc.constantFrom(1, 2, '1'), seq: fc.oneof(fc.integer(), fc.double()), at: fc.integer(), event: fc.jsonValue() }).map((v) => Buffer.from(JSON.stringify(v))),
    fc.record({ v: fc.constant(1), commandId: fc.string(), status: fc.string(), at: fc.integer() }).map((v) => Buffer.from(JSON.stringify(v))),
  );
  await fc.assert(
    fc.asyncProperty(channel, payload, async (ch, p) => {
      await a.publishAsync(a.topic(ch), p, { qos: 1, retain: false });
    }),
    { numRuns: 150 },
  );
  // Still alive and in order: a good event after the storm is stored (seq after any that slipped through).
  const next = w.journal.appendedUpTo('col-a') + 1;
  const stored = once<{ seq: number }>(w.link, 'event-stored', (e) => e.seq === next);
  await a.publishAsync(a.topic('evt'), JSON.stringify({ v: 1, seq: next, at: 1, event: { type: 'door-forced', door: 1 } }), { qos: 1 });
  t.equal((await stored).seq, next, 'link still stores events');
  t.ok(handled >= 150, `every message was handled or dropped (${handled})`);
});
