import { en, type MessageKey } from './en.ts';
import { fr } from './fr.ts';

export type { MessageKey } from './en.ts';

/** Languages of a kiosk session. */
export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];

/** A parameter of a message: plain text, a number, an ordinal to render in the session language, or another message. */
export type MessageParam = string | number | { ordinal: number } | MessageRef;

/** A message by key with its parameters: what the kiosk engine emits; rendering is the screen's or the voice's job. */
export interface MessageRef {
  key: MessageKey;
  params?: Record<string, MessageParam>;
}

export const catalogues: Record<Lang, Record<MessageKey, string>> = { en, fr };

/** Every key of the catalogues (the English one is the reference). */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

export function msg(key: MessageKey, params?: Record<string, MessageParam>): MessageRef {
  return params ? { key, params } : { key };
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

const EN_ORDINALS = [
  'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth',
  'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth',
  'nineteenth', 'twentieth',
];
// Feminine: the only French ordinal we speak qualifies "porte" (door).
const FR_ORDINALS = [
  'première', 'deuxième', 'troisième', 'quatrième', 'cinquième', 'sixième', 'septième', 'huitième', 'neuvième',
  'dixième', 'onzième', 'douzième', 'treizième', 'quatorzième', 'quinzième', 'seizième', 'dix-septième',
  'dix-huitième', 'dix-neuvième', 'vingtième',
];

/** "third" / "troisième"; past twenty, "21st" / "21e". */
export function ordinal(lang: Lang, n: number): string {
  const words = lang === 'fr' ? FR_ORDINALS : EN_ORDINALS;
  const word = words[n - 1];
  if (word) return word;
  if (lang === 'fr') return `${n}e`;
  const mod100 = n % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function renderParam(p: MessageParam, lang: Lang): string {
  if (typeof p === 'string') return p;
  if (typeof p === 'number') return String(p);
  if ('ordinal' in p) return ordinal(lang, p.ordinal);
  return translate(p, lang);
}

/** The text of a message in `lang`. An unknown parameter is left as `{name}` so a test can spot it. */
export function translate(ref: MessageRef, lang: Lang): string {
  const template = catalogues[lang][ref.key] ?? ref.key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const p = ref.params?.[name];
    return p === undefined ? whole : renderParam(p, lang);
  });
}

/** Placeholders a template uses (for the catalogue tests). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();
}

/** "locker 12, column 2, third door from the top" as a message. */
export function lockerWhere(where: { locker: number; column: number; fromTop: number }): MessageRef {
  return msg('locker.where', { locker: where.locker, column: where.column, position: { ordinal: where.fromTop } });
}
