// The integrator's side of the parcel-ready webhook in end-to-end tests: a real HTTP server on a loopback port that
// keeps every notice it receives with whether its signature checked out under the shared secret, closed at teardown.
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { Test } from 'tap';
import { signBody, type ParcelReadyNotice } from '@portier/cloud';

export interface WebhookReceiver {
  /** What the cloud's `notify.webhook` config needs. */
  webhook: { url: string; secret: string };
  /** Every notice received, oldest first. */
  notices: Array<{ notice: ParcelReadyNotice; signedOk: boolean }>;
}

export async function webhookReceiver(t: Test, secret: string): Promise<WebhookReceiver> {
  const notices: WebhookReceiver['notices'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const ts = Number(req.headers['x-portier-timestamp']);
      notices.push({ notice: JSON.parse(body) as ParcelReadyNotice, signedOk: req.headers['x-portier-signature'] === signBody(secret, ts, body) });
      res.statusCode = 204;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { webhook: { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/parcels`, secret }, notices };
}
