/**
 * The branding screen's pieces, pure rendering of what the API answered: the form (logo file, the two colour pairs,
 * each colour as a picker and as #rrggbb text), the preview of the saved colours and each pair's contrast, and the
 * table of banks. The preview is an SVG picture in a data: address: the console's policy forbids inline styles, and
 * a picture is what a preview is; its text alternative says the same in words.
 */
import { z } from 'zod';
import { BRAND_COLOUR_PAIRS, MAX_LOGO_BYTES } from '@portier/protocol';
import { contrastRatio, formatRatio, MIN_TEXT_CONTRAST } from '../../branding/contrast.ts';
import { publicBrandingSchema, type BrandColours, type PublicBranding } from '../../branding/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { ConsoleApiError } from '../console-api.ts';
import { checkboxField, fieldParts } from '../form-fields.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, type Viewer } from '../shell.ts';
import { apiFieldError, errorSummary, type FormError } from '../form-errors.ts';
import { BRANDING_WORDS, type ColourKey } from './branding-words.ts';

export const COLOUR_KEYS: readonly ColourKey[] = ['primary', 'onPrimary', 'background', 'text'];
/** The colours a form starts from when none are set: the built-in look's. */
export const BUILT_IN_COLOURS: BrandColours = { primary: '#0b4f9c', onPrimary: '#ffffff', background: '#ffffff', text: '#1a1a1a' };
const HEX = /^#[0-9a-fA-F]{6}$/;

export const EnterpriseBrandingReply = z.object({
  enterpriseId: z.string(),
  branding: publicBrandingSchema.optional(),
  banks: z.array(z.object({ bankId: z.string(), name: z.string(), override: publicBrandingSchema.optional() })),
});
export const BankBrandingReply = z.object({ bankId: z.string(), override: publicBrandingSchema.optional(), effective: publicBrandingSchema.optional() });

/** The form as posted: every field text, bounded. */
export const BrandingForm = z.object({
  colours: z.string().max(10).optional(),
  removeLogo: z.string().max(10).optional(),
  logoWas: z.string().max(64).optional(),
  ...Object.fromEntries(COLOUR_KEYS.flatMap((k) => [[k, z.string().max(20).optional()], [`${k}Picker`, z.string().max(20).optional()], [`${k}Was`, z.string().max(20).optional()]])),
}) as z.ZodType<Record<string, string | undefined>>;

/** The form's values of a saved branding (the start of the form). */
export function brandingValues(b: PublicBranding | undefined): URLSearchParams {
  const c = b?.colours ?? BUILT_IN_COLOURS;
  const v = new URLSearchParams();
  if (b?.colours) v.set('colours', 'on');
  if (b?.logo) v.set('logoWas', b.logo.sha256);
  for (const k of COLOUR_KEYS) v.set(k, c[k]);
  return v;
}

/**
 * The colour a person chose for `k`: what they typed when they changed the text, else the picker's value (a browser
 * without script sends both; the one changed from what the page showed is the person's choice).
 */
export function chosenColour(f: Record<string, string | undefined>, k: ColourKey): string {
  const text = (f[k] ?? '').trim();
  const was = f[`${k}Was`] ?? '';
  const picker = f[`${k}Picker`] ?? '';
  return text !== was || !HEX.test(picker) ? text : picker;
}

/** The API's field paths at the form's inputs: `colours.onPrimary` is `onPrimary`; a refused file (the body, its type) is `logo`. */
const API_FIELDS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(COLOUR_KEYS.map((k) => [`colours.${k}`, k])),
  colours: 'primary',
  logo: 'logo',
  body: 'logo',
  'headers.content-type': 'logo',
};

/** The API's refusal as the form's. */
export function brandingError(err: ConsoleApiError): FormError {
  return apiFieldError(err, API_FIELDS);
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Each pair's words: its text on its background and its contrast. */
function pairWords(lang: PageLanguage, c: BrandColours): string[] {
  const w = BRANDING_WORDS[lang];
  return BRAND_COLOUR_PAIRS.map((p) => {
    const r = contrastRatio(c[p.text], c[p.background]);
    return `${w.colour[p.text]} ${c[p.text]} / ${w.colour[p.background]} ${c[p.background]}, ${w.contrast(formatRatio(r), r >= MIN_TEXT_CONTRAST)}`;
  });
}

/** A picture of the colours: a button in the primary pair on the page in the background pair. */
export function previewImage(lang: PageLanguage, c: BrandColours): SafeHtml {
  const w = BRANDING_WORDS[lang];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120"><rect width="320" height="120" fill="${c.background}" stroke="#3d3d3d"/><text x="16" y="34" font-family="sans-serif" font-size="18" fill="${c.text}">${xml(w.previewText)}</text><rect x="16" y="56" width="160" height="44" rx="6" fill="${c.primary}"/><text x="96" y="84" text-anchor="middle" font-family="sans-serif" font-size="18" font-weight="bold" fill="${c.onPrimary}">${xml(w.previewButton)}</text></svg>`;
  return html`<figure class="brand-preview"><img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" alt="${w.previewAlt(pairWords(lang, c).join('; '))}" width="320" height="120"><figcaption>${w.preview}</figcaption></figure>`;
}

export interface BrandingFormData {
  action: string;
  /** The saved branding this form edits (the enterprise's, or the bank's own). */
  saved: PublicBranding | undefined;
  /** For a bank: what it shows from its enterprise when it has no logo of its own. */
  inheritedLogo?: PublicBranding['logo'];
  values: URLSearchParams;
  error?: FormError | undefined;
}

function colourField(v: Viewer, k: ColourKey, value: string, error: FormError | undefined): SafeHtml {
  const w = BRANDING_WORDS[v.lang];
  const p = fieldParts(v.lang, k, w.hexHint, error ? [error] : []);
  const picker = HEX.test(value) ? value.toLowerCase() : BUILT_IN_COLOURS[k];
  return html`<div class="field colour-field"><label for="${k}">${w.colour[k]}</label>${p.hint}${p.error}<span class="colour-inputs"><input type="color" id="${k}Picker" name="${k}Picker" value="${picker}" aria-label="${w.picker(w.colour[k])}"><input type="text" id="${k}" name="${k}" value="${value}" maxlength="7" size="8" spellcheck="false" autocomplete="off"${p.attrs}></span><input type="hidden" name="${k}Was" value="${value}"></div>`;
}

/** The contrast of a pair as typed, when both are colours. */
function pairContrast(lang: PageLanguage, text: string, background: string): SafeHtml | '' {
  if (!HEX.test(text) || !HEX.test(background)) return '';
  const r = contrastRatio(text, background);
  return html`<p class="contrast${r >= MIN_TEXT_CONTRAST ? '' : ' bad'}">${BRANDING_WORDS[lang].contrast(formatRatio(r), r >= MIN_TEXT_CONTRAST)}</p>`;
}

export function brandingForm(v: Viewer, d: BrandingFormData): SafeHtml {
  const w = BRANDING_WORDS[v.lang];
  const val = (k: string) => d.values.get(k) ?? '';
  const e = d.error;
  const errors = e ? [e] : [];
  const logo = fieldParts(v.lang, 'logo', w.logoHint(MAX_LOGO_BYTES / 1024), errors);
  const own = d.saved?.logo;
  const shown = own ?? d.inheritedLogo;
  return html`${errorSummary(v.lang, errors)}<form method="post" action="${d.action}" enctype="multipart/form-data" hx-boost="false" novalidate>${csrfField(v)}
<fieldset><legend>${w.logo}</legend>
${shown ? html`<p><img class="brand-logo" src="/branding/${shown.sha256}" alt="${w.logoCurrent}"></p>${own ? '' : html`<p class="muted">${w.logoFromEnterprise}</p>`}` : html`<p class="muted">${w.logoNone}</p>`}
${own ? html`<input type="hidden" name="logoWas" value="${own.sha256}">${checkboxField(v.lang, 'removeLogo', w.logoRemove, val('removeLogo') === 'on', [])}` : ''}
<div class="field"><label for="logo">${w.logoFile}</label>${logo.hint}${logo.error}<input type="file" id="logo" name="logo" accept=".png,.svg,image/png,image/svg+xml"${logo.attrs}></div>
</fieldset>
<fieldset><legend>${w.colours}</legend>
${checkboxField(v.lang, 'colours', w.useColours, val('colours') === 'on', errors, w.useColoursHint)}
<fieldset><legend>${w.buttonsPair}</legend>${colourField(v, 'primary', val('primary'), e)}${colourField(v, 'onPrimary', val('onPrimary'), e)}${pairContrast(v.lang, val('onPrimary'), val('primary'))}</fieldset>
<fieldset><legend>${w.pagePair}</legend>${colourField(v, 'background', val('background'), e)}${colourField(v, 'text', val('text'), e)}${pairContrast(v.lang, val('text'), val('background'))}</fieldset>
</fieldset>
<div class="actions"><button type="submit">${w.submit}</button></div>
</form>`;
}

/** Each bank, whether it shows its own branding or the enterprise's, and the link to its page. */
export function banksTable(lang: PageLanguage, banks: z.infer<typeof EnterpriseBrandingReply>['banks']): SafeHtml {
  const w = BRANDING_WORDS[lang];
  if (banks.length === 0) return html`<p class="muted">${w.noBanks}</p>`;
  return html`<table class="data"><caption>${w.banksCaption}</caption><thead><tr><th scope="col">${w.bankCol}</th><th scope="col">${w.lookCol}</th></tr></thead><tbody>${banks.map(
    (b) => html`<tr><th scope="row"><a href="/console/branding/banks/${encodeURIComponent(b.bankId)}">${w.edit(b.name)}</a></th><td>${b.override ? w.own : w.inherited}</td></tr>`,
  )}</tbody></table>`;
}

