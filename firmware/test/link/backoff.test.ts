import t from 'tap';
import sinon from 'sinon';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { Backoff } from '../../src/link/backoff.ts';
import { ControllerLink, type LinkStatus } from '../../src/link/controller-link.ts';
import { FakeExecutor, waitForEvent } from './helpers/cloud.ts';

t.test('delays grow exponentially with jitter in [d/2, d], capped, and reset on success', async (t) => {
  const lo = new Backoff({ minMs: 1000, maxMs: 60_000, random: () => 0 });
  t.same(Array.from({ length: 9 }, () => lo.next()), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  const hi = new Backoff({ minMs: 1000, maxMs: 60_000, random: () => 0.999999 });
  t.same(Array.from({ length: 9 }, () => hi.next()), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  t.equal(hi.attempts, 9);
  hi.reset();
  t.equal(hi.attempts, 0);
  t.equal(hi.next(), 1000);
  const r = new Backoff();
  for (let i = 0; i < 200; i++) {
    const d = r.next();
    t.ok(d >= 500 && d <= 60_000);
  }
  t.throws(() => new Backoff({ minMs: 0 }));
});

t.test('the link retries on its own schedule (fake timers): backoff state visible, attempts counted', async (t) => {
  // A port that refuses connections at once: take a free port and close it.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const dir = mkdtempSync(join(tmpdir(), 'portier-backoff-'));
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: 1_790_000_000_000 });
  const link = new ControllerLink({
    brokerUrl: `mqtt://127.0.0.1:${port}`,
    bankId: 'bank-1',
    controllerId: 'col-1',
    secret: 'x',
    cloudPublicKey: generateKeyPairSync('ed25519').publicKey,
    dataDir: dir,
    executor: new FakeExecutor(),
    backoff: { minMs: 1000, maxMs: 8000, random: () => 0.999999 },
  });
  t.teardown(async () => {
    clock.restore();
    await link.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const states: LinkStatus[] = [];
  link.on('state', (s) => states.push(s));
  await link.start();
  const delays: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const [s] = (await waitForEvent(link as never, 'state', (x: LinkStatus) => x.state === 'backoff' && x.attempts === i)) as unknown as [LinkStatus];
    delays.push((s.nextRetryAt ?? 0) - Date.now());
    t.ok(s.lastError, 'the refusal is visible');
    const connecting = waitForEvent(link as never, 'state', (x: LinkStatus) => x.state === 'connecting');
    // Nothing happens before the delay is up...
    await clock.tickAsync((s.nextRetryAt ?? 0) - Date.now() - 1);
    t.equal(link.status().state, 'backoff');
    // ...and the next attempt starts when it is.
    await clock.tickAsync(1);
    await connecting;
  }
  t.same(delays, [1000, 2000, 4000, 8000, 8000], 'exponential, capped');
  t.ok(states.every((s) => s.state !== 'online'));
});
