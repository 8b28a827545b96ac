// What every test in a real Chromium shares, whichever workspace it tests (the cloud's pages, the kiosk's touch
// screen): Debian's browser, skipped by name when absent, launched with the flags this machine needs, and axe-core's
// WCAG 2.x A/AA check of the page drawn now.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** The `skip` of a test that needs the browser: false, or why not. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

interface AxeResult {
  violations: { id: string; help: string; nodes: { target: unknown }[] }[];
}

/** Each page's DevTools session, opened the first time axe runs on it. */
const sessions = new WeakMap<Page, Promise<CDPSession>>();

/**
 * Evaluates axe's source in the page's document now, past the page's policy (which runs no script, or only the
 * server's own files). Sent as one plain DevTools evaluation: the driver's own `evaluate` wraps an expression and
 * passes it on as an argument, which costs a third more for a source of half a megabyte, on every document.
 */
async function injectAxe(page: Page): Promise<void> {
  let session = sessions.get(page);
  if (!session) sessions.set(page, (session = page.context().newCDPSession(page)));
  const r = await (await session).send('Runtime.evaluate', { expression: AXE_SOURCE });
  if (r.exceptionDetails) throw new Error(`axe-core did not load in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
}

/**
 * The violations axe finds on the page (WCAG 2.x A and AA). Its source is evaluated once per document: after a
 * navigation htmx made, the page still has it.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // An expression, evaluated in the page (this project's TypeScript has no DOM types); null where the document has no
  // axe yet, so a page that has it runs axe in one round trip.
  const run = `typeof axe === 'undefined' ? null : axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'], iframes: false, performanceTimer: false })`;
  let r = (await page.evaluate(run)) as AxeResult | null;
  if (r === null) {
    await injectAxe(page);
    r = (await page.evaluate(run)) as AxeResult | null;
    if (r === null) throw new Error('axe-core is not in the page after it was evaluated there');
  }
  return r.violations.map((v) => `${v.id}: ${v.help} (${JSON.stringify(v.nodes.map((n) => n.target))})`);
}
