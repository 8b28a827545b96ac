import type { EventEmitter } from 'node:events';

/** Languages the kiosk speaks. */
export type SpeechLang = 'en' | 'fr';

export interface AudioEventMap {
  /** Playback of an utterance or tone started / ended (ended also when stopped). */
  started: [{ kind: 'speech' | 'tone'; text?: string }];
  ended: [{ kind: 'speech' | 'tone'; interrupted: boolean }];
}

/** Audio output on the kiosk's 3.5 mm jack. */
export interface AudioOut extends EventEmitter<AudioEventMap> {
  /** Speaks `text` in `lang`; resolves when done or stopped. A new call interrupts the current one. */
  speak(text: string, lang: SpeechLang): Promise<void>;
  /** Plays a short tone (digit echo, confirmation). `freqHz` 200..4000, `ms` 10..2000. */
  tone(freqHz: number, ms: number): Promise<void>;
  /** Stops whatever is playing now. */
  stop(): Promise<void>;
  /** Output volume 0..100. */
  setVolume(volume: number): Promise<void>;
  /** Current volume 0..100. */
  readonly volume: number;
}
