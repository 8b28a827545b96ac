// The cloud's event sequence policy end to end, with real controllers (the simulator's bank) and the real cloud:
// a client holding a controller's stolen secret publishes future seqs, and the cloud's events journal loses its tail.
// Either way every event of the real controller is stored under its own seq, its outbox drains, and the activity
// log carries an alert naming the controller and the seqs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePayload, topicFor } from '@portier/protocol';
import { connect, expectCondition, restartCloud, seedAndProvision, startBank, startE2eCloud, stopCloud, tempDir } from '../helpers.ts';
import type { SimColumn } from '@portier/rig';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

/** Forces and shuts a door: two events, recorded by the controller. */
async function forceAndClose(col: SimColumn, door: number): Promise<void> {
  const from = col.events.length;
  col.door(door).force();
  await col.expectEvent((e) => e.body.type === 'door-forced' && e.body.door === door, 3000, from);
  col.door(door).close();
  await col.expectEvent((e) => e.body.type === 'door-closed' && e.body.door === door, 3000, from);
}

const drained = (col: SimColumn) => col.controller.linkStatus()?.outboxDepth === 0 && (col.controller.linkStatus()?.ackedUpTo ?? 0) >= col.events.length;

t.test('stolen secret, future seqs: the real controller keeps its seqs and is not stuck; the activity says so', async (t) => {
  const dir = tempDir(t, 'portier-e2e-seq-a-');
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud') });
  const p = await seedAndProvision(cloud, dir);
  const bank = await startBank(t, cloud, p, { columns: [2], dataDir: join(dir, 'controllers') });
  const a = bank.column(1);
  await forceAndClose(a, 1);
  await expectCondition(() => drained(a), 5000, 'first events confirmed');
  const next = a.events.length + 1;

  const thief = await connect(cloud.mqttUrl, { clientId: `${a.controllerId}-x`, username: a.controllerId, password: p.secrets.get(a.controllerId)!, reconnectPeriod: 0 });
  t.teardown(() => thief.endAsync(true));
  // All at once: a broker that lets only the newest session of an identity live pushes the thief off when the
  // controller reconnects.
  const sent = [];
  for (let seq = next + 2; seq < next + 12; seq++) {
    const forged = { v: 1 as const, seq, at: Date.now(), event: { type: 'door-forced' as const, door: 7 } };
    sent.push(thief.publishAsync(topicFor(p.seeded.bankId, a.controllerId, 'evt'), encodePayload('evt', forged), { qos: 1 }));
  }
  await Promise.allSettled(sent);
  await expectCondition(async () => (await cloud.service.queryActivity({ type: 'alert' })).some((x) => (x.detail ?? '').startsWith('event-ahead:')), 5000, 'the event-ahead alert');

  for (const door of [2, 3, 4]) await forceAndClose(a, door);
  await expectCondition(() => drained(a), 8000, 'the real controller\'s outbox drained');
  const stored = (await cloud.journal.read(a.controllerId)).map((e) => ({ seq: e.seq, type: e.event.type, door: (e.event as { door?: number }).door }));
  t.same(
    stored,
    a.events.map((e) => ({ seq: e.seq, type: e.body.type, door: (e.body as { door?: number }).door })),
    'every stored event is the real controller\'s, under its own seq',
  );
  const alerts = (await cloud.service.queryActivity({ type: 'alert' })).map((x) => x.detail ?? '');
  t.ok(alerts.some((d) => d.startsWith(`event-conflict: seq ${next + 2}`) && d.endsWith(`(controller ${a.controllerId})`)), 'the reused seqs are in the activity');
  t.ok((await cloud.journal.conflicts(a.controllerId)).every((c) => c.event.type === 'door-forced' && (c.event as { door: number }).door === 7), 'the thief\'s events are kept aside');
});

t.test('a cloud journal that lost its tail: the gap is recorded and alerted, the controller goes on', async (t) => {
  const dir = tempDir(t, 'portier-e2e-seq-b-');
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud') });
  const p = await seedAndProvision(cloud, dir);
  const bank = await startBank(t, cloud, p, { columns: [2], dataDir: join(dir, 'controllers') });
  const a = bank.column(1);
  for (const door of [1, 2, 3]) await forceAndClose(a, door);
  await expectCondition(() => drained(a), 5000, 'events confirmed');
  const n = a.events.length;

  // The cloud stops and its journal loses this controller's last three events.
  await stopCloud(cloud);
  const file = join(cloud.dataDir, 'sync', 'events', 'events.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const mine = lines.map((l, i) => [i, JSON.parse(l.replace(/^#[0-9a-f]{8} /, '')) as { controllerId: string }] as const).filter(([, r]) => r.controllerId === a.controllerId);
  const cut = new Set(mine.slice(-3).map(([i]) => i));
  writeFileSync(file, `${lines.filter((_, i) => !cut.has(i)).join('\n')}\n`);

  const cloud2 = await restartCloud(t, cloud);
  t.equal(cloud2.journal.storedUpTo(a.controllerId), n - 3);
  await expectCondition(() => a.controller.linkStatus()?.state === 'online', 8000, 'the controller reconnected');
  await forceAndClose(a, 4);
  await expectCondition(() => drained(a), 8000, 'the controller is not stalled: its outbox drained');
  t.same(
    (await cloud2.journal.read(a.controllerId)).map((e) => e.seq),
    a.events.map((e) => e.seq ?? 0).filter((s) => s <= n - 3 || s > n),
    'the events after the gap are stored',
  );
  t.match(await cloud2.journal.gaps(a.controllerId), [{ fromSeq: n - 2, toSeq: n }]);
  const alert = (await cloud2.service.queryActivity({ type: 'alert' })).find((x) => (x.detail ?? '').startsWith('event-gap:'));
  t.match(alert, { actor: { role: 'system', id: a.controllerId }, detail: new RegExp(`^event-gap: seqs ${n - 2}\\.\\.${n}: .*\\(controller ${a.controllerId}\\)$`) });
});
