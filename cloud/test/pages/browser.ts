// What the tests of pages in a real Chromium share: the browser (Debian's, skipped by name when absent), axe, and a
// whole running cloud whose logs the test reads.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AccountMail } from '../../src/auth/account-mail.ts';
import { startCloud, type CloudRuntime } from '../../src/runtime/cloud-runtime.ts';
import { tempDir, TEST_HASH } from '../mqtt/helpers/env.ts';
import { testCloudConfig } from '../runtime/helpers.ts';

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

/**
 * The violations axe finds on the page (WCAG 2.x A and AA). Its source is evaluated through the driver, past the page's
 * policy (which runs no script, or only the server's own files), once per document: after a navigation htmx made, the
 * page still has it.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.evaluate(AXE_SOURCE);
  // An expression, evaluated in the page (this project's TypeScript has no DOM types).
  const r = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'], iframes: false, performanceTimer: false })`)) as AxeResult;
  return r.violations.map((v) => `${v.id}: ${v.help} (${JSON.stringify(v.nodes.map((n) => n.target))})`);
}

export interface PagesCloud {
  rt: CloudRuntime;
  /** Its data folder. */
  dir: string;
  /** Everything it logged so far (level debug). */
  logs(): string;
  /** A request to its API, with a bearer token when given. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
}

/** A whole cloud on a temporary data folder, with its first administrator `admin` and the account mail given; stopped at teardown. */
export async function startPagesCloud(t: Parameters<typeof tempDir>[0], prefix: string, adminPassword: string, accountMail: AccountMail, o: { now?: () => number } = {}): Promise<PagesCloud> {
  const dir = await tempDir(t, prefix);
  let logs = '';
  const logger = pino({ level: 'debug' }, new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString('utf8');
      done();
    },
  }));
  const rt = await startCloud({
    config: { ...testCloudConfig(dir), admin: { user: 'admin', password: adminPassword } },
    logger,
    broker: { kind: 'embedded', host: '127.0.0.1', port: 0 },
    codeHashN: 1024,
    identityHashParams: TEST_HASH,
    accountMail,
    ...(o.now ? { now: o.now } : {}),
  });
  // Registered after the folder's removal, so it runs before it (teardowns run last first): the cloud's last writes
  // (its sessions file) land in a folder that is still there.
  t.teardown(() => rt.stop());
  const api = (method: string, path: string, body?: unknown, token?: string): Promise<Response> =>
    fetch(`${rt.httpUrl}/api/v1${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  return { rt, dir, logs: () => logs, api };
}
