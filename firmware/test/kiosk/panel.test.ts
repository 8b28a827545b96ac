// The kiosk display, keypad and touch layer as HAL ports: what a person presses and touches on the hardware reaches
// the engine, and the display is given each page as text in the session language.
import t from 'tap';
import { RecordingDisplay, VirtualKeypad, VirtualTouch } from '@portier/sim';
import { attachKioskPanel } from '../../src/kiosk/panel.ts';
import { CODES, createKiosk } from './helpers.ts';

async function panel(t: Parameters<typeof createKiosk>[0], opts: Parameters<typeof createKiosk>[1] = {}) {
  const k = createKiosk(t, opts);
  const display = new RecordingDisplay();
  const keypad = new VirtualKeypad();
  const touch = new VirtualTouch();
  await Promise.all([keypad.open(), touch.open()]);
  const detach = attachKioskPanel(k.engine, { display, keypad, touch });
  const settled = (): Promise<void> => k.engine.settled();
  return { k, display, keypad, touch, detach, settled };
}

t.test('the display shows the page at once, in text, and every page after', async (t) => {
  const { display, keypad, settled } = await panel(t);
  t.match(display.current, { page: 'home', title: 'Welcome', lang: 'en' });
  t.match(display.current?.lines.join('\n'), /Type your pickup code/);
  keypad.press('enter');
  await settled();
  t.equal(display.current?.page, 'menu');
  const french = display.current?.options.find((o) => o.label === 'Français');
  t.ok(french, 'options come as labels with the id to touch');
});

t.test('keys typed on the keypad open the lockers; the code is never given to the display in clear', async (t) => {
  const { k, display, keypad, touch, settled } = await panel(t, { rules: { openAllAtOnce: true } });
  for (const ch of CODES.pickup) keypad.press(ch as '0');
  await settled();
  t.match(display.current?.input, { masked: true, length: CODES.pickup.length });
  t.notOk(JSON.stringify(display.views).includes(CODES.pickup), 'the code never reached the display');
  keypad.press('enter');
  await settled();
  t.same(k.doors.unlocked, [2, 3]);
  t.equal(display.current?.page, 'pickup');
  t.match(display.current?.lockers[0], { locker: 12, where: 'locker 12, column 2, third door from the top' });
  const done = display.current?.options[0];
  t.ok(done, 'an option to touch');
  touch.touch({ kind: 'option', id: done!.id });
  await settled();
  t.match(display.notices, [{ text: 'Thank you. Goodbye.', lang: 'en' }]);
  t.equal(display.current?.page, 'home');
});

t.test('touch: back, sign out and text typed on the screen', async (t) => {
  const { k, display, touch, settled } = await panel(t, { rules: { contactless: true, addToExistingLocker: false } });
  await k.engine.badge(CODES.operatorBadge);
  touch.touch({ kind: 'option', id: display.current!.options[0]!.id });
  await settled();
  t.equal(display.current?.page, 'dropoff-tracking');
  touch.touch({ kind: 'text', text: 'TRK-100' });
  await settled();
  t.same(k.doors.unlocked, [4]);
  touch.touch({ kind: 'back' });
  await settled();
  t.equal(display.current?.page, 'staff-menu');
  touch.touch({ kind: 'sign-out' });
  await settled();
  t.equal(display.current?.page, 'home');
});

t.test('a detached or closed panel drives nothing', async (t) => {
  const { k, display, keypad, detach, settled } = await panel(t);
  const shown = display.views.length;
  detach();
  keypad.press('enter');
  await settled();
  t.equal(k.engine.screen.page, 'home');
  t.equal(display.views.length, shown, 'no page drawn after detach');
  await keypad.close();
  t.notOk(keypad.press('enter'), 'a closed keypad delivers nothing');
});
