/**
 * Printable barcodes (shelf labels, carrier access codes) as Code 128 or QR, in SVG or PNG, drawn by bwip-js (pure
 * JavaScript, no native canvas). The text is encoded exactly as given: what a scanner reads back is what the kiosk
 * compares.
 */
import { z } from 'zod';

export const SYMBOLOGIES = ['code128', 'qrcode'] as const;
export const symbologySchema = z.enum(SYMBOLOGIES);
export type Symbology = z.infer<typeof symbologySchema>;
export type ImageFormat = 'svg' | 'png';

/** The query string of a barcode image: which symbology (default Code 128 for shelves, QR for codes). */
export const barcodeQuery = (fallback: Symbology) => z.strictObject({ symbology: symbologySchema.default(fallback) });

export const IMAGE_TYPES: Record<ImageFormat, string> = { svg: 'image/svg+xml', png: 'image/png' };

function options(symbology: Symbology, text: string) {
  return {
    bcid: symbology,
    text,
    // A quiet zone around the symbol, as scanners need; the human-readable line under a Code 128 label.
    paddingwidth: 10,
    paddingheight: 10,
    backgroundcolor: 'FFFFFF',
    ...(symbology === 'code128' ? { includetext: true, textxalign: 'center' as const, height: 12 } : { eclevel: 'M' }),
    scale: 3,
  };
}

/** The barcode of `text` as an image file. */
export async function renderBarcode(symbology: Symbology, format: ImageFormat, text: string): Promise<Buffer> {
  // Loaded on first use: the library is large, and most runs of the cloud print no barcode.
  const { default: bwipjs } = await import('bwip-js/node');
  if (format === 'svg') return Buffer.from(bwipjs.toSVG(options(symbology, text)), 'utf8');
  return bwipjs.toBuffer(options(symbology, text));
}
