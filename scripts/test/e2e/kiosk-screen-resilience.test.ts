// The kiosk touch screen in a real headless Chromium against the real kiosk controller of a simulated bank and the
// real cloud: what a person at the screen sees when the language changes, when nobody touches it, when a door is left
// open, when the page reloads or the whole browser dies in the middle of a session, when a touch arrives late, and
// when the cloud is away. One world for the file, the scenes in sequence on it (the offline one last: it stops the
// cloud); each drives the page by touches and checks the door in the simulator and the locker in the cloud's API.
//
// Time: the kiosk's page timers are real timers, shortened through the API for the inactivity scene and run by the
// test once armed (found by a spy on setTimeout). The door controller judges "left open" from `Date.now()` at each
// poll of the lock board, so `Date` is faked for cloud and controller alike before anything starts (sinon, advancing
// with real time so real I/O keeps working) and jumped over the left-open time. The browser's own clock and the
// test's waits (`performance.now`) are not faked.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import sinon from 'sinon';
import type { Test } from 'tap';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../../cloud/test/pages/browser.ts';
import { api, expectCondition } from './helpers.ts';
import { KIOSK_COLUMN_LOCKERS, backOnline, desiredOf, doorsOpen, droppedParcel, eventStored, kioskState, lockerApi, lockerStatus, outage, pickedUp, pickupStored, spyOnSetTimeout, type KioskWorld } from './kiosk-world.ts';
import { LAYOUTS, lockerDrawn, lockersDrawn, onPage, screenText, screenWorld, skipWithoutChromium, touchKey, touchOption, typeCode, type ScreenPage } from './screen-world.ts';

/** Changes the bank's kiosk timers through the API and waits until the kiosk controller holds them. */
async function setTimers(w: KioskWorld, timers: Record<string, number>): Promise<void> {
  const r = await api(w.cloud, 'PATCH', `/banks/${w.bankId}`, w.token, { timers });
  if (r.status !== 200) throw new Error(`PATCH /banks timers: ${r.status} ${JSON.stringify(r.json)}`);
  const held = () => kioskState(w)?.timers as Record<string, number> | undefined;
  await expectCondition(() => Object.entries(timers).every(([k, v]) => held()?.[k] === v), 10_000, 'the timers reached the kiosk controller');
}

/** The masked entry as drawn: one dot per digit typed. */
async function entryDots(page: Page): Promise<string> {
  return (await page.locator('#entry').innerText()).trim();
}

/** Waits until the entry shows `n` dots (a locator's wait: the page's policy lets no waiting function be evaluated in it). */
async function dotsShown(page: Page, n: number): Promise<void> {
  await page.locator('#entry', { hasText: new RegExp(`^\\s*•{${n}}\\s*$`) }).waitFor({ timeout: 3000 });
}

/** The seq of the view the screen shows now, as the screen's own event stream gives it to a page that connects. */
async function viewSeqNow(page: Page): Promise<number> {
  return (await page.evaluate(`new Promise((resolve) => {
    const es = new EventSource('/events');
    es.addEventListener('view', (e) => { es.close(); resolve(JSON.parse(e.data).seq); });
  })`)) as number;
}

/** Posts a touch to the screen from the page itself (its origin), answering the HTTP status. */
async function postInput(page: Page, body: Record<string, unknown>): Promise<number> {
  return (await page.evaluate(`fetch('/input', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(JSON.stringify(body))} }).then((r) => r.status)`)) as number;
}

/** The goodbye between two sessions: the notice shown, in the session's language. */
async function goodbyeShown(page: Page): Promise<{ text: string; lang: string | null }> {
  await page.waitForSelector('#notice.shown', { timeout: 3000 });
  return { text: (await page.locator('#notice').innerText()).trim(), lang: await page.locator('#notice').getAttribute('lang') };
}

function noErrors(t: Test, ...pages: ScreenPage[]): void {
  t.same(
    pages.flatMap((p) => p.errors),
    [],
    'no script error or refused resource on the page',
  );
}

// One world for every scene, a browser crash and an outage among them: more than tap's default 30 s for a file on a
// busy machine.
t.setTimeout(120_000);

t.test('the kiosk screen through languages, timers, a door left open, reloads, a browser crash and an outage', { skip: skipWithoutChromium }, async (t) => {
  const clock = sinon.useFakeTimers({ toFake: ['Date'], now: Date.now(), shouldAdvanceTime: true });
  t.teardown(() => clock.restore());
  const w = await screenWorld(t);
  const kiosk = w.bank.kiosk!;
  const ctl = kiosk.column.controller;
  const screen = await w.open();

  await t.test('the language switch: a pickup in French, the goodbye in French, then home in English', async (t) => {
    const { page } = screen;
    const parcel = await droppedParcel(t, w, 'E2E-SCREEN-FR-1');
    await onPage(page, 'home');
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'home starts in English');
    t.equal(await page.locator('[data-option="language"]').innerText(), 'Français', 'the switch is offered in French');
    await touchOption(page, 'language');
    await page.waitForSelector('html[lang="fr"]');
    t.equal(await page.locator('#title').innerText(), 'Bienvenue', 'the French title');
    t.equal(await page.locator('.keypad [data-key="clear"]').innerText(), 'Effacer', 'the keypad in French');
    t.equal(await page.locator('.keypad [data-key="enter"]').innerText(), 'Entrée');
    t.match(await screenText(page), /Tapez votre code de retrait/, 'the prompt in French');
    t.equal(await page.locator('[data-option="language"]').innerText(), 'English', 'the way back to English');

    await typeCode(page, parcel.code);
    await onPage(page, 'pickup');
    await kiosk.column.expectDoor(parcel.door, true);
    t.same(doorsOpen(w.bank), [`1/${parcel.door}`], "only the parcel's door opened");
    t.equal(await page.getAttribute('html', 'lang'), 'fr', 'the pickup page in French');
    t.equal(await page.locator('#title').innerText(), 'Vos colis');
    t.match(await screenText(page), `casier ${parcel.locker}, colonne 1`, 'where the open locker is, in French');
    t.match(await lockersDrawn(page), [{ locker: parcel.locker, state: 'ouvert', where: `casier ${parcel.locker}, colonne 1` }], 'the locker drawn open');
    await pickedUp(w, parcel.reservationId, parcel.locker);
    t.pass(`locker ${parcel.locker} available in the cloud`);

    kiosk.column.door(parcel.door).close();
    await lockerDrawn(page, parcel.locker, 'fermé');
    t.pass('the shut door drawn closed');
    await touchOption(page, 'done');
    t.same(await goodbyeShown(page), { text: 'Merci. Au revoir.', lang: 'fr' }, 'the goodbye in French');
    await page.waitForSelector('html[lang="en"]');
    await onPage(page, 'home');
    t.equal(await page.locator('#title').innerText(), 'Welcome', 'home again in the default language');
    t.equal(await page.locator('.keypad [data-key="enter"]').innerText(), 'Enter');
    noErrors(t, screen);
  });

  await t.test('nobody touches the page: it goes home by itself after the inactivity time', async (t) => {
    const { page } = screen;
    const before = desiredOf(w).timers;
    // The protocol's smallest inactivity time is 10 s: the API refuses less, naming the field.
    const tooShort = await api(w.cloud, 'PATCH', `/banks/${w.bankId}`, w.token, { timers: { returnHomeOnInactivityS: 9, returnHomeAfterPickupS: 5 } });
    t.equal(tooShort.status, 400, '9 s refused');
    t.match(JSON.stringify(tooShort.json), 'returnHomeOnInactivityS');
    // The after-pickup return may not be longer than the inactivity one.
    await setTimers(w, { returnHomeOnInactivityS: 10, returnHomeAfterPickupS: 5 });

    await onPage(page, 'home');
    // The inactivity timer is a real setTimeout the kiosk engine arms at each touch: found by a spy and run as soon as it
    // is armed, rather than waited for over 10 s of real time.
    const timers = spyOnSetTimeout(t);
    const touched = performance.now();
    await touchOption(page, 'staff');
    await onPage(page, 'staff-signin');
    t.equal(await entryDots(page), '', 'the staff sign-in page, nothing typed');
    const armed = timers.getCalls().filter((c) => c.args[1] === 10_000).at(-1);
    timers.restore();
    t.ok(armed, 'the last touch armed a timer of the 10 s set through the API');
    t.equal(await page.getAttribute('body', 'data-page'), 'staff-signin', 'still on the staff sign-in page until it runs');
    clearTimeout(armed!.returnValue as NodeJS.Timeout);
    (armed!.args[0] as () => void)();
    await onPage(page, 'home', 3000);
    // The timer that ran sent it home: the real one would not have fired before 10 s.
    const waited = performance.now() - touched;
    t.ok(waited < 10_000, `home by itself once the inactivity timer ran (${Math.round(waited)} ms after the touch, its real timer cancelled)`);
    t.equal(await page.locator('#title').innerText(), 'Welcome');
    t.equal(await page.getAttribute('html', 'lang'), 'en');
    t.same(doorsOpen(w.bank), [], 'nothing opened');

    await setTimers(w, { returnHomeOnInactivityS: before.returnHomeOnInactivityS, returnHomeAfterPickupS: before.returnHomeAfterPickupS });
    noErrors(t, screen);
  });

  await t.test('a door left open after a pickup by touch: the page warns naming the locker; shutting it clears the warning', async (t) => {
    const { page } = screen;
    const parcel = await droppedParcel(t, w, 'E2E-SCREEN-LEFT-OPEN-1');
    await onPage(page, 'home');
    await typeCode(page, parcel.code);
    await onPage(page, 'pickup');
    await kiosk.column.expectDoor(parcel.door, true);
    await pickedUp(w, parcel.reservationId, parcel.locker);
    t.equal(await page.locator('.warning').count(), 0, 'no warning while the door has just opened');

    // The person walks away: the door stays open past the door controller's left-open time.
    clock.tick(ctl.config.hardware.doors.leftOpenMs + 1000);
    const warning = page.locator('.warning[role="alert"]');
    await warning.waitFor({ timeout: 5000 });
    t.match(await warning.innerText(), `Please close locker ${parcel.locker}, column 1`, 'the warning names the locker');
    await eventStored(w, 'door-left-open stored by the cloud', (e) => e['type'] === 'door-left-open' && e['door'] === parcel.door);
    t.pass('the cloud stored door-left-open');

    kiosk.column.door(parcel.door).close();
    await kiosk.column.expectDoor(parcel.door, false);
    await warning.waitFor({ state: 'detached', timeout: 3000 });
    t.pass('the warning is gone once the door is shut');
    t.equal((await lockerApi(w, parcel.locker)).status, 'available', 'the locker available in the cloud');
    await touchOption(page, 'done');
    await onPage(page, 'home');
    noErrors(t, screen);
  });

  await t.test('a reload, a browser crash and a late touch in the middle of a session lose nothing and change nothing', async (t) => {
    // A second browser, to be lost whole (started while the parcel is dropped off).
    const launched = launchChromium().then((b) => {
      t.teardown(() => b.close());
      return b;
    });
    const [parcel, browser] = await Promise.all([droppedParcel(t, w, 'E2E-SCREEN-RELOAD-1'), launched]);
    const page = await browser.newPage({ viewport: { width: LAYOUTS[0].width, height: LAYOUTS[0].height } });
    const doomed: ScreenPage = { page, errors: [] };
    page.on('pageerror', (e) => doomed.errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') doomed.errors.push(m.text());
    });
    await page.goto(w.url);
    await onPage(page, 'home');

    const half = Math.ceil(parcel.code.length / 2);
    for (const d of parcel.code.slice(0, half)) await touchKey(page, d);
    await dotsShown(page, half);
    await page.reload();
    await onPage(page, 'home');
    t.equal(await entryDots(page), '•'.repeat(half), `after the reload the entry still shows ${half} dots`);
    for (const d of parcel.code.slice(half)) await touchKey(page, d);
    await dotsShown(page, parcel.code.length);
    await touchKey(page, 'enter');
    await onPage(page, 'pickup');
    await kiosk.column.expectDoor(parcel.door, true);
    t.same(doorsOpen(w.bank), [`1/${parcel.door}`], 'the code finished after the reload opened the locker');
    const title = await page.locator('#title').innerText();
    const lockers = await lockersDrawn(page);
    t.match(lockers, [{ locker: parcel.locker, state: 'open', where: `locker ${parcel.locker}, column 1` }], 'the open locker drawn');
    noErrors(t, doomed);

    // The browser dies with the session on the pickup page; another one, which never showed this session, opens the
    // screen.
    await browser.close();
    await expectCondition(() => ctl.screen?.connections === 1, 3000, "the lost browser's connection gone");
    const again = await w.open();
    await onPage(again.page, 'pickup');
    t.equal(await again.page.locator('#title').innerText(), title, 'the other browser draws the same page');
    t.same(await lockersDrawn(again.page), lockers, 'with the same lockers');
    kiosk.column.door(parcel.door).close();
    await lockerDrawn(again.page, parcel.locker, 'closed');
    await touchOption(again.page, 'done');
    t.same(await goodbyeShown(again.page), { text: 'Thank you. Goodbye.', lang: 'en' }, '"I am done" works: the goodbye');
    await onPage(again.page, 'home');
    t.same(doorsOpen(w.bank), [], 'every door shut');
    // The cloud is asked only now: the pickup page goes home by itself a while after the door opened.
    await pickedUp(w, parcel.reservationId, parcel.locker);
    t.pass(`locker ${parcel.locker} available in the cloud`);

    // A touch made on a page since replaced arrives: refused, and the new page is not touched by it.
    noErrors(t, screen, again);
    const homeSeq = await viewSeqNow(again.page);
    await touchOption(again.page, 'staff');
    await onPage(again.page, 'staff-signin');
    t.equal(await postInput(again.page, { kind: 'key', key: '5', seq: homeSeq }), 409, 'a key touched on home, arriving on the staff sign-in: 409');
    await touchKey(again.page, '7');
    await dotsShown(again.page, 1);
    t.pass('only the key touched on this page was typed');
    t.equal(await postInput(again.page, { kind: 'option', id: 'back', seq: homeSeq }), 409, 'a stale touch of an option: 409');
    t.equal(await again.page.getAttribute('body', 'data-page'), 'staff-signin', 'still the staff sign-in');
    t.equal(await entryDots(again.page), '•', 'with its one digit');
    await touchOption(again.page, 'back');
    await onPage(again.page, 'menu');
    await touchOption(again.page, 'back');
    await onPage(again.page, 'home');
    await again.page.close();
    // The browser logs each refused post as a failed load: those two, and nothing else.
    t.same(again.errors, [1, 2].map(() => 'Failed to load resource: the server responded with a status of 409 (Conflict)'), 'no error on the page but the two refused posts');
    noErrors(t, screen);
  });

  await t.test('an offline pickup by touch with the cloud stopped; the cloud learns it once back', async (t) => {
    const { page } = screen;
    const parcel = await droppedParcel(t, w, 'E2E-SCREEN-OFFLINE-1');
    t.ok(KIOSK_COLUMN_LOCKERS.includes(parcel.locker), `locker ${parcel.locker} is on the kiosk's own column`);
    t.equal((await lockerApi(w, parcel.locker)).status, 'occupied', 'occupied in the cloud before');
    await onPage(page, 'home');
    await outage(w);

    await typeCode(page, parcel.code);
    await onPage(page, 'pickup');
    await kiosk.column.expectDoor(parcel.door, true);
    t.same(doorsOpen(w.bank), [`1/${parcel.door}`], 'the door opened with the cloud away');
    t.match(await lockersDrawn(page), [{ locker: parcel.locker, state: 'open', where: `locker ${parcel.locker}, column 1` }], 'the open locker drawn');
    const local = await kiosk.column.expectEvent((e) => e.body.type === 'transaction' && e.body.kind === 'pickup' && e.body.reservationIds.includes(parcel.reservationId));
    t.match(local.body, { offline: true }, 'the kiosk recorded an offline pickup');
    kiosk.column.door(parcel.door).close();
    await touchOption(page, 'done');
    await onPage(page, 'home');

    const w2 = await backOnline(t, w);
    t.match(await pickupStored(w2, parcel.reservationId), { kind: 'pickup', doors: [parcel.door], offline: true }, 'the pickup reached the cloud');
    await lockerStatus(w2, parcel.locker, 'available');
    t.pass(`locker ${parcel.locker} available in the cloud`);
    noErrors(t, screen);
    w.rec.expectSchemasMatched(t);
  });
});
