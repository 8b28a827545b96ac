import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { FileTokenRepo } from '../auth/token-file.ts';
import { AuthService } from '../auth/service.ts';
import { StoreUserRepo } from '../auth/store-repo.ts';
import { HostPortSchema, loadConfig, type CloudConfig, type ConfigProblem } from '../config/config.ts';
import { LockerService } from '../domain/service.ts';
import { buildServer, type App } from '../http/server.ts';
import { DurableStore } from '../store/durable.ts';
import { brokerOption, startCloud as startRuntime } from '../runtime/cloud-runtime.ts';

/** Folder layout under the data folder. */
export function dataPaths(dataDir: string): { store: string; tokens: string } {
  const root = resolve(dataDir);
  return { store: join(root, 'store'), tokens: join(root, 'tokens.json') };
}

export function makeAuth(config: CloudConfig, store: DurableStore, tokens: FileTokenRepo, logger: Logger, now: () => number = Date.now): AuthService {
  return new AuthService({
    repo: new StoreUserRepo(store),
    tokens,
    now,
    logger,
    scrypt: config.auth.scrypt,
    tokenTtlMs: config.auth.tokenTtlSeconds * 1000,
    login: {
      freeAttempts: config.auth.login.freeAttempts,
      baseLockMs: config.auth.login.baseLockSeconds * 1000,
      maxLockMs: config.auth.login.maxLockSeconds * 1000,
      windowMs: config.auth.login.windowSeconds * 1000,
    },
  });
}

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

/**
 * Opens the store, builds the service, auth and HTTP server, and listens. The MQTT link (next issue) is wired here
 * too: it subscribes to `service` events (`reservation-changed`, `locker-changed`).
 */
export interface StartCloudHooks {
  /** Extra HTTP routes (e.g. remote open), given the service and store; see `HttpDeps.extend`. */
  extendHttp?: (app: App, ctx: { service: LockerService; store: DurableStore; auth: AuthService }) => Promise<void> | void;
}

export async function startCloud(config: CloudConfig, logger: Logger, hooks: StartCloudHooks = {}): Promise<RunningCloud> {
  const paths = dataPaths(config.dataDir);
  const store = await DurableStore.open(paths.store, { logger });
  let app: App | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const service = new LockerService({ store, logger });
    const tokens = await FileTokenRepo.open(paths.tokens, Date.now(), (m) => logger.warn(m));
    const auth = makeAuth(config, store, tokens, logger);
    if (config.admin && !(await auth.findUserByName(config.admin.user))) {
      await auth.createUser({ username: config.admin.user, password: config.admin.password, role: 'admin' });
      logger.info({ user: config.admin.user }, 'created the configured admin');
    }
    app = await buildServer({
      auth,
      service,
      logger,
      bodyLimitBytes: config.http.bodyLimitBytes,
      ...(hooks.extendHttp ? { extend: (a: App) => hooks.extendHttp!(a, { service, store, auth }) } : {}),
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const url = `http://${host}:${port}`;

    if (config.expiry.intervalSeconds > 0) {
      const log = logger.child({ module: 'expiry' });
      timer = setInterval(() => {
        service.expireDue().then(
          (r) => {
            if (r.expired.length + r.released.length > 0) log.info({ expired: r.expired.length, released: r.released.length }, 'expiry run');
          },
          (err: unknown) => log.error({ err }, 'expiry run failed'),
        );
      }, config.expiry.intervalSeconds * 1000);
      timer.unref();
    }

    let closing: Promise<void> | undefined;
    const running: RunningCloud = {
      app,
      store,
      service,
      auth,
      url,
      close: () =>
        (closing ??= (async () => {
          if (timer) clearInterval(timer);
          await app!.close();
          await store.close();
        })()),
    };
    return running;
  } catch (err) {
    if (timer) clearInterval(timer);
    await app?.close().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
}

export interface CommonOptions {
  config?: string;
  data?: string;
}

/** Flags common to the server's sub-commands become the top layer of the configuration. */
export function configFromFlags(opts: CommonOptions & { http?: string; mqtt?: string; broker?: string; logLevel?: string }): CloudConfig {
  const overrides: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  if (opts.data !== undefined) overrides.dataDir = opts.data;
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
    .action(async (opts: CommonOptions & { http?: string; mqtt?: string; broker?: string; logLevel?: string }) => {
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
