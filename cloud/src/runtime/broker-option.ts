/**
 * Which MQTT broker the cloud runs with (its own embedded aedes, or an external one by URL) and, on an external one,
 * as which service account.
 */
import type { IClientOptions } from 'mqtt';
import type { MqttVersion } from '@portier/protocol';
import type { Logger } from 'pino';
import type { BrokerTlsOptions } from '../mqtt/broker.ts';
import type { IdentityRegistry } from '../mqtt/identities.ts';
import { instanceServiceAccount } from '../provision/provision.ts';

/** The embedded broker (default) or an external one. */
export type BrokerOption =
  | { kind: 'embedded'; host?: string; port?: number; tls?: BrokerTlsOptions }
  | {
      kind: 'external';
      url: string;
      /** The cloud's service account; default: the data folder's own (created on first use, as for Mosquitto). */
      username?: string;
      password?: string;
      /** The MQTT version spoken to it (default 3.1.1). */
      version?: MqttVersion;
      mqtt?: Partial<IClientOptions>;
    };

/**
 * The broker settings as the config file would hold them (suggested `mqtt` section of CloudConfigSchema):
 * `{ host, port, tls?: { keyFile, certFile } }` for the embedded broker, or `url` (+ `username`/`password`) for an
 * external one.
 */
export interface MqttSettings {
  host?: string | undefined;
  port?: number | undefined;
  tls?: BrokerTlsOptions | undefined;
  url?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  version?: MqttVersion | undefined;
}

/** `MqttSettings` (config section and `--mqtt` / `--broker` flags) -> the runtime's broker option. */
export function brokerOption(m: MqttSettings | undefined): BrokerOption {
  if (m?.url) {
    return {
      kind: 'external',
      url: m.url,
      ...(m.username !== undefined ? { username: m.username } : {}),
      ...(m.password !== undefined ? { password: m.password } : {}),
      ...(m.version !== undefined ? { version: m.version } : {}),
    };
  }
  return { kind: 'embedded', host: m?.host ?? '127.0.0.1', port: m?.port ?? 1883, ...(m?.tls ? { tls: m.tls } : {}) };
}

export /**
 * The service account of a cloud on an external broker without a configured one: the data folder's own, unless the
 * cloud shares the database (and so the broker) with other instances and the folder holds this instance's own
 * `portier-cloud-<instanceId>` (made by `mosquitto-files --instance`, like the broker's password file). Instances that
 * share one account push each other off the broker, which binds the client id to the user name: that is warned of.
 */
async function sharedBrokerAccount(identities: IdentityRegistry, instanceId: string | undefined, log: Logger): Promise<string> {
  if (instanceId === undefined) return 'portier-cloud';
  const username = instanceServiceAccount(instanceId);
  await identities.refresh();
  if (identities.service(username)) return username;
  log.warn(
    { instanceId, account: username },
    `no service account ${username} in the data folder: this instance uses portier-cloud, and two instances on one account push each other off the broker; run \`portier-cloud mosquitto-files --instance ${instanceId} ...\` on the folder the broker's files come from, copy its mqtt/ here and reload the broker`,
  );
  return 'portier-cloud';
}

