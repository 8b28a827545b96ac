// End to end: the cloud and its broker (the embedded one, or Mosquitto or every node of the NATS cluster stopped with
// it) stop while a controller keeps producing door events and a remote open is pending; the open is answered
// `timed_out`; the broker and the cloud restart on the same data folder and broker ports (a cluster on the stores its
// nodes kept); every event is then stored exactly once and in order, and the expired open never runs.
import { join } from 'node:path';
import type { SimColumn } from '@portier/rig';
import { Recorder, acrossBrokerMs, api, expectCondition, login, onlineWithinMs, restartCloud, seedAndProvision, startBank, startE2eCloud, stopCloud, tempDir } from '../helpers.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

/** The controller holds no event the cloud has not confirmed: it sends nothing more. */
const drained = (col: SimColumn, n: number): boolean => col.controller.linkStatus()?.outboxDepth === 0 && (col.controller.linkStatus()?.ackedUpTo ?? 0) >= n;

t.test('outage: events produced while the cloud is away are stored once, in seq order; the pending open times out and never runs', async (t) => {
  const dir = tempDir(t, 'portier-e2e-outage-');
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud'), remoteOpenTimeoutMs: acrossBrokerMs(1000) });
  const rec = await Recorder.start(t, cloud);
  const p = await seedAndProvision(cloud, dir);
  const controllersDir = join(dir, 'controllers');
  // A: column 2 (lockers 6-12) keeps running and produces events; B: column 1 (lockers 1-5), the remote open's target.
  const bankA = await startBank(t, cloud, p, { columns: [2], dataDir: controllersDir });
  const bankB = await startBank(t, cloud, p, { columns: [1], dataDir: controllersDir });
  const a = bankA.column(1);
  const b = bankB.column(1);
  const token = await login(cloud);

  // Online: a door forced and shut.
  a.door(1).force();
  await a.expectEvent((e) => e.body.type === 'door-forced');
  a.door(1).close();
  await a.expectEvent((e) => e.body.type === 'door-closed');
  await expectCondition(async () => (await cloud.journal.read(a.controllerId)).length === a.events.length, acrossBrokerMs(5000), 'online events stored');
  const onlineCount = a.events.length;

  // B goes away; a remote open for its locker 1 is sent and stays pending (nobody to deliver it to).
  await bankB.close();
  const recFrom = rec.received.length;
  const pending = api(cloud, 'POST', `/banks/${p.seeded.bankId}/lockers/1/open`, token, { reason: 'outage test' });
  const cmd = await rec.waitFor((m) => m.channel === 'cmd' && m.controllerId === b.controllerId, acrossBrokerMs(3000), recFrom);
  const expiresAt = cmd.json['expiresAt'] as number;

  // The cloud and the broker stop while the open is pending, and A keeps producing events during and after the stop.
  const stopping = stopCloud(cloud, { broker: true });
  a.door(2).force();
  a.door(3).force();
  const reply = await pending;
  t.match(reply, { status: 200, json: { outcome: 'timed_out', commandId: cmd.json['id'] } }, 'the caller is told timed_out');
  await stopping;
  await expectCondition(() => a.controller.linkStatus()?.state !== 'online', 5000, 'A sees the broker gone');
  a.door(2).close();
  a.door(3).close();
  a.door(4).force();
  await a.expectEvent((e) => e.body.type === 'door-forced' && e.body.door === 4);
  a.door(4).close();
  await expectCondition(() => a.events.length >= onlineCount + 6, 3000, 'A recorded the outage events');
  t.ok(Date.now() > expiresAt, 'the pending command has expired');

  // Restart on the same data folder and the same broker ports; B comes back too (same controller data folder).
  const cloud2 = await restartCloud(t, cloud);
  const restartFrom = rec.received.length;
  const bankB2 = await startBank(t, cloud2, p, { columns: [1], dataDir: controllersDir });
  const b2 = bankB2.column(1);
  await expectCondition(() => a.controller.linkStatus()?.state === 'online', onlineWithinMs(), 'A reconnected');
  const local = a.events.map((e) => ({ seq: e.seq, type: e.body.type }));
  await expectCondition(async () => (await cloud2.journal.read(a.controllerId)).length >= local.length, acrossBrokerMs(8000), 'every event stored');
  // Once every event is confirmed the controller sends none again: a duplicate would have been stored before.
  await expectCondition(() => drained(a, local.length), acrossBrokerMs(8000), "A's outbox drained");
  const stored = (await cloud2.journal.read(a.controllerId)).map((e) => ({ seq: e.seq, type: e.event.type }));
  t.same(stored, local, `all ${local.length} events stored exactly once, in seq order`);
  t.same(stored.map((e) => e.seq), local.map((_, i) => i + 1), 'seqs 1..n with no gap');
  t.equal(cloud2.link.controller(a.controllerId)?.eventsUpTo, local.length, 'the link API shows every event stored');
  t.ok(stored.filter((e) => e.type === 'door-forced').length >= 4, 'the forced doors are there');

  // The expired open never runs: not re-sent by the restarted cloud, B's door stays shut and never energised. A new
  // open of another of B's lockers, answered, shows B has taken whatever was queued for it before.
  const token2 = await login(cloud2);
  const after = await api(cloud2, 'POST', `/banks/${p.seeded.bankId}/lockers/2/open`, token2, { reason: 'after the outage' });
  t.match(after, { status: 200, json: { outcome: 'opened' } }, 'B answers a new open after the restart');
  b2.door(2).close();
  t.notOk(
    rec.received.slice(restartFrom).some((m) => m.channel === 'cmd' && m.json['id'] !== after.json.commandId),
    'no command re-sent after the restart',
  );
  t.notOk(b2.door(1).open, 'B door 1 shut');
  t.equal(b2.door(1).energised.length, 0, 'B door 1 never energised');
  t.notOk(b.door(1).open || b.door(1).energised.length > 0, 'nor before the restart');
  const audit = await cloud2.service.queryActivity({ type: 'remote-open' });
  t.ok(audit.some((x) => (x.detail ?? '').includes(String(cmd.json['id'])) && /timed_out/.test(x.detail ?? '')), 'the timed-out open is audited');
  rec.expectSchemasMatched(t);
});

t.test('a remote open queued at the broker for an offline controller expires; delivered late, it is rejected expired and never runs', async (t) => {
  const dir = tempDir(t, 'portier-e2e-late-');
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud'), remoteOpenTimeoutMs: acrossBrokerMs(800) });
  const rec = await Recorder.start(t, cloud);
  const p = await seedAndProvision(cloud, dir);
  const controllersDir = join(dir, 'controllers');
  const bank = await startBank(t, cloud, p, { columns: [1], dataDir: controllersDir });
  const b = bank.column(1);
  const token = await login(cloud);
  // The controller stops (its persistent session stays at the broker); the open waits for it and times out.
  await bank.close();
  const reply = await api(cloud, 'POST', `/banks/${p.seeded.bankId}/lockers/2/open`, token, { reason: 'late delivery test' });
  t.match(reply, { status: 200, json: { outcome: 'timed_out' } }, 'the caller is told timed_out');
  const commandId = reply.json.commandId as string;
  // The controller comes back: whatever the broker still holds for it must not open the door.
  const bank2 = await startBank(t, cloud, p, { columns: [1], dataDir: controllersDir });
  const b2 = bank2.column(1);
  // The broker kept the QoS 1 command in the controller's persistent session and delivers it now, expired.
  const ack = await rec.waitFor((m) => m.channel === 'ack' && m.json['commandId'] === commandId, acrossBrokerMs(3000));
  t.match(ack.json, { status: 'rejected', reason: 'expired' }, 'delivered late: rejected expired');
  // A new open, answered: the controller has taken everything queued for it before (a second delivery included).
  const after = await api(cloud, 'POST', `/banks/${p.seeded.bankId}/lockers/3/open`, token, { reason: 'after the late delivery' });
  t.match(after, { status: 200, json: { outcome: 'opened' } }, 'a new open runs');
  b2.door(3).close();
  t.equal(rec.received.filter((m) => m.channel === 'ack' && m.json['commandId'] === commandId).length, 1, 'answered once');
  t.notOk(b2.door(2).open || b.door(2).open, 'door 2 shut');
  t.equal(b2.door(2).energised.length + b.door(2).energised.length, 0, 'door 2 never energised');
  rec.expectSchemasMatched(t);
});
