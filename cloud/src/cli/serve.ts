/**
 * `portier-cloud serve`. The runtime (HTTP server, broker, mail, SFTP...) is loaded when the command runs, not when
 * the program is built: `--help` and the one-shot commands do not pay for it.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AuthService } from '../auth/service.ts';
import type { LockerService } from '../domain/service.ts';
import type { App } from '../http/server.ts';
import type { Store } from '../store/store.ts';
import type { CommonOptions } from './config-flags.ts';

export interface RunningCloud {
  app: App;
  store: Store;
  service: LockerService;
  auth: AuthService;
  /** `http://host:port` actually bound (port 0 resolved). */
  url: string;
  /** Stops accepting requests, lets in-flight ones finish, flushes and closes the store. Idempotent. */
  close(): Promise<void>;
}

export function registerServe(program: Command, onStarted?: (c: RunningCloud) => void): void {
  program
    .command('serve')
    .description('run the allocation service: HTTP API, MQTT broker (embedded, or --broker), controller sync')
    .option('-c, --config <file>', 'YAML or JSON configuration file')
    .option('-d, --data <dir>', 'data folder (store, tokens)')
    .option('--http <host:port>', 'HTTP listen address, e.g. 127.0.0.1:8080 (port 0: any free port)')
    .option('--mqtt <host:port>', 'embedded MQTT broker listen address, e.g. 127.0.0.1:1883 (port 0: any free port)')
    .option('--broker <url>', 'use an external MQTT broker instead of the embedded one, e.g. mqtt://127.0.0.1:1883 (a cluster: its nodes separated by commas, tried in turn)')
    .option('--mqtt-version <version>', 'MQTT version spoken to the external broker: 3.1.1 (default) or 5')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .option('--secrets-key <file>', 'key file sealing codes and credential keys, outside the data folder (default: <data>.secrets.key)')
    .action(async (opts: CommonOptions & { http?: string; mqtt?: string; broker?: string; mqttVersion?: string; logLevel?: string; secretsKey?: string }) => {
      const { configFromFlags } = await import('./config-flags.ts');
      const config = configFromFlags(opts); // a bad configuration is refused before the runtime is loaded
      const [{ pino }, { brokerOption, startCloud }] = await Promise.all([import('pino'), import('../runtime/cloud-runtime.ts')]);
      const logger = pino({ name: 'portier-cloud', level: config.log.level });
      const cloud = await startCloud({ config, logger, broker: brokerOption(config.mqtt) });
      logger.info({ url: cloud.url, data: resolve(config.dataDir) }, 'portier-cloud listening');
      // One plain line on stdout for people and scripts (tests read the port from it).
      process.stdout.write(`portier-cloud listening on ${cloud.url}/api/v1\n`);
      process.stdout.write(`portier-cloud broker on ${cloud.mqttUrl}\n`);
      onStarted?.(cloud);
    });
}
