/** Dates, times and numbers as the console shows them, in the viewer's language and the server's time zone. */
import type { PageLanguage } from '../http/pages/i18n.ts';

const LOCALES: Record<PageLanguage, string> = { en: 'en-GB', fr: 'fr-FR' };
const dateTimes = new Map<PageLanguage, Intl.DateTimeFormat>();
const dates = new Map<PageLanguage, Intl.DateTimeFormat>();

/** Formatted minutes: a page of a thousand lockers shows many moments of the same few minutes. */
const minuteTexts = new Map<string, string>();

/** A moment, to the minute: "7 Dec 2026, 09:14" / "7 déc. 2026, 09:14". */
export function formatDateTime(lang: PageLanguage, ms: number): string {
  const key = `${lang}${Math.floor(ms / 60_000)}`;
  const known = minuteTexts.get(key);
  if (known !== undefined) return known;
  let f = dateTimes.get(lang);
  if (!f) dateTimes.set(lang, (f = new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeStyle: 'short' })));
  const text = f.format(ms);
  if (minuteTexts.size >= 10_000) minuteTexts.clear();
  minuteTexts.set(key, text);
  return text;
}

/** A day: "7 Dec 2026". */
export function formatDate(lang: PageLanguage, ms: number): string {
  let f = dates.get(lang);
  if (!f) dates.set(lang, (f = new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium' })));
  return f.format(ms);
}

export function formatNumber(lang: PageLanguage, n: number, digits = 0): string {
  return n.toLocaleString(LOCALES[lang], { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
