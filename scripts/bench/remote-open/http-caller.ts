// A plain keep-alive HTTP client with Nagle off, as an integrator's service would use: one socket, POSTs with a
// bearer token, the JSON answer parsed.
import { Agent, request } from 'node:http';

export type Caller = (path: string) => Promise<{ outcome: string }>;

export function httpCaller(baseUrl: string, token: string): Caller {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const api = new URL(baseUrl);
  const body = JSON.stringify({ reason: 'benchmark' });
  return (path) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: api.hostname,
          port: api.port,
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(text) as { outcome: string });
            } catch (err) {
              reject(err as Error);
            }
          });
        },
      );
      req.on('socket', (s) => s.setNoDelay(true));
      req.on('error', reject);
      req.end(body);
    });
}
