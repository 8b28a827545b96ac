// The full configuration of a running controller: the hardware file the door engineer defined (`log`, `hardware`)
// plus the sections the runtime composes: `link` (what `portier-cloud provision` writes), `kiosk` (on the bank's
// kiosk column only) and `console` (the technician console's own section). One validation pass lists every problem
// of every section at once, each with its dotted path (STYLE.md: configuration).
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { brokerUrlsSchema, DEFAULT_MQTT_VERSION, idSchema, importPublicKey, mqttVersionSchema, parseCredentialKey } from '@portier/protocol';
import { controllerConfigSchema, describeIssues, readConfigDocument, validate as validateHardware, type ConfigProblem, type ControllerConfig } from '../config/index.ts';
import { firmataIoSchema } from '../config/schema.ts';
import { consoleConfigSchema } from '../console/config-section.ts';

export type { ConfigProblem };

const id = idSchema;

/**
 * The `link` section. Field names are those `portier-cloud provision` writes (brokerUrl, mqttVersion, bankId,
 * controllerId, column, secret, cloudPublicKey), plus where the link keeps its durable state.
 */
export const linkConfigSchema = z
  .object({
    /** One broker's URL, or a cluster's nodes separated by commas: tried in turn, the next taken when one fails. */
    brokerUrl: brokerUrlsSchema,
    /** MQTT protocol version: 3.1.1 (the embedded broker and NATS speak only that) or 5. */
    mqttVersion: mqttVersionSchema.default(DEFAULT_MQTT_VERSION),
    bankId: id,
    controllerId: id,
    /** The column this controller drives (written by provisioning; informational here). */
    column: z.number().int().min(1).max(64).optional(),
    secret: z.string().min(8, 'the provisioned secret is at least 8 characters').max(512),
    /** The cloud's command public key, PEM (provisioning writes it inline)... */
    cloudPublicKey: z.string().min(1).optional(),
    /** ...or a file holding it (relative to the config file). */
    cloudPublicKeyFile: z.string().min(1).optional(),
    /**
     * This controller's credential key (32 bytes, base64url): the kiosk checks typed codes against the keyed hashes of
     * its desired state with it. Written by `portier-cloud provision` (or `rekey`), never sent through the broker.
     * Left out on a controller provisioned before keyed hashes existed: the cloud then sends the legacy form.
     */
    credentialKey: z
      .string()
      .refine((s) => parseCredentialKey(s) !== undefined, 'expected 32 bytes in base64url (43 characters), as portier-cloud provision writes it')
      .optional(),
    /** Folder of the link's durable state (desired copy, outbox, seen ids); relative to the config file. */
    dataDir: z.string().min(1).default('portier-data'),
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    keepaliveS: z.number().int().min(5).max(3600).default(30),
    /** Reconnect backoff bounds. */
    backoff: z.object({ minMs: z.number().int().min(10).max(600_000), maxMs: z.number().int().min(10).max(3_600_000) }).strict().optional(),
  })
  .strict();

const serialReaderSchema = z
  .object({
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
  })
  .strict();

/**
 * A headphone-detect switch on a digital input of a Firmata I/O board (the GPIO HAL's board). The jack's detect
 * contact is read with the board's pull-up by default: a contact that opens when a plug goes in then reads 1.
 */
export const gpioHeadphoneDetectSchema = z
  .object({
    kind: z.literal('gpio'),
    io: firmataIoSchema,
    pin: z.number().int().min(0).max(127),
    /** The level the input reads with headphones plugged in. */
    pluggedLevel: z.union([z.literal(0), z.literal(1)]).default(1),
    /** `up`: the board's pull-up holds the input (a contact to ground); `none`: the jack drives the level itself. */
    pull: z.enum(['up', 'none']).default('up'),
    /** A level must hold this long before it counts (a plug going in bounces). */
    debounceMs: z.number().int().min(0).max(1000).default(50),
  })
  .strict();

/**
 * How audio mode is switched on: `none` (no detect line wired: audio only through a device the program is given),
 * `key` (no detect line: the repeat key switches audio on for the session), or a GPIO input.
 * A string is read as the kind, so the union's errors are those of the one form the value has.
 */
const headphoneDetectSchema = z
  .preprocess(
    (v) => (typeof v === 'string' ? { kind: v } : v),
    z.discriminatedUnion('kind', [z.object({ kind: z.literal('none') }).strict(), z.object({ kind: z.literal('key') }).strict(), gpioHeadphoneDetectSchema]),
  )
  .transform((v) => (v.kind === 'gpio' ? v : v.kind));

export type GpioHeadphoneDetectConfig = z.infer<typeof gpioHeadphoneDetectSchema>;

/** `kiosk.screen`: where the touch screen's page is served. Loopback only: the browser runs on the controller itself. */
export const kioskScreenConfigSchema = z
  .object({
    host: z.enum(['127.0.0.1', '::1', 'localhost']).default('127.0.0.1'),
    /** 0: any free port (tests). */
    port: z.number().int().min(0).max(65535).default(8765),
    /** With audio mode on (headphones in), the screen shows nothing of the session: what is spoken stays private. */
    blankInAudioMode: z.boolean().default(false),
  })
  .strict();

export type KioskScreenConfig = z.infer<typeof kioskScreenConfigSchema>;

/** The `kiosk` section: present (and enabled) on the bank's kiosk column only. */
export const kioskConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Speech on the 3.5 mm jack: espeak-ng through ALSA, or none (a kiosk without an audio jack). */
    audio: z
      .union([
        z.literal('none'),
        z.literal('espeak'),
        z
          .object({
            adapter: z.literal('espeak'),
            device: z.string().min(1).optional(),
            wordsPerMinute: z.number().int().min(80).max(400).optional(),
            volume: z.number().int().min(0).max(100).optional(),
          })
          .strict(),
      ])
      .default('none'),
    /** Barcode / QR scanner on a serial port (line per code). */
    scanner: serialReaderSchema.optional(),
    /** Badge / smart-card reader on a serial port (line per badge). */
    badgeReader: serialReaderSchema.optional(),
    /**
     * How audio mode starts: `none`, `key`, or a GPIO input (`{ kind: gpio, io, pin, pluggedLevel, pull, debounceMs }`).
     * A switch input passed through `startController({ inputs })` (the simulator's jack) is used before any of these.
     */
    headphoneDetect: headphoneDetectSchema.default('none'),
    /** What is printed on the audio keys, named in the spoken prompts ("press R to hear this again"). */
    keyLabels: z
      .object({
        repeat: z.string().min(1).max(12).optional(),
        stop: z.string().min(1).max(12).optional(),
        louder: z.string().min(1).max(12).optional(),
        softer: z.string().min(1).max(12).optional(),
      })
      .strict()
      .optional(),
    /** Language of a new session. */
    language: z.enum(['en', 'fr']).default('en'),
    /**
     * The touch screen: the kiosk page served on a loopback port, for the browser in kiosk mode on the column's
     * display (firmware/src/screen). Absent: no screen (a kiosk of keypad and audio only).
     */
    screen: kioskScreenConfigSchema.optional(),
    /** Local time ("HH:MM") at which day-use storage ends. */
    storageDayEndsAt: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'expected HH:MM').optional(),
  })
  .strict();

export type LinkConfig = z.infer<typeof linkConfigSchema>;
export type KioskConfig = z.infer<typeof kioskConfigSchema>;
export type ConsoleSectionConfig = z.infer<typeof consoleConfigSchema>;

/** A validated controller configuration, with every relative path resolved and the cloud key loaded. */
export interface RuntimeConfig extends ControllerConfig {
  /** Without it the controller runs its doors alone (commissioning, bench tests): no MQTT. */
  link?: LinkConfig & { cloudPublicKey: string };
  kiosk?: KioskConfig;
  console?: ConsoleSectionConfig;
}

export type RuntimeValidation = { ok: true; config: RuntimeConfig } | { ok: false; problems: ConfigProblem[] };

const SECTIONS = ['link', 'kiosk', 'console'] as const;

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function issues(prefix: string, schema: z.ZodType, input: unknown, error: z.ZodError): ConfigProblem[] {
  return describeIssues(error.issues, { schema, input, prefix: [prefix] });
}

/**
 * Validates a whole controller configuration document (already parsed). `baseDir` resolves relative paths (the
 * config file's folder); without it they are taken relative to the working directory. A `cloudPublicKeyFile` is
 * read here, so a missing or malformed key file is a configuration problem like any other.
 */
export async function validateRuntimeConfig(input: unknown, opts: { baseDir?: string } = {}): Promise<RuntimeValidation> {
  const problems: ConfigProblem[] = [];
  const doc = obj(input);
  if (!doc) return { ok: false, problems: [{ path: '(root)', message: 'expected a mapping of sections (log, hardware, link, kiosk, console)' }] };
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!(SECTIONS as readonly string[]).includes(k)) rest[k] = v;
  const base = validateHardware(rest, { otherSections: SECTIONS });
  if (!base.ok) problems.push(...base.problems);

  const baseDir = opts.baseDir ?? process.cwd();
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));

  let link: RuntimeConfig['link'];
  if (doc['link'] !== undefined) {
    const r = linkConfigSchema.safeParse(doc['link']);
    if (!r.success) problems.push(...issues('link', linkConfigSchema, doc['link'], r.error));
    else {
      const l = r.data;
      let pem = l.cloudPublicKey;
      if (l.cloudPublicKey && l.cloudPublicKeyFile) {
        problems.push({ path: 'link.cloudPublicKeyFile', message: 'give cloudPublicKey or cloudPublicKeyFile, not both' });
      } else if (l.cloudPublicKeyFile) {
        try {
          pem = await readFile(abs(l.cloudPublicKeyFile), 'utf8');
        } catch (err) {
          problems.push({ path: 'link.cloudPublicKeyFile', message: `cannot read ${abs(l.cloudPublicKeyFile)}: ${(err as Error).message}` });
        }
      } else if (!l.cloudPublicKey) {
        problems.push({ path: 'link.cloudPublicKey', message: 'the cloud command public key is required (cloudPublicKey PEM or cloudPublicKeyFile)' });
      }
      if (pem !== undefined) {
        try {
          const key = importPublicKey(pem);
          if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
        } catch (err) {
          problems.push({ path: l.cloudPublicKeyFile ? 'link.cloudPublicKeyFile' : 'link.cloudPublicKey', message: `not an Ed25519 public key PEM: ${(err as Error).message}` });
          pem = undefined;
        }
      }
      if (l.backoff && l.backoff.minMs > l.backoff.maxMs) problems.push({ path: 'link.backoff.minMs', message: 'minMs must not exceed maxMs' });
      if (pem !== undefined) link = { ...l, cloudPublicKey: pem, dataDir: abs(l.dataDir) };
    }
  }

  let kiosk: KioskConfig | undefined;
  if (doc['kiosk'] !== undefined) {
    const r = kioskConfigSchema.safeParse(doc['kiosk']);
    if (!r.success) problems.push(...issues('kiosk', kioskConfigSchema, doc['kiosk'], r.error));
    else {
      kiosk = r.data;
      if (kiosk.enabled && doc['link'] === undefined) {
        problems.push({ path: 'kiosk.enabled', message: 'a kiosk needs the link section (its codes come from the desired state)' });
      }
      if (kiosk.scanner && kiosk.badgeReader && kiosk.scanner.path === kiosk.badgeReader.path) {
        problems.push({ path: 'kiosk.badgeReader.path', message: `${kiosk.badgeReader.path} is already the scanner's port` });
      }
    }
  }

  let consoleCfg: ConsoleSectionConfig | undefined;
  if (doc['console'] !== undefined) {
    const r = consoleConfigSchema.safeParse(doc['console']);
    if (!r.success) problems.push(...issues('console', consoleConfigSchema, doc['console'], r.error));
    else consoleCfg = r.data;
  }

  // Serial ports used twice (lock bus, scanner, badge reader, console).
  const ports = new Map<string, string>();
  const claim = (path: unknown, where: string): void => {
    if (typeof path !== 'string') return;
    const prev = ports.get(path);
    if (prev && prev !== where) problems.push({ path: where, message: `${path} is already used by ${prev}` });
    else ports.set(path, where);
  };
  const bus = obj(obj(doc['hardware'])?.['bus']);
  claim(bus?.['path'], 'hardware.bus.path');
  claim(obj(bus?.['io'])?.['path'], 'hardware.bus.io.path');
  claim(obj(doc['console'])?.['serialPath'], 'console.serialPath');
  const k = obj(doc['kiosk']);
  claim(obj(k?.['scanner'])?.['path'], 'kiosk.scanner.path');
  claim(obj(k?.['badgeReader'])?.['path'], 'kiosk.badgeReader.path');
  // The detect line's own board: the lock bus's Firmata board cannot be opened a second time.
  claim(obj(obj(k?.['headphoneDetect'])?.['io'])?.['path'], 'kiosk.headphoneDetect.io.path');

  if (problems.length > 0 || !base.ok) return { ok: false, problems: dedupe(problems) };
  const config: RuntimeConfig = { ...base.config };
  if (link) config.link = link;
  if (kiosk) config.kiosk = kiosk;
  if (consoleCfg) config.console = consoleCfg;
  return { ok: true, config };
}

/**
 * Reads a YAML or JSON configuration file, applies `PORTIER_CONTROLLER__...` environment overrides when `env` is given
 * (e.g. `PORTIER_CONTROLLER__LINK__BROKER_URL`, or `LOG_LEVEL` for `log.level`), and validates it (relative paths
 * from the file's folder).
 */
export async function loadRuntimeConfig(path: string, env?: NodeJS.ProcessEnv): Promise<RuntimeValidation> {
  const doc = await readConfigDocument(path, env, runtimeDocumentSchema());
  return doc.ok ? validateRuntimeConfig(doc.data, { baseDir: dirname(resolve(path)) }) : doc;
}

/** The whole document's shape (hardware file and sections): the paths environment overrides may set. */
function runtimeDocumentSchema(): z.ZodType {
  return controllerConfigSchema.extend({ link: linkConfigSchema, kiosk: kioskConfigSchema, console: consoleConfigSchema });
}

/**
 * A validator of a whole document for the console's `config set` (synchronous: the cloud key file is not re-read;
 * its presence is checked at the next start).
 */
export function validateDocumentSync(input: unknown): { ok: true; config: unknown } | { ok: false; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const doc = obj(input);
  if (!doc) return { ok: false, problems: [{ path: '(root)', message: 'expected a mapping' }] };
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!(SECTIONS as readonly string[]).includes(k)) rest[k] = v;
  const base = validateHardware(rest, { otherSections: SECTIONS });
  if (!base.ok) problems.push(...base.problems);
  const schemas = { link: linkConfigSchema, kiosk: kioskConfigSchema, console: consoleConfigSchema } as const;
  for (const s of SECTIONS) {
    if (doc[s] === undefined) continue;
    const r = schemas[s].safeParse(doc[s]);
    if (!r.success) problems.push(...issues(s, schemas[s], doc[s], r.error));
  }
  if (problems.length || !base.ok) return { ok: false, problems: dedupe(problems) };
  // The configuration as the controller would run it (defaults filled in), for the console's `config show`.
  const config: Record<string, unknown> = { ...base.config };
  for (const s of SECTIONS) if (doc[s] !== undefined) config[s] = schemas[s].parse(doc[s]);
  return { ok: true, config };
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
