// A real loopback HTTP server of logo files for the tests: files by path, a count of requests per path, and faults
// (another file's bytes, a status) set per path.
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LogoReference } from '@portier/protocol';

export interface LogoServer {
  url: string;
  /** Requests seen, per path. */
  hits: Map<string, number>;
  /** Serves `data` at `/branding/<its sha256>` (or `body` instead, to lie), answering `status`. */
  serve(data: Buffer, opts?: { body?: Buffer; status?: number }): LogoReference;
  close(): Promise<void>;
}

export async function startLogoServer(): Promise<LogoServer> {
  const files = new Map<string, { body: Buffer; status: number }>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const f = files.get(path);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(f.status, { 'content-type': 'image/png', 'content-length': f.body.length }).end(f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    serve(data, opts = {}) {
      const sha256 = createHash('sha256').update(data).digest('hex');
      files.set(`/branding/${sha256}`, { body: opts.body ?? data, status: opts.status ?? 200 });
      return { url: `${url}/branding/${sha256}`, sha256, type: 'image/png', bytes: data.length };
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
