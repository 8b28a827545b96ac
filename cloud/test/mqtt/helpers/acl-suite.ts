// The broker access contract of DESIGN.md, written once and run against every broker we support: the embedded
// aedes broker and Mosquitto with the generated password and ACL files.
import { topicFor, type Channel } from '@portier/protocol';
import type { MqttClient } from 'mqtt';
import type { Test } from 'tap';
import type { IdentityRegistry } from '../../../src/mqtt/identities.ts';
import { client, closed, grantedQos, nextMessage, refusal } from './env.ts';

export interface Creds {
  username: string;
  password: string;
}

export interface AclTarget {
  name: string;
  url: string;
  bank: string;
  /** Controller A and B of `bank`, a revoked controller, the service account. */
  a: Creds & { controllerId: string };
  b: Creds & { controllerId: string };
  revoked: Creds;
  service: Creds;
  /** A refused publish closes the publisher's connection (aedes) rather than being dropped silently (Mosquitto). */
  closesOnRefusedPublish: boolean;
  /** A refused subscription is answered 128 in the SUBACK (aedes) rather than granted and filtered (Mosquitto 2.0). */
  refusesSubscribe: boolean;
  /**
   * The broker binds the client id to the user (aedes, Mosquitto's use_username_as_clientid). Where it does not
   * (NATS), a credential naming another identity's client id takes that session over: the suite then checks that the
   * intruder still gets none of the victim's messages and that the victim gets them again once back.
   */
  bindsClientId: boolean;
}

/** Who the suite connects as, apart from the broker under test. */
export type AclIdentities = Pick<AclTarget, 'bank' | 'a' | 'b' | 'revoked' | 'service'>;

/**
 * The suite's identities, created in `reg`: controllers col-a and col-b of `bank`, col-gone (revoked) and the service
 * account "cloud".
 */
export async function aclIdentities(reg: IdentityRegistry, bank: string): Promise<AclIdentities> {
  const a = await reg.createController({ controllerId: 'col-a', bankId: bank, column: 1 });
  const b = await reg.createController({ controllerId: 'col-b', bankId: bank, column: 2 });
  const gone = await reg.createController({ controllerId: 'col-gone', bankId: bank, column: 3 });
  await reg.revoke('col-gone');
  const svc = await reg.createServiceAccount({ username: 'cloud' });
  return {
    bank,
    a: { username: 'col-a', password: a.secret, controllerId: 'col-a' },
    b: { username: 'col-b', password: b.secret, controllerId: 'col-b' },
    revoked: { username: 'col-gone', password: gone.secret },
    service: { username: 'cloud', password: svc.secret },
  };
}

/** Connect return codes that mean "refused for credentials": 4 (bad user/password) or 5 (not authorized). */
const REFUSED = [4, 5];

export function aclSuite(t: Test, target: AclTarget): void {
  const { url, bank, a, b } = target;
  const opts = (c: Creds, clientId: string) => ({ username: c.username, password: c.password, clientId, clean: true });
  /** The topics of `channels` of one controller of the bank, in that order. */
  const topics = (controllerId: string, channels: readonly Channel[]): string[] => channels.map((ch) => topicFor(bank, controllerId, ch));

  t.test(`${target.name}: anonymous, unknown, wrong-secret and revoked connections are refused`, async (t) => {
    t.ok(REFUSED.includes(Number(await refusal(url, { clientId: 'anon-1' }))), 'no credentials');
    t.ok(REFUSED.includes(Number(await refusal(url, { clientId: 'anon-2', username: a.username }))), 'user without password');
    t.ok(REFUSED.includes(Number(await refusal(url, { clientId: 'x-1', username: 'nobody', password: a.password }))), 'unknown user');
    t.ok(REFUSED.includes(Number(await refusal(url, { clientId: 'x-2', username: a.username, password: `${a.password}x` }))), 'wrong secret');
    t.ok(REFUSED.includes(Number(await refusal(url, { clientId: 'x-3', username: a.username, password: b.password }))), "another controller's secret");
    t.ok(REFUSED.includes(Number(await refusal(url, { clientId: 'x-4', username: target.revoked.username, password: target.revoked.password }))), 'revoked identity');
    t.equal(await refusal(url, opts(a, a.controllerId)), undefined, 'the right secret connects');
  });

  t.test(`${target.name}: a controller subscribes only to its own cmd, evtack, desired`, async (t) => {
    const ca = await client(t, url, opts(a, a.controllerId));
    const own = topics(a.controllerId, ['cmd', 'evtack', 'desired']);
    t.same(await grantedQos(ca, own), [1, 1, 1], 'own cloud channels granted');
    const refused = [
      ...topics(b.controllerId, ['cmd', 'desired', 'evtack']),
      ...topics(a.controllerId, ['ack', 'evt']),
      topicFor(bank, b.controllerId, 'evt'),
      `portier/v1/${bank}/+/cmd`,
      `portier/v1/${bank}/${a.controllerId}/+`,
      `portier/v1/${bank}/${a.controllerId}/#`,
      'portier/v1/#',
      '#',
      '+/+/+/+/+',
      '$SYS/#',
    ];
    if (target.refusesSubscribe) {
      for (const f of refused) t.same(await grantedQos(ca, [f]), [128], `refused: ${f}`);
    } else {
      // Mosquitto grants the SUBACK and enforces read access per message instead.
      for (const f of refused) await grantedQos(ca, [f]);
    }
    // Whatever the SUBACK said, nothing of B's (nor A's own outbound channels) reaches A.
    const seen: string[] = [];
    ca.on('message', (topic) => seen.push(topic));
    const svc = await client(t, url, opts(target.service, `svc-sub-${Date.now()}`));
    const cb = await client(t, url, opts(b, b.controllerId));
    for (const ch of ['cmd', 'desired', 'evtack'] as const) await svc.publishAsync(topicFor(bank, b.controllerId, ch), 'for-b', { qos: 1 });
    for (const ch of ['evt', 'ack'] as const) await cb.publishAsync(topicFor(bank, b.controllerId, ch), 'from-b', { qos: 1 });
    await ca.publishAsync(topicFor(bank, a.controllerId, 'evt'), 'from-a', { qos: 1 });
    const marker = topicFor(bank, a.controllerId, 'cmd');
    const got = nextMessage(ca, (topic, p) => topic === marker && p.toString() === 'marker');
    await svc.publishAsync(marker, 'marker', { qos: 1 });
    await got;
    t.same(
      seen.filter((topic) => topic !== marker),
      [],
      "A received nothing of B's and none of its own outbound channels",
    );
  });

  t.test(`${target.name}: a controller publishes only on its own ack, evt, reported, status`, async (t) => {
    const svc = await client(t, url, opts(target.service, `svc-watch-${Date.now()}`));
    t.same(await grantedQos(svc, ['portier/v1/#']), [1], 'service account may watch the whole tree');
    const seen: string[] = [];
    svc.on('message', (topic) => seen.push(topic));

    const ca = await client(t, url, opts(a, a.controllerId));
    const ownEvt = topicFor(bank, a.controllerId, 'evt');
    const got = nextMessage(svc, (topic) => topic === ownEvt);
    await ca.publishAsync(ownEvt, '{"own":true}', { qos: 1 });
    t.equal((await got).payload.toString(), '{"own":true}', 'own evt delivered');

    const forbidden = [
      ...topics(b.controllerId, ['evt', 'ack', 'status']),
      ...topics(a.controllerId, ['cmd', 'desired', 'evtack']),
      topicFor('other-bank', a.controllerId, 'evt'),
      'portier/v1/x',
      'elsewhere/evt',
    ];
    for (const [i, topic] of forbidden.entries()) {
      // A fresh connection per attempt: aedes drops the connection of a refused publisher. A client id of its own, so
      // that no attempt takes the previous one's session over (NATS refuses a client id that does so often).
      const c = await client(t, url, opts(a, `${a.controllerId}-try-${i}`));
      // aedes drops the connection instead of a PUBACK (the publish never completes); Mosquitto acks and drops it.
      const sent = c.publishAsync(topic, '{"forged":true}', { qos: 1 }).then(
        () => 'acked',
        () => 'failed',
      );
      if (target.closesOnRefusedPublish) t.ok(await closed(c), `connection dropped after publishing on ${topic}`);
      else await Promise.race([sent, closed(c)]);
      // A marker from B after the attempt: once it arrives, the forged message would have arrived before it.
      const cb = await client(t, url, opts(b, b.controllerId));
      const marker = topicFor(bank, b.controllerId, 'reported');
      const m = nextMessage(svc, (tp, p) => tp === marker && p.toString() === topic);
      await cb.publishAsync(marker, topic, { qos: 1 });
      await m;
      await new Promise<void>((r) => cb.end(false, {}, () => r()));
      await new Promise<void>((r) => c.end(true, {}, () => r()));
      t.notOk(seen.includes(topic), `not delivered: ${topic}`);
    }
    // Clear the retained marker.
    const cb = await client(t, url, opts(b, b.controllerId));
    await cb.publishAsync(topicFor(bank, b.controllerId, 'reported'), '', { qos: 1, retain: true });
  });

  if (!target.bindsClientId) {
    t.test(`${target.name}: a stolen controller credential naming another controller's client id gets none of its commands`, async (t) => {
      const cmdB = topicFor(bank, b.controllerId, 'cmd');
      const cb = await client(t, url, { ...opts(b, b.controllerId), clean: false });
      await cb.subscribeAsync(cmdB, { qos: 1 });
      const svc = await client(t, url, opts(target.service, `svc-thief-${Date.now()}`));
      const kicked = closed(cb);
      const thief = await client(t, url, { ...opts(a, b.controllerId), clean: false });
      const stolen: string[] = [];
      thief.on('message', (topic, p) => stolen.push(`${topic} ${p.toString()}`));
      t.ok(await kicked, `B is disconnected: ${target.name} does not bind the client id to the user`);
      await svc.publishAsync(cmdB, 'while-stolen', { qos: 1 });
      // A marker for A's own session shows the broker had time to deliver whatever it would have.
      await thief.subscribeAsync(topicFor(bank, a.controllerId, 'cmd'), { qos: 1 }).catch(() => undefined);
      await new Promise<void>((r) => thief.end(true, {}, () => r()));
      // Retried: a broker may refuse for a moment a client id whose session changed hands this quickly (NATS).
      const back = await client(t, url, { ...opts(b, b.controllerId), clean: false, reconnectPeriod: 300 });
      const got = nextMessage(back, (topic, p) => topic === cmdB && p.toString() === 'after');
      await back.subscribeAsync(cmdB, { qos: 1 });
      await svc.publishAsync(cmdB, 'after', { qos: 1 });
      t.equal((await got).payload.toString(), 'after', 'B, back, gets its commands');
      t.same(stolen, [], 'the intruder got none of B\'s commands');
    });
    t.test(`${target.name}: one session per identity`, { skip: `${target.name} does not bind the client id to the user (cloud/DEPLOY.md)` }, () => {});
    t.test(`${target.name}: the service account commands any controller and reads every controller channel`, (t) => serviceCommands(t));
    return;
  }

  t.test(`${target.name}: a stolen controller credential naming another identity's client id kicks nobody and gets none of its commands`, async (t) => {
    const cmdB = topicFor(bank, b.controllerId, 'cmd');
    const evtB = topicFor(bank, b.controllerId, 'evt');
    // B's persistent session with its commands, and the cloud's, both under their own client ids.
    const cb = await client(t, url, { ...opts(b, b.controllerId), clean: false });
    await cb.subscribeAsync(cmdB, { qos: 1 });
    const svc = await client(t, url, { ...opts(target.service, target.service.username), clean: false });
    await svc.subscribeAsync(evtB, { qos: 1 });
    const kicked: string[] = [];
    cb.on('close', () => kicked.push('B'));
    svc.on('close', () => kicked.push('service'));

    for (const victim of [b.controllerId, target.service.username]) {
      const thief = await client(t, url, { ...opts(a, victim), clean: false });
      // Whatever the session it may have inherited, a wildcard-free subscription to the victim's commands is the
      // only way to ask for them again: the ACL refuses it, the session must not carry it.
      const stolen: string[] = [];
      thief.on('message', (topic) => stolen.push(topic));
      const toB = nextMessage(cb, (topic, p) => topic === cmdB && p.toString() === `for-b-${victim}`);
      await svc.publishAsync(cmdB, `for-b-${victim}`, { qos: 1 });
      t.equal((await toB).payload.toString(), `for-b-${victim}`, `B still gets its commands (A named client id ${victim})`);
      const fromB = nextMessage(svc, (topic, p) => topic === evtB && p.toString() === `evt-${victim}`);
      await cb.publishAsync(evtB, `evt-${victim}`, { qos: 1 });
      await fromB;
      t.same(stolen, [], `A got nothing (named client id ${victim})`);
      await new Promise<void>((r) => thief.end(true, {}, () => r()));
    }
    t.same(kicked, [], 'neither B nor the service account was disconnected');
    t.ok(cb.connected && svc.connected, 'both still connected');
  });

  t.test(`${target.name}: one session per identity, the newer connection wins`, async (t) => {
    const cmdA = topicFor(bank, a.controllerId, 'cmd');
    // The old connection stands for a half-open socket: it never noticed anything, the controller reconnects anyway.
    const old = await client(t, url, { ...opts(a, a.controllerId), clean: false });
    await old.subscribeAsync(cmdA, { qos: 1 });
    const newer = await client(t, url, { ...opts(a, `${a.controllerId}-again`), clean: false });
    t.ok(await closed(old), 'the older connection is closed');
    t.ok(newer.connected, 'the newer one stays');
    const svc = await client(t, url, opts(target.service, target.service.username));
    const got = nextMessage(newer, (topic, p) => topic === cmdA && p.toString() === 'to-newer');
    // The session (and its subscription) is the identity's: the newer connection has it without subscribing.
    await svc.publishAsync(cmdA, 'to-newer', { qos: 1 });
    t.equal((await got).payload.toString(), 'to-newer', 'the newer connection gets the identity\'s commands');
    await newer.unsubscribeAsync(cmdA);
  });

  t.test(`${target.name}: the service account commands any controller and reads every controller channel`, (t) => serviceCommands(t));

  async function serviceCommands(t: Test): Promise<void> {
    const svc = await client(t, url, opts(target.service, `svc-cmd-${Date.now()}`));
    t.same(
      await grantedQos(svc, ['portier/v1/+/+/ack', 'portier/v1/+/+/evt', 'portier/v1/+/+/reported', 'portier/v1/+/+/status']),
      [1, 1, 1, 1],
      'wildcard subscriptions of the service account',
    );
    const ca: MqttClient = await client(t, url, opts(a, a.controllerId));
    await ca.subscribeAsync(topicFor(bank, a.controllerId, 'cmd'), { qos: 1 });
    const got = nextMessage(ca);
    await svc.publishAsync(topicFor(bank, a.controllerId, 'cmd'), '{"hello":1}', { qos: 1 });
    const m = await got;
    t.equal(m.topic, topicFor(bank, a.controllerId, 'cmd'), 'A got its command');
    const ack = nextMessage(svc, (topic) => topic === topicFor(bank, a.controllerId, 'ack'));
    await ca.publishAsync(topicFor(bank, a.controllerId, 'ack'), '{"ack":1}', { qos: 1 });
    t.equal((await ack).payload.toString(), '{"ack":1}', 'service got the ack');
  }
}
