import { z } from 'zod';

/**
 * An enterprise's (or a bank's) look on the kiosk screen and in e-mails: colours in pairs (a text colour on its
 * background colour) and a logo. The logo travels by reference only (its address and SHA-256): the desired state stays
 * small, and a controller fetches the image once and keeps it while it stays referenced.
 */

/** A colour as `#rrggbb` (lower or upper case hex digits). */
export const hexColourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb');

/** The colours of a brand: two pairs, each a text colour on a background colour. */
export const brandColoursSchema = z.strictObject({
  /** Buttons and headings' background. */
  primary: hexColourSchema,
  /** Text on `primary`. */
  onPrimary: hexColourSchema,
  /** The page's background. */
  background: hexColourSchema,
  /** Text on `background`. */
  text: hexColourSchema,
});
export type BrandColours = z.infer<typeof brandColoursSchema>;

/** The text / background pairs of `BrandColours` that must be readable (WCAG 2.x contrast). */
export const BRAND_COLOUR_PAIRS = [
  { text: 'onPrimary', background: 'primary' },
  { text: 'text', background: 'background' },
] as const satisfies readonly { text: keyof BrandColours; background: keyof BrandColours }[];

/** The image types a logo may have. */
export const LOGO_TYPES = ['image/png', 'image/svg+xml'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

/** Largest logo file, bytes. */
export const MAX_LOGO_BYTES = 256 * 1024;

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 as 64 lower-case hex digits');

/** Where a logo is fetched from and what it must be: a file of exactly `bytes` bytes whose SHA-256 is `sha256`. */
export const logoReferenceSchema = z.strictObject({
  // A pattern rather than a `uri` format: JSON Schema validators without format support would ignore the format.
  url: z.string().max(2048).regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, 'an http or https URL'),
  sha256: sha256HexSchema,
  type: z.enum(LOGO_TYPES),
  bytes: z.number().int().min(1).max(MAX_LOGO_BYTES),
});
export type LogoReference = z.infer<typeof logoReferenceSchema>;

/** The branding in a kiosk controller's desired state; either part may be absent (the built-in look). */
export const desiredBrandingSchema = z.strictObject({
  colours: brandColoursSchema.optional(),
  logo: logoReferenceSchema.optional(),
});
export type DesiredBranding = z.infer<typeof desiredBrandingSchema>;
