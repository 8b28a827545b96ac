/** Credential use cases: carrier codes and staff credentials (kiosk PINs and badges), issued, listed, revoked, checked. */
import { CodeMatcher, generateDigits, storeCode } from '../codes.ts';
import { CREDENTIALS_LOCK, type DomainCore, type Locked } from '../core.ts';
import { notCheckableAt } from '../credential-coverage.ts';
import { auditChanges } from '../audit.ts';
import { BadgeRegistry } from '../badges.ts';
import { DomainError, notFound, parseInput } from '../errors.ts';
import {
  issueCarrierCodeInput,
  issueStaffCredentialInput,
  type Actor,
  type Bank,
  type CarrierCode,
  type IssueCarrierCodeInput,
  type IssueStaffCredentialInput,
  type PublicCarrierCode,
  type PublicStaffCredential,
  type StaffCredential,
} from '../model.ts';

export interface IssuedCarrierCode {
  carrierCode: CarrierCode;
  /** In clear, returned this once. */
  code: string;
}
export interface IssuedStaffCredential {
  staffCredential: PublicStaffCredential;
  /** The PIN or badge number in clear, returned this once (never stored or logged). */
  code: string;
}

/** What the audit of a carrier code records (its code, sealed or hashed, never). */
const CARRIER_CODE_AUDIT = ['carrierId', 'digits', 'bankIds', 'expiresAt', 'revoked'] as const satisfies readonly (keyof CarrierCode)[];

export class CredentialUseCases {
  constructor(private readonly core: DomainCore) {}

  async issueCarrierCode(carrierId: string, input: IssueCarrierCodeInput, actor: Actor): Promise<IssuedCarrierCode> {
    const req = parseInput(issueCarrierCodeInput, input);
    const carrier = this.core.must('carriers', carrierId, 'carrier', 'carrierId');
    req.bankIds.forEach((b, i) => this.core.mustBank(b, `bankIds.${i}`));
    return this.core.change(CREDENTIALS_LOCK, async (): Promise<Locked<IssuedCarrierCode>> => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const code = generateDigits(req.digits, (a, b) => this.core.random.int(a, b));
        // A code two carriers share would open lockers as the wrong carrier: draw again.
        if (await this.findCarrierCode(code, undefined)) continue;
        // Sealed: each controller's form (keyed under its credential key) is made from it when its state is built.
        const cc: CarrierCode = {
          id: this.core.random.id('cc'),
          carrierId,
          code: storeCode(this.core.vault, 'carrier-code', code),
          digits: req.digits,
          bankIds: req.bankIds,
          revoked: false,
          createdAt: this.core.now(),
          ...(req.expiresAt !== undefined ? { expiresAt: req.expiresAt } : {}),
        };
        // The audit names the code's id, digits, banks and end, never the code.
        const a = this.core.audit(actor, carrier.enterpriseId, { kind: 'carrier-code', id: cc.id }, 'carrier code issued', auditChanges(undefined, cc, CARRIER_CODE_AUDIT));
        const done = this.core.write({ put: [{ c: 'carrierCodes', key: cc.id, value: cc }], activity: [a] });
        return { result: { carrierCode: cc, code }, done, events: [['carrier-code-changed', { carrierCode: cc, change: 'issued' }]] };
      }
      throw new DomainError('CONFLICT', 'could not draw an unused carrier code; use more digits', 'digits');
    });
  }

  /** A carrier's codes (hashes only). */
  async listCarrierCodes(carrierId: string): Promise<CarrierCode[]> {
    this.core.must('carriers', carrierId, 'carrier', 'carrierId');
    return this.core.store.list('carrierCodes').filter((c) => c.carrierId === carrierId);
  }

  async revokeCarrierCode(carrierCodeId: string, actor: Actor): Promise<CarrierCode> {
    const cc = typeof carrierCodeId === 'string' ? this.core.store.get('carrierCodes', carrierCodeId) : undefined;
    if (!cc) throw notFound('carrier code', carrierCodeId, 'carrierCodeId');
    const next: CarrierCode = { ...cc, revoked: true };
    const enterpriseId = this.core.store.get('carriers', cc.carrierId)?.enterpriseId;
    const audit = enterpriseId !== undefined ? [this.core.audit(actor, enterpriseId, { kind: 'carrier-code', id: cc.id }, 'carrier code revoked', auditChanges(cc, next, CARRIER_CODE_AUDIT))] : [];
    await this.core.commit({ put: [{ c: 'carrierCodes', key: cc.id, value: next }], activity: audit }, [['carrier-code-changed', { carrierCode: next, change: 'revoked' }]]);
    return next;
  }

  async verifyCarrierCode(bankId: string, code: string): Promise<CarrierCode | undefined> {
    if (!/^\d{6,10}$/.test(code)) return undefined;
    return this.findCarrierCode(code, bankId);
  }

  private async findCarrierCode(code: string, bankId: string | undefined): Promise<CarrierCode | undefined> {
    const now = this.core.now();
    const matcher = new CodeMatcher(this.core.vault, 'carrier-code', code);
    let found: CarrierCode | undefined;
    for (const cc of this.core.store.list('carrierCodes')) {
      if (cc.revoked || (cc.expiresAt !== undefined && cc.expiresAt <= now)) continue;
      if (bankId !== undefined && cc.bankIds.length > 0 && !cc.bankIds.includes(bankId)) continue;
      if (cc.digits !== code.length) continue;
      if (await matcher.matches(cc.code)) found ??= cc;
    }
    return found;
  }

  /**
   * A kiosk sign-in for a member of staff: a PIN (drawn when not given) or a badge number. Kept sealed (code-vault.ts:
   * each controller's form is made from it when its state is built); the clear code is returned once.
   */
  async issueStaffCredential(input: IssueStaffCredentialInput, actor: Actor): Promise<IssuedStaffCredential> {
    const req = parseInput(issueStaffCredentialInput, input);
    this.mustStaffSubject(req.role, req.subjectId);
    req.bankIds.forEach((b, i) => this.core.mustBank(b, `bankIds.${i}`));
    if (req.expiresAt !== undefined && req.expiresAt <= this.core.now()) throw new DomainError('VALIDATION', 'expiresAt: must be in the future', 'expiresAt');
    // One lock for every staff credential and carrier code: two issues of the same PIN must not both pass the check.
    return this.core.change(CREDENTIALS_LOCK, async (): Promise<Locked<IssuedStaffCredential>> => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const code = req.code ?? generateDigits(6, (a, b) => this.core.random.int(a, b));
        // A recipient's badge of the same enterprise signs that contact in: one badge cannot be both (badges.ts).
        const contact = req.kind === 'badge' ? this.recipientBadgeHolder(req.subjectId, code) : undefined;
        if (contact !== undefined) throw new DomainError('CONFLICT', `this badge is already the badge of contact ${contact}`, 'code');
        if (await this.staffCodeTaken(req.kind, code)) {
          if (req.code !== undefined)
            throw new DomainError('CONFLICT', `this ${req.kind === 'badge' ? 'badge' : 'PIN'} is already in use by another live credential`, 'code');
          continue;
        }
        const sc: StaffCredential = {
          id: this.core.random.id('sc'),
          role: req.role,
          subjectId: req.subjectId,
          kind: req.kind,
          bankIds: req.bankIds,
          code: storeCode(this.core.vault, req.kind, code),
          bankHashes: {},
          createdAt: this.core.now(),
          ...(req.label !== undefined ? { label: req.label } : {}),
          ...(req.expiresAt !== undefined ? { expiresAt: req.expiresAt } : {}),
        };
        const a = this.core.activity('staff-credential', actor, { detail: `issued ${sc.role} ${sc.kind} ${sc.id} for ${sc.subjectId}` });
        const done = this.core.write({ put: [{ c: 'staffCredentials', key: sc.id, value: sc }], activity: [a] });
        this.core.log.info({ staffCredentialId: sc.id, role: sc.role, kind: sc.kind, subjectId: sc.subjectId }, 'staff credential issued');
        const result = { staffCredential: publicStaffCredential(sc, this.core.store.list('banks'), this.core.now()), code };
        return { result, done, events: [['staff-credential-changed', { staffCredential: sc, change: 'issued' }]] };
      }
      throw new DomainError('CONFLICT', 'could not draw an unused PIN; give one', 'code');
    });
  }

  /** Every staff credential, revoked and expired ones included (never a hash). */
  async listStaffCredentials(): Promise<PublicStaffCredential[]> {
    return this.core.store.list('staffCredentials').map((sc) => publicStaffCredential(sc, this.core.store.list('banks'), this.core.now()));
  }

  /** Revokes a staff credential; revoking one already revoked changes nothing. */
  async revokeStaffCredential(id: string, actor: Actor): Promise<PublicStaffCredential> {
    return this.core.change(CREDENTIALS_LOCK, (): Locked<PublicStaffCredential> => {
      const sc = typeof id === 'string' ? this.core.store.get('staffCredentials', id) : undefined;
      if (!sc) throw notFound('staff credential', id, 'staffCredentialId');
      if (sc.revokedAt !== undefined) return { result: publicStaffCredential(sc, this.core.store.list('banks'), this.core.now()) };
      const next: StaffCredential = { ...sc, revokedAt: this.core.now() };
      const a = this.core.activity('staff-credential', actor, { detail: `revoked ${sc.role} ${sc.kind} ${sc.id} for ${sc.subjectId}` });
      const done = this.core.write({ put: [{ c: 'staffCredentials', key: sc.id, value: next }], activity: [a] });
      const result = publicStaffCredential(next, this.core.store.list('banks'), this.core.now());
      return { result, done, events: [['staff-credential-changed', { staffCredential: next, change: 'revoked' }]] };
    });
  }

  /** Live at `now`: not revoked, not expired. */
  private staffLive(sc: StaffCredential, now: number): boolean {
    return sc.revokedAt === undefined && (sc.expiresAt === undefined || sc.expiresAt > now);
  }

  /** Whether `code` of `kind` already signs someone in: a live staff credential of that kind, or (a PIN) a carrier code. */
  private async staffCodeTaken(kind: StaffCredential['kind'], code: string): Promise<boolean> {
    const now = this.core.now();
    const matcher = new CodeMatcher(this.core.vault, kind, code);
    for (const sc of this.core.store.list('staffCredentials')) {
      if (sc.kind !== kind || !this.staffLive(sc, now)) continue;
      if (await matcher.matches(sc.code)) return true;
    }
    // A PIN typed on the keypad is also tried as a carrier code: one value must not be both.
    return kind === 'staff-pin' && /^\d{6,10}$/.test(code) && (await this.findCarrierCode(code, undefined)) !== undefined;
  }

  /** The contact of the subject's enterprise whose badge `badge` is, if any. */
  private recipientBadgeHolder(subjectId: string, badge: string): string | undefined {
    const enterpriseId = (this.core.store.get('users', subjectId) ?? this.core.store.get('carriers', subjectId))?.enterpriseId;
    return enterpriseId === undefined ? undefined : BadgeRegistry.of(this.core, enterpriseId).contactHolding(badge);
  }

  private mustStaffSubject(role: StaffCredential['role'], subjectId: string): void {
    const user = this.core.store.get('users', subjectId);
    if (user) {
      if (user.disabled) throw new DomainError('INVALID_STATE', `user ${JSON.stringify(subjectId)} is disabled`, 'subjectId');
      const fits = role === 'admin' ? user.role === 'admin' : role === 'operator' ? user.role === 'admin' || user.role === 'operator' : user.role === 'carrier';
      if (!fits) throw new DomainError('VALIDATION', `subjectId: user ${JSON.stringify(subjectId)} is ${user.role}, not allowed a ${role} credential`, 'subjectId');
      return;
    }
    if (role === 'carrier' && this.core.store.get('carriers', subjectId)) return;
    throw notFound(role === 'carrier' ? 'user or carrier' : 'user', subjectId, 'subjectId');
  }
}

/** A staff credential as the API shows it: no hash; the banks whose kiosks cannot check it (credential-coverage.ts). */
export function publicStaffCredential(sc: StaffCredential, banks: readonly Bank[], now: number): PublicStaffCredential {
  const { code: _code, bankHashes: _bankHashes, ...rest } = sc;
  return { ...rest, notCheckableAt: notCheckableAt(banks, { kind: 'staff', sc }, now) };
}

/** A carrier code as the API shows it: no hash; the banks whose kiosks cannot check it (credential-coverage.ts). */
export function publicCarrierCode(cc: CarrierCode, banks: readonly Bank[], now: number): PublicCarrierCode {
  const { code: _code, bankHashes: _bankHashes, ...rest } = cc;
  return { ...rest, notCheckableAt: notCheckableAt(banks, { kind: 'carrier-code', cc }, now) };
}