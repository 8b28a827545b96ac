// A simulated column's identity (inline in the bank description, or the `link` section of the controller file that
// `portier-cloud provision` wrote) and its list of doors.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { BankColumnConfig, BankConfigProblem } from './bank-config.ts';

export interface Identity {
  controllerId: string;
  secret: string;
  cloudPublicKey?: string;
  cloudPublicKeyFile?: string;
  brokerUrl?: string;
  /** As the provisioned file says (`--mqtt-version`); checked with the rest of the controller's configuration. */
  mqttVersion?: string;
  bankId?: string;
  /** The controller's credential key (a controller provisioned before credential keys has none). */
  credentialKey?: string;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export async function identityOf(c: BankColumnConfig, where: string, problems: BankConfigProblem[]): Promise<Identity | undefined> {
  if (c.identity) return c.identity;
  const file = c.controllerConfig!;
  let link: Record<string, unknown> | undefined;
  try {
    link = obj(obj(parseYaml(await readFile(file, 'utf8')))?.['link']);
  } catch (err) {
    problems.push({ path: `${where}.controllerConfig`, message: `cannot read ${file}: ${(err as Error).message}` });
    return undefined;
  }
  if (!link) {
    problems.push({ path: `${where}.controllerConfig`, message: `${file} has no link section (write it with portier-cloud provision)` });
    return undefined;
  }
  const str = (k: string): string | undefined => (typeof link[k] === 'string' ? (link[k] as string) : undefined);
  const out: Identity = { controllerId: str('controllerId') ?? '', secret: str('secret') ?? '' };
  for (const k of ['cloudPublicKey', 'cloudPublicKeyFile', 'brokerUrl', 'mqttVersion', 'bankId', 'credentialKey'] as const) {
    const v = str(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function doorList(c: BankColumnConfig): Array<{ item?: boolean | undefined; open?: boolean | undefined; behaviour?: Record<string, unknown> | undefined }> {
  return typeof c.doors === 'number' ? Array.from({ length: c.doors }, () => ({})) : c.doors;
}
