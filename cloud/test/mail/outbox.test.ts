// The outbox against a real SMTP server under fake time: a failed send (the server answers 4xx or 5xx, or is not
// there) is retried after 30 s, 60 s, 120 s... and marked failed after its last attempt; a sent message's content is
// erased, a cause queued twice sends once, and old records are pruned.
import sinon from 'sinon';
import t, { type Test } from 'tap';
import { MemoryStore } from '../../src/store/memory.ts';
import type { MailContent } from '../../src/mail/content.ts';
import type { NewMail } from '../../src/mail/outbox.ts';
import { clockTimers, eventually, peerOutbox } from './helpers.ts';
import { startSmtpPeer, type PeerMode } from './smtp-peer.ts';

const T0 = Date.UTC(2027, 0, 10, 8, 0);
const content: MailContent = { kind: 'picked-up', name: 'Ada', language: 'en', place: { bank: 'Lobby', location: 'HQ', lockerNumber: 3 }, at: T0 };
const mail = (id: string): NewMail => ({ id, enterpriseId: 'ent', kind: 'picked-up', to: { type: 'contact', id: 'c1' }, address: 'ada@example.org', language: 'en', reservationId: 'r1', bankId: 'bank', content });
const RETRY = { maxAttempts: 4, firstDelayMs: 30_000, maxDelayMs: 3_600_000 };

async function failing(t: Test, mode: PeerMode | 'down', expect: RegExp): Promise<void> {
  const peer = await startSmtpPeer(mode === 'down' ? 'accept' : mode);
  const port = peer.port;
  if (mode === 'down') await peer.close();
  else t.teardown(() => peer.close());
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const store = new MemoryStore();
  const { outbox } = peerOutbox(store, { host: '127.0.0.1', port }, RETRY, clockTimers(clock));
  t.teardown(() => outbox.stop());
  outbox.start();
  await outbox.queue(mail('m1'));
  const rec = () => store.get('mailOutbox', 'm1')!;
  const delays: number[] = [];
  for (let attempt = 1; attempt <= RETRY.maxAttempts; attempt++) {
    await clock.tickAsync(attempt === 1 ? 0 : delays.at(-1)! - 1);
    if (attempt > 1) {
      t.equal(rec().attempts, attempt - 1, `attempt ${attempt} not before its delay`);
      await clock.tickAsync(1);
    }
    await eventually(() => rec().attempts === attempt && rec().status !== 'sending', `attempt ${attempt} settled`);
    if (attempt < RETRY.maxAttempts) {
      t.equal(rec().status, 'queued', `queued again after attempt ${attempt}`);
      delays.push(rec().nextAttemptAt! - Date.now());
    }
  }
  t.same(delays, [30_000, 60_000, 120_000], 'the delay doubles from 30 s');
  const done = rec();
  t.equal(done.status, 'failed');
  t.match(done.lastError, expect, 'the reason is the server answer (or the network error)');
  t.notMatch(done.lastError, /@/, 'without the address a refusal quotes');
  t.equal(done.sealed, undefined, 'the content is erased once failed');
  const acts = (await store.queryActivity({ type: 'notification', limit: 10 })).items.map((a) => a.detail);
  t.same(acts.length, 2);
  t.equal(acts[0], 'picked-up e-mail queued');
  t.match(acts[1], /^picked-up e-mail failed after 4 attempt\(s\)/);
}

t.test('a server answering 451 is retried with backoff, then the message is marked failed', (t) => failing(t, 'temporary-failure', /451/));
t.test('a server answering 550 likewise', (t) => failing(t, 'permanent-failure', /550.*No such mailbox: \(address\)/));
t.test('a server that is down likewise', (t) => failing(t, 'down', /ECONNREFUSED|ESOCKET|ECONNECTION/));

t.test('sent once, content erased, the same cause queued again sends nothing; pruned after the retention', async (t) => {
  const peer = await startSmtpPeer();
  t.teardown(() => peer.close());
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const store = new MemoryStore();
  const { outbox } = peerOutbox(store, peer, RETRY, clockTimers(clock));
  t.teardown(() => outbox.stop());
  outbox.start();
  t.equal(await outbox.queue(mail('m1')), true);
  t.match(store.get('mailOutbox', 'm1')!.sealed, /^v1\./, 'the content waits sealed');
  t.notMatch(JSON.stringify(store.get('mailOutbox', 'm1')), /Lobby/, 'nothing of it in clear');
  await clock.tickAsync(0);
  const [m] = await peer.received(1);
  t.equal(m!.messageId, '<m1@example.com>');
  await eventually(() => store.get('mailOutbox', 'm1')!.status === 'sent', 'marked sent');
  t.equal(store.get('mailOutbox', 'm1')!.sealed, undefined, 'the content is erased once sent');
  t.equal(await outbox.queue(mail('m1')), false, 'a cause seen before is not queued again');
  await clock.tickAsync(60_000);
  t.equal(peer.messages.length, 1, 'one message, not two');
  // Straight to a month later (ticking through it would run every 15 s poll on the way).
  clock.setSystemTime(T0 + 31 * 86_400_000);
  await clock.tickAsync(15_000);
  await eventually(() => store.get('mailOutbox', 'm1') === undefined, 'pruned after the retention');
});
