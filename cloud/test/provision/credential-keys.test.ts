// The cloud's secrets key (outside the data folder) and controllers' credential keys: made by provision, replaced by
// rekey, kept only sealed; a data folder whose secrets key is missing or wrong is refused with the option named.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import t from 'tap';
import { parse } from 'yaml';
import { credentialKeyId, parseCredentialKey } from '@portier/protocol';
import { IdentityRegistry } from '../../src/mqtt/identities.ts';
import { registerProvisionCommands } from '../../src/provision/commands.ts';
import { CredentialKeyStore, credentialKeysPath } from '../../src/provision/credential-keys.ts';
import { provision, rekey, revoke } from '../../src/provision/provision.ts';
import { defaultSecretsKeyPath, openVault, SecretsKeyError } from '../../src/provision/secrets-key.ts';
import { tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';

const registryOpts = { hashParams: TEST_HASH };

async function linkOf(file: string): Promise<Record<string, unknown>> {
  return (parse(await readFile(file, 'utf8')) as { link: Record<string, unknown> }).link;
}

t.test('the secrets key: beside the data folder by default, 0600, made once, and a folder refuses a missing or wrong one', async (t) => {
  const dataDir = await tempDir(t);
  const first = await openVault({ dataDir });
  t.equal(first.file, defaultSecretsKeyPath(dataDir));
  t.notOk(first.file.startsWith(`${dataDir}/`), 'not inside the data folder');
  t.ok(first.created);
  t.equal((await stat(first.file)).mode & 0o777, 0o600, 'key file is 0600');
  const again = await openVault({ dataDir });
  t.notOk(again.created, 'opened, not made again');
  t.equal(again.vault.keyId, first.vault.keyId, 'the same key');

  await t.rejects(openVault({ dataDir, secretsKeyFile: join(dataDir, 'keys', 'secrets.key') }), { name: 'SecretsKeyError', message: /inside the data folder/ });
  const other = join(await tempDir(t), 'other.key');
  await writeFile(other, `${Buffer.alloc(32, 9).toString('base64url')}\n`, { mode: 0o600 });
  await t.rejects(openVault({ dataDir, secretsKeyFile: other }), { name: 'SecretsKeyError', message: /not the secrets key this data folder's codes are sealed under.*--secrets-key/ });
  await rm(first.file);
  const err = await openVault({ dataDir }).catch((e: unknown) => e);
  t.ok(err instanceof SecretsKeyError, 'a folder that had a key does not silently get a new one');
  t.match((err as Error).message, /does not exist: give the key file with --secrets-key \(config secretsKeyFile/);
});

t.test('provision writes a credential key into the config only; the cloud keeps it sealed; rekey replaces it', async (t) => {
  const dataDir = await tempDir(t);
  const out = join(dataDir, '..', `${dataDir.split('/').pop()}-ctl-1.yaml`);
  t.teardown(() => rm(out, { force: true }));
  const reg = await IdentityRegistry.open(dataDir, registryOpts);
  const p = await provision({ dataDir, bankId: 'b1', controllerId: 'ctl-1', column: 1, brokerUrl: 'mqtt://127.0.0.1:1883', out, identities: reg });
  const link1 = await linkOf(out);
  const key1 = parseCredentialKey(String(link1.credentialKey))!;
  t.ok(key1, 'a 32-byte key in the config file');
  t.equal(p.credentialKeyId, credentialKeyId(key1));
  const { vault } = await openVault({ dataDir });
  const keys = await CredentialKeyStore.open(dataDir, vault);
  t.same(keys.keyOf('ctl-1'), key1, 'the cloud holds the same key');
  const stored = await readFile(credentialKeysPath(dataDir), 'utf8');
  t.notOk(stored.includes(key1.toString('base64url')) || stored.includes(key1.toString('hex')) || stored.includes(key1.toString('base64')), 'only sealed at rest');
  t.equal((await stat(credentialKeysPath(dataDir))).mode & 0o777, 0o600);

  // Re-keyed: only link.credentialKey changes; the running cloud's store sees it after a refresh.
  const r = await rekey({ dataDir, controllerId: 'ctl-1', out, identities: reg });
  const link2 = await linkOf(out);
  const key2 = parseCredentialKey(String(link2.credentialKey))!;
  t.notSame(key2, key1, 'a new key');
  t.same({ ...link2, credentialKey: 'x' }, { ...link1, credentialKey: 'x' }, 'nothing else in the link section changed');
  t.equal(r.credentialKeyId, credentialKeyId(key2));
  t.ok(r.hadKey);
  await keys.refresh();
  t.same(keys.keyOf('ctl-1'), key2, 'the cloud sends under the new key from now on');

  // Refused: another controller's file, an unknown or revoked controller.
  await provision({ dataDir, bankId: 'b1', controllerId: 'ctl-2', column: 2, brokerUrl: 'mqtt://127.0.0.1:1883', out: `${out}.2`, identities: reg });
  t.teardown(() => rm(`${out}.2`, { force: true }));
  await t.rejects(rekey({ dataDir, controllerId: 'ctl-1', out: `${out}.2`, identities: reg }), { code: 'BAD_CONFIG_FILE', field: 'out' });
  await t.rejects(rekey({ dataDir, controllerId: 'nope', out, identities: reg }), { code: 'NOT_FOUND' });
  await revoke({ dataDir, controllerId: 'ctl-2', identities: reg });
  await t.rejects(rekey({ dataDir, controllerId: 'ctl-2', out: `${out}.2`, identities: reg }), { code: 'REVOKED', message: /provision the replacement board as a new controller/ });
  await keys.refresh();
  t.same(keys.keyOf('ctl-1'), key2, 'a refused rekey changed nothing');
});

t.test('portier-cloud rekey: prints the new key id, never the key', async (t) => {
  const dataDir = await tempDir(t);
  const out = `${dataDir}-c.yaml`;
  t.teardown(() => rm(out, { force: true }));
  const lines: string[] = [];
  const errs: string[] = [];
  const make = () => registerProvisionCommands(new Command().exitOverride(), { defaultDataDir: dataDir, stdout: (l) => lines.push(l), stderr: (l) => errs.push(l), onFailure: () => {} });
  await make().parseAsync(['provision', '--bank', 'b1', '--controller', 'col-9', '--column', '1', '--broker-url', 'mqtt://127.0.0.1:1883', '--out', out], { from: 'user' });
  await make().parseAsync(['rekey', '--controller', 'col-9', '--out', out], { from: 'user' });
  const key = String((await linkOf(out)).credentialKey);
  t.match(JSON.parse(lines.pop()!), { rekeyed: 'col-9', credentialKeyId: credentialKeyId(parseCredentialKey(key)!), configFile: out });
  t.notOk(lines.join('').includes(key), 'the key is not printed');
  await make().parseAsync(['rekey', '--controller', 'col-9', '--out', join(dataDir, 'missing.yaml')], { from: 'user' });
  t.match(JSON.parse(errs.pop()!), { error: { code: 'BAD_CONFIG_FILE', field: 'out' } });
});
