// The description of a simulated locker bank (`portier-sim bank --config bank.yaml`): columns of virtual doors, each
// with the identity of the real controller that drives it (a file written by `portier-cloud provision`, or the same
// fields inline), the kiosk column, and the transport between controllers and their virtual lock boards.
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { brokerUrlsSchema, ID_PATTERN, mqttVersionSchema, PortierError } from '@portier/protocol';
import { doorBehaviourSchema, readConfigDocument, zodProblems, type ConfigProblem } from '@portier/sim';

const id = z.string().regex(ID_PATTERN, 'ids are 1..64 letters, digits, ".", "_" or "-"');

const behaviour = doorBehaviourSchema;

const doorEntry = z
  .object({
    item: z.boolean().optional(),
    open: z.boolean().optional(),
    behaviour: behaviour.optional(),
  })
  .strict();

/** Inline identity: the fields of the `link` section `portier-cloud provision` writes. */
const inlineIdentity = z
  .object({
    controllerId: id,
    secret: z.string().min(8).max(512),
    cloudPublicKey: z.string().min(1).optional(),
    cloudPublicKeyFile: z.string().min(1).optional(),
    /** The controller's credential key, as provisioning writes it. */
    credentialKey: z.string().min(1).optional(),
  })
  .strict();

const columnSchema = z
  .object({
    /** The provisioned controller config file (its `link` section is the identity). */
    controllerConfig: z.string().min(1).optional(),
    /** Or the identity inline. */
    identity: inlineIdentity.optional(),
    /** Door count, or a list of doors (in order 1..N). */
    doors: z.union([z.number().int().min(1).max(160), z.array(doorEntry).min(1).max(160)]),
    /** Behaviour of every door of the column. */
    behaviour: behaviour.optional(),
    /** This column is the bank's kiosk (screen, scanner, badge reader, audio jack). */
    kiosk: z.boolean().default(false),
    /** Door controller tuning (the controller config's hardware.doors). */
    doorSettings: z.record(z.string(), z.number()).optional(),
    /**
     * How long the virtual KR-CU16 boards take to answer a command, ms (default 2: a short RS-485 line; a real board
     * at 19200 baud needs about 7 ms for a 5-byte command and its 9-byte answer). 0: at once.
     */
    boardReplyDelayMs: z.number().int().min(0).max(1000).default(2),
  })
  .strict();

export const bankConfigSchema = z
  .object({
    name: z.string().min(1).max(100).default('bank'),
    bankId: id,
    /**
     * The broker the controllers connect to (the cloud's embedded broker, or a cluster's nodes separated by commas)
     * and the MQTT version they speak; `--broker` overrides the URL.
     */
    cloud: z.object({ brokerUrl: brokerUrlsSchema, mqttVersion: mqttVersionSchema.optional() }).strict().optional(),
    /** `mock`: boards on serialport's mock binding in-process; `pty`: boards behind socat pty pairs (real ttys). */
    transport: z.enum(['mock', 'pty']).default('mock'),
    /** Folder of the controllers' durable state (one sub-folder per controller); relative to the file. */
    dataDir: z.string().min(1).default('sim-bank-data'),
    /** Language of a new kiosk session. */
    language: z.enum(['en', 'fr']).default('en'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
    columns: z.array(columnSchema).min(1).max(32),
  })
  .strict();

// Cross-field rules read the raw input defensively, so they are listed even when other fields are wrong (zod skips
// refinements of an object that already has issues).
function crossChecks(input: unknown): BankConfigProblem[] {
  const out: BankConfigProblem[] = [];
  const cols = (input as { columns?: unknown } | null)?.columns;
  if (!Array.isArray(cols)) return out;
  const kiosks = cols.map((c, i) => ((c as { kiosk?: unknown })?.kiosk === true ? i : -1)).filter((i) => i >= 0);
  if (kiosks.length > 1) out.push({ path: `columns.${kiosks[1]}.kiosk`, message: 'a bank has one kiosk column' });
  const ids = new Map<string, number>();
  cols.forEach((raw, i) => {
    const c = (typeof raw === 'object' && raw !== null ? raw : {}) as { controllerConfig?: unknown; identity?: { controllerId?: unknown; cloudPublicKey?: unknown; cloudPublicKeyFile?: unknown } };
    if (c.controllerConfig === undefined && c.identity === undefined) out.push({ path: `columns.${i}`, message: 'give controllerConfig (a provisioned file) or identity' });
    if (c.controllerConfig !== undefined && c.identity !== undefined) out.push({ path: `columns.${i}.identity`, message: 'give controllerConfig or identity, not both' });
    const idn = c.identity;
    if (idn && typeof idn === 'object') {
      if (idn.cloudPublicKey === undefined && idn.cloudPublicKeyFile === undefined) {
        out.push({ path: `columns.${i}.identity.cloudPublicKey`, message: 'cloudPublicKey or cloudPublicKeyFile is required' });
      }
      if (typeof idn.controllerId === 'string') {
        const prev = ids.get(idn.controllerId);
        if (prev !== undefined) out.push({ path: `columns.${i}.identity.controllerId`, message: `${idn.controllerId} is already column ${prev + 1}` });
        ids.set(idn.controllerId, i);
      }
    }
  });
  return out;
}

export type BankConfig = z.infer<typeof bankConfigSchema>;
export type BankColumnConfig = BankConfig['columns'][number];

export type BankConfigProblem = ConfigProblem;

export class BankConfigError extends PortierError<'BANK_CONFIG_INVALID'> {
  override name = 'BankConfigError';
  readonly problems: BankConfigProblem[];
  constructor(source: string, problems: BankConfigProblem[]) {
    super('BANK_CONFIG_INVALID', `${source}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Validates a parsed bank description; every problem at once. Relative paths are resolved against `baseDir`. */
export function validateBankConfig(input: unknown, opts: { source?: string; baseDir?: string } = {}): BankConfig {
  const r = bankConfigSchema.safeParse(input);
  const problems = [...(r.success ? [] : zodProblems(r.error.issues)), ...crossChecks(input)];
  if (!r.success || problems.length > 0) throw new BankConfigError(opts.source ?? 'bank config', problems);
  const base = opts.baseDir ?? process.cwd();
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const b = r.data;
  return {
    ...b,
    dataDir: abs(b.dataDir),
    columns: b.columns.map((c) => ({
      ...c,
      ...(c.controllerConfig ? { controllerConfig: abs(c.controllerConfig) } : {}),
      ...(c.identity?.cloudPublicKeyFile ? { identity: { ...c.identity, cloudPublicKeyFile: abs(c.identity.cloudPublicKeyFile) } } : {}),
    })),
  };
}

/** Reads a YAML or JSON bank description. */
export async function loadBankConfig(file: string): Promise<BankConfig> {
  const data = await readConfigDocument(file, (problems) => new BankConfigError(file, problems));
  return validateBankConfig(data, { source: file, baseDir: dirname(resolve(file)) });
}
