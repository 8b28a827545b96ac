import { PortierError } from './errors.ts';
import { idSchema } from './ids.ts';

export const TOPIC_ROOT = 'portier';
export const PROTOCOL_VERSION = 'v1';

/** The channels of one controller, with who publishes them. */
export const CHANNELS = ['cmd', 'ack', 'evt', 'evtack', 'desired', 'reported', 'status'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels a controller publishes (and the cloud subscribes to). */
export const CONTROLLER_PUBLISHES: readonly Channel[] = ['ack', 'evt', 'reported', 'status'];
/** Channels the cloud publishes (and a controller subscribes to). */
export const CLOUD_PUBLISHES: readonly Channel[] = ['cmd', 'evtack', 'desired'];

/** QoS and retain flag of each channel (DESIGN.md, MQTT contract). */
export const CHANNEL_QOS: Record<Channel, { qos: 1; retain: boolean }> = {
  cmd: { qos: 1, retain: false },
  ack: { qos: 1, retain: false },
  evt: { qos: 1, retain: false },
  evtack: { qos: 1, retain: false },
  desired: { qos: 1, retain: true },
  reported: { qos: 1, retain: true },
  status: { qos: 1, retain: true },
};

/**
 * The QoS a controller subscribes to its channels with; the cloud publishes all three at QoS 1 and a delivery takes the
 * lower of the two. `cmd` is 1: a command sent while the controller is away waits in its persistent session (until it
 * expires). `evtack` and `desired` are 0, since neither needs a copy kept for an absent controller: a lost evtack is
 * answered again when the outbox sends its events again (after its timeout, or on reconnect), and the latest desired
 * state is retained, which the broker sends on every SUBSCRIBE (MQTT 3.1.1 3.8.4, MQTT 5 retain handling 0), made on
 * each connection. Back from an outage a controller so gets the latest state once, not each version in between; and
 * a broker that keeps a store per QoS 1 subscription (a JetStream consumer on NATS) keeps one per controller, not three.
 */
export const CONTROLLER_SUBSCRIBES: Readonly<Record<'cmd' | 'evtack' | 'desired', 0 | 1>> = { cmd: 1, evtack: 0, desired: 0 };

export interface TopicAddress {
  bankId: string;
  controllerId: string;
  channel: Channel;
}

export class TopicError extends PortierError<'BAD_TOPIC'> {
  override name = 'TopicError';
  constructor(message: string) {
    super('BAD_TOPIC', message);
  }
}

function checkId(kind: string, id: string): void {
  const r = idSchema.safeParse(id);
  if (!r.success) throw new TopicError(`bad ${kind} ${JSON.stringify(id)}: ${r.error.issues[0]?.message ?? 'invalid'}`);
}

function isChannel(s: string): s is Channel {
  return (CHANNELS as readonly string[]).includes(s);
}

/** `portier/v1/{bankId}/{controllerId}/{channel}`; throws TopicError on a bad id or channel. */
export function topicFor(bankId: string, controllerId: string, channel: Channel): string {
  checkId('bankId', bankId);
  checkId('controllerId', controllerId);
  if (!isChannel(channel)) throw new TopicError(`unknown channel ${JSON.stringify(channel)}`);
  return `${TOPIC_ROOT}/${PROTOCOL_VERSION}/${bankId}/${controllerId}/${channel}`;
}

/** Parses a concrete topic (no wildcards) back into its parts; throws TopicError on anything else. */
export function parseTopic(topic: string): TopicAddress {
  if (topic.length > 256) throw new TopicError('topic too long');
  const parts = topic.split('/');
  if (parts.length !== 5) throw new TopicError(`topic must have 5 levels, got ${parts.length}: ${JSON.stringify(topic)}`);
  const [root, version, bankId, controllerId, channel] = parts as [string, string, string, string, string];
  if (root !== TOPIC_ROOT) throw new TopicError(`topic must start with ${TOPIC_ROOT}/`);
  if (version !== PROTOCOL_VERSION) throw new TopicError(`unsupported protocol version ${JSON.stringify(version)}`);
  checkId('bankId', bankId);
  checkId('controllerId', controllerId);
  if (!isChannel(channel)) throw new TopicError(`unknown channel ${JSON.stringify(channel)}`);
  return { bankId, controllerId, channel };
}

/** Same as parseTopic, but returns undefined instead of throwing. */
export function tryParseTopic(topic: string): TopicAddress | undefined {
  try {
    return parseTopic(topic);
  } catch {
    return undefined;
  }
}

/** Subscription filter for one channel of every controller (cloud side). */
export function allControllersFilter(channel: Channel): string {
  if (!isChannel(channel)) throw new TopicError(`unknown channel ${JSON.stringify(channel)}`);
  return `${TOPIC_ROOT}/${PROTOCOL_VERSION}/+/+/${channel}`;
}
