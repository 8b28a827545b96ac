// One load-generator process of the cluster fan-in bench (forked by run.ts, asked over IPC): lightweight simulated
// controllers, each an MQTT.js client with its own identity (clientId = username = controllerId, clean: false) and
// the persistent session of the firmware: QoS 1 subscriptions to its cmd, evtack and desired. Asked to, each sends its
// next events (QoS 1, seq counting on from its last), and answers a signed resend-events by sending again what it
// sent from that seq (the content of a seq never changes, as the firmware's outbox keeps it). Like the firmware's
// outbox, what is not yet acked is sent again after each reconnect and when the parent says acks stalled (the
// firmware's evtack timeout). No timer per client: keepalive is off (the broker never drops an idle client here) and
// the parent polls for the tally.
import { createPublicKey, type KeyObject } from 'node:crypto';
import mqtt from 'mqtt';
import { encodePayload, parsePayload, topicFor, verifyMessage, CONTROLLER_SUBSCRIBES, type Channel } from '@portier/protocol';
import type { ControllerSecret, FleetReport, FleetRequest } from './fleet-protocol.ts';

interface Sim {
  id: string;
  bankId: string;
  client: mqtt.MqttClient;
  /** Base of every event's `at`: seq n is at base + n, so a resent event has the content of the first. */
  baseAt: number;
  /** Highest seq sent. */
  sent: number;
  /** Events PUBACKed by the broker (each seq once). */
  pubacked: Set<number>;
  /** Highest `upTo` of a verified evtack. */
  ackedUpTo: number;
}

/** Closes before a controller is connected and subscribed, after which it counts as failed. */
const CLOSES_BEFORE_READY = 5;

const sims: Sim[] = [];
let url = '';
let key: KeyObject | undefined;
let forged = 0;
let resends = 0;
let replays = 0;
let publishErrors = 0;
const connectErrors = new Map<string, number>();
let disconnects = 0;

const send = (m: FleetReport): void => void process.send!(m);

function noteError(what: string): void {
  // Ids and ports vary per client: counted by the message's shape.
  const shape = what.replace(/\d+/g, 'N').slice(0, 160);
  connectErrors.set(shape, (connectErrors.get(shape) ?? 0) + 1);
}

function publishEvent(s: Sim, seq: number): void {
  const payload = encodePayload('evt', { v: 1, seq, at: s.baseAt + seq, event: { type: 'door-closed', door: (seq % 16) + 1, openForMs: 1000 * seq } });
  s.client.publish(topicFor(s.bankId, s.id, 'evt'), payload, { qos: 1 }, (err) => {
    if (err) publishErrors++;
    else s.pubacked.add(seq);
  });
}

/** Everything sent and not yet acked, again (the firmware's outbox after a reconnect or an evtack timeout). */
function replay(s: Sim): void {
  if (s.ackedUpTo >= s.sent) return;
  replays++;
  for (let seq = s.ackedUpTo + 1; seq <= s.sent; seq++) publishEvent(s, seq);
}

function onMessage(s: Sim, topic: string, payload: Buffer): void {
  if (topic.endsWith('/evtack')) {
    const r = parsePayload('evtack', payload);
    if (!r.ok || r.value.controllerId !== s.id || !verifyMessage(r.value, key!)) {
      forged++;
      return;
    }
    s.ackedUpTo = Math.max(s.ackedUpTo, r.value.upTo);
    return;
  }
  if (topic.endsWith('/cmd')) {
    const r = parsePayload('cmd', payload);
    if (!r.ok || r.value.controllerId !== s.id || !verifyMessage(r.value, key!)) {
      forged++;
      return;
    }
    if (r.value.type !== 'resend-events') return;
    // What a controller that took a bank's new owner's question does: everything still unacked, from that seq, again.
    resends++;
    for (let seq = Math.max(r.value.body.fromSeq, s.ackedUpTo + 1); seq <= s.sent; seq++) publishEvent(s, seq);
  }
}

/** Connects one controller and subscribes its three channels as the firmware does; resolves false (and counts why) when that fails. */
function connect(c: ControllerSecret): Promise<boolean> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, {
      clientId: c.id,
      username: c.id,
      password: c.secret,
      clean: false,
      keepalive: 0,
      reconnectPeriod: 2000,
      connectTimeout: 120_000,
      resubscribe: false,
    });
    const s: Sim = { id: c.id, bankId: c.bankId, client, baseAt: Date.now(), sent: 0, pubacked: new Set(), ackedUpTo: 0 };
    let first = true;
    let failed = false;
    const fail = (why: string): void => {
      noteError(why);
      if (!first) return;
      first = false;
      failed = true;
      client.end(true);
      resolve(false);
    };
    client.on('connect', () => {
      if (!first) {
        if (!failed) replay(s);
        return;
      }
      // With the QoS the firmware subscribes with (one QoS 1 subscription, so one JetStream consumer, per controller).
      const filters = Object.fromEntries(Object.entries(CONTROLLER_SUBSCRIBES).map(([ch, qos]) => [topicFor(c.bankId, c.id, ch as Channel), { qos }]));
      client.subscribe(filters, (err, granted) => {
        if (!first) return;
        const refused = (granted ?? []).filter((g) => g.qos === 128).length;
        if (err || refused > 0) {
          // As the firmware does (link/connection.ts): a refused subscription drops the connection and asks again on
          // the next one; only a controller refused CLOSES_BEFORE_READY times counts as failed (the close handler).
          noteError(err ? `subscribe: ${err.message} (asked again on a new connection)` : `${refused} subscriptions refused in the SUBACK (asked again on a new connection)`);
          client.stream.destroy();
          return;
        }
        first = false;
        sims.push(s);
        resolve(true);
      });
    });
    let closedBeforeReady = 0;
    client.on('close', () => {
      if (!first && !failed) disconnects++;
      // MQTT.js tries again by itself; a controller the broker keeps closing before it is subscribed counts as failed.
      if (first && ++closedBeforeReady >= CLOSES_BEFORE_READY) fail(`connection closed ${CLOSES_BEFORE_READY} times before subscribed`);
    });
    client.on('error', (err) => fail(err.message));
    client.on('message', (topic, payload) => onMessage(s, topic, payload));
  });
}

async function connectAll(list: ControllerSecret[], inFlight: number): Promise<{ ok: number; failed: number }> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    while (next < list.length) {
      const c = list[next++]!;
      if (await connect(c)) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, list.length) }, lane));
  return { ok, failed };
}

function report(): FleetReport {
  let sent = 0;
  let pubacked = 0;
  let acked = 0;
  let connected = 0;
  for (const s of sims) {
    sent += s.sent;
    pubacked += s.pubacked.size;
    acked += Math.min(s.ackedUpTo, s.sent);
    if (s.client.connected) connected++;
  }
  return {
    report: {
      controllers: sims.length,
      connected,
      sent,
      pubacked,
      acked,
      forged,
      resends,
      replays,
      publishErrors,
      disconnects,
      errors: [...connectErrors].map(([what, n]) => `${what} (x${n})`),
      rssBytes: process.memoryUsage().rss,
    },
  };
}

process.on('message', (raw: unknown) => {
  const m = raw as FleetRequest;
  if ('init' in m) {
    url = m.init.url;
    key = createPublicKey(m.init.publicKeyPem);
    send({ ready: true });
  } else if ('connect' in m) {
    void connectAll(m.connect.controllers, m.connect.inFlight).then((r) => send({ connected: r }));
  } else if ('publish' in m) {
    for (const s of sims) {
      const from = s.sent + 1;
      s.sent += m.publish.events;
      for (let seq = from; seq <= s.sent; seq++) publishEvent(s, seq);
    }
    send({ publishing: true });
  } else if ('replay' in m) {
    for (const s of sims) replay(s);
    send({ replaying: true });
  } else if ('report' in m) {
    send(report());
  } else if ('tally' in m) {
    send({ tally: sims.map((s) => [s.id, s.pubacked.size, s.sent] as [string, number, number]) });
  } else if ('stop' in m) {
    for (const s of sims) s.client.end(true);
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
