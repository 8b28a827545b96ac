// Nothing lost, nothing doubled: `portier-cloud serve` runs as a child; one parcel is dropped off through the API and
// another was dropped off in the data folder before the cloud ever ran (its notice never queued: what a kill between
// the drop-off's commit and the queueing leaves). The SMTP server holds the first connection silent, so the cloud is
// SIGKILLed with a send under way; restarted against a server that answers, each recipient gets exactly one message,
// with the code of their drop-off, and the stable Message-ID of the message.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { LockerService } from '../../src/domain/service.ts';
import { openCredentialSecrets } from '../../src/runtime/credential-secrets.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { lockerRows, seedKioskBank } from '../fixtures/site.ts';
import { spawnServe } from '../process/helpers.ts';
import { eventually } from './helpers.ts';
import { startSmtpPeer } from './smtp-peer.ts';

const ADMIN = { user: 'admin', password: 'kill-test-password' };

/** The organisation, and a parcel dropped off for `early@` while no cloud (and no mail) ran: its code in clear. */
async function seed(dataDir: string): Promise<string> {
  const secrets = await openCredentialSecrets({ dataDir, secretsKeyFile: undefined, logger: pino({ level: 'silent' }) });
  const store = await DurableStore.open(join(dataDir, 'store'));
  const service = new LockerService({ store, codeHashN: 1024, vault: secrets.vault });
  const actor = { role: 'admin' as const, id: 'seed' };
  await seedKioskBank(service, actor, 'col1');
  await service.createLockers(lockerRows({ bankId: 'bank', columnId: 'col1', first: 1, count: 4, size: 'M', perRow: 4, bottomCm: 40, rowCm: 32 }), actor);
  await service.createContact({ enterpriseId: 'ent', id: 'early', firstName: 'Early', lastName: 'Bird', email: 'early@example.org', needsAccessible: false }, actor);
  await service.createContact({ enterpriseId: 'ent', id: 'late', firstName: 'Late', lastName: 'Comer', email: 'late@example.org', needsAccessible: false }, actor);
  const r = await service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'early' }, size: 'S' }, actor);
  const d = await service.dropOff({ reservationId: r.reservation.id }, actor);
  await store.close();
  return d.pickupCode!;
}

function start(dataDir: string, smtpPort: number): Promise<{ child: ChildProcess; url: string; exited: Promise<void>; output: () => string }> {
  const child = spawnServe(dataDir, ADMIN, 'info', {
    PORTIER_CLOUD__MAIL__HOST: '127.0.0.1',
    PORTIER_CLOUD__MAIL__PORT: String(smtpPort),
    PORTIER_CLOUD__MAIL__TLS: 'none',
    PORTIER_CLOUD__MAIL__FROM__ADDRESS: 'lockers@example.com',
    // The restarted cloud takes the sending over from the killed one once its lease has run out.
    PORTIER_CLOUD__MAIL__LEASE_SECONDS: '5',
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return eventually(() => /listening on (http:\/\/\S+)\/api\/v1/.test(out) || child.exitCode !== null, 'the cloud listening', 60_000).then(() => {
    const m = /listening on (http:\/\/\S+)\/api\/v1/.exec(out);
    if (!m) throw new Error(`the cloud did not start: ${out}`);
    return { child, url: m[1]!, exited, output: () => out };
  });
}

t.setTimeout(120_000);
t.test('a cloud killed between the drop-off and the send sends each notice exactly once after restart', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'portier-mail-kill-'));
  t.teardown(() => Promise.all([dataDir, `${dataDir}.secrets.key`].map((p) => rm(p, { recursive: true, force: true }))));
  const earlyCode = await seed(dataDir);
  const peer = await startSmtpPeer('hold');
  t.teardown(() => peer.close());

  const first = await start(dataDir, peer.port);
  t.teardown(() => void first.child.kill('SIGKILL'));
  const api = async (url: string, token: string | undefined, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
    return (await res.json()) as Record<string, any>;
  };
  const token = (await api(first.url, undefined, 'POST', '/auth/login', { username: ADMIN.user, password: ADMIN.password })).token as string;
  const r = await api(first.url, token, 'POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'late' }, size: 'S' });
  const lateCode = (await api(first.url, token, 'POST', `/reservations/${r.reservation.id}/drop-off`, {})).pickupCode as string;
  await peer.connected(1);
  first.child.kill('SIGKILL');
  await first.exited;
  t.equal(peer.messages.length, 0, 'nothing was sent before the kill');

  peer.release();
  const second = await start(dataDir, peer.port);
  t.teardown(() => void second.child.kill('SIGKILL'));
  const got = await peer.received(2, 30_000);
  const token2 = (await api(second.url, undefined, 'POST', '/auth/login', { username: ADMIN.user, password: ADMIN.password })).token as string;
  const status = async () => (await api(second.url, token2, 'GET', `/reservations/${r.reservation.id}`)).messages as Array<{ status: string; attempts: number }>;
  let shown = await status();
  const until = performance.now() + 10_000;
  while (shown[0]?.status !== 'sent' && performance.now() < until) shown = await status();
  t.match(shown, [{ kind: 'parcel-ready', status: 'sent' }], 'the reservation shows its one message sent');
  // Everything due is sent by now; a doubled message would have gone out before the status turned.
  t.equal(peer.messages.length, 2, 'exactly two messages: one per drop-off');
  const to = (m: (typeof got)[number]) => (m.to && !Array.isArray(m.to) ? m.to.text : '');
  const early = got.find((m) => to(m) === 'early@example.org');
  const late = got.find((m) => to(m) === 'late@example.org');
  t.match(early?.text, `Your pickup code: ${earlyCode}`, 'the parcel dropped off before any cloud ran is notified, with its code');
  t.match(late?.text, `Your pickup code: ${lateCode}`, 'the API drop-off cut short by the kill is notified once, with its code');
  t.match(late?.messageId, /^<mail-[0-9a-f]{32}@example\.com>$/);
  for (const code of [earlyCode, lateCode]) t.notMatch(first.output() + second.output(), new RegExp(`(^|\\D)${code}(\\D|$)`), 'no code in the logs');
  second.child.kill('SIGTERM');
  await second.exited;
});
