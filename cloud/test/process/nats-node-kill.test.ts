// The fault test of the clustered broker: two `portier-cloud serve` instances on one PostgreSQL (two-clouds.ts) share
// a three-node NATS cluster (JetStream and its MQTT gateway), each given every node's URL with its own node first.
// 200 protocol-level outbox controllers start spread over the three nodes (each given the node list rotated) and
// publish a steady stream of door events. A remote open waits on a controller of the node about to die (it holds the
// command), a second one is sent to another controller of that node as the kill happens (the kill races its delivery),
// and that node is SIGKILLed, with instance a's broker connection on it. Then: every controller is connected again,
// to another node, and its outbox drains; every event each controller sent is in the shared journal once, stored in
// seq order, none missing; both opens end with an outcome or `timed_out` on record and no door command ran twice;
// both instances live, and each, the one that lost its node included, goes on storing and acking its banks' events.
// What the cluster did is in the test's comments: how fast the fleet came back, how many clients of the surviving
// nodes were dropped as well (their QoS 1 publishes wait on JetStream leaders that were on the dead node, and NATS
// closes a connection whose publish it could not store), where the raced command went.
import type { EventBody } from '@portier/protocol';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import type { ActivityEntry } from '../../src/domain/model.ts';
import type { Lease } from '../../src/store/store.ts';
import { BANK_SHARDS, shardOfBank } from '../../src/sync/bank-ownership.ts';
import { EVENT_SELECT, toEvent, type EventRow } from '../../src/sync/pg-link-rows.ts';
import { eventually } from '../mail/helpers.ts';
import { startSmtpPeer } from '../mail/smtp-peer.ts';
import { natsMissing, startNatsCluster } from '../mqtt/helpers/nats.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';
import { OutboxController } from '../sync/helpers/outbox-controller.ts';
import { once } from '../sync/helpers/world.ts';
import { ADMIN, BANK_ID, call, COLUMNS, describe, instanceConfig, liveRows, LOCKERS_PER_COLUMN, ok, openDatabase, phaseClock, seedSite, startServeChild, twice } from './two-clouds.ts';

const skip = postgresMissing || natsMissing;
/** One PostgreSQL for the file. */
const server = skip ? undefined : await startPostgres(t);

/** 200 controllers: the seeded bank's two, and six more banks of 33 (identities only: door events need no bank). */
const FLEET = { banks: 6, columns: 33 };
/** Each controller sends an event this often, the fleet staggered over the period: a steady stream, not bursts. */
const EVENT_EVERY_MS = 2000;
const TICK_MS = 50;
/** Events each controller sends after the kill before its stream stops (a bounded amount of work to recover). */
const AFTER_KILL = 5;
/** How many controllers connect at once at the start. */
const CONNECT_BATCH = 25;
/** The locker of the held remote open (column 2: ctl-2) and of the one sent as the node dies (column 1: ctl-1). */
const HELD_OPEN_LOCKER = LOCKERS_PER_COLUMN + 3;
const RACED_OPEN_LOCKER = 3;
/** Bounds of the waits after the kill: the controllers back on the broker, and their post-kill events acked. */
const RECONNECT_MS = 30_000;
const RESUME_MS = 60_000;

t.setTimeout(180_000);
t.test('SIGKILL of one NATS node of three while 200 controllers publish and a remote open is pending', { skip }, async (t) => {
  const { phase, summary } = phaseClock();
  const url = await server!.createDatabase();
  const db = await openDatabase(t, url);
  const site = await seedSite(t, url, ['a', 'b'], { fleet: FLEET });
  phase('seeded');
  // Started after seeding: auth.conf holds every controller and both instances' service accounts.
  const cluster = await startNatsCluster(t, site.identities, join(site.seedDir, 'nats'));
  const nodes = cluster.nodes;
  const victimNode = nodes[0]!;
  /** Every node's URL, starting at node `k`: what MQTT.js tries first, then round the list on each reconnect. */
  const from = (k: number): string => nodes.map((_, i) => nodes[(k + i) % nodes.length]!.mqttUrl).join(',');
  const nodeOfPort = (port: number | undefined): string => nodes.find((n) => n.node.mqttPort === port)?.node.name ?? 'none';
  // A failed run is read from the nodes' logs too: kept where the instances' are (two-clouds.ts).
  t.teardown(async () => {
    const keep = process.env.PORTIER_FAULT_LOG_DIR;
    if (keep) for (const n of nodes) await writeFile(join(keep, `nats-${n.node.name}.log`), n.log);
  });
  phase('cluster up');

  const peer = await startSmtpPeer('accept');
  t.teardown(() => peer.close());
  // Instance a starts on the node the test kills, b on the next.
  const a = await startServeChild(t, 'a', await instanceConfig(t, site, { instance: 'a', databaseUrl: url, brokerUrl: from(0), smtp: peer }));
  const b = await startServeChild(t, 'b', await instanceConfig(t, site, { instance: 'b', databaseUrl: url, brokerUrl: from(1), smtp: peer }));
  const instances = [a, b];

  // --- The fleet: the seeded bank's two controllers on the node to die (the opens go to them), the rest round the
  // nodes. They connect while the instances divide the banks. ---
  const all = [...COLUMNS.map((c) => ({ bankId: BANK_ID, controllerId: c.controllerId })), ...site.fleet];
  const firstNode = (i: number): number => (i < COLUMNS.length ? 0 : i % nodes.length);
  const controllers = all.map(
    (c, i) => new OutboxController(t, { url: from(firstNode(i)), bankId: c.bankId, password: site.secrets[c.controllerId]! }, c.controllerId, site.commandPublicKey),
  );
  const connecting = (async () => {
    for (let i = 0; i < controllers.length; i += CONNECT_BATCH) await Promise.all(controllers.slice(i, i + CONNECT_BATCH).map((c) => c.connect()));
  })();
  connecting.catch(() => undefined);

  let leases: Lease[] = [];
  const held = (instance: string): number => leases.filter((l) => l.name.startsWith('bank-shard:') && l.holder === instance && l.expiresAt > Date.now()).length;
  await eventually(() => held('a') === BANK_SHARDS / 2 && held('b') === BANK_SHARDS / 2, 'the banks divided between the instances', 30_000, async () => {
    leases = await liveRows<Lease>(db, 'leases');
  });
  phase('instances up');
  const bankOf = new Map(all.map((c) => [c.controllerId, c.bankId]));
  /** Which instance stores and acks each bank's events (the leases as divided above). */
  const ownerOf = new Map([...new Set(bankOf.values())].map((bankId) => [bankId, leases.find((l) => l.name === `bank-shard:${shardOfBank(bankId)}`)?.holder]));
  await connecting;
  const startedOn = new Map(controllers.map((c) => [c.controllerId, nodeOfPort(c.remotePort)]));
  phase('controllers connected');
  /** When each evtack arrived, per controller. */
  const evtacks = new Map(controllers.map((c) => [c.controllerId, [] as Array<{ upTo: number; at: number }>]));
  for (const c of controllers) c.on('acked', (upTo) => evtacks.get(c.controllerId)!.push({ upTo, at: performance.now() }));

  // --- The stream: each tick, the controllers of one slice send their next event (not awaited: MQTT.js keeps the
  // order of one client's publishes and queues them while it reconnects). ---
  const slices = EVENT_EVERY_MS / TICK_MS;
  let tick = 0;
  /**
   * Publishes MQTT.js gave up on: those it was sending again when a connection closed once more. Not a loss: the event
   * stays in the outbox, which goes out again on the next connect.
   */
  const publishFailures: string[] = [];
  const inFlight = new Set<Promise<unknown>>();
  /** Set at the kill: the first seq each controller sends after it (acked only once the cloud hears it through a live node). */
  let firstAfter: Map<string, number> | undefined;
  const eventBody = (k: number): EventBody => (k % 2 === 0 ? { type: 'door-opened', door: 1 + (k % 8), cause: 'unlock' } : { type: 'door-closed', door: 1 + ((k - 1) % 8), openForMs: 900 + k });
  const eventTimer = setInterval(() => {
    const slice = tick++ % slices;
    for (const [i, c] of controllers.entries()) {
      if (i % slices !== slice || (firstAfter && c.nextSeq >= firstAfter.get(c.controllerId)! + AFTER_KILL)) continue;
      const p = c.event(eventBody(c.nextSeq)).catch((err: unknown) => void publishFailures.push(`${c.controllerId}: ${(err as Error).message}`));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  }, TICK_MS);
  t.teardown(() => clearInterval(eventTimer));

  // --- Before the kill: every controller's events are stored and acked. ---
  await eventually(() => controllers.every((c) => c.ackedUpTo >= 2), 'every controller acked twice before the kill', 30_000);
  phase('streaming');
  const login = await call(a, undefined, 'POST', '/auth/login', { username: ADMIN.user, password: ADMIN.password });
  if (!ok(login)) throw new Error(`sign-in failed: ${describe(login)}`);
  const token = login.json.token as string;

  // A remote open through instance a; its controller, on the node about to die, holds the command.
  const holder = controllers[1]!;
  const racer = controllers[0]!;
  holder.holdCommands = true;
  const commandSeen = once(holder, 'command', () => true, 10_000);
  const heldReply = call(a, token, 'POST', `/banks/${BANK_ID}/lockers/${HELD_OPEN_LOCKER}/open`, { reason: 'fault test: held' });
  let heldAnswered = false;
  void heldReply.finally(() => (heldAnswered = true));
  // On a loaded machine the command may not arrive within the open's own timeout: the kill then falls on an open
  // pending undelivered, which must end `timed_out` and never run.
  const heldCommand = (await commandSeen.catch(() => undefined)) as { id: string } | undefined;

  // --- The kill: the second open goes out through instance b as the node dies. ---
  let killAt = Number.NaN;
  /** When the raced command reached its controller, from the kill (negative: before it). */
  const racedArrivals: number[] = [];
  racer.on('command', () => racedArrivals.push(performance.now() - killAt));
  const racedReply = call(b, token, 'POST', `/banks/${BANK_ID}/lockers/${RACED_OPEN_LOCKER}/open`, { reason: 'fault test: raced' });
  phase('kill');
  const aLogBefore = a.output().length;
  const heldPendingAtKill = !heldAnswered;
  killAt = performance.now();
  await victimNode.stop('SIGKILL');
  firstAfter = new Map(controllers.map((c) => [c.controllerId, c.nextSeq]));
  const connectsAtKill = new Map(controllers.map((c) => [c.controllerId, c.connects]));
  await holder.releaseCommands();

  const victimPort = victimNode.node.mqttPort;
  const reconnectedIn = new Map<string, number>();
  const reconnected = await eventually(
    () => {
      for (const c of controllers) {
        const port = c.remotePort;
        if (port !== undefined && port !== victimPort && !reconnectedIn.has(c.controllerId)) reconnectedIn.set(c.controllerId, performance.now() - killAt);
      }
      return controllers.every((c) => c.remotePort !== undefined && c.remotePort !== victimPort);
    },
    'every controller connected to a live node',
    RECONNECT_MS,
  ).then(
    () => true,
    () => false,
  );
  phase('reconnected');
  const resumedIn = new Map<string, number>();
  await eventually(
    () => {
      for (const c of controllers) {
        const hit = evtacks.get(c.controllerId)!.find((e) => e.upTo >= firstAfter!.get(c.controllerId)!);
        if (hit && !resumedIn.has(c.controllerId)) resumedIn.set(c.controllerId, hit.at - killAt);
      }
      return resumedIn.size === controllers.length;
    },
    'an evtack of an event sent after the kill, for every controller',
    RESUME_MS,
  ).catch(() => undefined);
  phase('resumed');
  const [heldAnswer, racedAnswer] = await Promise.all([heldReply, racedReply]);

  // --- Quiet down: the stream stops; what is under way settles. ---
  await eventually(() => controllers.every((c) => c.nextSeq >= firstAfter!.get(c.controllerId)! + AFTER_KILL), 'the stream after the kill sent', 30_000).catch(() => undefined);
  clearInterval(eventTimer);
  await eventually(() => inFlight.size === 0, 'every publish settled', 30_000).catch(() => undefined);
  const drained = await eventually(() => controllers.every((c) => c.pendingEvents === 0), "the controllers' outboxes drained", 30_000).then(
    () => true,
    () => false,
  );
  phase('drained');
  const activityOf = async (types: string): Promise<ActivityEntry[]> => {
    const r = await call(b, token, 'GET', `/activity?bankId=${BANK_ID}&type=${types}&limit=100000`);
    if (!ok(r)) throw new Error(`activity: ${describe(r)}`);
    return r.json.activity as ActivityEntry[];
  };
  let opens: ActivityEntry[] = [];
  const about = (commandId: string | undefined): ActivityEntry[] => (commandId === undefined ? [] : opens.filter((e) => e.detail?.includes(`command ${commandId}`)));
  const finished = (commandId: string | undefined): ActivityEntry[] => about(commandId).filter((e) => !/: requested: /.test(e.detail ?? ''));
  const heldId = ok(heldAnswer) ? (heldAnswer.json.commandId as string) : heldCommand?.id;
  const racedId = ok(racedAnswer) ? (racedAnswer.json.commandId as string) : undefined;
  await eventually(() => finished(heldId).length > 0 && finished(racedId).length > 0, 'both opens finished on record', 20_000, async () => {
    opens = await activityOf('remote-open');
  }).catch(() => undefined);
  phase('opens on record');

  const perNode = (m: Map<string, string>): string =>
    nodes.map((n) => `${n.node.name} ${[...m.values()].filter((x) => x === n.node.name).length}`).join(', ');
  const nowOn = new Map(controllers.map((c) => [c.controllerId, nodeOfPort(c.remotePort)]));
  const sentCount = controllers.reduce((n, c) => n + c.sent.length, 0);
  const slowest = (m: Map<string, number>): string => (m.size === 0 ? 'none' : `${Math.round(Math.max(...m.values()))} ms`);
  t.comment(summary());
  t.comment(`controllers before the kill: ${perNode(startedOn)}; after: ${perNode(nowOn)}; events ${sentCount}`);
  t.comment(`after the kill, the last controller reconnected in ${slowest(reconnectedIn)}, had a post-kill event acked in ${slowest(resumedIn)}`);
  // A node's death reaches clients of the others too: their QoS 1 publishes wait on JetStream leaders that were on it.
  const bumped = controllers.filter((c) => startedOn.get(c.controllerId) !== victimNode.node.name && c.connects > connectsAtKill.get(c.controllerId)!);
  t.comment(`the raced open: ${describe(racedAnswer)}; its command reached ${racer.controllerId} ${racedArrivals.map((ms) => `${Math.round(ms)} ms`).join(', ') || 'never'} after the kill`);
  t.comment(
    `controllers of the live nodes that had to reconnect too: ${bumped.length}; publishes MQTT.js gave up on (then sent from the outbox): ${publishFailures.length}; ` +
      `subscriptions refused on a connect: ${controllers.reduce((n, c) => n + c.refusedSubscribes, 0)}`,
  );

  await t.test('the controllers start spread over the nodes and reconnect to the others', async (t) => {
    for (const n of nodes) t.ok([...startedOn.values()].filter((x) => x === n.node.name).length >= 60, `${n.node.name} had its share of the fleet`);
    t.equal(startedOn.get(holder.controllerId), victimNode.node.name, 'the controller holding the open was on the node killed');
    t.equal(startedOn.get(racer.controllerId), victimNode.node.name, 'so was the one the raced open went to');
    t.ok(reconnected, `every controller connected to a live node within ${RECONNECT_MS} ms`);
    t.same(controllers.filter((c) => nowOn.get(c.controllerId) === victimNode.node.name || c.remotePort === undefined).map((c) => c.controllerId), [], 'none left on the dead node or off the broker');
  });

  await t.test('every event is stored once, in seq order, none missing; the outboxes drain', async (t) => {
    t.ok(drained, `every outbox drained (${controllers.filter((c) => c.pendingEvents > 0).map((c) => `${c.controllerId} ${c.pendingEvents} left`).join(', ') || 'all'})`);
    const ids = controllers.map((c) => c.controllerId);
    const rows = (await db.query<EventRow>(`${EVENT_SELECT} FROM link_events WHERE controller_id = ANY($1) ORDER BY n`, [ids])).rows.map(toEvent);
    const aside = await db.query<{ what: string; controller_id: string }>(
      `SELECT 'gap' AS what, controller_id FROM link_gaps WHERE controller_id = ANY($1) UNION ALL SELECT 'conflict', controller_id FROM link_conflicts WHERE controller_id = ANY($1)`,
      [ids],
    );
    const byController = new Map<string, typeof rows>(ids.map((id) => [id, []]));
    for (const r of rows) byController.get(r.controllerId)!.push(r);
    const wrong: string[] = [];
    for (const c of controllers) {
      const mine = byController.get(c.controllerId)!;
      const seqs = mine.map((e) => e.seq);
      const expected = c.sent.map((e) => e.seq);
      if (!isDeepStrictEqual(seqs, expected)) {
        const missing = expected.filter((s) => !seqs.includes(s));
        wrong.push(`${c.controllerId}: stored ${seqs.length} of ${expected.length}; missing [${missing.join(',')}], twice [${twice(seqs.map(String)).join(',')}], order ${seqs.join(',')}`);
        continue;
      }
      const changed = mine.filter((e, i) => e.bankId !== bankOf.get(c.controllerId) || !isDeepStrictEqual(e.event, c.sent[i]!.event)).map((e) => e.seq);
      if (changed.length > 0) wrong.push(`${c.controllerId}: seqs ${changed.join(',')} stored other than sent`);
    }
    t.ok(sentCount >= controllers.length * 4, `a stream of events (${sentCount})`);
    t.same(wrong, [], `each controller's events stored once each, in the order of their seqs, as sent (${rows.length} rows)`);
    t.same(aside.rows.map((r) => `${r.what} ${r.controller_id}`), [], 'no gap or conflict recorded');
  });

  await t.test('the pending remote opens end with an outcome or timed_out, and no door command runs twice', async (t) => {
    t.ok(heldPendingAtKill, 'the held open was pending at the kill');
    t.ok(heldCommand !== undefined, `its command was held by ${holder.controllerId} at the kill`);
    for (const [what, reply, commandId, controller] of [
      ['held', heldAnswer, heldId, holder],
      ['raced', racedAnswer, racedId, racer],
    ] as const) {
      t.ok(ok(reply), `${what}: answered 2xx (${describe(reply)})`);
      const outcome = ok(reply) ? (reply.json.outcome as string) : undefined;
      t.match(outcome, /^(opened|already_open|jammed|unknown|rejected|timed_out)$/, `${what}: an outcome, or timed_out (${outcome})`);
      t.equal(about(commandId).length - finished(commandId).length, 1, `${what}: requested once on record`);
      t.equal(finished(commandId).length, 1, `${what}: one outcome on record: ${finished(commandId).map((e) => e.detail).join('; ') || 'none'}`);
      const runs = controller.opened.get(commandId ?? '') ?? 0;
      t.ok(runs <= 1, `${what}: its door command ran at most once (${runs})`);
      if (outcome === 'opened') t.equal(runs, 1, `${what}: answered opened, and its door command ran`);
      // The reverse does not hold: a controller cut off from the broker by the kill may run the command before it
      // expires while its ack reaches the cloud after the wait; the door-opened event naming the command, stored
      // with the others, is then the record that it ran.
      else if (runs === 1) {
        t.comment(`${what}: the door ran, but its ack came after the wait: answered ${outcome}`);
        t.ok(controller.sent.some((e) => e.event.type === 'door-opened' && e.event.commandId === commandId), `${what}: its door-opened event names the command`);
      }
      t.same([...controller.opened.keys()].filter((id) => id !== commandId), [], `${what}: no other command ran on ${controller.controllerId}`);
    }
  });

  await t.test('both instances live; the one on the killed node fails over and goes on storing events', async (t) => {
    for (const i of instances) t.equal(i.child.exitCode ?? i.child.signalCode, null, `instance ${i.instance} is running`);
    const after = a.output().slice(aLogBefore);
    t.match(after, /link to the broker lost/, 'instance a lost its link with its node');
    t.match(after, /link to the broker up/, '...and brought it up again on another');
    const banksOf = (instance: string): string[] => [...ownerOf].filter(([, holder]) => holder === instance).map(([bankId]) => bankId);
    for (const i of instances) {
      const mine = controllers.filter((c) => banksOf(i.instance).includes(bankOf.get(c.controllerId)!));
      t.ok(mine.length > 0, `instance ${i.instance} owns banks of the fleet (${banksOf(i.instance).join(', ')})`);
      t.same(mine.filter((c) => !resumedIn.has(c.controllerId)).map((c) => c.controllerId), [], `instance ${i.instance} acked an event sent after the kill of each of its ${mine.length} controllers`);
    }
  });

  for (const i of instances) i.child.kill('SIGTERM');
  await Promise.all(instances.map((i) => i.exited));
});
