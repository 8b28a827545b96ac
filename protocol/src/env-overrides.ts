/**
 * Environment overrides of a program's configuration, derived from its zod schema: `<PREFIX><SECTION>__<KEY>=value`
 * sets that path, e.g. `PORTIER_CLOUD__AUTH__LOGIN__FREE_ATTEMPTS=3` sets `auth.login.freeAttempts`. Each name part is
 * matched to the schema's own keys without regard to case and underscores (`MAX_PULSE_MS` -> `maxPulseMs`); under a
 * record (door pins, board dialects) to the keys the configuration file already has; anything else is camelCased
 * and left for the schema to report by its path. Values are JSON when they parse (numbers, booleans, arrays), else
 * strings. Pure: the caller passes the environment and validates the result like a file.
 */
import { z } from 'zod';

export interface EnvOverrideOptions {
  /** Names starting with this are overrides, e.g. `PORTIER_CONTROLLER__`. */
  prefix: string;
  /** The configuration schema the paths are derived from. */
  schema: z.ZodType;
  /** The document read from the file (keys of records are matched to it). */
  base?: unknown;
  /** Names outside the prefix that set one path (kept for a variable people already use, e.g. `LOG_LEVEL`); they win. */
  aliases?: Record<string, readonly string[]>;
}

export interface EnvOverrideProblem {
  /** The variable's name. */
  path: string;
  message: string;
}

type Tree = Record<string, unknown>;

/** The overrides in `env` as a tree of the configuration's shape, and the names that are malformed. */
export function envOverrides(env: Readonly<Record<string, string | undefined>>, opts: EnvOverrideOptions): { tree: Tree; problems: EnvOverrideProblem[] } {
  const tree: Tree = {};
  const problems: EnvOverrideProblem[] = [];
  const names = Object.keys(env)
    .filter((n) => n.startsWith(opts.prefix) && env[n] !== undefined)
    .sort();
  for (const name of names) {
    const parts = name.slice(opts.prefix.length).split('__');
    if (parts.some((p) => p.length === 0)) {
      problems.push({ path: name, message: 'malformed environment override name' });
      continue;
    }
    setPath(tree, schemaPath(parts, opts.schema, opts.base), parseValue(env[name]!));
  }
  for (const [name, path] of Object.entries(opts.aliases ?? {})) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(tree, [...path], parseValue(value));
  }
  return { tree, problems };
}

/** Deep merge: later layers win, objects merge key by key; the layers are not modified. */
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

const norm = (s: string): string => s.toLowerCase().replace(/_/g, '');

/** Name parts to the configuration's keys, following the schema (and the file, under records). */
function schemaPath(parts: string[], root: z.ZodType, base: unknown): string[] {
  let schemas: z.ZodType[] = [root];
  let doc: unknown = base;
  return parts.map((part) => {
    const objects = schemas.flatMap(objectShapes);
    let key: string | undefined;
    for (const shape of objects) {
      key = Object.keys(shape).find((k) => norm(k) === norm(part));
      if (key) break;
    }
    if (!key && isTree(doc)) key = Object.keys(doc).find((k) => norm(k) === norm(part));
    key ??= part.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const k = key;
    schemas = schemas.flatMap((s) => childSchemas(s, k));
    doc = isTree(doc) ? doc[k] : undefined;
    return k;
  });
}

/** The schema under optional/default/nullable/pipe/lazy wrappers, with a union's options spread out. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = s.def as { innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; getter?: () => z.ZodType; options?: z.ZodType[] };
    if (def.options) return def.options.flatMap(unwrap);
    // A pipe (preprocess, transform): either end may be the object.
    if (def.in && def.out) return [...unwrap(def.in), ...unwrap(def.out)];
    const next = def.innerType ?? def.getter?.();
    if (!next) break;
    s = next;
  }
  return [s];
}

function objectShapes(schema: z.ZodType): Array<Record<string, z.ZodType>> {
  return unwrap(schema).flatMap((s) => (s instanceof z.ZodObject ? [s.shape as Record<string, z.ZodType>] : []));
}

function childSchemas(schema: z.ZodType, key: string): z.ZodType[] {
  return unwrap(schema).flatMap((s) => {
    if (s instanceof z.ZodObject) {
      const child = (s.shape as Record<string, z.ZodType>)[key];
      return child ? [child] : [];
    }
    if (s instanceof z.ZodRecord) return [s.def.valueType as z.ZodType];
    return [];
  });
}

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function setPath(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
