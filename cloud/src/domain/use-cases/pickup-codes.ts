/**
 * Pickup codes (and the drop-off codes of returns and exchanges) of one bank: a new one is drawn so that no other live
 * reservation of the bank holds it (the kiosk looks codes up by value), and a typed one is matched against the stored
 * ones of every form, sealed or issued by an older release.
 */
import { CodeMatcher, generateDigits, isSealed, paramsKey, sameHash, storeCode } from '../codes.ts';
import type { DomainCore } from '../core.ts';
import { DomainError } from '../errors.ts';
import type { Bank, StoredCode } from '../model.ts';

/** Whether a stored pickup code of the bank is the typed (or drawn) one. */
export type PickupCodeTest = (stored: StoredCode) => boolean;

export class PickupCodes {
  constructor(private readonly core: DomainCore) {}

  /**
   * A test of `code` against the bank's stored codes, for a loop that must not wait. The bank-salt scrypt hash is made
   * here only while the bank still has live codes of an older release, so a bank of sealed codes costs no scrypt.
   */
  async matcher(bank: Bank, code: string): Promise<PickupCodeTest> {
    const matcher = new CodeMatcher(this.core.vault, 'pickup-code', code);
    const legacy = this.hasLegacyCodes(bank) ? await matcher.hashUnder(bank.credentialHash) : undefined;
    const params = paramsKey(bank.credentialHash);
    return (stored) =>
      isSealed(stored) ? matcher.matchesSealed(stored) : legacy !== undefined && paramsKey(stored.params) === params && sameHash(legacy, stored.hash);
  }

  /** A new code no other live reservation of the bank holds, with what the cloud keeps of it. */
  async draw(bank: Bank, reservationId: string): Promise<{ code: string; stored: StoredCode }> {
    const others = [...this.core.banks.of(bank.id).live.values()].filter((r) => r.id !== reservationId && r.pickupCode);
    for (let attempt = 0; attempt < 20; attempt++) {
      const code = generateDigits(this.core.pickupCodeDigits, (a, b) => this.core.random.int(a, b));
      const matches = await this.matcher(bank, code);
      if (others.some((r) => matches(r.pickupCode!.code))) continue;
      return { code, stored: storeCode(this.core.vault, 'pickup-code', code) };
    }
    throw new DomainError('CONFLICT', 'could not draw an unused pickup code', 'reservationId');
  }

  private hasLegacyCodes(bank: Bank): boolean {
    for (const r of this.core.banks.of(bank.id).live.values()) if (r.pickupCode && !isSealed(r.pickupCode.code)) return true;
    return false;
  }
}
