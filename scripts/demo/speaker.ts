// The demo's kiosk speaks through the machine's own speaker when it has one: what the simulated kiosk's audio jack
// plays (recorded by the simulator) is played again by espeak-ng and sox through ALSA. Without a sound card or
// espeak-ng the demo stays silent, and the transcript on the terminal kiosk is the only way to follow the audio.
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EspeakAudioOut, type AudioOut, type SpeechLang } from '@portier/firmware/hal';

export interface SpeakerProbe {
  /** ALSA's list of sound cards. */
  cardsFile?: string;
  /** Folders searched for the binaries (default: PATH). */
  path?: string;
  /** PORTIER_DEMO_SPEAKER: `0` never plays, `1` plays even where no card is listed. */
  setting?: string;
}

export type SpeakerChoice = { play: true } | { play: false; why: string };

function onPath(bin: string, path: string): boolean {
  return path.split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
}

/** Whether the demo can play the kiosk's audio here, and if not, why (printed for the person running it). */
export function probeSpeaker(p: SpeakerProbe = {}): SpeakerChoice {
  if (p.setting === '0') return { play: false, why: 'PORTIER_DEMO_SPEAKER=0' };
  const path = p.path ?? process.env.PATH ?? '';
  if (!onPath('espeak-ng', path)) return { play: false, why: 'espeak-ng is not installed' };
  if (p.setting === '1') return { play: true };
  let cards = '';
  try {
    cards = readFileSync(p.cardsFile ?? '/proc/asound/cards', 'utf8');
  } catch {
    return { play: false, why: 'this machine has no sound card' };
  }
  // ALSA lists each card as " 0 [PCH            ]: HDA-Intel - ..."; with none it says "--- no soundcards ---".
  return /^\s*\d+\s+\[/m.test(cards) ? { play: true } : { play: false, why: 'this machine has no sound card' };
}

/** What a recording audio jack reports: each utterance or tone as it starts. */
export interface AudioRecordSource {
  on(event: 'started', listener: (e: { kind: 'speech' | 'tone'; text?: string }) => void): unknown;
  readonly records: ReadonlyArray<{ kind: string; lang?: SpeechLang; freqHz?: number; ms?: number }>;
}

/** Plays on `speaker` what `source` plays, as it plays it. */
export function mirrorAudio(source: AudioRecordSource, speaker: AudioOut): void {
  source.on('started', (e) => {
    // The record of what just started is the newest one of its kind.
    const rec = [...source.records].reverse().find((r) => r.kind === e.kind);
    if (e.kind === 'speech' && e.text) void speaker.speak(e.text, rec?.lang ?? 'en').catch(() => undefined);
    else if (e.kind === 'tone' && rec?.freqHz && rec.ms) void speaker.tone(rec.freqHz, rec.ms).catch(() => undefined);
  });
}

/** The machine's speaker through ALSA. */
export function machineSpeaker(): AudioOut {
  return new EspeakAudioOut({ sink: { kind: 'alsa' } });
}
