/**
 * An enterprise's branding and a bank's override of it, as given through the API, as stored and as answered; and a
 * logo file as stored (content-addressed: key = its SHA-256).
 *
 * Stored shapes have optional fields only beyond their key and times, so a record written now still reads when a
 * field is added later, and a data folder of an earlier release (which has neither collection) loads as it was.
 */
import { z } from 'zod';
import { brandColoursSchema, LOGO_TYPES, MAX_LOGO_BYTES, sha256HexSchema, type BrandColours, type LogoType } from '@portier/protocol';
import { epochMs } from '../domain/model.ts';

export { brandColoursSchema, LOGO_TYPES, MAX_LOGO_BYTES, type BrandColours, type LogoType };

/** `PUT .../branding`: the whole branding; a part left out is the built-in one (or, for a bank, the enterprise's). */
export const brandingInput = z.strictObject({
  colours: brandColoursSchema.optional().describe('text and background colours as #rrggbb; each pair must reach a WCAG AA contrast of 4.5:1'),
  logo: sha256HexSchema.optional().describe('the SHA-256 of a logo uploaded with POST /enterprises/{id}/branding/logos'),
});
export type BrandingInput = z.infer<typeof brandingInput>;

/** A logo as a branding names it. */
export const logoRefSchema = z.object({
  sha256: sha256HexSchema,
  type: z.enum(LOGO_TYPES),
  bytes: z.number().int().min(1).max(MAX_LOGO_BYTES),
});
export type LogoRef = z.infer<typeof logoRefSchema>;

/**
 * A branding as stored. Key: the enterprise id for an enterprise's own, `brandingKey(enterpriseId, bankId)` for a
 * bank's override.
 */
export interface BrandingRecord {
  enterpriseId: string;
  /** Present on a bank's override. */
  bankId?: string;
  colours?: BrandColours;
  logo?: LogoRef;
  createdAt: number;
  updatedAt?: number;
}

export function brandingKey(enterpriseId: string, bankId?: string): string {
  return bankId === undefined ? enterpriseId : `${enterpriseId}/${bankId}`;
}

/** A logo file as stored (key = sha256): its bytes in base64, small by rule (MAX_LOGO_BYTES). */
export interface BrandAssetRecord extends LogoRef {
  /** The file, base64. */
  data: string;
  createdAt: number;
}

/** A logo as answered: with the public address it is served at (absent while the cloud's address is not known). */
export const publicLogoSchema = logoRefSchema.extend({
  url: z.string().optional().describe('the public address of the file (GET /branding/{sha256}), stable per content'),
});
export type PublicLogo = z.infer<typeof publicLogoSchema>;

export const publicBrandingSchema = z.object({
  colours: brandColoursSchema.optional(),
  logo: publicLogoSchema.optional(),
  updatedAt: epochMs.optional(),
});
export type PublicBranding = z.infer<typeof publicBrandingSchema>;

/** The public path of a logo file. */
export function logoPath(sha256: string): string {
  return `/branding/${sha256}`;
}

/** The extension a logo file of `type` is saved under (a controller's data folder). */
export function logoExtension(type: LogoType): string {
  return type === 'image/png' ? 'png' : 'svg';
}
