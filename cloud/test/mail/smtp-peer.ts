/**
 * A real SMTP server for tests: smtp-server on 127.0.0.1 (a port the system picks), each message parsed with
 * mailparser. `mode` makes it accept, answer 451 or 550 to the message, or hold each connection silent before its
 * greeting (a server too slow to answer) until `release()`. A test awaits the next messages with a bound that runs on
 * real time, so fake timers installed later do not stop it.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

// Captured at import, before a test installs fake timers.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export type PeerMode = 'accept' | 'temporary-failure' | 'permanent-failure' | 'hold';

export interface SmtpPeer {
  host: string;
  port: number;
  /** Every message accepted, in arrival order. */
  messages: ParsedMail[];
  /** Connections opened so far (held ones included). */
  connections: number;
  /** Connections held before their greeting now. */
  readonly waiting: number;
  mode: PeerMode;
  /** Resolves with the messages once `count` have arrived in all; rejects after `withinMs` of real time. */
  received(count: number, withinMs?: number): Promise<ParsedMail[]>;
  /** Resolves once `count` connections were opened; rejects after `withinMs` of real time. */
  connected(count: number, withinMs?: number): Promise<void>;
  /** Lets held connections go on (greeted) and accepts from now on. */
  release(): void;
  close(): Promise<void>;
}

/** `auth`: the peer asks for these credentials (AUTH PLAIN/LOGIN over plain SMTP on loopback) and refuses others. */
export async function startSmtpPeer(mode: PeerMode = 'accept', auth?: { user: string; pass: string }): Promise<SmtpPeer> {
  const held: Array<() => void> = [];
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const until = (cond: () => boolean, withinMs: number, what: () => string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (cond()) return resolve();
      const check = () => {
        if (!cond()) return;
        waiters.delete(check);
        realClearTimeout(timer);
        resolve();
      };
      const timer = realSetTimeout(() => {
        waiters.delete(check);
        reject(new Error(`SMTP peer: ${what()} within ${withinMs} ms`));
      }, withinMs);
      waiters.add(check);
    });

  const server = new SMTPServer({
    authOptional: auth === undefined,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(a, _session, cb) {
      if (auth && a.username === auth.user && a.password === auth.pass) return cb(null, { user: a.username });
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    // Its reverse lookup of the client runs on a timer, which a test's fake clock would hold.
    disableReverseLookup: true,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect(_session, cb) {
      peer.connections++;
      wake();
      if (peer.mode === 'hold') held.push(() => cb());
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (peer.mode === 'temporary-failure') return cb(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
        if (peer.mode === 'permanent-failure') return cb(Object.assign(new Error(`No such mailbox: ${session.envelope.rcptTo.map((r) => r.address).join(', ')}`), { responseCode: 550 }));
        simpleParser(Buffer.concat(chunks), { keepCidLinks: true }).then(
          (m) => {
            peer.messages.push(m);
            cb();
            wake();
          },
          (err: Error) => cb(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const peer: SmtpPeer = {
    host: '127.0.0.1',
    port: (server.server.address() as AddressInfo).port,
    messages: [],
    connections: 0,
    get waiting() {
      return held.length;
    },
    mode,
    received: async (count, withinMs = 10_000) => {
      await until(() => peer.messages.length >= count, withinMs, () => `${peer.messages.length} of ${count} messages arrived`);
      return peer.messages.slice(0, count);
    },
    connected: (count, withinMs = 10_000) => until(() => peer.connections >= count, withinMs, () => `${peer.connections} of ${count} connections`),
    release() {
      peer.mode = 'accept';
      for (const go of held.splice(0)) go();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return peer;
}

/** The config's `mail` section for a peer (plain SMTP on loopback, quick retries unless told). */
export function peerMailConfig(peer: Pick<SmtpPeer, 'host' | 'port'>, extra: Record<string, unknown> = {}) {
  return { host: peer.host, port: peer.port, tls: 'none' as const, from: { address: 'lockers@example.com', name: 'Portier' }, ...extra };
}
