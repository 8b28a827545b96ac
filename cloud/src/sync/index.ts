/**
 * One call to wire the cloud's MQTT side into `portier-cloud`:
 * identity registry + command key + (embedded broker | external broker URL) + service account + CloudLink +
 * event journal + RemoteOpen. `close()` stops it all in the right order.
 *
 *   const mqtt = await startCloudMqtt({ dataDir, doorMap, audit, logger });            // embedded on 127.0.0.1:1883
 *   const mqtt = await startCloudMqtt({ dataDir, doorMap, broker: { kind: 'external', url: 'mqtt://...' } });
 *   app.register(remoteOpenRoute, { prefix: '/api/v1', remoteOpen: mqtt.remoteOpen, actorOf });
 *   mqtt.link.on('event-stored', (e) => service.onControllerEvent(e));                 // domain hook
 */
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { startBroker, type BrokerTlsOptions, type EmbeddedBroker } from '../mqtt/broker.ts';
import { IdentityRegistry, type IdentityRegistryOptions } from '../mqtt/identities.ts';
import { watchIdentities } from '../mqtt/identity-watch.ts';
import { loadOrCreateCommandKey, type CommandKey } from '../provision/keys.ts';
import { ensureServiceAccount } from '../provision/provision.ts';
import { CloudLink, type CloudLinkOptions } from './cloud-link.ts';
import { EventJournal } from './event-journal.ts';
import { RemoteOpen, type DoorMap, type RemoteOpenAuditEntry, type RemoteOpenOptions } from './remote-open.ts';

export type BrokerChoice =
  | { kind: 'embedded'; host?: string; port?: number; tls?: BrokerTlsOptions }
  | {
      kind: 'external';
      url: string;
      /** Service account on that broker; default: this data folder's own (`mosquitto-files` includes it). */
      username?: string;
      password?: string;
      mqtt?: Partial<IClientOptions>;
    };

export interface StartCloudMqttOptions {
  dataDir: string;
  broker?: BrokerChoice;
  doorMap: DoorMap;
  audit?: (entry: RemoteOpenAuditEntry) => Promise<void> | void;
  logger?: Logger;
  now?: () => number;
  link?: Partial<Pick<CloudLinkOptions, 'commandTtlMs' | 'resendAfterMs' | 'maxBuffered' | 'clientId'>>;
  remoteOpen?: Partial<Pick<RemoteOpenOptions, 'defaultTimeoutMs' | 'maxTimeoutMs' | 'ackGraceMs' | 'pulseMs'>>;
  registry?: IdentityRegistryOptions;
  /** Revocations made by the CLI: the registry file is watched, and re-read this often too (default 5 s; 0: neither). */
  refreshIdentitiesMs?: number;
}

export interface CloudMqtt {
  identities: IdentityRegistry;
  commandKey: CommandKey;
  broker: EmbeddedBroker | undefined;
  /** The URL controllers should be given at provisioning (embedded: where it listens). */
  brokerUrl: string;
  link: CloudLink;
  journal: EventJournal;
  remoteOpen: RemoteOpen;
  close(): Promise<void>;
}

export async function startCloudMqtt(opts: StartCloudMqttOptions): Promise<CloudMqtt> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const identities = await IdentityRegistry.open(opts.dataDir, opts.registry);
  const commandKey = await loadOrCreateCommandKey(opts.dataDir);
  const choice: BrokerChoice = opts.broker ?? { kind: 'embedded' };
  let broker: EmbeddedBroker | undefined;
  let url: string;
  let creds: { username: string; password: string };
  if (choice.kind === 'embedded') {
    broker = await startBroker({
      identities,
      host: choice.host ?? '127.0.0.1',
      port: choice.port ?? 1883,
      logger,
      ...(choice.tls ? { tls: choice.tls } : {}),
    });
    url = broker.url;
    creds = await ensureServiceAccount({ dataDir: opts.dataDir, identities });
  } else {
    url = choice.url;
    creds =
      choice.username && choice.password
        ? { username: choice.username, password: choice.password }
        : await ensureServiceAccount({ dataDir: opts.dataDir, identities });
  }
  const journal = await EventJournal.open(join(opts.dataDir, 'events'));
  const link = new CloudLink({
    url,
    ...creds,
    signingKey: commandKey.privateKey,
    directory: identities,
    journal,
    desiredDir: join(opts.dataDir, 'desired'),
    logger,
    ...(opts.now ? { now: opts.now } : {}),
    ...opts.link,
    ...(choice.kind === 'external' && choice.mqtt ? { mqtt: choice.mqtt } : {}),
  });
  await link.start({ waitConnected: choice.kind === 'embedded' });
  const remoteOpen = new RemoteOpen({
    link,
    doorMap: opts.doorMap,
    logger,
    ...(opts.audit ? { audit: opts.audit } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...opts.remoteOpen,
  });
  const refreshMs = opts.refreshIdentitiesMs ?? 5000;
  const unwatch =
    refreshMs > 0
      ? watchIdentities(identities, { intervalMs: refreshMs, onError: (err: unknown) => logger.error({ err, module: 'cloud-mqtt' }, 'identity registry unreadable') })
      : undefined;
  let closing: Promise<void> | undefined;
  return {
    identities,
    commandKey,
    broker,
    brokerUrl: url,
    link,
    journal,
    remoteOpen,
    close() {
      closing ??= (async () => {
        unwatch?.();
        remoteOpen.close();
        await link.stop();
        await journal.close();
        await broker?.close();
      })();
      return closing;
    },
  };
}

export { CloudLink, SyncError, type CloudLinkEvents, type ControllerView, type DroppedMessage } from './cloud-link.ts';
export { EventJournal, JournalError, type StoredEvent } from './event-journal.ts';
export { RemoteOpen, RemoteOpenError, type DoorLocation, type DoorMap, type RemoteOpenAuditEntry, type RemoteOpenOutcome, type RemoteOpenRequest, type RemoteOpenResult } from './remote-open.ts';
export { remoteOpenRoute, type RemoteOpenRouteOptions, type RemoteOpenService } from './remote-open-route.ts';
