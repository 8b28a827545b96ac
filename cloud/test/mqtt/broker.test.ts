import { topicFor } from '@portier/protocol';
import net from 'node:net';
import t from 'tap';
import { startBroker } from '../../src/mqtt/broker.ts';
import { watchIdentities } from '../../src/mqtt/identity-watch.ts';
import { DEFAULT_MAX_PACKET_BYTES, MAX_CLIENT_ID_LENGTH } from '../../src/mqtt/limits.ts';
import { aclIdentities, aclSuite } from './helpers/acl-suite.ts';
import { broker, client, closed, nextMessage, portierCloud, refusal, registry } from './helpers/env.ts';

const BANK = 'bank-1';

/** An MQTT 3.1.1 CONNECT with a user name and password (and optionally a QoS 1 last will). */
function connectPacket(o: { clientId: string; username: string; password: string; clean: boolean; will?: { topic: string; payload: string } | undefined }): Buffer {
  const str = (v: string): Buffer => {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const flags = 0x80 | 0x40 | (o.will ? 0x04 | 0x08 : 0) | (o.clean ? 0x02 : 0);
  const body = Buffer.concat([
    str('MQTT'),
    Buffer.from([4, flags, 0, 60]),
    str(o.clientId),
    ...(o.will ? [str(o.will.topic), str(o.will.payload)] : []),
    str(o.username),
    str(o.password),
  ]);
  const len: number[] = [];
  let n = body.length;
  do {
    len.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x10, ...len]), body]);
}

// The file holds a stress test (6,000 connects): its length depends on the machine's load, so the file's bound is
// generous; it only bounds a hang.
t.setTimeout(600_000);

t.test('embedded aedes broker', async (t) => {
  const { reg } = await registry(t);
  const ids = await aclIdentities(reg, BANK);
  const brk = await broker(t, reg);
  aclSuite(t, { ...ids, name: 'aedes', url: brk.url, closesOnRefusedPublish: true, refusesSubscribe: true, bindsClientId: true });

  t.test('a refusal is "bad user name or password" (CONNACK 4)', async (t) => {
    t.equal(await refusal(brk.url, { clientId: 'z', username: 'col-a', password: 'nope-nope-nope-nope' }), 4);
    t.equal(await refusal(brk.url, { clientId: 'z2' }), 4);
  });

  t.test('a last will on a topic the client may not publish is refused at connect', async (t) => {
    const will = (topic: string) => ({ topic, payload: Buffer.from('{"v":1,"state":"offline"}'), qos: 1 as const, retain: true });
    t.equal(
      await refusal(brk.url, { clientId: 'col-a', username: 'col-a', password: ids.a.password, will: will(topicFor(BANK, 'col-b', 'status')) }),
      5,
      "will on B's status",
    );
    t.equal(
      await refusal(brk.url, { clientId: 'col-a', username: 'col-a', password: ids.a.password, will: will(topicFor(BANK, 'col-a', 'cmd')) }),
      5,
      'will on its own cmd',
    );
    t.equal(
      await refusal(brk.url, { clientId: 'col-a', username: 'col-a', password: ids.a.password, will: will(topicFor(BANK, 'col-a', 'status')) }),
      undefined,
      'will on its own status is fine',
    );
  });

  t.test('a client id longer than the bound is refused (CONNACK 2)', async (t) => {
    t.equal(await refusal(brk.url, { clientId: 'x'.repeat(MAX_CLIENT_ID_LENGTH + 1), username: 'col-a', password: ids.a.password }), 2);
    t.equal(await refusal(brk.url, { clientId: 'x'.repeat(MAX_CLIENT_ID_LENGTH), username: 'col-a', password: ids.a.password }), undefined);
  });

  t.test("revoking closes the identity's live connection and refuses it from then on", async (t) => {
    const c = await reg.createController({ controllerId: 'col-c', bankId: BANK, column: 4 });
    const conn = await client(t, brk.url, { clientId: 'col-c', username: 'col-c', password: c.secret });
    await reg.revoke('col-c');
    t.ok(await closed(conn), 'connection closed');
    t.equal(await refusal(brk.url, { clientId: 'col-c', username: 'col-c', password: c.secret }), 4);
  });
});

t.test('a revocation by `portier-cloud revoke` (another process) closes the live connection at once, no other connect needed', async (t) => {
  const { dataDir, reg } = await registry(t);
  const x = await reg.createController({ controllerId: 'col-x', bankId: BANK, column: 1 });
  const y = await reg.createController({ controllerId: 'col-y', bankId: BANK, column: 2 });
  const brk = await broker(t, reg);
  // What the running cloud does (cloud-runtime.ts).
  t.teardown(watchIdentities(reg));
  const conn = await client(t, brk.url, { clientId: 'col-x', username: 'col-x', password: x.secret });
  const other = await client(t, brk.url, { clientId: 'col-y', username: 'col-y', password: y.secret });
  const r = await portierCloud(['revoke', '--controller', 'col-x', '--data-dir', dataDir]);
  t.equal(r.code, 0, r.stderr);
  t.ok(await closed(conn), 'live connection of the revoked identity closed');
  t.notOk(reg.isActive('col-x'), 'the registry knows');
  t.equal(await refusal(brk.url, { clientId: 'col-x', username: 'col-x', password: x.secret }), 4);
  t.ok(other.connected, 'another controller stays connected');
});

t.test('6,000 connects with one controller credential: the broker keeps one connection and one session for it', async (t) => {
  const { reg } = await registry(t);
  const a = await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  const b = await reg.createController({ controllerId: 'col-b', bankId: BANK, column: 2 });
  const s = await reg.createServiceAccount({ username: 'cloud' });
  const brk = await broker(t, reg);
  const svc = await client(t, brk.url, { clientId: 'cloud', username: 'cloud', password: s.secret });
  const cb = await client(t, brk.url, { clientId: 'col-b', username: 'col-b', password: b.secret, clean: false });
  const cmdA = topicFor(BANK, 'col-a', 'cmd');

  /** One CONNECT on a raw socket, as a script would send it; resolves with the socket if the broker accepted it. */
  const attempt = (i: number): Promise<net.Socket | undefined> => {
    // Long and varying client ids (the broker replaces them by the user name), some the owner's own, some the
    // neighbour's; persistent and clean sessions, with and without a last will.
    const clientId = i % 5 === 0 ? 'col-a' : i % 7 === 0 ? 'col-b' : `${i}-${'z'.repeat(i % MAX_CLIENT_ID_LENGTH)}`.slice(0, MAX_CLIENT_ID_LENGTH);
    const will = i % 3 === 0 ? { topic: topicFor(BANK, 'col-a', 'status'), payload: '{"v":1,"state":"offline"}' } : undefined;
    const packet = connectPacket({ clientId, username: 'col-a', password: a.secret, clean: i % 2 === 0, will });
    return new Promise((resolve) => {
      const sock = net.connect(brk.port, '127.0.0.1', () => sock.write(packet));
      sock.once('data', (d: Buffer) => {
        // CONNACK: 0x20 0x02 flags returnCode.
        if (d[0] === 0x20 && d[3] === 0) return resolve(sock);
        sock.destroy();
        resolve(undefined);
      });
      sock.on('error', () => resolve(undefined));
      sock.once('close', () => resolve(undefined));
    });
  };
  let accepted = 0;
  let peak = 0;
  const open = new Set<net.Socket>();
  t.teardown(() => {
    for (const sock of open) sock.destroy();
  });
  const BATCH = 300;
  for (let i = 0; i < 6000; i += BATCH) {
    const batch = await Promise.all(Array.from({ length: BATCH }, (_, k) => attempt(i + k)));
    for (const sock of batch) {
      if (!sock) continue;
      accepted++;
      // A connection the broker closes later (a newer one took over) is gone on our side too.
      if (sock.closed) continue;
      open.add(sock);
      sock.once('close', () => open.delete(sock));
    }
    // What the broker keeps per client, while the attack runs.
    const k = await brk.bookkeeping();
    if (k.identities > 3 || k.clientIds.length > 3 || k.storedSessions > 2) t.fail(`batch ${i / BATCH}: ${JSON.stringify(k)}`);
    peak = Math.max(peak, k.clientIds.length);
  }
  t.ok(accepted > 0, `${accepted} of the 6,000 connects were accepted (each took over the one before)`);
  const k = await brk.bookkeeping();
  t.same(k.clientIds.sort(), ['cloud', 'col-a', 'col-b'], 'aedes records no other client');
  t.equal(k.identities, 3, 'the broker holds three identities');
  t.ok(peak <= 3, `at most three client records at any batch's end (${peak})`);
  t.ok(k.storedSessions <= 2, `stored sessions: ${k.storedSessions} (col-a's and col-b's at most)`);

  // The broker closes a connection that a newer one took over on its side first; ours hears of it a moment later.
  await new Promise<void>((resolve) => {
    const bound = setTimeout(resolve, 20_000);
    const check = (): void => {
      if (open.size > 1) return;
      clearTimeout(bound);
      resolve();
    };
    for (const sock of open) sock.once('close', check);
    check();
  });
  t.ok(open.size <= 1, `connections of A still open: ${open.size}`);
  // Connects whose socket closes while the broker checks the credentials leave nothing behind.
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => {
      const sock = net.connect(brk.port, '127.0.0.1', () => sock.write(connectPacket({ clientId: `gone-${i}`, username: 'col-a', password: a.secret, clean: true }), () => sock.destroy()));
      sock.on('error', () => {});
      return new Promise((r) => sock.once('close', r));
    }),
  );
  // The legitimate path: the controller connects again (its newer connection wins) and gets its commands; B and the
  // cloud were never disturbed.
  const ca = await client(t, brk.url, { clientId: 'col-a', username: 'col-a', password: a.secret, clean: false });
  await ca.subscribeAsync(cmdA, { qos: 1 });
  const got = nextMessage(ca, (topic, p) => topic === cmdA && p.toString() === 'still-works');
  await svc.publishAsync(cmdA, 'still-works', { qos: 1 });
  await got;
  t.ok(cb.connected && svc.connected, 'B and the cloud kept their connections');
  t.same((await brk.bookkeeping()).connected.sort(), ['cloud', 'col-a', 'col-b'], 'one connection per identity, under its user name');
});

t.test('TLS listener with a certificate file', { skip: process.env.PORTIER_SKIP_TLS ? 'PORTIER_SKIP_TLS set' : false }, async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const { dataDir, reg } = await registry(t);
  const keyFile = join(dataDir, 'key.pem');
  const certFile = join(dataDir, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  } catch {
    t.comment('skipped: needs openssl');
    return;
  }
  const s = await reg.createServiceAccount({ username: 'cloud' });
  const brk = await startBroker({ identities: reg, port: 0, tls: { keyFile, certFile } });
  t.teardown(() => brk.close());
  t.match(brk.url, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
  const { readFileSync } = await import('node:fs');
  const c = await client(t, brk.url, { clientId: 'svc-tls', username: 'cloud', password: s.secret, ca: readFileSync(certFile), servername: 'localhost', rejectUnauthorized: true });
  t.ok(c.connected, 'connected over TLS');
  t.equal(await refusal(brk.url, { clientId: 'svc-tls2', username: 'cloud', password: 'wrong-wrong-wrong-wrong', ca: readFileSync(certFile), servername: 'localhost' }), 4);
});

t.test('a missing certificate file is a clear error', async (t) => {
  const { reg } = await registry(t);
  await t.rejects(startBroker({ identities: reg, port: 0, tls: { keyFile: '/nonexistent/k', certFile: '/nonexistent/c' } }), { code: 'TLS_FILES' });
});

t.test('packet size limits: a controller sending a huge packet is cut off; the service may send a large desired', async (t) => {
  const { reg } = await registry(t);
  const a = await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  const s = await reg.createServiceAccount({ username: 'cloud' });
  const brk = await startBroker({ identities: reg, port: 0, maxPacketBytes: { service: 2 * 1024 * 1024, controller: 64 * 1024 } });
  t.teardown(() => brk.close());
  const svc = await client(t, brk.url, { clientId: 'svc', username: 'cloud', password: s.secret });
  const ca = await client(t, brk.url, { clientId: 'col-a', username: 'col-a', password: a.secret });
  await ca.subscribeAsync(topicFor(BANK, 'col-a', 'desired'), { qos: 1 });
  const got = new Promise<number>((resolve) => ca.once('message', (_t, p) => resolve(p.length)));
  await svc.publishAsync(topicFor(BANK, 'col-a', 'desired'), Buffer.alloc(1024 * 1024, 0x20), { qos: 1 });
  t.equal(await got, 1024 * 1024, 'a 1 MiB desired state from the service goes through');
  await ca.publishAsync(topicFor(BANK, 'col-a', 'evt'), Buffer.alloc(1000, 0x20), { qos: 1 });
  t.ok(ca.connected, 'small packets are fine');
  ca.publish(topicFor(BANK, 'col-a', 'evt'), Buffer.alloc(100 * 1024, 0x20), { qos: 1 });
  t.ok(await closed(ca), 'a 100 KiB packet from a controller closes its connection');
});

t.test('before the identity is known, a packet over the CONNECT limit closes the socket', async (t) => {
  const { reg } = await registry(t);
  const a = await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  const brk = await broker(t, reg);
  const sock = net.connect(brk.port, '127.0.0.1');
  t.teardown(() => sock.destroy());
  const gone = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 20_000);
    sock.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  sock.on('error', () => {});
  // A CONNECT announcing 1 MiB (a huge client id or will), streamed by someone with no credentials at all.
  const announced = 1024 * 1024;
  sock.write(Buffer.from([0x10, (announced & 0x7f) | 0x80, ((announced >> 7) & 0x7f) | 0x80, announced >> 14]));
  sock.write(Buffer.alloc(64 * 1024, 0x41));
  t.ok(await gone, 'closed after the header, before the broker buffered the packet');
  t.ok(DEFAULT_MAX_PACKET_BYTES.connect < announced);
  // A normal CONNECT still passes.
  t.equal(await refusal(brk.url, { clientId: 'col-a', username: 'col-a', password: a.secret }), undefined);
});

t.test('PacketSizeGuard follows headers split across chunks', async (t) => {
  const { PacketSizeGuard } = await import('../../src/mqtt/broker.ts');
  let tripped = -1;
  const g = new PacketSizeGuard(200, (n) => (tripped = n));
  // A 3-byte packet, then a 300-byte one whose 2-byte length (300 = 0xAC 0x02) is split across chunks.
  g.feed(Buffer.from([0x30, 3, 1, 2, 3, 0x30, 0xac]));
  t.equal(tripped, -1);
  g.feed(Buffer.from([0x02]));
  t.equal(tripped, 300);
  const ok = new PacketSizeGuard(200, () => t.fail('not too large'));
  const packets = Buffer.concat([Buffer.from([0x30, 127]), Buffer.alloc(127), Buffer.from([0x30, 0x80, 0x01]), Buffer.alloc(128), Buffer.from([0xc0, 0])]);
  for (let i = 0; i < packets.length; i += 7) ok.feed(packets.subarray(i, i + 7));
  t.pass('valid stream in 7-byte chunks');
});
