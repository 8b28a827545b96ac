/**
 * Branding over the domain core: an enterprise's colours and logo, a bank's override of either, logo files uploaded
 * and kept by their SHA-256. Colour pairs below WCAG AA contrast are refused naming the text colour's field and the
 * ratio measured. Every change is audited (the enterprise's, or the bank's) and tells the banks concerned that their
 * kiosk's desired state changed (`bank-changed`). Logo files no branding names any more are dropped once they are
 * older than a day (a file just uploaded is kept for the form about to name it).
 */
import { auditChanges } from '../domain/audit.ts';
import type { DomainCore, DomainEvent } from '../domain/core.ts';
import { DomainError, notFound, parseInput } from '../domain/errors.ts';
import type { Actor } from '../domain/model.ts';
import type { Bank } from '../domain/model.ts';
import type { Del, Store } from '../store/store.ts';
import { contrastProblems } from './contrast.ts';
import { checkLogo } from './logo-file.ts';
import { brandingInput, brandingKey, type BrandAssetRecord, type BrandingInput, type BrandingRecord, type LogoRef } from './model.ts';

/** How long an uploaded logo file no branding names is kept. */
export const UNUSED_LOGO_KEPT_MS = 24 * 60 * 60 * 1000;

/** What a bank shows: its override's parts, else the enterprise's. */
export interface EffectiveBranding {
  colours?: BrandingRecord['colours'];
  logo?: LogoRef;
}

const AUDITED = ['colours', 'logo'] as const;
const audited = (r: BrandingRecord | undefined) => (r ? { colours: r.colours, logo: r.logo?.sha256 } : undefined);

/** The branding a bank's kiosk shows (reads only the store: the desired-state builder calls it too). */
export function effectiveBranding(src: Pick<Store, 'get'>, enterpriseId: string, bankId: string): EffectiveBranding | undefined {
  const own = src.get('brandings', brandingKey(enterpriseId));
  const bank = src.get('brandings', brandingKey(enterpriseId, bankId));
  const colours = bank?.colours ?? own?.colours;
  const logo = bank?.logo ?? own?.logo;
  if (!colours && !logo) return undefined;
  return { ...(colours ? { colours } : {}), ...(logo ? { logo } : {}) };
}

/** What a bank's kiosk shows, read from the store alone (the desired-state builder has no domain core). */
export function bankBranding(src: Pick<Store, 'get'>, bankId: string): EffectiveBranding | undefined {
  const location = src.get('locations', src.get('banks', bankId)?.locationId ?? '');
  const enterpriseId = location ? src.get('divisions', location.divisionId)?.enterpriseId : undefined;
  return enterpriseId === undefined ? undefined : effectiveBranding(src, enterpriseId, bankId);
}

export class BrandingUseCases {
  constructor(private readonly core: DomainCore) {}

  /** The enterprise's own branding, if set. */
  ofEnterprise(enterpriseId: string): BrandingRecord | undefined {
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    return this.core.store.get('brandings', brandingKey(enterpriseId));
  }

  /** Every bank override of the enterprise (of banks that still exist), by bank id. */
  bankOverrides(enterpriseId: string): BrandingRecord[] {
    return this.core.store
      .list('brandings')
      .filter((r) => r.enterpriseId === enterpriseId && r.bankId !== undefined && this.core.store.get('banks', r.bankId))
      .sort((a, b) => (a.bankId! < b.bankId! ? -1 : 1));
  }

  /** A bank's override, if set, and what the bank shows. */
  ofBank(bankId: string): { override?: BrandingRecord; effective?: EffectiveBranding } {
    const enterpriseId = this.enterpriseOfBank(bankId);
    const override = this.core.store.get('brandings', brandingKey(enterpriseId, bankId));
    const effective = effectiveBranding(this.core.store, enterpriseId, bankId);
    return { ...(override ? { override } : {}), ...(effective ? { effective } : {}) };
  }

  /** The enterprise's banks, by name. */
  banksOf(enterpriseId: string): Bank[] {
    return this.core.store
      .list('banks')
      .filter((b) => this.core.enterpriseOf('bank', b.id) === enterpriseId)
      .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
  }

  /** A stored logo file by its SHA-256. */
  asset(sha256: string): BrandAssetRecord | undefined {
    return this.core.store.get('brandAssets', sha256);
  }

  /** Stores a logo file (checked: logo-file.ts) for the enterprise; the same file twice is stored once. */
  async upload(enterpriseId: string, type: string, data: Buffer, actor: Actor): Promise<LogoRef> {
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    const logo = checkLogo(type, data);
    const ref: LogoRef = { sha256: logo.sha256, type: logo.type, bytes: logo.bytes };
    const now = this.core.now();
    const known = this.core.store.get('brandAssets', logo.sha256);
    // A file uploaded again counts as new for the sweep of unused files.
    const record: BrandAssetRecord = { ...ref, data: logo.data.toString('base64'), createdAt: known && known.createdAt > now ? known.createdAt : now };
    const a = this.core.audit(actor, enterpriseId, { kind: 'enterprise', id: enterpriseId }, 'logo uploaded', [{ field: 'logo', to: `${logo.sha256} (${logo.type}, ${logo.bytes} bytes)` }]);
    await this.core.commit({ put: [{ c: 'brandAssets', key: logo.sha256, value: record }], activity: [a] });
    return ref;
  }

  async setEnterprise(enterpriseId: string, input: BrandingInput, actor: Actor): Promise<BrandingRecord> {
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    return this.put(enterpriseId, undefined, input, actor);
  }

  async setBank(bankId: string, input: BrandingInput, actor: Actor): Promise<BrandingRecord> {
    return this.put(this.enterpriseOfBank(bankId), bankId, input, actor);
  }

  async clearEnterprise(enterpriseId: string, actor: Actor): Promise<void> {
    this.core.must('enterprises', enterpriseId, 'enterprise', 'enterpriseId');
    await this.remove(enterpriseId, undefined, actor);
  }

  async clearBank(bankId: string, actor: Actor): Promise<void> {
    await this.remove(this.enterpriseOfBank(bankId), bankId, actor);
  }

  private enterpriseOfBank(bankId: string): string {
    this.core.mustBank(bankId);
    const enterpriseId = this.core.enterpriseOf('bank', bankId);
    if (enterpriseId === undefined) throw notFound('bank', bankId, 'bankId');
    return enterpriseId;
  }

  private async put(enterpriseId: string, bankId: string | undefined, input: BrandingInput, actor: Actor): Promise<BrandingRecord> {
    const req = parseInput(brandingInput, input);
    if (req.colours) {
      const [problem] = contrastProblems(req.colours);
      if (problem) throw new DomainError('VALIDATION', problem.message, `colours.${problem.field}`);
    }
    let logo: LogoRef | undefined;
    if (req.logo !== undefined) {
      const asset = this.core.store.get('brandAssets', req.logo);
      if (!asset) throw notFound('logo', req.logo, 'logo');
      logo = { sha256: asset.sha256, type: asset.type, bytes: asset.bytes };
    }
    const key = brandingKey(enterpriseId, bankId);
    const old = this.core.store.get('brandings', key);
    const now = this.core.now();
    const next: BrandingRecord = {
      enterpriseId,
      ...(bankId !== undefined ? { bankId } : {}),
      ...(req.colours ? { colours: { ...req.colours } } : {}),
      ...(logo ? { logo } : {}),
      createdAt: old?.createdAt ?? now,
      ...(old ? { updatedAt: now } : {}),
    };
    const changes = auditChanges(audited(old), audited(next), AUDITED);
    const target = bankId === undefined ? { kind: 'enterprise' as const, id: enterpriseId } : { kind: 'bank' as const, id: bankId };
    const a = this.core.audit(actor, enterpriseId, target, old ? 'branding changed' : 'branding set', changes, bankId);
    await this.core.commit(
      { put: [{ c: 'brandings', key, value: next }], del: this.unusedLogos(key, next), activity: [a] },
      this.affected(enterpriseId, bankId),
    );
    return next;
  }

  private async remove(enterpriseId: string, bankId: string | undefined, actor: Actor): Promise<void> {
    const key = brandingKey(enterpriseId, bankId);
    const old = this.core.store.get('brandings', key);
    if (!old) throw notFound(bankId === undefined ? 'branding of enterprise' : 'branding of bank', bankId ?? enterpriseId, bankId === undefined ? 'enterpriseId' : 'bankId');
    const target = bankId === undefined ? { kind: 'enterprise' as const, id: enterpriseId } : { kind: 'bank' as const, id: bankId };
    const a = this.core.audit(actor, enterpriseId, target, 'branding removed', auditChanges(audited(old), undefined, AUDITED), bankId);
    await this.core.commit({ del: [{ c: 'brandings', key }, ...this.unusedLogos(key, undefined)], activity: [a] }, this.affected(enterpriseId, bankId));
  }

  /** The logo files no branding names once `key` holds `next`, and old enough to go. */
  private unusedLogos(key: string, next: BrandingRecord | undefined): Del[] {
    const named = new Set<string>();
    for (const r of this.core.store.list('brandings')) {
      const logo = brandingKey(r.enterpriseId, r.bankId) === key ? next?.logo : r.logo;
      if (logo) named.add(logo.sha256);
    }
    if (next?.logo) named.add(next.logo.sha256);
    const before = this.core.now() - UNUSED_LOGO_KEPT_MS;
    return this.core.store
      .list('brandAssets')
      .filter((a) => !named.has(a.sha256) && a.createdAt <= before)
      .map((a) => ({ c: 'brandAssets' as const, key: a.sha256 }));
  }

  /** The banks whose kiosk shows this branding: the one bank, or every bank of the enterprise. */
  private affected(enterpriseId: string, bankId: string | undefined): DomainEvent[] {
    const banks = bankId !== undefined ? this.core.store.list('banks').filter((b) => b.id === bankId) : this.banksOf(enterpriseId);
    return banks.map((bank) => ['bank-changed', { bank }] as DomainEvent);
  }
}
