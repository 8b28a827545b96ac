// Every page of the kiosk engine drawn on the touch screen in a real Chromium, in English and in French, with the
// states that change a page (an error, the door-left-open warning, the throttling wait, feedback, a notice, audio
// mode, the screen blanked in audio mode, the bank's logo and colours): each one passes axe-core (WCAG 2.x A/AA), has
// touch targets of at least 44x44 CSS px, and shows nothing cut off or overlapping at each display size the screen is
// built for. The kiosk is driven by touches on the page; devices (scanner, keypad, badge reader, doors, headphones)
// and time act on the engine.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../../../scripts/test/contracts/browser.ts';
import type { KioskBranding } from '../../src/branding/index.ts';
import type { Lang } from '../../src/i18n/index.ts';
import type { PageId } from '../../src/kiosk/view.ts';
import { CODES, desiredState } from '../kiosk/helpers.ts';
import { LAYOUTS } from './page-checks.ts';
import { ScreenKiosk, watchDrawnViews } from './screen-kiosk.ts';

/** Every page of the engine, and where the tour below reaches it: a page the engine gains without a check fails. */
const PAGES = {
  home: 'the welcome, waiting for a code',
  menu: 'Enter on an empty code',
  scan: 'the menu\'s "scan a code"',
  'staff-signin': 'the menu\'s staff sign-in',
  'locked-out': 'the tenth wrong code in a row',
  'out-of-order': 'a kiosk without a desired state yet',
  pickup: 'a pickup code',
  reopen: 'the same code again within the grace',
  return: 'a return code',
  exchange: 'an exchange code',
  'staff-menu': 'the staff PIN',
  'dropoff-tracking': 'staff drop-off',
  'dropoff-existing': 'a parcel for a recipient who has a locker already',
  'dropoff-open': 'the drop-off made',
  'choose-size': 'a tracking ID without reservation',
  'rear-shelf': 'the staff menu\'s rear shelf',
  expired: 'the staff menu\'s expired removal',
  service: 'the staff menu\'s service',
  'service-locker': 'a locker number on the service page',
  'storage-size': 'the menu\'s day-use storage',
  'storage-duration': 'a size chosen',
  'storage-hours': 'a chosen time',
  'storage-pin': 'the hours typed',
  'storage-pin-confirm': 'the PIN typed',
  'storage-open': 'the PIN confirmed',
  'storage-active': 'the storage PIN typed at home',
  'storage-ask-end': 'opening a storage without an end',
  'storage-extend': 'extending a storage',
} as const satisfies Record<PageId, string>;

const SHOTS = process.env['SCREEN_SHOTS'];

/** A bank's look as the controller's branding cache holds it: readable colour pairs and a wide logo file. */
async function bankBranding(t: Test): Promise<KioskBranding> {
  const dir = mkdtempSync(join(tmpdir(), 'portier-screen-logo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="120" viewBox="0 0 600 120"><rect width="600" height="120" rx="16" fill="#5b2a86"/><text x="300" y="80" font-size="64" text-anchor="middle" fill="#ffffff">ACME</text></svg>';
  const path = join(dir, 'logo.svg');
  writeFileSync(path, svg);
  return {
    colours: { primary: '#5b2a86', onPrimary: '#ffffff', background: '#fffdf7', text: '#1b1b1b' },
    logo: { path, sha256: createHash('sha256').update(svg).digest('hex'), type: 'image/svg+xml', bytes: Buffer.byteLength(svg) },
  };
}

/** Checks the page drawn now and asserts it is `page`, shows what `shows` finds (the state checked), and passed. */
async function check(t: Test, k: ScreenKiosk, page: PageId, label: string, shows?: string): Promise<void> {
  // First, while it is up: the goodbye goes after a few seconds.
  if (shows) t.ok(await k.shows(shows), `${label}: ${shows} is drawn`);
  const c = await k.check(label);
  t.equal(c.page, page, `${label}: the screen shows ${page}`);
  t.same(c.problems, [], `${c.lang} ${page} (${label}): no axe violation, small target, cut-off or overlap`);
  if (SHOTS) await k.screenshots(SHOTS, `${c.lang}-${page}-${label.replace(/[^a-z0-9]+/gi, '-')}`);
}

/** The staff's pages: drop-off (into the recipient's locker or the reserved one), sizes, shelf, expired, service. */
async function staffPages(t: Test, k: ScreenKiosk, lang: Lang): Promise<void> {
  await k.touchOption('staff');
  await check(t, k, 'staff-signin', 'staff sign-in');
  await k.typeCode(CODES.staffPin);
  await check(t, k, 'staff-menu', 'staff menu');
  await k.touchOption('dropoff');
  await check(t, k, 'dropoff-tracking', 'tracking ID entry');
  await k.typeText('TRK-100');
  await check(t, k, 'dropoff-existing', 'add to the existing locker?');
  // One language adds to the recipient's locker, the other goes back first, then uses the reserved one.
  const door = lang === 'en' ? 2 : 4;
  if (lang === 'fr') {
    await k.touchOption('back');
    await k.touchOption('dropoff');
    await k.device(() => k.engine.scan('TRK-100'));
  }
  await k.touchOption(lang === 'en' ? 'existing' : 'reserved');
  await check(t, k, 'dropoff-open', 'locker open for the drop-off');
  await k.touchOption('reopen');
  await k.device(() => k.doors.close(door));
  await k.touchOption('next');
  await k.device(() => k.engine.scan('NEW-1'));
  await check(t, k, 'dropoff-tracking', 'error: tracking ID unknown', '#error');
  await k.touchOption('choose-size');
  await check(t, k, 'choose-size', 'choose a size');
  await k.touchOption('back');
  await k.touchOption('dropoff');
  await k.touchOption('back');
  await k.touchOption('no-barcode');
  await k.touchOptionOf('size-', 'last');
  const filled = k.doors.unlocked.at(-1)!;
  await k.device(() => k.doors.close(filled));
  await k.touchOption('back');
  await k.touchOption('choose-size');
  await k.touchOption('back');
  await k.touchOption('rear-shelf');
  await check(t, k, 'rear-shelf', 'rear shelf');
  await k.touchOption('back');
  await k.touchOption('remove-expired');
  await check(t, k, 'expired', 'expired packages');
  await k.touchOption('open-all');
  await k.device(() => k.doors.close(9));
  await k.touchOption('back');
  await k.touchOption('service');
  await check(t, k, 'service', 'locker number entry');
  await k.typeCode('20');
  await check(t, k, 'service-locker', 'a locker in service');
  await k.touchOption('set-out');
  await k.touchOption('service');
  await k.keypadCode('20');
  await k.touchOption('set-in');
  await k.touchOption('service');
  await k.touchOption('back');
  await k.touchOption('sign-out');
}

/** The recipient's pages: pickup one locker at a time (or all at once), the door left open, reopen, return, exchange. */
async function recipientPages(t: Test, k: ScreenKiosk, lang: Lang): Promise<void> {
  await k.typeCode(CODES.pickup);
  await check(t, k, 'pickup', 'pickup, one locker of two open', '.lockers [data-locker="12"]');
  await k.device(() => k.doors.emitEvent({ type: 'door-left-open', door: 2, openForMs: 120_000 }));
  await check(t, k, 'pickup', 'warning: door left open', '.warning');
  await k.touchOption('next');
  await k.device(() => k.doors.close(2));
  await k.device(() => k.doors.close(3));
  await k.touchOption('reopen');
  await k.device(() => k.doors.close(2));
  await k.device(() => k.doors.close(3));
  await k.touchOption('done');
  await check(t, k, 'home', 'notice: goodbye', '#notice.shown');
  await k.typeCode(CODES.pickup);
  t.notOk(await k.shows('#notice.shown'), 'the goodbye goes once the next person starts');
  await check(t, k, 'reopen', 'reopen within the grace');
  // One language opens the lockers again, the other is done.
  if (lang === 'en') {
    await k.touchOption('reopen');
    await k.device(() => k.doors.close(2));
    await k.device(() => k.doors.close(3));
  }
  await k.touchOption('done');
  await k.typeCode(CODES.returnCode);
  await check(t, k, 'return', 'locker open for the return');
  await k.device(() => k.doors.close(6));
  await k.touchOption('done');
  await k.typeCode(CODES.exchange);
  await check(t, k, 'exchange', 'locker open for the exchange');
  await k.device(() => k.doors.close(7));
  await k.touchOption('done');
}

/** Day-use storage: one for a chosen time (hours, extend), one without an end (asked whether to end at opening). */
async function storagePages(t: Test, k: ScreenKiosk): Promise<void> {
  await k.touchOption('storage');
  await check(t, k, 'storage-size', 'storage sizes');
  await k.touchOptionOf('size-');
  await check(t, k, 'storage-duration', 'storage durations');
  await k.touchOption('fixed');
  // Back from the PIN is the choice of duration again.
  await k.touchOption('back');
  await k.touchOption('chosen');
  await check(t, k, 'storage-hours', 'storage hours');
  await k.typeCode('3');
  await check(t, k, 'storage-pin', 'storage PIN');
  await k.typeCode('2468');
  await check(t, k, 'storage-pin-confirm', 'storage PIN again');
  await k.typeCode('2468');
  await check(t, k, 'storage-open', 'storage locker open');
  const door = k.doors.unlocked.at(-1)!;
  await k.device(() => k.doors.close(door));
  await k.touchOption('done');
  await k.typeCode('2468');
  await check(t, k, 'storage-active', 'storage running');
  await k.touchOption('extend');
  await check(t, k, 'storage-extend', 'storage extension');
  await k.typeCode('2');
  await k.touchOption('open');
  await k.device(() => k.doors.close(door));
  await k.touchOption('done');

  // The second storage's PIN is typed on the column's keypad.
  await k.touchOption('storage');
  await k.touchOptionOf('size-', 'last');
  await k.touchOption('no-end');
  await k.keypadCode('13579');
  await k.keypadCode('13579');
  const second = k.doors.unlocked.at(-1)!;
  await k.device(() => k.doors.close(second));
  await k.touchOption('done');
  await k.keypadCode('13579');
  await k.touchOption('open');
  await check(t, k, 'storage-ask-end', 'end the storage?');
  await k.touchOption('keep');
  await k.device(() => k.doors.close(second));
  await k.touchOption('done');
  await k.keypadCode('13579');
  await k.touchOption('end');
  await k.device(() => k.doors.close(second));
  await k.touchOption('done');
}

/** Wrong codes: free tries, then a wait between tries, then the lock-out until its end. */
async function throttlePages(t: Test, k: ScreenKiosk): Promise<void> {
  // The first three on the column's keypad, the fourth touched: its answer carries the wait.
  for (let i = 0; i < 3; i++) await k.keypadCode('000000');
  await k.typeCode('000000');
  await check(t, k, 'home', 'throttling wait', '.wait:not(:empty)');
  while ((await k.pageId()) !== 'locked-out') {
    await k.tick(Math.max(0, (k.engine.screen.waitUntil ?? 0) - k.clock.now));
    await k.keypadCode('000000');
  }
  await check(t, k, 'locked-out', 'locked out', '.wait:not(:empty)');
  await k.tick(5 * 60_000);
  t.equal(await k.pageId(), 'home', 'the lock-out ended');
}

async function tour(t: Test, page: Page, lang: Lang, branding: KioskBranding): Promise<ScreenKiosk> {
  const k = await ScreenKiosk.start(t, page, { lang });
  await check(t, k, 'out-of-order', 'no desired state yet');
  await k.device(() => k.state.set(desiredState({ timers: { dropOffReopenGraceS: 60 } })));
  await check(t, k, 'home', 'welcome');
  await k.touchKey('4');
  await k.touchKey('2');
  await k.touchKey('clear');
  await check(t, k, 'home', 'feedback: input cleared', '.feedback:not(:empty)');
  await k.device(() => k.engine.scan(CODES.qr));
  await check(t, k, 'home', 'error: choose scan first', '#error');
  await k.touchKey('enter');
  await check(t, k, 'menu', 'services');
  await k.touchOption('scan');
  await check(t, k, 'scan', 'scan a code');
  await k.touchOption('back');
  await k.touchOption('staff');
  await k.touchOption('back');
  await k.touchOption('storage');
  await k.touchOption('back');
  await k.touchOption('back');
  await k.touchOption('scan');
  await k.touchOption('back');
  await k.touchOption('back');

  await staffPages(t, k, lang);
  await recipientPages(t, k, lang);
  await storagePages(t, k);
  await throttlePages(t, k);

  await k.device(() => k.engine.headphones(true));
  await check(t, k, 'home', 'audio mode');
  await k.device(() => k.engine.headphones(false));
  await k.touchOption('language');
  await check(t, k, 'home', 'language switched');
  await k.touchKey('enter');
  await k.touchOption('language');

  // The same kiosk's screen with the bank's logo and colours, and set to blank in audio mode, opened afresh as the
  // kiosk browser does after a restart.
  await k.showScreen(true, branding);
  await check(t, k, 'home', 'the bank\'s logo and colours');
  t.ok(await page.evaluate(`document.getElementById('logo').naturalWidth > 0 && !document.getElementById('brand').hidden`), 'the logo is drawn');
  await k.device(() => k.engine.headphones(true));
  await check(t, k, 'home', 'audio mode, screen blanked', 'body.blank .blank-text');
  t.equal(await page.locator('#screen button, #screen p:not(.blank-text)').count(), 0, 'nothing of the session is drawn');

  return k;
}

t.test('every kiosk page on the touch screen, in English and French, at each display size', { skip: skipWithoutChromium }, async (t) => {
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: LAYOUTS[0].width, height: LAYOUTS[0].height } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await watchDrawnViews(page);
  const branding = await bankBranding(t);
  const all = Object.keys(PAGES).sort();
  const drawn = new Set<string>();
  const touched = new Set<string>();
  for (const lang of ['en', 'fr'] as const) {
    const k = await tour(t, page, lang, branding);
    const seen = new Set(k.checked.filter((c) => c.lang === lang).map((c) => c.page));
    t.same([...seen].sort(), all, `every page id of the engine checked in ${lang}`);
    for (const o of k.drawnOptions) drawn.add(o);
    for (const o of k.touchedOptions) touched.add(o);
  }
  t.same([...drawn].filter((o) => !touched.has(o)).sort(), [], 'every option drawn on a checked page was touched and worked');
  t.same(errors, [], 'no script error and nothing refused by the page policy');
});
