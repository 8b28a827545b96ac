import { EventEmitter } from 'node:events';
import type { AudioEventMap, AudioOut, SpeechLang } from '@portier/firmware/hal';
import { keepLast } from '../recording.ts';

/** One thing the kiosk's jack played (or was told), in order. */
export type AudioRecord =
  | { kind: 'speech'; text: string; lang: SpeechLang; volume: number; at: number; interrupted: boolean }
  | { kind: 'tone'; freqHz: number; ms: number; volume: number; at: number; interrupted: boolean }
  | { kind: 'stop'; at: number }
  | { kind: 'volume'; volume: number; at: number };

export interface RecordingAudioOptions {
  /** Simulated speaking time per character, ms. Default 10 (an utterance is not instant, so it can be interrupted). */
  msPerChar?: number;
  /** Starting volume 0..100. Default 70. */
  volume?: number;
}

/**
 * An `AudioOut` that records what was spoken, in which language, tones, volume changes and
 * interruptions (the last RECORDED_KEPT), taking simulated time (setTimeout: fake timers drive it).
 * As strict as the real adapter: out-of-range tone or volume values throw `RangeError`.
 */
export class RecordingAudioOut extends EventEmitter<AudioEventMap> implements AudioOut {
  readonly records: AudioRecord[] = [];
  private vol: number;
  private readonly msPerChar: number;
  private playing: { record: Extract<AudioRecord, { interrupted: boolean }>; timer: NodeJS.Timeout; done: () => void } | undefined;

  constructor(opts: RecordingAudioOptions = {}) {
    super();
    this.msPerChar = opts.msPerChar ?? 10;
    this.vol = opts.volume ?? 70;
  }

  get volume(): number {
    return this.vol;
  }

  /** Whether something is playing now. */
  get busy(): boolean {
    return this.playing !== undefined;
  }

  /** Texts spoken so far (optionally only in `lang`). */
  spoken(lang?: SpeechLang): string[] {
    return this.records.flatMap((r) => (r.kind === 'speech' && (lang === undefined || r.lang === lang) ? [r.text] : []));
  }

  /** Tones played so far. */
  tones(): Array<{ freqHz: number; ms: number }> {
    return this.records.flatMap((r) => (r.kind === 'tone' ? [{ freqHz: r.freqHz, ms: r.ms }] : []));
  }

  speak(text: string, lang: SpeechLang): Promise<void> {
    if (lang !== 'en' && lang !== 'fr') throw new RangeError(`unsupported language ${String(lang)}`);
    return this.play({ kind: 'speech', text, lang, volume: this.vol, at: Date.now(), interrupted: false }, Math.max(1, text.length * this.msPerChar));
  }

  tone(freqHz: number, ms: number): Promise<void> {
    if (!(freqHz >= 200 && freqHz <= 4000)) throw new RangeError(`tone ${freqHz} Hz outside 200..4000`);
    if (!(ms >= 10 && ms <= 2000)) throw new RangeError(`tone ${ms} ms outside 10..2000`);
    return this.play({ kind: 'tone', freqHz, ms, volume: this.vol, at: Date.now(), interrupted: false }, ms);
  }

  async stop(): Promise<void> {
    keepLast(this.records, { kind: 'stop', at: Date.now() });
    this.interrupt();
  }

  async setVolume(volume: number): Promise<void> {
    if (!(volume >= 0 && volume <= 100)) throw new RangeError(`volume ${volume} outside 0..100`);
    this.vol = Math.round(volume);
    keepLast(this.records, { kind: 'volume', volume: this.vol, at: Date.now() });
  }

  private play(record: Extract<AudioRecord, { interrupted: boolean }>, durationMs: number): Promise<void> {
    this.interrupt(); // a new prompt interrupts the current one
    keepLast(this.records, record);
    return new Promise<void>((resolve) => {
      const done = (): void => resolve();
      const timer = setTimeout(() => {
        this.playing = undefined;
        this.emit('ended', { kind: record.kind, interrupted: false });
        resolve();
      }, durationMs);
      this.playing = { record, timer, done };
      this.emit('started', record.kind === 'speech' ? { kind: 'speech', text: record.text } : { kind: 'tone' });
    });
  }

  private interrupt(): void {
    const p = this.playing;
    if (!p) return;
    this.playing = undefined;
    clearTimeout(p.timer);
    p.record.interrupted = true;
    this.emit('ended', { kind: p.record.kind, interrupted: true });
    p.done();
  }
}
