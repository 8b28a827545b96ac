/**
 * Where a carrier code or staff credential can be checked by a bank's controllers (the kiosk checks codes itself, also
 * offline). A sealed code can be checked everywhere: each controller's form is made from it when its state is built.
 * A code issued by an older release is only a set of legacy hashes made at issue time under each bank's
 * `credentialHash` params. A bank created after such a credential was issued, or whose params changed since, has no
 * such hash: the credential is valid there on paper but its kiosk cannot check it, so a carrier's code is refused as
 * wrong (and counts towards the lock-out). `notCheckableAt` names those banks so the API and CLI can say "issue a new
 * one".
 */
import { isSealed } from './codes.ts';
import type { Bank, CarrierCode, LegacyStoredCode, StaffCredential } from './model.ts';

export function sameParams(a: Bank['credentialHash'], b: Bank['credentialHash']): boolean {
  return a.alg === b.alg && a.salt === b.salt && a.N === b.N && a.r === b.r && a.p === b.p && a.keyLen === b.keyLen;
}

export function carrierCodeValidAt(cc: CarrierCode, bankId: string, now: number): boolean {
  if (cc.revoked) return false;
  if (cc.expiresAt !== undefined && cc.expiresAt <= now) return false;
  return cc.bankIds.length === 0 || cc.bankIds.includes(bankId);
}

export function staffCredentialValidAt(sc: StaffCredential, bankId: string, now: number): boolean {
  if (sc.revokedAt !== undefined) return false;
  if (sc.expiresAt !== undefined && sc.expiresAt <= now) return false;
  return sc.bankIds.length === 0 || sc.bankIds.includes(bankId);
}

/** A legacy carrier code's hash under the bank's current params, if any (a sealed code has none and needs none). */
export function carrierCodeHashAt(cc: CarrierCode, bank: Bank): LegacyStoredCode | undefined {
  const own = isSealed(cc.code) ? undefined : cc.code;
  return [cc.bankHashes?.[bank.id], own].find((x): x is LegacyStoredCode => x !== undefined && sameParams(x.params, bank.credentialHash));
}

/** A legacy staff credential's hash under the bank's current params, if any (a sealed one has none and needs none). */
export function staffCredentialHashAt(sc: StaffCredential, bank: Bank): LegacyStoredCode | undefined {
  const stored = sc.bankHashes[bank.id];
  return stored && sameParams(stored.params, bank.credentialHash) ? stored : undefined;
}

/** Existing banks where the credential is valid now but cannot be checked there; sorted. Empty when revoked or expired. */
export function notCheckableAt(banks: readonly Bank[], cred: { kind: 'carrier-code'; cc: CarrierCode } | { kind: 'staff'; sc: StaffCredential }, now: number): string[] {
  const out: string[] = [];
  for (const bank of banks) {
    if (cred.kind === 'carrier-code') {
      if (!isSealed(cred.cc.code) && carrierCodeValidAt(cred.cc, bank.id, now) && !carrierCodeHashAt(cred.cc, bank)) out.push(bank.id);
    } else if (!isSealed(cred.sc.code) && staffCredentialValidAt(cred.sc, bank.id, now) && !staffCredentialHashAt(cred.sc, bank)) {
      out.push(bank.id);
    }
  }
  return out.sort();
}
