import t from 'tap';
import { readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { desiredStateHash, type PortierEvent } from '@portier/protocol';
import { spyFileHandles } from '../../../scripts/test/contracts/fs-spy.ts';
import { fixture, BANK, CTRL, OTHER } from './helpers/fixture.ts';
import { makeCommand, openDoorBody, publishedSchemaValidator, sampleState, waitForEvent } from './helpers/cloud.ts';

const evtSeqs = (msgs: Array<{ json: unknown }>): number[] => msgs.map((m) => (m.json as PortierEvent).seq);

t.test('desired state is applied by version, persisted, reported with its hash; older and forged ones are not applied', async (t) => {
  const f = await fixture(t);
  let link = await f.startLink();
  const s2 = sampleState();
  const applied = waitForEvent(link as never, 'desired');
  await f.cloud.sendDesired(BANK, CTRL, 2, s2);
  await applied;
  const rep = await f.cloud.waitFor((r) => r.channel === 'reported' && (r.json as { desiredVersion: number | null }).desiredVersion === 2);
  t.equal((rep.json as { desiredHash: string }).desiredHash, desiredStateHash(s2), 'reported hash is the hash of what was applied');
  t.equal((rep.json as { doors: unknown[] }).doors.length, 3);

  // Older version: ignored and reported as desired-rejected.
  const rejected = waitForEvent(link as never, 'desired-rejected');
  await f.cloud.sendDesired(BANK, CTRL, 1, sampleState({ doors: [] }));
  const [older] = (await rejected) as [{ version: number; reason: string }];
  t.equal(older.version, 1);
  t.match(older.reason, /older/);
  // Forged (wrong key) and for another controller: rejected, with an event the cloud sees.
  const r2 = waitForEvent(link as never, 'desired-rejected', (e: { version: number }) => e.version === 9);
  await f.cloud.sendDesired(BANK, CTRL, 9, sampleState({ doors: [] }), f.wrongKey);
  t.match(((await r2) as unknown as [{ reason: string }])[0].reason, /signature/);
  const r3 = waitForEvent(link as never, 'desired-rejected', (e: { version: number }) => e.version === 10);
  await f.cloud.publishRaw(
    BANK,
    CTRL,
    'desired',
    JSON.stringify((await import('@portier/protocol')).signMessage({ v: 1 as const, bankId: BANK, controllerId: OTHER, version: 10, issuedAt: Date.now(), state: sampleState() }, f.key)),
  );
  t.match(((await r3) as unknown as [{ reason: string }])[0].reason, /col-2/);
  await f.cloud.waitFor((r) => r.channel === 'evt' && (r.json as PortierEvent).event.type === 'desired-rejected' && (r.json as { event: { version: number } }).event.version === 10);
  t.equal(link.status().desiredVersion, 2);

  // Survives a restart (and the retained copy is not needed for it).
  await f.cloud.publishRaw(BANK, CTRL, 'desired', '', true);
  await link.stop();
  link = await f.startLink();
  t.equal(link.desired.version, 2);
  t.equal(link.desired.hash, desiredStateHash(s2));
  // A newer one replaces it.
  const s3 = sampleState({ doors: sampleState().doors.slice(0, 1) });
  const a3 = waitForEvent(link as never, 'desired', (e: { desired: { version: number } }) => e.desired.version === 3);
  await f.cloud.sendDesired(BANK, CTRL, 3, s3);
  await a3;
  const rep3 = await f.cloud.waitFor((r) => r.channel === 'reported' && (r.json as { desiredVersion: number | null }).desiredVersion === 3);
  t.equal((rep3.json as { desiredHash: string }).desiredHash, desiredStateHash(s3));
});

t.test('events: seq from a durable outbox, published in order, dropped on signed evtack, replayed after restart', async (t) => {
  const f = await fixture(t);
  let link = await f.startLink();
  // A burst shares durable writes (counted as the fdatasyncs of the outbox's log).
  const spy = await spyFileHandles(t);
  const outboxLog = join(realpathSync(f.dir), 'outbox.log');
  const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => link.publishEvent({ type: 'door-closed', door: 1, openForMs: i })));
  const writes = spy.count('datasync', outboxLog);
  spy.heal();
  t.same(burst.map((e) => e.seq), Array.from({ length: 20 }, (_, i) => i + 1));
  t.ok(writes <= 2, `20 events took ${writes} durable writes`);
  await f.cloud.waitFor(() => f.cloud.of('evt').length >= 20);
  t.same(evtSeqs(f.cloud.of('evt')), burst.map((e) => e.seq), 'published in seq order');

  // A forged evtack is ignored; a signed one drops what it covers.
  await f.cloud.sendEvtack(BANK, CTRL, 20, f.wrongKey);
  const acked = waitForEvent(link as never, 'evtack');
  await f.cloud.sendEvtack(BANK, CTRL, 12);
  await acked;
  t.equal(link.status().outboxDepth, 8);
  t.equal(link.status().ackedUpTo, 12);

  // Restart: what was not acked is replayed in order, and numbering continues.
  await link.stop();
  const n = f.cloud.of('evt').length;
  link = await f.startLink();
  await f.cloud.waitFor(() => f.cloud.of('evt').length >= n + 8);
  t.same(evtSeqs(f.cloud.of('evt').slice(n)), [13, 14, 15, 16, 17, 18, 19, 20]);
  const next = await link.publishEvent({ type: 'door-forced', door: 2 });
  t.equal(next.seq, 21);

  // resend-events re-publishes the range still held.
  const m = f.cloud.of('evt').length;
  const c = makeCommand(f.key, 'resend-events', { fromSeq: 15, toSeq: 17 }, f.target);
  t.equal((await f.cloud.command(c)).status, 'done');
  await f.cloud.waitFor(() => f.cloud.of('evt').length >= m + 4);
  t.same(evtSeqs(f.cloud.of('evt').slice(m)).filter((s) => s >= 15 && s <= 17), [15, 16, 17]);

  const validate = publishedSchemaValidator();
  for (const e of f.cloud.of('evt')) t.equal(validate('evt', e.json), undefined);
});

t.test('broker outage: events queued while it is down are delivered after it returns; an expired open never runs', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink({ evtackTimeoutMs: 300 });
  await link.publishEvent({ type: 'door-closed', door: 1, openForMs: 1 });
  await f.cloud.waitFor(() => f.cloud.of('evt').length >= 1);
  const backoff = waitForEvent(link as never, 'state', (s: { state: string }) => s.state === 'backoff');
  await f.broker.stop();
  await backoff;
  t.not(link.status().state, 'online');
  for (let i = 0; i < 10; i++) await link.publishEvent({ type: 'door-closed', door: 2, openForMs: i });
  t.equal(link.status().outboxDepth, 11);
  const online = waitForEvent(link as never, 'state', (s: { state: string }) => s.state === 'online', 5000);
  await f.broker.restart();
  await online;
  t.ok(link.status().attempts === 0);
  // The cloud reconnects too (its own client retries, maybe after the controller replayed into a broker with no
  // subscriber yet): without an evtack the controller publishes the outbox again.
  await f.cloud.waitFor(() => new Set(evtSeqs(f.cloud.of('evt'))).size >= 11, 8000);
  const seqs = evtSeqs(f.cloud.of('evt'));
  const firstSeen = seqs.filter((s, i) => seqs.indexOf(s) === i);
  t.same(firstSeen, Array.from({ length: 11 }, (_, i) => i + 1), 'every event, in order (the cloud dedups by seq)');
  // A command that expired while it could not be delivered is refused, the door stays shut.
  const now = Date.now();
  const late = makeCommand(f.key, 'open-door', openDoorBody(1), f.target, { issuedAt: now - 20_000, expiresAt: now - 5_000 });
  t.match(await f.cloud.command(late), { status: 'rejected', reason: 'expired' });
  t.equal(f.executor.calls.length, 0);
});

t.test('corrupt local files are set aside and reported; the controller starts safe', async (t) => {
  const f = await fixture(t);
  writeFileSync(join(f.dir, 'commands.json'), '{"v":1,"seen":');
  writeFileSync(join(f.dir, 'outbox.json'), JSON.stringify({ v: 1, nextSeq: 'many', ackedUpTo: 0, entries: [] }));
  writeFileSync(join(f.dir, 'desired.json'), '\u0000\u0000garbage');
  const resets: string[] = [];
  const link = await f.startLink({}, false);
  link.on('local-state-reset', (r) => resets.push(r.what));
  await waitForEvent(link as never, 'state', (s: { state: string }) => s.state === 'online');
  const aside = readdirSync(f.dir).filter((n) => n.includes('.corrupt-'));
  t.equal(aside.length, 3, `set aside: ${aside.join(', ')}`);
  await f.cloud.waitFor(() => f.cloud.of('evt').filter((e) => (e.json as PortierEvent).event.type === 'local-state-reset').length >= 3);
  const what = f.cloud
    .of('evt')
    .map((e) => (e.json as PortierEvent).event)
    .filter((e) => e.type === 'local-state-reset')
    .map((e) => (e as { what: string }).what)
    .sort();
  t.same(what, ['desired', 'outbox', 'seen-ids']);
  t.equal(link.status().desiredVersion, null, 'no desired state guessed');
  // Safe: a command issued before the reset may have been seen before; it is refused rather than guessed.
  const old = makeCommand(f.key, 'open-door', openDoorBody(1), f.target, { issuedAt: Date.now() - 5_000 });
  t.match(await f.cloud.command(old), { status: 'rejected', reason: 'replayed' });
  const fresh = makeCommand(f.key, 'open-door', openDoorBody(1), f.target, { issuedAt: Date.now() + 50 });
  t.equal((await f.cloud.command(fresh)).status, 'opened', 'new commands are served');
  // And it takes what the cloud sends.
  const applied = waitForEvent(link as never, 'desired');
  await f.cloud.sendDesired(BANK, CTRL, 4, sampleState());
  await applied;
  t.equal(link.status().desiredVersion, 4);
});

t.test('a desired file that was tampered with on disk does not verify and is set aside', async (t) => {
  const f = await fixture(t);
  let link = await f.startLink();
  const applied = waitForEvent(link as never, 'desired');
  await f.cloud.sendDesired(BANK, CTRL, 5, sampleState());
  await applied;
  await f.cloud.publishRaw(BANK, CTRL, 'desired', '', true);
  await link.stop();
  const p = join(f.dir, 'desired.json');
  const text = (await import('node:fs')).readFileSync(p, 'utf8').replace('"out-of-service"', '"in-service"');
  writeFileSync(p, text);
  const resets: Array<{ what: string; reason: string }> = [];
  link = await f.startLink({}, false);
  link.on('local-state-reset', (r) => resets.push(r));
  await waitForEvent(link as never, 'state', (s: { state: string }) => s.state === 'online');
  t.equal(link.status().desiredVersion, null);
  await f.cloud.waitFor((r) => r.channel === 'evt' && (r.json as PortierEvent).event.type === 'local-state-reset');
  t.ok(readdirSync(f.dir).some((n) => n.startsWith('desired.json.corrupt-')));
});

t.test('malformed payloads on evtack and desired are dropped without a crash', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink();
  const dropped: string[] = [];
  link.on('dropped', (d) => dropped.push(d.channel));
  const junk = ['', 'nope', '{}', '[1,2]', '{"v":2}', Buffer.from([0xc3, 0x28]), JSON.stringify({ v: 1, bankId: BANK, controllerId: CTRL, upTo: -1, issuedAt: 1, sig: 'x' })];
  for (const j of junk) {
    await f.cloud.publishRaw(BANK, CTRL, 'evtack', j);
    await f.cloud.publishRaw(BANK, CTRL, 'desired', j);
  }
  await f.cloud.publishRaw(BANK, CTRL, 'desired', 'x'.repeat(100), true);
  const c = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  t.equal((await f.cloud.command(c)).status, 'opened');
  t.equal(dropped.filter((d) => d === 'evtack').length, junk.length);
  // Empty desired = retained cleared: ignored, not "dropped".
  t.equal(dropped.filter((d) => d === 'desired').length, junk.length);
  t.equal(link.status().state, 'online');
  t.equal(link.status().desiredVersion, null);
});

t.test('what the link accepted (cmd, evtack, desired) validates against the published JSON Schemas too', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink();
  const accepted: Array<{ channel: 'cmd' | 'evtack' | 'desired'; json: unknown }> = [];
  const c = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  await f.cloud.command(c);
  accepted.push({ channel: 'cmd', json: c });
  await link.publishEvent({ type: 'door-forced', door: 1 });
  const acked = waitForEvent(link as never, 'evtack', (e: { dropped: number }) => e.dropped === 1);
  await f.cloud.sendEvtack(BANK, CTRL, 1);
  await acked;
  const applied = waitForEvent(link as never, 'desired');
  await f.cloud.sendDesired(BANK, CTRL, 1, sampleState());
  const [{ desired }] = (await applied) as unknown as [{ desired: unknown }];
  accepted.push({ channel: 'desired', json: desired });
  const ev = f.broker.published.find((p) => p.topic.endsWith('/evtack'));
  t.ok(ev);
  accepted.push({ channel: 'evtack', json: JSON.parse(ev?.payload.toString('utf8') ?? 'null') });
  const validate = publishedSchemaValidator();
  for (const a of accepted) t.equal(validate(a.channel, a.json), undefined, `${a.channel} matches ${a.channel}.schema.json`);
});

t.test('the birth names the features given, and none when given none (as the first release sent it)', async (t) => {
  const f = await fixture(t);
  const valid = publishedSchemaValidator();
  const births = (): Array<Record<string, unknown>> =>
    f.cloud.of('status', CTRL).map((r) => r.json as Record<string, unknown>).filter((j) => j.state === 'online');
  const first = await f.startLink();
  await f.cloud.waitFor((r) => r.channel === 'status' && (r.json as { state: string }).state === 'online');
  t.notOk('features' in births()[0]!, 'no features key');
  await first.stop();
  await f.startLink({ features: ['branding'], bootId: 'boot-2' });
  const birth = (await f.cloud.waitFor((r) => r.channel === 'status' && (r.json as { bootId?: string }).bootId === 'boot-2')).json;
  t.same((birth as { features?: string[] }).features, ['branding']);
  t.equal(valid('status', birth), undefined, 'valid by the published JSON Schema');
});
