import { topicFor } from '@portier/protocol';
import t from 'tap';
import { startBroker } from '../../src/mqtt/broker.ts';
import { IdentityRegistry } from '../../src/mqtt/identities.ts';
import { MAX_CLIENT_ID_LENGTH } from '../../src/mqtt/limits.ts';
import { aclSuite } from './helpers/acl-suite.ts';
import { broker, client, closed, refusal, registry, TEST_HASH } from './helpers/env.ts';

const BANK = 'bank-1';

t.test('embedded aedes broker', async (t) => {
  const { reg } = await registry(t);
  const a = await reg.createController({ controllerId: 'col-a', bankId: BANK, column: 1 });
  const b = await reg.createController({ controllerId: 'col-b', bankId: BANK, column: 2 });
  const gone = await reg.createController({ controllerId: 'col-gone', bankId: BANK, column: 3 });
  await reg.revoke('col-gone');
  const svc = await reg.createServiceAccount({ username: 'cloud' });
  const brk = await broker(t, reg);

  aclSuite(t, {
    name: 'aedes',
    url: brk.url,
    bank: BANK,
    a: { username: 'col-a', password: a.secret, controllerId: 'col-a' },
    b: { username: 'col-b', password: b.secret, controllerId: 'col-b' },
    revoked: { username: 'col-gone', password: gone.secret },
    service: { username: 'cloud', password: svc.secret },
    closesOnRefusedPublish: true,
    refusesSubscribe: true,
  });

  t.test('a refusal is "bad user name or password" (CONNACK 4)', async (t) => {
    t.equal(await refusal(brk.url, { clientId: 'z', username: 'col-a', password: 'nope-nope-nope-nope' }), 4);
    t.equal(await refusal(brk.url, { clientId: 'z2' }), 4);
  });

  t.test('a last will on a topic the client may not publish is refused at connect', async (t) => {
    const will = (topic: string) => ({ topic, payload: Buffer.from('{"v":1,"state":"offline"}'), qos: 1 as const, retain: true });
    t.equal(
      await refusal(brk.url, { clientId: 'col-a', username: 'col-a', password: a.secret, will: will(topicFor(BANK, 'col-b', 'status')) }),
      5,
      "will on B's status",
    );
    t.equal(
      await refusal(brk.url, { clientId: 'col-a', username: 'col-a', password: a.secret, will: will(topicFor(BANK, 'col-a', 'cmd')) }),
      5,
      'will on its own cmd',
    );
    t.equal(
      await refusal(brk.url, { clientId: 'col-a', username: 'col-a', password: a.secret, will: will(topicFor(BANK, 'col-a', 'status')) }),
      undefined,
      'will on its own status is fine',
    );
  });

  t.test('a client id longer than the bound is refused (CONNACK 2)', async (t) => {
    t.equal(await refusal(brk.url, { clientId: 'x'.repeat(MAX_CLIENT_ID_LENGTH + 1), username: 'col-a', password: a.secret }), 2);
    t.equal(await refusal(brk.url, { clientId: 'x'.repeat(MAX_CLIENT_ID_LENGTH), username: 'col-a', password: a.secret }), undefined);
  });

  t.test("revoking closes the identity's live connection and refuses it from then on", async (t) => {
    const c = await reg.createController({ controllerId: 'col-c', bankId: BANK, column: 4 });
    const conn = await client(t, brk.url, { clientId: 'col-c', username: 'col-c', password: c.secret });
    await reg.revoke('col-c');
    t.ok(await closed(conn), 'connection closed');
    t.equal(await refusal(brk.url, { clientId: 'col-c', username: 'col-c', password: c.secret }), 4);
  });
});

t.test('a revocation made by another process (the CLI) is seen by a running broker', async (t) => {
  const { dataDir, reg } = await registry(t);
  const x = await reg.createController({ controllerId: 'col-x', bankId: BANK, column: 1 });
  const brk = await broker(t, reg);
  const conn = await client(t, brk.url, { clientId: 'col-x', username: 'col-x', password: x.secret });
  const cli = await IdentityRegistry.open(dataDir, { hashParams: TEST_HASH });
  await cli.revoke('col-x');
  // The next connect attempt makes the broker re-read the registry; the revoked live session is closed too.
  t.equal(await refusal(brk.url, { clientId: 'col-x', username: 'col-x', password: x.secret }), 4);
  t.ok(await closed(conn), 'live connection of the revoked identity closed');
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
