import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { envOverrideLayer } from './env.ts';
import { describeIssues, type ConfigProblem } from './issues.ts';
import { controllerConfigSchema, type ControllerConfig } from './schema.ts';

export type { ConfigProblem };

export type ValidationResult = { ok: true; config: ControllerConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * Every problem at once: schema problems and cross-field rules (STYLE.md: configuration), worded for a person.
 * `otherSections`: top-level sections the caller validates itself (named when a key is unknown).
 */
export function validate(input: unknown, opts: { otherSections?: readonly string[] } = {}): ValidationResult {
  const problems: ConfigProblem[] = [];
  const parsed = controllerConfigSchema.safeParse(input);
  if (!parsed.success) {
    problems.push(...describeIssues(parsed.error.issues, { schema: controllerConfigSchema, input, ...(opts.otherSections ? { otherSections: opts.otherSections } : {}) }));
  }
  // A field the schema already refused is not compared with others too: one problem per key, the basic one.
  const refused = new Set(problems.map((p) => p.path));
  problems.push(...crossChecks(input).filter((p) => !refused.has(p.path)));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems: dedupe(problems) };
  return { ok: true, config: parsed.data };
}

/**
 * Reads a YAML or JSON file (YAML is a superset of JSON) and applies `PORTIER_CONTROLLER__...` environment overrides
 * when `env` is given, their paths derived from `schema` (the hardware file's by default); the document is not
 * validated yet. Shared by every controller config loader.
 */
export async function readConfigDocument(
  path: string,
  env?: NodeJS.ProcessEnv,
  schema?: z.ZodType,
): Promise<{ ok: true; data: unknown } | { ok: false; problems: ConfigProblem[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ path: '(file)', message: `cannot read ${path}: ${(err as Error).message}` }] };
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    return { ok: false, problems: [{ path: '(file)', message: `${path} is not valid YAML/JSON: ${(err as Error).message}` }] };
  }
  if (!env) return { ok: true, data };
  const layered = envOverrideLayer(data, env, schema);
  return layered.problems.length > 0 ? { ok: false, problems: layered.problems } : { ok: true, data: layered.data };
}

/** Reads a YAML or JSON file, applies environment overrides when `env` is given, and validates the result. */
export async function loadConfigFile(path: string, env?: NodeJS.ProcessEnv): Promise<ValidationResult> {
  const doc = await readConfigDocument(path, env);
  return doc.ok ? validate(doc.data) : doc;
}

// Cross-field rules read the raw input defensively, so they run even when other fields are wrong
// (zod skips refinements of an object that already has issues).
function crossChecks(input: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const hw = obj(obj(input)?.['hardware']);
  if (!hw) return out;
  const doors = obj(hw['doors']) ?? {};
  const maxPulse = num(doors['maxPulseMs']) ?? 1000;
  const pulse = num(doors['pulseMs']) ?? 500;
  if (pulse > maxPulse) out.push({ path: 'hardware.doors.pulseMs', message: `pulseMs (${pulse}) must not exceed maxPulseMs (${maxPulse})` });
  const jam = num(doors['jamWindowMs']) ?? 2000;
  if (jam <= pulse) out.push({ path: 'hardware.doors.jamWindowMs', message: `jamWindowMs (${jam}) must be longer than pulseMs (${pulse})` });

  const bus = obj(hw['bus']);
  let doorNumbers: number[] | undefined;
  if (bus?.['kind'] === 'gpio') {
    const pins = obj(bus['pins']);
    if (pins) {
      doorNumbers = Object.keys(pins).map(Number).filter(Number.isInteger);
      if (Object.keys(pins).length === 0) out.push({ path: 'hardware.bus.pins', message: 'at least one door must be wired' });
      const used = new Map<number, string>();
      for (const [door, p] of Object.entries(pins)) {
        const po = obj(p);
        for (const key of ['lockPin', 'sensorPin'] as const) {
          const n = num(po?.[key]);
          if (n === undefined) continue;
          const where = `door ${door} ${key}`;
          const prev = used.get(n);
          if (prev) out.push({ path: `hardware.bus.pins.${door}.${key}`, message: `pin ${n} is already used by ${prev}` });
          else used.set(n, where);
        }
      }
    }
  } else if (bus?.['kind'] === 'kerong-cu16') {
    const n = num(bus['doorCount']);
    if (n !== undefined && Number.isInteger(n)) doorNumbers = Array.from({ length: n }, (_, i) => i + 1);
  }
  const commissioning = obj(hw['commissioning']);
  const atStart = commissioning?.['unlockAtStart'];
  if (doorNumbers && Array.isArray(atStart)) {
    atStart.forEach((d, i) => {
      if (typeof d === 'number' && !doorNumbers!.includes(d)) {
        out.push({ path: `hardware.commissioning.unlockAtStart.${i}`, message: `door ${d} is not on the bus` });
      }
    });
  }
  return out;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
