/**
 * What the runtime needs to keep codes at rest and send them to controllers (firmware/SECURITY.md): the vault of the
 * secrets key (outside the data folder), the controllers' credential keys, and the per-controller credential forms.
 * At start it says what still uses the legacy bank-salt form: controllers without a credential key (by id), and the
 * number of live codes issued by an older release (they reach only such controllers, and go when they expire or are
 * issued again).
 */
import type { Logger } from 'pino';
import { ControllerCredentialForms } from '../bridge/credential-forms.ts';
import type { CodeVault } from '../domain/code-vault.ts';
import { isSealed } from '../domain/codes.ts';
import type { IdentityRegistry } from '../mqtt/identities.ts';
import { CredentialKeyStore } from '../provision/credential-keys.ts';
import { openVault } from '../provision/secrets-key.ts';
import type { Store } from '../store/store.ts';

export interface CredentialSecrets {
  vault: CodeVault;
  credentialKeys: CredentialKeyStore;
  forms: ControllerCredentialForms;
  secretsKeyFile: string;
}

export async function openCredentialSecrets(opts: {
  dataDir: string;
  secretsKeyFile: string | undefined;
  logger: Logger;
}): Promise<Omit<CredentialSecrets, 'forms'>> {
  const { vault, file, created } = await openVault({ dataDir: opts.dataDir, secretsKeyFile: opts.secretsKeyFile });
  if (created) opts.logger.info({ secretsKeyFile: file }, 'created the secrets key (keep it out of the data folder\'s backups; without it no sealed code can be read)');
  const credentialKeys = await CredentialKeyStore.open(opts.dataDir, vault);
  return { vault, credentialKeys, secretsKeyFile: file };
}

export function credentialForms(s: Omit<CredentialSecrets, 'forms'>, store: Store, logger: Logger): ControllerCredentialForms {
  return new ControllerCredentialForms({ vault: s.vault, keys: s.credentialKeys, src: store, logger: logger.child({ module: 'credential-forms' }) });
}

/** Warns about what is still in the legacy form. */
export function warnLegacyCredentials(s: Omit<CredentialSecrets, 'forms'>, identities: IdentityRegistry, store: Store, now: number, logger: Logger): void {
  const unkeyed = identities
    .controllers()
    .filter((c) => c.revokedAt === null && !s.credentialKeys.keyOf(c.controllerId))
    .map((c) => c.controllerId)
    .sort();
  if (unkeyed.length > 0) {
    logger.warn(
      { controllers: unkeyed },
      `${unkeyed.length} controller(s) have no credential key and get codes in the legacy bank-salt form, which can be guessed offline: run portier-cloud rekey for each (${unkeyed.join(', ')})`,
    );
  }
  let legacy = 0;
  for (const r of store.list('reservations')) if (r.pickupCode && r.pickupCode.expiresAt > now && !isSealed(r.pickupCode.code)) legacy++;
  for (const c of store.list('carrierCodes')) if (!c.revoked && (c.expiresAt === undefined || c.expiresAt > now) && !isSealed(c.code)) legacy++;
  for (const c of store.list('staffCredentials')) if (c.revokedAt === undefined && (c.expiresAt === undefined || c.expiresAt > now) && !isSealed(c.code)) legacy++;
  if (legacy > 0) {
    logger.warn(
      { legacyCodes: legacy },
      `${legacy} live code(s) were issued by an older release and are kept only as bank-salt hashes: controllers with a credential key cannot check them; issue them again (staff PINs, carrier codes, pickup codes) to move them to the sealed form`,
    );
  }
}
