/** Prefix of the controller's configuration overrides (other Portier programs use their own). */
export const ENV_PREFIX = 'PORTIER_CONTROLLER__';

/**
 * Environment overrides derived from the configuration's own shape (STYLE.md: zigbee2mqtt):
 * `PORTIER_CONTROLLER__<SECTION>__<KEY>=value` sets that path, e.g.
 * `PORTIER_CONTROLLER__HARDWARE__BUS__PATH=/dev/ttyUSB1` or `PORTIER_CONTROLLER__LOG__LEVEL=debug`.
 * Keys are matched to the file's keys case-insensitively; a key absent from the file is written
 * in snake case (`..._DOORS__MAX_PULSE_MS=800` sets `maxPulseMs`). Values that parse as JSON (numbers, booleans,
 * arrays) are taken as such, anything else as a string. The result is validated like a file, so
 * an override to a key the schema does not know is reported with its path.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv, prefix = ENV_PREFIX): unknown {
  const entries = Object.entries(env).filter(([k, v]) => k.startsWith(prefix) && k.length > prefix.length && v !== undefined);
  if (entries.length === 0) return raw;
  const root: Record<string, unknown> = isObj(raw) ? structuredClone(raw) : {};
  for (const [name, value] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    const parts = name.slice(prefix.length).split('__').filter((p) => p.length > 0);
    if (parts.length === 0) continue;
    let node: Record<string, unknown> = root;
    parts.forEach((part, i) => {
      const wanted = camel(part).toLowerCase();
      const key = Object.keys(node).find((k) => k.toLowerCase() === wanted) ?? camel(part);
      if (i === parts.length - 1) {
        node[key] = parseValue(value!);
      } else {
        if (!isObj(node[key])) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
    });
  }
  return root;
}

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** MAX_PULSE_MS -> maxPulseMs, for keys not present in the file (defaults). */
function camel(part: string): string {
  const lower = part.toLowerCase();
  return lower.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
