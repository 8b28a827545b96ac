import t from 'tap';
import { expectCondition } from '@portier/sim';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLine, signMessage, type Command } from '@portier/protocol';
import { ControllerLink } from '../../src/link/controller-link.ts';
import { fixture, BANK, CTRL, OTHER, SECRET } from './helpers/fixture.ts';
import { FakeExecutor, makeCommand, openDoorBody, publishedSchemaValidator, waitForEvent } from './helpers/cloud.ts';

t.test('birth status and reported on connect; everything sent validates against the published JSON Schemas', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink();
  const birth = await f.cloud.waitFor((r) => r.channel === 'status' && (r.json as { state?: string }).state === 'online');
  t.equal((birth.json as { bootId: string }).bootId, link.bootId);
  await f.cloud.waitFor((r) => r.channel === 'reported');
  t.equal(link.status().state, 'online');
  // A few commands and events so every controller channel has traffic.
  const c = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  await f.cloud.command(c);
  await link.publishEvent({ type: 'door-closed', door: 1, openForMs: 1200 });
  await f.cloud.waitFor((r) => r.channel === 'evt');
  await link.stop();
  await f.cloud.waitFor((r) => r.channel === 'status' && (r.json as { state?: string }).state === 'offline');
  const validate = publishedSchemaValidator();
  const sent = f.broker.published.filter((p) => p.clientId === CTRL);
  t.ok(sent.length >= 5, `controller published ${sent.length} messages`);
  const channels = new Set<string>();
  for (const p of sent) {
    const channel = p.topic.split('/')[4] as 'ack';
    channels.add(channel);
    const err = validate(channel, JSON.parse(p.payload.toString('utf8')));
    t.equal(err, undefined, `${channel} payload matches ${channel}.schema.json`);
  }
  t.same([...channels].sort(), ['ack', 'evt', 'reported', 'status']);
});

t.test('an open-door command runs once and is acked with what the door did; its replay is rejected', async (t) => {
  const f = await fixture(t);
  await f.startLink();
  for (const outcome of ['opened', 'already_open', 'jammed', 'unknown'] as const) {
    f.executor.outcome = outcome;
    const c = makeCommand(f.key, 'open-door', openDoorBody(2), f.target);
    const ack = await f.cloud.command(c);
    t.equal(ack.status, outcome, `acked ${outcome}`);
  }
  t.equal(f.executor.calls.length, 4);
  const c = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  f.executor.outcome = 'opened';
  await f.cloud.command(c);
  const again = await f.cloud.commandAgain(c);
  t.match(again.json, { status: 'rejected', reason: 'replayed' });
  t.equal(f.executor.calls.filter((x) => x.commandId === c.id).length, 1, 'executed exactly once');
});

t.test('forged, unsigned, wrong-key, expired and other-controller commands are rejected with the right reason', async (t) => {
  const f = await fixture(t);
  await f.startLink();
  const good = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  const cases: Array<[string, Record<string, unknown>, string]> = [];
  // forged: signed, then the door changed
  cases.push(['forged', { ...makeCommand(f.key, 'open-door', openDoorBody(1), f.target), body: openDoorBody(2) }, 'bad_signature']);
  // unsigned: no sig at all
  const { sig: _s, ...unsigned } = makeCommand(f.key, 'open-door', openDoorBody(1), f.target) as Command;
  cases.push(['unsigned', unsigned, 'bad_signature']);
  // re-signed with another key
  const { sig: _s2, ...toResign } = makeCommand(f.key, 'open-door', openDoorBody(1), f.target) as Command;
  cases.push(['wrong key', signMessage(toResign, f.wrongKey), 'bad_signature']);
  // signature copied from another command
  cases.push(['copied signature', { ...makeCommand(f.key, 'open-door', openDoorBody(1), f.target), sig: good.sig }, 'bad_signature']);
  // expired (by cloud time, which equals local here)
  const now = Date.now();
  cases.push(['expired', makeCommand(f.key, 'open-door', openDoorBody(1), f.target, { issuedAt: now - 60_000, expiresAt: now - 30_000 }), 'expired']);
  // for another controller (signed correctly) but delivered on ours
  cases.push(['other controller', makeCommand(f.key, 'open-door', openDoorBody(1), { bankId: BANK, controllerId: OTHER }), 'wrong_target']);
  cases.push(['other bank', makeCommand(f.key, 'open-door', openDoorBody(1), { bankId: 'bank-9', controllerId: CTRL }), 'wrong_target']);
  for (let round = 0; round < 5; round++) {
    for (const [name, cmd, reason] of cases) {
      const id = `${String(cmd.id)}-r${round}`;
      // Re-sign per round so every round is a new id (except the cases whose point is a bad signature).
      let msg: Record<string, unknown> = { ...cmd, id };
      if (reason !== 'bad_signature') {
        const { sig: _x, ...u } = msg;
        msg = signMessage(u, f.key);
      }
      await f.cloud.sendCommand(msg, f.target);
      const ack = await f.cloud.waitAck(id);
      t.equal(`${ack.status}/${ack.reason}`, `rejected/${reason}`, `${name} (round ${round})`);
    }
  }
  t.equal(f.executor.calls.length, 0, 'the executor was never called');
});

t.test('a replay is rejected after a restart of the link on the same data folder', async (t) => {
  const f = await fixture(t);
  let link = await f.startLink();
  const c = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  t.equal((await f.cloud.command(c)).status, 'opened');
  await link.stop();
  link = await f.startLink();
  const again = await f.cloud.commandAgain(c);
  t.match(again.json, { status: 'rejected', reason: 'replayed' });
  t.equal(f.executor.calls.length, 1);
});

t.test('a command running when the controller died is acked unknown/interrupted at start-up and never run again', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink();
  let release!: () => void;
  f.executor.gate = new Promise<void>((r) => (release = r));
  const c = makeCommand(f.key, 'open-door', openDoorBody(3), f.target, { expiresAt: Date.now() + 600_000 });
  await f.cloud.sendCommand(c);
  // Wait until the executor runs: by then the pending mark is on disk.
  await expectCondition(() => f.executor.calls.length > 0, 20_000, 'the executor running the command');
  t.equal(f.executor.calls.length, 1);
  // The command path appends to commands.log (folded into commands.json at the next start).
  const logged = readFileSync(join(f.dir, 'commands.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const line = parseLine(l);
      if (!line.ok) throw new Error(`bad commands.log line: ${line.why}`);
      return line.value as { a?: [string]; p?: { id: string } };
    });
  t.same(logged.flatMap((e) => (e.p ? [e.p.id] : [])), [c.id], 'pending mark is durable before the pulse');
  // "Power cut": take the files as they are now, stop the old process's link, start a new one on the copy.
  const crashed = mkdtempSync(join(tmpdir(), 'portier-crash-'));
  t.teardown(() => rmSync(crashed, { recursive: true, force: true }));
  cpSync(f.dir, crashed, { recursive: true });
  await link.stop();
  release();
  const exec2 = new FakeExecutor();
  const n = f.cloud.received.length;
  const link2 = await f.startLink({ dataDir: crashed, executor: exec2 });
  const ack = await f.cloud.waitFor((r) => r.channel === 'ack' && (r.json as { commandId: string }).commandId === c.id, 4000, n);
  t.match(ack.json, { status: 'unknown', reason: 'interrupted' });
  const m = f.cloud.received.length;
  await f.cloud.sendCommand(c);
  const again = await f.cloud.waitFor((r) => r.channel === 'ack' && (r.json as { commandId: string }).commandId === c.id, 4000, m);
  t.match(again.json, { status: 'rejected', reason: 'replayed' });
  t.equal(exec2.calls.length, 0, 'never executed again');
  await link2.stop();
  const after = JSON.parse(readFileSync(join(crashed, 'commands.json'), 'utf8')) as { pending: unknown[] };
  t.same(after.pending, [], 'pending cleared once the unknown ack went out');
});

t.test('expiry is judged by learned cloud time, not by a wrong local clock', async (t) => {
  const f = await fixture(t);
  // The board's clock is an hour behind the cloud.
  await f.startLink({ now: () => Date.now() - 3_600_000 });
  const fresh = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  t.equal((await f.cloud.command(fresh)).status, 'opened');
  const now = Date.now();
  const stale = makeCommand(f.key, 'open-door', openDoorBody(1), f.target, { issuedAt: now - 60_000, expiresAt: now - 30_000 });
  t.match(await f.cloud.command(stale), { status: 'rejected', reason: 'expired' }, 'local clock says valid, cloud time says expired');
  t.equal(f.executor.calls.length, 1);
});

t.test('before the clock is learned, a command is judged at no earlier than its own issue time; then by the learned offset', async (t) => {
  const f = await fixture(t);
  // A board without RTC that booted in 1970 and has learned nothing: only the command's own issuedAt bounds "now".
  await f.startLink({ now: () => 1_000 });
  const now = Date.now();
  const born = makeCommand(f.key, 'open-door', openDoorBody(1), f.target, { issuedAt: now - 10_000, expiresAt: now - 9_000 + 30_000 });
  t.equal((await f.cloud.command(born)).status, 'opened', 'valid within its own lifetime from its issue time');
  const fresh = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  t.equal((await f.cloud.command(fresh)).status, 'opened');
  const stale = makeCommand(f.key, 'open-door', openDoorBody(1), f.target, { issuedAt: now - 120_000, expiresAt: now - 90_000 });
  t.match(await f.cloud.command(stale), { status: 'rejected', reason: 'expired' }, 'the local clock (1970) would have said valid');
  t.equal(f.executor.calls.length, 2);
});

t.test('set-service, end-session and rebirth are executed and acked done; malformed commands are answered or dropped', async (t) => {
  const f = await fixture(t);
  const link = await f.startLink();
  const s = makeCommand(f.key, 'set-service', { door: 2, state: 'out-of-service', reason: 'hinge', actor: { role: 'operator' } }, f.target);
  t.equal((await f.cloud.command(s)).status, 'done');
  const e = makeCommand(f.key, 'end-session', {}, f.target);
  t.equal((await f.cloud.command(e)).status, 'done');
  const births = f.cloud.of('status').length;
  const r = makeCommand(f.key, 'rebirth', {}, f.target);
  t.equal((await f.cloud.command(r)).status, 'done');
  await f.cloud.waitFor((m) => m.channel === 'status' && f.cloud.of('status').length > births);
  t.same(f.executor.calls.map((c) => c.op), ['setService', 'endSession']);

  const dropped: string[] = [];
  link.on('dropped', (d) => dropped.push(`${d.channel}:${d.code}`));
  const bad: Array<string | Buffer> = [
    '',
    'not json',
    Buffer.from([0xff, 0xfe, 0x00]),
    '[]',
    'null',
    '{"v":1}',
    JSON.stringify({ ...makeCommand(f.key, 'open-door', openDoorBody(1), f.target), type: 'self-destruct' }),
    JSON.stringify({ ...makeCommand(f.key, 'open-door', openDoorBody(1), f.target), body: { door: 999 } }),
    'x'.repeat(9000),
  ];
  for (const p of bad) await f.cloud.publishRaw(BANK, CTRL, 'cmd', p);
  const ok = makeCommand(f.key, 'open-door', openDoorBody(1), f.target);
  t.equal((await f.cloud.command(ok)).status, 'opened', 'still serving after garbage');
  t.equal(dropped.length, bad.length, 'every bad payload was dropped and reported');
  const malformedAcks = f.cloud.of('ack').filter((a) => (a.json as { reason?: string }).reason === 'malformed');
  t.equal(malformedAcks.length, 2, 'the two with a usable id are answered malformed');
  t.equal(f.executor.calls.filter((c) => c.op === 'openDoor').length, 1);
  t.equal(link.status().state, 'online');
});

t.test('a controller with the wrong secret is refused and keeps backing off, with the error visible', async (t) => {
  const f = await fixture(t);
  const link = new ControllerLink({
    brokerUrl: f.broker.url,
    bankId: BANK,
    controllerId: CTRL,
    secret: `${SECRET}-wrong`,
    cloudPublicKey: f.publicKey,
    dataDir: f.dir,
    executor: f.executor,
    backoff: { minMs: 20, maxMs: 40 },
  });
  t.teardown(() => link.stop());
  const states: string[] = [];
  link.on('state', (s) => states.push(s.state));
  await link.start();
  await waitForEvent(link as never, 'state', (s: { state: string; attempts: number }) => s.state === 'backoff' && s.attempts >= 2);
  const st = link.status();
  t.ok(st.lastError, 'last error recorded');
  t.match(st.lastError?.message ?? '', /Bad username or password|Not authorized|refused/i);
  t.notOk(states.includes('online'));
});

t.test('an executor refusal (unknown door, out of service) is acked as rejected with its reason', async (t) => {
  const f = await fixture(t);
  await f.startLink();
  f.executor.outcome = { status: 'rejected', reason: 'out_of_service', detail: 'door 3 is out of service' };
  const c = makeCommand(f.key, 'open-door', openDoorBody(3), f.target);
  t.match(await f.cloud.command(c), { status: 'rejected', reason: 'out_of_service', detail: 'door 3 is out of service' });
});

t.test('fuzzed payloads on cmd, evtack and desired never crash the link nor run anything', async (t) => {
  const fc = await import('fast-check');
  const f = await fixture(t);
  const link = await f.startLink();
  const valid = makeCommand(f.key, 'open-door', openDoorBody(1), f.target) as unknown as Record<string, unknown>;
  // Random bytes, random JSON, and valid envelopes with one field replaced by random JSON.
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.json().map((j) => Buffer.from(j)),
    fc
      .tuple(fc.constantFrom(...Object.keys(valid)), fc.jsonValue())
      .map(([k, v]) => Buffer.from(JSON.stringify({ ...valid, id: `fz-${Math.random().toString(36).slice(2, 10)}`, [k]: v }))),
  );
  const samples = fc.sample(fc.tuple(fc.constantFrom('cmd' as const, 'evtack' as const, 'desired' as const), payload), 300);
  for (const [channel, p] of samples) await f.cloud.publishRaw(BANK, CTRL, channel, p);
  const ok = makeCommand(f.key, 'open-door', openDoorBody(2), f.target);
  t.equal((await f.cloud.command(ok)).status, 'opened', 'alive and serving after 300 fuzzed payloads');
  t.same(f.executor.calls.map((c) => c.commandId), [ok.id], 'nothing fuzzed was executed');
  t.equal(link.status().desiredVersion, null, 'nothing fuzzed was applied');
  t.equal(link.status().state, 'online');
});
