// A tiny aedes broker for the link tests, with the access rules of DESIGN.md (firmware tests may not import the
// cloud's broker: boundary rule). No anonymous client; a controller uses its own id as username and the client id
// derived from its secret (sessionClientId), may
// publish only its ack/evt/reported/status and subscribe only its cmd/evtack/desired; the service account has the rest.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { tryParseTopic, CONTROLLER_PUBLISHES, CLOUD_PUBLISHES, sessionClientId } from '@portier/protocol';

export interface TestControllerIdentity {
  bankId: string;
  controllerId: string;
  secret: string;
}

export const SERVICE_USER = 'cloud-service';
export const SERVICE_PASSWORD = 'service-secret';

export interface TestBroker {
  url: string;
  port: number;
  /** Publishes seen by the broker (topic, payload, the controller id of a controller's, else the client id), for assertions. */
  published: Array<{ topic: string; payload: Buffer; clientId: string | undefined }>;
  denied: Array<{ clientId: string; topic: string; what: 'publish' | 'subscribe' }>;
  /** Stops the broker (closing every connection); state (sessions, retained) is lost, as with aedes' default persistence. */
  stop(): Promise<void>;
  /** Starts a fresh broker on the same port. */
  restart(): Promise<void>;
  running(): boolean;
  /** Stops it and removes its files, if it has any. */
  dispose?(): Promise<void>;
}

function authError(): AuthenticateError {
  const e = new Error('Bad username or password') as AuthenticateError;
  (e as { returnCode: number }).returnCode = 4;
  return e;
}

export async function startTestBroker(controllers: TestControllerIdentity[], opts: { port?: number } = {}): Promise<TestBroker> {
  const byId = new Map(controllers.map((c) => [c.controllerId, c]));
  /** The controller each authenticated client is (service clients are not in it). */
  const who = new WeakMap<object, TestControllerIdentity>();
  const published: TestBroker['published'] = [];
  const denied: TestBroker['denied'] = [];
  let server: Server | undefined;
  let broker: Aedes | undefined;
  let sockets = new Set<Socket>();
  let port = opts.port ?? 0;

  async function start(): Promise<void> {
    const b = await Aedes.createBroker({
      authenticate(client, username, password, done) {
        const pw = password?.toString('utf8');
        if (username === SERVICE_USER && pw === SERVICE_PASSWORD) return done(null, true);
        const c = username ? byId.get(username) : undefined;
        if (!c || pw !== c.secret || client.id !== sessionClientId(c.controllerId, c.secret)) return done(authError(), false);
        who.set(client, c);
        done(null, true);
      },
      authorizePublish(client, packet, cb) {
        if (!client) return cb(null);
        const user = who.get(client);
        if (!user) return cb(null); // service account
        const t = tryParseTopic(packet.topic);
        const ok = !!t && t.bankId === user.bankId && t.controllerId === user.controllerId && CONTROLLER_PUBLISHES.includes(t.channel);
        if (!ok) {
          denied.push({ clientId: user.controllerId, topic: packet.topic, what: 'publish' });
          return cb(new Error('not authorized'));
        }
        cb(null);
      },
      authorizeSubscribe(client, sub, cb) {
        const user = who.get(client);
        if (!user) return cb(null, sub);
        const t = tryParseTopic(sub.topic);
        const ok = !!t && t.bankId === user.bankId && t.controllerId === user.controllerId && CLOUD_PUBLISHES.includes(t.channel);
        if (!ok) {
          denied.push({ clientId: user.controllerId, topic: sub.topic, what: 'subscribe' });
          return cb(new Error('not authorized'));
        }
        cb(null, sub);
      },
    });
    b.on('publish', (packet, client) => {
      if (client && !packet.topic.startsWith('$SYS')) published.push({ topic: packet.topic, payload: Buffer.from(packet.payload as Buffer), clientId: who.get(client)?.controllerId ?? client.id });
    });
    const s = createServer((sock) => {
      sock.setNoDelay(true);
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      b.handle(sock);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
    broker = b;
  }

  async function stop(): Promise<void> {
    const s = server;
    const b = broker;
    server = undefined;
    broker = undefined;
    if (!s || !b) return;
    for (const sock of sockets) sock.destroy();
    sockets = new Set();
    await new Promise<void>((resolve) => b.close(() => resolve()));
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await start();
  return {
    get url() {
      return `mqtt://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    published,
    denied,
    stop,
    restart: start,
    running: () => !!server,
  };
}
