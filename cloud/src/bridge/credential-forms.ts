/**
 * The form in which one controller's desired state carries codes (firmware/SECURITY.md):
 *
 * - keyed (`keyedForm`): the controller has a credential key (written into its config by `portier-cloud provision`
 *   or `rekey`, kept here sealed, code-vault.ts): every sealed code goes out as HMAC-SHA256 under that key, made from
 *   the sealed code when the state is built, so a new or re-keyed board gets working forms of all live codes. A code
 *   issued by an older release (only a bank-salt hash is kept) cannot be made into that form and is left out.
 * - legacy (`legacyForm`): a controller provisioned before credential keys existed: codes go out as scrypt under the
 *   bank's salt, as before (the stored legacy hash, or one derived from the sealed code ahead of the build by
 *   `LegacyHashes.prepare`, held in memory only). This form can be guessed offline: the cloud warns, naming the
 *   controller, until it is re-keyed.
 * - listing (`listingForm`): which credentials are live at a controller, for the cloud's own checks; never published.
 *
 * A recipient's badge number is the one code the cloud holds in clear (the contact record has it, as the address book
 * shows it): each form makes its hash from the number itself (`hashClear`), never from a sealed copy.
 */
import { createHash } from 'node:crypto';
import {
  keyedCredentialHash,
  keyedCredentialHashParams,
  type CredentialHashParams,
  type CredentialKind,
  type ScryptCredentialHashParams,
} from '@portier/protocol';
import type { Logger } from 'pino';
import type { CodeVault } from '../domain/code-vault.ts';
import { hashCode, isSealed, paramsKey } from '../domain/codes.ts';
import { carrierCodeValidAt, sameParams, staffCredentialValidAt } from '../domain/credential-coverage.ts';
import type { Bank, StoredCode } from '../domain/model.ts';
import type { DesiredSource } from './bank-layout.ts';
import { recipientBadgesAt } from './recipient-badges.ts';

/** Why a code was left out of a controller's state. */
export type FormSkip = 'legacy-code' | 'other-hash-params' | 'not-derived' | 'unsealable';

export interface CredentialForm {
  /** `state.credentialHash` for a state of `bank`. */
  params(bank: Bank): CredentialHashParams;
  /** The hash of `stored` (the code's own, or its legacy hash under the bank's params) in this form. */
  hash(kind: CredentialKind, stored: StoredCode | undefined, bank: Bank): string | { skip: FormSkip };
  /** The hash of a code the cloud holds in clear (a recipient's badge number) in this form. */
  hashClear(kind: CredentialKind, code: string, bank: Bank): string | { skip: FormSkip };
}

/** HMAC-SHA256 under the controller's credential key, made from sealed codes (memoised per sealed code). */
export function keyedForm(vault: CodeVault, key: Buffer): CredentialForm {
  const params = keyedCredentialHashParams(key);
  const memo = new Map<string, string>();
  return {
    params: () => params,
    hash(kind, stored) {
      if (!stored || !isSealed(stored)) return { skip: 'legacy-code' };
      const k = `${kind}\0${stored.sealed}`;
      let h = memo.get(k);
      if (h === undefined) {
        const code = vault.open(kind, stored.sealed);
        if (code === undefined) return { skip: 'unsealable' };
        h = keyedCredentialHash(kind, code, key);
        if (memo.size > 50_000) memo.clear();
        memo.set(k, h);
      }
      return h;
    },
    // One HMAC, the same cost as a memo look-up keyed safely: nothing is kept.
    hashClear: (kind, code) => keyedCredentialHash(kind, code, key),
  };
}

/** Legacy bank-salt hashes derived from sealed codes, held in memory only (the scrypt runs off the event loop). */
export class LegacyHashes {
  private hashes = new Map<string, string>();

  constructor(private readonly vault: CodeVault) {}

  private static key(params: ScryptCredentialHashParams, kind: CredentialKind, sealed: string): string {
    return `${paramsKey(params)}\0${kind}\0${sealed}`;
  }

  /** The key of a code held in clear: its keyed lookup hash, so the map never holds the code itself. */
  private clearKey(params: ScryptCredentialHashParams, kind: CredentialKind, code: string): string {
    return `${paramsKey(params)}\0${kind}\0clear:${this.vault.lookup(kind, code)}`;
  }

  get(params: ScryptCredentialHashParams, kind: CredentialKind, sealed: string): string | undefined {
    return this.hashes.get(LegacyHashes.key(params, kind, sealed));
  }

  getClear(params: ScryptCredentialHashParams, kind: CredentialKind, code: string): string | undefined {
    return this.hashes.get(this.clearKey(params, kind, code));
  }

  /** Derives the legacy hash of every live sealed code of `bank` not yet derived; forgets those no longer live. */
  async prepare(src: DesiredSource, bank: Bank, now: number): Promise<void> {
    const wanted: Array<{ kind: CredentialKind; sealed: string }> = [];
    // Recipients' badges are held in clear by their contacts: hashed from the number itself.
    const clear = [...recipientBadgesAt(src, bank.id).keys()];
    for (const r of src.list('reservations')) {
      if (r.bankId === bank.id && r.status !== 'ended' && r.pickupCode && isSealed(r.pickupCode.code)) wanted.push({ kind: 'pickup-code', sealed: r.pickupCode.code.sealed });
    }
    for (const cc of src.list('carrierCodes')) {
      if (carrierCodeValidAt(cc, bank.id, now) && isSealed(cc.code)) wanted.push({ kind: 'carrier-code', sealed: cc.code.sealed });
    }
    for (const sc of src.list('staffCredentials')) {
      if (staffCredentialValidAt(sc, bank.id, now) && isSealed(sc.code)) wanted.push({ kind: sc.kind, sealed: sc.code.sealed });
    }
    const next = new Map<string, string>();
    const prefix = `${bank.credentialHash.salt}:`;
    for (const [k, v] of this.hashes) if (!k.startsWith(prefix)) next.set(k, v);
    await Promise.all([
      ...wanted.map(async ({ kind, sealed }) => {
        const k = LegacyHashes.key(bank.credentialHash, kind, sealed);
        const known = this.hashes.get(k);
        if (known !== undefined) return void next.set(k, known);
        const code = this.vault.open(kind, sealed);
        if (code !== undefined) next.set(k, await hashCode(kind, code, bank.credentialHash));
      }),
      ...clear.map(async (code) => {
        const k = this.clearKey(bank.credentialHash, 'badge', code);
        next.set(k, this.hashes.get(k) ?? (await hashCode('badge', code, bank.credentialHash)));
      }),
    ]);
    this.hashes = next;
  }
}

/** scrypt under the bank's salt: the stored legacy hash, or one `legacy.prepare` derived from a sealed code. */
export function legacyForm(legacy: LegacyHashes): CredentialForm {
  return {
    params: (bank) => ({ ...bank.credentialHash }),
    hash(kind, stored, bank) {
      if (!stored) return { skip: 'other-hash-params' };
      if (!isSealed(stored)) return sameParams(stored.params, bank.credentialHash) ? stored.hash : { skip: 'other-hash-params' };
      return legacy.get(bank.credentialHash, kind, stored.sealed) ?? { skip: 'not-derived' };
    },
    hashClear: (kind, code, bank) => legacy.getClear(bank.credentialHash, kind, code) ?? { skip: 'not-derived' },
  };
}

/**
 * Every live credential, whatever form its code is kept in, for the cloud's own checks (is this credential live at
 * that kiosk?). Its hashes are the cloud's lookup hashes: such a state is never published.
 */
export function listingForm(): CredentialForm {
  return {
    params: (bank) => ({ ...bank.credentialHash }),
    hash: (_kind, stored) => (!stored ? { skip: 'other-hash-params' } : isSealed(stored) ? stored.lookup : stored.hash),
    // Only which credentials are live matters here: a digest standing for the code, held in memory for one check.
    hashClear: (kind, code) => createHash('sha256').update(`listing:${kind}:${code}`).digest('base64url'),
  };
}

/** Where the cloud keeps controllers' credential keys (provision/credential-keys.ts). */
export interface CredentialKeyDirectory {
  /** Re-reads the keys if another process (`portier-cloud provision`, `rekey`) changed them. */
  refresh(): Promise<void>;
  /** The controller's credential key, if the cloud holds one. */
  keyOf(controllerId: string): Buffer | undefined;
}

/** What the publisher asks for each controller's state. */
export interface CredentialFormSource {
  formFor(bank: Bank, controllerId: string, now: number): Promise<CredentialForm>;
}

/** Keyed for a controller the cloud holds a key for, legacy (with a warning naming it) for any other. */
export class ControllerCredentialForms implements CredentialFormSource {
  private readonly keyed = new Map<string, { key: Buffer; form: CredentialForm }>();
  private readonly legacy: LegacyHashes;
  private readonly warned = new Set<string>();

  constructor(
    private readonly opts: { vault: CodeVault; keys: CredentialKeyDirectory; src: DesiredSource; logger: Logger },
  ) {
    this.legacy = new LegacyHashes(opts.vault);
  }

  async formFor(bank: Bank, controllerId: string, now: number): Promise<CredentialForm> {
    await this.opts.keys.refresh();
    const key = this.opts.keys.keyOf(controllerId);
    if (key) {
      this.warned.delete(controllerId);
      const known = this.keyed.get(controllerId);
      if (known && known.key.equals(key)) return known.form;
      const form = keyedForm(this.opts.vault, key);
      this.keyed.set(controllerId, { key, form });
      return form;
    }
    this.keyed.delete(controllerId);
    if (!this.warned.has(controllerId)) {
      this.warned.add(controllerId);
      this.opts.logger.warn(
        { controllerId, bankId: bank.id },
        `controller ${controllerId} has no credential key: its codes go out in the legacy bank-salt form, which can be guessed offline from the broker's traffic or its SD card; give it one with portier-cloud rekey --controller ${controllerId} --out <its config file>`,
      );
    }
    await this.legacy.prepare(this.opts.src, bank, now);
    return legacyForm(this.legacy);
  }
}
