// The kiosk's display, keypad and touch ports (the HAL's) as the browser page drives them: the display keeps the view
// shown and hands every change to the page's connections; keys and touches from the page leave as the ports' events,
// which the kiosk panel turns into engine commands like those of any other keypad or touch layer.
import { EventEmitter } from 'node:events';
import type { DisplayView, KioskDisplay } from '../hal/display.ts';
import type { Keypad, KeypadEventMap } from '../hal/keypad.ts';
import type { TouchInput, TouchInputEventMap } from '../hal/touch.ts';
import type { Lang } from '../i18n/index.ts';
import { screenWords, type ScreenInput, type ScreenNoticeEvent, type ScreenViewEvent } from './screen-messages.ts';

class PageKeypad extends EventEmitter<KeypadEventMap> implements Keypad {
  async open(): Promise<void> {}
  async close(): Promise<void> {}
}

class PageTouch extends EventEmitter<TouchInputEventMap> implements TouchInput {
  async open(): Promise<void> {}
  async close(): Promise<void> {}
}

export interface ScreenPortsEvents {
  view: [ScreenViewEvent];
  notice: [ScreenNoticeEvent];
}

/** What a touch from the page became. */
export type InputOutcome = { ok: true } | { ok: false; stale: true; seq: number };

export class ScreenPorts extends EventEmitter<ScreenPortsEvents> {
  readonly keypad: Keypad = new PageKeypad();
  readonly touch: TouchInput = new PageTouch();
  readonly display: KioskDisplay;
  private seq = 0;
  private pageSeq = 0;
  private last: ScreenViewEvent | undefined;

  constructor(private readonly blankInAudioMode: boolean) {
    super();
    this.display = {
      show: (view) => this.show(view),
      notice: (text, lang) => void this.emit('notice', { text, lang }),
    };
  }

  /** The view on screen now (what a page that just connected draws first). */
  get current(): ScreenViewEvent | undefined {
    return this.last;
  }

  private show(view: DisplayView): void {
    this.seq++;
    if (view.change === 'page' || view.page !== this.last?.view.page) this.pageSeq = this.seq;
    const lang: Lang = view.lang;
    const blank = this.blankInAudioMode && view.audio;
    this.last = {
      seq: this.seq,
      pageSeq: this.pageSeq,
      // A blank screen is given nothing of the session to draw, not only told to hide it.
      view: blank ? { page: view.page, change: view.change, lang, audio: true, title: '', lines: [], options: [], lockers: [] } : view,
      blank,
      words: screenWords(lang),
      otherLang: lang === 'en' ? 'fr' : 'en',
    };
    this.emit('view', this.last);
  }

  /** A touch or key from the page, made on view `seq`: refused when that page is no longer the one shown. */
  input(i: ScreenInput): InputOutcome {
    if (i.seq < this.pageSeq) return { ok: false, stale: true, seq: this.seq };
    if (i.kind === 'key') this.keypad.emit('key', i.key);
    else if (i.kind === 'option') this.touch.emit('touch', { kind: 'option', id: i.id });
    else if (i.kind === 'text') this.touch.emit('touch', { kind: 'text', text: i.text });
    else this.touch.emit('touch', { kind: i.kind });
    return { ok: true };
  }
}
