// The parcel-ready webhook against a real HTTP server on a TCP port: signed notices, retries, giving up; codes never logged.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { signBody, WebhookNotifier, type ParcelReadyNotice, type RecipientDirectory } from '../../src/notify/webhook.ts';
import type { IssuedPickupCode } from '../../src/bridge/event-ingest.ts';

const SECRET = 'webhook-secret-0123456789';
const contacts = new Map([['alice', { id: 'alice', enterpriseId: 'ent', firstName: 'Alice', lastName: 'Martin', email: 'alice@example.com', needsAccessible: false, createdAt: 1 }]]);
const departments = new Map([['legal', { id: 'legal', name: 'Legal', memberIds: ['alice'], keyContactId: 'alice', createdAt: 1 }]]);
const reservations = new Map([
  ['r-1', { id: 'r-1', packages: [{ trackingId: '1Z999AA1', addedAt: 1 }, { addedAt: 2 }], dropOffParty: { type: 'carrier', id: 'ups' } }],
]);
const directory = {
  get: (kind: 'contacts' | 'departments' | 'reservations', id: string) =>
    kind === 'contacts' ? contacts.get(id) : kind === 'departments' ? departments.get(id) : reservations.get(id),
} as RecipientDirectory;

const issued = (over: Partial<IssuedPickupCode> = {}): IssuedPickupCode => ({
  reservationId: 'r-1',
  bankId: 'bank',
  lockerNumber: 7,
  recipient: { type: 'contact', id: 'alice' },
  code: '482913',
  expiresAt: 1_900_000_000_000,
  ...over,
});

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

/** A receiver answering each POST with the next status of `statuses` (then 200). */
async function receiver(t: Test, statuses: number[] = []): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ body, headers: req.headers });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks/parcels`, got, server };
}

function capturedLogger(): { logger: pino.Logger; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), text: () => text };
}

function waitFor<T>(n: WebhookNotifier, event: 'delivered' | 'gave-up', ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    n.on(event, (x) => {
      clearTimeout(timer);
      resolve(x as T);
    });
  });
}

t.test('a pickup code issued at the kiosk reaches the webhook once, signed, with whom to tell; never in the logs', async (t) => {
  const r = await receiver(t);
  const log = capturedLogger();
  const n = new WebhookNotifier({ url: r.url, secret: SECRET, directory, logger: log.logger });
  t.teardown(() => n.stop());
  const delivered = waitFor<ParcelReadyNotice>(n, 'delivered');
  n.notify(issued());
  await delivered;
  t.equal(r.got.length, 1);
  const [first] = r.got;
  const body = JSON.parse(first!.body) as ParcelReadyNotice;
  t.match(body, {
    type: 'parcel-ready',
    reservationId: 'r-1',
    bankId: 'bank',
    lockerNumber: 7,
    pickupCode: '482913',
    pickupCodeExpiresAt: 1_900_000_000_000,
    recipient: { type: 'contact', id: 'alice', name: 'Alice Martin', email: 'alice@example.com' },
    trackingIds: ['1Z999AA1'],
    droppedOffBy: { type: 'carrier', id: 'ups' },
  });
  const ts = Number(first!.headers['x-portier-timestamp']);
  t.equal(first!.headers['x-portier-signature'], signBody(SECRET, ts, first!.body), 'the receiver can check the signature');
  t.not(first!.headers['x-portier-signature'], signBody('another-secret-xxxxxxxx', ts, first!.body));
  t.equal(n.queued, 0);
  t.notOk(log.text().includes('482913'), 'the code is not in the logs');
  t.match(log.text(), /parcel-ready notice delivered/);
});

t.test('a department parcel names the department and its key contact', async (t) => {
  const r = await receiver(t);
  const n = new WebhookNotifier({ url: r.url, secret: SECRET, directory });
  t.teardown(() => n.stop());
  const delivered = waitFor<ParcelReadyNotice>(n, 'delivered');
  n.notify(issued({ recipient: { type: 'department', id: 'legal' } }));
  t.match((await delivered).recipient, { type: 'department', id: 'legal', name: 'Legal', email: 'alice@example.com' });
});

t.test('a failing webhook is retried until it answers 2xx; the receiver can deduplicate by notice id', async (t) => {
  const r = await receiver(t, [503, 500]);
  const log = capturedLogger();
  const n = new WebhookNotifier({ url: r.url, secret: SECRET, directory, logger: log.logger, retryDelayMs: 5 });
  t.teardown(() => n.stop());
  const delivered = waitFor<ParcelReadyNotice>(n, 'delivered');
  n.notify(issued());
  const notice = await delivered;
  t.equal(r.got.length, 3, 'two failures, then delivered');
  t.same(new Set(r.got.map((g) => (JSON.parse(g.body) as ParcelReadyNotice).id)), new Set([notice.id]), 'one notice id across retries');
  t.equal((log.text().match(/will retry/g) ?? []).length, 2);
  t.notOk(log.text().includes('482913'));
});

t.test('an unreachable webhook is given up after maxAgeMs, with an error that says how to issue a new code', async (t) => {
  const r = await receiver(t);
  await new Promise<void>((res) => r.server.close(() => res())); // nobody listens on that port now
  const log = capturedLogger();
  const n = new WebhookNotifier({ url: r.url, secret: SECRET, directory, logger: log.logger, retryDelayMs: 5, maxAgeMs: 60 });
  t.teardown(() => n.stop());
  const gaveUp = waitFor<ParcelReadyNotice>(n, 'gave-up');
  n.notify(issued({ reservationId: 'r-lost' }));
  t.equal((await gaveUp).reservationId, 'r-lost');
  t.equal(n.queued, 0);
  t.match(log.text(), /POST \/api\/v1\/reservations\/r-lost\/pickup-code/);
  t.notOk(log.text().includes('482913'));
});

t.test('stop() gives up what is still waiting (logged), and later codes are not taken', async (t) => {
  const r = await receiver(t, [503, 503, 503, 503, 503, 503]);
  const log = capturedLogger();
  const n = new WebhookNotifier({ url: r.url, secret: SECRET, directory, logger: log.logger, retryDelayMs: 60_000 });
  const retrying = new Promise<void>((res) => {
    const check = setInterval(() => {
      if (r.got.length >= 1) {
        clearInterval(check);
        res();
      }
    }, 1);
  });
  n.notify(issued({ reservationId: 'r-wait' }));
  await retrying;
  await n.stop();
  t.equal(n.queued, 0);
  t.match(log.text(), /r-wait.*given up|given up.*r-wait/);
  n.notify(issued({ reservationId: 'r-late' }));
  t.equal(n.queued, 0, 'nothing taken after stop');
});
