/**
 * The one reading of a broker setting, on every side (the cloud's `mqtt.url` and `serve --broker`, a controller's
 * `link.brokerUrl`, `portier-cloud provision --broker-url`, a simulated bank's `cloud.brokerUrl`): one broker's URL, or
 * the URLs of a cluster's nodes separated by commas, tried in that order. Pure: no I/O, no MQTT client.
 */
import { z } from 'zod';
import { PortierError } from './errors.ts';

export const BROKER_URL_SCHEMES = ['mqtt', 'mqtts', 'tcp', 'tls', 'ws', 'wss'] as const;
export type BrokerUrlScheme = (typeof BROKER_URL_SCHEMES)[number];

const DEFAULT_PORT: Record<BrokerUrlScheme, number> = { mqtt: 1883, tcp: 1883, mqtts: 8883, tls: 8883, ws: 80, wss: 443 };

/** One node of a broker setting. */
export interface BrokerNode {
  /** The entry as written (without the spaces around it): what a client connects to. */
  url: string;
  scheme: BrokerUrlScheme;
  /** Host name or address; an IPv6 address without its brackets. */
  host: string;
  /** The port written, or the scheme's default (1883, 8883, 80, 443). */
  port: number;
}

export class BrokerUrlError extends PortierError<'BAD_BROKER_URL'> {
  override name = 'BrokerUrlError';
}

/** An entry as it may be shown: a user name or password in it is masked (the message may reach a log). */
function shown(entry: string): string {
  return JSON.stringify(entry.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, '$1***@'));
}

const AUTHORITY = /^([^:/?#\s]*):\/\/([^/?#\s]*)([^\s]*)$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]*)(?::([^:]*))?$/;

/** Reads one entry, or says what is wrong with it (without the entry: the caller names it). */
function parseEntry(entry: string): BrokerNode | string {
  if (entry === '') return 'is empty';
  const m = AUTHORITY.exec(entry);
  if (!m) return 'is not a URL (scheme://host:port, without spaces)';
  const scheme = m[1]!.toLowerCase();
  if (!(BROKER_URL_SCHEMES as readonly string[]).includes(scheme)) return `is not a broker URL (${BROKER_URL_SCHEMES.join(', ')})`;
  const authority = m[2]!;
  // Credentials are separate settings: a secret inside a URL ends up in logs, status pages and shell histories.
  if (authority.includes('@')) return 'must not carry a user name or password (they are separate settings)';
  const hp = HOST_PORT.exec(authority);
  if (!hp || hp[1] === '' || hp[1] === '[]') return 'has no host';
  let port = DEFAULT_PORT[scheme as BrokerUrlScheme];
  if (hp[2] !== undefined) {
    if (!/^\d{1,5}$/.test(hp[2]) || Number(hp[2]) < 1 || Number(hp[2]) > 65535) return `has port ${JSON.stringify(hp[2])}: expected 1 to 65535`;
    port = Number(hp[2]);
  }
  const host = hp[1]!;
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)$/.test(host)) return `has host ${JSON.stringify(host)}: expected a host name of letters, digits, "-" and ".", or an IP address`;
  return { url: entry, scheme: scheme as BrokerUrlScheme, host: host.replace(/^\[|\]$/g, ''), port };
}

/** Each entry of the setting, or the first problem, naming the entry at fault (its position when there are several). */
function read(setting: string): { nodes: BrokerNode[] } | { problem: string } {
  const entries = setting.split(',').map((e) => e.trim());
  const nodes: BrokerNode[] = [];
  for (const [i, entry] of entries.entries()) {
    const r = parseEntry(entry);
    if (typeof r === 'string') {
      const which = entries.length > 1 ? `entry ${i + 1} of ${entries.length}${entry === '' ? '' : ` (${shown(entry)})`}` : entry === '' ? 'the broker URL' : shown(entry);
      const hint = r.includes('expected') ? '' : '; expected mqtt://host:port, or the URLs of several nodes separated by commas';
      return { problem: `${which} ${r}${hint}` };
    }
    nodes.push(r);
  }
  return { nodes };
}

/** The nodes of a broker setting, in the order they are tried; throws `BrokerUrlError` naming the entry at fault. */
export function parseBrokerUrls(setting: string): BrokerNode[] {
  const r = read(setting);
  if ('problem' in r) throw new BrokerUrlError('BAD_BROKER_URL', r.problem);
  return r.nodes;
}

/** What is wrong with a broker setting, or undefined when every entry is a broker URL. */
export function brokerUrlsProblem(setting: string): string | undefined {
  const r = read(setting);
  return 'problem' in r ? r.problem : undefined;
}

/** A broker setting in a configuration file: kept as written, refused with the entry at fault. */
export const brokerUrlsSchema = z.string().superRefine((s, ctx) => {
  const problem = brokerUrlsProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
