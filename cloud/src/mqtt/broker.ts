/**
 * The embedded MQTT broker: aedes on a TCP (or TLS) port, with the access rules of DESIGN.md.
 * - No anonymous client: every connect names an identity of the registry and its secret (returnCode 4 otherwise).
 * - The client id is the authenticated user name, whatever id the client gave (as Mosquitto's
 *   `use_username_as_clientid`): nobody can take over another identity's session (and the commands queued in it) by
 *   naming its client id, and the broker keeps at most one session per identity. A client id longer than
 *   MAX_CLIENT_ID_LENGTH is refused (returnCode 2).
 * - One connection per identity, the newer wins: a second connect of an identity closes the first, so a controller
 *   whose old socket is half-open is never locked out. Connects of one identity are taken in turn (each waits until
 *   the one before it is registered or gone), so the broker's per-identity records never outnumber the identities.
 * - The last will is checked at connect like a publish (and again by aedes when it fires).
 * - Publishes and subscriptions go through `acl.ts`. A refused publish makes aedes drop the connection; a refused
 *   subscription is granted 128 (failure).
 * - Packet sizes are bounded per connection (limits.ts): small until the identity is known, then by its kind.
 * - A revoked identity's live connection is closed at once.
 * TCP_NODELAY is set on every accepted socket (STACK.md: without it a request/reply round trip costs ~88 ms).
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { canPublish, canSubscribe } from './acl.ts';
import type { BrokerIdentity } from './identities.ts';
import { DEFAULT_MAX_PACKET_BYTES, MAX_CLIENT_ID_LENGTH, type PacketLimits } from './limits.ts';
import { CloudError } from '../errors.ts';

/**
 * Connections the kernel completes and holds for the broker before it accepts them. A fleet reconnects at once after a
 * restart, while the broker is busy starting and checking secrets: with Node's default (511), the kernel drops the
 * handshakes beyond it, and each of those controllers tries again only after its TCP retransmission (1, 3, 7 s...).
 * The kernel caps it at net.core.somaxconn (4096 by default since Linux 5.4).
 */
export const LISTEN_BACKLOG = 4096;

export { DEFAULT_MAX_PACKET_BYTES };

/** What the broker needs from the identity registry. */
export interface BrokerAuthenticator {
  authenticate(username: string, password: string): Promise<BrokerIdentity | undefined>;
  /** False once the identity is revoked (checked again after a connect waited for the identity's previous one). */
  isActive?(username: string): boolean;
  on?(event: 'revoked', listener: (username: string) => void): unknown;
  off?(event: 'revoked', listener: (username: string) => void): unknown;
}

export interface BrokerTlsOptions {
  keyFile: string;
  certFile: string;
}

/**
 * aedes has no packet size limit: its parser buffers whatever length a packet header announces. This watches the
 * bytes aedes reads (a 'data' listener sees each chunk aedes pulls with read()), follows the MQTT fixed headers, and
 * destroys the socket as soon as a header announces more than the connection's limit.
 */
export class PacketSizeGuard {
  /** Bytes of the current packet still to skip; -1 while reading a fixed header. */
  private remaining = -1;
  private header: number[] = [];
  constructor(
    public limit: number,
    private readonly onTooLarge: (announced: number) => void,
  ) {}

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.remaining = -1;
        continue;
      }
      this.header.push(chunk[i]!);
      i++;
      // header[0] is the type byte; then 1..4 bytes of remaining length, the last one without the 0x80 bit.
      if (this.header.length < 2) continue;
      const last = this.header[this.header.length - 1]!;
      if ((last & 0x80) !== 0 && this.header.length < 5) continue;
      let len = 0;
      for (let k = this.header.length - 1; k >= 1; k--) len = len * 128 + (this.header[k]! & 0x7f);
      this.header = [];
      if (len > this.limit) {
        this.onTooLarge(len);
        return;
      }
      this.remaining = len === 0 ? -1 : len;
    }
  }
}

export interface BrokerOptions {
  identities: BrokerAuthenticator;
  /** Packet size limits (bytes); defaults DEFAULT_MAX_PACKET_BYTES. */
  maxPacketBytes?: Partial<PacketLimits>;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: BrokerTlsOptions;
  logger?: Logger;
  /** Passed through to aedes (persistence, heartbeat...); the auth hooks are always ours. */
  aedes?: Omit<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'preConnect'>;
}

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  readonly host: string;
  readonly port: number;
  /** `mqtt://host:port` or `mqtts://host:port`. */
  readonly url: string;
  /** Identity of a connected client. */
  identityOf(client: Client): BrokerIdentity | undefined;
  /** What the broker keeps per client, ours and aedes' (diagnostics, tests): bounded by the identities. */
  bookkeeping(): Promise<BrokerBookkeeping>;
  /** Closes every client, the listener and aedes. Safe to call twice. */
  close(): Promise<void>;
}

export interface BrokerBookkeeping {
  /** Identities holding (or taking) a connection. */
  identities: number;
  /** Client ids aedes has registered (its `clients` record), and those of them connected. */
  clientIds: string[];
  connected: string[];
  /** Sessions and subscriptions aedes' persistence stores. */
  storedSessions: number;
  storedSubscriptions: number;
}

/** The parts of aedes its type declarations leave out. */
interface AedesInternals {
  clients: Record<string, Client>;
  persistence: { countOffline(): Promise<{ subsCount: number; clientsCount: number }> };
}

export type BrokerErrorCode = 'LISTEN_FAILED' | 'TLS_FILES';

export class BrokerError extends CloudError<BrokerErrorCode> {
  override name = 'BrokerError';
}

function authError(returnCode: 2 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** How long a connect waits for the previous connection of its identity to settle or close before forcing it. */
const TAKEOVER_WAIT_MS = 5000;

/** The connection that holds (or is taking) an identity's one session. */
interface Holder {
  client: Client;
  /** Resolves once aedes registered the connection, or it closed. */
  settled: Promise<void>;
  settle: () => void;
  /** Resolves once its socket closed. */
  closed: Promise<void>;
}

function bounded(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startBroker(opts: BrokerOptions): Promise<EmbeddedBroker> {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'mqtt-broker' });
  const host = opts.host ?? '127.0.0.1';
  const identities = new WeakMap<Client, BrokerIdentity>();
  const limits: PacketLimits = { ...DEFAULT_MAX_PACKET_BYTES, ...opts.maxPacketBytes };
  const guards = new WeakMap<object, PacketSizeGuard>();
  const wills = new WeakMap<Client, string>();
  /** user name -> its newest connection; an entry leaves with its connection, so this never outgrows the identities. */
  const holders = new Map<string, Holder>();
  const holderOf = new WeakMap<Client, Holder>();

  const take = (client: Client, username: string): { mine: Holder; before: Holder | undefined } => {
    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));
    // A socket may have closed while its credentials were checked: its 'close' is gone already.
    const conn = client.conn as typeof client.conn & { closed?: boolean };
    const closed = conn.closed === true ? Promise.resolve() : new Promise<void>((r) => conn.once('close', () => r()));
    const mine: Holder = { client, settled, settle, closed };
    void closed.then(() => {
      settle();
      if (holders.get(username) === mine) holders.delete(username);
    });
    const before = holders.get(username);
    holders.set(username, mine);
    holderOf.set(client, mine);
    return { mine, before };
  };

  /** Closes an older connection of the identity and waits until aedes let go of it (its socket closed). */
  const evict = async (old: Holder): Promise<void> => {
    // Registered (or gone) first: closing a connection halfway through aedes' connect steps could leave it registered.
    await bounded(old.settled, TAKEOVER_WAIT_MS);
    // Already closing: aedes lets go of it (unregisters it) before its socket closes.
    if (old.client.closed) return bounded(old.closed, TAKEOVER_WAIT_MS);
    log.info({ username: identities.get(old.client)?.username }, 'a newer connection of the identity takes over: closing the older one');
    old.client.close();
    await bounded(old.closed, TAKEOVER_WAIT_MS);
    old.client.conn.destroy();
    await bounded(old.closed, TAKEOVER_WAIT_MS);
  };

  const aedes = await Aedes.createBroker({
    ...opts.aedes,
    preConnect(client, packet, cb) {
      if (packet.will) wills.set(client, packet.will.topic);
      cb(null, true);
    },
    authenticate(client, username, password, done) {
      const clientId = client.id;
      if (clientId.length > MAX_CLIENT_ID_LENGTH) {
        log.warn({ clientId: clientId.slice(0, 64), username }, 'connect refused: client id too long');
        return done(authError(2, 'identifier rejected'), false);
      }
      if (!username || !password || password.length === 0 || password.length > 1024) {
        log.warn({ clientId, username }, 'connect refused: no credentials');
        return done(authError(4, 'bad user name or password'), false);
      }
      opts.identities.authenticate(username, password.toString('utf8')).then(
        async (who) => {
          if (!who) {
            log.warn({ clientId, username }, 'connect refused: unknown, revoked or wrong secret');
            return done(authError(4, 'bad user name or password'), false);
          }
          const willTopic = wills.get(client);
          if (willTopic !== undefined && !canPublish(who, willTopic)) {
            log.warn({ clientId, username, willTopic }, 'connect refused: last will on a topic it may not publish');
            return done(authError(5, 'not authorized'), false);
          }
          const { mine, before } = take(client, who.username);
          if (before) await evict(before);
          if (holders.get(who.username) !== mine) {
            // A still newer connect of the identity came meanwhile: it wins.
            log.info({ clientId, username }, 'connect refused: a newer connection of the identity came meanwhile');
            return done(authError(2, 'identifier rejected'), false);
          }
          if (opts.identities.isActive?.(who.username) === false) {
            log.warn({ clientId, username }, 'connect refused: revoked');
            return done(authError(4, 'bad user name or password'), false);
          }
          // The session is the identity's, whatever id the client gave.
          (client as { id: string }).id = who.username;
          identities.set(client, who);
          const guard = guards.get(client.conn);
          if (guard) guard.limit = who.kind === 'controller' ? limits.controller : limits.service;
          done(null, true);
        },
        (err: unknown) => {
          log.error({ err, clientId, username }, 'identity check failed');
          done(authError(4, 'bad user name or password'), false);
        },
      );
    },
    authorizePublish(client, packet, cb) {
      // A will published by aedes for a client of another (restarted) broker instance: it was checked at connect.
      if (!client) return cb(null);
      const who = identities.get(client);
      if (who && canPublish(who, packet.topic)) return cb(null);
      log.warn({ clientId: client.id, username: who?.username, topic: packet.topic }, 'publish refused');
      cb(new Error('not authorized'));
    },
    authorizeSubscribe(client, sub, cb) {
      const who = identities.get(client);
      if (who && canSubscribe(who, sub.topic)) return cb(null, sub);
      log.warn({ clientId: client.id, username: who?.username, topic: sub.topic }, 'subscribe refused');
      cb(null, null);
    },
  });

  aedes.on('client', (client) => holderOf.get(client)?.settle());
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (client, err) => log.debug({ clientId: client?.id, err: err.message }, 'connection error'));

  const onRevoked = (username: string): void => {
    const holder = holders.get(username);
    if (!holder) return;
    log.info({ clientId: holder.client.id, username }, 'closing the connection of a revoked identity');
    holder.client.close();
  };
  opts.identities.on?.('revoked', onRevoked);

  const handle = (socket: net.Socket): void => {
    socket.setNoDelay(true);
    // Until the identity is known, the CONNECT's limit; aedes reads nothing more until the connect is decided.
    const guard = new PacketSizeGuard(limits.connect, (announced) => {
      log.warn({ remote: socket.remoteAddress, announced, limit: guard.limit }, 'packet too large: connection closed');
      socket.destroy();
    });
    guards.set(socket, guard);
    aedes.handle(socket);
    // After aedes' 'readable' listener: the stream stays non-flowing and 'data' fires for each chunk aedes read()s.
    socket.on('data', (chunk: Buffer) => guard.feed(chunk));
  };
  let server: net.Server;
  if (opts.tls) {
    let key: Buffer;
    let cert: Buffer;
    try {
      [key, cert] = await Promise.all([readFile(opts.tls.keyFile), readFile(opts.tls.certFile)]);
    } catch (err) {
      await new Promise<void>((r) => aedes.close(() => r()));
      throw new BrokerError('TLS_FILES', `cannot read TLS key/certificate: ${(err as Error).message}`);
    }
    server = tls.createServer({ key, cert }, handle);
  } else {
    server = net.createServer(handle);
  }
  server.on('error', (err) => log.error({ err }, 'broker listener error'));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: opts.port ?? 0, host, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((r) => aedes.close(() => r()));
    throw new BrokerError('LISTEN_FAILED', `broker cannot listen on ${host}:${opts.port ?? 0}: ${(err as Error).message}`);
  }
  const address = server.address() as net.AddressInfo;
  const port = address.port;
  const url = `${opts.tls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url }, 'broker listening');

  let closing: Promise<void> | undefined;
  return {
    aedes,
    host,
    port,
    url,
    identityOf: (client) => identities.get(client),
    async bookkeeping() {
      const internals = aedes as unknown as AedesInternals;
      const offline = await internals.persistence.countOffline();
      const clients = Object.values(internals.clients);
      return {
        identities: holders.size,
        clientIds: clients.map((c) => c.id),
        connected: clients.filter((c) => c.connected).map((c) => c.id),
        storedSessions: offline.clientsCount,
        storedSubscriptions: offline.subsCount,
      };
    },
    close() {
      closing ??= (async () => {
        opts.identities.off?.('revoked', onRevoked);
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        await new Promise<void>((r) => aedes.close(() => r()));
        await serverClosed;
        log.info({ url }, 'broker closed');
      })();
      return closing;
    },
  };
}
