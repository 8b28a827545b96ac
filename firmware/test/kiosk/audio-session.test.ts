// What a person using the audio interface hears, on the simulator's recording jack (volume of every tone and
// utterance, in order): the volume floor and the confirmation tone, the volume of a new session, keys that keep their
// meaning on the pickup page, the door states spoken and the keys named as printed.
import t from 'tap';
import { RecordingAudioOut, type AudioRecord } from '@portier/sim';
import { translate } from '../../src/i18n/index.ts';
import { AudioAssistant } from '../../src/kiosk/audio/assistant.ts';
import type { KeypadKey } from '../../src/kiosk/view.ts';
import { CODES, createKiosk, renderText, type Kiosk, type KioskOptions } from './helpers.ts';

interface AudioKiosk extends Kiosk {
  audio: RecordingAudioOut;
  /** Records from index `from` on. */
  since(from: number): AudioRecord[];
}

function withJack(t: { teardown(fn: () => unknown): void }, opts: KioskOptions = {}, volume = 60): AudioKiosk {
  const k = createKiosk(t, opts);
  // msPerChar 0 would be refused by nothing, but a real utterance takes time: keep the default and let fake time run.
  const audio = new RecordingAudioOut({ volume });
  const assistant = new AudioAssistant({ engine: k.engine, audio });
  t.teardown(() => assistant.close());
  return Object.assign(k, { audio, since: (from: number) => audio.records.slice(from) });
}

/** Lets the assistant's chained audio calls (set the volume, then the tone) run. */
async function flush(k: Kiosk): Promise<void> {
  await k.tick(0);
}

t.test('the volume keys stop at an audible floor, each step is confirmed by a tone at the new level', async (t) => {
  const k = withJack(t, {}, 60);
  await k.engine.headphones(true);
  await flush(k);
  for (let i = 0; i < 10; i++) {
    const from = k.audio.records.length;
    await k.press('volume-down');
    await flush(k);
    const step = k.since(from);
    const volume = step.find((r) => r.kind === 'volume');
    const tone = step.find((r) => r.kind === 'tone');
    t.ok(volume && volume.kind === 'volume', `step ${i + 1}: the volume was set`);
    t.ok(tone && tone.kind === 'tone', `step ${i + 1}: a tone confirmed it`);
    if (volume?.kind === 'volume' && tone?.kind === 'tone') {
      t.equal(tone.volume, volume.volume, `step ${i + 1}: the tone plays at the new level (${volume.volume})`);
      t.ok(volume.volume >= 20, `step ${i + 1}: never below the audible floor (${volume.volume})`);
    }
  }
  t.equal(k.audio.volume, 20, 'ten steps down from 60 end at the floor, not at 0');
  await k.press('repeat');
  await flush(k);
  const repeated = k.audio.records.filter((r) => r.kind === 'speech').at(-1);
  t.match(repeated, { kind: 'speech', volume: 20 }, 'the page said again is heard');
});

t.test('each new session starts at the configured volume, not the last person\'s', async (t) => {
  const k = withJack(t, {}, 60);
  await k.engine.headphones(true);
  await k.press('volume-up', 'volume-up', 'volume-up');
  await flush(k);
  t.equal(k.audio.volume, 90, 'the first person turned it up');
  await k.engine.headphones(false);
  await flush(k);

  const from = k.audio.records.length;
  await k.engine.headphones(true);
  await flush(k);
  const first = k.since(from).find((r) => r.kind === 'speech');
  t.match(first, { kind: 'speech', volume: 60, text: /Audio mode is on/ }, 'the next person hears the welcome at the configured 60');
  t.equal(k.audio.volume, 60);
});

t.test('on the pickup page a key keeps its meaning when the door shuts: 1 stays "I am done"', async (t) => {
  const k = withJack(t, { rules: { openAllAtOnce: true } });
  await k.engine.headphones(true);
  await k.type(CODES.pickup);
  await flush(k);
  t.match(k.audio.spoken().at(-1), /Press 1 for I am done\./, 'heard while the doors are open');
  const keysWhileOpen = new Map(k.engine.screen.options.map((o) => [o.id, o.key]));

  k.doors.close(2);
  k.doors.close(3);
  await k.engine.settled();
  await flush(k);
  const after = k.audio.spoken().at(-1) ?? '';
  t.match(after, /Press 1 for I am done\./, 'still 1 once the doors are shut');
  t.match(after, /Press 4 for Reopen my locker\./, 'the reopen offer has a key of its own');
  for (const [id, key] of keysWhileOpen) t.equal(k.engine.screen.options.find((o) => o.id === id)?.key, key, `${id} kept key ${key}`);

  // The person presses 1 right after shutting the door, as they were told: the session ends, nothing reopens.
  await k.press('1' as KeypadKey);
  t.same(k.doors.unlocked, [2, 3], 'no door reopened');
  t.equal(k.engine.screen.page, 'home');
  t.equal(k.sink.transactions('reopen').length, 0);
});

t.test('a door that shuts is said so, in the session language, and the French screen names the door state', async (t) => {
  const k = withJack(t, { rules: { openAllAtOnce: false } });
  await k.engine.headphones(true);
  await k.engine.setLanguage('fr');
  await k.type(CODES.pickup);
  await flush(k);
  const open = k.engine.screen;
  t.equal(open.lockers[0]?.state, 'open');
  t.equal(translate(open.lockers[0]!.stateLabel, 'fr'), 'ouvert', 'the state in French for the screen');

  k.doors.close(2);
  await k.engine.settled();
  await flush(k);
  t.match(k.audio.spoken('fr').at(-1), /Le casier 12 est fermé\./, 'the shut door is spoken');
  t.equal(translate(k.engine.screen.lockers.find((l) => l.door === 2)!.stateLabel, 'fr'), 'fermé');
  t.notMatch(renderText(k.engine.screen), /Ouvert : casier 12/, 'no longer shown as open');
});

t.test('a shut door is spoken on the other pages too (drop-off)', async (t) => {
  const k = withJack(t);
  await k.engine.headphones(true);
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('no-barcode');
  await k.engine.select('size-S');
  const door = k.doors.unlocked.at(-1)!;
  t.match(k.audio.spoken().at(-1), /Open now: locker/);
  k.doors.close(door);
  await k.engine.settled();
  await flush(k);
  t.match(k.audio.spoken().at(-1), /Locker \d+ is closed\./);
  t.notMatch(k.audio.spoken().at(-1), /Open now/);
});

t.test('the prompts name the keys as printed on the keypad; the French welcome has the staff badge line', async (t) => {
  const k = withJack(t);
  await k.engine.headphones(true);
  await flush(k);
  const en = k.audio.spoken('en').at(-1) ?? '';
  t.match(en, /Press R to hear this again, S to stop, \+ for louder and - for softer\./);
  t.notMatch(en, /press repeat|the volume keys/i);
  t.match(en, /Staff may present their badge\./);

  await k.press('enter');
  await k.engine.select('language');
  await flush(k);
  const fr = k.audio.spoken('fr').at(-1) ?? '';
  t.match(fr, /Le personnel peut présenter son badge\./, 'the French welcome has the staff badge line');
  t.match(renderText(k.engine.screen), /Le personnel peut présenter son badge\./);
});

t.test('a keypad labelled otherwise is named as labelled', async (t) => {
  const k = withJack(t, { engine: { keyLabels: { repeat: '*', stop: '#' } } });
  await k.engine.headphones(true);
  await flush(k);
  t.match(k.audio.spoken('en').at(-1), /Press \* to hear this again, # to stop, \+ for louder/);
});

t.test('without a detect line: the repeat key switches audio on, the end of the session switches it off', async (t) => {
  const k = withJack(t, { engine: { audioSwitch: 'key' } }, 60);
  t.match(renderText(k.engine.screen), /For spoken help, plug in headphones and press R\./, 'the home page says how');
  t.equal(k.audio.spoken().length, 0, 'quiet until asked');
  await k.press('repeat');
  await flush(k);
  t.equal(k.engine.audioMode, true);
  t.match(k.audio.records.find((r) => r.kind === 'speech'), { volume: 60, text: /Audio mode is on/ });
  await k.press('volume-up');
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.signOut();
  await flush(k);
  t.equal(k.engine.audioMode, false, 'the next person starts with a quiet kiosk');
  t.ok(k.audio.spoken().includes('Thank you. Goodbye.'), 'the goodbye was said');
  t.notOk(k.audio.records.some((r) => r.kind === 'stop'), 'and not cut off');
  await k.press('repeat');
  await flush(k);
  t.match(k.audio.records.filter((r) => r.kind === 'speech').at(-1), { volume: 60, text: /Audio mode is on/ }, 'on again at the configured volume');
});
