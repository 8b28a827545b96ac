/**
 * The secrets of an SFTP import at rest: sealed with the cloud's secrets key (code-vault.ts `sealSecret`), each bound
 * to its enterprise and what it is (`sftp:<enterpriseId>:password`), opened only to connect. A private key is checked
 * when it is given (PEM, its passphrase right), so a bad one is refused by the API rather than by the next run.
 */
import { createPrivateKey } from 'node:crypto';
import type { CodeVault } from '../domain/code-vault.ts';
import { DomainError } from '../domain/errors.ts';
import type { SftpImportRecord } from './model.ts';

type Secret = 'password' | 'privateKey' | 'passphrase';
const purpose = (enterpriseId: string, what: Secret): string => `sftp:${enterpriseId}:${what}`;

/** A PEM private key that opens (with `passphrase` when it is encrypted); otherwise a VALIDATION error naming the field. */
export function checkPrivateKey(pem: string, passphrase: string | undefined): void {
  if (!/^-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/m.test(pem.trim())) {
    throw new DomainError('VALIDATION', 'a PEM private key is expected (-----BEGIN RSA PRIVATE KEY----- ...); convert an OpenSSH key with ssh-keygen -p -m PEM -f FILE', 'privateKey');
  }
  try {
    createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(pem);
    if (encrypted) throw new DomainError('VALIDATION', passphrase === undefined ? 'this private key is encrypted: give its passphrase' : 'the passphrase does not open this private key', 'passphrase');
    throw new DomainError('VALIDATION', `not a usable private key: ${(err as Error).message}`, 'privateKey');
  }
}

export function sealAuth(vault: CodeVault, enterpriseId: string, given: { password: string } | { privateKey: string; passphrase?: string | undefined }): SftpImportRecord['auth'] {
  if ('password' in given) return { kind: 'password', password: vault.sealSecret(purpose(enterpriseId, 'password'), given.password) };
  return {
    kind: 'key',
    privateKey: vault.sealSecret(purpose(enterpriseId, 'privateKey'), given.privateKey),
    ...(given.passphrase !== undefined ? { passphrase: vault.sealSecret(purpose(enterpriseId, 'passphrase'), given.passphrase) } : {}),
  };
}

/** The secrets in clear, to connect; an error when they were sealed under another secrets key. */
export function openAuth(vault: CodeVault, r: SftpImportRecord): { password: string } | { privateKey: string; passphrase?: string } {
  const open = (what: Secret, sealed: string): string => {
    const v = vault.openSecret(purpose(r.enterpriseId, what), sealed);
    if (v === undefined) throw new Error(`the stored ${what} cannot be opened with this cloud's secrets key: set the import's ${what} again`);
    return v;
  };
  if (r.auth.kind === 'password') return { password: open('password', r.auth.password) };
  return { privateKey: open('privateKey', r.auth.privateKey), ...(r.auth.passphrase !== undefined ? { passphrase: open('passphrase', r.auth.passphrase) } : {}) };
}
