// The cloud's one sequence policy (event-sequence.ts) against its two threats, through the real embedded broker:
// a plain MQTT.js client with a controller's stolen credential publishing future seqs, and an events journal that
// lost its tail. In both the real controller's events are stored under their own seqs, its outbox drains, and an
// alert names the controller and the seqs.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePayload, type EventBody } from '@portier/protocol';
import t, { type Test } from 'tap';
import { JOURNAL_FILE } from '../../src/sync/event-journal.ts';
import type { SequenceAlert } from '../../src/sync/event-sequence.ts';
import { client } from '../mqtt/helpers/env.ts';
import { OutboxController } from './helpers/outbox-controller.ts';
import { BANK, once, world, type World } from './helpers/world.ts';

const closed = (door: number): EventBody => ({ type: 'door-closed', door, openForMs: 1000 });

async function realController(t: Test, w: World, events: number): Promise<OutboxController> {
  const real = new OutboxController(t, { url: w.brk.url, bankId: BANK, password: w.secrets['col-a']! }, 'col-a', w.publicKey);
  await real.connect();
  const acked = once<number>(real, 'acked', (n) => n === events);
  for (let i = 1; i <= events; i++) await real.event(closed(i));
  await acked;
  return real;
}

/**
 * The thief: the controller's user name and secret on a client of its own, publishing all at once right after it
 * connects (a broker that lets only the newest session of an identity live pushes it off when the controller comes
 * back), then leaving.
 */
async function thief(t: Test, w: World, messages: Array<{ ch: 'evt' | 'reported'; payload: string | Buffer }>): Promise<void> {
  const c = await client(t, w.brk.url, { clientId: 'col-a-thief', username: 'col-a', password: w.secrets['col-a']! });
  await Promise.allSettled(messages.map((m) => c.publishAsync(`portier/v1/${BANK}/col-a/${m.ch}`, m.payload, { qos: 1 })));
  await c.endAsync(true);
}

const forgedEvt = (seq: number): { ch: 'evt'; payload: Buffer } => ({ ch: 'evt', payload: encodePayload('evt', { v: 1, seq, at: 1, event: { type: 'door-forced', door: 9 } }) });

function alertsOf(w: World): SequenceAlert[] {
  const alerts: SequenceAlert[] = [];
  w.link.on('sequence-alert', (a) => alerts.push(a));
  return alerts;
}

t.test('stolen credential: events published with future seqs never take the real controller\'s seqs', async (t) => {
  const w = await world(t, { alertWindowMs: 1500 });
  const alerts = alertsOf(w);
  const real = await realController(t, w, 5);

  // The thief publishes events 8..20 of its choosing.
  const ahead = once<SequenceAlert>(w.link, 'sequence-alert', (a) => a.kind === 'event-ahead');
  await thief(t, w, Array.from({ length: 13 }, (_, i) => forgedEvt(8 + i)));
  // The cloud asks the real controller for 6 on; it holds nothing there, and says so.
  const a = await ahead;
  t.match(a, { controllerId: 'col-a', bankId: BANK, fromSeq: 8 }, 'the seqs the controller did not send are named');
  t.match(a.detail, /not stored/);
  t.equal(w.journal.storedUpTo('col-a'), 5, 'nothing of the thief is stored');

  // The real controller goes on: 6..12 are its own, stored under their seqs; its outbox drains.
  const conflict = once<SequenceAlert>(w.link, 'sequence-alert', (x) => x.kind === 'event-conflict');
  const drained = once<number>(real, 'acked', (n) => n === 12);
  for (let i = 6; i <= 12; i++) await real.event(closed(i));
  await drained;
  t.same(real.outbox, [], 'the real controller\'s outbox is empty');
  const stored = await w.journal.read('col-a');
  t.same(stored.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  t.ok(stored.every((e) => e.event.type === 'door-closed'), 'every stored event is the real controller\'s');
  t.match(await conflict, { controllerId: 'col-a', fromSeq: 8, toSeq: 8, count: 1 }, 'the first reused seq is alerted at once');
  const folded = await once<SequenceAlert>(w.link, 'sequence-alert', (x) => x.kind === 'event-conflict' && x.count > 1, 6000);
  t.match(folded, { fromSeq: 9, toSeq: 12, count: 4 }, 'the rest of the window folded into one alert');
  const kept = await w.journal.conflicts('col-a');
  t.same(kept.map((e) => [e.seq, e.event.type]), [8, 9, 10, 11, 12].map((s) => [s, 'door-forced']), 'the other events are kept beside, not in place');
  t.ok(alerts.length <= 4, `${alerts.length} alerts for 13 forged events`);
});

t.test('a stored seq sent again with another body (after the thief won the race): both kept, acked, alerted', async (t) => {
  const w = await world(t);
  const real = await realController(t, w, 2);
  const storedBad = once<{ seq: number }>(w.link, 'event-stored', (e) => e.seq === 3);
  await thief(t, w, [forgedEvt(3)]);
  await storedBad;
  const alert = once<SequenceAlert>(w.link, 'sequence-alert', (a) => a.kind === 'event-conflict');
  const drained = once<number>(real, 'acked', (n) => n === 4);
  await real.event(closed(3));
  await real.event(closed(4));
  await drained;
  t.match(await alert, { controllerId: 'col-a', fromSeq: 3, toSeq: 3 });
  t.same(real.outbox, [], 'not stuck: the outbox drained');
  t.same((await w.journal.conflicts('col-a')).map((e) => [e.seq, e.event.type]), [[3, 'door-closed']], 'the real event 3 is kept');
  t.same((await w.journal.read('col-a')).map((e) => e.seq), [1, 2, 3, 4]);

  // After a restart the cloud still tells a replay of the stored event from another one.
  await w.restartLink();
  const again = once<{ seq: number }>(w.link, 'seq-conflict', (c) => c.seq === 4, 3000);
  await thief(t, w, [forgedEvt(4)]);
  t.equal((await again).seq, 4, 'fingerprints of recent seqs survive a restart');
});

t.test('a journal that lost its tail: the gap is recorded on the controller\'s signed evtack and ingestion goes on', async (t) => {
  const w = await world(t);
  const alerts = alertsOf(w);
  const real = await realController(t, w, 10);
  t.equal(real.proof?.upTo, 10, 'the controller holds the cloud\'s signed evtack for 10');

  // The cloud stops; its journal loses events 7..10 (a crash, a restore from an older backup).
  await w.restartLink(async () => {
    const file = join(w.dataDir, 'events', JOURNAL_FILE);
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    await writeFile(file, `${lines.slice(0, 6).join('\n')}\n`);
  });
  w.link.on('sequence-alert', (a) => alerts.push(a));
  t.equal(w.journal.storedUpTo('col-a'), 6);

  const gap = once<SequenceAlert>(w.link, 'sequence-alert', (a) => a.kind === 'event-gap', 5000);
  const drained = once<number>(real, 'acked', (n) => n === 12, 5000);
  await real.event(closed(11));
  await real.event(closed(12));
  t.match(await gap, { bankId: BANK, controllerId: 'col-a', fromSeq: 7, toSeq: 10 }, 'an alert names the controller and the lost seqs');
  await drained;
  t.same(real.outbox, [], 'the controller is not stalled: its outbox drained');
  t.same((await w.journal.read('col-a')).map((e) => e.seq), [1, 2, 3, 4, 5, 6, 11, 12], 'later events stored');
  t.match(await w.journal.gaps('col-a'), [{ fromSeq: 7, toSeq: 10 }]);
  t.notOk(alerts.some((a) => a.kind === 'event-conflict' || a.kind === 'event-ahead'), 'no other alert');

  // The journal with its gap record loads again, and numbering goes on from there.
  await w.restartLink();
  t.equal(w.journal.storedUpTo('col-a'), 12);
  const more = once<number>(real, 'acked', (n) => n === 13);
  await real.event(closed(13));
  await more;
});

t.test('events far ahead without the cloud\'s signature for the seqs before them are never taken as a gap', async (t) => {
  const w = await world(t);
  await realController(t, w, 3);
  // A reported with a made-up evtack (no valid signature), then an event far ahead.
  const fake = { v: 1, bankId: BANK, controllerId: 'col-a', upTo: 50, issuedAt: 1, sig: 'A'.repeat(86) };
  const reported = { v: 1, at: 1, desiredVersion: null, desiredHash: null, doors: [], bus: { state: 'ok', consecutiveFailures: 0 }, firmware: 'x', bootId: 'b', uptimeS: 1, outboxDepth: 0, clockOffsetMs: null, evtack: fake };
  const gapAsked = once<{ fromSeq: number }>(w.link, 'gap');
  await thief(t, w, [{ ch: 'reported', payload: JSON.stringify(reported) }, forgedEvt(51)]);
  t.equal((await gapAsked).fromSeq, 4, 'asked for, not accepted');
  t.same(await w.journal.gaps('col-a'), []);
  t.equal(w.journal.storedUpTo('col-a'), 3);
});
