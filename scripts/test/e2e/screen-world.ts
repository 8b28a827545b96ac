// The kiosk touch screen's world for the browser tests: the kiosk world (whole cloud, simulated bank of real
// controllers) with the kiosk controller serving its screen on a loopback port, and Debian's Chromium opening it.
// Plus what the tests do on the page (touch a key, an option; wait for a page) and, re-exported, what they check of it
// (axe, touch target sizes, layout).
import type { Test } from 'tap';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchChromium, skipWithoutChromium } from '../contracts/browser.ts';
import { LAYOUTS } from '../../../firmware/test/screen/page-checks.ts';
import { kioskWorld, operatorKioskWorld, type KioskWorld, type KioskWorldOptions, type OperatorKioskWorld } from './kiosk-world.ts';

export { axeViolations, skipWithoutChromium };
// The page checks live with the screen's own browser test, which may not import this workspace.
export { LAYOUTS, layoutProblems, smallTargets } from '../../../firmware/test/screen/page-checks.ts';

export interface ScreenWorld extends KioskWorld {
  browser: Browser;
  /** The kiosk screen's address on the kiosk controller. */
  url: string;
  /** A new tab on the kiosk screen at this size, drawn; its script errors and refused resources are in `errors`. */
  open(viewport?: { width: number; height: number }): Promise<ScreenPage>;
}

export interface ScreenPage {
  page: Page;
  /** Script errors and console errors of the page so far (a CSP refusal is one). */
  errors: string[];
}

export async function screenWorld(t: Test, o: KioskWorldOptions = {}): Promise<ScreenWorld> {
  return withScreen(t, await kioskWorld(t, { ...o, kioskScreen: { port: 0, ...o.kioskScreen } }));
}

/** The screen world with the operator "olga" of `operatorKioskWorld`, whose staff PIN reached the kiosk. */
export async function operatorScreenWorld(t: Test, o: KioskWorldOptions = {}): Promise<ScreenWorld & OperatorKioskWorld> {
  return withScreen(t, await operatorKioskWorld(t, { ...o, kioskScreen: { port: 0, ...o.kioskScreen } }));
}

async function withScreen<W extends KioskWorld>(t: Test, w: W): Promise<ScreenWorld & W> {
  const url = w.bank.kiosk!.column.controller.screen?.url;
  if (!url) throw new Error('the kiosk controller serves no screen');
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  return {
    ...w,
    browser,
    url,
    async open(viewport = LAYOUTS[0]) {
      const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(url);
      await page.waitForSelector('body[data-page]');
      return { page, errors };
    },
  };
}

/** Waits until the screen draws page `id` (the engine's page id). */
export async function onPage(page: Page, id: string, timeoutMs = 5000): Promise<void> {
  await page.waitForSelector(`body[data-page="${id}"]`, { timeout: timeoutMs });
}

/** Touches a key of the on-screen keypad (`0`..`9`, `clear`, `enter`). */
export async function touchKey(page: Page, key: string): Promise<void> {
  await page.click(`.keypad [data-key="${key}"]`);
}

/** Touches each digit of `code` on the on-screen keypad, then Enter. */
export async function typeCode(page: Page, code: string): Promise<void> {
  for (const d of code) await touchKey(page, d);
  await touchKey(page, 'enter');
}

/** Touches the option `id` drawn on the page. */
export async function touchOption(page: Page, id: string): Promise<void> {
  await page.click(`[data-option="${id}"]`);
}

/** The drawn text of the screen (title, lines, alerts, lockers, options). */
export async function screenText(page: Page): Promise<string> {
  return (await page.locator('#screen').innerText()).replace(/\s+/g, ' ').trim();
}

/** The lockers drawn on the page: number, state and where, as the person reads them. */
export async function lockersDrawn(page: Page): Promise<Array<{ locker: number; state: string; where: string }>> {
  return (await page.evaluate(`[...document.querySelectorAll('.lockers li[data-locker]')].map((li) => ({
    locker: Number(li.dataset.locker),
    state: li.querySelector('.locker-state')?.textContent ?? '',
    where: li.querySelector('.locker-where')?.textContent ?? '',
  }))`)) as Array<{ locker: number; state: string; where: string }>;
}

/** Waits until the page draws locker `locker` in `state` ("open", "closed"). */
export async function lockerDrawn(page: Page, locker: number, state: string): Promise<void> {
  await page.waitForSelector(`.lockers li[data-locker="${locker}"] .locker-state:text-is("${state}")`, { timeout: 3000 });
}
