import { readFile } from 'node:fs/promises';
import { isMap, isSeq, parse as parseYaml, parseDocument } from 'yaml';
import type { z } from 'zod';
import { describeIssues } from '../config/issues.ts';
import { writeFileDurable } from '@portier/durable';
import { setYamlValue } from './yaml-edit.ts';

/** One problem with a configuration, with the dotted path of the field at fault. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * Validates a whole configuration document (the controller config schema plus cross-field rules). When valid, it
 * may give the configuration as the controller runs it (defaults filled in), which `config show` lists.
 */
export type ConfigValidator = (doc: unknown) => { ok: true; config?: unknown } | { ok: false; problems: ConfigIssue[] };

/** One line of `config show`: a setting from the file, or a default the file leaves out. */
export interface ConfigShowEntry {
  key: string;
  /** JSON of the value, secrets masked. */
  value: string;
  isDefault: boolean;
}

/** `config show`: the settings in effect; `problems` when the file is not valid (then only its own settings). */
export interface ConfigView {
  entries: ConfigShowEntry[];
  problems?: ConfigIssue[];
}

export type ConfigSetResult =
  | { ok: true; key: string; previous: unknown; value: unknown; changed: boolean; restartNeeded: boolean }
  | { ok: false; code: 'BAD_KEY' | 'CONFIG_INVALID' | 'IO'; message: string; problems: ConfigIssue[] };

export interface ConsoleConfigFileOptions {
  path: string;
  validate: ConfigValidator;
  /**
   * Keys (or key prefixes, `a.b` matches `a.b.c`) that the running controller applies at once;
   * a change of any other key is saved and needs a restart.
   */
  liveKeys?: readonly string[];
  /** Called after a live key was saved, to apply it. */
  onLiveChange?: (key: string, value: unknown) => void;
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
/** Config keys whose values are never shown or sent anywhere. */
const SECRET_RE = /(secret|password|passwd|pinhash|token|privatekey|credential)/i;
export const MASK = '********';

export function isSecretKey(key: string): boolean {
  return key.split('.').some((part) => SECRET_RE.test(part));
}

/** A copy of `value` with every secret field replaced by `********`. */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (key && isSecretKey(key) && value !== undefined && value !== null) return MASK;
  if (Array.isArray(value)) return value.map((v, i) => maskSecrets(v, key ? `${key}.${i}` : String(i)));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecrets(v, key ? `${key}.${k}` : k);
    return out;
  }
  return value;
}

/** Flattens a document into `dotted.key = value` lines (sorted as in the file), secrets masked. */
export function flattenConfig(value: unknown, prefix = ''): Array<[string, string]> {
  const masked = maskSecrets(value, prefix);
  const out: Array<[string, string]> = [];
  const walk = (v: unknown, p: string): void => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [k, c] of Object.entries(v)) walk(c, p ? `${p}.${k}` : k);
      return;
    }
    out.push([p, JSON.stringify(v) ?? 'null']);
  };
  walk(masked, prefix);
  return out;
}

/**
 * Turns the VALUE typed after `config set KEY` into data: YAML scalars (`400`, `true`, `null`,
 * `"quoted text"`) and flow collections (`[1, 2]`); anything else is the string as typed.
 */
export function parseConfigValue(text: string): unknown {
  const t = text.trim();
  if (t === '') return '';
  try {
    const v: unknown = parseYaml(t);
    if (typeof v === 'object' && v !== null && !/^[[{]/.test(t)) return t;
    return v === undefined ? t : v;
  } catch {
    return t;
  }
}

/** Writes a file so that it survives a power cut once this resolves (the controller's one durable write). */
export function writeFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  return writeFileDurable(path, data, 0o600);
}

/**
 * The controller config file as the console edits it: one key at a time, validated as a whole
 * document by the config schema before anything is written, written durably (temp file, fsync,
 * rename, folder fsync), the technician's layout and comments kept (`setYamlValue`). Changes are
 * serialised: two `config set` never race.
 */
export class ConsoleConfigFile {
  readonly path: string;
  private readonly o: ConsoleConfigFileOptions;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(opts: ConsoleConfigFileOptions) {
    this.path = opts.path;
    this.o = opts;
  }

  async read(): Promise<unknown> {
    const text = await readFile(this.path, 'utf8');
    return parseDocument(text).toJS() as unknown;
  }

  /** The settings in effect: the file's, and the defaults it leaves out (marked). */
  async show(): Promise<ConfigView> {
    const file = await this.read();
    const own = flattenConfig(file);
    const v = this.o.validate(file);
    if (!v.ok) return { entries: own.map(([key, value]) => ({ key, value, isDefault: false })), problems: v.problems };
    if (v.config === undefined) return { entries: own.map(([key, value]) => ({ key, value, isDefault: false })) };
    const inFile = new Set(own.map(([k]) => k));
    // Only the keys written in the file are the technician's; every other value the controller uses is a default.
    return { entries: flattenConfig(v.config).map(([key, value]) => ({ key, value, isDefault: !inFile.has(key) })) };
  }

  set(key: string, value: unknown): Promise<ConfigSetResult> {
    const run = this.chain.then(() => this.doSet(key, value));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Whether a change of `key` takes effect without a restart. */
  isLive(key: string): boolean {
    return (this.o.liveKeys ?? []).some((k) => key === k || key.startsWith(`${k}.`));
  }

  private async doSet(key: string, value: unknown): Promise<ConfigSetResult> {
    if (!KEY_RE.test(key)) {
      return { ok: false, code: 'BAD_KEY', message: `bad key "${key}" (use dotted names like hardware.doors.pulseMs)`, problems: [] };
    }
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      return { ok: false, code: 'IO', message: `cannot read ${this.path}: ${(err as Error).message}`, problems: [] };
    }
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      return { ok: false, code: 'IO', message: `${this.path} is not valid YAML: ${doc.errors[0]!.message}`, problems: [] };
    }
    const segments: Array<string | number> = [];
    for (const part of key.split('.')) {
      const parent = segments.length === 0 ? doc.contents : doc.getIn(segments, true);
      if (isSeq(parent)) {
        if (!/^\d+$/.test(part)) return { ok: false, code: 'BAD_KEY', message: `${segments.join('.')} is a list: use an index`, problems: [] };
        segments.push(Number(part));
      } else if (parent === undefined || parent === null || isMap(parent)) {
        segments.push(part);
      } else {
        return { ok: false, code: 'BAD_KEY', message: `${segments.join('.')} is not a section`, problems: [] };
      }
    }
    const before = doc.toJS() as unknown;
    const previous = getIn(before, segments);
    const nextText = setYamlValue(text, segments, value);
    const after = parseDocument(nextText).toJS() as unknown;
    const v = this.o.validate(after);
    if (!v.ok) {
      // Only the problems this change causes: a file already wrong elsewhere is reported separately.
      const old = this.o.validate(before);
      const oldKeys = new Set(old.ok ? [] : old.problems.map((p) => `${p.path}\u0000${p.message}`));
      const fresh = v.problems.filter((p) => !oldKeys.has(`${p.path}\u0000${p.message}`));
      // A value outside its own range also breaks the rules that compare it with others: say the first thing.
      const own = fresh.filter((p) => p.path === key || p.path.startsWith(`${key}.`));
      const problems = own.length > 0 ? own : fresh.length > 0 ? fresh : v.problems;
      return { ok: false, code: 'CONFIG_INVALID', message: problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems };
    }
    const changed = JSON.stringify(previous) !== JSON.stringify(value);
    if (changed) {
      try {
        await writeFileDurably(this.path, nextText);
      } catch (err) {
        return { ok: false, code: 'IO', message: `cannot write ${this.path}: ${(err as Error).message}`, problems: [] };
      }
    }
    const live = this.isLive(key);
    if (changed && live) this.o.onLiveChange?.(key, value);
    return { ok: true, key, previous, value, changed, restartNeeded: changed && !live };
  }
}

function getIn(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur: unknown = value;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/**
 * A validator for the whole controller config with the `console:` section checked by `section`
 * and everything else by the controller's own `validate()` (so it works before and after the
 * console section is merged into the controller schema).
 */
export function withConsoleSection(
  validate: (doc: unknown, opts?: { otherSections?: readonly string[] }) => { ok: true; config?: unknown } | { ok: false; problems: ConfigIssue[] },
  section: z.ZodType,
): ConfigValidator {
  return (doc) => {
    const problems: ConfigIssue[] = [];
    let rest: unknown = doc;
    let parsed: unknown;
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'console' in doc) {
      const { console: c, ...others } = doc as Record<string, unknown>;
      rest = others;
      const r = section.safeParse(c);
      if (!r.success) problems.push(...describeIssues(r.error.issues, { schema: section, input: c, prefix: ['console'] }));
      else parsed = r.data;
    }
    const base = validate(rest, { otherSections: ['console'] });
    if (!base.ok) problems.push(...base.problems);
    if (problems.length > 0 || !base.ok) return { ok: false, problems };
    if (typeof base.config !== 'object' || base.config === null) return { ok: true };
    return { ok: true, config: parsed === undefined ? base.config : { ...base.config, console: parsed } };
  };
}
