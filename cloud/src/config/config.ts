import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { brokerUrlsSchema, DEFAULT_MQTT_VERSION, envOverrides as protocolEnvOverrides, mergeLayers, mqttVersionSchema } from '@portier/protocol';
import { isIP } from 'node:net';
import { Argon2ParamsSchema, DEFAULT_ARGON2_PARAMS, DEFAULT_SCRYPT_PARAMS, ScryptParamsSchema } from '../auth/passwords.ts';
import { CloudError } from '../errors.ts';

/** host:port, e.g. `127.0.0.1:8080` or `[::1]:0`. */
export const HostPortSchema = z.string().transform((s, ctx) => {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'expected host:port, e.g. 127.0.0.1:8080' });
    return z.NEVER;
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
});

/** An IPv4 or IPv6 address, or a CIDR block of either (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrBlock(s: string): boolean {
  const [addr = '', bits, ...rest] = s.split('/');
  const v = isIP(addr);
  if (v === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128);
}

/**
 * `postgres://user:password@host:5432/database`, with its password replaced by `***` (what logs and messages show):
 * the one in the user part (up to the last `@` before the path, as URL parsers read it) and a `password=` parameter.
 */
export function maskDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)[^/?#]*@/i, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * A PostgreSQL connection URL as a person writes it. A message never repeats the value: it may hold the password.
 * Only postgres: and postgresql: are taken (what the pg driver reads; a typo'd scheme would otherwise be read as a
 * host name), with a host or, for a Unix socket, `?host=/run/postgresql`.
 */
export const PostgresUrlSchema = z.string().superRefine((s, ctx) => {
  let u: URL | undefined;
  try {
    u = new URL(s);
  } catch {
    u = undefined;
  }
  if (!u || !/^postgres(ql)?:$/.test(u.protocol)) {
    ctx.addIssue({ code: 'custom', message: 'expected postgres://user:password@host:5432/database (scheme postgres: or postgresql:)' });
    return;
  }
  if (u.hostname === '' && !u.searchParams.get('host')) ctx.addIssue({ code: 'custom', message: 'names no host: expected postgres://user:password@host:5432/database' });
  if (u.port !== '' && (Number(u.port) < 1 || Number(u.port) > 65535)) ctx.addIssue({ code: 'custom', message: 'the port must be 1 to 65535' });
});

/** The environment variable that gives `store.url` when the file says `kind: postgres` without one. */
export const DATABASE_URL_ENV = 'PORTIER_DATABASE_URL';

/**
 * Where the live state and history are kept: the file store in `<dataDir>/store` (one cloud process), or a PostgreSQL
 * database that several cloud instances share. The rest of the data folder (keys, identities, sessions) stays where
 * it is either way.
 */
export const StoreConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('file') }),
  z.strictObject({
    kind: z.literal('postgres'),
    url: PostgresUrlSchema.optional(),
    /** Connections of this instance's pool. */
    poolSize: z.number().int().min(1).max(100).default(6),
    /** This instance's name in the change feed (default: a random one per start). */
    instanceId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash and underscore, at most 64').optional(),
  }),
]);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Whether a listening host is the machine itself. */
export function isLoopbackHost(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host);
}

/** The one schema of `portier-cloud` settings; file values, env overrides and CLI flags all land here. */
export const CloudConfigSchema = z.strictObject({
  dataDir: z.string().min(1).default('./var/cloud'),
  /**
   * The secrets key (32 bytes) under which issued codes and controllers' credential keys are sealed. Never inside the
   * data folder; default `<dataDir>.secrets.key`, beside it (provision/secrets-key.ts).
   */
  secretsKeyFile: z.string().min(1).optional(),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** Requests larger than this are refused with 413 before they are parsed. */
      bodyLimitBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
      /**
       * The address people reach this service at (the links of e-mails: set a password, reset it, notification
       * preferences), e.g. `https://lockers.example.com`; default: the listening address.
       */
      publicBaseUrl: z
        .string()
        .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'expected http(s)://host[:port][/path]')
        .transform((u) => u.replace(/\/+$/, ''))
        .optional(),
      /**
       * Addresses of the reverse proxies in front of this service (IP addresses or CIDR blocks): only a request from one
       * of them has its client address read from `X-Forwarded-For`.
       */
      trustedProxies: z.array(z.string().min(1).max(64).refine(isAddressOrBlock, 'expected an IP address or a CIDR block, e.g. 10.0.0.0/8')).max(100).default([]),
      /** Serve the console and the API over TLS with this key and certificate (PEM files); HSTS is then on. */
      tls: z.strictObject({ keyFile: z.string().min(1), certFile: z.string().min(1) }).optional(),
    })
    // Passwords, session cookies and pickup codes cross this port: in clear only on the machine itself, or behind
    // a proxy that terminates TLS (then named in trustedProxies).
    .superRefine((h, ctx) => {
      if (h.tls === undefined && h.trustedProxies.length === 0 && !isLoopbackHost(h.host))
        ctx.addIssue({
          code: 'custom',
          path: ['host'],
          message: `plain HTTP is served on loopback only (127.0.0.1, ::1, localhost), not on ${h.host}: give http.tls (keyFile, certFile), or http.trustedProxies naming the proxy that terminates TLS`,
        });
    })
    .prefault({}),
  auth: z
    .strictObject({
      tokenTtlSeconds: z.number().int().min(60).max(30 * 24 * 3600).default(12 * 3600),
      /** Cost of password hashes (argon2id); a stored hash of another cost is replaced at its user's next sign-in. */
      argon2: z
        .strictObject({
          memoryCost: Argon2ParamsSchema.shape.memoryCost.default(DEFAULT_ARGON2_PARAMS.memoryCost),
          timeCost: Argon2ParamsSchema.shape.timeCost.default(DEFAULT_ARGON2_PARAMS.timeCost),
          parallelism: Argon2ParamsSchema.shape.parallelism.default(DEFAULT_ARGON2_PARAMS.parallelism),
        })
        .prefault({}),
      /**
       * The scrypt cost earlier releases hashed passwords with. No new hash uses it (their scrypt hashes still verify,
       * each with the cost stored beside it): kept so that configuration files setting it still load.
       */
      scrypt: z
        .strictObject({
          N: ScryptParamsSchema.shape.N.default(DEFAULT_SCRYPT_PARAMS.N),
          r: ScryptParamsSchema.shape.r.default(DEFAULT_SCRYPT_PARAMS.r),
          p: ScryptParamsSchema.shape.p.default(DEFAULT_SCRYPT_PARAMS.p),
          keyLen: ScryptParamsSchema.shape.keyLen.default(DEFAULT_SCRYPT_PARAMS.keyLen),
        })
        .prefault({}),
      /**
       * The throttle of failed sign-ins per client address (an account's own lock-out is an enterprise setting). Its free
       * attempts stay above an account's default threshold: the people of an office often share one address, and one
       * of them mistyping a password is told their account is locked before the address is slowed down.
       */
      login: z
        .strictObject({
          freeAttempts: z.number().int().min(1).max(100).default(20),
          baseLockSeconds: z.number().min(0).max(3600).default(1),
          maxLockSeconds: z.number().min(0).max(24 * 3600).default(15 * 60),
          windowSeconds: z.number().min(1).max(24 * 3600).default(15 * 60),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The store: `{ kind: file }` (default) or `{ kind: postgres, url, poolSize?, instanceId? }` (StoreConfigSchema). */
  store: StoreConfigSchema.transform((st, ctx) => {
    if (st.kind === 'file') return st;
    if (st.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: `missing: give store.url, or set the environment variable ${DATABASE_URL_ENV}` });
      return z.NEVER;
    }
    return { ...st, url: st.url };
  }).default({ kind: 'file' }),
  /** Demo bootstrap: this admin is created at start-up if no user by that name exists. */
  admin: z.strictObject({ user: z.string().min(1).max(64), password: z.string().min(8).max(256) }).optional(),
  log: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).prefault({}),
  /**
   * The MQTT broker: embedded aedes on host:port (TLS with key and certificate files), or an external broker by
   * `url` with the cloud's service-account credentials (default: the data folder's own service account).
   */
  mqtt: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(1883),
      tls: z.strictObject({ keyFile: z.string().min(1), certFile: z.string().min(1) }).optional(),
      // One broker, or the nodes of a cluster separated by commas (tried in turn: mqtt/client.ts).
      url: brokerUrlsSchema.optional(),
      username: z.string().min(1).max(64).optional(),
      password: z.string().min(1).max(1024).optional(),
      /** The MQTT version spoken to an external broker: 3.1.1 (default; the NATS gateway speaks nothing else) or 5. */
      version: mqttVersionSchema.default(DEFAULT_MQTT_VERSION),
    })
    .superRefine((m, ctx) => {
      // The embedded aedes broker speaks 3.1.1 only: a cloud set to 5 without a url would never connect to it.
      if (m.version === '5' && m.url === undefined) ctx.addIssue({ code: 'custom', path: ['version'], message: 'MQTT 5 needs an external broker (url): the embedded broker speaks 3.1.1 only' });
    })
    .prefault({}),
  /** How often uncollected packages are expired and stale holds released; 0 turns the timer off. */
  expiry: z.strictObject({ intervalSeconds: z.number().int().min(0).max(24 * 3600).default(60) }).prefault({}),
  /**
   * E-mail to recipients and users through SMTP (mail/): parcel notices, reminders, account links, import failures.
   * Without it nothing is queued (a warning says so once). The password comes from `passwordFile` or the environment
   * variable `PORTIER_CLOUD_SMTP_PASSWORD`, never from this file, and is never logged.
   */
  mail: z
    .strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      /** Implicit TLS from the first byte (port 465); otherwise STARTTLS is required (unless `tls: 'none'`). */
      secure: z.boolean().default(false),
      /** `none`: plain SMTP without STARTTLS, for a relay on loopback only (tests, a local MTA). */
      tls: z.enum(['required', 'none']).default('required'),
      user: z.string().min(1).max(256).optional(),
      passwordFile: z.string().min(1).optional(),
      /** PEM file of the CA that signed the server's certificate (a private CA). */
      caFile: z.string().min(1).optional(),
      rejectUnauthorized: z.boolean().default(true),
      from: z.strictObject({ address: z.email(), name: z.string().min(1).max(100).default('Portier') }),
      retry: z
        .strictObject({
          maxAttempts: z.number().int().min(1).max(50).default(8),
          firstDelaySeconds: z.number().int().min(1).max(3600).default(30),
          maxDelaySeconds: z.number().int().min(1).max(24 * 3600).default(3600),
        })
        .prefault({}),
      /** Sent and failed messages are kept this long (their status on the reservation), then dropped. */
      retentionDays: z.number().int().min(1).max(365).default(30),
      /**
       * The sender's lease on the data folder's own store: after a crash, a message caught being sent is due again
       * this long after it began. Instances sharing a database hold the sender by their job leases instead (6 s).
       */
      leaseSeconds: z.number().int().min(5).max(3600).default(60),
      /** Per SMTP step (connect, greeting, each command). */
      timeoutSeconds: z.number().int().min(1).max(300).default(30),
    })
    .superRefine((m, ctx) => {
      if (m.tls === 'none' && !isLoopbackHost(m.host))
        ctx.addIssue({ code: 'custom', path: ['tls'], message: "'none' is only allowed for a relay on loopback (127.0.0.1, ::1, localhost)" });
      if (m.tls === 'none' && m.secure) ctx.addIssue({ code: 'custom', path: ['secure'], message: "contradicts tls: 'none'" });
    })
    .optional(),
  /**
   * Where the pickup codes of drop-offs made at a kiosk go (they are never stored in clear): a webhook that mails or
   * texts the recipient. Signed with HMAC-SHA256 under `secret` (see cloud/src/notify/webhook.ts).
   */
  notify: z
    .strictObject({
      webhook: z
        .strictObject({
          url: z.string().regex(/^https?:\/\/\S+$/, 'expected http(s)://host/path'),
          secret: z.string().min(16, 'at least 16 characters').max(256),
          timeoutSeconds: z.number().min(1).max(60).default(5),
          /** A notice not delivered within this long is given up (logged as an error naming the reservation). */
          maxAgeMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
        })
        .optional(),
    })
    .prefault({}),
});
export type CloudConfig = z.infer<typeof CloudConfigSchema>;
/** The parsed `store` section (a postgres one always has its URL). */
export type StoreConfig = CloudConfig['store'];
export type CloudConfigInput = z.input<typeof CloudConfigSchema>;

export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends CloudError<'CONFIG_INVALID'> {
  override name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super('CONFIG_INVALID', `invalid configuration:\n${problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
  }
}

export const ENV_PREFIX = 'PORTIER_CLOUD__';

type Tree = Record<string, unknown>;

/**
 * Environment overrides derived from the schema (`envOverrides` of @portier/protocol, the one mechanism of every
 * program): `PORTIER_CLOUD__HTTP__PORT=9000` sets `http.port`, `PORTIER_CLOUD__AUTH__LOGIN__FREE_ATTEMPTS=3` sets
 * `auth.login.freeAttempts`. Values are JSON when they parse, else strings. Unknown names are reported as problems
 * (by the schema, with their path), never silently ignored.
 */
export function envOverrides(env: NodeJS.ProcessEnv): { tree: Tree; problems: ConfigProblem[] } {
  return protocolEnvOverrides(env, { prefix: ENV_PREFIX, schema: CloudConfigSchema });
}

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export { mergeLayers };

export interface LoadConfigOptions {
  /** YAML or JSON file; missing file is a problem only when named explicitly. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Highest-priority layer, e.g. CLI flags (`--data`, `--http`). */
  overrides?: unknown;
  /** Problems found before (e.g. a malformed command-line flag), reported with the others. */
  problems?: ConfigProblem[];
}

/** Validates every layer together and returns every problem at once, each with its path. */
export function validateConfig(input: unknown): { ok: true; config: CloudConfig } | { ok: false; problems: ConfigProblem[] } {
  const r = CloudConfigSchema.safeParse(input);
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((i) => ({
      path: [...i.path.map(String), ...(i.code === 'unrecognized_keys' ? [i.keys.join(',')] : [])].join('.'),
      message: i.message,
    })),
  };
}

/** `store.url` from PORTIER_DATABASE_URL when the layers say `kind: postgres` and give none (the password stays out of files). */
function withDatabaseUrl(tree: unknown, env: NodeJS.ProcessEnv): unknown {
  const url = env[DATABASE_URL_ENV];
  if (!isTree(tree) || !isTree(tree['store']) || tree['store']['kind'] !== 'postgres' || tree['store']['url'] !== undefined || !url) return tree;
  return { ...tree, store: { ...tree['store'], url } };
}

export function loadConfig(opts: LoadConfigOptions = {}): CloudConfig {
  const problems: ConfigProblem[] = [...(opts.problems ?? [])];
  let fileLayer: unknown;
  if (opts.file) {
    try {
      // Loaded only when a file is named: the yaml parser is a tenth of the start-up time otherwise.
      const { parse: parseYaml } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
      fileLayer = parseYaml(readFileSync(opts.file, 'utf8')) ?? {};
      if (!isTree(fileLayer)) problems.push({ path: opts.file, message: 'the config file must hold a mapping' });
    } catch (err) {
      problems.push({ path: opts.file, message: err instanceof Error ? err.message : String(err) });
    }
  }
  const env = envOverrides(opts.env ?? process.env);
  problems.push(...env.problems);
  const r = validateConfig(withDatabaseUrl(mergeLayers(isTree(fileLayer) ? fileLayer : {}, env.tree, opts.overrides ?? {}), opts.env ?? process.env));
  if (!r.ok) problems.push(...r.problems);
  if (problems.length > 0 || !r.ok) throw new ConfigError(problems);
  return r.config;
}
