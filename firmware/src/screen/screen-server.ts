// The kiosk's touch screen, served by the kiosk controller itself on a loopback port: the page and its two assets,
// the view pushed to the page as Server-Sent Events, touches and keys taken back as JSON posts, and the branding's
// logo from the controller's own cache. Nothing comes from the network, so the screen works with the cloud away.
//
// Only the browser on the controller reaches it: the server listens on loopback, answers only requests addressed to
// its loopback name (a web page elsewhere cannot reach it through a DNS name rebound to 127.0.0.1), takes input only
// as JSON from its own origin (a cross-site form cannot post it), and every page is under a Content-Security-Policy
// that runs no script but its own file.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KioskBranding } from '../branding/index.ts';
import { describeIssues } from '../config/issues.ts';
import { attachKioskPanel, type PanelTarget } from '../kiosk/panel.ts';
import type { KioskScreenConfig } from '../runtime/config.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import { screenAsset, screenPageHtml } from './screen-page.ts';
import { screenInputSchema, type ScreenBrandingEvent } from './screen-messages.ts';
import { ScreenPorts } from './screen-ports.ts';

/** Where the branding comes from (the runtime's `BrandingCache`). */
export interface ScreenBrandingSource {
  current(): KioskBranding | undefined;
  on(event: 'changed', listener: (b: KioskBranding) => void): unknown;
  off(event: 'changed', listener: (b: KioskBranding) => void): unknown;
}

export interface KioskScreenOptions {
  engine: PanelTarget;
  config: KioskScreenConfig;
  branding?: ScreenBrandingSource;
  logger?: Logger;
}

export interface KioskScreen {
  /** The page's address, e.g. `http://127.0.0.1:8765/`. */
  readonly url: string;
  /** Pages connected now. */
  readonly connections: number;
  /** Ends every connection, detaches from the engine and stops listening. */
  close(): Promise<void>;
}

const MAX_BODY = 2048;
const HEARTBEAT_MS = 20_000;
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
// A logo SVG is shown as an image; opened on its own it still runs nothing.
const LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

function brandingEvent(b: KioskBranding | undefined): ScreenBrandingEvent {
  return {
    ...(b?.colours ? { colours: b.colours } : {}),
    ...(b?.logo ? { logo: { url: `/logo/${b.logo.sha256}`, type: b.logo.type } } : {}),
  };
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Starts the screen's server and attaches its ports to the engine. Rejects when the port cannot be bound. */
export async function startKioskScreen(o: KioskScreenOptions): Promise<KioskScreen> {
  const log = (o.logger ?? silentLogger).child({ module: 'kiosk-screen' });
  const ports = new ScreenPorts(o.config.blankInAudioMode);
  const streams = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();

  const broadcast = (event: string, data: unknown): void => {
    for (const res of streams) sse(res, event, data);
  };
  ports.on('view', (v) => broadcast('view', v));
  ports.on('notice', (n) => broadcast('notice', n));
  const onBranding = (b: KioskBranding): void => broadcast('branding', brandingEvent(b));
  o.branding?.on('changed', onBranding);
  const detach = attachKioskPanel(o.engine, { display: ports.display, keypad: ports.keypad, touch: ports.touch, logger: o.logger });

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
    res.end(body);
  };
  const problem = (res: ServerResponse, status: number, error: string): void => send(res, status, 'application/json', JSON.stringify({ error }));

  const events = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    // A page that lost its connection (controller restart) asks again after a second.
    res.write('retry: 1000\n\n');
    sse(res, 'branding', brandingEvent(o.branding?.current()));
    if (ports.current) sse(res, 'view', ports.current);
    streams.add(res);
    req.on('close', () => streams.delete(res));
  };

  const input = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, ''))) return problem(res, 403, `origin: ${origin} may not send input to this screen`);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return problem(res, 415, 'content-type: expected application/json');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (res.headersSent) return;
      size += c.length;
      if (size > MAX_BODY) {
        // Answered at once; the rest of the body is read and dropped, so the answer reaches the page whole.
        send(res, 413, 'application/json', JSON.stringify({ error: `body: larger than ${MAX_BODY} bytes` }), { connection: 'close' });
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return problem(res, 400, 'body: not valid JSON');
      }
      const parsed = screenInputSchema.safeParse(body);
      if (!parsed.success) {
        const p = describeIssues(parsed.error.issues, { schema: screenInputSchema, input: body });
        return problem(res, 400, p.map((x) => `${x.path}: ${x.message}`).join('; '));
      }
      const outcome = ports.input(parsed.data);
      if (!outcome.ok) return send(res, 409, 'application/json', JSON.stringify({ error: 'seq: the page changed before this touch arrived', seq: outcome.seq }));
      res.writeHead(204, { 'cache-control': 'no-store' });
      res.end();
    });
  };

  const logo = (sha: string, res: ServerResponse): void => {
    const held = o.branding?.current()?.logo;
    if (!held || held.sha256 !== sha) return send(res, 404, 'text/plain; charset=utf-8', 'no such logo\n');
    res.writeHead(200, { 'content-type': held.type, 'content-length': String(held.bytes), 'cache-control': 'public, max-age=31536000, immutable', 'content-security-policy': LOGO_CSP });
    createReadStream(held.path)
      .on('error', (err) => {
        log.warn({ err }, 'logo file not readable');
        res.destroy();
      })
      .pipe(res);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 421, 'text/plain; charset=utf-8', 'this screen answers on its loopback address only\n');
    const path = new URL(req.url ?? '/', 'http://screen').pathname;
    const route = `${req.method ?? 'GET'} ${path}`;
    if (route === 'GET /') return send(res, 200, 'text/html; charset=utf-8', screenPageHtml(ports.current?.view.lang ?? 'en'));
    if (route === 'GET /screen.js') return send(res, 200, 'text/javascript; charset=utf-8', screenAsset('screen.js'), { 'cache-control': 'no-cache' });
    if (route === 'GET /screen.css') return send(res, 200, 'text/css; charset=utf-8', screenAsset('screen.css'), { 'cache-control': 'no-cache' });
    if (route === 'GET /events') return events(req, res);
    if (route === 'POST /input') return input(req, res);
    // Browsers ask for an icon the page does not have.
    if (route === 'GET /favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (route === 'GET /healthz') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    const m = /^GET \/logo\/([0-9a-f]{64})$/.exec(route);
    if (m) return logo(m[1]!, res);
    if (['/', '/screen.js', '/screen.css', '/events', '/input', '/healthz'].includes(path)) return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  };

  const server: Server = createServer(handle);
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': still here\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const undo = (): void => {
    clearInterval(heartbeat);
    detach();
    o.branding?.off('changed', onBranding);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.config.port, o.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    undo();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const host = o.config.host === '::1' ? '[::1]' : o.config.host;
  const url = `http://${host}:${port}/`;
  log.info({ url }, 'kiosk screen served');
  let closing: Promise<void> | undefined;
  return {
    url,
    get connections() {
      return streams.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        undo();
        for (const res of streams) res.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
