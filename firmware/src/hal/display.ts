import type { SpeechLang } from './audio.ts';
import type { KeypadKey } from './keypad.ts';

/**
 * One page for the kiosk display, every text already in the session language: a display draws, it knows no message
 * catalogue. `change` says why it was sent: a new page, typed input (a display may redraw the entry line only), or an
 * update of the page shown.
 */
export interface DisplayView {
  page: string;
  change: 'page' | 'input' | 'update';
  lang: SpeechLang;
  /** The audio interface is on (headphones plugged in). */
  audio: boolean;
  title: string;
  lines: string[];
  error?: string;
  warning?: string;
  /** A short answer to what was just typed ("Input cleared"). */
  feedback?: string;
  /** What can be touched; `id` comes back in the touch event, `key` is the keypad key that does the same. */
  options: Array<{ id: string; label: string; key?: KeypadKey }>;
  /** The entry field: masked input (PINs, codes) is never given in clear, only its length. */
  input?: { kind: 'digits' | 'text'; masked: boolean; length: number; value?: string };
  lockers: Array<{ locker: number; state: string; where: string }>;
  /** Who is signed in, if anyone. */
  role?: string;
  /** Sign-in refused until then (ms since the epoch). */
  waitUntil?: number;
}

/** The kiosk's screen. */
export interface KioskDisplay {
  /** Draws `view` in place of the page shown. */
  show(view: DisplayView): void;
  /** A short message outside any page ("Thank you. Goodbye."), in the language of the session it ends. */
  notice(text: string, lang: SpeechLang): void;
}
