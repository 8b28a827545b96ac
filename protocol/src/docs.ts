import { z } from 'zod';
import { channelSchemas } from './schemas.ts';
import { CHANNEL_QOS, CHANNELS, CONTROLLER_PUBLISHES, PROTOCOL_VERSION, TOPIC_ROOT, type Channel } from './topics.ts';

const DESCRIPTIONS: Record<Channel, string> = {
  cmd: 'Signed one-shot command (open door, set service, end session, rebirth, resend events). Ed25519 over RFC 8785 canonical JSON of every field but sig.',
  ack: 'Outcome of a command by command id, with a reason code. For open-door: what the door did (opened, already_open, jammed, unknown), never "pulse sent".',
  evt: 'One event with a per-controller sequence number (no gaps, kept across restarts), replayed from a durable outbox until evtack. The cloud stores only the next seq it expects: an event ahead of a gap is not stored, the gap is asked for with resend-events from the missing seq on (the controller sends everything it holds from there, in order); a second, different event under a seq already stored is kept aside as a conflict and acked; both raise an alert.',
  evtack: 'Signed: events up to seq upTo are stored (or recorded as a gap the controller proved it cannot fill); the controller may drop them from its outbox, and keeps the last evtack that confirmed only its own seqs as the proof it reports.',
  desired: 'Signed, versioned desired state (retained): door map, service states, reservations, hashed credentials, kiosk timers (the operator\'s reopen grace after a drop-off included), bank rules (day-use storage modes "fixed", "flexible", "no-end" and their limits: fixedStorageHours, flexibleStorageMaxH, maxStorageH), and the delivery quota per size that day-use storage must leave free; for the kiosk column, the branding (colours and a logo reference: its URL, SHA-256, type and size, fetched by the controller and checked before use, never the image itself). Fields added after the first release are optional and have no default in the schema (absent means the documented default), so a state signed before them still verifies and hashes the same.',
  reported: 'What the controller applied (desired version and hash) and sees (doors, bus health), and the last evtack that made it drop events (the cloud signature proves what the cloud once stored: a cloud whose journal lost them records a gap and goes on), retained. Sent again before the events when a resend-events asks for events already confirmed.',
  status: 'Birth {"state":"online"} on connect, last will {"state":"offline"}; retained.',
};

/** JSON Schema (draft 2020-12) of each channel's payload, generated from the zod schemas. */
export function buildJsonSchemas(): Record<Channel, Record<string, unknown>> {
  const out = {} as Record<Channel, Record<string, unknown>>;
  for (const ch of CHANNELS) {
    const schema = z.toJSONSchema(channelSchemas[ch], { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
    out[ch] = {
      $id: `https://portier.dev/protocol/${PROTOCOL_VERSION}/${ch}.schema.json`,
      title: `portier ${PROTOCOL_VERSION} ${ch}`,
      description: DESCRIPTIONS[ch],
      ...schema,
    };
  }
  return out;
}

/** AsyncAPI 3.0 document of the MQTT contract. */
export function buildAsyncApi(): Record<string, unknown> {
  const schemas = buildJsonSchemas();
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const ch of CHANNELS) {
    const { $id: _id, ...payload } = schemas[ch];
    messages[ch] = {
      name: ch,
      title: `${ch} message`,
      contentType: 'application/json',
      payload: { schemaFormat: 'application/schema+json;version=draft-2020-12', schema: payload },
    };
    channels[ch] = {
      address: `${TOPIC_ROOT}/${PROTOCOL_VERSION}/{bankId}/{controllerId}/${ch}`,
      description: DESCRIPTIONS[ch],
      parameters: {
        bankId: { description: 'Locker bank id: letters, digits, ".", "_", "-"; 1 to 64 characters; no "+", "#", "/".' },
        controllerId: { description: 'Controller id, same rules as bankId.' },
      },
      messages: { [ch]: { $ref: `#/components/messages/${ch}` } },
      bindings: { mqtt: { bindingVersion: '0.2.0' } },
    };
    const fromController = CONTROLLER_PUBLISHES.includes(ch);
    // AsyncAPI 3 operations are from the point of view of the application described: here the controller.
    operations[`${fromController ? 'publish' : 'receive'}-${ch}`] = {
      action: fromController ? 'send' : 'receive',
      channel: { $ref: `#/channels/${ch}` },
      summary: `${fromController ? 'Controller publishes' : 'Controller receives'} ${ch}`,
      messages: [{ $ref: `#/channels/${ch}/messages/${ch}` }],
      bindings: { mqtt: { qos: CHANNEL_QOS[ch].qos, retain: CHANNEL_QOS[ch].retain, bindingVersion: '0.2.0' } },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Portier controller protocol',
      version: '1.0.0',
      description:
        'The contract between Portier locker-column controllers and the Portier cloud. Generated from the zod schemas in protocol/src by `npm run protocol:docs`; do not edit by hand.',
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      embedded: {
        host: 'localhost:1883',
        protocol: 'mqtt',
        description: 'The broker embedded in portier-cloud (aedes), or an external one. No anonymous clients.',
        security: [{ $ref: '#/components/securitySchemes/userPassword' }],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        userPassword: {
          type: 'userPassword',
          description: 'A controller authenticates as its own id with its own secret; it may publish only its own ack, evt, reported, status and subscribe only to its own cmd, evtack, desired.',
        },
      },
    },
  };
}

/** The files `npm run protocol:docs` writes, relative to protocol/docs, with their text. */
export function buildDocFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const schemas = buildJsonSchemas();
  for (const ch of CHANNELS) files[`schemas/${ch}.schema.json`] = `${JSON.stringify(schemas[ch], null, 2)}\n`;
  files['asyncapi.json'] = `${JSON.stringify(buildAsyncApi(), null, 2)}\n`;
  return files;
}
