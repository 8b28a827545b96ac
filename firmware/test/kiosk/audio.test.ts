import t from 'tap';
import { translate } from '../../src/i18n/index.ts';
import { AudioAssistant, speechFor } from '../../src/kiosk/audio/assistant.ts';
import type { KeypadKey, ScreenView } from '../../src/kiosk/view.ts';
import { CODES, RecordingAudio, createKiosk, type Kiosk, type KioskOptions } from './helpers.ts';

function withAudio(t: { teardown(fn: () => unknown): void }, opts: KioskOptions = {}): Kiosk & { audio: RecordingAudio; assistant: AudioAssistant } {
  const k = createKiosk(t, opts);
  const audio = new RecordingAudio();
  const assistant = new AudioAssistant({ engine: k.engine, audio });
  t.teardown(() => assistant.close());
  return Object.assign(k, { audio, assistant });
}

/** The key that selects option `id` on the current screen (what a blind user hears: "Press 3 for ..."). */
function keyFor(k: Kiosk, id: string): KeypadKey {
  const o = k.engine.screen.options.find((x) => x.id === id);
  if (!o?.key) throw new Error(`no key for ${id} on ${k.engine.screen.page}`);
  return o.key;
}

t.test('a blind user picks up with headphones and the keypad only, in French, every step spoken, digits as tones', async (t) => {
  const k = withAudio(t, { rules: { openAllAtOnce: false } });
  const pages: ScreenView[] = [];
  k.engine.on('screen', (v) => {
    if (v.change === 'page') pages.push(v);
  });

  t.equal(k.audio.spoken.length, 0, 'silent without headphones');
  await k.engine.headphones(true);
  t.match(k.audio.spoken.at(-1), { lang: 'en', text: /Audio mode is on\..*Welcome\..*Type your pickup code/ });

  // Home -> services menu (enter alone) -> French.
  await k.press('enter');
  t.match(k.audio.spoken.at(-1)?.text, /Press 4 for Français\./);
  await k.press(keyFor(k, 'language'));
  t.match(k.audio.spoken.at(-1), { lang: 'fr', text: /La borne parle maintenant français\..*Tapez votre code de retrait/ });

  // The code: one identical tone per digit and nothing spoken.
  const spokenBefore = k.audio.spoken.length;
  const logBefore = k.audio.log.length;
  await k.type(CODES.pickup, false);
  const typed = k.audio.log.slice(logBefore);
  t.equal(typed.length, CODES.pickup.length, 'one sound per digit');
  t.ok(typed.every((e) => e.kind === 'tone'), 'digits are tones');
  t.equal(new Set(typed.map((e) => (e.kind === 'tone' ? `${e.freqHz}/${e.ms}` : ''))).size, 1, 'all digits sound the same');
  t.equal(k.audio.spoken.length, spokenBefore, 'no digit spoken');

  await k.press('enter');
  t.same(k.doors.unlocked, [2]);
  const opened = k.audio.spoken.at(-1);
  t.equal(opened?.lang, 'fr');
  t.match(opened?.text, /Ouvert : casier 12, colonne 2, troisième porte en partant du haut\./);
  t.match(opened?.text, /Appuyez sur 2 pour Ouvrir le casier suivant\./);

  await k.press(keyFor(k, 'next'));
  t.same(k.doors.unlocked, [2, 3]);
  t.match(k.audio.spoken.at(-1)?.text, /casier 13, colonne 2, première porte en partant du haut/);

  // Repeat says the page again; stop interrupts; volume changes.
  const n = k.audio.spoken.length;
  await k.press('repeat');
  t.equal(k.audio.spoken.length, n + 1);
  t.equal(k.audio.spoken.at(-1)?.text, k.audio.spoken.at(-2)?.text);
  await k.press('stop');
  t.match(k.audio.log.at(-1), { kind: 'stop' });
  await k.press('volume-up', 'volume-up');
  t.equal(k.audio.volume, 70);
  await k.press('volume-down');
  t.equal(k.audio.volume, 60);
  t.equal(k.engine.screen.page, 'pickup', 'audio keys change nothing in the session');

  k.doors.close(2);
  k.doors.close(3);
  await k.engine.settled();
  t.match(k.audio.spoken.at(-1)?.text, /Appuyez sur \d pour Rouvrir mon casier/, 'the new choice is spoken');
  await k.press(keyFor(k, 'done'));
  await new Promise((r) => setImmediate(r));
  const tail = k.audio.spoken.slice(-2);
  t.match(tail[0], { lang: 'fr', text: 'Merci. Au revoir.' }, 'goodbye in the session language');
  t.match(tail[1], { lang: 'en', text: /Welcome/ }, 'then home for the next person, after the goodbye');

  // Every page of the session was spoken, in the session's language.
  for (const p of pages) {
    const title = translate(p.title, p.lang);
    t.ok(k.audio.spoken.some((s) => s.lang === p.lang && s.text.includes(title)), `page ${p.page} (${p.lang}) spoken`);
  }
  t.notOk(k.audio.spoken.some((s) => s.text.includes(CODES.pickup)), 'the code never spoken');
  t.equal(k.sink.transactions('pickup').length, 2);
});

t.test('errors and input checks are spoken; a wrong code is not echoed', async (t) => {
  const k = withAudio(t);
  await k.engine.headphones(true);
  await k.type('55', false);
  await k.press('clear');
  t.match(k.audio.spoken.at(-1)?.text, /Input cleared\./);
  await k.type('123456');
  t.match(k.audio.spoken.at(-1)?.text, /^This code is not valid/);
  t.notOk(k.audio.spoken.some((s) => s.text.includes('123456')));
  for (let i = 0; i < 3; i++) await k.type('123456');
  await k.type('123456');
  t.match(k.audio.spoken.at(-1)?.text, /Please wait 1 seconds/);
});

t.test('a door left open is spoken in audio mode', async (t) => {
  const k = withAudio(t, { timers: { doorLeftOpenS: 20, returnHomeAfterPickupS: 10 } });
  await k.engine.headphones(true);
  await k.engine.setLanguage('fr');
  await k.type(CODES.pickup);
  await k.tick(20_000);
  t.ok(k.audio.spoken.some((s) => s.lang === 'en' && s.text.includes('Please close locker 12, column 2, third door from the top')), 'warned (home is back in English)');
  t.equal(k.sink.ofType('door-left-open').length, 1);
});

t.test('unplugging the headphones ends audio mode', async (t) => {
  const k = withAudio(t);
  await k.engine.headphones(true);
  await k.engine.headphones(false);
  t.match(k.audio.log.at(-1), { kind: 'stop' });
  const n = k.audio.log.length;
  await k.type('12', false);
  await k.press('enter');
  t.equal(k.audio.log.length, n, 'silent again');
});

t.test('staff and storage pages speak their options by key and render with every parameter filled', async (t) => {
  const k = withAudio(t);
  const screens: ScreenView[] = [];
  k.engine.on('screen', (v) => screens.push(v));
  await k.engine.headphones(true);
  await k.engine.badge(CODES.operatorBadge);
  t.match(k.audio.spoken.at(-1)?.text, /Signed in as operator\..*Press 1 for Drop off a package\./);
  await k.engine.select('no-barcode');
  t.match(k.audio.spoken.at(-1)?.text, /Press 1 for small locker, 1 free\./);
  await k.engine.select('size-S');
  await k.engine.signOut();
  await k.press('enter');
  await k.engine.select('storage');
  await k.engine.select('size-M');
  await k.engine.select('chosen');
  await k.type('2');
  await k.type('8642');
  await k.type('8642');
  t.match(k.audio.spoken.at(-1)?.text, /Your storage ends at 11:00\./);
  for (const v of screens) {
    for (const lang of ['en', 'fr'] as const) {
      const text = speechFor({ ...v, lang });
      t.notMatch(text, /\{\w+\}/, `${v.page} in ${lang}: no unfilled parameter`);
    }
  }
});
