// The controller keeps the cloud's signed evtack as the proof of what the cloud stored, across restarts, and shows it
// in `reported`: first of all when the cloud asks again for events it already confirmed (its journal lost them).
import { signMessage, verifyMessage, type EvtAck, type Reported } from '@portier/protocol';
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { CloudClock } from '../../src/clock/cloud-clock.ts';
import { CommandStore } from '../../src/link/command-store.ts';
import type { LinkConnection } from '../../src/link/connection.ts';
import { EventPump } from '../../src/link/event-pump.ts';
import { Outbox } from '../../src/link/outbox.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { makeCommand, waitForEvent } from './helpers/cloud.ts';
import { BANK, CTRL, fixture } from './helpers/fixture.ts';

t.test('the signed evtack is kept, survives a restart, and is reported before a resend of events already confirmed', async (t) => {
  const f = await fixture(t);
  let link = await f.startLink();
  for (let i = 0; i < 5; i++) await link.publishEvent({ type: 'door-closed', door: 1, openForMs: i });
  const acked = waitForEvent(link as never, 'evtack', (e: { upTo: number }) => e.upTo === 3);
  await f.cloud.sendEvtack(BANK, CTRL, 3);
  await acked;
  await link.stop();
  link = await f.startLink();

  const from = f.cloud.received.length;
  const c = makeCommand(f.key, 'resend-events', { fromSeq: 1 }, f.target);
  const ack = await f.cloud.command(c);
  t.match(ack.detail, /resent 2 events \(up to 3 already confirmed\)/);
  const after = f.cloud.received.slice(from);
  const rep = after.findIndex((r) => r.channel === 'reported');
  const firstEvt = after.findIndex((r) => r.channel === 'evt');
  t.ok(rep >= 0 && rep < firstEvt, 'reported goes out before the resent events');
  const proof = (after[rep]!.json as Reported).evtack as EvtAck;
  t.equal(proof.upTo, 3);
  t.ok(verifyMessage(proof, f.publicKey), 'the cloud\'s signature, as received');
});

t.test('an evtack confirming seqs this controller never numbered is not kept as proof', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink();
  for (let i = 0; i < 2; i++) await link.publishEvent({ type: 'door-closed', door: 1, openForMs: i });
  // The broker has both (its PUBACK comes before anything it forwards later on the same connection).
  await f.cloud.waitFor((r) => r.channel === 'evt' && (r.json as { seq: number }).seq === 2);
  let acked = waitForEvent(link as never, 'evtack', (e: { upTo: number }) => e.upTo === 1);
  await f.cloud.sendEvtack(BANK, CTRL, 1);
  await acked;
  acked = waitForEvent(link as never, 'evtack', (e: { upTo: number }) => e.upTo === 40);
  await f.cloud.sendEvtack(BANK, CTRL, 40);
  await acked;
  t.equal(link.status().ackedUpTo, 2, 'its own events that the broker took are dropped');
  await link.stop();
  const outbox = await Outbox.open(f.dir);
  t.teardown(() => outbox.close());
  t.equal(outbox.lastEvtack?.upTo, 1, 'the proof stays the last one that confirmed only its own events');
});

t.test('an evtack beyond its numbering never drops events the broker has not taken', async (t) => {
  // The event pump alone, on a connection whose broker took seq 1 (PUBACK) and then went away.
  const dir = mkdtempSync(join(tmpdir(), 'portier-pump-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { privateKey: key, publicKey } = generateKeyPairSync('ed25519');
  const outbox = await Outbox.open(dir);
  const commands = await CommandStore.open(dir);
  t.teardown(async () => {
    await outbox.close();
    await commands.close();
  });
  let online = true;
  const published: number[] = [];
  const conn = {
    onlineClient: () => (online ? { client: {} as MqttClient, gen: 1 } : undefined),
    isCurrent: (gen: number) => gen === 1,
    publish: ((_client: MqttClient, _channel: string, msg: { seq: number }, cb?: (err?: Error) => void) => {
      published.push(msg.seq);
      cb?.();
    }) as unknown as LinkConnection['publish'],
  };
  const pump = new EventPump({
    key: publicKey,
    bankId: BANK,
    controllerId: CTRL,
    outbox,
    commands,
    clock: new CloudClock(),
    conn,
    log: silentLogger,
    learn: () => undefined,
    drop: (code, message) => t.fail(`evtack dropped: ${code} ${message}`),
    evtack: () => undefined,
    buildReported: () => {
      throw new Error('not asked for');
    },
    evtackTimeoutMs: 30_000,
  });
  pump.connected();
  await pump.publish({ type: 'door-closed', door: 1, openForMs: 1 });
  t.same(published, [1], 'the broker took seq 1');
  online = false;
  // Made while the broker is away: on disk, never published.
  await pump.publish({ type: 'door-forced', door: 2 });
  await pump.publish({ type: 'door-closed', door: 2, openForMs: 5 });
  // An evtack for seqs this controller never numbered (a second publisher's), as the session would hand it over.
  const m = signMessage({ v: 1 as const, bankId: BANK, controllerId: CTRL, upTo: 40, issuedAt: Date.now() }, key);
  pump.onEvtack(Buffer.from(JSON.stringify(m)));
  t.equal(outbox.ackedUpTo, 1, 'only what the broker took');
  t.equal(outbox.depth, 2, 'the events it never sent are kept');
});

t.test('an outbox written before the proof was kept still loads', async (t) => {
  const f = await fixture(t);
  const { writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  // Files as the previous release wrote them: a snapshot without `evtack`, log lines `{k}` without `a`.
  const e = (seq: number) => ({ v: 1, seq, at: 1_790_000_000_000, event: { type: 'door-closed', door: 1, openForMs: 1 } });
  await writeFile(join(f.dir, 'outbox.json'), JSON.stringify({ v: 1, nextSeq: 3, ackedUpTo: 1, entries: [e(2)] }));
  await writeFile(join(f.dir, 'outbox.log'), `${JSON.stringify({ e: e(3) })}\n${JSON.stringify({ k: 2 })}\n`);
  const outbox = await Outbox.open(f.dir);
  t.teardown(() => outbox.close());
  t.equal(outbox.reset, undefined, 'nothing set aside');
  t.equal(outbox.ackedUpTo, 2);
  t.same(outbox.entries().map((x) => x.seq), [3]);
  t.equal(outbox.lastEvtack, undefined);
});
