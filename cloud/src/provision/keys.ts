/**
 * The cloud's Ed25519 command key pair: signs every command, evtack and desired state. It lives in the data
 * folder (`keys/command-ed25519.key`, 0600; the public half beside it), created on first use. Creation uses an
 * exclusive create, so two processes starting at once end up with the same key, never two.
 */
import type { KeyObject } from 'node:crypto';
import { link, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCommandKeyPair, importPrivateKey, publicKeyPemOf } from '@portier/protocol';
import { ensureDir, fsyncDir, readTextIfExists, writeFileDurable } from '../mqtt/fs.ts';
import { CloudError } from '../errors.ts';

export interface CommandKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  file: string;
}

export class KeyFileError extends CloudError<'BAD_KEY_FILE'> {
  override name = 'KeyFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_KEY_FILE', message, options);
  }
}

export function commandKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'command-ed25519.key');
}

/** Loads the command key of a data folder, creating it (and its public half) the first time. */
export async function loadOrCreateCommandKey(dataDir: string): Promise<CommandKey> {
  const file = commandKeyPath(dataDir);
  const dir = join(dataDir, 'keys');
  await ensureDir(dir);
  let pem = await readTextIfExists(file);
  if (pem === undefined) {
    const pair = generateCommandKeyPair();
    // Written under a temp name then hard-linked into place: link() fails if the key appeared meanwhile, so the
    // first writer wins and nobody sees a half-written key.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFileDurable(tmp, pair.privateKeyPem, 0o600);
    try {
      await link(tmp, file);
      await fsyncDir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await rm(tmp, { force: true });
    }
    pem = await readTextIfExists(file);
    if (pem === undefined) throw new KeyFileError(`${file} vanished while it was created`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = importPrivateKey(pem);
  } catch (err) {
    throw new KeyFileError(`${file}: ${(err as Error).message}`);
  }
  const fh = await open(file, 'r');
  try {
    const st = await fh.stat();
    if ((st.mode & 0o077) !== 0) await fh.chmod(0o600);
  } finally {
    await fh.close();
  }
  const publicKeyPem = publicKeyPemOf(privateKey);
  const pubFile = join(dir, 'command-ed25519.pub');
  if ((await readTextIfExists(pubFile)) !== publicKeyPem) await writeFileDurable(pubFile, publicKeyPem, 0o644);
  return { privateKey, publicKeyPem, file };
}
