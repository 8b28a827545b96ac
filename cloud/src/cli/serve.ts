import { resolve } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import type { AuthService } from '../auth/service.ts';
import { HostPortSchema, loadConfig, type CloudConfig, type ConfigProblem } from '../config/config.ts';
import type { LockerService } from '../domain/service.ts';
import type { App } from '../http/server.ts';
import type { DurableStore } from '../store/durable.ts';
import { brokerOption, startCloud as startRuntime } from '../runtime/cloud-runtime.ts';

export interface RunningCloud {
  app: App;
  store: DurableStore;
  service: LockerService;
  auth: AuthService;
  /** `http://host:port` actually bound (port 0 resolved). */
  url: string;
  /** Stops accepting requests, lets in-flight ones finish, flushes and closes the store. Idempotent. */
  close(): Promise<void>;
}

export interface CommonOptions {
  config?: string;
  data?: string;
}

/** Flags common to the server's sub-commands become the top layer of the configuration. */
export function configFromFlags(opts: CommonOptions & { http?: string; mqtt?: string; broker?: string; logLevel?: string; secretsKey?: string }): CloudConfig {
  const overrides: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  if (opts.data !== undefined) overrides.dataDir = opts.data;
  if (opts.secretsKey !== undefined) overrides.secretsKeyFile = opts.secretsKey;
  if (opts.http !== undefined) {
    const hp = HostPortSchema.safeParse(opts.http);
    if (hp.success) overrides.http = hp.data;
    else problems.push({ path: '--http', message: `${JSON.stringify(opts.http)}: expected host:port, e.g. 127.0.0.1:8080` });
  }
  if (opts.mqtt !== undefined) {
    const hp = HostPortSchema.safeParse(opts.mqtt);
    if (hp.success) overrides.mqtt = { ...hp.data };
    else problems.push({ path: '--mqtt', message: `${JSON.stringify(opts.mqtt)}: expected host:port, e.g. 127.0.0.1:1883` });
  }
  if (opts.broker !== undefined) overrides.mqtt = { ...((overrides.mqtt as object | undefined) ?? {}), url: opts.broker };
  if (opts.logLevel !== undefined) overrides.log = { level: opts.logLevel };
  return loadConfig({ file: opts.config, env: process.env, overrides, problems });
}

export function registerServe(program: Command, onStarted?: (c: RunningCloud) => void): void {
  program
    .command('serve')
    .description('run the allocation service: HTTP API, MQTT broker (embedded, or --broker), controller sync')
    .option('-c, --config <file>', 'YAML or JSON configuration file')
    .option('-d, --data <dir>', 'data folder (store, tokens)')
    .option('--http <host:port>', 'HTTP listen address, e.g. 127.0.0.1:8080 (port 0: any free port)')
    .option('--mqtt <host:port>', 'embedded MQTT broker listen address, e.g. 127.0.0.1:1883 (port 0: any free port)')
    .option('--broker <url>', 'use an external MQTT broker instead of the embedded one, e.g. mqtt://127.0.0.1:1883')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .option('--secrets-key <file>', 'key file sealing codes and credential keys, outside the data folder (default: <data>.secrets.key)')
    .action(async (opts: CommonOptions & { http?: string; mqtt?: string; broker?: string; logLevel?: string; secretsKey?: string }) => {
      const config = configFromFlags(opts);
      const logger = pino({ name: 'portier-cloud', level: config.log.level });
      const cloud = await startRuntime({ config, logger, broker: brokerOption(config.mqtt) });
      logger.info({ url: cloud.url, data: resolve(config.dataDir) }, 'portier-cloud listening');
      // One plain line on stdout for people and scripts (tests read the port from it).
      process.stdout.write(`portier-cloud listening on ${cloud.url}/api/v1\n`);
      process.stdout.write(`portier-cloud broker on ${cloud.mqttUrl}\n`);
      onStarted?.(cloud);
    });
}
