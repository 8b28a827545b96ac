// A cloud link against the real embedded broker, with fake controllers as plain MQTT.js clients, and every message
// on the wire checked against the published JSON Schemas (protocol/docs/schemas), not only the zod schemas.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANNELS, topicFor, type Channel } from '@portier/protocol';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { MqttClient } from 'mqtt';
import type { EmbeddedBroker } from '../../../src/mqtt/broker.ts';
import type { IdentityRegistry } from '../../../src/mqtt/identities.ts';
import { CloudLink, type CloudLinkOptions } from '../../../src/sync/cloud-link.ts';
import { EventJournal } from '../../../src/sync/event-journal.ts';
import { broker, client, registry, type Teardownable } from '../../mqtt/helpers/env.ts';

const schemasDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'protocol', 'docs', 'schemas');
const ajv = new Ajv2020({ strict: false, allErrors: false });
const validators = Object.fromEntries(
  CHANNELS.map((ch) => [ch, ajv.compile(JSON.parse(readFileSync(join(schemasDir, `${ch}.schema.json`), 'utf8')))]),
) as Record<Channel, ReturnType<typeof ajv.compile>>;

/** Null when `msg` is valid by the published JSON Schema of `channel`, else the errors. */
export function schemaErrors(channel: Channel, msg: unknown): string | null {
  const v = validators[channel];
  return v(msg) ? null : JSON.stringify(v.errors);
}

export const BANK = 'bank-1';

export interface World {
  dataDir: string;
  reg: IdentityRegistry;
  brk: EmbeddedBroker;
  key: KeyObject;
  publicKey: KeyObject;
  secrets: Record<string, string>;
  service: { username: string; password: string };
  journal: EventJournal;
  link: CloudLink;
  /**
   * Starts another link on the same data (after `link.stop()`), e.g. to show what survives a restart; `whileDown`
   * runs between the stop and the new start (damage the data folder there).
   */
  restartLink(whileDown?: () => Promise<void>): Promise<CloudLink>;
}

export async function world(t: Teardownable, linkOpts: Partial<CloudLinkOptions> = {}): Promise<World> {
  const { dataDir, reg } = await registry(t);
  const secrets: Record<string, string> = {};
  for (const [id, bank, col] of [
    ['col-a', BANK, 1],
    ['col-b', BANK, 2],
    ['col-x', 'bank-2', 1],
    ['col-r', BANK, 3],
  ] as const) {
    secrets[id] = (await reg.createController({ controllerId: id, bankId: bank, column: col })).secret;
  }
  await reg.revoke('col-r');
  const svc = await reg.createServiceAccount({ username: 'portier-cloud' });
  // A second service account that plays a misbehaving or foreign publisher.
  secrets['intruder'] = (await reg.createServiceAccount({ username: 'intruder' })).secret;
  const brk = await broker(t, reg);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const make = async (): Promise<{ link: CloudLink; journal: EventJournal }> => {
    const journal = await EventJournal.open(join(dataDir, 'events'));
    const link = new CloudLink({
      url: brk.url,
      username: 'portier-cloud',
      password: svc.secret,
      signingKey: privateKey,
      directory: reg,
      journal,
      desiredDir: join(dataDir, 'desired'),
      ...linkOpts,
    });
    t.teardown(async () => {
      await link.stop();
      await journal.close();
    });
    await link.start();
    return { link, journal };
  };
  const first = await make();
  const w: World = {
    dataDir,
    reg,
    brk,
    key: privateKey,
    publicKey,
    secrets,
    service: { username: 'portier-cloud', password: svc.secret },
    journal: first.journal,
    link: first.link,
    async restartLink(whileDown) {
      await w.link.stop();
      await w.journal.close();
      await whileDown?.();
      const next = await make();
      w.link = next.link;
      w.journal = next.journal;
      return next.link;
    },
  };
  return w;
}

/** A fake controller: a plain MQTT.js client with its identity, subscribed to its own cloud channels. */
export async function controller(
  t: Teardownable,
  w: World,
  controllerId: string,
  bankId = BANK,
  opts: { will?: boolean; subscribe?: boolean } = {},
): Promise<MqttClient & { topic: (ch: Channel) => string }> {
  const c = await client(t, w.brk.url, {
    clientId: controllerId,
    username: controllerId,
    password: w.secrets[controllerId]!,
    clean: true,
    ...(opts.will ? { will: { topic: topicFor(bankId, controllerId, 'status'), payload: Buffer.from('{"v":1,"state":"offline"}'), qos: 1 as const, retain: true } } : {}),
  });
  if (opts.subscribe !== false) {
    await c.subscribeAsync((['cmd', 'evtack', 'desired'] as const).map((ch) => topicFor(bankId, controllerId, ch)), { qos: 1 });
  }
  return Object.assign(c, { topic: (ch: Channel) => topicFor(bankId, controllerId, ch) });
}

/** Resolves with the first emission of `event` on `emitter` matching `pred`, at most `ms`. */
export function once<T>(
  emitter: { on(e: string, l: (a: T) => void): unknown; off(e: string, l: (a: T) => void): unknown },
  event: string,
  pred: (a: T) => boolean = () => true,
  ms = 3000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, l);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const l = (a: T): void => {
      if (!pred(a)) return;
      clearTimeout(timer);
      emitter.off(event, l);
      resolve(a);
    };
    emitter.on(event, l);
  });
}
