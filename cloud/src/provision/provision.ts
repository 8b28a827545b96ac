/**
 * Provisioning a controller: a new identity for a bank and column (random 32-byte secret, stored hashed), a new
 * credential key (32 random bytes, kept sealed under the cloud's secrets key: credential-keys.ts), and the
 * controller's configuration file with everything its link needs (broker URL, ids, secret, credential key, the
 * cloud's command public key), mode 0600. The secret and the credential key leave the cloud only in that file, once;
 * the credential key never goes through the broker. Revoking ends an identity for good (see identities.ts).
 *
 * Re-keying (`rekey`) gives an existing controller a new credential key, written into its existing config file: a
 * controller provisioned before credential keys existed moves to keyed hashes this way, and a board whose key may
 * have leaked gets a fresh one. A replaced board is provisioned as a new controller (the old id revoked). Either way
 * live codes keep working without being issued again: the cloud builds the new key's hashes from the sealed codes.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, parseDocument, stringify } from 'yaml';
import { brokerUrlsProblem, credentialKeyId, newCredentialKey, type MqttVersion } from '@portier/protocol';
import { ensureDir, readTextIfExists, writeFileDurable } from '../mqtt/fs.ts';
import { GENERATED_SECRET, IdentityError, IdentityRegistry, type ControllerIdentity, type IdentityRegistryOptions } from '../mqtt/identities.ts';
import { newSecret } from '../mqtt/secrets.ts';
import { CredentialKeyStore } from './credential-keys.ts';
import { loadOrCreateCommandKey } from './keys.ts';
import { openVault } from './secrets-key.ts';
import { CloudError } from '../errors.ts';

export interface ProvisionInput {
  dataDir: string;
  bankId: string;
  controllerId: string;
  column: number;
  /**
   * The URL the controller will use (`mqtt://host:port`, `mqtts://host:port`), or the URLs of a cluster's nodes
   * separated by commas: the controller tries them in turn and moves to the next when its node goes away.
   */
  brokerUrl: string;
  /** The MQTT version the controller speaks; written only when given (the controller's default is 3.1.1). */
  mqttVersion?: MqttVersion;
  /** Controller config file to write. An existing YAML file keeps its other sections; its `link` is replaced. */
  out: string;
  registry?: IdentityRegistryOptions;
  /** The running cloud's registry, if it has one open (else the data folder's is opened). */
  identities?: IdentityRegistry;
  /** The cloud's secrets key file (default beside the data folder: secrets-key.ts). */
  secretsKeyFile?: string;
  /** The running cloud's credential keys, if it has them open (else the data folder's are opened). */
  credentialKeys?: CredentialKeyStore;
}

/** The `link` section of the controller's configuration (names as in the firmware's ControllerLinkOptions). */
export interface ControllerLinkConfig {
  brokerUrl: string;
  mqttVersion?: MqttVersion;
  bankId: string;
  controllerId: string;
  column: number;
  secret: string;
  /** The controller's credential key, base64url (32 bytes). */
  credentialKey: string;
  cloudPublicKey: string;
}

export interface ProvisionResult {
  identity: ControllerIdentity;
  /** The controller's secret: returned once, never stored in clear by the cloud. */
  secret: string;
  configFile: string;
  publicKeyPem: string;
  /** Public id of the controller's credential key (what its desired states name). */
  credentialKeyId: string;
}

export class ProvisionError extends CloudError<'INVALID' | 'BAD_CONFIG_FILE'> {
  override name = 'ProvisionError';
  constructor(code: 'INVALID' | 'BAD_CONFIG_FILE', message: string, field?: string) {
    super(code, message, { field });
  }
}

function checkBrokerUrl(url: string): void {
  const problem = brokerUrlsProblem(url);
  if (problem) throw new ProvisionError('INVALID', `brokerUrl: ${problem}`, 'brokerUrl');
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
  const keys = input.credentialKeys ?? (await openCredentialKeys(input.dataDir, input.secretsKeyFile));
  const reg = input.identities ?? (await IdentityRegistry.open(input.dataDir, input.registry));
  const { identity, secret } = await reg.createController({
    controllerId: input.controllerId,
    bankId: input.bankId,
    column: input.column,
  });
  const credentialKey = newCredentialKey();
  try {
    await keys.set(input.controllerId, credentialKey);
    await writeControllerConfig(input.out, {
      brokerUrl: input.brokerUrl,
      ...(input.mqttVersion !== undefined ? { mqttVersion: input.mqttVersion } : {}),
      bankId: input.bankId,
      controllerId: input.controllerId,
      column: input.column,
      secret,
      credentialKey: credentialKey.toString('base64url'),
      cloudPublicKey: key.publicKeyPem,
    });
  } catch (err) {
    // The secret is lost with the file: an identity nobody can use is revoked at once rather than left open.
    await reg.revoke(input.controllerId).catch(() => {});
    throw err;
  }
  return { identity, secret, configFile: input.out, publicKeyPem: key.publicKeyPem, credentialKeyId: credentialKeyId(credentialKey) };
}

async function openCredentialKeys(dataDir: string, secretsKeyFile: string | undefined): Promise<CredentialKeyStore> {
  const { vault } = await openVault({ dataDir, secretsKeyFile });
  return CredentialKeyStore.open(dataDir, vault);
}

export interface RekeyInput {
  dataDir: string;
  controllerId: string;
  /** The controller's config file (as provisioning wrote it): its `link.credentialKey` is replaced, nothing else. */
  out: string;
  secretsKeyFile?: string;
  identities?: IdentityRegistry;
  registry?: IdentityRegistryOptions;
  credentialKeys?: CredentialKeyStore;
}

/**
 * A new credential key for an active controller, written into its config file. From then on the cloud sends that
 * controller every live code hashed under the new key: install the file on the board and restart its controller.
 */
export async function rekey(input: RekeyInput): Promise<{ controllerId: string; credentialKeyId: string; configFile: string; hadKey: boolean }> {
  const reg = input.identities ?? (await IdentityRegistry.open(input.dataDir, input.registry));
  await reg.refresh();
  const rec = reg.controller(input.controllerId);
  if (!rec) throw new IdentityError('NOT_FOUND', `no controller ${JSON.stringify(input.controllerId)}`, 'controllerId');
  if (rec.revokedAt !== null) throw new IdentityError('REVOKED', `${input.controllerId} was revoked: provision the replacement board as a new controller`, 'controllerId');
  const text = await readTextIfExists(input.out);
  const doc = text === undefined ? undefined : parseDocument(text);
  const linkNode = doc && doc.errors.length === 0 && isMap(doc.contents) ? doc.get('link') : undefined;
  if (!doc || !isMap(linkNode) || linkNode.get('controllerId') !== input.controllerId) {
    throw new ProvisionError('BAD_CONFIG_FILE', `${input.out} is not the config file of controller ${input.controllerId} (a YAML file whose link.controllerId is it)`, 'out');
  }
  const keys = input.credentialKeys ?? (await openCredentialKeys(input.dataDir, input.secretsKeyFile));
  const credentialKey = newCredentialKey();
  const before = await keys.set(input.controllerId, credentialKey);
  try {
    linkNode.set('credentialKey', credentialKey.toString('base64url'));
    await writeFileDurable(input.out, doc.toString(), 0o600);
  } catch (err) {
    // The board can only get the new key from that file: without it, keep sending under the old one.
    await keys.restore(input.controllerId, before);
    throw err;
  }
  return { controllerId: input.controllerId, credentialKeyId: credentialKeyId(credentialKey), configFile: input.out, hadKey: before !== undefined };
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
/**
 * The service account of a cloud instance that shares an external broker with others (`store.instanceId`): each needs
 * its own, since the broker binds the client id to the user name and one session would push the other off.
 */
export function instanceServiceAccount(instanceId: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(instanceId)) throw new IdentityError('INVALID', `instance id ${JSON.stringify(instanceId)}: letters, digits, dot, dash and underscore, at most 64`, 'instanceId');
  return `portier-cloud-${instanceId}`;
}

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
  if (saved && acct && acct.revokedAt === null && (await reg.authenticate(username, saved))) {
    // An account of a release before NATS support gets its NATS hash now: the cloud is the one who knows its secret.
    if (acct.natsHash === undefined) await reg.addNatsHash(username, saved);
    return { username, password: saved };
  }
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
  await reg.createServiceAccount({ username, secret, secretIsRandom: GENERATED_SECRET.test(secret) });
  return { username, password: secret };
}
