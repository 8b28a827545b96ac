// The fault test of scale-out: two `portier-cloud serve` instances on one PostgreSQL and one Mosquitto (two-clouds.ts),
// one controller per column on the broker (a protocol-level outbox controller), an SMTP relay. While reservations and
// drop-offs stream through both HTTP APIs (round robin), the controllers send door events, alerts, service changes and
// pickups, the drop-offs' notices are mailed, and a remote open waits on the instance about to die (its controller
// holds the command), that instance is SIGKILLed. Then, read through the survivor and the database: every reservation
// answered 2xx is stored once; every controller event has its effect once and the outboxes drain; every queued e-mail
// reaches the relay once and every acknowledged drop-off's notice arrives; the remote open ends recorded with an
// outcome or `timed_out` and its door command ran at most once; and the survivor stores and acks the controllers' new
// events within 10 s of the kill.
import type { EventBody } from '@portier/protocol';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ParsedMail } from 'mailparser';
import t from 'tap';
import type { ActivityEntry } from '../../src/domain/model.ts';
import type { IngestMark, Lease } from '../../src/store/store.ts';
import { alertOf } from '../../src/bridge/ingest/alerts.ts';
import { BANK_SHARDS, shardOfBank } from '../../src/sync/bank-ownership.ts';
import { EVENT_SELECT, toEvent, type EventRow } from '../../src/sync/pg-link-rows.ts';
import type { MailRecord } from '../../src/mail/model.ts';
import { eventually } from '../mail/helpers.ts';
import { startSmtpPeer } from '../mail/smtp-peer.ts';
import { mosquittoMissing, startMosquitto } from '../mqtt/helpers/mosquitto.ts';
import { postgresMissing, startPostgres } from '../store/pg-server.ts';
import { OutboxController } from '../sync/helpers/outbox-controller.ts';
import { once } from '../sync/helpers/world.ts';
import { ADMIN, BANK_ID, call, COLUMNS, contactAddress, CONTACTS, counts, describe, instanceConfig, liveRows, LOCKERS_PER_COLUMN, ok, openDatabase, phaseClock } from './two-clouds.ts';
import { seedSite, startServeChild, twice, type Reply, type ServeChild } from './two-clouds.ts';

const skip = postgresMissing || mosquittoMissing;
/** One PostgreSQL for the file. */
const server = skip ? undefined : await startPostgres(t);

/** Flows (a reservation, then its drop-off) started before the kill, and in all. */
const BEFORE_KILL = 12;
const IN_ALL = 22;
/** How often a flow starts, and each controller sends an event: a steady stream, not a burst. */
const FLOW_EVERY_MS = 150;
const EVENT_EVERY_MS = 200;
/** The takeover bound of the acceptance: the survivor stores and acks the controllers' new events within it. */
const TAKEOVER_MS = 10_000;
/** The door each controller's service changes are about (its column's last), and the locker opened remotely. */
const SERVICE_DOOR = LOCKERS_PER_COLUMN;
const REMOTE_OPEN_LOCKER = LOCKERS_PER_COLUMN + 3;

/** The seq an alert or a service change names in the activity log, with its controller. */
function eventOf(entry: ActivityEntry): string | undefined {
  const m = /\(controller (\S+) event (\d+)\)$/.exec(entry.detail ?? '') ?? /check (\S+) (\d+)$/.exec(entry.detail ?? '');
  return m ? `${m[1]}#${m[2]}` : undefined;
}

t.setTimeout(180_000);
t.test('SIGKILL of one of two instances during reservations, door events, e-mails and a remote open', { skip }, async (t) => {
  const { phase, summary } = phaseClock();
  const url = await server!.createDatabase();
  const db = await openDatabase(t, url);
  const site = await seedSite(t, url, ['a', 'b']);
  phase('seeded');
  const mosq = await startMosquitto(t, site.identities, join(site.seedDir, 'mosquitto'));
  const peer = await startSmtpPeer('accept');
  t.teardown(() => peer.close());
  const config = (instance: string): Promise<string> => instanceConfig(t, site, { instance, databaseUrl: url, brokerUrl: mosq.url, smtp: peer });
  // One after the other: the first takes the e-mail sender's lease and every bank shard, then hands the upper half of
  // the shards to the second (the test bank's shard is in the lower half), so the instance the test kills is sending
  // e-mail as well as owning the controllers' bank.
  const a = await startServeChild(t, 'a', await config('a'));
  const b = await startServeChild(t, 'b', await config('b'));
  const instances = [a, b];
  phase('started');
  // The instances divide the banks' shards between them; the test waits until each holds its share, then kills the
  // one holding the controllers' bank.
  let leases: Lease[] = [];
  const holderOf = (name: string): string | undefined => leases.find((l) => l.name === name && l.expiresAt > Date.now())?.holder;
  const held = (instance: string): number => leases.filter((l) => l.name.startsWith('bank-shard:') && l.holder === instance && l.expiresAt > Date.now()).length;
  await eventually(() => held('a') === BANK_SHARDS / 2 && held('b') === BANK_SHARDS / 2, 'the banks divided between the instances', 30_000, async () => {
    leases = await liveRows<Lease>(db, 'leases');
  });
  const owner = holderOf(`bank-shard:${shardOfBank(BANK_ID)}`);
  const dead = new Set<ServeChild>();

  const login = await call(a, undefined, 'POST', '/auth/login', { username: ADMIN.user, password: ADMIN.password });
  if (!ok(login)) throw new Error(`sign-in failed: ${describe(login)}`);
  const token = login.json.token as string;

  // The controllers, on the broker under their own identities.
  const controllers = COLUMNS.map((c) => new OutboxController(t, { url: mosq.url, bankId: BANK_ID, password: site.secrets[c.controllerId]! }, c.controllerId, site.commandPublicKey));
  for (const c of controllers) await c.connect();
  /** When each evtack arrived, per controller. */
  const evtacks = new Map(controllers.map((c) => [c.controllerId, [] as Array<{ upTo: number; at: number }>]));
  for (const c of controllers) c.on('acked', (upTo) => evtacks.get(c.controllerId)!.push({ upTo, at: performance.now() }));

  // --- The reservation stream: each flow reserves through one instance and drops off through the next. ---
  let rr = 0;
  const next = (): ServeChild => {
    const live = instances.filter((i) => !dead.has(i));
    return live[rr++ % live.length]!;
  };
  interface Flow {
    n: number;
    contact: number;
    trackingId: string;
    reservationId?: string;
    lockerNumber?: number;
    code?: string;
    /** Every answer, with the instance that gave it and whether the kill came before the answer. */
    replies: Array<{ instance: string; what: string; reply: Reply; afterKill: boolean }>;
  }
  const flows: Flow[] = [];
  let cap = BEFORE_KILL;
  const flowsSettled = { count: 0 };
  const runFlow = async (f: Flow): Promise<void> => {
    const reserveAt = next();
    const reserved = await call(reserveAt, token, 'POST', '/reservations', { bankId: BANK_ID, kind: 'package', recipient: { type: 'contact', id: `c${f.contact}` }, size: 'S', trackingId: f.trackingId });
    f.replies.push({ instance: reserveAt.instance, what: 'reserve', reply: reserved, afterKill: dead.size > 0 });
    if (!ok(reserved)) return;
    f.reservationId = reserved.json.reservation.id as string;
    f.lockerNumber = reserved.json.reservation.lockerNumber as number;
    const dropAt = next();
    const dropped = await call(dropAt, token, 'POST', `/reservations/${f.reservationId}/drop-off`, {});
    f.replies.push({ instance: dropAt.instance, what: 'drop-off', reply: dropped, afterKill: dead.size > 0 });
    if (ok(dropped)) f.code = dropped.json.pickupCode as string;
  };
  const flowTimer = setInterval(() => {
    if (flows.length >= cap) return;
    const n = flows.length;
    const f: Flow = { n, contact: n % CONTACTS, trackingId: `TRK-${n}`, replies: [] };
    flows.push(f);
    void runFlow(f).finally(() => flowsSettled.count++);
  }, FLOW_EVERY_MS);
  t.teardown(() => clearInterval(flowTimer));

  // --- The controllers' stream: door events, alerts, service changes (and pickups, sent as drop-offs land). ---
  const serviceState = new Map(controllers.map((c) => [c.controllerId, 'in-service' as 'in-service' | 'out-of-service']));
  let tick = 0;
  const eventBody = (c: OutboxController, k: number): EventBody => {
    const door = 1 + (k % 8);
    switch (k % 5) {
      case 0:
        return { type: 'door-opened', door, cause: 'unlock' };
      case 1:
        return { type: 'door-closed', door, openForMs: 1200 };
      case 2:
        return { type: 'door-left-open', door, openForMs: 90_000 };
      case 3:
        return { type: 'lock-fault', door, code: 'E_COIL', message: `coil resistance out of range (${k})` };
      default: {
        const state = serviceState.get(c.controllerId) === 'in-service' ? 'out-of-service' : 'in-service';
        serviceState.set(c.controllerId, state);
        return { type: 'service-changed', door: SERVICE_DOOR, state, actor: { role: 'technician', id: 'tech-1' }, reason: `check ${c.controllerId} ${c.nextSeq}` };
      }
    }
  };
  let sending = Promise.resolve();
  const eventTimer = setInterval(() => {
    const k = tick++;
    sending = sending.then(async () => {
      for (const c of controllers) await c.event(eventBody(c, k));
    });
  }, EVENT_EVERY_MS);
  t.teardown(() => clearInterval(eventTimer));

  /** A pickup at the kiosk of a parcel dropped off in `c`'s column: the transaction event its controller sends. */
  const pickups: string[] = [];
  const pickUpOne = async (c: OutboxController, column: number): Promise<void> => {
    const f = flows.find((x) => x.code !== undefined && !pickups.includes(x.reservationId!) && Math.ceil(x.lockerNumber! / LOCKERS_PER_COLUMN) === column);
    if (!f) throw new Error(`no parcel dropped off in column ${column} yet`);
    pickups.push(f.reservationId!);
    await c.event({ type: 'transaction', kind: 'pickup', doors: [f.lockerNumber! - (column - 1) * LOCKERS_PER_COLUMN], reservationIds: [f.reservationId!], trackingIds: [f.trackingId], actor: { role: 'recipient', id: `c${f.contact}` }, via: 'pin', offline: false });
  };

  // --- Before the kill. ---
  await eventually(() => flowsSettled.count >= BEFORE_KILL - 2, 'the first flows answered', 30_000);
  await pickUpOne(controllers[0]!, 1);

  // A remote open through the instance about to die; its controller holds the command (does not answer yet).
  const victim = instances.find((i) => i.instance === owner);
  if (!victim) throw new Error(`no instance owns bank ${BANK_ID}: ${JSON.stringify(leases)}`);
  const survivor = instances.find((i) => i !== victim)!;
  const opener = controllers[1]!;
  opener.holdCommands = true;
  const commandSeen = once(opener, 'command', () => true, 10_000);
  const openReply = call(victim, token, 'POST', `/banks/${BANK_ID}/lockers/${REMOTE_OPEN_LOCKER}/open`, { reason: 'fault test' });
  const openCommand = (await commandSeen) as { id: string; body: { door: number } };

  // Some notices go out; then the relay stops greeting: the next message is held mid-send when the instance dies.
  // Killing between the relay's acceptance and the sender's record of it would resend the message under the same
  // Message-ID (the outbox's documented crash window, which a receiving system drops by that id): the kill falls
  // outside it, once every message the relay accepted is recorded as sent.
  await peer.received(3, 20_000);
  peer.mode = 'hold';
  cap = BEFORE_KILL + 4;
  await eventually(() => peer.waiting > 0, 'a send held by the relay', 20_000);
  let records: MailRecord[] = [];
  const messageIdOf = (r: MailRecord): string => `<${r.id}@example.com>`;
  const sentIds = (): Set<string> => new Set(records.filter((r) => r.status === 'sent').map(messageIdOf));
  await eventually(() => peer.messages.every((m) => sentIds().has(m.messageId ?? '')), 'every accepted message recorded as sent', 10_000, async () => {
    records = await liveRows<MailRecord>(db, 'mailOutbox');
  });
  const heldAtKill = peer.waiting;

  // --- The kill. ---
  phase('kill');
  const killAt = performance.now();
  victim.child.kill('SIGKILL');
  await victim.exited;
  dead.add(victim);
  /** The first seq each controller sends after the victim is gone: only the survivor can ack it. */
  const firstAfter = new Map(controllers.map((c) => [c.controllerId, c.nextSeq]));
  cap = IN_ALL;
  peer.release();
  await opener.releaseCommands();
  const openAnswer = await openReply;
  await pickUpOne(controllers[1]!, 2).catch(() => pickUpOne(controllers[0]!, 1));

  // The takeover: an evtack covering an event sent after the kill, for each controller.
  const takeover = new Map<string, number>();
  await eventually(
    () => {
      for (const c of controllers) {
        const hit = evtacks.get(c.controllerId)!.find((e) => e.upTo >= firstAfter.get(c.controllerId)!);
        if (hit && !takeover.has(c.controllerId)) takeover.set(c.controllerId, hit.at - killAt);
      }
      return takeover.size === controllers.length;
    },
    "the survivor's evtack of events sent after the kill",
    30_000,
  ).catch(() => undefined);

  // --- Quiet down: the streams stop; what is under way settles. ---
  phase('taken over');
  await eventually(() => flows.length >= IN_ALL && flowsSettled.count >= flows.length, 'every flow answered', 60_000);
  clearInterval(flowTimer);
  clearInterval(eventTimer);
  await sending;
  const lastSeq = new Map(controllers.map((c) => [c.controllerId, c.nextSeq - 1]));
  const drained = await eventually(() => controllers.every((c) => c.pendingEvents === 0), "the controllers' outboxes drained", 20_000).then(
    () => true,
    () => false,
  );
  phase('drained');
  let marks: IngestMark[] = [];
  await eventually(
    () => controllers.every((c) => marks.find((m) => m.controllerId === c.controllerId)?.appliedUpTo === lastSeq.get(c.controllerId)),
    "every event applied (the ingest's marks)",
    15_000,
    async () => {
      marks = await liveRows<IngestMark>(db, 'ingestMarks');
    },
  ).catch(() => undefined);

  phase('applied');
  // The e-mail: nothing left to send, and the relay has every sent one.
  const notices = flows.filter((f) => f.code !== undefined);
  await eventually(
    () =>
      records.every((r) => r.status !== 'queued' && r.status !== 'sending') &&
      peer.messages.length >= records.filter((r) => r.status === 'sent').length &&
      notices.every((f) => records.some((r) => r.reservationId === f.reservationId && r.kind === 'parcel-ready')),
    'every e-mail sent',
    40_000,
    async () => {
      records = await liveRows<MailRecord>(db, 'mailOutbox');
    },
  ).catch(() => undefined);

  phase('mailed');
  // The remote open's record: requested, then an outcome.
  const activityOf = async (types: string): Promise<ActivityEntry[]> => {
    const r = await call(survivor, token, 'GET', `/activity?bankId=${BANK_ID}&type=${types}&limit=100000`);
    if (!ok(r)) throw new Error(`activity: ${describe(r)}`);
    return r.json.activity as ActivityEntry[];
  };
  let opens: ActivityEntry[] = [];
  const aboutOpen = (): ActivityEntry[] => opens.filter((e) => e.detail?.includes(`command ${openCommand.id}`));
  await eventually(() => aboutOpen().some((e) => !/: requested: /.test(e.detail ?? '')), 'the remote open finished on record', 30_000, async () => {
    opens = await activityOf('remote-open');
  }).catch(() => undefined);

  phase('remote open on record');
  t.comment(summary());
  t.comment(
    `flows ${flows.length}; events ${[...lastSeq].map(([c, n]) => `${c} ${n}`).join(', ')}; e-mails ${peer.messages.length} (${heldAtKill} held at the kill); ` +
      `takeover ${[...takeover].map(([c, ms]) => `${c} ${Math.round(ms)} ms`).join(', ') || 'none'}`,
  );

  await t.test('every reservation answered 2xx is stored once; the survivor answered every call', async (t) => {
    const listed = await call(survivor, token, 'GET', `/reservations?bankId=${BANK_ID}&includeEnded=true&limit=10000`);
    t.ok(ok(listed), `the survivor lists the reservations (${ok(listed) ? listed.status : describe(listed)})`);
    const stored = ok(listed) ? (listed.json.reservations as Array<{ id: string; packages?: Array<{ trackingId?: string }> }>) : [];
    const acked = flows.filter((f) => f.reservationId !== undefined);
    t.ok(acked.length >= IN_ALL - 4, `most flows reserved (${acked.length} of ${flows.length})`);
    t.same(twice(stored.map((r) => r.id)), [], 'no reservation listed twice');
    t.same(acked.filter((f) => !stored.some((r) => r.id === f.reservationId)).map((f) => f.reservationId), [], 'none answered 2xx is missing');
    const tracking = stored.flatMap((r) => (r.packages ?? []).map((p) => p.trackingId ?? '')).filter((x) => x !== '');
    t.same(twice(tracking), [], 'each request stored at most once (by its tracking id)');
    const replies = flows.flatMap((f) => f.replies.map((r, i) => ({ ...r, madeOn: i > 0 ? f.replies[0]!.instance : undefined })));
    const lost = (r: (typeof replies)[number]): boolean => r.instance === victim.instance && 'error' in r.reply;
    /** A drop-off refused as unknown by the instance the reservation was not made on. */
    const unseen = (r: (typeof replies)[number]): boolean => r.what === 'drop-off' && r.madeOn !== r.instance && 'status' in r.reply && r.reply.status === 404;
    const shown = (r: (typeof replies)[number]): string => `${r.what} on ${r.instance}${r.afterKill ? ' (after the kill)' : ''}: ${describe(r.reply)}`;
    t.same(replies.filter((r) => !ok(r.reply) && !lost(r) && !unseen(r)).map(shown), [], 'every call answered 2xx, but those to the killed instance that lost their connection');
    t.same(replies.filter(unseen).map(shown), [], 'no instance refuses a reservation another made a moment before');
  });

  await t.test('each e-mail reaches the relay once; every acknowledged drop-off is notified', async (t) => {
    const byId = counts(peer.messages.map((m) => m.messageId ?? '(none)'));
    t.same(twice(peer.messages.map((m) => m.messageId ?? '(none)')), [], 'no Message-ID received twice');
    t.same(records.filter((r) => r.status !== 'sent').map((r) => `${r.id} ${r.status} ${r.lastError ?? ''}`), [], 'every queued message sent (none queued, sending or failed)');
    t.same(records.filter((r) => r.status === 'sent' && !byId.has(messageIdOf(r))).map((r) => r.id), [], 'every message recorded as sent reached the relay');
    t.same([...byId.keys()].filter((id) => !records.some((r) => messageIdOf(r) === id)), [], 'nothing reached the relay that the outbox does not hold');
    const to = (m: ParsedMail): string => (m.to && !Array.isArray(m.to) ? m.to.text : '');
    const unnotified = notices.filter((f) => !peer.messages.some((m) => to(m) === contactAddress(f.contact) && (m.text ?? '').includes(`Your pickup code: ${f.code}`)));
    t.same(unnotified.map((f) => `${f.reservationId} (${f.trackingId})`), [], 'every drop-off answered 2xx: its recipient got its code');
    const dropped = (after: boolean): number => notices.filter((f) => f.replies.some((r) => r.what === 'drop-off' && r.afterKill === after && ok(r.reply))).length;
    t.ok(dropped(false) > 0 && dropped(true) > 0, `drop-offs notified from before the kill (${dropped(false)}) and after (${dropped(true)})`);
    t.ok(heldAtKill > 0, 'a send was under way at the kill');
    // Which instance sent: its log says so (the sender's lease names no instance id).
    t.ok(/e-mail sent/.test(victim.output()), 'the instance killed was the one sending until then');
  });

  await t.test('every controller event is stored and has its effect once; the outboxes drain', async (t) => {
    t.ok(drained, `every event acked (${controllers.map((c) => `${c.controllerId} up to ${c.ackedUpTo} of ${c.nextSeq - 1}`).join(', ')})`);
    const ids = controllers.map((c) => c.controllerId);
    const stored = (await db.query<EventRow>(`${EVENT_SELECT} FROM link_events WHERE controller_id = ANY($1)`, [ids])).rows.map(toEvent).sort((x, y) => x.seq - y.seq);
    const aside = await db.query<{ what: string; controller_id: string }>(
      `SELECT 'gap' AS what, controller_id FROM link_gaps WHERE controller_id = ANY($1) UNION ALL SELECT 'conflict', controller_id FROM link_conflicts WHERE controller_id = ANY($1)`,
      [ids],
    );
    for (const c of controllers) {
      const mine = stored.filter((e) => e.controllerId === c.controllerId);
      t.same(
        mine.map((e) => e.seq),
        c.sent.map((e) => e.seq),
        `${c.controllerId}: each of its ${c.sent.length} events in the shared journal once`
      );
      t.same(
        mine.filter((e) => !isDeepStrictEqual(e.event, c.sent.find((x) => x.seq === e.seq)?.event)).map((e) => e.seq),
        [],
        `${c.controllerId}: as it sent them`,
      );
      t.equal(marks.find((m) => m.controllerId === c.controllerId)?.appliedUpTo, lastSeq.get(c.controllerId), `${c.controllerId}: every event applied`);
    }
    t.same(aside.rows.map((r) => `${r.what} ${r.controller_id}`), [], 'no gap or conflict recorded');
    const effects = (await activityOf('alert,service-change')).map(eventOf).filter((k): k is string => k !== undefined);
    t.same(twice(effects), [], 'no event has two entries in the activity log');
    // Every alert, and every service change (each one toggles its door's state).
    const withEffect = controllers.flatMap((c) => c.sent.filter((e) => alertOf(e.event) !== undefined || e.event.type === 'service-changed').map((e) => `${c.controllerId}#${e.seq}`));
    t.same(withEffect.filter((k) => !effects.includes(k)), [], 'every alert and service change is in the activity log');
    const pickedUp = await activityOf('pickup');
    for (const id of pickups) {
      t.equal(pickedUp.filter((e) => e.reservationId === id).length, 1, `the pickup of ${id} recorded once`);
      const r = await call(survivor, token, 'GET', `/reservations/${id}`);
      t.match(ok(r) ? r.json.reservation : describe(r), { status: 'ended' }, `${id} ended by its pickup`);
    }
  });

  await t.test('the pending remote open ends on record and its door opened at most once', async (t) => {
    t.ok('error' in openAnswer, `the caller of the killed instance lost its answer (${describe(openAnswer)})`);
    const finished = aboutOpen().filter((e) => !/: requested: /.test(e.detail ?? ''));
    t.equal(aboutOpen().length - finished.length, 1, 'requested once');
    t.equal(finished.length, 1, `one outcome recorded: ${finished.map((e) => e.detail).join('; ') || 'none'}`);
    t.match(finished[0]?.detail ?? '', /: (opened|already_open|jammed|unknown|rejected|timed_out)\b/, 'an outcome, or timed_out');
    const runs = [...opener.opened.values()].reduce((n, x) => n + x, 0);
    t.ok(runs <= 1, `the door command ran at most once (${runs}: ${[...opener.opened].map(([id, n]) => `${id} x${n}`).join(', ')})`);
    t.equal(opener.opened.get(openCommand.id) ?? 0, runs, 'and only the command of that request');
  });

  await t.test('the survivor stores and acks the controllers\u2019 new events within 10 s of the kill', async (t) => {
    for (const c of controllers) {
      const ms = takeover.get(c.controllerId);
      t.ok(ms !== undefined && ms <= TAKEOVER_MS, `${c.controllerId}: first evtack of a post-kill event ${ms === undefined ? 'never came' : `${Math.round(ms)} ms`} after the kill`);
    }
  });

  survivor.child.kill('SIGTERM');
  await survivor.exited;
});
