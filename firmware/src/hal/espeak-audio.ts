import { EventEmitter } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AudioEventMap, AudioOut, SpeechLang } from './audio.ts';
import { silentLogger, type Logger } from '../util/logger.ts';

export interface EspeakAudioOptions {
  /**
   * Where sound goes. `alsa`: the 3.5 mm jack through ALSA (`espeak-ng -d device`, sox `play`
   * with `AUDIODEV`). `file`: each utterance/tone is written as a WAV file in `dir` (tests, or a
   * board without a sound card), named `NNNN-speech-en.wav` / `NNNN-tone.wav`.
   */
  sink?: { kind: 'alsa'; device?: string } | { kind: 'file'; dir: string };
  /** Binaries, for boards that install them elsewhere. */
  espeakBin?: string;
  soxBin?: string;
  playBin?: string;
  /** Words per minute. Default 160 (a little slower than espeak's 175, for clarity). */
  wordsPerMinute?: number;
  /** Starting volume 0..100. Default 70. */
  volume?: number;
  logger?: Logger;
}

/** espeak-ng voice per session language. */
const VOICES: Record<SpeechLang, string> = { en: 'en', fr: 'fr' };

/**
 * `AudioOut` that speaks with `espeak-ng` (English and French voices) and plays tones with sox.
 *
 * Each utterance is a child process; a new `speak`/`tone` or `stop()` kills the current one
 * (interruptible prompts). Volume maps to espeak's amplitude `-a` (0..200, 100 = espeak's
 * default at volume 50) and to sox's `vol` factor. A missing binary is logged once and the call
 * resolves: a kiosk without speech must keep serving sighted users, not crash.
 */
export class EspeakAudioOut extends EventEmitter<AudioEventMap> implements AudioOut {
  private vol: number;
  private readonly opts: EspeakAudioOptions;
  private readonly log: Logger;
  private current: { child: ChildProcess; kind: 'speech' | 'tone'; killed: boolean } | undefined;
  private seq = 0;
  private readonly missing = new Set<string>();
  /** Files written in `file` mode, oldest first. */
  readonly files: string[] = [];

  constructor(opts: EspeakAudioOptions = {}) {
    super();
    this.opts = opts;
    this.vol = opts.volume ?? 70;
    this.log = (opts.logger ?? silentLogger).child({ module: 'hal/espeak-audio' });
  }

  get volume(): number {
    return this.vol;
  }

  async setVolume(volume: number): Promise<void> {
    if (!(volume >= 0 && volume <= 100)) throw new RangeError(`volume ${volume} outside 0..100`);
    this.vol = Math.round(volume);
  }

  speak(text: string, lang: SpeechLang): Promise<void> {
    const voice = VOICES[lang];
    if (!voice) throw new RangeError(`unsupported language ${String(lang)}`);
    const bin = this.opts.espeakBin ?? 'espeak-ng';
    const args = ['-v', voice, '-a', String(Math.round(this.vol * 2)), '-s', String(this.opts.wordsPerMinute ?? 160)];
    const sink = this.opts.sink ?? { kind: 'alsa' };
    if (sink.kind === 'file') args.push('-w', this.nextFile(sink.dir, `speech-${lang}`));
    else if (sink.device) args.push('-d', sink.device);
    // `--` so a prompt starting with "-" is never read as an option.
    args.push('--', text);
    return this.run(bin, args, 'speech', text);
  }

  tone(freqHz: number, ms: number): Promise<void> {
    if (!(freqHz >= 200 && freqHz <= 4000)) throw new RangeError(`tone ${freqHz} Hz outside 200..4000`);
    if (!(ms >= 10 && ms <= 2000)) throw new RangeError(`tone ${ms} ms outside 10..2000`);
    const sink = this.opts.sink ?? { kind: 'alsa' };
    const synth = ['synth', (ms / 1000).toFixed(3), 'sine', String(Math.round(freqHz)), 'vol', (this.vol / 100).toFixed(2)];
    if (sink.kind === 'file') {
      return this.run(this.opts.soxBin ?? 'sox', ['-q', '-n', '-r', '22050', this.nextFile(sink.dir, 'tone'), ...synth], 'tone');
    }
    const env = sink.device ? { ...process.env, AUDIODEV: sink.device } : process.env;
    return this.run(this.opts.playBin ?? 'play', ['-q', '-n', ...synth], 'tone', undefined, env);
  }

  async stop(): Promise<void> {
    this.killCurrent();
  }

  private nextFile(dir: string, what: string): string {
    const file = join(dir, `${String(++this.seq).padStart(4, '0')}-${what}.wav`);
    this.files.push(file);
    return file;
  }

  private killCurrent(): void {
    const c = this.current;
    if (!c) return;
    c.killed = true;
    c.child.kill('SIGTERM');
  }

  private run(bin: string, args: string[], kind: 'speech' | 'tone', text?: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    this.killCurrent();
    if (this.missing.has(bin)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
      } catch (err) {
        this.log.error({ err, bin }, 'cannot start audio process');
        resolve();
        return;
      }
      const entry = { child, kind, killed: false };
      this.current = entry;
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      let settled = false;
      const finish = (interrupted: boolean): void => {
        if (settled) return;
        settled = true;
        if (this.current === entry) this.current = undefined;
        this.emit('ended', { kind, interrupted });
        resolve();
      };
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          this.missing.add(bin);
          this.log.error({ bin }, `${bin} is not installed: audio prompts are silent`);
        } else this.log.error({ err, bin }, 'audio process failed');
        finish(false);
      });
      child.on('spawn', () => this.emit('started', text === undefined ? { kind } : { kind, text }));
      child.on('exit', (code, signal) => {
        if (code !== 0 && !entry.killed) this.log.warn({ bin, code, signal, stderr: stderr.trim() }, 'audio process ended with an error');
        finish(entry.killed);
      });
    });
  }
}
