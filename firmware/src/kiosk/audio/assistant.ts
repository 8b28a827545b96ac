import type { AudioOut } from '../../hal/audio.ts';
import { msg, translate, type Lang, type MessageRef } from '../../i18n/index.ts';
import { silentLogger, type Logger } from '../../util/logger.ts';
import type { KioskEventMap, ScreenView } from '../view.ts';

/** What the assistant needs of the engine: its events (a `KioskEngine` is one). */
export interface AudioEngineSource {
  on<K extends keyof KioskEventMap>(event: K, listener: (...args: KioskEventMap[K]) => void): unknown;
  off<K extends keyof KioskEventMap>(event: K, listener: (...args: KioskEventMap[K]) => void): unknown;
  readonly screen: ScreenView;
}

export interface AudioAssistantOptions {
  engine: AudioEngineSource;
  audio: AudioOut;
  logger?: Logger;
  /** Volume change per key press. Default 10. */
  volumeStep?: number;
  /** The volume keys never go below this level, so nobody turns the kiosk silent for the next person. Default 20. */
  minVolume?: number;
  /**
   * The volume every session starts at (headphones plugged in, or audio switched on by its key): the configured level,
   * never the last person's. Default: the output's volume when the assistant is built (its configured level).
   */
  sessionVolume?: number;
  /** The echo of a typed digit: one short tone, the same for every digit so nothing can be told apart by ear. */
  digitTone?: { freqHz: number; ms: number };
}

/** The spoken text of a screen: error first, then warning, title, lines, entry hint and the options by key. */
export function speechFor(view: ScreenView): string {
  const lang: Lang = view.lang;
  const parts: MessageRef[] = [];
  if (view.feedback) parts.push(view.feedback);
  if (view.error) parts.push(view.error);
  if (view.warning) parts.push(view.warning);
  parts.push(view.title, ...view.lines);
  const t = (r: MessageRef): string => translate(r, lang);
  const text = parts.map(t);
  for (const o of view.options) {
    if (o.key) text.push(t(msg('option.press', { key: o.key, label: o.label })));
  }
  return text.map((s) => s.trim()).filter(Boolean).map((s) => (/[.!?:]$/.test(s) ? s : `${s}.`)).join(' ');
}

/**
 * The audio assistive interface. With headphones plugged in (the engine's audio mode) it speaks every page, input
 * check, error, warning and result in the session language; `repeat` says the page again, `stop` interrupts, the
 * volume keys change the volume. Digits typed are echoed as one neutral tone and never spoken.
 */
export class AudioAssistant {
  private readonly engine: AudioEngineSource;
  private readonly audio: AudioOut;
  private readonly log: Logger;
  private readonly step: number;
  private readonly tone: { freqHz: number; ms: number };
  private readonly minVolume: number;
  private readonly sessionVolume: number;
  private last: { text: string; lang: Lang } | undefined;
  /** An utterance the next one waits for (a goodbye). */
  private hold: Promise<unknown> | undefined;
  private active = false;

  private readonly onScreen = (view: ScreenView): void => {
    if (!view.audio) {
      if (this.active) {
        this.active = false;
        // A session that ends switches audio off (a kiosk without a detect line): its goodbye is still heard.
        const hold = this.hold;
        this.hold = undefined;
        if (!hold) void this.quiet(() => this.audio.stop());
      }
      return;
    }
    if (!this.active) {
      this.active = true;
      // A new person: the volume the previous one chose does not carry over.
      void this.quiet(() => this.audio.setVolume(this.sessionVolume));
    }
    if (view.change === 'input') {
      // Typing only changes a count on screen: the tone already answered the key. Checks such as "Input cleared"
      // come as feedback and are spoken.
      if (view.feedback) this.say(translate(view.feedback, view.lang), view.lang, false);
      return;
    }
    this.say(speechFor(view), view.lang);
  };

  private readonly onKey = ({ key }: { key: string; masked: boolean }): void => {
    if (!this.engine.screen.audio) return;
    if (/^[0-9]$/.test(key)) {
      void this.quiet(() => this.audio.tone(this.tone.freqHz, this.tone.ms));
      return;
    }
    if (key === 'repeat') {
      if (this.last) {
        const { text, lang } = this.last;
        void this.quiet(() => this.audio.speak(text, lang));
      }
    } else if (key === 'stop') {
      this.hold = undefined;
      void this.quiet(() => this.audio.stop());
    } else if (key === 'volume-up' || key === 'volume-down') {
      const v = Math.max(this.minVolume, Math.min(100, this.audio.volume + (key === 'volume-up' ? this.step : -this.step)));
      // The tone plays after the change: the person hears the level they just chose.
      void this.quiet(() => this.audio.setVolume(v).then(() => this.audio.tone(660, 80)));
    }
  };

  private readonly onNotice = ({ message, lang }: KioskEventMap['notice'][0]): void => {
    if (!this.engine.screen.audio) return;
    // The page that follows must not cut the goodbye off: it waits for this utterance.
    this.hold = this.quiet(() => this.audio.speak(translate(message, lang), lang));
  };

  private readonly onWarning = ({ message }: KioskEventMap['warning'][0]): void => {
    const view = this.engine.screen;
    if (!view.audio) return;
    // The screen update that follows repeats the page with the warning first; this makes sure it is heard at once.
    this.say(translate(message, view.lang), view.lang, false);
  };

  constructor(opts: AudioAssistantOptions) {
    this.engine = opts.engine;
    this.audio = opts.audio;
    this.log = (opts.logger ?? silentLogger).child({ module: 'kiosk-audio' });
    this.step = opts.volumeStep ?? 10;
    this.tone = opts.digitTone ?? { freqHz: 880, ms: 60 };
    this.minVolume = Math.min(100, Math.max(1, opts.minVolume ?? 20));
    this.sessionVolume = Math.min(100, Math.max(this.minVolume, opts.sessionVolume ?? this.audio.volume));
    this.engine.on('screen', this.onScreen);
    this.engine.on('key', this.onKey);
    this.engine.on('warning', this.onWarning);
    this.engine.on('notice', this.onNotice);
    this.active = this.engine.screen.audio;
    if (this.active) void this.quiet(() => this.audio.setVolume(this.sessionVolume));
  }

  /** Stops listening and speaking. */
  async close(): Promise<void> {
    this.engine.off('screen', this.onScreen);
    this.engine.off('key', this.onKey);
    this.engine.off('warning', this.onWarning);
    this.engine.off('notice', this.onNotice);
    await this.audio.stop().catch(() => undefined);
  }

  private say(text: string, lang: Lang, remember = true): void {
    if (!text) return;
    if (remember) this.last = { text, lang };
    const hold = this.hold;
    if (hold) {
      this.hold = undefined;
      void this.quiet(() => hold.then(() => this.audio.speak(text, lang)));
      return;
    }
    void this.quiet(() => this.audio.speak(text, lang));
  }

  /** Runs an audio call; a failure (thrown or rejected) is logged, never passed on to the engine. */
  private quiet(fn: () => Promise<unknown>): Promise<void> {
    try {
      return fn().then(
        () => undefined,
        (err: unknown) => this.log.warn({ err }, 'audio output failed'),
      );
    } catch (err) {
      this.log.warn({ err }, 'audio output failed');
      return Promise.resolve();
    }
  }
}
