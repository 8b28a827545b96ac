// The kiosk touch screen's world for the browser tests: the kiosk world (whole cloud, simulated bank of real
// controllers) with the kiosk controller serving its screen on a loopback port, and Debian's Chromium opening it.
// Plus what the tests do on the page (touch a key, an option; wait for a page) and what they check of it (axe, touch
// target sizes, layout). Page checks are evaluated as expressions in the page: this project's TypeScript has no DOM
// types.
import type { Test } from 'tap';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchChromium, skipWithoutChromium } from '../../../cloud/test/pages/browser.ts';
import { kioskWorld, operatorKioskWorld, type KioskWorld, type KioskWorldOptions, type OperatorKioskWorld } from './kiosk-world.ts';

export { axeViolations, skipWithoutChromium };

/** The display sizes the screen is built for: portrait, landscape, and a small landscape panel. */
export const LAYOUTS = [
  { name: 'portrait 1080x1920', width: 1080, height: 1920 },
  { name: 'landscape 1920x1080', width: 1920, height: 1080 },
  { name: 'landscape 1280x800', width: 1280, height: 800 },
] as const;

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

/** Touch targets (buttons, fields) smaller than 44x44 CSS pixels on the page drawn now, with their size. */
export async function smallTargets(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('button, input, [role=button], a')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.width < 44 || r.height < 44)
    .map(({ e, r }) => (e.dataset.key || e.dataset.option || e.id || e.textContent.trim()) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))`)) as string[];
}

/**
 * What is cut off or overlaps on the page drawn now: a control or text outside the window (the page never scrolls
 * sideways; the screen area may scroll down only if it must, and then every control is still reachable in it), or two
 * controls whose boxes overlap.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const out = [];
    const W = window.innerWidth, H = window.innerHeight;
    if (document.documentElement.scrollWidth > W + 1) out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + W);
    const name = (e) => e.tagName.toLowerCase() + (e.dataset.key ? '[key=' + e.dataset.key + ']' : e.dataset.option ? '[option=' + e.dataset.option + ']' : e.id ? '#' + e.id : '') ;
    const screen = document.getElementById('screen');
    const items = [...document.querySelectorAll('#screen button, #screen input, #screen output, #screen h1, #screen p, #screen li')]
      .filter((e) => e.offsetParent !== null && e.getClientRects().length > 0);
    for (const e of items) {
      const r = e.getBoundingClientRect();
      if (r.left < -1 || r.right > W + 1) out.push(name(e) + ' cut off at the side: ' + Math.round(r.left) + '..' + Math.round(r.right));
      const bottom = r.bottom + screen.scrollTop;
      if (r.top + screen.scrollTop < -1 || bottom > screen.scrollHeight + screen.getBoundingClientRect().top + 1) out.push(name(e) + ' outside the screen area');
      if (e.scrollWidth > e.clientWidth + 2 && getComputedStyle(e).overflowX === 'hidden') out.push(name(e) + ' text clipped');
    }
    const controls = items.filter((e) => e.matches('button, input, output'));
    for (let i = 0; i < controls.length; i++) {
      for (let j = i + 1; j < controls.length; j++) {
        const a = controls[i].getBoundingClientRect(), b = controls[j].getBoundingClientRect();
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left), y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) out.push(name(controls[i]) + ' overlaps ' + name(controls[j]));
      }
    }
    return out;
  })()`)) as string[];
}
