import { envOverrides, mergeLayers, type EnvOverrideProblem } from '@portier/protocol';
import type { z } from 'zod';
import { controllerConfigSchema } from './schema.ts';

/** Prefix of the controller's configuration overrides (other Portier programs use their own). */
export const ENV_PREFIX = 'PORTIER_CONTROLLER__';

/** `LOG_LEVEL`, which Portier's programs take for their log level, sets `log.level` like its long form. */
const ALIASES = { LOG_LEVEL: ['log', 'level'] } as const;

/**
 * Environment overrides derived from the configuration schema (`envOverrides` of @portier/protocol, the one
 * mechanism of every program): `PORTIER_CONTROLLER__<SECTION>__<KEY>=value` sets that path, e.g.
 * `PORTIER_CONTROLLER__HARDWARE__BUS__PATH=/dev/ttyUSB1`, `PORTIER_CONTROLLER__HARDWARE__DOORS__MAX_PULSE_MS=800`
 * (`maxPulseMs`) or `PORTIER_CONTROLLER__LINK__BROKER_URL`. The result is validated like a file, so an override of
 * a key the schema does not know is reported with its path; a malformed name is a problem of its own.
 * `schema`: the whole document's (the runtime passes its sections too).
 */
export function envOverrideLayer(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  schema: z.ZodType = controllerConfigSchema,
): { data: unknown; problems: EnvOverrideProblem[] } {
  const { tree, problems } = envOverrides(env, { prefix: ENV_PREFIX, schema, base: raw, aliases: ALIASES });
  return { data: Object.keys(tree).length === 0 ? raw : mergeLayers(raw, tree), problems };
}

/** The document with the environment's overrides applied (malformed names left out; see `envOverrideLayer`). */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv, schema: z.ZodType = controllerConfigSchema): unknown {
  return envOverrideLayer(raw, env, schema).data;
}
