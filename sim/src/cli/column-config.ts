import { z } from 'zod';
import { cu16DialectSchema } from '@portier/firmware/hal';
import { PortierError } from '@portier/protocol';
import { readConfigDocument, zodProblems, type ConfigProblem } from '../config-file.ts';

export type { ConfigProblem };

/** How a virtual door behaves (a column's or one door's settings in a simulator config file). */
export const doorBehaviourSchema = z
  .object({
    springDelayMs: z.number().int().min(0).max(60_000),
    jammed: z.boolean(),
    sensorCut: z.boolean(),
    bounces: z.number().int().min(0).max(50),
    bounceIntervalMs: z.number().int().min(1).max(1000),
    releaseAfterMs: z.number().int().min(0).max(10_000),
  })
  .partial()
  .strict();
const behaviour = doorBehaviourSchema;

const size = z.enum(['XS', 'S', 'M', 'L', 'XL']);

const doorEntry = z
  .object({
    /** 1-based door number within the column; default: position in the list. */
    number: z.number().int().min(1).max(160).optional(),
    size: size.optional(),
    /** Starts with an item inside (infrared sensor blocked). */
    item: z.boolean().optional(),
    /** Starts open. */
    open: z.boolean().optional(),
    behaviour: behaviour.optional(),
  })
  .strict();

const faults = z
  .object({
    silent: z.boolean(),
    corruptProbability: z.number().min(0).max(1),
    chunked: z.boolean(),
    coalesce: z.boolean(),
    extraDelayMs: z.number().int().min(0).max(10_000),
  })
  .partial()
  .strict();

/** A column of lockers on KR-CU16 boards, as `portier-sim column --config FILE` runs it. */
export const columnConfigSchema = z
  .object({
    name: z.string().min(1).max(100).default('column'),
    /** A door count (all default doors) or a list of doors. */
    doors: z.union([z.number().int().min(1).max(160), z.array(doorEntry).min(1).max(160)]),
    /** Behaviour applied to every door, before per-door behaviour. */
    behaviour: behaviour.optional(),
    /** Lock boards; default: as many as the doors need, addresses 0.., 16 doors each in order. */
    boards: z
      .array(
        z
          .object({
            address: z.number().int().min(0).max(9),
            faults: faults.optional(),
            /** What this board speaks, over the column's `dialect`. */
            dialect: cu16DialectSchema.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(10)
      .optional(),
    /**
     * What the boards speak: the status query they know (0x30 or 0x32) and how they answer an unlock (`status`
     * frame or short `ack`). Default 0x30, status.
     */
    dialect: cu16DialectSchema.optional(),
    /** Pulse time of each board at power-up, ms. */
    pulseMs: z.number().int().min(1).max(5000).default(300),
    /** Longest pulse the boards' hardware timer allows, ms. */
    hardwareMaxPulseMs: z.number().int().min(1).max(10_000).default(1000),
    /** Reply delay of the boards, ms. */
    replyDelayMs: z.number().int().min(0).max(1000).default(2),
    /** Where to put the controller's tty link (default: a temp folder). */
    ttyLink: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const count = typeof c.doors === 'number' ? c.doors : c.doors.length;
    if (Array.isArray(c.doors)) {
      const seen = new Set<number>();
      c.doors.forEach((d, i) => {
        const n = d.number ?? i + 1;
        if (seen.has(n)) ctx.addIssue({ code: 'custom', path: ['doors', i, 'number'], message: `door ${n} listed twice` });
        seen.add(n);
      });
    }
    if (c.pulseMs > c.hardwareMaxPulseMs) {
      ctx.addIssue({ code: 'custom', path: ['pulseMs'], message: `pulseMs ${c.pulseMs} is above hardwareMaxPulseMs ${c.hardwareMaxPulseMs}` });
    }
    if (c.boards) {
      const addrs = c.boards.map((b) => b.address);
      addrs.forEach((a, i) => {
        if (addrs.indexOf(a) !== i) ctx.addIssue({ code: 'custom', path: ['boards', i, 'address'], message: `board address ${a} used twice` });
      });
      const maxDoor = Array.isArray(c.doors) ? Math.max(...c.doors.map((d, i) => d.number ?? i + 1)) : count;
      const needed = Math.ceil(maxDoor / 16);
      if (c.boards.length < needed) {
        ctx.addIssue({ code: 'custom', path: ['boards'], message: `${maxDoor} doors need ${needed} boards of 16 locks, ${c.boards.length} listed` });
      }
    }
  });

export type ColumnConfig = z.infer<typeof columnConfigSchema>;


export class ConfigError extends PortierError<'CONFIG_INVALID'> {
  override name = 'ConfigError';
  readonly problems: ConfigProblem[];
  constructor(source: string, problems: ConfigProblem[]) {
    super('CONFIG_INVALID', `${source}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Validates a parsed configuration; every problem at once, each with its path. */
export function validateColumnConfig(input: unknown, source = 'config'): ColumnConfig {
  const r = columnConfigSchema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(source, zodProblems(r.error.issues));
}

/** Reads a YAML or JSON column file (by extension; YAML otherwise, which also reads JSON). */
export async function loadColumnConfig(file: string): Promise<ColumnConfig> {
  const data = await readConfigDocument(file, (problems) => new ConfigError(file, problems));
  return validateColumnConfig(data, file);
}
