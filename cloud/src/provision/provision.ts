/**
 * Provisioning a controller: a new identity for a bank and column (random 32-byte secret, stored hashed), and the
 * controller's configuration file with everything its link needs (broker URL, ids, secret, the cloud's command
 * public key), mode 0600. The secret leaves the cloud only in that file and in the return value, once.
 * Revoking ends an identity for good (see identities.ts).
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, parseDocument, stringify } from 'yaml';
import { ensureDir, readTextIfExists, writeFileDurable } from '../mqtt/fs.ts';
import { IdentityError, IdentityRegistry, type ControllerIdentity, type IdentityRegistryOptions } from '../mqtt/identities.ts';
import { newSecret } from '../mqtt/secrets.ts';
import { loadOrCreateCommandKey } from './keys.ts';

export interface ProvisionInput {
  dataDir: string;
  bankId: string;
  controllerId: string;
  column: number;
  /** The URL the controller will use: `mqtt://host:port` or `mqtts://host:port`. */
  brokerUrl: string;
  /** Controller config file to write. An existing YAML file keeps its other sections; its `link` is replaced. */
  out: string;
  registry?: IdentityRegistryOptions;
  /** The running cloud's registry, if it has one open (else the data folder's is opened). */
  identities?: IdentityRegistry;
}

/** The `link` section of the controller's configuration (names as in the firmware's ControllerLinkOptions). */
export interface ControllerLinkConfig {
  brokerUrl: string;
  bankId: string;
  controllerId: string;
  column: number;
  secret: string;
  cloudPublicKey: string;
}

export interface ProvisionResult {
  identity: ControllerIdentity;
  /** The controller's secret: returned once, never stored in clear by the cloud. */
  secret: string;
  configFile: string;
  publicKeyPem: string;
}

export class ProvisionError extends Error {
  override name = 'ProvisionError';
  constructor(
    readonly code: 'INVALID' | 'BAD_CONFIG_FILE',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function checkBrokerUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ProvisionError('INVALID', `brokerUrl: not a URL: ${JSON.stringify(url)}`, 'brokerUrl');
  }
  if (!['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:'].includes(u.protocol) || !u.hostname) {
    throw new ProvisionError('INVALID', 'brokerUrl: expected mqtt://host:port or mqtts://host:port', 'brokerUrl');
  }
  if (u.username || u.password) throw new ProvisionError('INVALID', 'brokerUrl: must not carry credentials', 'brokerUrl');
}

/** Writes (or merges) the controller's config file with its `link` section; mode 0600. */
export async function writeControllerConfig(out: string, link: ControllerLinkConfig): Promise<void> {
  const existing = await readTextIfExists(out);
  let text: string;
  const header = `# Portier controller ${link.controllerId} (bank ${link.bankId}, column ${link.column}).\n# Written by portier-cloud provision. Holds a secret: keep this file 0600.\n`;
  if (existing === undefined || existing.trim() === '') {
    text = header + stringify({ link });
  } else {
    const doc = parseDocument(existing);
    if (doc.errors.length > 0 || !(doc.contents === null || isMap(doc.contents))) {
      throw new ProvisionError('BAD_CONFIG_FILE', `${out} is not a YAML mapping; refusing to overwrite it`, 'out');
    }
    doc.set('link', link);
    text = doc.toString();
  }
  await ensureDir(dirname(resolve(out)));
  await writeFileDurable(out, text, 0o600);
}

export async function provision(input: ProvisionInput): Promise<ProvisionResult> {
  checkBrokerUrl(input.brokerUrl);
  // Refuse a config file we could not merge into before creating an identity that would then be orphaned.
  const existing = await readTextIfExists(input.out);
  if (existing !== undefined && existing.trim() !== '') {
    const doc = parseDocument(existing);
    if (doc.errors.length > 0 || !(doc.contents === null || isMap(doc.contents))) {
      throw new ProvisionError('BAD_CONFIG_FILE', `${input.out} is not a YAML mapping; refusing to overwrite it`, 'out');
    }
  } else {
    try {
      if ((await stat(input.out)).isDirectory()) throw new ProvisionError('INVALID', `${input.out} is a folder`, 'out');
    } catch (err) {
      if (err instanceof ProvisionError) throw err;
    }
  }
  const key = await loadOrCreateCommandKey(input.dataDir);
  const reg = input.identities ?? (await IdentityRegistry.open(input.dataDir, input.registry));
  const { identity, secret } = await reg.createController({
    controllerId: input.controllerId,
    bankId: input.bankId,
    column: input.column,
  });
  try {
    await writeControllerConfig(input.out, {
      brokerUrl: input.brokerUrl,
      bankId: input.bankId,
      controllerId: input.controllerId,
      column: input.column,
      secret,
      cloudPublicKey: key.publicKeyPem,
    });
  } catch (err) {
    // The secret is lost with the file: an identity nobody can use is revoked at once rather than left open.
    await reg.revoke(input.controllerId).catch(() => {});
    throw err;
  }
  return { identity, secret, configFile: input.out, publicKeyPem: key.publicKeyPem };
}

export async function revoke(input: {
  dataDir: string;
  controllerId: string;
  registry?: IdentityRegistryOptions;
  identities?: IdentityRegistry;
}): Promise<ControllerIdentity> {
  const reg = input.identities ?? (await IdentityRegistry.open(input.dataDir, input.registry));
  await reg.refresh();
  const rec = reg.controller(input.controllerId);
  if (!rec) throw new IdentityError('NOT_FOUND', `no controller ${JSON.stringify(input.controllerId)}`, 'controllerId');
  await reg.revoke(input.controllerId);
  return reg.controller(input.controllerId)!;
}

/** The cloud's service account for its own MQTT link: created on first use, secret kept in a 0600 file. */
export async function ensureServiceAccount(input: {
  dataDir: string;
  username?: string;
  identities?: IdentityRegistry;
  registry?: IdentityRegistryOptions;
}): Promise<{ username: string; password: string }> {
  const username = input.username ?? 'portier-cloud';
  const file = resolve(input.dataDir, 'mqtt', `${username}.secret`);
  const reg = input.identities ?? (await IdentityRegistry.open(input.dataDir, input.registry));
  await reg.refresh();
  const saved = (await readTextIfExists(file))?.trim();
  const acct = reg.service(username);
  if (saved && acct && acct.revokedAt === null && (await reg.authenticate(username, saved))) return { username, password: saved };
  if (acct) {
    throw new IdentityError(
      acct.revokedAt === null ? 'ALREADY_EXISTS' : 'REVOKED',
      `service account ${username} exists but its secret file ${file} is missing or wrong`,
      'username',
    );
  }
  // The secret file first: a crash between the two steps leaves a file the next start completes, never an account
  // whose secret nobody knows.
  let secret = saved;
  if (!secret) {
    secret = newSecret();
    await ensureDir(dirname(file));
    await writeFileDurable(file, `${secret}\n`, 0o600);
  }
  await reg.createServiceAccount({ username, secret, secretIsRandom: /^[A-Za-z0-9_-]{43}$/.test(secret) });
  return { username, password: secret };
}
