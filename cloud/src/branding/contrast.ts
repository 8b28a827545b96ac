/**
 * Colour contrast by WCAG 2.x: the relative luminance of an sRGB colour and the contrast ratio of two, and the rule a
 * brand's colours must meet (every text / background pair at least 4.5:1, AA for normal text).
 */
import { BRAND_COLOUR_PAIRS, type BrandColours } from '@portier/protocol';

/** The AA minimum for normal text. */
export const MIN_TEXT_CONTRAST = 4.5;

/** Relative luminance (WCAG 2.x) of `#rrggbb`. */
export function relativeLuminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** Contrast ratio of two colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** A ratio as people read it: rounded down to two decimals, so 4.499 never shows as a passing 4.5. */
export function formatRatio(r: number): string {
  return `${(Math.floor(r * 100) / 100).toFixed(2)}:1`;
}

export interface ContrastProblem {
  /** The text colour's field. */
  field: keyof BrandColours;
  background: keyof BrandColours;
  ratio: number;
  message: string;
}

/** Each pair of `c` below MIN_TEXT_CONTRAST, naming the text colour's field and the measured ratio. */
export function contrastProblems(c: BrandColours): ContrastProblem[] {
  const out: ContrastProblem[] = [];
  for (const p of BRAND_COLOUR_PAIRS) {
    const ratio = contrastRatio(c[p.text], c[p.background]);
    if (ratio < MIN_TEXT_CONTRAST) {
      out.push({
        field: p.text,
        background: p.background,
        ratio,
        message: `${p.text} ${c[p.text]} on ${p.background} ${c[p.background]} has a contrast of ${formatRatio(ratio)}; WCAG AA needs at least ${MIN_TEXT_CONTRAST}:1`,
      });
    }
  }
  return out;
}
