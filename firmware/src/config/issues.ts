import type { z } from 'zod';

/** One problem in a configuration, with the dotted path of the field at fault. */
export interface ConfigProblem {
  path: string;
  message: string;
}

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/**
 * Zod issues of a configuration section in the words of a person: the full dotted key, what is allowed there (the
 * range, the choices, the settings a section has) and what was given, e.g.
 * `hardware.doors.pulseMs: 9999 is too big (allowed 1 to 2000)` instead of "Too big: expected number to be <=2000",
 * and `hardware.doors.bogus: not a known setting (hardware.doors has: ...)` instead of "(root): Unrecognized key".
 * `schema` and `input` are the section's schema and data (`prefix` its key in the file), used to look up the
 * allowed range and the known keys, and to show the value given; `otherSections` are top-level keys another
 * validator checks (named among the file's known keys).
 */
export function describeIssues(
  issues: readonly Issue[],
  ctx: { schema: Schema; input: unknown; prefix?: readonly string[]; otherSections?: readonly string[] },
): ConfigProblem[] {
  const prefix = ctx.prefix ?? [];
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const at = issue.path.map(String);
    const key = (parts: readonly string[]): string => [...prefix, ...parts].join('.') || '(root)';
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schemaAt(ctx.schema, at, ctx.input));
      if (at.length === 0 && prefix.length === 0) known.push(...(ctx.otherSections ?? []));
      const where = at.length || prefix.length ? key(at) : 'the file';
      const choices = known.length ? ` (${where} has: ${known.join(', ')})` : '';
      for (const k of issue.keys) out.push({ path: key([...at, k]), message: `not a known setting${choices}` });
      continue;
    }
    out.push({ path: key(at), message: describe(issue, ctx.schema, ctx.input, at) });
  }
  return out;
}

/** The problems as lines for a person, e.g. after `portier-controller: invalid configuration FILE:`. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n');
}

function describe(issue: Issue, root: Schema, input: unknown, at: string[]): string {
  const value = valueAt(input, at);
  const given = value === undefined ? '' : show(value);
  switch (issue.code) {
    case 'too_big':
    case 'too_small': {
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        const range = numberRange(schemaAt(root, at, input));
        const word = issue.code === 'too_big' ? 'too big' : 'too small';
        const bound = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
        const exclusive = issue.inclusive === false ? `${issue.code === 'too_big' ? 'less' : 'more'} than ${bound}` : undefined;
        const allowed = exclusive ?? range ?? (issue.code === 'too_big' ? `at most ${bound}` : `at least ${bound}`);
        return `${given || 'the value'} is ${word} (allowed ${allowed})`;
      }
      const n = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
      if (issue.code === 'too_small' && n === 1) return issue.origin === 'string' ? 'must not be empty' : 'needs at least one entry';
      const unit = issue.origin === 'string' ? (n === 1 ? 'character' : 'characters') : n === 1 ? 'entry' : 'entries';
      return `must have ${issue.code === 'too_big' ? 'at most' : 'at least'} ${n} ${unit}`;
    }
    case 'invalid_type':
      if (value === undefined) return `missing: required (${typeWord(issue.expected)})`;
      if (issue.expected === 'int') return `${given} is not a whole number${rangeSuffix(root, at, input)}`;
      if (issue.expected === 'number') {
        const r = numberRange(schemaAt(root, at, input));
        return `must be a number${r ? ` (allowed ${r})` : ''}, not ${given}`;
      }
      return `must be ${typeWord(issue.expected)}, not ${given}`;
    case 'invalid_value':
      if (issue.values.length === 1) return `must be ${show(issue.values[0])}${given ? `, not ${given}` : ''}`;
      return `must be one of ${issue.values.map((v) => show(v)).join(', ')}${given ? `, not ${given}` : ''}`;
    case 'invalid_union': {
      const withOptions = issue as { options?: unknown[] };
      if (Array.isArray(withOptions.options) && withOptions.options.length > 0) {
        return `must be one of ${withOptions.options.map((v) => show(v)).join(', ')}${given ? `, not ${given}` : ''}`;
      }
      return `${given || 'the value'} is not one of the accepted forms`;
    }
    case 'invalid_key':
      return `the key ${show(at.at(-1))} is not allowed: ${issue.issues[0]?.message ?? 'wrong form'}`;
    case 'invalid_format':
      // A schema's own message (`door numbers are integers 1..999`) is already for a person; zod's is not.
      return /^Invalid (string|input)/.test(issue.message) ? `${given || 'the value'} does not have the expected form (${issue.format})` : issue.message;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

function rangeSuffix(root: Schema, at: string[], input: unknown): string {
  const r = numberRange(schemaAt(root, at, input));
  return r ? ` (allowed ${r})` : '';
}

function typeWord(expected: string): string {
  const words: Record<string, string> = {
    number: 'a number',
    int: 'a whole number',
    string: 'text',
    boolean: 'true or false',
    object: 'a section of settings (key: value lines)',
    array: 'a list',
  };
  return words[expected] ?? `a value of type ${expected}`;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 59)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a section';
  return String(v);
}

function valueAt(input: unknown, at: readonly string[]): unknown {
  let cur = input;
  for (const k of at) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
}

const defOf = (s: Schema): Def => s._zod.def as unknown as Def;

/** Unwraps optional/default/nullable/pipe wrappers. */
function bare(s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const d = defOf(cur);
    const next = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!next) return cur;
    cur = next;
  }
  return cur;
}

/** The schema of the value at `at`; a union is followed along the option the input chose (its discriminator). */
function schemaAt(root: Schema, at: readonly string[], input: unknown): Schema | undefined {
  let cur: Schema | undefined = root;
  for (let i = 0; i <= at.length && cur; i++) {
    cur = bare(cur);
    const d = defOf(cur);
    if (d.type === 'union' && d.options) {
      const here = valueAt(input, at.slice(0, i));
      const disc = d.discriminator;
      const tag = disc && typeof here === 'object' && here !== null ? (here as Record<string, unknown>)[disc] : undefined;
      const chosen = d.options.find((o) => {
        const od = defOf(bare(o));
        const lit = disc ? od.shape?.[disc] : undefined;
        return lit !== undefined && (defOf(bare(lit)).values ?? []).includes(tag);
      });
      cur = chosen ?? d.options.find((o) => i === at.length || defOf(bare(o)).shape?.[at[i]!] !== undefined);
      if (!cur) return undefined;
      cur = bare(cur);
    }
    if (i === at.length) return cur;
    const k = at[i]!;
    const dd = defOf(cur);
    if (dd.type === 'object') cur = dd.shape?.[k];
    else if (dd.type === 'array') cur = dd.element;
    else if (dd.type === 'record') cur = dd.valueType;
    else return undefined;
  }
  return cur;
}

function knownKeys(s: Schema | undefined): string[] {
  if (!s) return [];
  const d = defOf(bare(s));
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function numberRange(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  const n = bare(s) as Schema & { minValue?: number | null; maxValue?: number | null };
  const min = typeof n.minValue === 'number' && Number.isFinite(n.minValue) && Math.abs(n.minValue) < Number.MAX_SAFE_INTEGER ? n.minValue : undefined;
  const max = typeof n.maxValue === 'number' && Number.isFinite(n.maxValue) && Math.abs(n.maxValue) < Number.MAX_SAFE_INTEGER ? n.maxValue : undefined;
  if (min !== undefined && max !== undefined) return `${min} to ${max}`;
  if (max !== undefined) return `at most ${max}`;
  if (min !== undefined) return min > 0 && min < 1 ? 'more than 0' : `at least ${min}`;
  return undefined;
}
