import t from 'tap';
import sinon from 'sinon';
import { RecordingAudioOut } from '../src/audio/recording-audio.ts';

t.test('records speech with its language, tones, volume and interruptions', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const audio = new RecordingAudioOut({ msPerChar: 10, volume: 60 });
  const ended: Array<{ kind: string; interrupted: boolean }> = [];
  audio.on('ended', (e) => ended.push(e));

  const hello = audio.speak('Enter your pickup code', 'en'); // 22 chars = 220 ms
  await clock.tickAsync(100);
  t.ok(audio.busy);
  const bonjour = audio.speak('Entrez votre code', 'fr'); // interrupts the English prompt
  await hello; // the interrupted prompt resolves
  await clock.tickAsync(200);
  await bonjour;
  await audio.setVolume(90);
  const beep = audio.tone(880, 80);
  await clock.tickAsync(80);
  await beep;
  const long = audio.speak('Door 12 is open', 'en');
  await clock.tickAsync(10);
  await audio.stop();
  await long;

  t.same(audio.spoken(), ['Enter your pickup code', 'Entrez votre code', 'Door 12 is open']);
  t.same(audio.spoken('fr'), ['Entrez votre code']);
  t.same(audio.tones(), [{ freqHz: 880, ms: 80 }]);
  const speech = audio.records.filter((r) => r.kind === 'speech');
  t.same(speech.map((r) => [r.lang, r.interrupted, r.volume]), [['en', true, 60], ['fr', false, 60], ['en', true, 90]]);
  t.same(ended, [
    { kind: 'speech', interrupted: true },
    { kind: 'speech', interrupted: false },
    { kind: 'tone', interrupted: false },
    { kind: 'speech', interrupted: true },
  ]);
  t.ok(audio.records.some((r) => r.kind === 'volume' && r.volume === 90));
  t.ok(audio.records.some((r) => r.kind === 'stop'));
  t.throws(() => audio.tone(50, 100), RangeError, 'as strict as the real adapter');
  await t.rejects(audio.setVolume(101), RangeError);
});
