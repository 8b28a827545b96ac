// The cloud half of the remote-open reference path: the least work any correct remote open must do on the server,
// with the libraries and settings Portier's cloud uses, and nothing else. One HTTP route (Fastify, as the API) that
// checks a bearer token (the SHA-256 of the token looked up, as the auth service stores it, with its expiry), makes
// one durable append (@portier/durable's AppendFile: write + fdatasync, as the store's journal), signs the command
// with Ed25519 (protocol's signMessage), publishes it at QoS 1 through the same broker with TCP_NODELAY, waits for
// the controller's reply on the ack topic and answers. No users, roles, tenancy, audit shape, rate limits, outcome
// record or validation: those are what the comparison measures Portier's cost for.
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import Fastify from 'fastify';
import { connectMqttAsync } from '@portier/cloud';
import { AppendFile } from '@portier/durable';
import { signMessage, topicFor } from '@portier/protocol';

export interface ReferenceCloudOptions {
  brokerUrl: string;
  /** Broker credentials of a cloud-side (service) account. */
  username: string;
  password: string;
  signingKey: KeyObject;
  bankId: string;
  controllerId: string;
  /** The one bearer token this server accepts. */
  token: string;
  /** The append-only file of the durable write. */
  journalPath: string;
}

export interface ReferenceCloud {
  /** Base URL of the HTTP server; `POST /open/{door}` opens a door. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startReferenceCloud(o: ReferenceCloudOptions): Promise<ReferenceCloud> {
  const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
  const tokens = new Map([[sha256(o.token), { expiresAt: Date.now() + 24 * 3600_000 }]]);
  const { file } = await AppendFile.open(o.journalPath);
  // TCP_NODELAY on both sides, as the cloud's and the controller's links set it.
  const client = await connectMqttAsync(o.brokerUrl, { clientId: `ref-cloud-${randomUUID()}`, username: o.username, password: o.password, reconnectPeriod: 0 });
  const cmdTopic = topicFor(o.bankId, o.controllerId, 'cmd');
  const ackTopic = topicFor(o.bankId, o.controllerId, 'ack');
  const waiting = new Map<string, (status: string) => void>();
  client.on('message', (_t, payload) => {
    const ack = JSON.parse(payload.toString('utf8')) as { commandId?: string; status?: string };
    if (ack.commandId) waiting.get(ack.commandId)?.(ack.status ?? 'unknown');
  });
  await client.subscribeAsync(ackTopic, { qos: 1 });

  const app = Fastify({ logger: false });
  app.post<{ Params: { door: string } }>('/open/:door', async (req, reply) => {
    const m = /^bearer +([A-Za-z0-9_-]{20,200})$/i.exec(req.headers.authorization ?? '');
    const rec = m ? tokens.get(sha256(m[1]!)) : undefined;
    if (!rec || rec.expiresAt <= Date.now()) return reply.code(401).send({ error: 'unauthorized' });
    const door = Number(req.params.door);
    const issuedAt = Date.now();
    const id = `cmd-${randomUUID()}`;
    await file.append(Buffer.from(`${JSON.stringify({ at: issuedAt, id, door })}\n`));
    const cmd = signMessage({ v: 1, id, type: 'open', bankId: o.bankId, controllerId: o.controllerId, issuedAt, expiresAt: issuedAt + 10_000, body: { door } }, o.signingKey);
    const status = await new Promise<string>((resolve) => {
      waiting.set(id, resolve);
      client.publish(cmdTopic, JSON.stringify(cmd), { qos: 1 });
    });
    waiting.delete(id);
    return { outcome: status === 'done' ? 'opened' : status };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    close: async () => {
      await app.close();
      client.end(true);
      await file.close();
    },
  };
}
