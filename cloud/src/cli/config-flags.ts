// The configuration flags of `portier-cloud serve`, `init-admin` and `unlock` (each loads this module as it runs).
import { HostPortSchema, loadConfig, type CloudConfig, type ConfigProblem } from '../config/config.ts';

export interface CommonOptions {
  config?: string;
  data?: string;
}

/** Flags common to the server's sub-commands become the top layer of the configuration. */
export function configFromFlags(opts: CommonOptions & { http?: string; mqtt?: string; broker?: string; mqttVersion?: string; logLevel?: string; secretsKey?: string }): CloudConfig {
  const overrides: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  if (opts.data !== undefined) overrides.dataDir = opts.data;
  if (opts.secretsKey !== undefined) overrides.secretsKeyFile = opts.secretsKey;
  if (opts.http !== undefined) {
    const hp = HostPortSchema.safeParse(opts.http);
    if (hp.success) overrides.http = hp.data;
    else problems.push({ path: '--http', message: `${JSON.stringify(opts.http)}: expected host:port, e.g. 127.0.0.1:8080` });
  }
  if (opts.mqtt !== undefined) {
    const hp = HostPortSchema.safeParse(opts.mqtt);
    if (hp.success) overrides.mqtt = { ...hp.data };
    else problems.push({ path: '--mqtt', message: `${JSON.stringify(opts.mqtt)}: expected host:port, e.g. 127.0.0.1:1883` });
  }
  if (opts.broker !== undefined) overrides.mqtt = { ...((overrides.mqtt as object | undefined) ?? {}), url: opts.broker };
  // Checked by the config schema, where a problem is named `mqtt.version`.
  if (opts.mqttVersion !== undefined) overrides.mqtt = { ...((overrides.mqtt as object | undefined) ?? {}), version: opts.mqttVersion };
  if (opts.logLevel !== undefined) overrides.log = { level: opts.logLevel };
  return loadConfig({ file: opts.config, env: process.env, overrides, problems });
}
