// A controller given the nodes of a broker cluster (link.brokerUrl lists them): it connects past a node that is down,
// waits its backoff only after a whole round of failures, and when the node it is on dies (killed by PID) with events
// unconfirmed in its outbox, it moves to the next node with the same session and publishes every one of them there
// exactly once. Two real Mosquittos stand for the nodes (not bridged: what reaches node 2 is what the controller sent
// there). Skips with a reason when Mosquitto is not installed.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../../scripts/test/contracts/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { PortierEvent } from '@portier/protocol';
import { ControllerLink, type ControllerLinkOptions, type LinkStatus } from '../../src/link/controller-link.ts';
import { FakeExecutor, TestCloud, waitForEvent } from './helpers/cloud.ts';
import { BANK, CTRL, SECRET } from './helpers/fixture.ts';
import { mosquittoMissing, startMosquitto } from './helpers/mosquitto.ts';

const missing = mosquittoMissing();
const opts = missing ? { skip: missing } : {};
const IDENTITIES = [{ bankId: BANK, controllerId: CTRL, secret: SECRET }];
/** The cloud's command key: evtacks signed with it are what the controller believes. */
const KEYS = generateKeyPairSync('ed25519');

/** A loopback port nobody listens on: a node that is down. */
async function deadNode(): Promise<string> {
  const port = await freePort();
  return `mqtt://127.0.0.1:${port}`;
}

async function node(t: Test) {
  const m = await startMosquitto(IDENTITIES);
  t.teardown(() => m.dispose?.());
  return m;
}

async function cloudOn(t: Test, url: string): Promise<TestCloud> {
  const c = await TestCloud.connect(url, KEYS.privateKey);
  t.teardown(() => c.close());
  return c;
}

function link(t: Test, brokerUrl: string, over: Partial<ControllerLinkOptions> = {}): ControllerLink {
  const dir = mkdtempSync(join(tmpdir(), 'portier-failover-'));
  const l = new ControllerLink({
    brokerUrl,
    bankId: BANK,
    controllerId: CTRL,
    secret: SECRET,
    cloudPublicKey: KEYS.publicKey,
    dataDir: dir,
    executor: new FakeExecutor(),
    ...over,
  });
  t.teardown(async () => {
    await l.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return l;
}

const onlineAt = (l: ControllerLink, url: string) => waitForEvent(l as never, 'state', (s: LinkStatus) => s.state === 'online' && s.broker === url);

t.test('[a node that is down, a live one]: the controller connects to the live one at once, without waiting its backoff', opts, async (t) => {
  const down = await deadNode();
  const live = await node(t);
  // A backoff of a minute: waiting it would outlast the bound of the wait; the hop within a round is the jitter (0).
  const l = link(t, `${down}, ${live.url}`, { backoff: { minMs: 60_000, maxMs: 120_000, random: () => 0 } });
  const online = onlineAt(l, live.url);
  await l.start();
  await online;
  const s = l.status();
  t.equal(s.broker, live.url, 'the status names the node it is connected to');
  t.equal(s.attempts, 0, 'no failure counted once connected');
  t.match(s.lastError?.message ?? '', /ECONNREFUSED/, 'what the node that is down answered');
});

t.test('every node down: each is tried once per round, and only a whole round waits the backoff', opts, async (t) => {
  const [a, b] = [await deadNode(), await deadNode()];
  const NOW = 1_000_000;
  const l = link(t, `${a},${b}`, { now: () => NOW, backoff: { minMs: 100, maxMs: 800, random: () => 0.5 } });
  const waits: Array<{ next: string; inMs: number | undefined; attempts: number }> = [];
  const three = new Promise<void>((resolve) =>
    l.on('state', (s) => {
      if (s.state !== 'backoff') return;
      waits.push({ next: s.broker, inMs: s.nextRetryAt === undefined ? undefined : s.nextRetryAt - NOW, attempts: s.attempts });
      if (waits.length === 3) resolve();
    }),
  );
  await l.start();
  await three;
  await l.stop();
  t.same(
    waits,
    [
      { next: b, inMs: 50, attempts: 1 }, // a refused: b next, after the hop's jitter (0.5 x 100 ms)
      { next: a, inMs: 75, attempts: 2 }, // b refused too: a whole round, the first backoff (100 ms, jittered)
      { next: b, inMs: 50, attempts: 3 }, // a again: the next round hops to b without a backoff of its own
    ],
  );
});

t.test('node 1 dies with events unconfirmed: the controller moves to node 2 and each event reaches it exactly once', opts, async (t) => {
  const one = await node(t);
  const two = await node(t);
  const onOne = await cloudOn(t, one.url);
  const onTwo = await cloudOn(t, two.url);
  // No evtack comes (nobody confirms): only the move may publish the outbox again, not the stalled-outbox timer.
  const l = link(t, `${one.url},${two.url}`, { backoff: { minMs: 50, maxMs: 200 }, evtackTimeoutMs: 600_000 });
  const first = onlineAt(l, one.url);
  await l.start();
  await first;

  for (let door = 1; door <= 4; door++) await l.publishEvent({ type: 'door-forced', door });
  await onOne.waitFor((r) => r.channel === 'evt' && (r.json as PortierEvent).seq === 4);
  t.equal(l.status().outboxDepth, 4, 'four events on node 1, none confirmed');

  const pid = one.pid();
  t.ok(pid, 'node 1 runs');
  const moved = onlineAt(l, two.url);
  process.kill(pid!, 'SIGKILL');
  await moved;
  t.equal(l.status().broker, two.url, 'the status names node 2');
  for (let door = 5; door <= 6; door++) await l.publishEvent({ type: 'door-forced', door });

  // Confirmed by the cloud on node 2, then one more event: anything sent twice would have come before it.
  await onTwo.waitFor((r) => r.channel === 'evt' && (r.json as PortierEvent).seq === 6);
  const acked = waitForEvent(l as never, 'evtack', (e: { upTo: number }) => e.upTo === 6);
  await onTwo.sendEvtack(BANK, CTRL, 6);
  await acked;
  t.equal(l.status().outboxDepth, 0, 'the outbox is empty once node 2 confirmed');
  await l.publishEvent({ type: 'door-forced', door: 7 });
  await onTwo.waitFor((r) => r.channel === 'evt' && (r.json as PortierEvent).seq === 7);

  const seqs = onTwo.of('evt', CTRL).map((r) => (r.json as PortierEvent).seq);
  t.same(seqs, [1, 2, 3, 4, 5, 6, 7], 'on node 2: every event once, in order');
  t.same(
    onTwo.of('evt', CTRL).map((r) => (r.json as PortierEvent).event),
    [1, 2, 3, 4, 5, 6, 7].map((door) => ({ type: 'door-forced', door })),
    'the same events as were recorded',
  );
  const birth = onTwo.of('status', CTRL).find((r) => (r.json as { state: string }).state === 'online');
  t.ok(birth, 'the controller announced itself on node 2');
});
