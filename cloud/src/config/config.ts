import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { DEFAULT_SCRYPT_PARAMS, ScryptParamsSchema } from '../auth/passwords.ts';
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

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
    })
    .prefault({}),
  auth: z
    .strictObject({
      tokenTtlSeconds: z.number().int().min(60).max(30 * 24 * 3600).default(12 * 3600),
      scrypt: z
        .strictObject({
          N: ScryptParamsSchema.shape.N.default(DEFAULT_SCRYPT_PARAMS.N),
          r: ScryptParamsSchema.shape.r.default(DEFAULT_SCRYPT_PARAMS.r),
          p: ScryptParamsSchema.shape.p.default(DEFAULT_SCRYPT_PARAMS.p),
          keyLen: ScryptParamsSchema.shape.keyLen.default(DEFAULT_SCRYPT_PARAMS.keyLen),
        })
        .prefault({}),
      login: z
        .strictObject({
          freeAttempts: z.number().int().min(1).max(100).default(5),
          baseLockSeconds: z.number().min(0).max(3600).default(1),
          maxLockSeconds: z.number().min(0).max(24 * 3600).default(15 * 60),
          windowSeconds: z.number().min(1).max(24 * 3600).default(15 * 60),
        })
        .prefault({}),
    })
    .prefault({}),
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
      url: z.string().regex(/^(mqtts?|tcp|tls|wss?):\/\/\S+$/, 'expected mqtt://host:port').optional(),
      username: z.string().min(1).max(64).optional(),
      password: z.string().min(1).max(1024).optional(),
    })
    .prefault({}),
  /** How often uncollected packages are expired and stale holds released; 0 turns the timer off. */
  expiry: z.strictObject({ intervalSeconds: z.number().int().min(0).max(24 * 3600).default(60) }).prefault({}),
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

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Tree = Record<string, unknown>;

/**
 * Environment overrides derived from the schema: `PORTIER_CLOUD__HTTP__PORT=9000` sets `http.port`,
 * `PORTIER_CLOUD__AUTH__LOGIN__FREE_ATTEMPTS=3` sets `auth.login.freeAttempts`. Values are JSON when they parse,
 * else strings. Unknown names are reported as problems, never silently ignored.
 */
export function envOverrides(env: NodeJS.ProcessEnv): { tree: Tree; problems: ConfigProblem[] } {
  const tree: Tree = {};
  const problems: ConfigProblem[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const parts = schemaPath(name.slice(ENV_PREFIX.length).split('__'));
    if (parts.some((p) => p.length === 0)) {
      problems.push({ path: name, message: 'malformed environment override name' });
      continue;
    }
    let value: Json;
    try {
      value = JSON.parse(raw) as Json;
    } catch {
      value = raw;
    }
    setPath(tree, parts, value);
  }
  return { tree, problems };
}

/** The innermost schema under optional/default/prefault wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const inner = (s.def as { innerType?: z.ZodType }).innerType;
    if (!inner) break;
    s = inner;
  }
  return s;
}

/**
 * Environment name parts (`FREE_ATTEMPTS`, `N`) to the schema's own keys (`freeAttempts`, `N`), matched without
 * regard to case and underscores; a part that matches nothing is kept (camelCased) so the schema reports it.
 */
function schemaPath(rawParts: string[]): string[] {
  let schema: z.ZodType | undefined = CloudConfigSchema;
  return rawParts.map((raw) => {
    const norm = raw.toLowerCase().replace(/_/g, '');
    const obj: z.ZodType | undefined = schema ? unwrap(schema) : undefined;
    const shape = obj instanceof z.ZodObject ? (obj.shape as Record<string, z.ZodType>) : undefined;
    const key = shape ? Object.keys(shape).find((k) => k.toLowerCase() === norm) : undefined;
    schema = key && shape ? shape[key] : undefined;
    return key ?? raw.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  });
}

function setPath(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: later layers win, objects merge key by key. */
export function mergeLayers(...layers: unknown[]): unknown {
  let out: unknown = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (isTree(out) && isTree(layer)) {
      const merged: Tree = { ...out };
      for (const [k, v] of Object.entries(layer)) merged[k] = k in merged ? mergeLayers(merged[k], v) : v;
      out = merged;
    } else {
      out = layer;
    }
  }
  return out;
}

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
  const r = validateConfig(mergeLayers(isTree(fileLayer) ? fileLayer : {}, env.tree, opts.overrides ?? {}));
  if (!r.ok) problems.push(...r.problems);
  if (problems.length > 0 || !r.ok) throw new ConfigError(problems);
  return r.config;
}
