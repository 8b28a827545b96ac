// What the kiosk screen's page and the controller say to each other, both ways. The page is drawn from these alone:
// every text arrives in the session language, so the page holds no message catalogue.
import { z } from 'zod';
import type { BrandColours, LogoType } from '@portier/protocol';
import type { DisplayView } from '../hal/display.ts';
import { KEYPAD_KEYS, type KeypadKey } from '../hal/keypad.ts';
import { translate, type Lang, type MessageKey } from '../i18n/index.ts';

/**
 * A touch or key press from the page. `seq` is the view it was made on: a touch made on a page that has since been
 * replaced (the inactivity timer went home, a door event moved on) is refused, never applied to the new page.
 */
export const screenInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('key'), key: z.enum(KEYPAD_KEYS as [KeypadKey, ...KeypadKey[]]), seq: z.number().int().min(0) }),
  z.strictObject({ kind: z.literal('option'), id: z.string().min(1).max(64), seq: z.number().int().min(0) }),
  z.strictObject({ kind: z.literal('back'), seq: z.number().int().min(0) }),
  z.strictObject({ kind: z.literal('sign-out'), seq: z.number().int().min(0) }),
  z.strictObject({ kind: z.literal('text'), text: z.string().max(200), seq: z.number().int().min(0) }),
]);
export type ScreenInput = z.infer<typeof screenInputSchema>;

/** The page's own words (keys, states), in the view's language. */
export const SCREEN_WORDS = {
  keypad: 'screen.keypad',
  keyboard: 'screen.keyboard',
  clear: 'screen.key.clear',
  enter: 'screen.key.enter',
  delete: 'screen.key.delete',
  space: 'screen.key.space',
  entry: 'screen.entry',
  typed: 'screen.entry.typed',
  lockers: 'screen.lockers',
  options: 'screen.options',
  wait: 'screen.wait',
  waitMinutes: 'screen.waitMinutes',
  connecting: 'screen.connecting',
  blank: 'screen.blank',
} as const satisfies Record<string, MessageKey>;
export type ScreenWords = Record<keyof typeof SCREEN_WORDS, string>;

/** Each language's words, rendered once: every view (each key touched) carries them. */
const wordsOf = new Map<Lang, ScreenWords>();

/** `{count}`, `{seconds}` and `{minutes}` stay in the text (a placeholder without its parameter is kept): the page fills them in. */
export function screenWords(lang: Lang): ScreenWords {
  let out = wordsOf.get(lang);
  if (!out) {
    out = {} as ScreenWords;
    for (const [name, key] of Object.entries(SCREEN_WORDS) as Array<[keyof ScreenWords, MessageKey]>) out[name] = translate({ key }, lang);
    wordsOf.set(lang, out);
  }
  return out;
}


/** One `view` event: the page to draw. */
export interface ScreenViewEvent {
  /** Counts every view sent; what a touch names as the view it was made on. */
  seq: number;
  /** The seq of the first view of the page shown (a touch older than it is stale). */
  pageSeq: number;
  view: DisplayView;
  /** Audio mode with `blankInAudioMode`: nothing of the session is drawn. */
  blank: boolean;
  words: ScreenWords;
  /** The other language of the two, for the page to mark the switch to it (`lang` of the option). */
  otherLang: Lang;
}

/** One `branding` event: colours (each pair readable, checked by the cloud) and the logo's address on this server. */
export interface ScreenBrandingEvent {
  colours?: BrandColours;
  logo?: { url: string; type: LogoType };
}

/** One `notice` event: a goodbye between two sessions. */
export interface ScreenNoticeEvent {
  text: string;
  lang: Lang;
}
