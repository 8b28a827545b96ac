/**
 * The cloud's secrets key: 32 random bytes under which every issued code and every controller's credential key is
 * sealed (domain/code-vault.ts). It must not live in the data folder, so that a copy of the data folder (a backup, a
 * stolen disk of the data volume) lets nobody test a guessed code. Given by `secretsKeyFile` (`--secrets-key`,
 * `PORTIER_CLOUD__SECRETS_KEY_FILE`); by default `<data folder>.secrets.key`, beside the folder and not in it.
 *
 * Created (0600, exclusive create: two processes starting at once get the same key) only while the data folder has
 * never had one: the folder records the key's public id (`keys/secrets-key.id`), and a start with that id recorded
 * but the key file missing or another key is refused with an error naming the option, rather than sealing new codes
 * under a new key while the old ones become unreadable.
 */
import { randomBytes } from 'node:crypto';
import { link, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { CodeVault, SECRETS_KEY_BYTES } from '../domain/code-vault.ts';
import { ensureDir, fsyncDir, readTextIfExists, writeFileDurable } from '../mqtt/fs.ts';
import { CloudError } from '../errors.ts';

export class SecretsKeyError extends CloudError<'SECRETS_KEY'> {
  override name = 'SecretsKeyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SECRETS_KEY', message, { field: 'secretsKeyFile', ...options });
  }
}

export const SECRETS_KEY_OPTION = '--secrets-key (config secretsKeyFile, env PORTIER_CLOUD__SECRETS_KEY_FILE)';

/** Where the key is when no option names it: beside the data folder, never inside it. */
export function defaultSecretsKeyPath(dataDir: string): string {
  return `${resolve(dataDir)}.secrets.key`;
}

export function secretsKeyIdPath(dataDir: string): string {
  return join(dataDir, 'keys', 'secrets-key.id');
}

function inside(dir: string, file: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function parseKey(text: string, file: string): Buffer {
  const t = text.trim();
  const key = /^[A-Za-z0-9_-]{43}$/.test(t) ? Buffer.from(t, 'base64url') : undefined;
  if (!key || key.length !== SECRETS_KEY_BYTES) throw new SecretsKeyError(`${file} is not a secrets key (32 bytes, base64url on one line)`);
  return key;
}

/** Opens the vault of a data folder's secrets key, creating the key the first time. */
export async function openVault(opts: { dataDir: string; secretsKeyFile?: string | undefined }): Promise<{ vault: CodeVault; file: string; created: boolean }> {
  const file = resolve(opts.secretsKeyFile ?? defaultSecretsKeyPath(opts.dataDir));
  if (inside(opts.dataDir, file)) {
    throw new SecretsKeyError(`the secrets key ${file} is inside the data folder ${resolve(opts.dataDir)}: keep it elsewhere (${SECRETS_KEY_OPTION})`);
  }
  const idFile = secretsKeyIdPath(opts.dataDir);
  const recorded = (await readTextIfExists(idFile))?.trim();
  let text = await readTextIfExists(file);
  let created = false;
  if (text === undefined) {
    if (recorded) {
      throw new SecretsKeyError(
        `the data folder's codes are sealed under a secrets key (id ${recorded}) but ${file} does not exist: give the key file with ${SECRETS_KEY_OPTION}`,
      );
    }
    await ensureDir(dirname(file));
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFileDurable(tmp, `${randomBytes(SECRETS_KEY_BYTES).toString('base64url')}\n`, 0o600);
    try {
      await link(tmp, file);
      await fsyncDir(dirname(file));
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await rm(tmp, { force: true });
    }
    text = await readTextIfExists(file);
    if (text === undefined) throw new SecretsKeyError(`${file} vanished while it was created`);
  }
  const vault = CodeVault.fromKey(parseKey(text, file));
  if (recorded && recorded !== vault.keyId) {
    throw new SecretsKeyError(
      `${file} is not the secrets key this data folder's codes are sealed under (id ${recorded}, this key ${vault.keyId}): give the right key file with ${SECRETS_KEY_OPTION}`,
    );
  }
  if (!recorded) {
    await ensureDir(dirname(idFile));
    await writeFileDurable(idFile, `${vault.keyId}\n`, 0o644);
  }
  return { vault, file, created };
}
