/**
 * Reads a barcode back from a PNG the API served: what a scanner would read off the printed label. QR codes are read
 * by jsQR (zxing's JavaScript port misses some valid QR symbols), Code 128 by @zxing/library.
 */
import zxing from '@zxing/library';
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS: Node hands its function as the default export, its types describe the module object.
const jsQR = (typeof jsqrModule === 'function' ? jsqrModule : jsqrModule.default) as typeof jsqrModule.default;
const { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } = zxing;

export type DecodedFormat = 'code128' | 'qrcode';

/** The text and symbology of the one barcode in `png`; throws when there is none. */
export function decodePng(png: Buffer): { text: string; format: DecodedFormat } {
  const img = PNG.sync.read(png);
  const qr = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
  if (qr) return { text: qr.data, format: 'qrcode' };
  // Grey levels from the red channel: the image is black on white.
  const grey = new Uint8ClampedArray(img.width * img.height);
  for (let i = 0; i < grey.length; i++) grey[i] = img.data[i * 4]!;
  const reader = new MultiFormatReader();
  reader.setHints(
    new Map<number, unknown>([
      [DecodeHintType.TRY_HARDER, true],
      [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
    ]) as never,
  );
  const result = reader.decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(grey, img.width, img.height))));
  return { text: result.getText(), format: 'code128' };
}
