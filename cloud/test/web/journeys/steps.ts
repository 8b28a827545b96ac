// The steps every console journey takes: axe on the page as it stands, a form sent, an action confirmed, the language
// switched; each waits for the page the step leads to.
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import type { ConsoleWorld } from '../browser-world.ts';

/** axe finds nothing on `page` (WCAG 2.x A and AA). */
export async function axeClean(t: Test, w: ConsoleWorld, page: Page, what: string): Promise<void> {
  t.same(await w.axe(page), [], `axe: ${what}`);
}

/** Submits the page's main form and waits for the page it leads to. */
export async function submit(page: Page, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.click('main form[novalidate] button[type=submit]')]);
}

/** Opens an action's disclosure and confirms it. */
export async function confirm(page: Page, summary: string, button: string, url: RegExp): Promise<void> {
  await page.click(`summary:has-text("${summary}")`);
  await Promise.all([page.waitForURL(url), page.click(`button:has-text("${button}")`)]);
}

/** Switches the console's language with the header's button, waiting for the page again. */
export async function language(page: Page, name: 'Français' | 'English', url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), page.click(`header button:has-text("${name}")`)]);
}
