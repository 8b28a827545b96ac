import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspeakAudioOut } from '../../../src/hal/espeak-audio.ts';

const has = (bin: string, arg: string): boolean => spawnSync(bin, [arg], { stdio: 'ignore' }).status === 0;
const espeak = has('espeak-ng', '--version');
const sox = has('sox', '--version');

/** RMS amplitude of a WAV file, from `sox FILE -n stat` (printed on stderr). */
function rms(file: string): number {
  const out = spawnSync('sox', [file, '-n', 'stat'], { encoding: 'utf8' });
  const m = /RMS\s+amplitude:\s+([\d.]+)/.exec(out.stderr);
  return m ? Number(m[1]) : NaN;
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'portier-audio-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('speaks English and French with espeak-ng; volume sets the amplitude', { skip: espeak && sox ? false : 'needs espeak-ng and sox' }, async (t) => {
  const dir = tempDir(t);
  const audio = new EspeakAudioOut({ sink: { kind: 'file', dir }, volume: 20 });
  await audio.speak('Your locker is open', 'en');
  await audio.setVolume(90);
  await audio.speak('Votre casier est ouvert', 'fr');
  const [quiet, loud] = audio.files as [string, string];
  t.match(quiet, /speech-en\.wav$/);
  t.match(loud, /speech-fr\.wav$/);
  t.ok(statSync(quiet).size > 10_000, 'English utterance has audio');
  t.ok(statSync(loud).size > 10_000, 'French utterance has audio');
  t.ok(rms(loud) > rms(quiet) * 2, `louder at volume 90 (${rms(loud)}) than at 20 (${rms(quiet)})`);
});

t.test('a tone is written with sox at the asked length', { skip: sox ? false : 'needs sox' }, async (t) => {
  const dir = tempDir(t);
  const audio = new EspeakAudioOut({ sink: { kind: 'file', dir } });
  const ended: boolean[] = [];
  audio.on('ended', (e) => ended.push(e.interrupted));
  await audio.tone(1000, 200);
  const out = spawnSync('sox', [audio.files[0] as string, '-n', 'stat'], { encoding: 'utf8' });
  const len = Number(/Length \(seconds\):\s+([\d.]+)/.exec(out.stderr)?.[1]);
  t.ok(Math.abs(len - 0.2) < 0.01, `200 ms tone (${len} s)`);
  t.same(ended, [false]);
});

t.test('a new prompt interrupts the one speaking (the child is killed)', { skip: espeak ? false : 'needs espeak-ng' }, async (t) => {
  const dir = tempDir(t);
  // Very slow speech so the first utterance is still running when the second starts.
  const audio = new EspeakAudioOut({ sink: { kind: 'file', dir }, wordsPerMinute: 80 });
  const ended: Array<{ kind: string; interrupted: boolean }> = [];
  audio.on('ended', (e) => ended.push(e));
  const started = new Promise<void>((resolve) => audio.once('started', () => resolve()));
  const first = audio.speak('This is a long announcement that nobody will hear to the end because it gets interrupted. '.repeat(8), 'en');
  await started;
  const second = audio.speak('Stop', 'en');
  await Promise.all([first, second]);
  t.same(ended[0], { kind: 'speech', interrupted: true }, 'first prompt reported interrupted');
  t.same(ended[1], { kind: 'speech', interrupted: false });
});

t.test('a missing binary is logged and resolves instead of crashing', async (t) => {
  const audio = new EspeakAudioOut({ espeakBin: '/nonexistent/espeak-ng', playBin: '/nonexistent/play' });
  await audio.speak('hello', 'en');
  await audio.speak('again', 'fr');
  await audio.tone(440, 50);
  t.pass('resolved');
  t.throws(() => audio.tone(10, 50), RangeError);
});
